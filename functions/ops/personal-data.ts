import type { RouteImplementation } from '../../shared/http/types';
import { erasePersonalData, exportPersonalData } from '../../shared/use-cases/personal-data';

export const personalDataRoutes = {
  'GET /v1/customers/{customerId}/personal-data': (async (request) => ({
    status: 200,
    body: await exportPersonalData(request.pathParameters.customerId ?? ''),
  })) satisfies RouteImplementation,

  'DELETE /v1/customers/{customerId}/personal-data': (async (request) => {
    await erasePersonalData(request.pathParameters.customerId ?? '');
    return { status: 204 };
  }) satisfies RouteImplementation,
};
