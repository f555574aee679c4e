import { createHttpHandler } from '../../shared/http/handler';
import { pushRoutes } from './push';
import { notificationRoutes } from './notifications';
import { smartConnectRoutes } from './smart-connect';
import { healthReportRoutes } from './health';

export const handler = createHttpHandler('installation', {
  ...pushRoutes,
  ...notificationRoutes,
  ...smartConnectRoutes,
  ...healthReportRoutes,
});
