import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { clock } from '../adapters/clock';
import { secrets } from '../adapters/secrets';
import { sha256Hex } from '../crypto';
import { store } from '../store/client';
import { keys } from '../store/keys';
import { ApiError, badRequest, conflict, unprocessable } from './errors';
import type { ApiRequest, ApiResponse, Caller, RouteImplementation } from './types';

/** Records are kept 48 hours (the contract promises at least 24). */
const RETENTION_SECONDS = 48 * 3600;
/** A run that has not finished after this long is taken to have crashed; a repeat may take over. */
const IN_PROGRESS_LEASE_MS = 120_000;

const KEY_PATTERN = /^[\x20-\x7e]{1,128}$/;

function scopeOf(caller: Caller): string {
  switch (caller.role) {
    case 'ops':
      return 'ops';
    case 'partner':
      return `partner:${caller.partnerId}`;
    case 'installation':
      return `installation:${caller.installationId}`;
    case 'anonymous':
      return 'anonymous';
  }
}

interface IdempotencyRecord {
  status: 'in_progress' | 'completed';
  requestHash: string;
  leaseUntil: number;
  /** The first response, sealed: responses can carry secrets (an API key, an installation secret). */
  response?: string;
}

async function responseKey(): Promise<Buffer> {
  return createHmac('sha256', await secrets().installationKey()).update('idempotency-response').digest();
}

async function seal(response: ApiResponse, aad: string): Promise<string> {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', await responseKey(), iv);
  cipher.setAAD(Buffer.from(aad));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(response), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
}

async function unseal(text: string, aad: string): Promise<ApiResponse> {
  const bytes = Buffer.from(text, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', await responseKey(), bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as ApiResponse;
}

/**
 * POST requests with an Idempotency-Key run at most once per caller and key: a repeat with the same
 * body gets the first response, a different body 422 idempotency_key_reused, a repeat while the first
 * runs 409 idempotency_in_progress. Server errors release the key so that a retry can run.
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
  const itemKey = keys.idempotency(scopeOf(request.caller), sha256Hex(key));
  const requestHash = sha256Hex(`${request.method}\n${request.path}\n${request.rawBody}`);
  const now = clock.now().getTime();

  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...itemKey,
          status: 'in_progress',
          requestHash,
          leaseUntil: now + IN_PROGRESS_LEASE_MS,
          expiresAt: Math.floor(now / 1000) + RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#status = :inProgress AND leaseUntil < :now AND requestHash = :hash)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':inProgress': 'in_progress', ':now': now, ':hash': requestHash },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = (await client.send(new GetCommand({ TableName: tableName, Key: itemKey, ConsistentRead: true })))
      .Item as IdempotencyRecord | undefined;
    if (!existing) throw conflict('idempotency_in_progress', 'A request with this Idempotency-Key is still running.');
    if (existing.requestHash !== requestHash) {
      throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
    }
    if (existing.status === 'completed' && existing.response) return unseal(existing.response, itemKey.pk);
    throw conflict('idempotency_in_progress', 'A request with this Idempotency-Key is still running.');
  }

  let response: ApiResponse;
  try {
    response = await run(request);
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) {
      await complete({ status: error.status, body: { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } } });
    } else {
      await client.send(new DeleteCommand({ TableName: tableName, Key: itemKey })).catch(() => undefined);
    }
    throw error;
  }
  await complete(response);
  return response;

  async function complete(result: ApiResponse): Promise<void> {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: itemKey,
        UpdateExpression: 'SET #status = :completed, #response = :response',
        ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
        ExpressionAttributeValues: { ':completed': 'completed', ':response': await seal(result, itemKey.pk) },
      }),
    );
  }
}
