import { createHttpHandler } from '../../shared/http/handler';
import { partnerRoutes } from './partners';

export const handler = createHttpHandler('ops', {
  ...partnerRoutes,
});
