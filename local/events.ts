import { join } from 'node:path';
import { eventBridgeBus, type PublishedEvent } from '../shared/adapters/event-bus';
import { runCarePlusReminders } from '../shared/use-cases/care-plus-reminders';
import { attemptDueDeliveries, fanOutEvent } from '../shared/use-cases/webhooks';
import { startLocalEventBridge, type LocalEventBridge } from './eventbridge';
import { fileCheckpoint, memoryCheckpoint, startStreamPublisher, type StreamPublisher } from './stream-publisher';

export const LOCAL_EVENT_BUS_NAME = 'cloud-licensing-local';

export interface LocalEvents {
  bus: LocalEventBridge;
  publisher: StreamPublisher;
  stop(): Promise<void>;
}

/** How often the local sweep looks for webhook deliveries whose retry is due. */
const SWEEP_MS = 1000;
/** The Care Plus reminder job: daily (CARE_PLUS_REMINDERS_INTERVAL_MS overrides), first a minute after start. */
const REMINDERS_FIRST_MS = 60_000;
const remindersIntervalMs = () => Number(process.env.CARE_PLUS_REMINDERS_INTERVAL_MS) || 86_400_000;

/**
 * What carries events out of the cell under `npm start`: the EventBridge stand-in, the stream
 * publisher reading DynamoDB Local's stream of the table into it (checkpointed in the data
 * directory), the bus's one target (the webhook fan-out, as the rule and queue are in AWS), the
 * sweep that makes the webhook retries when they are due, and the daily Care Plus reminder timer
 * (EventBridge Scheduler in AWS).
 */
export async function startLocalEvents(options: { dynamodbEndpoint: string; tableName: string; dataDir: string | undefined }): Promise<LocalEvents> {
  const bus = await startLocalEventBridge();
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  process.env.EVENT_BUS_NAME = LOCAL_EVENT_BUS_NAME;
  // The stand-in does not check signatures; the client signs with these.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.WEBHOOK_URL_POLICY ??= 'local';
  bus.subscribe(async (event) => void (await fanOutEvent(event.detail as unknown as PublishedEvent)));
  // Sweeps may overlap (a slow endpoint takes up to 10 s): each attempt is claimed by one of them.
  const sweeps = new Set<Promise<void>>();
  const sweep = setInterval(() => {
    const run = attemptDueDeliveries()
      .then(() => undefined)
      .catch((error: unknown) => console.error(`webhook retries: ${(error as Error).message}`))
      .finally(() => sweeps.delete(run));
    sweeps.add(run);
  }, SWEEP_MS);
  const publisher = startStreamPublisher({
    endpoint: options.dynamodbEndpoint,
    tableName: options.tableName,
    bus: eventBridgeBus({ busName: LOCAL_EVENT_BUS_NAME }),
    checkpoint: options.dataDir ? fileCheckpoint(join(options.dataDir, 'event-publisher.json')) : memoryCheckpoint(),
  });
  const remindLater = (delayMs: number): NodeJS.Timeout =>
    setTimeout(() => {
      runCarePlusReminders()
        .catch((error: unknown) => console.error(`care plus reminders: ${(error as Error).message}`))
        .finally(() => {
          if (!stopped) reminders = remindLater(remindersIntervalMs());
        });
    }, delayMs).unref();
  let stopped = false;
  let reminders = remindLater(REMINDERS_FIRST_MS);
  return {
    bus,
    publisher,
    stop: async () => {
      stopped = true;
      clearTimeout(reminders);
      clearInterval(sweep);
      await publisher.stop();
      await bus.stop();
      await Promise.all(sweeps);
    },
  };
}
