import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { DELIVERY_PREFIX, WEBHOOK_PREFIX, webhookKeys } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import { writeIf } from './conditional-write';

/** A partner's webhook (item `PARTNER#<id>` / `WEBHOOK#<id>`). The signing secret is kept only sealed. */
export interface WebhookRecord {
  webhookId: string;
  partnerId: string;
  url: string;
  events: string[];
  /** The `whsec_…` secret, AES-GCM sealed under a key derived from the installation key. */
  sealedSecret: string;
  createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event to one webhook (item `WEBHOOK#<id>` / `DELIVERY#<eventId>`, TTL 30 days). */
export interface DeliveryRecord {
  webhookId: string;
  partnerId: string;
  eventId: string;
  eventType: string;
  /** The JSON body every attempt sends. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: string | null;
  /** Held by the worker making an attempt now (epoch ms), so that two workers never attempt at once. */
  claimedUntil?: number;
  createdAt: string;
  expiresAt: number;
}

const DELIVERY_RETENTION_SECONDS = 30 * 86_400;

export async function putWebhook(webhook: WebhookRecord): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...webhookKeys.webhook(webhook.partnerId, webhook.webhookId), type: 'webhook', ...webhook },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getWebhook(partnerId: string, webhookId: string): Promise<WebhookRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: webhookKeys.webhook(partnerId, webhookId), ConsistentRead: true }));
  return Item as WebhookRecord | undefined;
}

/** Removes a webhook; false when it did not exist. */
export async function deleteWebhook(partnerId: string, webhookId: string): Promise<boolean> {
  const { tableName } = store();
  return writeIf(new DeleteCommand({ TableName: tableName, Key: webhookKeys.webhook(partnerId, webhookId), ConditionExpression: 'attribute_exists(pk)' }));
}

export async function listWebhooks(partnerId: string, limit: number, cursor?: string): Promise<Page<WebhookRecord>> {
  const { client, tableName } = store();
  const scope = `webhooks:${partnerId}`;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': webhookKeys.webhook(partnerId, '').pk, ':prefix': WEBHOOK_PREFIX },
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
      ConsistentRead: true,
    }),
  );
  return { items: (result.Items ?? []) as WebhookRecord[], nextCursor: await encodeCursor(scope, result.LastEvaluatedKey) };
}

/** Every webhook of a partner (the fan-out of an event; a partner has a handful). */
export async function allWebhooks(partnerId: string): Promise<WebhookRecord[]> {
  const webhooks: WebhookRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await listWebhooks(partnerId, 100, cursor);
    webhooks.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return webhooks;
}

const dueKeys = (record: Pick<DeliveryRecord, 'nextAttemptAt' | 'webhookId' | 'eventId'>) => ({
  gsi1pk: webhookKeys.duePartition,
  gsi1sk: `${record.nextAttemptAt}#${record.webhookId}#${record.eventId}`,
});

/** Records a delivery once per webhook and event: false when it exists already (the event came again). */
export async function createDelivery(input: Omit<DeliveryRecord, 'status' | 'attempts' | 'lastStatusCode' | 'expiresAt'>): Promise<boolean> {
  const { tableName } = store();
  const record: DeliveryRecord = {
    ...input,
    status: 'pending',
    attempts: 0,
    lastStatusCode: null,
    expiresAt: Math.floor(Date.parse(input.createdAt) / 1000) + DELIVERY_RETENTION_SECONDS,
  };
  return writeIf(
    new PutCommand({
      TableName: tableName,
      Item: { ...webhookKeys.delivery(input.webhookId, input.eventId), type: 'webhook_delivery', ...record, ...dueKeys(record) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getDelivery(webhookId: string, eventId: string): Promise<DeliveryRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: webhookKeys.delivery(webhookId, eventId), ConsistentRead: true }));
  return Item as DeliveryRecord | undefined;
}

/**
 * Takes the right to make attempt number `attempts + 1` for `holdMs`: only while the delivery is
 * pending, due, has had exactly `attempts` attempts and nobody else holds it. False when another
 * worker has it (or has made that attempt already).
 */
export async function claimDelivery(record: DeliveryRecord, now: Date, holdMs: number): Promise<boolean> {
  const { tableName } = store();
  return writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: webhookKeys.delivery(record.webhookId, record.eventId),
      UpdateExpression: 'SET claimedUntil = :until',
      ConditionExpression: '#status = :pending AND attempts = :attempts AND nextAttemptAt <= :now AND (attribute_not_exists(claimedUntil) OR claimedUntil < :nowMs)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':until': now.getTime() + holdMs,
        ':pending': 'pending',
        ':attempts': record.attempts,
        ':now': now.toISOString(),
        ':nowMs': now.getTime(),
      },
    }),
  );
}

/** Records the outcome of the attempt the claim was for: delivered, failed for good, or pending until `nextAttemptAt`. */
export async function recordAttempt(
  record: DeliveryRecord,
  outcome: { status: DeliveryStatus; statusCode: number | null; nextAttemptAt: string | null },
): Promise<void> {
  const { client, tableName } = store();
  const pending = outcome.status === 'pending';
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: webhookKeys.delivery(record.webhookId, record.eventId),
      UpdateExpression:
        `SET #status = :status, attempts = :next, lastStatusCode = :code, nextAttemptAt = :at` +
        (pending ? ', gsi1pk = :duePk, gsi1sk = :dueSk REMOVE claimedUntil' : ' REMOVE claimedUntil, gsi1pk, gsi1sk'),
      ConditionExpression: 'attempts = :attempts',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':next': record.attempts + 1,
        ':code': outcome.statusCode,
        ':at': outcome.nextAttemptAt,
        ':attempts': record.attempts,
        ...(pending
          ? { ':duePk': webhookKeys.duePartition, ':dueSk': dueKeys({ ...record, nextAttemptAt: outcome.nextAttemptAt }).gsi1sk }
          : {}),
      },
    }),
  );
}

export async function listDeliveries(webhookId: string, limit: number, cursor?: string): Promise<Page<DeliveryRecord>> {
  const { client, tableName } = store();
  const scope = `deliveries:${webhookId}`;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': webhookKeys.delivery(webhookId, '').pk, ':prefix': DELIVERY_PREFIX },
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
      ConsistentRead: true,
    }),
  );
  return { items: (result.Items ?? []) as DeliveryRecord[], nextCursor: await encodeCursor(scope, result.LastEvaluatedKey) };
}

/** Pending deliveries due by `now`, oldest due first (gsi1; the sweep under npm start reads it). */
export async function dueDeliveries(now: Date, limit: number): Promise<DeliveryRecord[]> {
  const { client, tableName } = store();
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
      ExpressionAttributeValues: { ':pk': webhookKeys.duePartition, ':now': `${now.toISOString()}#~` },
      Limit: limit,
    }),
  );
  return (result.Items ?? []) as DeliveryRecord[];
}
