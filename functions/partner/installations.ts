import { parseWith } from '../../shared/http/validation';
import type { RouteImplementation } from '../../shared/http/types';
import { identifier } from '../../shared/schemas/common';
import { partnerInstallationView } from '../../shared/use-cases/installations';

export const partnerInstallationRoutes = {
  'GET /v1/partner/installations/{installationId}': (async (request) => {
    const installationId = parseWith(identifier, request.pathParameters.installationId, 'installationId');
    return { status: 200, body: await partnerInstallationView(request.caller, installationId) };
  }) satisfies RouteImplementation,
};
