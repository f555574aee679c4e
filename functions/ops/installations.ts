import { parseWith } from '../../shared/http/validation';
import { actorOf, type RouteImplementation } from '../../shared/http/types';
import { identifier } from '../../shared/schemas/common';
import { integrationStatistics, issueNewCredentials, releaseInstallation } from '../../shared/use-cases/installations';

export const installationRoutes = {
  'DELETE /v1/installations/{installationId}': (async (request) => {
    const installationId = parseWith(identifier, request.pathParameters.installationId, 'installationId');
    await releaseInstallation(installationId, { actor: actorOf(request.caller), sourceIp: request.sourceIp });
    return { status: 204 };
  }) satisfies RouteImplementation,

  'POST /v1/installations/{installationId}/credentials': (async (request) => {
    const installationId = parseWith(identifier, request.pathParameters.installationId, 'installationId');
    return {
      status: 200,
      body: await issueNewCredentials(installationId, { actor: actorOf(request.caller), sourceIp: request.sourceIp }),
    };
  }) satisfies RouteImplementation,

  'GET /v1/stats/integrations': (async () => ({
    status: 200,
    body: { items: await integrationStatistics() },
  })) satisfies RouteImplementation,
};
