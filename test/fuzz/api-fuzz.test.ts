import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeKey, routes, type RouteDefinition } from '../../shared/http/routes';
import { useApi } from '../support/api';
import { licenseLedger } from '../support/invariants';
import { envelopeProblem } from './envelope';
import { closeAgent, send, type RawResponse } from './http';
import { finalize, mutationNames, requestArbitrary, type Draft, type FuzzRequest } from './requests';
import { bodySchemas, noBodyRoutes } from './route-schemas';
import { snapshotDifference, tableSnapshot } from './state';
import { buildWorld, observe, replenish, type World } from './world';

/**
 * API fuzzing over HTTP against the real handlers and DynamoDB Local: generated and mutated
 * requests for every route of the route table. FUZZ_RUNS sets the number of requests (default
 * 1,000 here; `npm run fuzz` sends 10,000), FUZZ_SEED the seed (printed with every failure).
 *
 * Phase 1 sends a mix of valid, valid-ish and mutated requests (they may change state): no answer
 * may be a 5xx, and every 4xx must be the error envelope; afterwards every license's counters must
 * still equal its device lists. Phase 2 sends only requests the contract must refuse and checks
 * that the table is exactly as before.
 */
const TOTAL = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const CONCURRENCY = 4;
const BATCH = 250;

const api = useApi();
let world: World;

interface Failure {
  request: FuzzRequest;
  status: number;
  problem: string;
  body: string;
}

interface Stats {
  sent: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, Record<string, number>>;
  byMutation: Record<string, number>;
  /** Per route, how often each status and error code came back. */
  outcomes: Record<string, Record<string, number>>;
}

const newStats = (): Stats => ({ sent: 0, byStatus: {}, byRoute: {}, byMutation: {}, outcomes: {} });

function describeRequest(request: FuzzRequest): string {
  const body = request.body === undefined ? '' : typeof request.body === 'string' ? request.body : `<bytes ${request.body.toString('hex').slice(0, 200)}>`;
  const headers = { ...request.headers };
  return `${request.method} ${request.path.slice(0, 300)} [${request.key}] mutations=${JSON.stringify(request.mutations)} headers=${JSON.stringify(headers).slice(0, 400)} body=${body.slice(0, 400)}`;
}

function check(request: FuzzRequest, response: RawResponse, refusedOnly: boolean): string | undefined {
  if (response.status >= 500) return `status ${response.status}`;
  if (response.status >= 400) {
    const problem = envelopeProblem(response.text, response.headers['content-type'] as string | undefined);
    if (problem) return `not the error envelope: ${problem}`;
  } else if (refusedOnly) {
    return `accepted with ${response.status} although it must be refused`;
  } else if (response.status === 204 && response.text.length > 0) {
    return '204 with a body';
  }
  if (response.status < 200) return `status ${response.status}`;
  return undefined;
}

async function runBatch(drafts: Draft[], refusedOnly: boolean, stats: Stats, failures: Failure[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < drafts.length) {
      const request = finalize(drafts[next++]!);
      let response: RawResponse;
      try {
        response = await send(api.url, request);
      } catch (error) {
        failures.push({ request, status: 0, problem: `transport error ${(error as Error).message}`, body: '' });
        continue;
      }
      stats.sent++;
      const band = `${Math.floor(response.status / 100)}xx`;
      stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
      const route = (stats.byRoute[request.key] ??= {});
      route[band] = (route[band] ?? 0) + 1;
      for (const mutation of request.mutations) stats.byMutation[mutation] = (stats.byMutation[mutation] ?? 0) + 1;
      const outcome = `${response.status} ${/"code":"([a-z_]+)"/.exec(response.text)?.[1] ?? ''}${request.mutations.length === 0 ? ' (unmutated)' : ''}`;
      const outcomes = (stats.outcomes[request.key] ??= {});
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      const problem = check(request, response, refusedOnly);
      if (problem) failures.push({ request, status: response.status, problem, body: response.text.slice(0, 500) });
      if (!refusedOnly && response.status < 300) {
        let body: unknown;
        try {
          body = response.text ? JSON.parse(response.text) : undefined;
        } catch {
          body = undefined;
        }
        observe(world, request.key, request.pathParameters, response.status, body);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function report(phase: string, stats: Stats, failures: Failure[]): void {
  console.log(
    `[fuzz] ${phase}: seed ${SEED}, ${stats.sent} requests, statuses ${JSON.stringify(stats.byStatus)}, failures ${failures.length}\n` +
      `[fuzz] ${phase} mutations: ${JSON.stringify(stats.byMutation)}`,
  );
  for (const failure of failures.slice(0, 15)) {
    console.log(`[fuzz] FAILURE ${failure.problem} (status ${failure.status}): ${describeRequest(failure.request)} → ${failure.body}`);
  }
}

function sample(refusedOnly: boolean, count: number, batch: number): Draft[] {
  return fc.sample(requestArbitrary(world, { refusedOnly }), { numRuns: count, seed: SEED + batch * 7919 + (refusedOnly ? 1 : 0) });
}

beforeAll(async () => {
  world = await buildWorld(api);
}, 300_000);

afterAll(() => closeAgent());

describe(`API fuzzing: ${TOTAL} generated and mutated requests over every route`, () => {
  it('knows the body schema of every route that takes a body', () => {
    const bodyRoutes = (routes as readonly RouteDefinition[])
      .filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method))
      .map(routeKey)
      .filter((key) => !noBodyRoutes.has(key));
    expect(bodyRoutes.filter((key) => !bodySchemas[key])).toEqual([]);
    expect(Object.keys(bodySchemas).filter((key) => !bodyRoutes.includes(key))).toEqual([]);
  });

  const mixed = Math.round(TOTAL * 0.6);
  const refused = TOTAL - mixed;

  it(`phase 1: ${mixed} mixed requests, no 5xx, every 4xx in the envelope, usage still equal to the device lists`, async () => {
    const stats = newStats();
    const failures: Failure[] = [];
    for (let batch = 0; batch * BATCH < mixed; batch++) {
      await replenish(api, world);
      await runBatch(sample(false, Math.min(BATCH, mixed - batch * BATCH), batch), false, stats, failures);
    }
    report('phase 1', stats, failures);
    expect(failures.map((f) => `${f.problem}: ${describeRequest(f.request)} → ${f.body}`)).toEqual([]);
    expect(stats.sent).toBe(mixed);

    // Every route was exercised, and most of them also answered 2xx at least once.
    const exercised = Object.keys(stats.byRoute);
    if (mixed >= 400) expect((routes as readonly RouteDefinition[]).map(routeKey).filter((key) => !exercised.includes(key))).toEqual([]);
    const succeeded = Object.entries(stats.byRoute).filter(([, bands]) => (bands['2xx'] ?? 0) > 0).length;
    const never = (routes as readonly RouteDefinition[]).map(routeKey).filter((key) => !(stats.byRoute[key]?.['2xx'] ?? 0));
    console.log(`[fuzz] phase 1: ${succeeded} of ${routes.length} routes answered 2xx at least once`);
    for (const key of never) console.log(`[fuzz] phase 1: never 2xx: ${key}: ${JSON.stringify(stats.outcomes[key])}`);
    if (mixed >= 500) expect(succeeded).toBeGreaterThanOrEqual(routes.length / 2);

    for (const slc of world.slcs) {
      const ledger = await licenseLedger(slc);
      expect(ledger.license.usedDeviceLicenses, slc).toBe(ledger.deviceLicensesOfDevices);
      expect(ledger.license.usedDeviceLicenses, slc).toBe(ledger.allocatedByInstallations);
      expect(ledger.license.activatedDevices, slc).toBe(ledger.activatedDevices);
      expect(ledger.license.installationCount, slc).toBe(ledger.installations.length);
      expect(ledger.license.usedDeviceLicenses, slc).toBeLessThanOrEqual(ledger.license.entitledDeviceLicenses);
    }
  }, 3_600_000);

  it(`phase 2: ${refused} requests that must be refused: all 4xx in the envelope, and the table unchanged`, async () => {
    await replenish(api, world);
    const before = await tableSnapshot();
    const stats = newStats();
    const failures: Failure[] = [];
    for (let batch = 0; batch * BATCH < refused; batch++) {
      await runBatch(sample(true, Math.min(BATCH, refused - batch * BATCH), 1000 + batch), true, stats, failures);
    }
    report('phase 2', stats, failures);
    expect(failures.map((f) => `${f.problem}: ${describeRequest(f.request)} → ${f.body}`)).toEqual([]);
    expect(stats.sent).toBe(refused);
    // Every kind of refusing mutation was tried (in runs large enough to expect it).
    if (refused >= 500) {
      const refusing = mutationNames.filter((name) => stats.byMutation[name] !== undefined);
      expect(refusing.length).toBeGreaterThan(15);
    }
    const after = await tableSnapshot();
    expect(before.size).toBeGreaterThan(50);
    expect(snapshotDifference(before, after)).toEqual({ added: [], removed: [], changed: [] });
  }, 3_600_000);
});
