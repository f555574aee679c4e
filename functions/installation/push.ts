import { parseWith, withBody } from '../../shared/http/validation';
import type { RouteImplementation } from '../../shared/http/types';
import { mobileServerPath, pushDevicePath, putEmailsRequest, putMobileServerRequest, putPushDeviceRequest } from '../../shared/schemas/push';
import { loadInstallationContext } from '../../shared/use-cases/installation-context';
import {
  getMobileServer,
  registerMobileServer,
  registerPushDevice,
  removeMobileServer,
  removePushDevice,
  replaceNotificationEmails,
} from '../../shared/use-cases/push';

export const pushRoutes = {
  'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}': withBody(putMobileServerRequest, async (request, input) => {
    const { installation } = await loadInstallationContext(request);
    const path = parseWith(mobileServerPath, request.pathParameters, 'path');
    return { status: 200, body: await registerMobileServer(installation.installationId, path.mobileServerGuid, input) };
  }),

  'GET /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}': (async (request) => {
    const { installation } = await loadInstallationContext(request);
    const path = parseWith(mobileServerPath, request.pathParameters, 'path');
    return { status: 200, body: await getMobileServer(installation.installationId, path.mobileServerGuid) };
  }) satisfies RouteImplementation,

  'DELETE /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}': (async (request) => {
    const { installation } = await loadInstallationContext(request);
    const path = parseWith(mobileServerPath, request.pathParameters, 'path');
    await removeMobileServer(installation.installationId, path.mobileServerGuid);
    return { status: 204 };
  }) satisfies RouteImplementation,

  'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/devices/{deviceGuid}': withBody(putPushDeviceRequest, async (request, input) => {
    const { installation } = await loadInstallationContext(request);
    const path = parseWith(pushDevicePath, request.pathParameters, 'path');
    return { status: 200, body: await registerPushDevice(installation.installationId, path.mobileServerGuid, path.deviceGuid, input) };
  }),

  'DELETE /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/devices/{deviceGuid}': (async (request) => {
    const { installation } = await loadInstallationContext(request);
    const path = parseWith(pushDevicePath, request.pathParameters, 'path');
    await removePushDevice(installation.installationId, path.mobileServerGuid, path.deviceGuid);
    return { status: 204 };
  }) satisfies RouteImplementation,

  'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/emails': withBody(putEmailsRequest, async (request, input) => {
    const { installation } = await loadInstallationContext(request);
    const path = parseWith(mobileServerPath, request.pathParameters, 'path');
    return { status: 200, body: await replaceNotificationEmails(installation.installationId, path.mobileServerGuid, input.emails) };
  }),
};
