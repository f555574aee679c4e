import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactEncrypt, SignJWT, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  LicenseVerificationError,
  LicensingApiError,
  LicensingClient,
  createActivationRequest,
  readLicenseFile,
  signRequest,
  verifyLicense,
  writeActivationRequestFile,
  type ActivationRequest,
  type ActivationResponse,
  type CheckInResponse,
  type Jwks,
  type LicenseFile,
} from '@cloud-licensing/client';
import type { activationRequestSchema } from '../../shared/schemas/activation';
import type { activationResponse, checkInResponse } from '../../shared/schemas/responses';
import { signature, useApi } from '../../test/support/api';
import { activationBody, camera, createLicense as createTestLicense } from '../../test/support/licensing';

const api = useApi();

const server = { id: '6f1c2a9e-0d4b-4c1e-9a53-2b7d8e4f0a11', hostname: 'vms-01' };
const request = (slc: string, macs: string[]): ActivationRequest =>
  ({ slc, ...activationBody(macs.map((mac) => camera({ mac })), { managementServer: server }) }) as ActivationRequest;
const createLicense = async (a: typeof api, options: { deviceLicenses: number }) => (await createTestLicense(a, options)).slc;

describe('client types follow the service schemas', () => {
  it('an ActivationRequest is a request body the service parses, and the service answers what the client types', () => {
    expectTypeOf<ActivationRequest>().toExtend<z.input<typeof activationRequestSchema>>();
    expectTypeOf<z.output<typeof activationResponse>>().toExtend<ActivationResponse>();
    expectTypeOf<z.output<typeof checkInResponse>>().toExtend<CheckInResponse>();
  });
});

describe('LicensingClient against the local API', () => {
  it('activates, keeps the credentials, re-activates signed and checks in; the documents verify offline', async () => {
    const slc = await createLicense(api, { deviceLicenses: 5 });
    const client = new LicensingClient({ baseUrl: api.url, retryDelayMs: 1 });

    const first = await client.activate(request(slc, ['00:11:22:33:44:01', '00:11:22:33:44:02']));
    expect(first.created).toBe(true);
    expect(first.body.status).toBe('activated');
    expect(client.credentials).toEqual({ installationId: first.body.installationId, installationSecret: first.body.installationSecret });

    const again = await client.activate({ ...request(slc, ['00:11:22:33:44:01']), slc: undefined });
    expect(again.created).toBe(false);
    expect(again.body.released).toEqual(['00:11:22:33:44:02']);

    const checkIn = await client.checkIn();
    const keys = await client.keys();
    const claims = await verifyLicense(checkIn.license, keys, { installationId: first.body.installationId });
    expect(claims.slc).toBe(slc);
    expect(claims.devices.map((device) => device.mac)).toEqual(['00:11:22:33:44:01']);
    expect(claims.exp - claims.iat).toBe(30 * 24 * 3600);
    expect(claims.carePlus.active).toBe(false);
  });

  it('retries a 503 with the same Idempotency-Key and a new signature, and gets the first answer', async () => {
    const slc = await createLicense(api, { deviceLicenses: 5 });
    const seen: Array<{ key: string | null; timestamp: string | null; signature: string | null }> = [];
    let lose = 0;
    /** Sends each attempt to the service; the answers of the first `lose` attempts are replaced by a 503. */
    const losingFetch: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      seen.push({ key: headers.get('idempotency-key'), timestamp: headers.get('x-timestamp'), signature: headers.get('x-signature') });
      const response = await fetch(input, init);
      if (lose > 0) {
        lose -= 1;
        await response.arrayBuffer();
        return new Response(JSON.stringify({ error: { code: 'service_unavailable', message: 'lost' } }), { status: 503 });
      }
      return response;
    };
    const client = new LicensingClient({ baseUrl: api.url, retryDelayMs: 1, fetch: losingFetch });

    lose = 1;
    const first = await client.activate(request(slc, ['00:11:22:33:45:01']));
    expect(first.created).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.key).toBe(seen[1]!.key);

    seen.length = 0;
    lose = 2;
    const again = await client.activate({ ...request(slc, ['00:11:22:33:45:01', '00:11:22:33:45:02']), slc: undefined });
    expect(again.body.devices.map((device) => device.status)).toEqual(['activated', 'activated']);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((attempt) => attempt.key)).size).toBe(1);
    expect(new Set(seen.map((attempt) => attempt.signature)).size).toBe(3);
    expect(new Set(seen.map((attempt) => attempt.timestamp)).size).toBe(3);

    const license = await api.ops('GET', `/v1/licenses/${slc}`);
    expect(license.body.usage.deviceLicenses).toBe(2);
  });

  it('gives up after its retries and turns refusals into LicensingApiError', async () => {
    let calls = 0;
    const unavailable: typeof fetch = async () => {
      calls += 1;
      return new Response('{"error":{"code":"service_unavailable","message":"busy"}}', { status: 503 });
    };
    const busy = new LicensingClient({ baseUrl: api.url, retries: 2, retryDelayMs: 1, fetch: unavailable });
    await expect(busy.activate(request('M01-XPCO-251-NOPE', []))).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(calls).toBe(3);

    const client = new LicensingClient({ baseUrl: api.url, retryDelayMs: 1 });
    const refusal = await client.activate(request('M01-XPCO-251-UNKNOWNSLC00000', [])).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(LicensingApiError);
    expect(refusal).toMatchObject({ status: 404, code: 'license_not_found' });
  });

  it('signs as the service verifies (§2)', async () => {
    const headers = signRequest({ installationId: 'i-1', installationSecret: 's3cret' }, { method: 'post', path: '/v1/activations?x=1', body: '{"a":1}', timestamp: 1700000000 });
    expect(headers).toEqual({
      'x-installation-id': 'i-1',
      'x-timestamp': '1700000000',
      'x-signature': signature('s3cret', 1700000000, 'POST', '/v1/activations', '{"a":1}'),
    });
  });
});

describe('verifyLicense', () => {
  let license: string;
  let keys: Jwks;
  let installationId: string;

  beforeAll(async () => {
    const slc = await createLicense(api, { deviceLicenses: 2 });
    const activation = await new LicensingClient({ baseUrl: api.url }).activate(request(slc, ['00:11:22:33:46:01']));
    ({ license, installationId } = activation.body);
    keys = (await api.request('GET', '/v1/keys')).body;
  });

  const refusal = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: LicenseVerificationError) => error.code);

  it('accepts the document and types its claims', async () => {
    const claims = await verifyLicense(license, keys);
    expect(claims).toMatchObject({ installationId, product: 'corporate', status: 'activated' });
    expect(claims.devices[0]).toEqual({ mac: '00:11:22:33:46:01', deviceKey: expect.any(String), licenses: 1 });
  });

  it('refuses a changed payload, an unknown or missing kid, an expired document, another installation and bad claims', async () => {
    const [header, payload, sig] = license.split('.');
    const changed = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    changed.devices.push({ mac: '00:11:22:33:46:99', deviceKey: 'x', licenses: 1 });
    expect(await refusal(verifyLicense(`${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${sig}`, keys))).toBe('invalid_signature');
    expect(await refusal(verifyLicense(license, { keys: [] }))).toBe('unknown_kid');
    expect(await refusal(verifyLicense('not a jws', keys))).toBe('malformed');
    const exp = JSON.parse(Buffer.from(payload!, 'base64url').toString()).exp as number;
    expect(await refusal(verifyLicense(license, keys, { currentDate: new Date((exp + 1) * 1000) }))).toBe('expired');
    expect(await refusal(verifyLicense(license, keys, { installationId: 'someone-else' }))).toBe('invalid_claims');

    // Documents signed by a key of our own: without a kid, and with a kid but claims of the wrong types.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'own', alg: 'EdDSA' };
    const own: Jwks = { keys: [jwk as Jwks['keys'][number]] };
    const now = Math.floor(Date.now() / 1000);
    const noKid = await new SignJWT({ slc: 'x' }).setProtectedHeader({ alg: 'EdDSA' }).setIssuedAt(now).setExpirationTime(now + 60).sign(privateKey);
    expect(await refusal(verifyLicense(noKid, own))).toBe('missing_kid');
    const badClaims = await new SignJWT({ slc: 'x', installationId: 'i', product: 'deluxe', version: '2025 R1', status: 'activated', devices: [], addOns: {}, carePlus: { active: false, validUntil: null } })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'own' })
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    expect(await refusal(verifyLicense(badClaims, own))).toBe('invalid_claims');
  });
});

describe('offline activation files (§10)', () => {
  const credentials = { installationId: 'inst-1', installationSecret: 'secret-1' };

  it('writes a first-activation request with an X25519 key and no signature', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cl-client-'));
    const created = await writeActivationRequestFile(join(dir, 'request.json'), request('M01-XPCO-251-ABC', []), { keyPath: join(dir, 'key.json') });
    const file = JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8'));
    expect(file).toMatchObject({ format: 'cloud-licensing.activation-request.v1', encryptionKey: { kty: 'OKP', crv: 'X25519' } });
    expect(file.encryptionKey.d).toBeUndefined();
    expect(JSON.parse(file.body).slc).toBe('M01-XPCO-251-ABC');
    expect(file.signature).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dir, 'key.json'), 'utf8'))).toEqual(created.privateKey);
    expect(statSync(join(dir, 'key.json')).mode & 0o077).toBe(0);
  });

  it('signs a re-activation request over POST /v1/activations and its body', async () => {
    const now = new Date('2026-12-01T10:00:00.000Z');
    const { file } = await createActivationRequest(request('M01-XPCO-251-ABC', []), { credentials, now });
    const body = JSON.parse(file.body);
    expect(body.slc).toBeUndefined();
    expect(body.installationId).toBe('inst-1');
    expect(file.timestamp).toBe(now.getTime() / 1000);
    expect(file.signature).toBe(signature('secret-1', file.timestamp!, 'POST', '/v1/activations', file.body));
  });

  it('reads a license file and decrypts its installation secret (ECDH-ES, A256GCM) with the request key only', async () => {
    const { file, privateKey } = await createActivationRequest(request('M01-XPCO-251-ABC', []));
    const jwe = await new CompactEncrypt(new TextEncoder().encode('the-installation-secret'))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM' })
      .encrypt(await importJWK(file.encryptionKey, 'ECDH-ES'));
    const licenseFile = { format: 'cloud-licensing.license-file.v1', installationId: 'inst-9', installationSecretJwe: jwe, activation: {} } as LicenseFile;
    const opened = await readLicenseFile(JSON.stringify(licenseFile), privateKey);
    expect(opened).toMatchObject({ installationId: 'inst-9', installationSecret: 'the-installation-secret' });

    const other = await createActivationRequest(request('M01-XPCO-251-ABC', []));
    await expect(readLicenseFile(licenseFile, other.privateKey)).rejects.toThrow();
    await expect(readLicenseFile({ ...licenseFile, format: 'x' } as unknown as LicenseFile, privateKey)).rejects.toThrow(/Not a license file/);
  });
});
