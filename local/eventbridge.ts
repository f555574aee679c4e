import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An event as the local bus received it, in the shape an EventBridge rule hands to its target. */
export interface LocalBusEvent {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  resources: string[];
  detail: Record<string, unknown>;
  eventBusName: string;
}

export interface LocalEventBridge {
  /** The endpoint to set as AWS_ENDPOINT_URL_EVENTBRIDGE. */
  endpoint: string;
  /** Every event put, in the order received (the latest `capacity`). */
  readonly events: LocalBusEvent[];
  /** A target of every event (the local stand-in of a rule): called after the put is answered, in order. */
  subscribe(listener: (event: LocalBusEvent) => Promise<void> | void): void;
  stop(): Promise<void>;
}

const MAX_ENTRIES = 10;
const MAX_DETAIL_BYTES = 256 * 1024;

function answer(response: import('node:http').ServerResponse, status: number, body: unknown, errorType?: string): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
  response.end(JSON.stringify(body));
}

/**
 * A stand-in for Amazon EventBridge on one machine: PutEvents over HTTP (AWS JSON 1.1,
 * `X-Amz-Target: AWSEvents.PutEvents`), the entries checked as EventBridge checks them (at most 10,
 * Source, DetailType and a JSON object Detail of at most 256 KB), each accepted one answered with
 * an EventId and handed to the subscribed targets in order. Signatures are not verified.
 */
export async function startLocalEventBridge(options: { port?: number; capacity?: number } = {}): Promise<LocalEventBridge> {
  const capacity = options.capacity ?? 10_000;
  const events: LocalBusEvent[] = [];
  const listeners: Array<(event: LocalBusEvent) => Promise<void> | void> = [];
  // Targets see events one at a time, in the order the bus accepted them.
  let delivery = Promise.resolve();

  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      return answer(response, 400, { __type: 'UnknownOperationException', message: `${target || 'no operation'} is not supported here` }, 'UnknownOperationException');
    }
    let input: { Entries?: Array<Record<string, unknown>> };
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(response, 400, { __type: 'SerializationException', message: 'the body is not JSON' }, 'SerializationException');
    }
    const entries = Array.isArray(input.Entries) ? input.Entries : [];
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      return answer(response, 400, { __type: 'ValidationException', message: 'Entries must hold 1 to 10 entries' }, 'ValidationException');
    }
    const accepted: LocalBusEvent[] = [];
    const results = entries.map((entry) => {
      const detailText = typeof entry.Detail === 'string' ? entry.Detail : '';
      let detail: unknown;
      try {
        detail = JSON.parse(detailText);
      } catch {
        detail = undefined;
      }
      if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || !detail || typeof detail !== 'object' || Array.isArray(detail)) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and a JSON object Detail are required' };
      }
      if (Buffer.byteLength(detailText) > MAX_DETAIL_BYTES) return { ErrorCode: 'EntrySizeTooBig', ErrorMessage: 'the entry is larger than 256 KB' };
      const event: LocalBusEvent = {
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        time: new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : Date.now()).toISOString(),
        resources: Array.isArray(entry.Resources) ? (entry.Resources as string[]) : [],
        detail: detail as Record<string, unknown>,
        eventBusName: typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default',
      };
      accepted.push(event);
      return { EventId: event.id };
    });
    events.push(...accepted);
    if (events.length > capacity) events.splice(0, events.length - capacity);
    answer(response, 200, { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results });
    for (const event of accepted) {
      delivery = delivery.then(async () => {
        for (const listener of listeners) {
          try {
            await listener(event);
          } catch (error) {
            console.error(`local EventBridge: a target failed for event ${event.id}: ${(error as Error).message}`);
          }
        }
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    events,
    subscribe: (listener) => void listeners.push(listener),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await delivery;
    },
  };
}
