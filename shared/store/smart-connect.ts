import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';
import type { SmartConnectRecord } from './records';

export async function putSmartConnect(record: SmartConnectRecord): Promise<void> {
  const { client, tableName } = store();
  await client.send(new PutCommand({ TableName: tableName, Item: { ...keys.smartConnect(record.installationId), type: 'smart_connect', ...record } }));
}

export async function getSmartConnect(installationId: string): Promise<SmartConnectRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.smartConnect(installationId), ConsistentRead: true }));
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, type: _type, ...record } = Item;
  return record as SmartConnectRecord;
}
