import { notFound } from '../../shared/http/errors';
import type { ApiRequest, RouteImplementation } from '../../shared/http/types';
import { checkIn } from '../../shared/use-cases/installations';

/** The path's installation must be the one that signed the request; others are not found. */
function ownInstallationId(request: ApiRequest): string {
  const installationId = request.pathParameters.installationId;
  if (request.caller.role !== 'installation' || request.caller.installationId !== installationId) {
    throw notFound('installation_not_found', 'No such installation.');
  }
  return installationId;
}

export const checkInRoutes = {
  'GET /v1/installations/{installationId}/license': (async (request) => ({
    status: 200,
    body: await checkIn(ownInstallationId(request)),
  })) satisfies RouteImplementation,
};
