import { beforeAll, describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { activationBody, camera, createLicense } from '../support/licensing';
import { openSecret, requestFile, requestFileKeys, type RequestFileKeys } from '../support/offline';
import { signedInUser } from '../support/users';

/** §10: activation request files uploaded to POST /v1/offline-activations, and the license files they get. */
const api = useApi();

let partner: { partnerId: string; apiKey: string };
let otherPartner: { partnerId: string; apiKey: string };
let keys: RequestFileKeys;

const upload = (file: unknown, token?: string) =>
  token ? api.request('POST', '/v1/offline-activations', { token, body: file }) : api.ops('POST', '/v1/offline-activations', file);
const DAY = 24 * 3600;

beforeAll(async () => {
  partner = (await api.ops('POST', '/v1/partners', { name: 'Offline Dealer' })).body;
  otherPartner = (await api.ops('POST', '/v1/partners', { name: 'Other Dealer' })).body;
  keys = await requestFileKeys();
});

describe('first activation by file', () => {
  it('activates, seals the secret to the file key, records offline with the uploader as source; the same file again changes nothing', async () => {
    const { slc } = await createLicense(api, { partnerId: partner.partnerId });
    const file = requestFile({ slc, ...activationBody([camera(), camera()]) }, keys);
    const first = await upload(file);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toEqual({
      format: 'cloud-licensing.license-file.v1',
      installationId: expect.any(String),
      installationSecretJwe: expect.stringMatching(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/),
      activation: expect.objectContaining({ installationId: first.body.installationId, status: 'activated', license: expect.any(String) }),
    });
    expect(first.body.activation).not.toHaveProperty('installationSecret');
    expect(first.body.activation.devices.map((d: any) => d.status)).toEqual(['activated', 'activated']);

    const { secret, header } = await openSecret(first.body, keys);
    expect(header).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM' });
    const credentials = { installationId: first.body.installationId, installationSecret: secret };
    const checkIn = await api.signed(credentials, 'GET', `/v1/installations/${credentials.installationId}/license`);
    expect(checkIn.status).toBe(200);

    const events = (await api.ops('GET', `/v1/licenses/${slc}/events`)).body.items.filter((e: any) => e.type === 'activation.completed');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'ops', sourceIp: '127.0.0.1', details: { offline: true, installationId: credentials.installationId } });

    const again = await upload(file);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const after = (await api.ops('GET', `/v1/licenses/${slc}/events`)).body.items.filter((e: any) => e.type === 'activation.completed');
    expect(after).toHaveLength(1);
  });

  it('seals to a P-256 key as well', async () => {
    const { slc } = await createLicense(api);
    const p256 = await requestFileKeys('P-256');
    const response = await upload(requestFile({ slc, ...activationBody([camera()]) }, p256));
    expect(response.status).toBe(201);
    expect((await openSecret(response.body, p256)).secret).toMatch(/\S{20,}/);
  });

  it('refuses a private key, a body that is not a request, and unknown fields, without activating', async () => {
    const { slc } = await createLicense(api);
    const body = { slc, ...activationBody([camera()]) };
    const withPrivate = requestFile(body, { ...keys, publicJwk: { ...keys.publicJwk, d: keys.publicJwk.x } });
    const notJson = { ...requestFile(body, keys), body: '{nope' };
    const unknown = { ...requestFile(body, keys), extra: 1 };
    const wrongFormat = { ...requestFile(body, keys), format: 'cloud-licensing.activation-request.v0' };
    const badDevice = requestFile({ ...body, devices: [{ ...camera(), mac: 'zz' }] }, keys);
    for (const file of [withPrivate, notJson, unknown, wrongFormat, badDevice]) {
      const response = await upload(file);
      expect([response.status, response.body.error.code]).toEqual([400, 'validation_failed']);
    }
    expect((await api.ops('GET', `/v1/licenses/${slc}`)).body.usage.installations).toBe(0);
    const unknownSlc = await upload(requestFile({ ...body, slc: 'M01-XPCO-251-AAAAAAAAAAAAAAAA' }, keys));
    expect([unknownSlc.status, unknownSlc.body.error.code]).toEqual([404, 'license_not_found']);
  });
});

describe('re-activation by signed file', () => {
  let slc: string;
  let credentials: { installationId: string; installationSecret: string };
  let body: Record<string, unknown>;
  beforeAll(async () => {
    ({ slc } = await createLicense(api, { partnerId: partner.partnerId }));
    const cameras = [camera()];
    const first = await upload(requestFile({ slc, ...activationBody(cameras) }, keys));
    credentials = { installationId: first.body.installationId, installationSecret: (await openSecret(first.body, keys)).secret };
    body = { installationId: credentials.installationId, ...activationBody([...cameras, camera()]) };
  });

  it('accepts a file signed up to 30 days ago, 200 without a sealed secret', async () => {
    const response = await upload(requestFile(body, keys, credentials, Math.floor(Date.now() / 1000) - 29 * DAY));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).not.toHaveProperty('installationSecretJwe');
    expect(response.body.activation.devices).toHaveLength(2);
    expect((await api.ops('GET', `/v1/licenses/${slc}`)).body.usage.devices).toBe(2);
  });

  it('refuses older files and files from the future with stale_request, and a bad signature with invalid_signature', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 30 * DAY - 60, now + 400]) {
      const response = await upload(requestFile(body, keys, credentials, timestamp));
      expect([response.status, response.body.error.code]).toEqual([401, 'stale_request']);
    }
    const forged = requestFile(body, keys, { ...credentials, installationSecret: 'not-the-secret' });
    const response = await upload(forged);
    expect([response.status, response.body.error.code]).toEqual([401, 'invalid_signature']);
    const unsigned = { ...requestFile(body, keys, credentials), signature: undefined };
    expect((await upload(JSON.parse(JSON.stringify(unsigned)))).status).toBe(400);
  });

  it('an unknown installation is installation_not_found', async () => {
    const ghost = { installationId: 'no-such-installation', installationSecret: 'x' };
    const response = await upload(requestFile({ ...body, installationId: ghost.installationId }, keys, ghost));
    expect([response.status, response.body.error.code]).toEqual([404, 'installation_not_found']);
  });
});

describe('who may upload', () => {
  it('the license\'s partner and its customer-admin; its customer-user gets 403; anyone else 404', async () => {
    const { slc, customerId } = await createLicense(api, { partnerId: partner.partnerId });
    const other = await createLicense(api, { partnerId: otherPartner.partnerId });
    const admin = await signedInUser(api, { role: 'customer-admin', customerId });
    const user = await signedInUser(api, { role: 'customer-user', customerId });
    const otherAdmin = await signedInUser(api, { role: 'customer-admin', customerId: other.customerId });
    const file = () => requestFile({ slc, ...activationBody([camera()]) }, keys);

    for (const token of [otherPartner.apiKey, otherAdmin.idToken]) {
      const response = await upload(file(), token);
      expect([response.status, response.body.error.code]).toEqual([404, 'license_not_found']);
    }
    const refused = await upload(file(), user.idToken);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
    expect((await api.ops('GET', `/v1/licenses/${slc}`)).body.usage.installations).toBe(0);

    expect((await upload(file(), admin.idToken)).status).toBe(201);
    expect((await upload(file(), partner.apiKey)).status).toBe(201);
    const events = (await api.ops('GET', `/v1/licenses/${slc}/events`)).body.items.filter((e: any) => e.type === 'activation.completed');
    expect(events.map((e: any) => e.actor).sort()).toEqual([`partner:${partner.partnerId}`, `user:${admin.user.userId}`].sort());
  });
});
