import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DEPLOYED_BUNDLE_OPTIONS } from '../cdk/bundling';
import { PROJECT_ROOT } from '../cdk/config';
import { freePort } from '../local/dynamodb-local';
import { coldStart, type PoolOptions } from '../local/bundles/pool';
import { startBundleRuntime, type BundleRuntime } from '../local/bundles/runtime';
import { hmacSha256, randomToken, sha256Hex } from '../shared/crypto';

/** The floor: a bundle of the bare DynamoDB client whose handler makes one GetItem, bundled like the functions. */
const BARE_HANDLER = `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async () => {
  await client.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { pk: { S: 'HEALTH' }, sk: { S: 'HEALTH' } } }));
  return { statusCode: 200, body: '{}' };
};
`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const round = (value: number) => Math.round(value * 10) / 10;

interface Request {
  method: string;
  path: string;
  routePath: string;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

function eventOf(request: Request): APIGatewayProxyEventV2 {
  const routeKey = `${request.method} ${request.routePath}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: request.path,
    rawQueryString: '',
    headers: { host: '127.0.0.1', ...(request.body ? { 'content-type': 'application/json' } : {}), ...request.headers },
    pathParameters: request.pathParameters,
    body: request.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: 'local',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

const signedHeaders = (credentials: { installationId: string; installationSecret: string }, method: string, path: string, body = '') => {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'x-installation-id': credentials.installationId,
    'x-timestamp': timestamp,
    'x-signature': hmacSha256(credentials.installationSecret, `${timestamp}\n${method}\n${path}\n${sha256Hex(body)}`).toString('hex'),
  };
};

/** Each function's first request: one that reaches its secrets, and for the signing functions the signing key in KMS. */
async function firstRequests(runtime: BundleRuntime): Promise<Record<string, () => Request>> {
  const call = async (method: string, path: string, body?: unknown, token = runtime.opsToken) => {
    const response = await fetch(`${runtime.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Record<string, any>;
  };
  await call('PUT', `/v1/catalog/versions/${encodeURIComponent('2026 R1')}`, { generalAvailability: '2026-02-10' });
  const partner = await call('POST', '/v1/partners', { name: 'Bench Partner' });
  const customer = await call('POST', '/v1/customers', { name: 'Bench', country: 'DK', contacts: [{ name: 'B', email: 'b@example.com' }], partnerId: partner.partnerId });
  const license = async () => (await call('POST', '/v1/licenses', { customerId: customer.customerId, product: 'corporate', version: '2026 R1', deviceLicenses: 1000 })).slc as string;
  const installationBody = (slc: string) =>
    JSON.stringify({
      slc,
      eulaVersion: '20250212',
      managementServer: { id: randomUUID(), hostname: 'bench' },
      recordingServers: [{ id: randomUUID(), failover: false }],
      devices: [{ mac: '02:00:00:00:00:01', name: 'c', kind: 'camera', ipAddresses: ['10.0.0.1'], videoChannels: 1, connection: 'direct', supportedDeviceList: { listed: true } }],
    });
  const activated = (await (await fetch(`${runtime.apiUrl}/v1/activations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: installationBody(await license()) })).json()) as {
    installationId: string;
    installationSecret: string;
  };
  const slcs: string[] = [];
  for (let index = 0; index < 20; index++) slcs.push(await license());
  return {
    Public: () => ({ method: 'GET', path: '/v1/health', routePath: '/v1/health' }),
    Ops: () => ({ method: 'GET', path: `/v1/customers/${customer.customerId}`, routePath: '/v1/customers/{customerId}', pathParameters: { customerId: customer.customerId }, headers: { authorization: `Bearer ${runtime.opsToken}` } }),
    Partner: () => ({ method: 'GET', path: '/v1/partner/customers', routePath: '/v1/partner/customers', headers: { authorization: `Bearer ${partner.apiKey}` } }),
    Activation: () => ({ method: 'POST', path: '/v1/activations', routePath: '/v1/activations', body: installationBody(slcs.pop()!) }),
    Installation: () => {
      const path = `/v1/installations/${activated.installationId}/license`;
      return { method: 'GET', path, routePath: '/v1/installations/{installationId}/license', pathParameters: { installationId: activated.installationId }, headers: signedHeaders(activated, 'GET', path) };
    },
  };
}

export interface ColdStartFigures {
  name: string;
  initMs: number;
  firstRequestMs: number;
  totalMs: number;
  /** totalMs over the bare DynamoDB client bundle's (target: ≤ 1.3). */
  ratio: number;
  /** initMs (module load alone) over the bare bundle's. */
  initRatio: number;
}

/**
 * Cold start where it counts: for each bundle of the synthesized template, fresh execution
 * environments of the bundle runtime, each measured from process start to its module loaded (init)
 * and through its first request (secret and key fetches from the stand-ins included), next to a
 * bare @aws-sdk/client-dynamodb bundle making one GetItem in the same kind of environment. Medians.
 */
export async function coldStartBench(options: { runs: number }): Promise<ColdStartFigures[]> {
  const runtime = await startBundleRuntime({ port: await freePort(), dynamodbPort: await freePort(), dataDir: ':memory:', warm: false, log: () => undefined });
  const bareDir = mkdtempSync(join(tmpdir(), 'cloud-licensing-bare-'));
  try {
    const requests = await firstRequests(runtime);
    await build({
      stdin: { contents: BARE_HANDLER, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: 'bare.ts' },
      absWorkingDir: PROJECT_ROOT,
      outfile: join(bareDir, 'index.mjs'),
      ...DEPLOYED_BUNDLE_OPTIONS,
      logLevel: 'error',
    });
    const measured: Array<{ name: string; options: PoolOptions; event: () => unknown }> = [];
    for (const [id, fn] of runtime.functions) {
      const name = Object.keys(requests).find((prefix) => id.startsWith(prefix));
      if (!name) throw new Error(`No first request for function ${id}`);
      measured.push({ name, options: fn.pool.options, event: () => eventOf(requests[name]!()) });
    }
    const publicFn = [...runtime.functions.values()].find(({ definition }) => definition.logicalId.startsWith('Public'))!;
    const bareKey = `ASIA${randomToken(12).toUpperCase().replace(/[^A-Z0-9]/g, 'X').slice(0, 16)}`;
    const bareSecrets = { secretAccessKey: randomToken(30), sessionToken: randomToken(48) };
    runtime.standIns.callers.register(bareKey, { name: 'BareDynamoDB', ...bareSecrets });
    measured.unshift({
      name: 'bare-client-dynamodb',
      options: {
        ...publicFn.pool.options,
        name: 'BareDynamoDB',
        taskRoot: bareDir,
        environment: {
          ...publicFn.environment,
          LAMBDA_TASK_ROOT: bareDir,
          AWS_ACCESS_KEY_ID: bareKey,
          AWS_SECRET_ACCESS_KEY: bareSecrets.secretAccessKey,
          AWS_SESSION_TOKEN: bareSecrets.sessionToken,
        },
      },
      event: () => ({}),
    });
    const samples = new Map<string, Array<{ initMs: number; firstRequestMs: number }>>();
    // Interleaved, so that a busy moment of the machine falls on every bundle alike.
    for (let run = 0; run < options.runs; run++) {
      for (const entry of measured) {
        const sample = await coldStart(entry.options, entry.event());
        const status = (sample.result as APIGatewayProxyStructuredResultV2).statusCode;
        if (status !== undefined && status >= 300) throw new Error(`${entry.name}'s first request answered ${status}: ${(sample.result as { body?: string }).body}`);
        samples.set(entry.name, [...(samples.get(entry.name) ?? []), sample]);
      }
    }
    const figures = [...samples].map(([name, values]) => {
      const initMs = median(values.map((value) => value.initMs));
      const firstRequestMs = median(values.map((value) => value.firstRequestMs));
      const totalMs = median(values.map((value) => value.initMs + value.firstRequestMs));
      return { name, initMs: round(initMs), firstRequestMs: round(firstRequestMs), totalMs: round(totalMs), ratio: 0, initRatio: 0 };
    });
    const bare = figures.find((entry) => entry.name === 'bare-client-dynamodb')!;
    for (const entry of figures) {
      entry.ratio = Math.round((entry.totalMs / bare.totalMs) * 100) / 100;
      entry.initRatio = Math.round((entry.initMs / bare.initMs) * 100) / 100;
    }
    return figures;
  } finally {
    rmSync(bareDir, { recursive: true, force: true });
    await runtime.stop();
  }
}
