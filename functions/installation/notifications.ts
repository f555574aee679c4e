import { withBody } from '../../shared/http/validation';
import type { RouteImplementation } from '../../shared/http/types';
import { sendNotificationRequest } from '../../shared/schemas/push';
import { loadInstallationContext } from '../../shared/use-cases/installation-context';
import { getNotificationView, sendNotification } from '../../shared/use-cases/notifications';

export const notificationRoutes = {
  'POST /v1/installations/{installationId}/notifications': withBody(sendNotificationRequest, async (request, input) => {
    const context = await loadInstallationContext(request);
    return { status: 202, body: await sendNotification(context, input) };
  }),

  'GET /v1/installations/{installationId}/notifications/{notificationId}': (async (request) => {
    const context = await loadInstallationContext(request);
    return { status: 200, body: await getNotificationView(context, request.pathParameters.notificationId ?? '') };
  }) satisfies RouteImplementation,
};
