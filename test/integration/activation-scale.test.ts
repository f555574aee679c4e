import { Agent, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../shared/adapters/observability';
import type { HttpHandler } from '../../shared/http/handler';
import type { FunctionName } from '../../shared/http/routes';
import { lambdaHandlers } from '../../local/handlers';
import { createLocalServer } from '../../local/server';
import { store } from '../../shared/store/client';
import { signRequest, useApi, type ApiResult, type InstallationCredentials } from '../support/api';
import { licenseLedger } from '../support/invariants';
import { activationBody, camera, createLicense } from '../support/licensing';

/**
 * Activation at scale: ACTIVATION_TRIALS concurrent activation trials (default 120 in `npm test`;
 * `ACTIVATION_TRIALS=1000 npx vitest run test/integration/activation-scale.test.ts` for the full
 * count) on a few shared SLCs, first activations and re-activations mixed. All trials start at
 * once; at most ACTIVATION_IN_FLIGHT (default 100) are in the server at a time. The local server is
 * one Node process standing in for many Lambda instances and applies Lambda's 30-second timeout:
 * with many more requests in it than this machine serves in 30 s, requests time out while queued,
 * which measures the machine, not the service. Under five CPU hogs on two cores this machine served
 * 6.5–7.5 trials a second, so 200 at once put the last of them at the timeout; 100 keeps every
 * SLC's installations contending, and 120 trials keep the whole suite within CI's time. Installations of one SLC compete for its device
 * licenses and for the same cameras. A trial answered 503 service_unavailable (it could not finish
 * within the 25-second contention deadline) is retried as a management server would; the number of
 * such retries is printed.
 *
 * Afterwards: no SLC uses more than its entitlement (no oversell), the license counters equal the
 * stored devices and the installations (usage equals the device lists), and every installation holds
 * exactly the devices that one of its own activations reported as activated.
 */
const TRIALS = Number(process.env.ACTIVATION_TRIALS ?? 120);
const IN_FLIGHT = Number(process.env.ACTIVATION_IN_FLIGHT ?? 100);

/** At most `size` holders at a time; the others wait in order. */
function semaphore(size: number) {
  let free = size;
  const waiting: Array<() => void> = [];
  return {
    async acquire() {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

// Server errors are logged (and summarised below) so that a failing run says what failed.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
});

const api = useApi();

/** The service's error log lines during the burst: kept for the summary, not echoed. */
const errorLines: string[] = [];
const originalWrite = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
function captureErrorLogs(on: boolean) {
  if (!on) {
    process.stdout.write = originalWrite.stdout;
    process.stderr.write = originalWrite.stderr;
    return;
  }
  const tap = (original: typeof process.stdout.write) => (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (text.startsWith('{"level"')) {
      errorLines.push(text);
      return true;
    }
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
  process.stdout.write = tap(originalWrite.stdout) as typeof process.stdout.write;
  process.stderr.write = tap(originalWrite.stderr) as typeof process.stderr.write;
}

/** Distinct server errors: how often, and where. */
function errorSummary(): string[] {
  const counts = new Map<string, number>();
  for (const line of errorLines) {
    try {
      const entry = JSON.parse(line);
      const error = entry.error ?? {};
      const where = String(error.stack ?? '').split('\n').slice(1, 4).map((frame: string) => frame.trim()).join(' < ');
      const key = `${entry.message}: ${error.name ?? ''} ${String(error.message ?? '').slice(0, 120)} @ ${where}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } catch {
      counts.set(line.slice(0, 200), (counts.get(line.slice(0, 200)) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([key, count]) => `${count} × ${key}`);
}

/**
 * The trials go to a server of their own: the same handlers, with a listen backlog that holds every
 * connection of the burst (the default of 511 makes the kernel drop some), one connection per request.
 */
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
let burst: Server;
let burstUrl = '';
beforeAll(async () => {
  logger.setLogLevel('ERROR');
  // The handlers as Lambda runs them; an exception that escapes one (the local server then answers 500) is recorded.
  const recording = Object.fromEntries(
    Object.entries(lambdaHandlers).map(([name, handler]) => [
      name,
      (async (event, context) => {
        try {
          return await handler(event, context);
        } catch (error) {
          errorLines.push(JSON.stringify({ message: 'handler threw', error: { name: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack } }));
          throw error;
        }
      }) as HttpHandler,
    ]),
  ) as Record<FunctionName, HttpHandler>;
  burst = createLocalServer(recording);
  await new Promise<void>((resolve) => burst.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve()));
  burstUrl = `http://127.0.0.1:${(burst.address() as AddressInfo).port}`;
});
afterAll(async () => {
  logger.setLogLevel('SILENT');
  agent.destroy();
  burst.closeAllConnections();
  await new Promise<void>((resolve) => burst.close(() => resolve()));
});

function post(path: string, body: unknown, signer?: InstallationCredentials): Promise<ApiResult> {
  const raw = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw) };
  if (signer) {
    Object.assign(headers, signRequest(signer, 'POST', path, raw));
  }
  const url = new URL(burstUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: new Headers() });
      });
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(raw);
  });
}

interface SharedLicense {
  slc: string;
  entitlement: number;
  singleInstallation: boolean;
  cameras: Array<ReturnType<typeof camera>>;
  installations: InstallationCredentials[];
}

/** A deterministic pseudo-random sequence, so that a failing mix can be replayed. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

function subset<T>(items: T[], next: () => number, min: number, max: number): T[] {
  const count = min + Math.floor(next() * (max - min + 1));
  const shuffled = [...items].sort(() => next() - 0.5);
  return shuffled.slice(0, count);
}

async function sharedLicense(product: 'corporate' | 'professional-plus' | 'essential-plus', entitlement: number, installations: number): Promise<SharedLicense> {
  const { slc } = await createLicense(api, { product, deviceLicenses: entitlement, version: '2025 R1' });
  const shared: SharedLicense = {
    slc,
    entitlement,
    singleInstallation: product === 'essential-plus',
    cameras: Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? camera({ kind: 'encoder', videoChannels: 20, supportedDeviceList: { listed: true } }) : camera())),
    installations: [],
  };
  for (let i = 0; i < installations; i++) {
    const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody(shared.cameras.slice(i * 2, i * 2 + 2)) } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    shared.installations.push({ installationId: first.body.installationId, installationSecret: first.body.installationSecret });
  }
  return shared;
}

describe(`activation at scale: ${TRIALS} concurrent trials on shared SLCs (${Math.min(TRIALS, IN_FLIGHT)} in flight)`, () => {
  it('never oversells, and usage equals the device lists afterwards', async () => {
    const licenses = [
      await sharedLicense('corporate', 60, 6),
      await sharedLicense('corporate', 25, 4),
      await sharedLicense('professional-plus', 40, 5),
      await sharedLicense('essential-plus', 8, 1),
    ];
    const seed = Number(process.env.ACTIVATION_SEED ?? Date.now() % 100_000);
    const next = random(seed);

    interface Trial {
      license: SharedLicense;
      kind: 'first' | 'reactivation';
      installation?: InstallationCredentials;
      devices: Array<ReturnType<typeof camera>>;
      videoPushUsers: number;
    }
    const trials: Trial[] = Array.from({ length: TRIALS }, (_, index) => {
      const license = licenses[index % licenses.length]!;
      const first = next() < 0.35;
      // Cameras from the license's shared pool (other installations may hold them) and new ones.
      const devices = [...subset(license.cameras, next, 0, 6), ...Array.from({ length: Math.floor(next() * 3) }, () => camera())];
      const videoPushUsers = next() < 0.2 ? 1 + Math.floor(next() * 2) : 0;
      return first
        ? { license, kind: 'first', devices, videoPushUsers }
        : { license, kind: 'reactivation', installation: license.installations[Math.floor(next() * license.installations.length)]!, devices, videoPushUsers };
    });

    const counted = { requests: 0, writes: 0 };
    store().client.middlewareStack.add(
      (next, context) => async (args) => {
        counted.requests++;
        if (/^(Put|Update|Delete|TransactWrite|BatchWrite)/.test(String(context.commandName))) counted.writes++;
        return next(args);
      },
      { step: 'initialize', name: 'scaleCount', priority: 'low' },
    );
    const started = performance.now();
    // A 503 service_unavailable ("the license is busy; try again shortly") is what a request gets when it
    // could not finish within the contention deadline; a management server then retries the same request.
    let busyRetries = 0;
    const attempt = (trial: Trial) =>
      trial.kind === 'first'
        ? post('/v1/activations', { slc: trial.license.slc, ...activationBody(trial.devices, { videoPushUsers: trial.videoPushUsers }) })
        : post('/v1/activations', { installationId: trial.installation!.installationId, ...activationBody(trial.devices, { videoPushUsers: trial.videoPushUsers }) }, trial.installation);
    const slots = semaphore(IN_FLIGHT);
    captureErrorLogs(true);
    const responses: Array<ApiResult> = await Promise.all(
      trials.map(async (trial) => {
        for (let retry = 0; ; retry++) {
          await slots.acquire();
          const response = await attempt(trial).finally(() => slots.release());
          if (response.status !== 503 || retry === 5) return response;
          busyRetries++;
          await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 1500));
        }
      }),
    ).finally(() => captureErrorLogs(false));
    const seconds = (performance.now() - started) / 1000;
    for (const line of errorSummary().slice(0, 10)) console.log(`[scale] server error: ${line}`);
    store().client.middlewareStack.remove('scaleCount');
    console.log(`[scale] DynamoDB requests per trial: ${(counted.requests / TRIALS).toFixed(1)} (writes ${(counted.writes / TRIALS).toFixed(1)})`);
    const statuses: Record<string, number> = {};
    for (const response of responses) {
      const key = `${response.status}${response.body?.error ? ` ${response.body.error.code}` : ''}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    console.log(
      `[scale] seed ${seed}: ${TRIALS} trials (at most ${IN_FLIGHT} in flight) in ${seconds.toFixed(1)} s (${(TRIALS / seconds).toFixed(1)}/s), outcomes ${JSON.stringify(statuses)}, ` +
        `503 busy answers retried: ${busyRetries}`,
    );

    // Every trial answered as if it had run alone: a first activation is 201 (or, on a single-installation
    // edition that has its installation, 409 installation_limit_reached), a re-activation 200.
    trials.forEach((trial, index) => {
      const response = responses[index]!;
      const expected = trial.kind === 'first' ? (trial.license.singleInstallation ? [201, 409] : [201]) : [200];
      expect(expected, `trial ${index} (${trial.kind}): ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`).toContain(response.status);
      if (response.status === 409) expect(response.body.error.code).toBe('installation_limit_reached');
      if (response.status < 300) {
        expect(response.body.usage.deviceLicenses.used).toBeLessThanOrEqual(trial.license.entitlement);
        expect(response.body.devices.map((d: any) => d.mac)).toEqual(trial.devices.map((d) => d.mac.toLowerCase()));
      }
    });

    for (const license of licenses) {
      const ledger = await licenseLedger(license.slc);
      // No oversell, under any interleaving.
      expect(ledger.license.usedDeviceLicenses).toBeLessThanOrEqual(license.entitlement);
      if (license.singleInstallation) expect(ledger.license.installationCount).toBe(1);
      // Usage equals the device lists.
      expect(ledger.license.usedDeviceLicenses).toBe(ledger.deviceLicensesOfDevices);
      expect(ledger.license.usedDeviceLicenses).toBe(ledger.allocatedByInstallations);
      expect(ledger.license.activatedDevices).toBe(ledger.activatedDevices);
      expect(ledger.license.activatedDevices).toBe(ledger.devicesByInstallations);
      expect(ledger.license.installationCount).toBe(ledger.installations.length);
      // Each MAC is activated at most once per SLC (one device row per SLC and MAC, held by one installation).
      const held = ledger.devices.filter((device) => device.status === 'activated');
      expect(new Set(held.map((device) => device.mac)).size).toBe(held.length);

      // Each installation holds exactly what one of its own activations reported.
      for (const installation of ledger.installations) {
        const holds = held.filter((device) => device.installationId === installation.installationId).map((device) => device.mac).sort();
        const reported = responses
          .filter((response) => response.status < 300 && response.body.installationId === installation.installationId)
          .map((response) => response.body.devices.filter((d: any) => d.status === 'activated').map((d: any) => d.mac).sort());
        const initial = license.installations.some((known) => known.installationId === installation.installationId);
        if (reported.length > 0) expect(reported, installation.installationId).toContainEqual(holds);
        else expect(initial, `installation ${installation.installationId} has no activation response`).toBe(true);
      }
    }
  }, 1_200_000);
});
