import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { CATALOG_VERSION_PREFIX, keys } from './keys';
import type { Page } from './pagination';
import { queryPage } from './query';
import type { CatalogVersionRecord } from './records';
import { eulaCatalogKeys, eulaCatalogStateOf, type EulaCatalogState } from './eulas';

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
  return queryPage(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.catalogVersion('').pk, ':prefix': CATALOG_VERSION_PREFIX },
    },
    { scope: 'catalog-versions', limit, cursor },
    recordOf,
  );
}

/** What an activation reads of the catalogs: the window of the license's version and the EULA catalog's state for the version the request accepted. */
export interface ActivationCatalog {
  version: CatalogVersionRecord | undefined;
  eula: EulaCatalogState;
}

/** The keys of an activation's catalog read (store/eulas.ts for the EULA's), to read alone or beside other items. */
export const activationCatalogKeys = (version: string, eulaVersion: string) => [keys.catalogVersion(version), ...eulaCatalogKeys(eulaVersion)];

/** The activation's catalog from the items its keys found. */
export function activationCatalogOf(version: string, eulaVersion: string, items: readonly Record<string, unknown>[]): ActivationCatalog {
  const entry = items.find((item) => item.pk === keys.catalogVersion(version).pk && item.sk === keys.catalogVersion(version).sk);
  return { version: entry ? recordOf(entry) : undefined, eula: eulaCatalogStateOf(eulaVersion, items) };
}

/** The catalog entries of several versions by version (at most 100 distinct versions; absent ones are missing). */
export async function getCatalogVersions(versions: Iterable<string>): Promise<Map<string, CatalogVersionRecord>> {
  const { client, tableName } = store();
  const found = new Map<string, CatalogVersionRecord>();
  let pending: Record<string, unknown>[] | undefined = [...new Set(versions)].map((version) => keys.catalogVersion(version));
  while (pending && pending.length > 0) {
    const result = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
    for (const item of result.Responses?.[tableName] ?? []) found.set(item.version as string, recordOf(item));
    pending = result.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined;
  }
  return found;
}
