import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { CATALOG_VERSION_PREFIX, keys } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import type { CatalogVersionRecord } from './records';

const recordOf = (item: Record<string, unknown>): CatalogVersionRecord => ({
  version: item.version as string,
  generalAvailability: item.generalAvailability as string,
  activationAvailableUntil: item.activationAvailableUntil as string,
  updatedAt: item.updatedAt as string,
});

/** Creates or replaces a catalog version. */
export async function putCatalogVersion(entry: CatalogVersionRecord): Promise<void> {
  const { client, tableName } = store();
  await client.send(new PutCommand({ TableName: tableName, Item: { ...keys.catalogVersion(entry.version), type: 'catalog_version', ...entry } }));
}

export async function getCatalogVersion(version: string): Promise<CatalogVersionRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.catalogVersion(version), ConsistentRead: true }));
  return Item ? recordOf(Item) : undefined;
}

/**
 * Catalog versions in version order. Sort keys are `VERSION#YYYY R<n>`: four-digit years and one
 * release digit make string order the contract's version order (year, then release).
 */
export async function listCatalogVersions(limit: number, cursor?: string): Promise<Page<CatalogVersionRecord>> {
  const { client, tableName } = store();
  const scope = 'catalog-versions';
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.catalogVersion('').pk, ':prefix': CATALOG_VERSION_PREFIX },
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
    }),
  );
  return { items: (result.Items ?? []).map(recordOf), nextCursor: await encodeCursor(scope, result.LastEvaluatedKey) };
}
