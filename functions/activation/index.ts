import { createHttpHandler } from '../../shared/http/handler';
import { activationRoutes } from './activations';
import { offlineActivationRoutes } from './offline';

export const handler = createHttpHandler('activation', {
  ...activationRoutes,
  ...offlineActivationRoutes,
});
