import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { EulaEntry, EulaStatus } from '../domain/eula-catalog';
import { store } from './client';
import { EULA_PREFIX, keys } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';

/**
 * The EULA catalog: one item per version (`CATALOG` / `EULA#<version>`) and one that names the
 * current version (`CATALOG` / `EULACURRENT`). Every change is a transaction conditioned on the
 * current version as read, so two changes never leave two current versions.
 */
export interface EulaCatalogState {
  /** The current version; undefined while the catalog has no EULA entry. */
  current: string | undefined;
  /** The entry of the version asked about, if it has one. */
  entry: EulaEntry | undefined;
}

type Item = Record<string, unknown>;
const entryOf = (item: Item): EulaEntry => ({ eulaVersion: item.eulaVersion as string, status: item.status as EulaStatus });

/** The keys that readEulaCatalog reads, for callers that join them into a BatchGet of their own. */
export const eulaCatalogKeys = (version: string) => [keys.eulaCurrent(), keys.eula(version)];

/** The state from the items of eulaCatalogKeys (absent items simply missing from `items`). */
export function eulaCatalogStateOf(version: string, items: readonly Item[]): EulaCatalogState {
  const pointer = items.find((item) => item.sk === keys.eulaCurrent().sk);
  const entry = items.find((item) => item.sk === keys.eula(version).sk);
  return { current: pointer ? (pointer.eulaVersion as string) : undefined, entry: entry ? entryOf(entry) : undefined };
}

/** The current version and the entry of `version`, in one consistent read. */
export async function readEulaCatalog(version: string): Promise<EulaCatalogState> {
  const { client, tableName } = store();
  let pending: Item[] | undefined = eulaCatalogKeys(version);
  const items: Item[] = [];
  while (pending && pending.length > 0) {
    const result = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
    items.push(...(result.Responses?.[tableName] ?? []));
    pending = result.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined;
  }
  return eulaCatalogStateOf(version, items);
}

export type EulaWriteOutcome = 'written' | 'conflict';

async function transact(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<EulaWriteOutcome> {
  const { client } = store();
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items }));
    return 'written';
  } catch (error) {
    if (error instanceof TransactionCanceledException) return 'conflict';
    throw error;
  }
}

const entryItem = (entry: EulaEntry, at: string): Item => ({ ...keys.eula(entry.eulaVersion), type: 'eula', ...entry, updatedAt: at });

/**
 * Writes one version's status while `current` is still the current version; a version that becomes
 * current also turns the previous one into `accepted`. With `seeded: false` the catalog has no EULA
 * entry yet: `current` (the `EULA_VERSION` setting) is entered in the same transaction, so that a
 * refused change writes nothing at all.
 */
export async function writeEulaStatus(entry: EulaEntry, current: { version: string; seeded: boolean }, at: string): Promise<EulaWriteOutcome> {
  const { tableName } = store();
  const becomesCurrent = entry.status === 'current';
  const previous = { TableName: tableName, Item: entryItem({ eulaVersion: current.version, status: becomesCurrent ? 'accepted' : 'current' }, at) };
  if (!current.seeded) {
    return transact([
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.eulaCurrent(), type: 'eula_current', eulaVersion: becomesCurrent ? entry.eulaVersion : current.version, updatedAt: at },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: previous },
      { Put: { TableName: tableName, Item: entryItem(entry, at) } },
    ]);
  }
  const pointerCondition = { ConditionExpression: 'eulaVersion = :expected', ExpressionAttributeValues: { ':expected': current.version } };
  if (!becomesCurrent) {
    return transact([
      { ConditionCheck: { TableName: tableName, Key: keys.eulaCurrent(), ...pointerCondition } },
      { Put: { TableName: tableName, Item: entryItem(entry, at) } },
    ]);
  }
  return transact([
    {
      Update: {
        TableName: tableName,
        Key: keys.eulaCurrent(),
        UpdateExpression: 'SET eulaVersion = :new, updatedAt = :at',
        ConditionExpression: pointerCondition.ConditionExpression,
        ExpressionAttributeValues: { ...pointerCondition.ExpressionAttributeValues, ':new': entry.eulaVersion, ':at': at },
      },
    },
    { Put: { TableName: tableName, Item: entryItem(entry, at) } },
    { Put: previous },
  ]);
}

/** EULA versions in string order (EULA versions are dates `YYYYMMDD`, so that is their order). */
export async function listEulas(limit: number, cursor?: string): Promise<Page<EulaEntry>> {
  const { client, tableName } = store();
  const scope = 'catalog-eulas';
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.eulaCurrent().pk, ':prefix': EULA_PREFIX },
      ConsistentRead: true,
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
    }),
  );
  return { items: (result.Items ?? []).map(entryOf), nextCursor: await encodeCursor(scope, result.LastEvaluatedKey) };
}
