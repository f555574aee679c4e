import { withBody } from '../../shared/http/validation';
import { actorOf } from '../../shared/http/types';
import { activationRequestFile } from '../../shared/schemas/offline';
import { activateOffline } from '../../shared/use-cases/offline-activation';

/** §10: an activation request file uploaded by ops, the license's partner or a customer-admin. */
export const offlineActivationRoutes = {
  'POST /v1/offline-activations': withBody(activationRequestFile, async (request, file) => {
    const result = await activateOffline({ file, caller: request.caller, actor: actorOf(request.caller), sourceIp: request.sourceIp });
    return { status: result.status, body: result.licenseFile };
  }),
};
