import { createHttpHandler } from '../../shared/http/handler';
import { partnerCustomerRoutes } from './customers';

export const handler = createHttpHandler('partner', {
  ...partnerCustomerRoutes,
});
