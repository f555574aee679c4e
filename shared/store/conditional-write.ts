import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { store } from './client';

type ConditionalWrite = PutCommand | UpdateCommand | DeleteCommand;

/**
 * Sends a write that carries a ConditionExpression: true when it was written, false when its
 * condition did not hold. Any other failure is thrown as it came.
 */
export async function writeIf(command: ConditionalWrite): Promise<boolean> {
  return (await writeIfOrStored(command)).written;
}

/**
 * As `writeIf`, and when the condition did not hold, the item as stored (the command asks for it
 * with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`; undefined when there is none).
 */
export async function writeIfOrStored(
  command: ConditionalWrite,
): Promise<{ written: true } | { written: false; stored: Record<string, unknown> | undefined }> {
  try {
    await store().client.send(command as PutCommand);
    return { written: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return { written: false, stored: error.Item ? unmarshall(error.Item) : undefined };
  }
}
