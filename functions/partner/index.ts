import { createHttpHandler } from '../../shared/http/handler';
import { partnerCustomerRoutes } from './customers';
import { partnerInstallationRoutes } from './installations';
import { partnerHealthRoutes } from './health';
import { partnerUserRoutes } from './users';
import { partnerWebhookRoutes } from './webhooks';

export const handler = createHttpHandler('partner', {
  ...partnerCustomerRoutes,
  ...partnerInstallationRoutes,
  ...partnerHealthRoutes,
  ...partnerUserRoutes,
  ...partnerWebhookRoutes,
});
