/**
 * Process kills during a burst of activations (issue 17, point 8): `npm start` runs in a child
 * process as a user runs it; licenses are issued through the ops API; a burst of concurrent first
 * activations (some larger than one DynamoDB transaction) and signed re-activations is cut by
 * SIGKILL of the API process or of DynamoDB Local at a seeded moment; the service is started again
 * on the same DATA_DIR, every request that got no answer or a 5xx is retried as a client would
 * (a first activation with the identical body, a re-activation signed again), and the outcome is
 * checked through the HTTP API only: the answers, no stranded installation, and the license
 * counters equal to the devices held (polled until they are, within a deadline).
 *
 * Used by test/integration/process-kills.test.ts (a few seeds) and scripts/process-kills.ts (many).
 * Nothing here imports vitest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLineOf, freePort, portAccepts } from '../../local/dynamodb-local';
import { createRequestSigner } from '../../shared/request-signing';
import { BEYOND_ONE_TRANSACTION } from './licensing';

export type KillVariant = 'api' | 'dynamodb';
export const KILL_VARIANTS: readonly KillVariant[] = ['api', 'dynamodb'];

/** How long the pieces may take on a loaded 2-core machine. */
export const KILL_LIMITS = {
  healthyMs: 60_000,
  stoppedMs: 20_000,
  requestMs: 60_000,
  /** A client keeps retrying a request (no answer, 5xx, 409 idempotency_in_progress) this long after the restart. */
  retryMs: 90_000,
  /** The license view must show exactly the held devices within this long after the retries ended. */
  convergenceMs: 45_000,
};

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OPS_TOKEN = 'process-kills-ops-token-0123456789';
const EULA = '20250212';
const VERSION = '2025 R1';

/** mulberry32: a small seeded generator, so that a seed names the request mix and the kill moment. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// `npm start` in a child process

async function until(condition: () => Promise<boolean> | boolean, within: number, every = 100): Promise<boolean> {
  const deadline = Date.now() + within;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(every);
  }
}

/** scripts/start.ts on its own ports and DATA_DIR; only the processes it started are ever signalled. */
export class LocalStart {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private tail = '';

  constructor(readonly env: { PORT: string; DYNAMODB_PORT: string; DATA_DIR: string }) {}

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  get output(): string {
    return this.tail;
  }

  /** Starts and waits for health; the milliseconds it took. */
  async start(): Promise<number> {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: ROOT,
      // The dashboard npm test built is served as it is: a rebuild would empty dashboard/dist under the browser tests.
      env: { ...process.env, LOCAL_RUNTIME: 'embedded', POWERTOOLS_LOG_LEVEL: 'ERROR', DASHBOARD_PREBUILT: '1', OPS_TOKEN, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const remember = (chunk: Buffer) => (this.tail = (this.tail + chunk.toString()).slice(-8000));
    child.stdout!.on('data', remember);
    child.stderr!.on('data', remember);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const healthy = await until(async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited: ${this.tail.slice(-1500)}`);
      try {
        return (await fetch(`${this.url}/v1/health`)).status === 200;
      } catch {
        return false;
      }
    }, KILL_LIMITS.healthyMs, 200);
    if (!healthy) throw new Error(`npm start not healthy within ${KILL_LIMITS.healthyMs} ms: ${this.tail.slice(-1500)}`);
    return Date.now() - started;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** DynamoDB Local of this start: the pid the launcher wrote, if that pid runs DynamoDB Local on this DATA_DIR. */
  dynamodbPid(): number | undefined {
    let pid: number;
    try {
      pid = Number(readFileSync(join(this.env.DATA_DIR, 'dynamodb', 'dynamodb-local.pid'), 'utf8').trim().split(' ')[0]);
    } catch {
      return undefined;
    }
    const commandLine = commandLineOf(pid);
    return commandLine?.includes('DynamoDBLocal.jar') && commandLine.includes(join(this.env.DATA_DIR, 'dynamodb')) ? pid : undefined;
  }

  /** SIGKILL of the API process or of its DynamoDB Local; what prevented it, if anything. */
  kill(variant: KillVariant): string | undefined {
    if (variant === 'api') {
      return this.running && this.child!.kill('SIGKILL') ? undefined : 'the API process was not running';
    }
    const pid = this.dynamodbPid();
    if (pid === undefined) return 'no DynamoDB Local of this start was running';
    process.kill(pid, 'SIGKILL');
    return undefined;
  }

  /**
   * Waits until the API process, DynamoDB Local and both ports are gone; what was still there after
   * the wait is named (and then stopped, so that the next start begins clean).
   */
  async waitStopped(): Promise<string[]> {
    const left: string[] = [];
    const javaPid = this.dynamodbPid();
    const down = await until(
      async () => !this.running && (javaPid === undefined || commandLineOf(javaPid) === undefined) && !(await portAccepts(Number(this.env.PORT))) && !(await portAccepts(Number(this.env.DYNAMODB_PORT))),
      KILL_LIMITS.stoppedMs,
    );
    if (down) return left;
    if (this.running) left.push('the API process still runs');
    if (javaPid !== undefined && commandLineOf(javaPid) !== undefined) left.push(`DynamoDB Local (process ${javaPid}) still runs`);
    if (await portAccepts(Number(this.env.DYNAMODB_PORT))) left.push(`port ${this.env.DYNAMODB_PORT} (DynamoDB Local) still open`);
    if (await portAccepts(Number(this.env.PORT))) left.push(`port ${this.env.PORT} (API) still open`);
    await this.forceStop();
    return left;
  }

  /** SIGTERM as a user stops it; SIGKILL of what is left of this start's processes after the wait. */
  async stop(): Promise<string[]> {
    if (this.running) this.child!.kill('SIGTERM');
    return this.waitStopped();
  }

  private async forceStop(): Promise<void> {
    const javaPid = this.dynamodbPid();
    if (this.running) this.child!.kill('SIGKILL');
    await this.exited;
    if (javaPid !== undefined && commandLineOf(javaPid) !== undefined) process.kill(javaPid, 'SIGKILL');
    await until(() => (javaPid === undefined || commandLineOf(javaPid) === undefined), 5_000);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP, as a client sees it

/** What one attempt got, and when it was sent and answered (epoch ms). */
export type Answer = ({ status: number; body: any } | { status: 'none'; error: string }) & { sentAt: number; at: number };

async function call(url: string, method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const sentAt = Date.now();
  try {
    const response = await fetch(`${url}${path}`, { method, headers: init.headers, body: init.body, signal: AbortSignal.timeout(KILL_LIMITS.requestMs) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, body, sentAt, at: Date.now() };
  } catch (error) {
    return { status: 'none', error: (error as Error).message, sentAt, at: Date.now() };
  }
}

async function ops(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const answer = await call(url, method, path, {
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { authorization: `Bearer ${OPS_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  });
  if (answer.status === 'none' || answer.status >= 300) {
    throw new Error(`${method} ${path}: ${answer.status} ${answer.status === 'none' ? answer.error : JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

async function opsList(url: string, path: string, query: Record<string, string> = {}): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const parameters = new URLSearchParams({ ...query, limit: '100', ...(cursor ? { cursor } : {}) });
    const page: { items: any[]; nextCursor: string | null } = await ops(url, 'GET', `${path}?${parameters}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

// ---------------------------------------------------------------------------------------------
// The request mix a seed names

interface PlannedDevice {
  mac: string;
  licenses: number;
}

/** A management server: its installation once a first activation of it was answered with the secret. */
interface Installation {
  name: string;
  slc: number;
  managementServerId: string;
  recordingServerId: string;
  credentials?: { installationId: string; installationSecret: string };
  /** The configuration of the last request of it that was answered 2xx: what it must hold. */
  held?: PlannedDevice[];
}

/** One client request of the burst, and every answer it got (the burst's, then the retries'). */
interface Exchange {
  kind: 'first' | 'reactivation';
  installation: Installation;
  devices: PlannedDevice[];
  large: boolean;
  idempotencyKey?: string;
  startAtMs: number;
  answers: Answer[];
  /** The body, fixed at the first send: a retry sends the identical bytes. */
  rawBody?: string;
  sentBeforeKill?: boolean;
}

interface Plan {
  slcCount: number;
  setup: Installation[];
  setupDevices: Map<Installation, PlannedDevice[]>;
  burst: Exchange[];
  /**
   * The kill comes this long after the `killAfterAnswers`-th answer of the burst (or at once when
   * one request is left); in half the runs instead `killAfterLargeMs` after the last large request
   * was sent (aimed at large activations between their commit and their record), if that comes first.
   */
  killAfterAnswers: number;
  killDelayMs: number;
  /**
   * Half the runs: after the restart ops read the license views until their counters equal the
   * devices held, before any client retries (the bound of a crashed request's hold, without help).
   */
  opsLookFirst: boolean;
  killAfterLargeMs?: number;
}

function devicesOf(random: () => number, count: number, nextMac: () => string): PlannedDevice[] {
  return Array.from({ length: count }, () => ({ mac: nextMac(), licenses: random() < 0.2 ? 2 : 1 }));
}

function installationOf(name: string, slc: number): Installation {
  return { name, slc, managementServerId: randomUUID(), recordingServerId: randomUUID() };
}

/** Setup installations (one large), the burst (first activations, some large; a re-activation of each setup installation) and the kill moment. */
export function planRun(seed: number): Plan {
  const random = seededRandom(seed);
  let macs = 0;
  const nextMac = () => {
    const n = ++macs;
    return ['02', '00', ...[24, 16, 8, 0].map((shift) => ((n >> shift) & 255).toString(16).padStart(2, '0'))].join(':');
  };
  const slcCount = 3;
  const large = () => devicesOf(random, BEYOND_ONE_TRANSACTION + between(random, 0, 20), nextMac);
  const small = () => devicesOf(random, between(random, 1, 8), nextMac);

  const setup = Array.from({ length: between(random, 3, 5) }, (_, i) => installationOf(`setup-${i}`, i % slcCount));
  const largeSetup = between(random, 0, setup.length - 1);
  const setupDevices = new Map(setup.map((installation, i) => [installation, i === largeSetup ? large() : small()] as const));

  const firstCount = between(random, 8, 12);
  const largeFirsts = between(random, 1, 3);
  const burst: Exchange[] = [];
  for (let i = 0; i < firstCount; i++) {
    const isLarge = i < largeFirsts;
    burst.push({
      kind: 'first',
      installation: installationOf(`first-${i}`, between(random, 0, slcCount - 1)),
      devices: isLarge ? large() : small(),
      large: isLarge,
      ...(random() < 0.5 ? { idempotencyKey: `kills-${seed}-${i}-${randomUUID()}` } : {}),
      startAtMs: 0,
      answers: [],
    });
  }
  setup.forEach((installation, i) => {
    const before = setupDevices.get(installation)!;
    const kept = before.filter(() => random() < 0.7);
    const added = i === largeSetup ? large() : devicesOf(random, between(random, 0, 3), nextMac);
    burst.push({ kind: 'reactivation', installation, devices: [...kept, ...added], large: i === largeSetup, startAtMs: 0, answers: [] });
  });
  for (const exchange of burst) exchange.startAtMs = between(random, 0, 600);
  const killAfterAnswers = between(random, 0, burst.length - 3);
  const killDelayMs = between(random, 0, 150);
  const opsLookFirst = random() < 0.5;
  const killAfterLargeMs = random() < 0.5 ? between(random, 200, 1500) : undefined;
  return { slcCount, setup, setupDevices, burst, killAfterAnswers, killDelayMs, opsLookFirst, ...(killAfterLargeMs === undefined ? {} : { killAfterLargeMs }) };
}

/** Every device any request of the run names on the SLC, with its licenses: the entitlement, so that all of them always fit. */
function entitlementOf(plan: Plan, slc: number): number {
  const licenses = new Map<string, number>();
  for (const [installation, devices] of plan.setupDevices) if (installation.slc === slc) for (const device of devices) licenses.set(device.mac, device.licenses);
  for (const exchange of plan.burst) if (exchange.installation.slc === slc) for (const device of exchange.devices) licenses.set(device.mac, device.licenses);
  return [...licenses.values()].reduce((sum, n) => sum + n, 0);
}

const deviceBody = (device: PlannedDevice) => ({
  mac: device.mac,
  name: `Camera ${device.mac.slice(-5)}`,
  kind: 'camera',
  ipAddresses: ['10.0.0.5'],
  videoChannels: 1,
  connection: 'direct',
  supportedDeviceList: device.licenses > 1 ? { listed: true, licenses: device.licenses } : { listed: true },
});

function configurationOf(installation: Installation, devices: PlannedDevice[]) {
  return {
    eulaVersion: EULA,
    managementServer: { id: installation.managementServerId, hostname: installation.name },
    recordingServers: [{ id: installation.recordingServerId, failover: false }],
    devices: devices.map(deviceBody),
  };
}

// ---------------------------------------------------------------------------------------------
// One run

export interface KillRunResult {
  seed: number;
  variant: KillVariant;
  requests: number;
  large: number;
  /** Burst requests sent before the kill that got no answer, and those sent after it (connection refused). */
  unanswered: number;
  /** Of those, requests larger than one transaction. */
  largeUnanswered: number;
  sentAfterKill: number;
  fiveXx: number;
  retried: number;
  retryAttempts: number;
  /** First answer of each burst request, by status ("none": no answer). */
  answers: Record<string, number>;
  /** Every answer the retries got, by status (and code for 4xx/5xx). */
  retryAnswers: Record<string, number>;
  /** Retried first activations whose earlier attempt had created an installation: answered with it, or with a fresh one. */
  convergedOnEarlier: number;
  freshAfterEarlier: number;
  /** Device licenses counted after the restart, before the retries, beyond the devices held (summed over the SLCs). */
  excessBeforeRetries: number;
  killAtMs: number;
  restartMs: number;
  retriesMs: number;
  /** From the end of the retries until a read of what ops see (that began then) agreed with the clients (null: not within the deadline). */
  convergenceMs: number | null;
  /** From the kill until then. */
  sinceKillMs: number | null;
  /**
   * Runs where ops looked first (`opsLookFirst`): from the kill until a read of the license views,
   * before any retry, showed usage equal to the activated devices (null: not within the deadline).
   */
  exactWithoutRetriesMs?: number | null;
  /** What the first look after the retries found wrong (converged later, or not). */
  beforeConvergence: string[];
  /** Requests answered 2xx just before DynamoDB Local was killed whose effect it lost (`acknowledgedLosses`). */
  lostByDynamoDbLocal: number;
  /** When it did not converge: what each installation whose devices are wrong went through (`diagnose`). */
  diagnostics?: unknown[];
  pass: boolean;
  problems: string[];
}

interface Run {
  seed: number;
  variant: KillVariant;
  plan: Plan;
  service: LocalStart;
  customerId?: string;
  slcs: string[];
  sign: ReturnType<typeof createRequestSigner>;
  problems: string[];
  killedAt?: number;
}

const statusKey = (answer: Answer) =>
  answer.status === 'none' ? 'none' : answer.status >= 400 ? `${answer.status} ${answer.body?.error?.code ?? ''}`.trim() : String(answer.status);
const count = (keys: string[]) => keys.reduce<Record<string, number>>((counts, key) => ({ ...counts, [key]: (counts[key] ?? 0) + 1 }), {});
const retryable = (answer: Answer) =>
  answer.status === 'none' || answer.status >= 500 || (answer.status === 409 && answer.body?.error?.code === 'idempotency_in_progress');

/** Customer, catalog version and one license per SLC of the plan, each entitled to every device the run names on it. */
async function issueLicenses(run: Run): Promise<void> {
  const { url } = run.service;
  const customer = await ops(url, 'POST', '/v1/customers', { name: 'Killed Processes A/S', country: 'DK', contacts: [{ name: 'Kim', email: 'kim@example.com' }] });
  run.customerId = customer.customerId;
  await ops(url, 'PUT', `/v1/catalog/versions/${encodeURIComponent(VERSION)}`, { generalAvailability: '2025-02-12' });
  for (let slc = 0; slc < run.plan.slcCount; slc++) {
    const license = await ops(url, 'POST', '/v1/licenses', { customerId: customer.customerId, product: 'corporate', version: VERSION, deviceLicenses: entitlementOf(run.plan, slc) });
    run.slcs.push(license.slc);
  }
}

/** The installations the burst re-activates, activated before it (each must get 201 with everything activated). */
async function activateSetup(run: Run): Promise<void> {
  await Promise.all(
    run.plan.setup.map(async (installation) => {
      const devices = run.plan.setupDevices.get(installation)!;
      const answer = await call(run.service.url, 'POST', '/v1/activations', {
        body: JSON.stringify({ slc: run.slcs[installation.slc], ...configurationOf(installation, devices) }),
        headers: { 'content-type': 'application/json' },
      });
      if (answer.status !== 201) throw new Error(`setup activation: ${statusKey(answer)}`);
      installation.credentials = { installationId: answer.body.installationId, installationSecret: answer.body.installationSecret };
      installation.held = devices;
    }),
  );
}

/** Sends one attempt of the exchange: a first activation with its identical body; a re-activation signed afresh. */
function send(run: Run, exchange: Exchange): Promise<Answer> {
  const { installation } = exchange;
  if (exchange.kind === 'first') {
    exchange.rawBody ??= JSON.stringify({ slc: run.slcs[installation.slc], ...configurationOf(installation, exchange.devices) });
    return call(run.service.url, 'POST', '/v1/activations', {
      body: exchange.rawBody,
      headers: { 'content-type': 'application/json', ...(exchange.idempotencyKey ? { 'idempotency-key': exchange.idempotencyKey } : {}) },
    });
  }
  exchange.rawBody ??= JSON.stringify({ installationId: installation.credentials!.installationId, ...configurationOf(installation, exchange.devices) });
  return call(run.service.url, 'POST', '/v1/activations', {
    body: exchange.rawBody,
    headers: { 'content-type': 'application/json', ...run.sign(installation.credentials!, 'POST', '/v1/activations', exchange.rawBody) },
  });
}

/**
 * The burst with the kill in it: the kill comes the plan's delay after the plan's number of answers
 * (and not before a request is in flight), or at once when one request is left unanswered.
 */
async function burstWithKill(run: Run): Promise<number> {
  const { burst, killAfterAnswers, killDelayMs, killAfterLargeMs } = run.plan;
  const started = Date.now();
  let sent = 0;
  let answered = 0;
  let killedAt: number | undefined;
  let scheduled = false;
  const kill = () => {
    if (killedAt !== undefined) return;
    killedAt = Date.now();
    run.killedAt = killedAt;
    const failed = run.service.kill(run.variant);
    if (failed) run.problems.push(`kill: ${failed}`);
  };
  const killWhenDue = () => {
    if (answered >= burst.length - 1) kill();
    else if (killAfterLargeMs === undefined && answered >= killAfterAnswers && sent > answered && !scheduled) {
      scheduled = true;
      setTimeout(kill, killDelayMs);
    }
  };
  const lastLargeAt = Math.max(...burst.filter((exchange) => exchange.large).map((exchange) => exchange.startAtMs));
  if (killAfterLargeMs !== undefined) setTimeout(kill, lastLargeAt + killAfterLargeMs);
  await Promise.all(
    burst.map(async (exchange) => {
      await sleep(exchange.startAtMs);
      exchange.sentBeforeKill = killedAt === undefined;
      sent++;
      const answer = send(run, exchange);
      killWhenDue();
      exchange.answers.push(await answer);
      answered++;
      killWhenDue();
    }),
  );
  await until(() => killedAt !== undefined, 1_000, 10);
  return (killedAt ?? Date.now()) - started;
}

/** Each client whose request got no answer, a 5xx or 409 idempotency_in_progress tries again with backoff, all at once. */
async function retryUnanswered(run: Run): Promise<Exchange[]> {
  const pending = run.plan.burst.filter((exchange) => retryable(exchange.answers[0]!));
  const deadline = Date.now() + KILL_LIMITS.retryMs;
  await Promise.all(
    pending.map(async (exchange) => {
      for (let attempt = 0; ; attempt++) {
        const answer = await send(run, exchange);
        exchange.answers.push(answer);
        if (!retryable(answer) || Date.now() > deadline) return;
        await sleep(Math.min(2_000, 250 * 2 ** attempt));
      }
    }),
  );
  return pending;
}

/**
 * The installations earlier attempts of each management server had created, as ops see them after
 * the restart and before any retry: a finished one by its management server in the installation
 * list; one whose first activation was cut short (the list leaves those out) by the installation
 * its devices are held by. And how many device licenses the licenses counted then beyond the
 * devices held (allocations of requests the kill cut short), from the license list, which shows
 * the stored counters: `GET /v1/licenses/{slc}` would finish what it meets, before the retries.
 */
async function earlierInstallations(run: Run): Promise<{ byServer: Map<string, Set<string>>; excess: number }> {
  const byServer = new Map<string, Set<string>>();
  const add = (serverId: string, installationId: string) => byServer.set(serverId, (byServer.get(serverId) ?? new Set()).add(installationId));
  const serverOfMac = new Map(run.plan.burst.filter((exchange) => exchange.kind === 'first').flatMap((exchange) => exchange.devices.map((device) => [device.mac, exchange.installation.managementServerId] as const)));
  const stored = new Map((await opsList(run.service.url, `/v1/licenses`, { customerId: run.customerId! })).map((license) => [license.slc, license] as const));
  let excess = 0;
  for (const slc of run.slcs) {
    const [installations, devices] = await Promise.all([opsList(run.service.url, `/v1/licenses/${slc}/installations`), opsList(run.service.url, `/v1/licenses/${slc}/devices`)]);
    const activated = devices.filter((device) => device.status === 'activated');
    excess += stored.get(slc).usage.deviceLicenses - activated.reduce((sum, device) => sum + device.licenses, 0);
    for (const item of installations) if (item.status === 'active') add(item.managementServer.id, item.installationId);
    for (const device of activated) {
      const serverId = serverOfMac.get(device.mac);
      if (serverId) add(serverId, device.installationId);
    }
  }
  return { byServer, excess };
}

/**
 * The answer each request ended with is the one it would have got had nothing crashed: a first
 * activation 201 with its secret and every camera activated (never `activated_in_another_installation`),
 * a re-activation 200 with everything it asked for. Records what each installation must hold.
 */
function checkAnswers(run: Run, earlier: Map<string, Set<string>>, restartedAt: number, tally: { convergedOnEarlier: number; freshAfterEarlier: number }): void {
  const owners = new Map<string, string>();
  for (const installation of run.plan.setup) owners.set(installation.credentials!.installationId, installation.name);
  for (const exchange of run.plan.burst) {
    const { installation } = exchange;
    const final = exchange.answers.at(-1)!;
    const expected = exchange.kind === 'first' ? 201 : 200;
    const what = `${installation.name} (${exchange.kind}, ${exchange.devices.length} devices, ${exchange.answers.length} attempts)`;
    // After the restart the service is healthy: a retry gets an answer, and no 5xx (409 idempotency_in_progress is the bounded wait of §1).
    exchange.answers.slice(1).forEach((answer, i) => {
      if (answer.status === 'none' || answer.status >= 500) {
        run.problems.push(`${what}: retry ${i + 1} answered ${statusKey(answer)} ${answer.at - restartedAt} ms into the retries (the service was healthy)`);
      }
    });
    if (final.status !== expected) {
      run.problems.push(`${what} ended with ${statusKey(final)}${final.status === 'none' ? `: ${final.error}` : ''}, not ${expected}`);
      continue;
    }
    const devices: Array<{ mac: string; status: string; reason?: string }> = final.body.devices;
    const refused = devices.filter((device) => device.status !== 'activated');
    if (refused.length > 0 || devices.length !== exchange.devices.length) {
      run.problems.push(`${what}: ${refused.length} of ${devices.length} devices not activated (${[...new Set(refused.map((device) => device.reason ?? device.status))].join(', ')})`);
    }
    if (exchange.kind === 'first') {
      const { installationId, installationSecret } = final.body;
      if (!installationSecret) run.problems.push(`${what}: 201 without installationSecret`);
      const before = earlier.get(installation.managementServerId) ?? new Set<string>();
      if (exchange.answers.length > 1 && before.size > 0) {
        if (before.has(installationId)) tally.convergedOnEarlier++;
        else tally.freshAfterEarlier++;
      }
      if (owners.has(installationId)) run.problems.push(`${what}: installation ${installationId} was already answered to ${owners.get(installationId)}`);
      owners.set(installationId, installation.name);
      installation.credentials = { installationId, installationSecret };
    }
    installation.held = exchange.devices;
  }
}

interface LicenseState {
  slc: string;
  license: any;
  installations: any[];
  devices: any[];
}

async function readState(run: Run): Promise<LicenseState[]> {
  return Promise.all(
    run.slcs.map(async (slc) => ({
      slc,
      license: await ops(run.service.url, 'GET', `/v1/licenses/${slc}`),
      installations: await opsList(run.service.url, `/v1/licenses/${slc}/installations`),
      devices: await opsList(run.service.url, `/v1/licenses/${slc}/devices`),
    })),
  );
}

/**
 * What ops see agrees with what the clients hold: the active installations are exactly those a
 * client got the secret of; each holds exactly the devices of its last answered configuration; no
 * other device is activated; the license's usage equals the sums over the activated devices and
 * stays within the entitlement.
 */
function stateProblems(run: Run, states: LicenseState[]): string[] {
  const problems: string[] = [];
  const clients = [...run.plan.setup, ...run.plan.burst.map((exchange) => exchange.installation)].filter((installation) => installation.credentials && installation.held);
  states.forEach((state, slcIndex) => {
    const own = new Map(clients.filter((installation) => installation.slc === slcIndex).map((installation) => [installation.credentials!.installationId, installation] as const));
    const active = state.installations.filter((item) => item.status === 'active');
    for (const item of active) {
      if (!own.has(item.installationId)) problems.push(`SLC ${slcIndex}: installation ${item.installationId} (server ${item.managementServer.hostname}) is active, holds ${item.devices.activated} devices, and no client got its secret`);
    }
    const expectedOwner = new Map<string, string>();
    for (const [installationId, installation] of own) {
      const item = active.find((candidate) => candidate.installationId === installationId);
      if (!item) problems.push(`SLC ${slcIndex}: ${installation.name}'s installation ${installationId} is not active`);
      else if (item.devices.activated !== installation.held!.length) problems.push(`SLC ${slcIndex}: ${installation.name} lists ${item.devices.activated} activated devices, its configuration ${installation.held!.length}`);
      for (const device of installation.held!) expectedOwner.set(device.mac, installationId);
    }
    const activated = state.devices.filter((device) => device.status === 'activated');
    const wrong = activated.filter((device) => expectedOwner.get(device.mac) !== device.installationId);
    if (wrong.length > 0) problems.push(`SLC ${slcIndex}: ${wrong.length} activated devices held by an installation whose client does not ask for them (e.g. ${wrong[0].mac} in ${wrong[0].installationId})`);
    const missing = expectedOwner.size - (activated.length - wrong.length);
    if (missing > 0) problems.push(`SLC ${slcIndex}: ${missing} devices that clients were answered as activated are not activated`);
    const held = { deviceLicenses: activated.reduce((sum, device) => sum + device.licenses, 0), devices: activated.length, installations: active.length };
    const { usage, entitlements } = state.license;
    const counted = { deviceLicenses: usage.deviceLicenses, devices: usage.devices, installations: usage.installations };
    if (JSON.stringify(counted) !== JSON.stringify(held)) problems.push(`SLC ${slcIndex}: usage ${JSON.stringify(counted)}, held ${JSON.stringify(held)}`);
    if (usage.deviceLicenses > entitlements.deviceLicenses) problems.push(`SLC ${slcIndex}: ${usage.deviceLicenses} device licenses used of ${entitlements.deviceLicenses} entitled`);
  });
  return problems;
}

/**
 * Before any retry: polls `GET /v1/licenses/{slc}` (which finishes what it meets once the crashed
 * requests' leases have run out) until each license's usage equals its activated devices and
 * active installations; the milliseconds since `from`, or null past the deadline (recorded).
 */
async function awaitExactCounters(run: Run, from: number): Promise<number | null> {
  const started = Date.now();
  for (;;) {
    const readAt = Date.now();
    const off = (await readState(run)).filter((state) => {
      const activated = state.devices.filter((device) => device.status === 'activated');
      const held = { deviceLicenses: activated.reduce((sum, device) => sum + device.licenses, 0), devices: activated.length };
      return state.license.usage.deviceLicenses !== held.deviceLicenses || state.license.usage.devices !== held.devices;
    });
    if (off.length === 0) return readAt - from;
    if (Date.now() - started > KILL_LIMITS.convergenceMs) {
      run.problems.push(`before the retries: ${off.length} licenses' usage still not their activated devices after ${KILL_LIMITS.convergenceMs} ms of license views (e.g. ${JSON.stringify(off[0]!.license.usage)})`);
      return null;
    }
    await sleep(500);
  }
}

/**
 * DynamoDB Local can lose the transaction it acknowledged last when it is killed with SIGKILL (a
 * probe of 6 concurrent writers of 3-item transactions on a table with a global secondary index, as
 * the service's has, lost exactly one acknowledged TransactWriteItems in 6 of 13 kills, always the
 * last one of its writer; 0 in 8 kills without an index); DynamoDB itself acknowledges only durable
 * writes. So in the `dynamodb` variant a request answered 2xx at most
 * this long before the kill whose effect is wholly absent, the installation exactly as before it
 * (a re-activation: the previous devices; a first activation: no installation, none of its devices),
 * is counted as lost by DynamoDB Local, not as the service's failure, and its client is taken to
 * hold what the store holds. Any other difference still fails the run.
 */
const STORE_LOSS_WINDOW_MS = 1_000;

function acknowledgedLosses(run: Run, states: LicenseState[]): Exchange[] {
  if (run.variant !== 'dynamodb' || run.killedAt === undefined) return [];
  const killedAt = run.killedAt;
  return run.plan.burst.filter((exchange) => {
    const first = exchange.answers[0]!;
    if (exchange.answers.length !== 1 || first.status === 'none' || first.status >= 300 || first.at < killedAt - STORE_LOSS_WINDOW_MS || first.at > killedAt) return false;
    const state = states[exchange.installation.slc]!;
    const id = exchange.installation.credentials?.installationId;
    if (exchange.kind === 'first') {
      const macs = new Set(exchange.devices.map((device) => device.mac));
      return !state.installations.some((item) => item.installationId === id) && !state.devices.some((device) => macs.has(device.mac) && device.status === 'activated');
    }
    const holds = state.devices.filter((device) => device.status === 'activated' && device.installationId === id).map((device) => device.mac).sort();
    const before = run.plan.setupDevices.get(exchange.installation)!.map((device) => device.mac).sort();
    return JSON.stringify(holds) === JSON.stringify(before) && JSON.stringify(before) !== JSON.stringify(exchange.devices.map((device) => device.mac).sort());
  });
}

/** The clients of requests DynamoDB Local lost: a re-activation's holds what it held before; a first activation's has no installation. */
function acceptStoreLosses(run: Run, lost: Exchange[]): void {
  for (const exchange of lost) {
    if (exchange.kind === 'first') delete exchange.installation.credentials;
    else exchange.installation.held = run.plan.setupDevices.get(exchange.installation)!;
    exchange.installation.name += ' (answer lost by DynamoDB Local)';
  }
}

/** Polls what ops see until it agrees with the clients; the milliseconds that took, or null past the deadline (its last problems recorded). */
async function awaitConvergence(run: Run, seen: string[], lost: Exchange[]): Promise<number | null> {
  const started = Date.now();
  let firstRead = true;
  for (;;) {
    const readAt = Date.now();
    const states = await readState(run);
    if (firstRead) {
      firstRead = false;
      // Judged once, on the first read after the retries: a loss leaves nothing for later reads to change.
      lost.push(...acknowledgedLosses(run, states));
      acceptStoreLosses(run, lost);
    }
    const problems = stateProblems(run, states);
    if (seen.length === 0) seen.push(...problems.slice(0, 5));
    if (problems.length === 0) return readAt - started;
    if (Date.now() - started > KILL_LIMITS.convergenceMs) {
      run.problems.push(...problems.map((problem) => `after ${KILL_LIMITS.convergenceMs} ms: ${problem}`));
      return null;
    }
    await sleep(500);
  }
}

/**
 * For a run that did not converge: for each installation whose devices are not what its client was
 * answered, the client's requests (each answer's status, ms relative to the kill, devices activated),
 * the devices ops see of it and its audit events, so that the failure can be told precisely.
 */
async function diagnose(run: Run): Promise<unknown[]> {
  const states = await readState(run);
  const findings: unknown[] = [];
  const clients = [...run.plan.setup, ...run.plan.burst.filter((exchange) => exchange.kind === 'first').map((exchange) => exchange.installation)];
  for (const installation of clients) {
    if (!installation.credentials || !installation.held) continue;
    const state = states[installation.slc]!;
    const { installationId } = installation.credentials;
    const holds = state.devices.filter((device) => device.status === 'activated' && device.installationId === installationId).map((device) => device.mac);
    const wanted = installation.held.map((device) => device.mac);
    if (holds.length === wanted.length && wanted.every((mac) => holds.includes(mac))) continue;
    const exchange = run.plan.burst.find((candidate) => candidate.installation === installation);
    const events = (await opsList(run.service.url, `/v1/licenses/${run.slcs[installation.slc]}/events`)).filter((event) => JSON.stringify(event.details ?? {}).includes(installationId));
    findings.push({
      client: installation.name,
      installationId,
      extra: holds.filter((mac) => !wanted.includes(mac)),
      missing: wanted.filter((mac) => !holds.includes(mac)).map((mac) => ({ mac, device: state.devices.find((device) => device.mac === mac) ?? null })),
      requests: exchange?.answers.map((answer) => ({
        status: answer.status,
        sentMsFromKill: answer.sentAt - (run.killedAt ?? answer.sentAt),
        answeredMsFromKill: answer.at - (run.killedAt ?? answer.at),
        activated: answer.status === 'none' ? undefined : answer.body?.devices?.filter((device: any) => device.status === 'activated').length,
        released: answer.status === 'none' ? undefined : answer.body?.released,
      })),
      sentBeforeKill: exchange?.sentBeforeKill,
      events: events.map((event) => ({ at: event.at, type: event.type, actor: event.actor })),
    });
  }
  return findings;
}

/** Every client's secret works: a signed check-in of each installation a client holds answers 200. */
async function checkIn(run: Run): Promise<void> {
  const clients = [...run.plan.setup, ...run.plan.burst.filter((exchange) => exchange.kind === 'first').map((exchange) => exchange.installation)];
  for (const installation of clients) {
    if (!installation.credentials) continue;
    const path = `/v1/installations/${installation.credentials.installationId}/license`;
    const answer = await call(run.service.url, 'GET', path, { headers: { ...run.sign(installation.credentials, 'GET', path, '') } });
    if (answer.status !== 200) run.problems.push(`${installation.name}: signed check-in ${statusKey(answer)}`);
  }
}

export async function runKillScenario(options: { seed: number; variant: KillVariant }): Promise<KillRunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `cloud-licensing-kills-${options.variant}-`));
  const service = new LocalStart({ PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), DATA_DIR: dataDir });
  const run: Run = { ...options, plan: planRun(options.seed), service, slcs: [], sign: createRequestSigner(), problems: [] };
  const tally = { convergedOnEarlier: 0, freshAfterEarlier: 0 };
  try {
    await service.start();
    await issueLicenses(run);
    await activateSetup(run);
    const killAtMs = await burstWithKill(run);
    const killedAt = Date.now();
    for (const left of await service.waitStopped()) run.problems.push(`after the kill: ${left}`);
    const restartMs = await service.start();
    const { byServer: earlier, excess: excessBeforeRetries } = await earlierInstallations(run);
    const exactWithoutRetriesMs = run.plan.opsLookFirst ? await awaitExactCounters(run, killedAt) : undefined;
    const retriesStarted = Date.now();
    const retried = await retryUnanswered(run);
    const retriesMs = Date.now() - retriesStarted;
    checkAnswers(run, earlier, retriesStarted, tally);
    const beforeConvergence: string[] = [];
    const lost: Exchange[] = [];
    const convergenceMs = await awaitConvergence(run, beforeConvergence, lost);
    const diagnostics = convergenceMs === null ? await diagnose(run) : undefined;
    const sinceKillMs = convergenceMs === null ? null : Date.now() - killedAt;
    await checkIn(run);
    for (const left of await service.stop()) run.problems.push(`after the stop: ${left}`);
    const firsts = run.plan.burst.map((exchange) => exchange.answers[0]!);
    return {
      seed: run.seed,
      variant: run.variant,
      requests: run.plan.burst.length,
      large: run.plan.burst.filter((exchange) => exchange.large).length,
      unanswered: run.plan.burst.filter((exchange) => exchange.sentBeforeKill && exchange.answers[0]!.status === 'none').length,
      largeUnanswered: run.plan.burst.filter((exchange) => exchange.large && exchange.sentBeforeKill && exchange.answers[0]!.status === 'none').length,
      sentAfterKill: run.plan.burst.filter((exchange) => !exchange.sentBeforeKill).length,
      fiveXx: firsts.filter((answer) => answer.status !== 'none' && answer.status >= 500).length,
      retried: retried.length,
      retryAttempts: retried.reduce((sum, exchange) => sum + exchange.answers.length - 1, 0),
      answers: count(firsts.map(statusKey)),
      retryAnswers: count(retried.flatMap((exchange) => exchange.answers.slice(1).map(statusKey))),
      ...tally,
      excessBeforeRetries,
      ...(exactWithoutRetriesMs === undefined ? {} : { exactWithoutRetriesMs }),
      killAtMs,
      restartMs,
      retriesMs,
      convergenceMs,
      sinceKillMs,
      beforeConvergence,
      lostByDynamoDbLocal: lost.length,
      ...(diagnostics ? { diagnostics } : {}),
      pass: run.problems.length === 0,
      problems: run.problems,
    };
  } catch (error) {
    throw new Error(`seed ${options.seed} (${options.variant}): ${(error as Error).message}\n--- npm start output ---\n${service.output.slice(-3000)}`, { cause: error });
  } finally {
    if (service.running || service.dynamodbPid() !== undefined) await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
