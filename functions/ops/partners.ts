import { parseWith } from '../../shared/http/validation';
import type { RouteImplementation } from '../../shared/http/types';
import { createPartnerRequest } from '../../shared/schemas/partners';
import { registerPartner } from '../../shared/use-cases/partners';

export const partnerRoutes = {
  'POST /v1/partners': (async (request) => {
    const input = parseWith(createPartnerRequest, request.body ?? {});
    const partner = await registerPartner(input);
    return { status: 201, body: { partnerId: partner.partnerId, name: partner.name, apiKey: partner.apiKey } };
  }) satisfies RouteImplementation,
};
