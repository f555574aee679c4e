import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byOwner } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import type { InstallationRecord } from './records';
import { installationOf } from './installations';

/**
 * A page of the installations of an SLC (gsi1), oldest first, retired ones included. An
 * installation whose first activation is still being written (on the unfinished list, gsi2) is left
 * out; one whose first activation was cut short and has been settled is listed, with
 * `lastActivation: null`, so that ops can release it should its client never repeat the activation.
 * A filtered page may hold fewer than `limit` items while `nextCursor` is not null.
 */
export async function listInstallationsPage(slc: string, limit: number, cursor?: string): Promise<Page<InstallationRecord>> {
  const { client, tableName } = store();
  const scope = `license-installations:${slc}`;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      FilterExpression: 'NOT (#status = :active AND lastActivation = :null AND attribute_exists(gsi2pk))',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': byOwner.licenseInstallations(slc), ':active': 'active', ':null': null },
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
    }),
  );
  return { items: (result.Items ?? []).map(installationOf), nextCursor: await encodeCursor(scope, result.LastEvaluatedKey) };
}
