import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { DEVICE_PREFIX, keys } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import type { DeviceRecord } from './records';

/** Every device ever registered under an SLC (`LICENSE#<slc>` / `DEVICE#<mac>`), in MAC order. */
export async function listLicenseDevices(slc: string, limit: number, cursor?: string): Promise<Page<DeviceRecord>> {
  const { client, tableName } = store();
  const scope = `license-devices:${slc}`;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.license(slc).pk, ':prefix': DEVICE_PREFIX },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(scope, cursor),
    }),
  );
  return { items: (result.Items ?? []) as DeviceRecord[], nextCursor: encodeCursor(scope, result.LastEvaluatedKey) };
}
