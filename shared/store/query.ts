import { QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { store } from './client';

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
