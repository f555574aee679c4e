import { randomUUID } from 'node:crypto';
import { createRequestSigner } from '../shared/request-signing';
import { store } from '../shared/store/client';
import { freePort } from '../local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../local/stack';

export interface DynamoTrace {
  requests: number;
  /** Milliseconds during which at least one DynamoDB request was in flight. */
  busyMs: number;
}

/**
 * Wraps the service's DynamoDB client: counts requests and measures the time during which at
 * least one was in flight (the floor an activation cannot go below on this database).
 */
export function traceDynamo() {
  let inFlight = 0;
  let busySince = 0;
  const trace: DynamoTrace = { requests: 0, busyMs: 0 };
  store().client.middlewareStack.add(
    (next) => async (args) => {
      trace.requests++;
      if (inFlight++ === 0) busySince = performance.now();
      try {
        return await next(args);
      } finally {
        if (--inFlight === 0) trace.busyMs += performance.now() - busySince;
      }
    },
    { step: 'finalizeRequest', name: 'benchTrace', priority: 'low' },
  );
  return {
    take(): DynamoTrace {
      const snapshot = { ...trace };
      trace.requests = 0;
      trace.busyMs = 0;
      return snapshot;
    },
  };
}

/**
 * Waits until the stack's event pipeline has published every record written so far: what a bench
 * creates to measure on (a license, an earlier sample) is otherwise fanned out to webhooks while the
 * next request is timed, on the same DynamoDB Local and the same event loop.
 */
export const quiet = (stack: LocalStack) => stack.events.publisher.drained();

export async function startBenchStack(): Promise<LocalStack> {
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  return startLocalStack({ port: await freePort(), dynamodbPort: await freePort(), dataDir: ':memory:' });
}

export async function call(stack: LocalStack, method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Signs afresh for every request: the service accepts each signature once (API.md §2). */
export const signRequest = createRequestSigner();

/** A request signed as an installation (API.md §2). */
export async function callSigned(stack: LocalStack, credentials: { installationId: string; installationSecret: string }, method: string, path: string, body: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...signRequest(credentials, method, path, text) },
    ...(text ? { body: text } : {}),
  });
  const answer = await response.text();
  return { status: response.status, body: answer ? JSON.parse(answer) : undefined };
}

let macCounter = 0;
export function devices(count: number) {
  return Array.from({ length: count }, () => {
    const n = ++macCounter;
    return {
      mac: ['02', 'be', ...[24, 16, 8, 0].map((s) => ((n >> s) & 255).toString(16).padStart(2, '0'))].join(':'),
      kind: 'camera',
      ipAddresses: ['10.1.0.1'],
      videoChannels: 1,
      connection: 'direct',
      supportedDeviceList: { listed: true },
    };
  });
}

export function activationBody(slc: string, deviceList: unknown[]) {
  return {
    slc,
    eulaVersion: '20250212',
    managementServer: { id: randomUUID(), hostname: 'bench' },
    recordingServers: [{ id: randomUUID(), failover: false }],
    devices: deviceList,
  };
}

export async function newLicense(stack: LocalStack, deviceLicenses: number): Promise<string> {
  const customer = await call(stack, 'POST', '/v1/customers', { name: 'Bench', country: 'DK', contacts: [{ name: 'Bench Admin', email: 'bench@example.com' }] }, stack.opsToken);
  await call(stack, 'PUT', '/v1/catalog/versions/2025%20R1', { generalAvailability: '2025-02-12' }, stack.opsToken);
  const license = await call(
    stack,
    'POST',
    '/v1/licenses',
    { customerId: customer.body.customerId, product: 'corporate', version: '2025 R1', deviceLicenses },
    stack.opsToken,
  );
  if (license.status !== 201) throw new Error(`license not created: ${JSON.stringify(license.body)}`);
  return license.body.slc;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));
