import { join } from 'node:path';
import { eventBridgeBus } from '../shared/adapters/event-bus';
import { startLocalEventBridge, type LocalEventBridge } from './eventbridge';
import { fileCheckpoint, memoryCheckpoint, startStreamPublisher, type StreamPublisher } from './stream-publisher';

export const LOCAL_EVENT_BUS_NAME = 'cloud-licensing-local';

export interface LocalEvents {
  bus: LocalEventBridge;
  publisher: StreamPublisher;
  stop(): Promise<void>;
}

/**
 * What carries events out of the cell under `npm start`: the EventBridge stand-in, and the stream
 * publisher reading DynamoDB Local's stream of the table into it, checkpointed in the data directory.
 */
export async function startLocalEvents(options: { dynamodbEndpoint: string; tableName: string; dataDir: string | undefined }): Promise<LocalEvents> {
  const bus = await startLocalEventBridge();
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  process.env.EVENT_BUS_NAME = LOCAL_EVENT_BUS_NAME;
  // The stand-in does not check signatures; the client signs with these.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  const publisher = startStreamPublisher({
    endpoint: options.dynamodbEndpoint,
    tableName: options.tableName,
    bus: eventBridgeBus({ busName: LOCAL_EVENT_BUS_NAME }),
    checkpoint: options.dataDir ? fileCheckpoint(join(options.dataDir, 'event-publisher.json')) : memoryCheckpoint(),
  });
  return {
    bus,
    publisher,
    stop: async () => {
      await publisher.stop();
      await bus.stop();
    },
  };
}
