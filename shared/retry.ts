import { setTimeout as sleep } from 'node:timers/promises';

/** What one try returns when it should be tried again: after a pause, or at once. */
export const RETRY = Symbol('retry');
export const RETRY_NOW = Symbol('retry now');
export type Retry = typeof RETRY | typeof RETRY_NOW;

export interface BackoffPolicy {
  /** Tries in all, the first included. */
  attempts?: number;
  /** No try starts later than this many milliseconds after the first. */
  deadlineMs?: number;
  /** The pause before try n (n ≥ 1) is minMs plus a random part of min(capMs, baseMs · 2^n) (full jitter). */
  baseMs: number;
  capMs: number;
  minMs?: number;
  /** The error thrown when the tries or the time are used up. */
  exhausted: () => Error;
}

/** The pause before try `attempt` (1, 2, …) under the policy. */
export function backoffMs(policy: Pick<BackoffPolicy, 'baseMs' | 'capMs' | 'minMs'>, attempt: number): number {
  return (policy.minMs ?? 0) + Math.random() * Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 20));
}

/**
 * Runs `run` until it returns something other than RETRY/RETRY_NOW, pausing with jittered
 * exponential backoff between tries. Errors `run` throws are not retried here: each caller decides
 * which outcomes are worth another try and returns RETRY for them.
 */
export async function retryWithBackoff<T>(policy: BackoffPolicy, run: (attempt: number) => Promise<T | Retry>): Promise<T> {
  const started = Date.now();
  let pause = false;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      if ((policy.attempts !== undefined && attempt >= policy.attempts) || (policy.deadlineMs !== undefined && Date.now() - started > policy.deadlineMs)) {
        throw policy.exhausted();
      }
      if (pause) await sleep(backoffMs(policy, attempt));
    }
    const outcome = await run(attempt);
    if (outcome !== RETRY && outcome !== RETRY_NOW) return outcome as T;
    pause = outcome === RETRY;
  }
}
