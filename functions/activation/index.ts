import { createHttpHandler } from '../../shared/http/handler';
import { activationRoutes } from './activations';

export const handler = createHttpHandler('activation', {
  ...activationRoutes,
});
