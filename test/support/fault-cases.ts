import { expect } from 'vitest';
import type { ApiResult } from './api';
import { describeFault, FAULT_VARIANTS, type Fault, type injectDynamoFaults } from './dynamo-faults';

/**
 * Runs one request under a fault at every DynamoDB call it makes, for every fault variant, each
 * case on fresh state: the faulted attempt must answer 2xx or 5xx (never a wrong refusal), one
 * immediate retry of the same request must then succeed, and `check` proves the final state:
 * nothing lost, nothing counted twice.
 */
export interface FaultScenario<C> {
  name: string;
  /** Fresh state for one case (runs without faults). */
  prepare(): Promise<C>;
  /** The request; called again, unchanged, as the client's retry. */
  act(context: C): Promise<ApiResult>;
  /** The final state after the retry converged; `final` is the successful answer. */
  check(context: C, final: ApiResult, fault: Fault | undefined): Promise<void>;
  /** A retried DELETE may find its work already done by the faulted attempt. */
  retryMayAnswer?: number[];
  /**
   * The request is idempotent (a PUT, or a POST with an Idempotency-Key): after success it is sent
   * once more, must answer the same, and the state must still pass `check`.
   */
  idempotent?: boolean;
  /** Runs before each retry of a failed attempt (e.g. to let a lease expire). */
  beforeRetry?(context: C): void | Promise<void>;
  /** What of an answer must be the same on a repeat (default: all of it). */
  comparable?: (body: any) => unknown;
}

export interface FaultRunSummary {
  scenario: string;
  calls: number;
  cases: number;
  firstAttempt: Record<string, number>;
  /** The answer the retries ended with, for the cases whose first attempt failed. */
  afterRetry: Record<string, number>;
}

export async function runUnderEveryFault<C>(
  faults: ReturnType<typeof injectDynamoFaults>,
  scenario: FaultScenario<C>,
  options: { variants?: ReadonlyArray<Omit<Fault, 'at'>>; maxCalls?: number } = {},
): Promise<FaultRunSummary> {
  // A clean run tells how many DynamoDB calls the request makes at each layer.
  faults.reset();
  const probe = await scenario.prepare();
  faults.reset();
  const clean = await scenario.act(probe);
  const calls = { ...faults.state.calls };
  expect(clean.status, `${scenario.name}: clean run ${JSON.stringify(clean.body)}`).toBeLessThan(300);
  await scenario.check(probe, clean, undefined);

  const summary: FaultRunSummary = { scenario: scenario.name, calls: calls.application, cases: 0, firstAttempt: {}, afterRetry: {} };
  for (const variant of options.variants ?? FAULT_VARIANTS) {
    const positions = Math.min(calls[variant.layer], options.maxCalls ?? Infinity);
    for (let at = 1; at <= positions; at++) {
      const fault: Fault = { ...variant, at };
      const what = `${scenario.name} with ${describeFault(fault)}`;
      faults.reset();
      const context = await scenario.prepare();
      faults.reset(fault);
      const first = await scenario.act(context);
      const injected = faults.state.injected;
      const commands = faults.state.commands.join(',');
      faults.reset();
      expect(injected, `${what}: the fault was injected (${commands})`).toBe(1);
      // A fault is never a reason to refuse: the answer is the right one, or a server error to retry.
      expect(first.status < 300 || first.status >= 500, `${what}: first answer ${first.status} ${JSON.stringify(first.body)}`).toBe(true);
      if (first.status >= 500) expect(first.body?.error?.code, what).toMatch(/^(internal_error|service_unavailable)$/);
      const outcome = `${first.status}`;
      summary.firstAttempt[outcome] = (summary.firstAttempt[outcome] ?? 0) + 1;

      // One retry, straight away: it must not have to wait for anything the failed attempt left behind.
      let final = first;
      if (first.status >= 300) {
        await scenario.beforeRetry?.(context);
        final = await scenario.act(context);
      }
      if (first.status >= 300) summary.afterRetry[final.status] = (summary.afterRetry[final.status] ?? 0) + 1;
      if (first.status >= 300 && scenario.retryMayAnswer?.includes(final.status)) {
        await scenario.check(context, final, fault);
      } else {
        expect(final.status, `${what}: retry ${JSON.stringify(final.body)}`).toBeLessThan(300);
        await scenario.check(context, final, fault);
        if (scenario.idempotent) {
          const repeat = await scenario.act(context);
          expect(repeat.status, `${what}: repeat`).toBe(final.status);
          const comparable = scenario.comparable ?? ((body: unknown) => body);
          expect(comparable(repeat.body), `${what}: repeat`).toEqual(comparable(final.body));
          await scenario.check(context, repeat, fault);
        }
      }
      summary.cases++;
    }
  }
  return summary;
}
