import { metrics } from '../../shared/adapters/observability';
import { runCarePlusReminders } from '../../shared/use-cases/care-plus-reminders';

/** The daily Care Plus reminder job, invoked by EventBridge Scheduler. */
export const handler = async (): Promise<{ licenses: number; reminders: number }> => {
  const run = await runCarePlusReminders();
  metrics.publishStoredMetrics();
  return run;
};
