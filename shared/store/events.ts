import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { store } from './client';
import { EVENT_PREFIX, keys } from './keys';
import type { Page } from './pagination';
import { queryPage } from './query';

export type AuditEventType =
  | 'license.created'
  | 'license.updated'
  | 'license.upgraded'
  | 'care_plus.updated'
  | 'care_plus.expiring'
  | 'care_plus.expired'
  | 'usage.threshold_reached'
  | 'license.revoked'
  | 'license.transferred'
  | 'activation.completed'
  | 'installation.released'
  | 'installation.credentials_reset';

export interface AuditEvent {
  /** Unique and stable: the event's sort key carries it, the stream and the webhooks use it as the event's id. */
  eventId?: string;
  at: string;
  type: AuditEventType;
  actor: string;
  sourceIp: string;
  details: Record<string, unknown>;
}

/** An audit event as listed and published: its id always set. */
export type RecordedEvent = AuditEvent & { eventId: string };

/**
 * The item of one audit event, to put alone or inside the transaction that makes the change. Its
 * `type` is `event`: the stream publisher picks these items (and only these) out of the table's stream.
 */
export function auditEventItem(slc: string, event: AuditEvent, sequence = 0): Record<string, unknown> {
  const eventId = event.eventId ?? randomUUID();
  return { ...keys.event(slc, event.at, sequence, eventId), type: 'event', slc, event: { eventId, ...event } };
}

/** The event of a stored event item; items written before events had an id take it from their sort key. */
export function eventOfItem(item: Record<string, unknown>): RecordedEvent {
  const event = item.event as AuditEvent;
  return { eventId: event.eventId ?? String(item.sk).split('#').pop()!, ...event };
}

export async function listEvents(slc: string, limit: number, cursor?: string): Promise<Page<RecordedEvent>> {
  return queryPage(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.license(slc).pk, ':prefix': EVENT_PREFIX },
      ScanIndexForward: false,
    },
    { scope: `events:${slc}`, limit, cursor },
    eventOfItem,
  );
}

/** The first `license.transferred` event recorded after `at` (strictly later), if any. */
export async function firstTransferAfter(slc: string, at: string): Promise<RecordedEvent | undefined> {
  const { client, tableName } = store();
  let start: Record<string, unknown> | undefined;
  do {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        // `~` sorts after every sequence digit: the range starts after every event at `at` itself.
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :after AND :end',
        FilterExpression: '#event.#type = :transferred',
        ExpressionAttributeNames: { '#event': 'event', '#type': 'type' },
        ExpressionAttributeValues: { ':pk': keys.license(slc).pk, ':after': `${EVENT_PREFIX}${at}#~`, ':end': `${EVENT_PREFIX}~`, ':transferred': 'license.transferred' },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    const found = result.Items?.[0];
    if (found) return eventOfItem(found);
    start = result.LastEvaluatedKey;
  } while (start);
  return undefined;
}

/** One record of the table's stream, as Lambda delivers it and as DynamoDB Streams GetRecords returns it. */
export interface StreamRecord {
  eventName?: string;
  dynamodb?: {
    SequenceNumber?: string;
    NewImage?: Record<string, AttributeValue>;
  };
}

type Attribute = Record<string, unknown>;

/**
 * The DynamoDB Streams client reads an empty map attribute (`{"M": {}}`) as `{}`: such a value is an
 * empty map again, at any depth, before the image is unmarshalled.
 */
function withEmptyMaps(value: Attribute): Attribute {
  if (Object.keys(value).length === 0) return { M: {} };
  if (value.M && typeof value.M === 'object') {
    return { M: Object.fromEntries(Object.entries(value.M as Record<string, Attribute>).map(([key, inner]) => [key, withEmptyMaps(inner)])) };
  }
  if (Array.isArray(value.L)) return { L: (value.L as Attribute[]).map(withEmptyMaps) };
  return value;
}

/** The event item a stream record inserted, unmarshalled; undefined for any other record. */
export function insertedEventItemOf(record: StreamRecord): Record<string, unknown> | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.type?.S !== 'event') return undefined;
  const repaired = Object.fromEntries(Object.entries(image).map(([key, value]) => [key, withEmptyMaps(value as unknown as Attribute)]));
  return unmarshall(repaired as unknown as Record<string, AttributeValue>) as Record<string, unknown>;
}
