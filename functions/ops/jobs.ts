import type { RouteImplementation } from '../../shared/http/types';
import { runCarePlusReminders } from '../../shared/use-cases/care-plus-reminders';

/** §12: runs the daily Care Plus reminder job now (the route takes no body). */
export const jobRoutes = {
  'POST /v1/jobs/care-plus-reminders': (async () => ({ status: 200, body: await runCarePlusReminders() })) satisfies RouteImplementation,
};
