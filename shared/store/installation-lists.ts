import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byOwner } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import type { InstallationRecord } from './records';

/**
 * A page of the installations of an SLC (gsi1), oldest first, retired ones included. An
 * installation whose first activation has not been recorded yet (it is being created, or its
 * creation was cut short and is taken back) is not an installation anyone could use, and is left
 * out; a filtered page may hold fewer than `limit` items while `nextCursor` is not null.
 */
export async function listInstallationsPage(slc: string, limit: number, cursor?: string): Promise<Page<InstallationRecord>> {
  const { client, tableName } = store();
  const scope = `license-installations:${slc}`;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      FilterExpression: 'NOT (#status = :active AND lastActivation = :null)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': byOwner.licenseInstallations(slc), ':active': 'active', ':null': null },
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
    }),
  );
  return { items: (result.Items ?? []) as InstallationRecord[], nextCursor: await encodeCursor(scope, result.LastEvaluatedKey) };
}
