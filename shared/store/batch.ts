import { BatchGetCommand, BatchWriteCommand, type BatchGetCommandOutput, type BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import { serviceUnavailable } from '../errors';
import { retryWithBackoff, RETRY, RETRY_NOW } from '../retry';
import { store } from './client';

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Runs tasks with at most `limit` in flight; rejects with the first failure after all settle. */
export async function inParallel<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
  return results;
}

/** Keys per BatchGetItem request (DynamoDB's limit). */
const KEYS_PER_BATCH_GET = 100;
const PARALLEL_BATCH_REQUESTS = 8;

/**
 * The items of the keys (absent ones are missing from the answer), 100 keys per BatchGetItem, up to
 * eight requests at a time. Keys left over because an answer reached its size limit are asked for
 * again at once; keys DynamoDB did not process (throttling) after a pause. Strongly consistent
 * unless asked otherwise.
 */
export async function batchGet(itemKeys: ReadonlyArray<{ pk: string; sk: string }>, options: { consistent: boolean } = { consistent: true }): Promise<Array<Record<string, unknown>>> {
  const { client, tableName } = store();
  const found: Array<Record<string, unknown>> = [];
  await inParallel(chunk(itemKeys, KEYS_PER_BATCH_GET), PARALLEL_BATCH_REQUESTS, async (part) => {
    let pending: Array<Record<string, unknown>> = part.map(({ pk, sk }) => ({ pk, sk }));
    await retryWithBackoff({ attempts: 10, baseMs: 25, capMs: 1000, exhausted: () => serviceUnavailable('The license is busy; try again shortly.') }, async () => {
      const result: BatchGetCommandOutput = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent } } }));
      found.push(...(result.Responses?.[tableName] ?? []));
      const left = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (left.length === 0) return undefined;
      const throttled = left.length === pending.length;
      pending = left;
      return throttled ? RETRY : RETRY_NOW;
    });
  });
  return found;
}

const ITEMS_PER_BATCH_WRITE = 25;

/**
 * Puts the items, 25 per BatchWriteItem, up to eight requests at a time; items DynamoDB did not
 * process (throttling) are sent again after a pause. Unconditional: for items no one else writes.
 */
export async function batchPut(items: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const { client, tableName } = store();
  await inParallel(chunk(items, ITEMS_PER_BATCH_WRITE), PARALLEL_BATCH_REQUESTS, async (part) => {
    let pending: unknown[] = part.map((Item) => ({ PutRequest: { Item } }));
    await retryWithBackoff({ attempts: 10, baseMs: 25, capMs: 1000, exhausted: () => serviceUnavailable('The table is busy; try again shortly.') }, async () => {
      const result: BatchWriteCommandOutput = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
      pending = result.UnprocessedItems?.[tableName] ?? [];
      return pending.length === 0 ? undefined : RETRY;
    });
  });
}
