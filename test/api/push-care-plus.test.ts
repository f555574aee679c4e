import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, resetClock, setClock } from '../../shared/adapters/clock';
import { NOTIFICATIONS_PER_WINDOW } from '../../shared/domain/notifications';
import { useApi, type InstallationCredentials } from '../support/api';
import { revokeLicense, seedInstallation, seedLicense, updateLicense } from '../support/seed';

const api = useApi();

/** The service clock is fixed (near the real time, so request signatures stay fresh). */
const clock = fixedClock(new Date(Math.floor(Date.now() / 1000) * 1000));
const now = () => clock.now().getTime();
const iso = (ms: number) => new Date(ms).toISOString();

beforeEach(() => {
  clock.set(new Date(Math.floor(Date.now() / 1000) * 1000));
  setClock(clock);
});
afterEach(() => resetClock());

let partner: { partnerId: string; apiKey: string };
beforeAll(async () => {
  const response = await api.ops('POST', '/v1/partners', { name: 'Care Plus Partner' });
  expect(response.status).toBe(201);
  partner = response.body;
});
afterAll(() => resetClock());

/** An installation with one mobile server that has a device and an e-mail. */
async function installationWithMobileServer(carePlusValidUntil: string | null) {
  const license = await seedLicense({ carePlusValidUntil, partnerId: partner.partnerId });
  const installation = await seedInstallation(license);
  const mobileServerGuid = randomUUID();
  const base = `/v1/installations/${installation.installationId}/mobile-servers/${mobileServerGuid}`;
  expect((await api.signed(installation, 'PUT', base, { hostname: 'mobile' })).status).toBe(200);
  const deviceGuid = randomUUID();
  expect((await api.signed(installation, 'PUT', `${base}/devices/${deviceGuid}`, { platform: 'ios', pushToken: 'apns-token' })).status).toBe(200);
  expect((await api.signed(installation, 'PUT', `${base}/emails`, { emails: ['night.shift@example.com'] })).status).toBe(200);
  return { license, installation, mobileServerGuid, deviceGuid };
}

const notify = (installation: InstallationCredentials, mobileServerGuid: string, title = 'Motion') =>
  api.signed(installation, 'POST', `/v1/installations/${installation.installationId}/notifications`, {
    mobileServerGuid,
    title,
    body: 'Motion detected at the loading dock.',
  });

const smartConnect = (installation: InstallationCredentials) =>
  api.signed(installation, 'PUT', `/v1/installations/${installation.installationId}/smart-connect`, { publicAddress: 'vms.example.net', port: 8081 });

const partnerHealth = (installationId: string) =>
  api.request('GET', `/v1/partner/installations/${installationId}/health`, { token: partner.apiKey });

describe('Care Plus boundary (active while now ≤ validUntil, no grace period)', () => {
  it.each([
    ['one millisecond before now', -1, false],
    ['exactly now', 0, true],
    ['one millisecond after now', 1, true],
  ])('validUntil %s → active: %s', async (_label, offset, active) => {
    const { installation, mobileServerGuid } = await installationWithMobileServer(iso(now() + offset));
    const expected = active ? [202, 200, 200] : [403, 403, 403];
    const responses = [await notify(installation, mobileServerGuid), await smartConnect(installation), await partnerHealth(installation.installationId)];
    expect(responses.map((r) => r.status)).toEqual(expected);
    if (!active) for (const response of responses) expect(response.body.error.code).toBe('care_plus_required');
  });

  it('without any Care Plus contract, gated routes answer 403 care_plus_required', async () => {
    const { installation, mobileServerGuid } = await installationWithMobileServer(null);
    for (const response of [
      await notify(installation, mobileServerGuid),
      await smartConnect(installation),
      await api.signed(installation, 'GET', `/v1/installations/${installation.installationId}/smart-connect`),
      await partnerHealth(installation.installationId),
    ]) {
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('care_plus_required');
    }
  });

  it('gates as soon as Care Plus expires, and again when it is renewed', async () => {
    const { license, installation, mobileServerGuid } = await installationWithMobileServer(iso(now() + 1));
    expect((await notify(installation, mobileServerGuid)).status).toBe(202);
    expect((await smartConnect(installation)).status).toBe(200);

    clock.advance(2);
    const expired = await notify(installation, mobileServerGuid);
    expect(expired.status).toBe(403);
    expect(expired.body.error.code).toBe('care_plus_required');
    expect((await smartConnect(installation)).body.error.code).toBe('care_plus_required');
    expect((await partnerHealth(installation.installationId)).body.error.code).toBe('care_plus_required');
    // Registration does not need Care Plus.
    const base = `/v1/installations/${installation.installationId}/mobile-servers/${mobileServerGuid}`;
    expect((await api.signed(installation, 'PUT', `${base}/emails`, { emails: ['day.shift@example.com'] })).status).toBe(200);

    await updateLicense(license.slc, { carePlusValidUntil: iso(now() + 86_400_000) });
    expect((await notify(installation, mobileServerGuid)).status).toBe(202);
  });

  it('a refused notification records nothing and uses no rate-limit quota', async () => {
    const { license, installation, mobileServerGuid } = await installationWithMobileServer(null);
    for (let i = 0; i < NOTIFICATIONS_PER_WINDOW + 5; i++) expect((await notify(installation, mobileServerGuid)).status).toBe(403);
    await updateLicense(license.slc, { carePlusValidUntil: iso(now() + 60_000) });
    expect((await notify(installation, mobileServerGuid)).status).toBe(202);
  });
});

describe('revocation', () => {
  it('answers 403 license_revoked on every installation route and on the partner health view', async () => {
    const { license, installation, mobileServerGuid } = await installationWithMobileServer(iso(now() + 86_400_000));
    const sent = await notify(installation, mobileServerGuid);
    expect(sent.status).toBe(202);
    await revokeLicense(license.slc);

    const id = installation.installationId;
    const base = `/v1/installations/${id}/mobile-servers/${mobileServerGuid}`;
    for (const [method, path, body] of [
      ['POST', `/v1/installations/${id}/notifications`, { mobileServerGuid, title: 't', body: 'b' }],
      ['GET', `/v1/installations/${id}/notifications/${sent.body.notificationId}`, undefined],
      ['PUT', `/v1/installations/${id}/smart-connect`, { publicAddress: 'vms.example.net', port: 443 }],
      ['GET', `/v1/installations/${id}/smart-connect`, undefined],
      ['POST', `/v1/installations/${id}/health`, { consent: true, status: 'ok', errors: [] }],
      ['GET', base, undefined],
      ['PUT', base, {}],
      ['PUT', `${base}/devices/${randomUUID()}`, { platform: 'ios', pushToken: 't' }],
      ['PUT', `${base}/emails`, { emails: [] }],
      ['DELETE', base, undefined],
    ] as const) {
      const response = await api.signed(installation, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body.error.code).toBe('license_revoked');
    }
    const health = await partnerHealth(id);
    expect(health.status).toBe(403);
    expect(health.body.error.code).toBe('license_revoked');
    // Nothing was removed by the refused DELETE.
    await updateLicense(license.slc, { status: 'active', revocation: null });
    expect((await api.signed(installation, 'GET', base)).status).toBe(200);
  });
});

describe('notifications', () => {
  it('delivers to every device and e-mail of the mobile server and reports each delivery', async () => {
    const { installation, mobileServerGuid, deviceGuid } = await installationWithMobileServer(iso(now() + 86_400_000));
    const base = `/v1/installations/${installation.installationId}/mobile-servers/${mobileServerGuid}`;
    const second = randomUUID();
    await api.signed(installation, 'PUT', `${base}/devices/${second}`, { platform: 'android', pushToken: 'fcm-token' });
    await api.signed(installation, 'PUT', `${base}/emails`, { emails: ['night.shift@example.com', 'guard@contoso.dk'] });

    const sent = await notify(installation, mobileServerGuid);
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ notificationId: expect.any(String), recipients: { devices: 2, emails: 2 } });

    const read = await api.signed(installation, 'GET', `/v1/installations/${installation.installationId}/notifications/${sent.body.notificationId}`);
    expect(read.status).toBe(200);
    expect(read.body.notificationId).toBe(sent.body.notificationId);
    expect(read.body.createdAt).toBe(clock.now().toISOString());
    expect(read.body.deliveries).toEqual(
      expect.arrayContaining([
        { channel: 'push', target: deviceGuid, status: 'delivered' },
        { channel: 'push', target: second, status: 'delivered' },
        { channel: 'email', target: 'n***@example.com', status: 'delivered' },
        { channel: 'email', target: 'g***@contoso.dk', status: 'delivered' },
      ]),
    );
    expect(read.body.deliveries).toHaveLength(4);
    const text = JSON.stringify(read.body);
    expect(text).not.toContain('night.shift@');
    expect(text).not.toContain('fcm-token');
  });

  it('answers 404 for an unknown mobile server, an unknown notification and another installation\'s notification', async () => {
    const one = await installationWithMobileServer(iso(now() + 86_400_000));
    const other = await installationWithMobileServer(iso(now() + 86_400_000));
    const unknownServer = await notify(one.installation, randomUUID());
    expect(unknownServer.status).toBe(404);
    expect(unknownServer.body.error.code).toBe('mobile_server_not_found');
    // The other installation's mobile server GUID is not one of this installation's.
    expect((await notify(one.installation, other.mobileServerGuid)).status).toBe(404);

    const sent = await notify(other.installation, other.mobileServerGuid);
    const foreign = await api.signed(one.installation, 'GET', `/v1/installations/${one.installation.installationId}/notifications/${sent.body.notificationId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('notification_not_found');
    const unknown = await api.signed(one.installation, 'GET', `/v1/installations/${one.installation.installationId}/notifications/${randomUUID()}`);
    expect(unknown.status).toBe(404);
  });

  it('validates the request', async () => {
    const { installation, mobileServerGuid } = await installationWithMobileServer(iso(now() + 86_400_000));
    const path = `/v1/installations/${installation.installationId}/notifications`;
    for (const body of [
      { mobileServerGuid: 'nope', title: 't', body: 'b' },
      { mobileServerGuid, title: '', body: 'b' },
      { mobileServerGuid, title: 'x'.repeat(201), body: 'b' },
      { mobileServerGuid, title: 't', body: 'x'.repeat(2001) },
      { mobileServerGuid, title: 't' },
      { mobileServerGuid, title: 't', body: 'b', priority: 'high' },
    ]) {
      const response = await api.signed(installation, 'POST', path, body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
  });

  it(`limits a mobile server to ${NOTIFICATIONS_PER_WINDOW} notifications per minute with 429 rate_limited`, async () => {
    const { installation, mobileServerGuid } = await installationWithMobileServer(iso(now() + 86_400_000));
    const other = randomUUID();
    await api.signed(installation, 'PUT', `/v1/installations/${installation.installationId}/mobile-servers/${other}`, {});
    // Start at the beginning of a window so that the whole burst falls in one.
    clock.set(new Date(Math.floor(now() / 60_000) * 60_000 + 1000));

    const burst = await Promise.all(Array.from({ length: NOTIFICATIONS_PER_WINDOW + 10 }, () => notify(installation, mobileServerGuid)));
    const accepted = burst.filter((r) => r.status === 202);
    const limited = burst.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(NOTIFICATIONS_PER_WINDOW);
    expect(limited).toHaveLength(10);
    expect(limited[0]!.body.error.code).toBe('rate_limited');
    expect(limited[0]!.body.error.message).toMatch(/summary/);

    // The limit is per mobile server.
    expect((await notify(installation, other)).status).toBe(202);

    clock.advance(60_000);
    expect((await notify(installation, mobileServerGuid, 'Summary: 10 more events')).status).toBe(202);
  });

  it('replays a repeated request with the same Idempotency-Key', async () => {
    const { installation, mobileServerGuid } = await installationWithMobileServer(iso(now() + 86_400_000));
    const path = `/v1/installations/${installation.installationId}/notifications`;
    const body = { mobileServerGuid, title: 'Door', body: 'Door forced open.' };
    const first = await api.signed(installation, 'POST', path, body, { headers: { 'idempotency-key': 'door-1' } });
    const second = await api.signed(installation, 'POST', path, body, { headers: { 'idempotency-key': 'door-1' } });
    expect(first.status).toBe(202);
    expect(second.body).toEqual(first.body);
  });
});

describe('Smart Connect', () => {
  it('stores and returns the public address under Care Plus', async () => {
    const { installation } = await installationWithMobileServer(iso(now() + 86_400_000));
    const path = `/v1/installations/${installation.installationId}/smart-connect`;
    const before = await api.signed(installation, 'GET', path);
    expect(before.status).toBe(404);
    expect(before.body.error.code).toBe('smart_connect_not_configured');

    const put = await api.signed(installation, 'PUT', path, { publicAddress: '203.0.113.7', port: 443 });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ publicAddress: '203.0.113.7', port: 443, updatedAt: clock.now().toISOString() });
    expect((await api.signed(installation, 'GET', path)).body).toEqual(put.body);
  });

  it('validates address and port', async () => {
    const { installation } = await installationWithMobileServer(iso(now() + 86_400_000));
    const path = `/v1/installations/${installation.installationId}/smart-connect`;
    for (const body of [
      { publicAddress: 'vms.example.net', port: 0 },
      { publicAddress: 'vms.example.net', port: 65536 },
      { publicAddress: 'vms.example.net', port: 80.5 },
      { publicAddress: '', port: 80 },
      { publicAddress: 'a'.repeat(254), port: 80 },
      { port: 80 },
      { publicAddress: 'vms.example.net', port: 80, tls: true },
    ]) {
      expect((await api.signed(installation, 'PUT', path, body)).status).toBe(400);
    }
    expect((await api.signed(installation, 'GET', path)).status).toBe(404);
  });
});
