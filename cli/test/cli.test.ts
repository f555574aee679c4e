import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useApi } from '../../test/support/api';
import { TEST_OPS_TOKEN } from '../../test/support/setup';
import { activateFirst, camera } from '../../test/support/licensing';

const api = useApi();
const bin = resolve(import.meta.dirname, '../bin/cloud-licensing.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command as a person would (`npx --no -- cloud-licensing …`), or its bin directly (faster). */
function run(args: string[], options: { npx?: boolean; env?: Record<string, string> } = {}): Promise<Run> {
  const [file, argv] = options.npx ? ['npx', ['--no', '--', 'cloud-licensing', ...args]] : [process.execPath, [bin, ...args]];
  return new Promise((done) => {
    execFile(file, argv, { env: { ...process.env, LICENSING_TOKEN: '', ...options.env }, cwd: resolve(import.meta.dirname, '../..') }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const ops = (...args: string[]) => run(['--url', api.url, '--token', TEST_OPS_TOKEN, ...args]);
const opsJson = async (...args: string[]) => {
  const result = await ops(...args, '--json');
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout);
};

describe('cloud-licensing against the local API', () => {
  it('runs the back office: partner, customer, catalog, license, changes, devices, events, credentials, release, transfer, revoke', async () => {
    const viaNpx = await run(['--url', api.url, '--json', 'partners', 'create', '--name', 'Nordic Security Partners'], {
      npx: true,
      env: { LICENSING_TOKEN: TEST_OPS_TOKEN },
    });
    expect(viaNpx.code, viaNpx.stderr).toBe(0);
    const partner = JSON.parse(viaNpx.stdout);
    expect(partner).toEqual({ partnerId: expect.any(String), name: 'Nordic Security Partners', apiKey: expect.any(String) });

    const customer = await opsJson('customers', 'create', '--name', 'Harbour Logistics A/S', '--country', 'DK', '--contact-name', 'Ida Jensen', '--contact-email', 'ida@example.com', '--partner-id', partner.partnerId);
    expect(customer).toMatchObject({ name: 'Harbour Logistics A/S', partnerId: partner.partnerId, verification: 'verified' });
    expect(await opsJson('customers', 'show', customer.customerId)).toEqual((await api.ops('GET', `/v1/customers/${customer.customerId}`)).body);
    const shown = await ops('customers', 'show', customer.customerId);
    expect(shown.stdout).toMatch(/^verification\s+verified$/m);

    expect(await opsJson('catalog', 'set-version', '2031 R2', '--general-availability', '2031-06-01')).toEqual({
      version: '2031 R2',
      generalAvailability: '2031-06-01',
      activationAvailableUntil: '2041-06-01',
    });
    const versions = await ops('catalog', 'versions');
    expect(versions.stdout.split('\n')[0]).toMatch(/^version\s+generalAvailability\s+activationAvailableUntil$/);
    expect(versions.stdout).toMatch(/^2031 R2\s+2031-06-01\s+2041-06-01$/m);

    const license = await opsJson('licenses', 'issue', '--customer-id', customer.customerId, '--product', 'expert', '--version', '2031 R2', '--device-licenses', '50');
    expect(license).toMatchObject({ product: 'expert', version: '2031 R2', entitlements: { deviceLicenses: 50 } });
    const slc: string = license.slc;
    expect((await ops('licenses', 'show', slc)).stdout).toMatch(new RegExp(`^slc\\s+${slc}$`, 'm'));
    expect((await opsJson('licenses', 'patch', slc, '--device-licenses', '60')).entitlements.deviceLicenses).toBe(60);
    expect((await opsJson('licenses', 'care-plus', slc, '--valid-until', '2027-12-31')).carePlus.validUntil).toBe('2027-12-31T23:59:59.999Z');

    const installation = await activateFirst(api, slc, [camera({ mac: '00:11:22:33:55:01' })]);
    const devices = await opsJson('licenses', 'devices', slc);
    expect(devices.items.map((device: any) => device.mac)).toEqual(['00:11:22:33:55:01']);
    expect((await ops('licenses', 'events', slc)).stdout).toMatch(/license\.created/);
    const credentials = await opsJson('installations', 'credentials', installation.installationId);
    expect(credentials).toEqual({ installationId: installation.installationId, installationSecret: expect.any(String) });
    expect(await ops('installations', 'release', installation.installationId)).toMatchObject({ code: 0 });

    const other = await opsJson('customers', 'create', '--name', 'Fjord Freight', '--country', 'NO', '--contact-name', 'Ola', '--contact-email', 'ola@example.com');
    expect((await opsJson('licenses', 'transfer', slc, '--to-customer-id', other.customerId)).customerId).toBe(other.customerId);
    expect((await opsJson('licenses', 'revoke', slc, '--reason', 'other')).status).toBe('revoked');

    const again = await ops('licenses', 'revoke', slc, '--reason', 'other');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: license_revoked: /m);
  });

  it('verifies license documents against GET /v1/keys of --url: a JWS, a file with one, an API answer; refuses a changed one', async () => {
    const license = await api.ops('POST', '/v1/customers', { name: 'V', country: 'DK', contacts: [{ name: 'A', email: 'a@example.com' }] });
    await api.ops('PUT', '/v1/catalog/versions/2032%20R1', { generalAvailability: '2032-02-01' });
    const issued = await api.ops('POST', '/v1/licenses', { customerId: license.body.customerId, product: 'corporate', version: '2032 R1', deviceLicenses: 5 });
    const activation = await activateFirst(api, issued.body.slc, [camera({ mac: '00:11:22:33:56:01' })]);
    const jws: string = activation.body.license;

    const direct = await run(['verify', jws, '--url', api.url]);
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toMatch(new RegExp(`^slc\\s+${issued.body.slc}$`, 'm'));
    expect(direct.stdout).toMatch(/^valid\s+yes$/m);

    const dir = mkdtempSync(join(tmpdir(), 'cl-cli-'));
    writeFileSync(join(dir, 'license.jws'), `${jws}\n`);
    writeFileSync(join(dir, 'activation.json'), JSON.stringify(activation.body));
    writeFileSync(join(dir, 'license-file.json'), JSON.stringify({ format: 'cloud-licensing.license-file.v1', installationId: activation.installationId, activation: activation.body }));
    for (const file of ['license.jws', 'activation.json', 'license-file.json']) {
      const result = await run(['--url', api.url, '--json', 'verify', join(dir, file)]);
      expect(result.code, `${file}: ${result.stderr}`).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ slc: issued.body.slc, installationId: activation.installationId, devices: [{ mac: '00:11:22:33:56:01' }] });
    }

    const [header, payload, signature] = jws.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    claims.devices[0].licenses = 9;
    const forged = await run(['verify', `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`, '--url', api.url]);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/^error: invalid_signature: /m);
  });

  it('prints the error code of a refusal and exits 1; exits 2 on bad usage', async () => {
    const missing = await ops('customers', 'show', 'no-such-customer');
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^error: customer_not_found: /m);
    const json = await ops('--json', 'customers', 'show', 'no-such-customer');
    expect(JSON.parse(json.stdout).error.code).toBe('customer_not_found');

    const noToken = await run(['--url', api.url, 'catalog', 'versions']);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/^error: unauthorized: /m);
    expect((await run(['--url', api.url, 'catalog', 'versions'], { env: { LICENSING_TOKEN: TEST_OPS_TOKEN } })).code).toBe(0);

    const invalid = await ops('licenses', 'issue', '--customer-id', 'x', '--product', 'deluxe', '--version', '2025 R1', '--device-licenses', '5');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error: validation_failed: /m);
    expect(invalid.stderr).toMatch(/product/);

    for (const args of [
      ['bogus'],
      ['licenses'],
      ['licenses', 'show'],
      ['licenses', 'issue', '--customer-id', 'x'],
      ['licenses', 'issue', '--customer-id', 'x', '--product', 'expert', '--version', '2025 R1', '--device-licenses', 'many'],
      ['licenses', 'patch', 'M01-XPCO-251-X'],
      ['customers', 'create', '--name', 'x'],
      ['partners', 'create', '--nme', 'x'],
      ['offline-activate', 'request.json'],
    ]) {
      const result = await ops(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/^(error: |Usage: )/m);
    }
  });

  it('has --help on every command', async () => {
    const commands = [
      [], ['partners'], ['partners', 'create'], ['customers'], ['customers', 'create'], ['customers', 'show'], ['customers', 'verify'],
      ['catalog'], ['catalog', 'versions'], ['catalog', 'set-version'], ['catalog', 'eulas'], ['catalog', 'set-eula'],
      ['licenses'], ['licenses', 'issue'], ['licenses', 'show'], ['licenses', 'devices'], ['licenses', 'events'], ['licenses', 'installations'],
      ['licenses', 'patch'], ['licenses', 'care-plus'], ['licenses', 'revoke'], ['licenses', 'transfer'],
      ['installations'], ['installations', 'release'], ['installations', 'credentials'],
      ['users'], ['users', 'create'], ['users', 'list'], ['users', 'delete'], ['offline-activate'], ['verify'],
    ];
    const results = await Promise.all(commands.map((command) => run([...command, '--help'])));
    results.forEach((result, index) => {
      expect(result.code, commands[index]!.join(' ')).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: cloud-licensing ${commands[index]!.join(' ')}`.trimEnd()));
      // Commands that run show the global options too; groups list their commands.
      if (!result.stdout.includes('Commands:')) expect(result.stdout).toMatch(/--url <url>.*default: "http:\/\/127\.0\.0\.1:3000"/);
    });
  });
});

/** What each command sends, checked against a server that records requests: also for routes the API gains later. */
describe('cloud-licensing requests', () => {
  let server: Server;
  let url = '';
  const received: Array<{ method: string; path: string; authorization?: string; body: unknown }> = [];
  let answer: unknown = {};

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      let text = '';
      for await (const chunk of request) text += chunk;
      received.push({ method: request.method!, path: request.url!, authorization: request.headers.authorization, body: text ? JSON.parse(text) : undefined });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const sent = async (args: string[]) => {
    received.length = 0;
    const result = await run(['--url', url, '--token', 't0k', ...args]);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return received;
  };

  it('sends each command to its route with the options as the API fields', async () => {
    answer = {};
    expect(await sent(['customers', 'verify', 'c-1', '--verification', 'rejected', '--reason', 'screening_hit'])).toEqual([
      { method: 'PUT', path: '/v1/customers/c-1/verification', authorization: 'Bearer t0k', body: { verification: 'rejected', reason: 'screening_hit' } },
    ]);
    expect(await sent(['catalog', 'set-eula', '20260101', '--status', 'current'])).toMatchObject([{ method: 'PUT', path: '/v1/catalog/eulas/20260101', body: { status: 'current' } }]);
    expect(await sent(['licenses', 'patch', 'S-1', '--version', '2026 R1', '--product', 'corporate'])).toMatchObject([
      { method: 'PATCH', path: '/v1/licenses/S-1', body: { version: '2026 R1', product: 'corporate' } },
    ]);
    expect(await sent(['users', 'create', '--email', 'u@example.com', '--name', 'U', '--role', 'customer-admin', '--customer-id', 'c-1'])).toMatchObject([
      { method: 'POST', path: '/v1/users', body: { email: 'u@example.com', name: 'U', role: 'customer-admin', customerId: 'c-1' } },
    ]);
    expect(await sent(['users', 'delete', 'u 1'])).toMatchObject([{ method: 'DELETE', path: '/v1/users/u%201', body: undefined }]);
    expect(await sent(['licenses', 'issue', '--customer-id', 'c', '--product', 'expert', '--version', '2025 R1', '--device-licenses', '8'])).toMatchObject([
      { method: 'POST', path: '/v1/licenses', body: { customerId: 'c', product: 'expert', version: '2025 R1', deviceLicenses: 8 } },
    ]);
    expect(await sent(['catalog', 'set-version', '2025 R1', '--general-availability', '2025-02-12'])).toMatchObject([{ method: 'PUT', path: '/v1/catalog/versions/2025%20R1' }]);
  });

  it('reads every page of a list', async () => {
    answer = { items: [{ userId: 'u1', email: 'a@example.com' }], nextCursor: null };
    const requests = await sent(['users', 'list']);
    expect(requests).toMatchObject([{ method: 'GET', path: '/v1/users?limit=100' }]);
    for (const command of [['catalog', 'eulas'], ['licenses', 'installations', 'S-1']]) {
      expect((await sent(command))[0]!.path).toMatch(/\?limit=100$/);
    }
  });

  it('uploads an activation request file and writes the license file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cl-cli-offline-'));
    const requestFile = { format: 'cloud-licensing.activation-request.v1', createdAt: '2026-12-01T10:00:00.000Z', body: '{"slc":"S"}', encryptionKey: { kty: 'OKP', crv: 'X25519', x: 'abc' } };
    writeFileSync(join(dir, 'request.json'), JSON.stringify(requestFile));
    answer = { format: 'cloud-licensing.license-file.v1', installationId: 'i-1', installationSecretJwe: 'jwe', activation: { status: 'activated' } };
    const requests = await sent(['offline-activate', join(dir, 'request.json'), '--out', join(dir, 'license.json')]);
    expect(requests).toEqual([{ method: 'POST', path: '/v1/offline-activations', authorization: 'Bearer t0k', body: requestFile }]);
    expect(JSON.parse(readFileSync(join(dir, 'license.json'), 'utf8'))).toEqual(answer);
  });
});
