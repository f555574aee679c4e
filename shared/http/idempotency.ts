import { createHmac, randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock';
import { secrets } from '../adapters/secrets';
import { sealText, sha256Hex, unsealText } from '../crypto';
import {
  claimIdempotencyKey,
  completeIdempotencyRecord,
  idempotencyRecordName,
  releaseIdempotencyClaim,
  renewIdempotencyLease,
  type IdempotencyClaim,
} from '../store/idempotency';
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
  /** This run's claim on the key: only the run that holds the lease releases it. */
  const claim: IdempotencyClaim = { scope: actorOf(request.caller), keyHash: sha256Hex(key), leaseOwner: randomUUID() };
  const recordName = idempotencyRecordName(claim);
  const requestHash = sha256Hex(`${request.method}\n${request.path}\n${request.rawBody}`);
  const now = clock.now().getTime();

  let claimed: Awaited<ReturnType<typeof claimIdempotencyKey>>;
  try {
    claimed = await claimIdempotencyKey(claim, { requestHash, now, leaseUntil: now + IN_PROGRESS_LEASE_MS, expiresAt: Math.floor(now / 1000) + RETENTION_SECONDS });
  } catch (error) {
    // The claim may have been written with its answer lost: let it go, so that a retry is not kept waiting.
    await release();
    throw error;
  }
  if (claimed !== 'claimed') {
    const existing = claimed.held;
    if (!existing) throw conflict('idempotency_in_progress', 'A request with this Idempotency-Key is still running.');
    if (existing.requestHash !== requestHash) {
      throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
    }
    if (existing.status === 'completed' && existing.response) return unseal(existing.response, recordName);
    // Our own claim, written by an attempt whose answer was lost and then retried by the SDK, is ours to run.
    if (existing.leaseOwner !== claim.leaseOwner) throw conflict('idempotency_in_progress', 'A request with this Idempotency-Key is still running.');
  }

  // Best effort: a failed renewal is tried again at the next tick.
  const renewal = setInterval(() => void renewIdempotencyLease(claim, clock.now().getTime() + IN_PROGRESS_LEASE_MS).catch(() => undefined), LEASE_RENEWAL_MS);
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

  /** Stores the response for replay; if that fails, the key is released (and the request answers 500). */
  async function completeOrRelease(result: ApiResponse): Promise<void> {
    try {
      await completeIdempotencyRecord(claim, await seal(result, recordName));
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** Removes this run's unfinished claim, best effort: a claim left behind runs out with its lease. */
  async function release(): Promise<void> {
    await releaseIdempotencyClaim(claim).catch(() => undefined);
  }
}
