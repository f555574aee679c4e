import { validationFailed } from '../../shared/http/validation';
import type { RouteImplementation } from '../../shared/http/types';
import { runCarePlusReminders } from '../../shared/use-cases/care-plus-reminders';

/** §12: runs the daily Care Plus reminder job now. */
export const jobRoutes = {
  'POST /v1/jobs/care-plus-reminders': (async (request) => {
    if (request.rawBody.length > 0) throw validationFailed([{ path: '', message: 'this route takes no body' }]);
    return { status: 200, body: await runCarePlusReminders() };
  }) satisfies RouteImplementation,
};
