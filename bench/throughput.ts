import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../shared/store/client';
import type { ApiProcessSample } from './api-process';
import { devices, percentile, round, signRequest } from './support';

/**
 * Sustained activations per second of the local API under autocannon, next to DynamoDB Local's raw
 * conditional-write throughput measured in the same run with the service's client settings, and the
 * API process's memory under that load.
 *
 * The API runs in a child process (bench/api-process.ts) so that the load generator's CPU and memory
 * are not counted as the API's. The load is a mix: three of four requests are signed re-activations of
 * pre-created installations (every other one adds or drops a camera), one of four is a first
 * activation of a new installation on one of the pre-created SLCs. A second run of the same length
 * sends first activations only (the target of sustained first activations per second).
 */

interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface ApiProcess {
  child: ChildProcess;
  apiUrl: string;
  opsToken: string;
  dynamodbEndpoint: string;
  tableName: string;
  sample(): Promise<ApiProcessSample>;
  stop(): Promise<void>;
}

async function startApiProcess(): Promise<ApiProcess> {
  const child = fork(fileURLToPath(new URL('./api-process.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ apiUrl: string; opsToken: string; dynamodbEndpoint: string; tableName: string }>((resolve, reject) => {
    child.once('message', (message: any) => (message.type === 'ready' ? resolve(message) : reject(new Error('unexpected message'))));
    child.once('exit', (code) => reject(new Error(`API process exited with ${code}`)));
  });
  const waiting: Array<(sample: ApiProcessSample) => void> = [];
  child.on('message', (message: any) => {
    if (message.type === 'sample') waiting.shift()?.(message);
  });
  return {
    child,
    ...ready,
    sample: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.send({ type: 'sample' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

async function call(api: ApiProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.apiUrl}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

interface Installation {
  installationId: string;
  installationSecret: string;
  devices: ReturnType<typeof devices>;
  extra: ReturnType<typeof devices>[number];
  toggled: boolean;
}

function configuration(deviceList: unknown[]) {
  return {
    eulaVersion: '20250212',
    managementServer: { id: randomUUID(), hostname: 'bench' },
    recordingServers: [{ id: randomUUID(), failover: false }],
    devices: deviceList,
  };
}

/** SLCs with room for the whole run, and installations on them to re-activate. */
async function fixtures(api: ApiProcess, slcCount: number, installationCount: number) {
  const ops = { authorization: `Bearer ${api.opsToken}` };
  const customer = await call(api, 'POST', '/v1/customers', { name: 'Bench', country: 'DK', contacts: [{ name: 'Bench', email: 'bench@example.com' }] }, ops);
  await call(api, 'PUT', '/v1/catalog/versions/2025%20R1', { generalAvailability: '2025-02-12' }, ops);
  const slcs: string[] = [];
  for (let i = 0; i < slcCount; i++) {
    const license = await call(api, 'POST', '/v1/licenses', { customerId: customer.body.customerId, product: 'corporate', version: '2025 R1', deviceLicenses: 100_000 }, ops);
    if (license.status !== 201) throw new Error(`license: ${JSON.stringify(license.body)}`);
    slcs.push(license.body.slc);
  }
  const installations: Installation[] = [];
  for (let i = 0; i < installationCount; i++) {
    const own = devices(3);
    const first = await call(api, 'POST', '/v1/activations', { slc: slcs[i % slcs.length], ...configuration(own) });
    if (first.status !== 201) throw new Error(`activation: ${JSON.stringify(first.body)}`);
    installations.push({ installationId: first.body.installationId, installationSecret: first.body.installationSecret, devices: own, extra: devices(1)[0]!, toggled: false });
  }
  return { slcs, installations };
}

/**
 * One autocannon run; returns autocannon's result and the requests sent by kind. `mixed`: three of
 * four requests are signed re-activations, one a first activation; `first`: first activations only.
 */
async function activationLoad(api: ApiProcess, world: Awaited<ReturnType<typeof fixtures>>, options: { connections: number; seconds: number; mix: 'mixed' | 'first' }) {
  let sequence = 0;
  const sent = { first: 0, reactivation: 0 };
  const setupRequest = (request: AutocannonRequest): AutocannonRequest => {
    const n = sequence++;
    if (options.mix === 'first' || n % 4 === 3) {
      sent.first++;
      const body = JSON.stringify({ slc: world.slcs[n % world.slcs.length], ...configuration(devices(2)) });
      return { ...request, method: 'POST', path: '/v1/activations', headers: { 'content-type': 'application/json' }, body };
    }
    sent.reactivation++;
    const installation = world.installations[n % world.installations.length]!;
    installation.toggled = !installation.toggled;
    const deviceList = installation.toggled ? [...installation.devices, installation.extra] : installation.devices;
    const body = JSON.stringify({ installationId: installation.installationId, ...configuration(deviceList) });
    return {
      ...request,
      method: 'POST',
      path: '/v1/activations',
      headers: { 'content-type': 'application/json', ...signRequest(installation, 'POST', '/v1/activations', body) },
      body,
    };
  };
  const result = await autocannon({
    url: api.apiUrl,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    requests: [{ setupRequest }],
  });
  return { result, sent };
}

/** Sustained first activations only (two cameras each, spread over the run's SLCs), with the DynamoDB requests they made. */
async function firstActivationLoad(api: ApiProcess, world: Awaited<ReturnType<typeof fixtures>>, options: { connections: number; seconds: number }) {
  const before = await api.sample();
  const { result } = await activationLoad(api, world, { ...options, mix: 'first' });
  const after = await api.sample();
  const created = Number(result.statusCodeStats['201']?.count ?? 0);
  return {
    perSecond: round(created / result.duration),
    total: result.requests.total,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, stats]) => [status, Number(stats.count)])),
    errors: result.errors,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    dynamoDbRequestsPerActivation: round((after.dynamoRequests - before.dynamoRequests) / Math.max(1, result.requests.total), 1),
    dynamoDbWritesPerActivation: round((after.dynamoWrites - before.dynamoWrites) / Math.max(1, result.requests.total), 1),
    apiProcessCpuShareOfOneCore: round((after.cpuMs - before.cpuMs) / (after.at - before.at), 2),
  };
}

interface RawWriter {
  client: ReturnType<typeof createDocumentClient>;
  tableName: string;
  /** The writer's own counter item, at 0 before its first step. */
  counter: { pk: string; sk: string };
  /** A key of the writer's own for step `n`. */
  pkOf: (n: number) => string;
}

/**
 * `connections` writers straight to DynamoDB Local with the service's client settings, each
 * repeating `step` for `seconds` seconds: how many steps a second, and how long each took.
 */
async function rawLoad(api: ApiProcess, options: { connections: number; seconds: number }, step: (writer: RawWriter, n: number) => Promise<unknown>) {
  const client = createDocumentClient({ tableName: api.tableName, endpoint: api.dynamodbEndpoint });
  const tableName = api.tableName;
  const run = randomUUID();
  const latencies: number[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.connections }, async (_, index) => {
      const writer: RawWriter = { client, tableName, counter: { pk: `BENCH#${run}#${index}`, sk: 'COUNTER' }, pkOf: (n) => `BENCH#${run}#${index}#${n}` };
      await client.send(new PutCommand({ TableName: tableName, Item: { ...writer.counter, used: 0 } }));
      for (let n = 0; performance.now() < deadline; n++) {
        const t = performance.now();
        await step(writer, n);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  client.destroy();
  return { perSecond: round(latencies.length / seconds), p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2), steps: latencies.length };
}

/** The conditional increment both raw loads make of a writer's counter. */
const counterIncrement = ({ tableName, counter }: RawWriter) => ({
  TableName: tableName,
  Key: counter,
  UpdateExpression: 'SET used = used + :one',
  ConditionExpression: 'used <= :max',
  ExpressionAttributeValues: { ':one': 1, ':max': 1_000_000_000 },
});

/**
 * DynamoDB Local's raw conditional-write throughput with the service's client settings: `connections`
 * writers, each alternating a conditional PutItem of a new item and a conditional UpdateItem of its own
 * counter, for `seconds` seconds.
 */
async function rawConditionalWrites(api: ApiProcess, options: { connections: number; seconds: number }) {
  const { perSecond, p50Ms, p99Ms, steps } = await rawLoad(api, options, (writer, n) =>
    n % 2 === 0
      ? writer.client.send(
          new PutCommand({
            TableName: writer.tableName,
            Item: { pk: writer.counter.pk, sk: `ITEM#${n}`, type: 'bench', status: 'activated', licenses: 1 },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
      : writer.client.send(new UpdateCommand(counterIncrement(writer))),
  );
  return { writesPerSecond: perSecond, p50Ms, p99Ms, writes: steps };
}

/**
 * The raw floor of sustained first activations on this DynamoDB Local: `connections` writers, each
 * repeating the requests a one-device first activation cannot do without (a consistent GetItem of
 * the license, then one TransactWriteItems moving the license's counter on its condition and putting
 * the installation, the device group, the event and the management server claim), for `seconds`.
 */
async function rawFirstActivations(api: ApiProcess, options: { connections: number; seconds: number }) {
  const { steps, ...timing } = await rawLoad(api, options, async (writer, n) => {
    await writer.client.send(new GetCommand({ TableName: writer.tableName, Key: writer.counter, ConsistentRead: true }));
    await writer.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: counterIncrement(writer) },
          ...['INSTALLATION', 'DEVICEGROUP', 'EVENT', 'CLAIM'].map((kind) => ({
            Put: { TableName: writer.tableName, Item: { pk: writer.pkOf(n), sk: kind, at: Date.now() }, ConditionExpression: 'attribute_not_exists(pk)' },
          })),
        ],
      }),
    );
  });
  return { ...timing, runs: steps };
}

/** Samples the API process every 250 ms while `work` runs. */
async function withMemorySamples<T>(api: ApiProcess, work: Promise<T>) {
  const samples: ApiProcessSample[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) {
      samples.push(await api.sample());
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const result = await work.finally(() => (done = true));
  await sampler;
  return { result, samples };
}

const mib = (bytes: number) => round(bytes / 1024 / 1024, 1);

export async function throughputBench(options: { quick: boolean }) {
  const connections = 8;
  const seconds = options.quick ? 5 : 30;
  const api = await startApiProcess();
  try {
    const world = await fixtures(api, options.quick ? 10 : 20, options.quick ? 40 : 120);
    // Warm-up of both paths (JIT, DynamoDB Local's caches), not measured.
    await activationLoad(api, world, { connections, seconds: options.quick ? 2 : 5, mix: 'mixed' });
    await rawConditionalWrites(api, { connections, seconds: options.quick ? 1 : 3 });

    const idle = await api.sample();
    const before = await api.sample();
    const { result: load, samples } = await withMemorySamples(api, activationLoad(api, world, { connections, seconds, mix: 'mixed' }));
    const after = await api.sample();
    const firstOnly = await firstActivationLoad(api, world, { connections, seconds });
    const { result } = load;
    const ok = Object.entries(result.statusCodeStats)
      .filter(([status]) => Number(status) < 300)
      .reduce((sum, [, stats]) => sum + Number(stats.count), 0);
    const activationsPerSecond = ok / result.duration;
    const requests = after.dynamoRequests - before.dynamoRequests;
    const writes = after.dynamoWrites - before.dynamoWrites;

    const raw = await rawConditionalWrites(api, { connections, seconds: options.quick ? 5 : 15 });
    const rawFirst = await rawFirstActivations(api, { connections, seconds: options.quick ? 5 : 15 });
    const writesPerActivation = writes / Math.max(1, result.requests.total);
    return {
      method: {
        connections,
        seconds,
        mix: `${load.sent.reactivation} signed re-activations (every other one adds or drops a camera) and ${load.sent.first} first activations of 2 cameras`,
        slcs: world.slcs.length,
        installationsReactivated: world.installations.length,
      },
      activations: {
        perSecond: round(activationsPerSecond),
        total: result.requests.total,
        succeeded: ok,
        statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, stats]) => [status, Number(stats.count)])),
        errors: result.errors,
        timeouts: result.timeouts,
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
        latencyMaxMs: result.latency.max,
        dynamoDbRequestsPerActivation: round(requests / Math.max(1, result.requests.total), 1),
        dynamoDbWritesPerActivation: round(writesPerActivation, 1),
      },
      firstActivationsOnly: { ...firstOnly, ratioToRawFloor: round(firstOnly.perSecond / rawFirst.perSecond, 2) },
      dynamoDbLocalRawFirstActivationFloor: rawFirst,
      dynamoDbLocalRawConditionalWrites: raw,
      /** Activations per second if DynamoDB Local's write rate were the only limit (writes only; the reads come on top). */
      ceilingFromWritesPerSecond: round(raw.writesPerSecond / writesPerActivation),
      /** Share of one core the API process used during the run (the machine has two, shared with DynamoDB Local and the load generator). */
      apiProcessCpuShareOfOneCore: round((after.cpuMs - before.cpuMs) / (after.at - before.at), 2),
      apiProcessMemory: {
        idleRssMiB: mib(idle.rssBytes),
        idleHeapUsedMiB: mib(idle.heapUsedBytes),
        underLoadRssMiBMax: mib(Math.max(...samples.map((s) => s.rssBytes))),
        underLoadRssMiBMedian: mib(percentile(samples.map((s) => s.rssBytes), 50)),
        underLoadHeapUsedMiBMax: mib(Math.max(...samples.map((s) => s.heapUsedBytes))),
        underLoadHeapUsedMiBMedian: mib(percentile(samples.map((s) => s.heapUsedBytes), 50)),
        afterRssMiB: mib(after.rssBytes),
        samples: samples.length,
      },
    };
  } finally {
    await api.stop();
  }
}
