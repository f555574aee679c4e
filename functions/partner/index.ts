import { createHttpHandler } from '../../shared/http/handler';
import { partnerCustomerRoutes } from './customers';
import { partnerHealthRoutes } from './health';

export const handler = createHttpHandler('partner', {
  ...partnerCustomerRoutes,
  ...partnerHealthRoutes,
});
