import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hmacSha256, sha256Hex } from '../shared/crypto';

/**
 * The post-deploy smoke test (API.md §14): checks a running cell end to end through its HTTP API —
 * health, keys, a throw-away customer, a license, the first activation, a signed check-in, a
 * re-activation and the revocation — one line per check, `N passed, M failed` last. It leaves
 * nothing active behind: its license is revoked, also when a check in between failed.
 *
 *   npm run smoke -- --url <base URL> --ops-token <token> [--version "2025 R1"]
 *
 * The license is issued on the newest catalog version whose activation window is open, or on
 * `--version`; the catalog is never changed.
 */
export interface SmokeOptions {
  url: string;
  opsToken: string;
  version?: string;
  print?: (line: string) => void;
}

export interface SmokeResult {
  passed: number;
  failed: number;
  lines: string[];
}

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers are checked field by field
}

class CheckFailed extends Error {}

const describe = (answer: Answer) =>
  `HTTP ${answer.status}${answer.body?.error ? ` ${answer.body.error.code}: ${answer.body.error.message}` : ''}`;

function expectStatus(answer: Answer, status: number): void {
  if (answer.status !== status) throw new CheckFailed(`expected ${status}, got ${describe(answer)}`);
}

/** Verifies a license document (compact JWS, EdDSA) against the cell's published keys. */
function verifyDocument(jws: unknown, keys: Array<Record<string, string>>): Record<string, unknown> {
  if (typeof jws !== 'string') throw new CheckFailed('the answer has no license document');
  const [header, payload, signature] = jws.split('.');
  const { kid, alg } = JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as { kid?: string; alg?: string };
  if (alg !== 'EdDSA') throw new CheckFailed(`the license document is signed with ${alg}, not EdDSA`);
  const jwk = keys.find((key) => key.kid === kid);
  if (!jwk) throw new CheckFailed(`the license document's key ${kid} is not published at GET /v1/keys`);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x! }, format: 'jwk' });
  if (!verify(null, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature ?? '', 'base64url'))) {
    throw new CheckFailed('the license document does not verify against its published key');
  }
  return JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
}

export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const base = options.url.replace(/\/+$/, '');
  const print = options.print ?? ((line: string) => console.log(line));
  const lines: string[] = [];
  let passed = 0;
  let failed = 0;
  const report = (line: string) => {
    lines.push(line);
    print(line);
  };

  const request = async (method: string, path: string, init: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {}): Promise<Answer> => {
    const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  };
  const ops = (method: string, path: string, body?: unknown) => request(method, path, { body, token: options.opsToken });
  // A signature is accepted once (API.md §2): two requests in the same second with the same path and body need distinct timestamps.
  let lastTimestamp = 0;
  const signed = (credentials: { installationId: string; installationSecret: string }, method: string, path: string, body?: unknown) => {
    const raw = body === undefined ? '' : JSON.stringify(body);
    lastTimestamp = Math.max(Math.floor(Date.now() / 1000), lastTimestamp + 1);
    const timestamp = String(lastTimestamp);
    const signature = hmacSha256(credentials.installationSecret, `${timestamp}\n${method}\n${path}\n${sha256Hex(raw)}`).toString('hex');
    return request(method, path, {
      raw: raw || undefined,
      headers: { 'x-installation-id': credentials.installationId, 'x-timestamp': timestamp, 'x-signature': signature },
    });
  };

  const state: {
    keys?: Array<Record<string, string>>;
    customerId?: string;
    slc?: string;
    installation?: { installationId: string; installationSecret: string };
    activation?: Record<string, unknown>;
  } = {};
  const check = async (name: string, needs: Array<keyof typeof state>, run: () => Promise<string | void>) => {
    const missing = needs.filter((need) => state[need] === undefined);
    if (missing.length > 0) {
      failed++;
      report(`FAIL ${name}: not run, it needs ${missing.join(', ')} from an earlier check`);
      return;
    }
    try {
      const detail = await run();
      passed++;
      report(`ok   ${name}${detail ? `: ${detail}` : ''}`);
    } catch (error) {
      failed++;
      report(`FAIL ${name}: ${error instanceof CheckFailed ? error.message : `${(error as Error).name}: ${(error as Error).message}`}`);
    }
  };

  const body = (devices: number) => ({
    eulaVersion: undefined as string | undefined,
    managementServer: { id: randomUUID(), hostname: 'smoke-test' },
    recordingServers: [{ id: randomUUID(), failover: false }],
    devices: Array.from({ length: devices }, (_, index) => ({
      mac: `02:53:4d:00:00:${index.toString(16).padStart(2, '0')}`,
      name: `Smoke camera ${index + 1}`,
      kind: 'camera',
      ipAddresses: [`10.99.0.${index + 1}`],
      videoChannels: 1,
      connection: 'direct',
      supportedDeviceList: { listed: true },
    })),
  });
  const activation = body(1);

  await check('health', [], async () => {
    const answer = await request('GET', '/v1/health');
    expectStatus(answer, 200);
    if (answer.body?.status !== 'ok') throw new CheckFailed(`status is ${JSON.stringify(answer.body?.status)}`);
  });
  await check('keys', [], async () => {
    const answer = await request('GET', '/v1/keys');
    expectStatus(answer, 200);
    if (!Array.isArray(answer.body?.keys)) throw new CheckFailed('the answer has no keys array');
    state.keys = answer.body.keys;
    return `${answer.body.keys.length} published`;
  });
  await check('throw-away customer', [], async () => {
    const answer = await ops('POST', '/v1/customers', {
      name: `Smoke test ${new Date().toISOString()}`,
      country: 'DK',
      contacts: [{ name: 'Smoke Test', email: 'smoke-test@example.invalid' }],
    });
    expectStatus(answer, 201);
    if (answer.body.verification !== 'verified') throw new CheckFailed(`the customer is ${answer.body.verification}`);
    state.customerId = answer.body.customerId;
    return answer.body.customerId;
  });
  await check('license', ['customerId'], async () => {
    let version = options.version;
    if (!version) {
      const open: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await ops('GET', `/v1/catalog/versions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expectStatus(page, 200);
        for (const entry of page.body.items) if (Date.parse(entry.activationAvailableUntil) > Date.now()) open.push(entry.version);
        cursor = page.body.nextCursor;
      } while (cursor);
      version = open.at(-1);
      if (!version) throw new CheckFailed('the catalog has no version with an open activation window (PUT /v1/catalog/versions/{version}, or pass --version)');
    }
    const eulas = await ops('GET', '/v1/catalog/eulas');
    activation.eulaVersion = eulas.status === 200 ? eulas.body.items?.find((entry: { status: string }) => entry.status === 'current')?.eulaVersion : undefined;
    activation.eulaVersion ??= '20250212';
    const answer = await ops('POST', '/v1/licenses', { customerId: state.customerId, product: 'professional-plus', version, deviceLicenses: 2 });
    expectStatus(answer, 201);
    state.slc = answer.body.slc;
    return `${answer.body.product} ${answer.body.version}`;
  });
  await check('first activation', ['slc', 'keys'], async () => {
    const answer = await request('POST', '/v1/activations', { body: { slc: state.slc, ...activation } });
    expectStatus(answer, 201);
    if (answer.body.status !== 'activated') throw new CheckFailed(`the activation is ${answer.body.status}`);
    if (typeof answer.body.installationSecret !== 'string') throw new CheckFailed('the answer has no installation secret');
    const keys = await request('GET', '/v1/keys');
    verifyDocument(answer.body.license, keys.body?.keys ?? []);
    state.installation = { installationId: answer.body.installationId, installationSecret: answer.body.installationSecret };
    state.activation = answer.body;
    return `${answer.body.installationId}, license document verified`;
  });
  await check('signed check-in', ['installation'], async () => {
    const path = `/v1/installations/${state.installation!.installationId}/license`;
    const answer = await signed(state.installation!, 'GET', path);
    expectStatus(answer, 200);
    const keys = await request('GET', '/v1/keys');
    const payload = verifyDocument(answer.body.license, keys.body?.keys ?? []);
    if (payload.installationId !== state.installation!.installationId) throw new CheckFailed('the document names another installation');
    return 'license document verified';
  });
  await check('re-activation', ['installation'], async () => {
    const { managementServer, recordingServers, eulaVersion } = activation;
    const answer = await signed(state.installation!, 'POST', '/v1/activations', {
      installationId: state.installation!.installationId,
      eulaVersion,
      managementServer,
      recordingServers,
      devices: body(2).devices,
    });
    expectStatus(answer, 200);
    const activated = (answer.body.devices as Array<{ status: string }>).filter((device) => device.status === 'activated').length;
    if (activated !== 2) throw new CheckFailed(`${activated} of 2 devices activated`);
    return '2 devices activated';
  });
  await check('revoke', ['slc'], async () => {
    const answer = await ops('POST', `/v1/licenses/${state.slc}/revoke`, { reason: 'other', note: 'post-deploy smoke test' });
    expectStatus(answer, 200);
    if (answer.body.status !== 'revoked') throw new CheckFailed(`the license is ${answer.body.status}`);
    if (state.installation) {
      const refused = await signed(state.installation, 'GET', `/v1/installations/${state.installation.installationId}/license`);
      if (refused.status !== 403 || refused.body?.error?.code !== 'license_revoked') throw new CheckFailed(`a check-in after revocation answered ${describe(refused)}`);
    }
    return `${state.slc} revoked`;
  });

  report(`${passed} passed, ${failed} failed`);
  return { passed, failed, lines };
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  let values: { url?: string; 'ops-token'?: string; version?: string };
  try {
    ({ values } = parseArgs({ options: { url: { type: 'string' }, 'ops-token': { type: 'string' }, version: { type: 'string' } } }));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  if (!values.url || !values['ops-token']) {
    console.error('usage: npm run smoke -- --url <base URL> --ops-token <token> [--version "<YYYY R1>"]');
    process.exit(2);
  }
  const result = await runSmoke({ url: values.url, opsToken: values['ops-token'], version: values.version }).catch((error: Error) => {
    console.error(`smoke test could not run: ${error.message}`);
    process.exit(1);
  });
  process.exit(result.failed === 0 ? 0 : 1);
}
