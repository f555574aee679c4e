import { createHttpHandler } from '../../shared/http/handler';
import { partnerRoutes } from './partners';
import { installationRoutes } from './installations';
import { customerRoutes } from './customers';
import { catalogRoutes } from './catalog';
import { licenseRoutes } from './licenses';
import { personalDataRoutes } from './personal-data';
import { userRoutes } from './users';
import { jobRoutes } from './jobs';

export const handler = createHttpHandler('ops', {
  ...partnerRoutes,
  ...installationRoutes,
  ...customerRoutes,
  ...catalogRoutes,
  ...licenseRoutes,
  ...personalDataRoutes,
  ...userRoutes,
  ...jobRoutes,
});
