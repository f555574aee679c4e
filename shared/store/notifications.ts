import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';
import type { NotificationDelivery, NotificationRecord } from './records';
import { writeIf } from './conditional-write';

export async function putNotification(record: NotificationRecord): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.notification(record.notificationId), type: 'notification', ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function recordDeliveries(notificationId: string, deliveries: NotificationDelivery[]): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.notification(notificationId),
      UpdateExpression: 'SET deliveries = :deliveries',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':deliveries': deliveries },
    }),
  );
}

export async function getNotification(notificationId: string): Promise<NotificationRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: keys.notification(notificationId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, type: _type, ...record } = Item;
  return record as NotificationRecord;
}

/**
 * Counts one notification against a mobile server's window: a single conditional UpdateItem that
 * increments the counter only while it is below `limit` (never read-then-write). False when the
 * window is full; a refused attempt changes nothing.
 */
export async function takeNotificationQuota(
  installationId: string,
  mobileServerGuid: string,
  window: { windowStart: number; expiresAt: number },
  limit: number,
): Promise<boolean> {
  const { tableName } = store();
  return writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.notificationRate(installationId, mobileServerGuid, window.windowStart),
      UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, expiresAt = :expiresAt, #type = :type',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
      ExpressionAttributeNames: { '#count': 'count', '#type': 'type' },
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':limit': limit, ':expiresAt': window.expiresAt, ':type': 'notification_rate' },
    }),
  );
}
