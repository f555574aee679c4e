import { awsJsonService, type AwsJsonCall } from './aws-json';

/** The source of every event the cell puts on its bus (EventBridge rules match on it). */
export const EVENT_SOURCE = 'cloud-licensing';

/** An audit event as the bus carries it: `detail-type` is the event type, `detail` the event with its SLC. */
export interface BusEvent {
  detailType: string;
  detail: PublishedEvent;
  time: string;
}

/** The detail of a published event: what GET …/events lists, with the license it belongs to. */
export interface PublishedEvent {
  slc: string;
  eventId: string;
  at: string;
  type: string;
  actor: string;
  sourceIp: string;
  details: Record<string, unknown>;
}

/** The answer for one entry of a put: accepted, or refused with the bus's error code. */
export type PutOutcome = { ok: true } | { ok: false; errorCode: string };

/** The EventBus port: puts up to 10 events in one call, one outcome per event in the order given. */
export interface EventBus {
  put(events: BusEvent[]): Promise<PutOutcome[]>;
}

export const MAX_EVENTS_PER_PUT = 10;

/**
 * EventBridge PutEvents (AWS JSON 1.1, signed) to the bus named by EVENT_BUS_NAME. The endpoint is the
 * region's, or AWS_ENDPOINT_URL_EVENTBRIDGE (the local stand-in under `npm start`).
 */
export function eventBridgeBus(options: { busName: string; client?: AwsJsonCall }): EventBus {
  let client = options.client;
  return {
    async put(events) {
      client ??= awsJsonService({ service: 'events', targetPrefix: 'AWSEvents', endpointEnv: 'AWS_ENDPOINT_URL_EVENTBRIDGE' });
      const answer = await client('PutEvents', {
        Entries: events.map((event) => ({
          EventBusName: options.busName,
          Source: EVENT_SOURCE,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
          Time: Math.floor(Date.parse(event.time) / 1000),
          Resources: [],
        })),
      });
      const entries = Array.isArray(answer.Entries) ? (answer.Entries as Array<Record<string, unknown>>) : [];
      return events.map((_, index) => {
        const entry = entries[index];
        if (entry && typeof entry.EventId === 'string' && !entry.ErrorCode) return { ok: true };
        return { ok: false, errorCode: typeof entry?.ErrorCode === 'string' ? entry.ErrorCode : 'NoAnswer' };
      });
    },
  };
}

let current: EventBus | undefined;

/** The cell's bus, created on first use from EVENT_BUS_NAME. */
export function eventBus(): EventBus {
  if (!current) {
    const busName = process.env.EVENT_BUS_NAME;
    if (!busName) throw new Error('EVENT_BUS_NAME is not set');
    current = eventBridgeBus({ busName });
  }
  return current;
}

export function setEventBus(replacement: EventBus | undefined): void {
  current = replacement;
}
