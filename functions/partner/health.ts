import { parseWith } from '../../shared/http/validation';
import type { RouteImplementation } from '../../shared/http/types';
import { listQuery } from '../../shared/schemas/common';
import { partnerHealthView } from '../../shared/use-cases/health-reports';

export const partnerHealthRoutes = {
  'GET /v1/partner/installations/{installationId}/health': (async (request) => {
    if (request.caller.role !== 'partner') throw new Error('partner route called without a partner caller');
    const page = parseWith(listQuery, request.query, 'query');
    return { status: 200, body: await partnerHealthView(request.caller.partnerId, request.pathParameters.installationId ?? '', page) };
  }) satisfies RouteImplementation,
};
