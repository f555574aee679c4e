import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';
import { writeIfOrStored } from './conditional-write';

export type SignatureOutcome = 'first_use' | 'replayed';

/**
 * Records that a request signature was accepted, once across every instance of the service: one
 * conditional PutItem (`attribute_not_exists`), kept by the table's TTL until `expiresAt`. A put
 * the SDK retried after its first attempt had committed (the answer was lost) finds its own item,
 * recognised by the random `acceptedBy` of this call, and is not a replay.
 */
export async function recordAcceptedSignature(installationId: string, signature: string, expiresAt: number): Promise<SignatureOutcome> {
  const { tableName } = store();
  const acceptedBy = randomUUID();
  const outcome = await writeIfOrStored(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.acceptedSignature(installationId, signature), type: 'accepted_signature', acceptedBy, expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }),
  );
  return outcome.written || outcome.stored?.acceptedBy === acceptedBy ? 'first_use' : 'replayed';
}
