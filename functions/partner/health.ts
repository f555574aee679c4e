import { parseWith } from '../../shared/http/validation';
import type { RouteImplementation } from '../../shared/http/types';
import { listQuery } from '../../shared/schemas/common';
import { partnerHealthView } from '../../shared/use-cases/health-reports';

export const partnerHealthRoutes = {
  'GET /v1/partner/installations/{installationId}/health': (async (request) => {
    const page = parseWith(listQuery, request.query, 'query');
    return { status: 200, body: await partnerHealthView(request.caller, request.pathParameters.installationId ?? '', page) };
  }) satisfies RouteImplementation,
};
