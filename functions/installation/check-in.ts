import type { RouteImplementation } from '../../shared/http/types';
import { callerInstallation } from '../../shared/use-cases/installation-context';
import { checkIn } from '../../shared/use-cases/installations';

export const checkInRoutes = {
  'GET /v1/installations/{installationId}/license': (async (request) => ({
    status: 200,
    body: await checkIn(callerInstallation(request)),
  })) satisfies RouteImplementation,
};
