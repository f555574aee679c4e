import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, inject, it } from 'vitest';
import { createLocalServer } from '../../local/server';
import { lambdaHandlers } from '../../local/handlers';
import type { AssetHandler } from '../../local/dashboard-assets';
import { createRequestSigner, requestSignature } from '../../shared/request-signing';
import { TEST_OPS_TOKEN } from './setup';
import { contractViolation, type RecordedExchange } from './openapi-contract';

/**
 * `API_RUNTIME=bundles` (the vitest project `bundles`): the API is served by the bundle runtime
 * (local/bundles/), through the synthesized Lambda bundles and the AWS stand-ins, instead of the
 * handlers in this process. Tests that change the service from inside the process (its clock, its
 * notifier, its logger, DynamoDB faults, its environment) cannot reach the workers: they run in the
 * embedded runtime only (`inProcess`).
 */
export const BUNDLE_RUNTIME = process.env.API_RUNTIME === 'bundles';

/** A test that changes the service from inside the test process: skipped in the bundle runtime. */
export const inProcess = { it: it.skipIf(BUNDLE_RUNTIME) };

/** The lines the bundle runtime's functions logged in this test file (empty in the embedded runtime). */
export const functionLogs: Array<{ functionId: string; line: string }> = [];

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface InstallationCredentials {
  installationId: string;
  installationSecret: string;
}

export interface Api {
  url: string;
  /** The bundle runtime serving the API (API_RUNTIME=bundles only): its stand-ins, recorded calls and functions. */
  bundles?: import('../../local/bundles/runtime').BundleRuntime;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResult<T>>;
  ops<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResult<T>>;
  signed<T = any>(
    credentials: InstallationCredentials,
    method: string,
    path: string,
    body?: unknown,
    options?: { timestamp?: number; headers?: Record<string, string> },
  ): Promise<ApiResult<T>>;
}

export const signature = requestSignature;

/** Signs afresh for every request: the service accepts each signature once (API.md §2). */
export const signRequest = createRequestSigner();

/**
 * Serves the Lambda handlers over HTTP on a random port for the test file, as `npm start` does.
 * Every response the file's tests receive is recorded, and after the file they are replayed against
 * the OpenAPI document (test/support/openapi-contract.ts): an undocumented status or error code, or
 * a body that does not match its schema, fails the file. Each test file (fork) checks its own traffic.
 */
export function useApi(options: { assets?: () => AssetHandler } = {}): Api {
  let server: Server;
  const traffic: RecordedExchange[] = [];
  const api: Api = {
    url: '',
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const response = await fetch(`${api.url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      traffic.push({ method: method.toUpperCase(), path, status: response.status, body: parsed });
      return { status: response.status, body: parsed as any, headers: response.headers };
    },
    ops(method, path, body, headers) {
      return api.request(method, path, { body, token: TEST_OPS_TOKEN, headers });
    },
    signed(credentials, method, path, body, options = {}) {
      const rawBody = body === undefined ? '' : JSON.stringify(body);
      const signed =
        options.timestamp === undefined
          ? signRequest(credentials, method, path, rawBody)
          : {
              'x-installation-id': credentials.installationId,
              'x-timestamp': String(options.timestamp),
              'x-signature': signature(credentials.installationSecret, options.timestamp, method, path, rawBody),
            };
      return api.request(method, path, {
        rawBody: rawBody || undefined,
        headers: {
          ...(rawBody ? { 'content-type': 'application/json' } : {}),
          ...signed,
          ...(options.headers ?? {}),
        },
      });
    },
  };
  let runtime: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    if (BUNDLE_RUNTIME) {
      const { startBundleRuntime } = await import('../../local/bundles/runtime');
      const started = await startBundleRuntime({
        port: 0,
        dynamodbPort: 0,
        dataDir: ':memory:',
        dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT,
        tableName: process.env.TABLE_NAME,
        opsToken: TEST_OPS_TOKEN,
        installationKey: process.env.INSTALLATION_KEY,
        assembly: inject('bundleAssembly'),
        warm: false,
        assets: options.assets?.(),
        userPoolEnvironment: inject('userPoolEnvironment'),
        log: (functionId, line) => functionLogs.push({ functionId, line }),
      });
      runtime = started;
      api.bundles = started;
      api.url = started.apiUrl;
      return;
    }
    server = createLocalServer(lambdaHandlers, { assets: options.assets?.() });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (runtime) {
      await runtime.stop();
    } else {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const violations = [...new Set(traffic.map(contractViolation).filter((violation) => violation !== undefined))];
    if (violations.length > 0) {
      throw new Error(`${violations.length} recorded responses do not match the OpenAPI document:\n${violations.slice(0, 20).join('\n')}`);
    }
  });
  return api;
}
