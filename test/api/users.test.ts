import { generateKeyPair, SignJWT, decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { USER_POOL_ENV } from '../../shared/adapters/user-pool';
import { useApi } from '../support/api';
import { createLicense } from '../support/licensing';
import { firstSignIn, signedInUser, uniqueEmail, userPoolCall } from '../support/users';

/** §11: dashboard users, their sign-in through the user pool, and what each role's ID token may do. */
const api = useApi();

let partner: { partnerId: string; apiKey: string };
let otherPartner: { partnerId: string; apiKey: string };
let own: { slc: string; customerId: string };
let foreign: { slc: string; customerId: string };

beforeAll(async () => {
  partner = (await api.ops('POST', '/v1/partners', { name: 'Dealer A' })).body;
  otherPartner = (await api.ops('POST', '/v1/partners', { name: 'Dealer B' })).body;
  own = await createLicense(api, { partnerId: partner.partnerId });
  foreign = await createLicense(api, { partnerId: otherPartner.partnerId });
});

describe('creating users', () => {
  it('ops create a user with a temporary password that must be changed at the first sign-in', async () => {
    const email = uniqueEmail('ops');
    const created = await api.ops('POST', '/v1/users', { email, name: 'Olga Ops', role: 'ops' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      userId: expect.any(String),
      email,
      name: 'Olga Ops',
      role: 'ops',
      partnerId: null,
      customerId: null,
      temporaryPassword: expect.any(String),
    });
    const idToken = await firstSignIn(email, created.body.temporaryPassword);
    expect(decodeJwt(idToken).token_use).toBe('id');
    expect((await api.request('GET', `/v1/licenses/${own.slc}`, { token: idToken })).status).toBe(200);
    const listed = await api.ops('GET', '/v1/users?limit=100');
    expect(listed.body.items.map((user: any) => user.userId)).toContain(created.body.userId);
  });

  it('the user pool refuses a wrong temporary password (no challenge to set a new one)', async () => {
    const email = uniqueEmail('temp');
    expect((await api.ops('POST', '/v1/users', { email, name: 'T', role: 'ops' })).status).toBe(201);
    const attempt = await userPoolCall('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: process.env[USER_POOL_ENV.clientId],
      AuthParameters: { USERNAME: email, PASSWORD: 'a-guess' },
    });
    expect([attempt.status, attempt.body.__type]).toEqual([400, 'NotAuthorizedException']);
    expect(attempt.body).not.toHaveProperty('Session');
  });

  it('refuses an e-mail address already in use (any case), unknown tenants and missing tenants', async () => {
    const email = uniqueEmail('dup');
    expect((await api.ops('POST', '/v1/users', { email, name: 'A', role: 'ops' })).status).toBe(201);
    const again = await api.ops('POST', '/v1/users', { email: email.toUpperCase(), name: 'B', role: 'ops' });
    expect([again.status, again.body.error.code]).toEqual([409, 'user_exists']);
    const noPartner = await api.ops('POST', '/v1/users', { email: uniqueEmail('p'), name: 'P', role: 'partner', partnerId: 'nope' });
    expect([noPartner.status, noPartner.body.error.code]).toEqual([422, 'partner_not_found']);
    const noCustomer = await api.ops('POST', '/v1/users', { email: uniqueEmail('c'), name: 'C', role: 'customer-user', customerId: 'nope' });
    expect([noCustomer.status, noCustomer.body.error.code]).toEqual([422, 'customer_not_found']);
    const missing = await api.ops('POST', '/v1/users', { email: uniqueEmail('c'), name: 'C', role: 'customer-admin' });
    expect([missing.status, missing.body.error.code]).toEqual([400, 'validation_failed']);
  });

  it('a partner creates its own users and its customers\' users only', async () => {
    const asPartner = (body: Record<string, unknown>) =>
      api.request('POST', '/v1/partner/users', { token: partner.apiKey, body: { email: uniqueEmail('pu'), name: 'N', ...body } });
    expect((await asPartner({ role: 'customer-admin', customerId: own.customerId })).status).toBe(201);
    const ownPartnerUser = await asPartner({ role: 'partner' });
    expect([ownPartnerUser.status, ownPartnerUser.body.partnerId]).toEqual([201, partner.partnerId]);
    const foreignCustomer = await asPartner({ role: 'customer-user', customerId: foreign.customerId });
    expect([foreignCustomer.status, foreignCustomer.body.error.code]).toEqual([422, 'customer_not_found']);
    const otherPartnerId = await asPartner({ role: 'partner', partnerId: otherPartner.partnerId });
    expect([otherPartnerId.status, otherPartnerId.body.error.code]).toEqual([403, 'forbidden']);
    const opsRole = await asPartner({ role: 'ops' });
    expect([opsRole.status, opsRole.body.error.code]).toEqual([403, 'forbidden']);
    const listed = await api.request('GET', '/v1/partner/users', { token: partner.apiKey });
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThanOrEqual(2);
    expect(listed.body.items.every((user: any) => user.partnerId === partner.partnerId || user.customerId === own.customerId)).toBe(true);
    const otherList = await api.request('GET', '/v1/partner/users', { token: otherPartner.apiKey });
    expect(otherList.body.items).toEqual([]);
  });

  it('a partner user acts with its partner\'s powers, including creating users', async () => {
    const { idToken } = await signedInUser(api, { role: 'partner', partnerId: partner.partnerId });
    expect((await api.request('GET', '/v1/partner/customers', { token: idToken })).status).toBe(200);
    expect((await api.request('GET', `/v1/licenses/${own.slc}`, { token: idToken })).status).toBe(200);
    expect((await api.request('GET', `/v1/licenses/${foreign.slc}`, { token: idToken })).status).toBe(404);
    const created = await api.request('POST', '/v1/partner/users', {
      token: idToken,
      body: { email: uniqueEmail('by-user'), name: 'N', role: 'customer-user', customerId: own.customerId },
    });
    expect(created.status).toBe(201);
    expect((await api.request('POST', '/v1/partners', { token: idToken, body: { name: 'x' } })).status).toBe(403);
  });
});

describe('customer roles', () => {
  it('read their own customer, its licenses, devices and events; others are 404 and writes 403', async () => {
    for (const role of ['customer-admin', 'customer-user']) {
      const { idToken } = await signedInUser(api, { role, customerId: own.customerId });
      const get = (path: string) => api.request('GET', path, { token: idToken });
      expect((await get(`/v1/customers/${own.customerId}`)).status).toBe(200);
      expect((await get('/v1/me')).body).toMatchObject({ role, customerId: own.customerId, partnerId: partner.partnerId, email: expect.stringContaining('@') });
      expect((await get(`/v1/licenses/${own.slc}`)).status).toBe(200);
      expect((await get(`/v1/licenses/${own.slc}/devices`)).status).toBe(200);
      expect((await get(`/v1/licenses/${own.slc}/events`)).status).toBe(200);
      expect((await get(`/v1/licenses/${own.slc}/installations`)).status).toBe(200);
      const listed = await get('/v1/licenses');
      expect(listed.body.items.map((license: any) => license.slc)).toEqual([own.slc]);
      expect((await get(`/v1/licenses?customerId=${foreign.customerId}`)).body.items).toEqual([]);
      expect((await get(`/v1/licenses/${foreign.slc}/installations`)).status).toBe(404);
      expect((await get(`/v1/customers/${foreign.customerId}`)).status).toBe(404);
      expect((await get(`/v1/licenses/${foreign.slc}`)).status).toBe(404);
      expect((await get(`/v1/licenses/${foreign.slc}/events`)).status).toBe(404);
      const write = await api.request('PUT', `/v1/licenses/${own.slc}/care-plus`, { token: idToken, body: { validUntil: '2030-01-01' } });
      expect([write.status, write.body.error.code]).toEqual([403, 'forbidden']);
      expect((await get('/v1/partner/customers')).status).toBe(403);
      expect((await get('/v1/users')).status).toBe(403);
    }
  });
});

describe('tokens', () => {
  let idToken: string;
  let userId: string;
  beforeAll(async () => {
    const signedIn = await signedInUser(api, { role: 'customer-user', customerId: own.customerId });
    idToken = signedIn.idToken;
    userId = signedIn.user.userId;
  });
  const readWith = (token: string) => api.request('GET', `/v1/licenses/${own.slc}`, { token });

  it('a tampered token is 401', async () => {
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${signature}`;
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const token of [forged, flipped]) {
      const response = await readWith(token);
      expect([response.status, response.body.error.code]).toEqual([401, 'unauthorized']);
    }
  });

  it('a token of another key, issuer, audience, an expired one and an access token are 401', async () => {
    const claims = decodeJwt(idToken);
    const { privateKey } = await generateKeyPair('RS256');
    const sign = (changes: Record<string, unknown>, kid = 'CognitoLocal') =>
      new SignJWT({ ...claims, ...changes }).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
    const tokens = [
      await sign({}),
      await sign({ iss: 'http://127.0.0.1:1/local_other' }, 'other'),
      await sign({ aud: 'another-client' }),
      await sign({ exp: Math.floor(Date.now() / 1000) - 60 }),
    ];
    for (const token of tokens) expect((await readWith(token)).status).toBe(401);
    expect(process.env[USER_POOL_ENV.issuer]).toBe(claims.iss);
  });

  it('a deleted user\'s token stops working at once; a partner deletes only its own users', async () => {
    expect((await readWith(idToken)).status).toBe(200);
    const byOther = await api.request('DELETE', `/v1/users/${userId}`, { token: otherPartner.apiKey });
    expect(byOther.status).toBe(404);
    expect((await api.request('DELETE', `/v1/users/${userId}`, { token: partner.apiKey })).status).toBe(204);
    const after = await readWith(idToken);
    expect([after.status, after.body.error.code]).toEqual([401, 'unauthorized']);
    expect((await api.ops('DELETE', `/v1/users/${userId}`)).status).toBe(404);
  });
});
