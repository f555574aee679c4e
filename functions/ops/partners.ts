import { withBody } from '../../shared/http/validation';
import { createPartnerRequest } from '../../shared/schemas/partners';
import { registerPartner } from '../../shared/use-cases/partners';

export const partnerRoutes = {
  'POST /v1/partners': withBody(createPartnerRequest, async (request, input) => {
    const partner = await registerPartner(input);
    return { status: 201, body: { partnerId: partner.partnerId, name: partner.name, apiKey: partner.apiKey } };
  }),
};
