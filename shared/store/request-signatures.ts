import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';

export type SignatureOutcome = 'first_use' | 'replayed';

/**
 * Records that a request signature was accepted, once across every instance of the service: one
 * conditional PutItem (`attribute_not_exists`), kept by the table's TTL until `expiresAt`. A put
 * the SDK retried after its first attempt had committed (the answer was lost) finds its own item,
 * recognised by the random `acceptedBy` of this call, and is not a replay.
 */
export async function recordAcceptedSignature(installationId: string, signature: string, expiresAt: number): Promise<SignatureOutcome> {
  const { client, tableName } = store();
  const acceptedBy = randomUUID();
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.acceptedSignature(installationId, signature), type: 'accepted_signature', acceptedBy, expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'first_use';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return error.Item?.acceptedBy?.S === acceptedBy ? 'first_use' : 'replayed';
  }
}
