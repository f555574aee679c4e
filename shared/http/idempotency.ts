import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHmac, randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock';
import { secrets } from '../adapters/secrets';
import { sealText, sha256Hex, unsealText } from '../crypto';
import { store } from '../store/client';
import { keys } from '../store/keys';
import { ApiError, badRequest, conflict, unprocessable } from './errors';
import { actorOf, type ApiRequest, type ApiResponse, type RouteImplementation } from './types';

/** Records are kept 48 hours (the contract promises at least 24). */
const RETENTION_SECONDS = 48 * 3600;
/**
 * A running request holds its key by a short lease that it renews while it runs; a holder that died
 * (its process killed, its function timed out) stops renewing, and a repeat may take the key over
 * once the lease has run out: within IN_PROGRESS_LEASE_MS of the holder's last renewal.
 */
const IN_PROGRESS_LEASE_MS = 10_000;
/** How often a running request renews its lease: two renewals may fail before the lease runs out. */
const LEASE_RENEWAL_MS = 3_000;

const KEY_PATTERN = /^[\x20-\x7e]{1,128}$/;


interface IdempotencyRecord {
  status: 'in_progress' | 'completed';
  requestHash: string;
  /** Which run holds the lease (a random id per run). */
  leaseOwner?: string;
  leaseUntil: number;
  /** The first response, sealed: responses can carry secrets (an API key, an installation secret). */
  response?: string;
}

async function responseKey(): Promise<Buffer> {
  return createHmac('sha256', await secrets().installationKey()).update('idempotency-response').digest();
}

async function seal(response: ApiResponse, aad: string): Promise<string> {
  return sealText(await responseKey(), JSON.stringify(response), aad);
}

async function unseal(text: string, aad: string): Promise<ApiResponse> {
  return JSON.parse(unsealText(await responseKey(), text, aad)) as ApiResponse;
}

/**
 * POST requests with an Idempotency-Key run at most once per caller and key: a repeat with the same
 * body gets the first response, a different body 422 idempotency_key_reused, a repeat while the first
 * runs 409 idempotency_in_progress. Server errors (and a response that could not be stored) release
 * the key so that a retry can run at once; routes that create something a retry must not create
 * twice bind it to the key themselves (see `issueRequestOf` in functions/ops/licenses.ts).
 */
export async function withIdempotency(request: ApiRequest, run: RouteImplementation): Promise<ApiResponse> {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return run(request);
  if (!KEY_PATTERN.test(key)) {
    throw badRequest('validation_failed', 'Idempotency-Key must be 1 to 128 printable characters.', [
      { path: 'headers.idempotency-key', message: 'must be 1 to 128 printable ASCII characters' },
    ]);
  }
  const { client, tableName } = store();
  const itemKey = keys.idempotency(actorOf(request.caller), sha256Hex(key));
  const requestHash = sha256Hex(`${request.method}\n${request.path}\n${request.rawBody}`);
  const now = clock.now().getTime();
  /** This run's claim on the key: only the run that holds the lease releases it. */
  const leaseOwner = randomUUID();

  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...itemKey,
          status: 'in_progress',
          requestHash,
          leaseOwner,
          leaseUntil: now + IN_PROGRESS_LEASE_MS,
          expiresAt: Math.floor(now / 1000) + RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#status = :inProgress AND leaseUntil < :now AND requestHash = :hash)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': 'in_progress', ':now': now, ':hash': requestHash },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) {
      // The claim may have been written with its answer lost: let it go, so that a retry is not kept waiting.
      await release();
      throw error;
    }
    const existing = (await client.send(new GetCommand({ TableName: tableName, Key: itemKey, ConsistentRead: true })))
      .Item as IdempotencyRecord | undefined;
    if (!existing) throw conflict('idempotency_in_progress', 'A request with this Idempotency-Key is still running.');
    if (existing.requestHash !== requestHash) {
      throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
    }
    if (existing.status === 'completed' && existing.response) return unseal(existing.response, itemKey.pk);
    // Our own claim, written by an attempt whose answer was lost and then retried by the SDK, is ours to run.
    if (existing.leaseOwner !== leaseOwner) throw conflict('idempotency_in_progress', 'A request with this Idempotency-Key is still running.');
  }

  const renewal = setInterval(() => void renew(), LEASE_RENEWAL_MS);
  renewal.unref();
  let response: ApiResponse;
  try {
    response = await run(request);
  } catch (error) {
    clearInterval(renewal);
    if (error instanceof ApiError && error.status < 500) {
      await completeOrRelease({ status: error.status, body: { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } } });
    } else {
      await release();
    }
    throw error;
  }
  clearInterval(renewal);
  await completeOrRelease(response);
  return response;

  /** Extends this run's lease while it runs (best effort: a failed renewal is tried again at the next tick). */
  async function renew(): Promise<void> {
    await client
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: itemKey,
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression: '#status = :inProgress AND leaseOwner = :owner',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':until': clock.now().getTime() + IN_PROGRESS_LEASE_MS, ':inProgress': 'in_progress', ':owner': leaseOwner },
        }),
      )
      .catch(() => undefined);
  }

  /** Stores the response for replay; if that fails, the key is released (and the request answers 500). */
  async function completeOrRelease(result: ApiResponse): Promise<void> {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: itemKey,
          UpdateExpression: 'SET #status = :completed, #response = :response',
          ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
          ExpressionAttributeValues: { ':completed': 'completed', ':response': await seal(result, itemKey.pk) },
        }),
      );
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** Removes this run's unfinished claim (never a completed record, never another run's claim). */
  async function release(): Promise<void> {
    await client
      .send(
        new DeleteCommand({
          TableName: tableName,
          Key: itemKey,
          ConditionExpression: '#status = :inProgress AND leaseOwner = :owner',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': 'in_progress', ':owner': leaseOwner },
        }),
      )
      .catch(() => undefined);
  }
}
