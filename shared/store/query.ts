import { QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { decodeCursor, encodeCursor, type Page } from './pagination';

/** Every item a query matches, following LastEvaluatedKey through all pages. */
export async function queryAll<T = Record<string, unknown>>(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<T[]> {
  const { client, tableName } = store();
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await client.send(new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as T[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * One page of a query for a list route: at most `limit` items from where `cursor` left off, and the
 * cursor of the next page (bound to `scope`, the list it belongs to), null after the last.
 */
export async function queryPage<T = Record<string, unknown>>(
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>,
  page: { scope: string; limit: number; cursor: string | undefined },
  toRecord: (item: Record<string, unknown>) => T = (item) => item as T,
): Promise<Page<T>> {
  const { client, tableName } = store();
  const result: QueryCommandOutput = await client.send(
    new QueryCommand({ ...input, TableName: tableName, Limit: page.limit, ExclusiveStartKey: await decodeCursor(page.scope, page.cursor) }),
  );
  return { items: (result.Items ?? []).map(toRecord), nextCursor: await encodeCursor(page.scope, result.LastEvaluatedKey) };
}
