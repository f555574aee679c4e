import { createHttpHandler } from '../../shared/http/handler';
import { checkInRoutes } from './check-in';
import { pushRoutes } from './push';
import { notificationRoutes } from './notifications';
import { smartConnectRoutes } from './smart-connect';
import { healthReportRoutes } from './health';

export const handler = createHttpHandler('installation', {
  ...checkInRoutes,
  ...pushRoutes,
  ...notificationRoutes,
  ...smartConnectRoutes,
  ...healthReportRoutes,
});
