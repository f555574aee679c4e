import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';
import { writeIf } from './conditional-write';

export interface IdempotencyRecord {
  status: 'in_progress' | 'completed';
  requestHash: string;
  /** Which run holds the lease (a random id per run). */
  leaseOwner?: string;
  leaseUntil: number;
  /** The first response, sealed by the caller: responses can carry secrets (an API key, an installation secret). */
  response?: string;
}

/** One run's claim on a key of a caller: the item it names and the run that holds it. */
export interface IdempotencyClaim {
  scope: string;
  keyHash: string;
  leaseOwner: string;
}

const itemKey = (claim: IdempotencyClaim) => keys.idempotency(claim.scope, claim.keyHash);

/** The stored item's partition key: what a sealed response is bound to. */
export const idempotencyRecordName = (claim: IdempotencyClaim): string => itemKey(claim).pk;

/**
 * Claims the key for this run: `claimed` when it was free, or held by an unfinished run of the same
 * request whose lease has run out; otherwise the record as stored (undefined if it went meanwhile).
 */
export async function claimIdempotencyKey(
  claim: IdempotencyClaim,
  request: { requestHash: string; now: number; leaseUntil: number; expiresAt: number },
): Promise<'claimed' | { held: IdempotencyRecord | undefined }> {
  const { client, tableName } = store();
  const claimed = await writeIf(
    new PutCommand({
      TableName: tableName,
      Item: { ...itemKey(claim), status: 'in_progress', requestHash: request.requestHash, leaseOwner: claim.leaseOwner, leaseUntil: request.leaseUntil, expiresAt: request.expiresAt },
      ConditionExpression: 'attribute_not_exists(pk) OR (#status = :inProgress AND leaseUntil < :now AND requestHash = :hash)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':inProgress': 'in_progress', ':now': request.now, ':hash': request.requestHash },
    }),
  );
  if (claimed) return 'claimed';
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: itemKey(claim), ConsistentRead: true }));
  return { held: Item as IdempotencyRecord | undefined };
}

/** Extends the lease while the run still holds it; false once it does not. */
export async function renewIdempotencyLease(claim: IdempotencyClaim, until: number): Promise<boolean> {
  const { tableName } = store();
  return writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: itemKey(claim),
      UpdateExpression: 'SET leaseUntil = :until',
      ConditionExpression: '#status = :inProgress AND leaseOwner = :owner',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':until': until, ':inProgress': 'in_progress', ':owner': claim.leaseOwner },
    }),
  );
}

/** Stores the run's sealed response for replay. */
export async function completeIdempotencyRecord(claim: IdempotencyClaim, sealedResponse: string): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: itemKey(claim),
      UpdateExpression: 'SET #status = :completed, #response = :response',
      ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
      ExpressionAttributeValues: { ':completed': 'completed', ':response': sealedResponse },
    }),
  );
}

/** Removes the run's unfinished claim (never a completed record, never another run's claim); false when there was none. */
export async function releaseIdempotencyClaim(claim: IdempotencyClaim): Promise<boolean> {
  const { tableName } = store();
  return writeIf(
    new DeleteCommand({
      TableName: tableName,
      Key: itemKey(claim),
      ConditionExpression: '#status = :inProgress AND leaseOwner = :owner',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':inProgress': 'in_progress', ':owner': claim.leaseOwner },
    }),
  );
}
