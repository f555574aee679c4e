import { parseWith } from '../../shared/http/validation';
import { actorOf, type RouteImplementation } from '../../shared/http/types';
import { activationRequestFile } from '../../shared/schemas/offline';
import { activateOffline } from '../../shared/use-cases/offline-activation';

/** §10: an activation request file uploaded by ops, the license's partner or a customer-admin. */
export const offlineActivationRoutes = {
  'POST /v1/offline-activations': (async (request) => {
    const file = parseWith(activationRequestFile, request.body ?? {});
    const result = await activateOffline({ file, caller: request.caller, actor: actorOf(request.caller), sourceIp: request.sourceIp });
    return { status: result.status, body: result.licenseFile };
  }) satisfies RouteImplementation,
};
