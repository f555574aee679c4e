import { withBody } from '../../shared/http/validation';
import type { RouteImplementation } from '../../shared/http/types';
import { putSmartConnectRequest } from '../../shared/schemas/push';
import { loadInstallationContext } from '../../shared/use-cases/installation-context';
import { readSmartConnect, setSmartConnect } from '../../shared/use-cases/smart-connect';

export const smartConnectRoutes = {
  'PUT /v1/installations/{installationId}/smart-connect': withBody(putSmartConnectRequest, async (request, input) => {
    const context = await loadInstallationContext(request);
    return { status: 200, body: await setSmartConnect(context, input) };
  }),

  'GET /v1/installations/{installationId}/smart-connect': (async (request) => {
    const context = await loadInstallationContext(request);
    return { status: 200, body: await readSmartConnect(context) };
  }) satisfies RouteImplementation,
};
