import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { useApi, type InstallationCredentials } from '../support/api';
import { activationBody, camera, createLicense, nextMac } from '../support/licensing';
import { store } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';

const api = useApi();

function decodeJws(jws: string) {
  const [header, payload, signature] = jws.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString()),
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature!, 'base64url'),
  };
}

async function firstActivation(slc: string, devices: unknown[], overrides: Record<string, unknown> = {}) {
  return api.request('POST', '/v1/activations', { body: { slc, ...activationBody(devices, overrides) } });
}

function credentialsOf(response: { body: any }): InstallationCredentials {
  return { installationId: response.body.installationId, installationSecret: response.body.installationSecret };
}

async function reactivate(credentials: InstallationCredentials, devices: unknown[], overrides: Record<string, unknown> = {}) {
  return api.signed(credentials, 'POST', '/v1/activations', {
    installationId: credentials.installationId,
    ...activationBody(devices, overrides),
  });
}

describe('POST /v1/activations — first activation', () => {
  it('activates the devices, returns credentials, usage and a license document signed with a published key', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const devices = [camera(), camera({ supportedDeviceList: { listed: true, licenses: 2 }, ipAddresses: ['10.0.0.6', '10.0.0.7'] })];
    const response = await firstActivation(slc, devices);
    expect(response.status).toBe(201);
    expect(response.body.installationId).toEqual(expect.any(String));
    expect(response.body.installationSecret).toEqual(expect.any(String));
    expect(response.body.status).toBe('activated');
    expect(response.body.devices).toEqual([
      { mac: devices[0]!.mac, deviceKey: expect.stringMatching(/^DK-/), licenses: 1, status: 'activated' },
      { mac: devices[1]!.mac, deviceKey: expect.stringMatching(/^DK-/), licenses: 2, status: 'activated' },
    ]);
    expect(response.body.released).toEqual([]);
    expect(response.body.usage).toEqual({ deviceLicenses: { entitled: 10, used: 3, available: 7 }, devices: 2 });
    expect(response.body.videoPush).toEqual({ users: 0, licensed: 0 });

    const document = decodeJws(response.body.license);
    expect(document.header.alg).toBe('EdDSA');
    const jwks = await api.request('GET', '/v1/keys');
    const jwk = jwks.body.keys.find((key: any) => key.kid === document.header.kid);
    expect(jwk).toBeDefined();
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
    expect(verify(null, Buffer.from(document.signingInput), publicKey, document.signature)).toBe(true);
    expect(document.payload).toMatchObject({
      slc,
      installationId: response.body.installationId,
      product: 'corporate',
      status: 'activated',
      devices: [
        { mac: devices[0]!.mac, deviceKey: response.body.devices[0].deviceKey, licenses: 1 },
        { mac: devices[1]!.mac, deviceKey: response.body.devices[1].deviceKey, licenses: 2 },
      ],
    });
    expect(document.payload.exp - document.payload.iat).toBe(30 * 24 * 3600);
  });

  it('normalises MACs to lowercase with colons and refuses the same MAC twice', async () => {
    const { slc } = await createLicense(api);
    const normalised = await firstActivation(slc, [camera({ mac: 'AA-BB-CC-00-11-22' })]);
    expect(normalised.body.devices[0].mac).toBe('aa:bb:cc:00:11:22');

    const duplicate = await firstActivation(slc, [camera({ mac: '00:11:22:33:44:AA' }), camera({ mac: '00-11-22-33-44-aa' })]);
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error.code).toBe('duplicate_device');
  });

  it('counts licenses by the EULA rules in the response', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 100 });
    const devices = [
      camera({ connection: 'vps-driver', videoChannels: 3, supportedDeviceList: { listed: false } }),
      camera({ connection: 'intermediate', videoChannels: 4 }),
      camera({ kind: 'encoder', videoChannels: 17 }),
      camera({ kind: 'encoder', videoChannels: 16 }),
      camera({ kind: 'multi-sensor', videoChannels: 4 }),
      camera({ supportedDeviceList: { listed: false }, videoChannels: 2 }),
      camera({ kind: 'io', supportedDeviceList: { listed: false }, videoChannels: 0, ipAddresses: ['10.0.0.1', '10.0.0.2'] }),
    ];
    const response = await firstActivation(slc, devices, { videoPushUsers: 2 });
    expect(response.body.devices.map((d: any) => d.licenses)).toEqual([3, 4, 17, 1, 1, 2, 2]);
    expect(response.body.videoPush).toEqual({ users: 2, licensed: 2 });
    expect(response.body.usage.deviceLicenses.used).toBe(30 + 2);
  });

  it('refuses a listed device with several IP addresses and no figure (400 validation_failed)', async () => {
    const { slc } = await createLicense(api);
    const response = await firstActivation(slc, [camera({ ipAddresses: ['10.0.0.1', '10.0.0.2'] })]);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details[0].path).toMatch(/^devices\.0\./);
  });

  it('activates what fits and reports the rest as insufficient_device_licenses', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 3 });
    const devices = [camera(), camera({ supportedDeviceList: { listed: true, licenses: 4 }, ipAddresses: ['10.0.0.1', '10.0.0.2'] }), camera(), camera(), camera()];
    const response = await firstActivation(slc, devices, { videoPushUsers: 1 });
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('partially_activated');
    expect(response.body.devices.map((d: any) => [d.status, d.reason])).toEqual([
      ['activated', undefined],
      ['not_activated', 'insufficient_device_licenses'],
      ['activated', undefined],
      ['activated', undefined],
      ['not_activated', 'insufficient_device_licenses'],
    ]);
    expect(response.body.videoPush).toEqual({ users: 1, licensed: 0 });
    expect(response.body.usage.deviceLicenses).toEqual({ entitled: 3, used: 3, available: 0 });
  });

  it('answers the refusals of §5 with their codes and changes nothing', async () => {
    const unknown = await firstActivation('M01-XPCO-251-0000000000000000', [camera()]);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'license_not_found']);

    const { slc } = await createLicense(api, { deviceLicenses: 5 });
    const eula = await firstActivation(slc, [camera()], { eulaVersion: '20200101' });
    expect([eula.status, eula.body.error.code]).toEqual([422, 'eula_not_accepted']);

    const license = await api.ops('GET', `/v1/licenses/${slc}`);
    expect(license.body.usage).toEqual({ deviceLicenses: 0, devices: 0, installations: 0, addOns: {} });
  });

  it('refuses a revoked license with 403 license_revoked', async () => {
    const { slc } = await createLicense(api);
    await api.ops('POST', `/v1/licenses/${slc}/revoke`, { reason: 'eula_breach' });
    const response = await firstActivation(slc, [camera()]);
    expect([response.status, response.body.error.code]).toEqual([403, 'license_revoked']);
  });

  it('refuses when the owning customer is no longer verified', async () => {
    const { slc, customerId } = await createLicense(api);
    const { client, tableName } = store();
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.customer(customerId),
        UpdateExpression: 'SET verification = :rejected, verificationReason = :reason',
        ExpressionAttributeValues: { ':rejected': 'rejected', ':reason': 'export_control' },
      }),
    );
    const response = await firstActivation(slc, [camera()]);
    expect([response.status, response.body.error.code]).toEqual([403, 'customer_not_verified']);
  });
});

describe('edition limits (§5.3)', () => {
  it('refuses a second recording server and failover servers on express-plus', async () => {
    const { slc } = await createLicense(api, { product: 'express-plus' });
    const two = await firstActivation(slc, [camera()], {
      recordingServers: [
        { id: crypto.randomUUID(), failover: false },
        { id: crypto.randomUUID(), failover: false },
      ],
    });
    expect([two.status, two.body.error.code]).toEqual([422, 'recording_server_limit']);
    const failover = await firstActivation(slc, [camera()], {
      recordingServers: [
        { id: crypto.randomUUID(), failover: false },
        { id: crypto.randomUUID(), failover: true },
      ],
    });
    expect([failover.status, failover.body.error.code]).toEqual([422, 'failover_not_licensed']);
  });

  it('refuses failover recording servers on professional-plus and allows them on expert', async () => {
    const failoverServers = {
      recordingServers: [
        { id: crypto.randomUUID(), failover: false },
        { id: crypto.randomUUID(), failover: true },
      ],
    };
    const professional = await createLicense(api, { product: 'professional-plus' });
    const refused = await firstActivation(professional.slc, [camera()], failoverServers);
    expect([refused.status, refused.body.error.code]).toEqual([422, 'failover_not_licensed']);
    const expert = await createLicense(api, { product: 'expert' });
    expect((await firstActivation(expert.slc, [camera()], failoverServers)).status).toBe(201);
  });

  it('allows one installation per SLC on single-installation editions (409 installation_limit_reached)', async () => {
    const { slc } = await createLicense(api, { product: 'express-plus', deviceLicenses: 10 });
    expect((await firstActivation(slc, [camera()])).status).toBe(201);
    const second = await firstActivation(slc, [camera()]);
    expect([second.status, second.body.error.code]).toEqual([409, 'installation_limit_reached']);
  });

  it('caps essential-plus at 8 activated devices', async () => {
    const { slc } = await createLicense(api, { product: 'essential-plus', deviceLicenses: 8 });
    const devices = Array.from({ length: 9 }, () => camera());
    const response = await firstActivation(slc, devices);
    expect(response.body.devices.filter((d: any) => d.status === 'activated')).toHaveLength(8);
    expect(response.body.devices[8].status).toBe('not_activated');
  });
});

describe('activation window', () => {
  it('refuses new devices after the window and keeps activated ones working', async () => {
    const { slc } = await createLicense(api, { version: '2013 R1', generalAvailability: '2013-02-12' });
    const response = await firstActivation(slc, [camera()]);
    expect(response.status).toBe(201);
    expect(response.body.devices[0]).toMatchObject({ status: 'not_activated', reason: 'activation_period_ended' });
  });
});

describe('re-activation (signed)', () => {
  it('keeps device keys stable, releases unlisted devices and counts registrations and deletions', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const [a, b, c] = [camera(), camera(), camera()];
    const first = await firstActivation(slc, [a, b]);
    const credentials = credentialsOf(first);

    const second = await reactivate(credentials, [a, c]);
    expect(second.status).toBe(200);
    expect(second.body.installationSecret).toBeUndefined();
    expect(second.body.devices[0].deviceKey).toBe(first.body.devices[0].deviceKey);
    expect(second.body.released).toEqual([b.mac]);
    expect(second.body.usage.deviceLicenses.used).toBe(2);

    const third = await reactivate(credentials, [a, b]);
    expect(third.body.devices[1].deviceKey).toBe(first.body.devices[1].deviceKey);

    const list = await api.ops('GET', `/v1/licenses/${slc}/devices`);
    const byMac = Object.fromEntries(list.body.items.map((d: any) => [d.mac, d]));
    expect(byMac[b.mac]).toMatchObject({ status: 'activated', registrations: 2, deletions: 1, installationId: credentials.installationId });
    expect(byMac[c.mac]).toMatchObject({ status: 'released', registrations: 1, deletions: 1 });
    expect(byMac[a.mac]).toMatchObject({ status: 'activated', registrations: 1, deletions: 0 });
  });

  it('is a no-op when the same configuration is sent again', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const devices = [camera(), camera()];
    const body = activationBody(devices);
    const first = await api.request('POST', '/v1/activations', { body: { slc, ...body } });
    const again = await api.signed(credentialsOf(first), 'POST', '/v1/activations', { installationId: first.body.installationId, ...body });
    expect(again.status).toBe(200);
    expect(again.body.devices).toEqual(first.body.devices);
    expect(again.body.usage).toEqual(first.body.usage);
  });

  it('does not count a device held by another installation of the SLC twice', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const shared = camera();
    await firstActivation(slc, [shared]);
    const other = await firstActivation(slc, [shared, camera()]);
    expect(other.body.devices[0]).toMatchObject({ status: 'not_activated', reason: 'activated_in_another_installation' });
    expect(other.body.usage.deviceLicenses.used).toBe(2);
  });

  it('refuses unsigned, badly signed, stale and foreign re-activations', async () => {
    const { slc } = await createLicense(api);
    const first = await firstActivation(slc, [camera()]);
    const credentials = credentialsOf(first);
    const body = { installationId: credentials.installationId, ...activationBody([camera()]) };

    const unsigned = await api.request('POST', '/v1/activations', { body });
    expect([unsigned.status, unsigned.body.error.code]).toEqual([401, 'unauthorized']);
    const badSignature = await api.signed({ ...credentials, installationSecret: 'wrong' }, 'POST', '/v1/activations', body);
    expect([badSignature.status, badSignature.body.error.code]).toEqual([401, 'invalid_signature']);
    const stale = await api.signed(credentials, 'POST', '/v1/activations', body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect([stale.status, stale.body.error.code]).toEqual([401, 'stale_request']);
    const unknown = await api.signed({ ...credentials, installationId: 'no-such-installation' }, 'POST', '/v1/activations', body);
    expect([unknown.status, unknown.body.error.code]).toEqual([401, 'unauthorized']);

    const other = credentialsOf(await firstActivation(slc, [camera()]));
    const foreign = await api.signed(other, 'POST', '/v1/activations', body);
    expect([foreign.status, foreign.body.error.code]).toEqual([403, 'forbidden']);
  });
});

async function lastSeenAt(slc: string, installationId: string): Promise<string | null | undefined> {
  const list = await api.ops('GET', `/v1/licenses/${slc}/installations`);
  return list.body.items.find((item: any) => item.installationId === installationId)?.lastSeenAt;
}

describe('check-in, release and credentials', () => {
  it('returns a freshly signed document and records last seen', async () => {
    const { slc } = await createLicense(api, { carePlus: { validUntil: '2099-01-01T00:00:00.000Z' } });
    const first = await firstActivation(slc, [camera()]);
    const credentials = credentialsOf(first);
    const path = `/v1/installations/${credentials.installationId}/license`;
    const response = await api.signed(credentials, 'GET', path);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'activated', carePlus: { active: true, validUntil: '2099-01-01T00:00:00.000Z' } });
    expect(decodeJws(response.body.license).payload.devices).toEqual(decodeJws(first.body.license).payload.devices);
    const seen = await lastSeenAt(slc, credentials.installationId);
    expect(Date.parse(seen!)).toBeGreaterThanOrEqual((decodeJws(response.body.license).payload.iat - 1) * 1000);

    const foreign = credentialsOf(await firstActivation(slc, [camera()]));
    expect((await api.signed(foreign, 'GET', path)).status).toBe(404);
  });

  it('records last seen for a check-in refused because the license was revoked: the installation still calls', async () => {
    const { slc } = await createLicense(api);
    const credentials = credentialsOf(await firstActivation(slc, [camera()]));
    expect(await lastSeenAt(slc, credentials.installationId)).toBeNull();
    await api.ops('POST', `/v1/licenses/${slc}/revoke`, { reason: 'eula_breach' });
    const refused = await api.signed(credentials, 'GET', `/v1/installations/${credentials.installationId}/license`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('license_revoked');
    expect(await lastSeenAt(slc, credentials.installationId)).toEqual(expect.any(String));
  });

  it('DELETE releases every device with its deletion counted and frees the licenses', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 5, product: 'express-plus' });
    const devices = [camera(), camera()];
    const credentials = credentialsOf(await firstActivation(slc, devices));
    const deleted = await api.ops('DELETE', `/v1/installations/${credentials.installationId}`);
    expect(deleted.status).toBe(204);

    const license = await api.ops('GET', `/v1/licenses/${slc}`);
    expect(license.body.usage).toEqual({ deviceLicenses: 0, devices: 0, installations: 0, addOns: {} });
    const list = await api.ops('GET', `/v1/licenses/${slc}/devices`);
    expect(list.body.items.every((d: any) => d.status === 'released' && d.deletions === 1)).toBe(true);
    const checkIn = await api.signed(credentials, 'GET', `/v1/installations/${credentials.installationId}/license`);
    expect(checkIn.status).toBe(401);
    // The edition's one installation is free again.
    expect((await firstActivation(slc, devices)).status).toBe(201);
    const events = await api.ops('GET', `/v1/licenses/${slc}/events`);
    expect(events.body.items.map((e: any) => e.type)).toContain('installation.released');
  });

  it('POST credentials issues a new secret and the old one stops working', async () => {
    const { slc } = await createLicense(api);
    const credentials = credentialsOf(await firstActivation(slc, [camera()]));
    const reset = await api.ops('POST', `/v1/installations/${credentials.installationId}/credentials`);
    expect(reset.status).toBe(200);
    expect(reset.body.installationId).toBe(credentials.installationId);
    expect(reset.body.installationSecret).not.toBe(credentials.installationSecret);
    const path = `/v1/installations/${credentials.installationId}/license`;
    expect((await api.signed(credentials, 'GET', path)).body.error.code).toBe('invalid_signature');
    expect((await api.signed(reset.body, 'GET', path)).status).toBe(200);
  });

  it('records activation events with source IP, EULA version and integrations, and counts integrations', async () => {
    const { slc } = await createLicense(api);
    const integrations = [{ manufacturer: 'Acme', name: `Door Bridge ${nextMac()}`, version: '3.1.0' }];
    await firstActivation(slc, [camera()], { integrations });
    await firstActivation(slc, [camera()], { integrations });
    const events = await api.ops('GET', `/v1/licenses/${slc}/events`);
    const completed = events.body.items.find((e: any) => e.type === 'activation.completed');
    expect(completed).toMatchObject({ actor: 'anonymous', sourceIp: '127.0.0.1', details: { eulaVersion: '20250212', integrations } });
    const stats = await api.ops('GET', '/v1/stats/integrations');
    expect(stats.body.items).toContainEqual({ ...integrations[0], installations: 2 });
  });

  it('reports an integration listed twice once, on first and later activations', async () => {
    const { slc } = await createLicense(api);
    const integration = { manufacturer: 'Acme', name: `Door Bridge ${nextMac()}`, version: '3.1.0' };
    const first = await firstActivation(slc, [camera()], { integrations: [integration, integration] });
    expect(first.status).toBe(201);
    const again = await reactivate(credentialsOf(first), [camera()], { integrations: [integration, { ...integration }] });
    expect(again.status).toBe(200);
    const stats = await api.ops('GET', '/v1/stats/integrations');
    expect(stats.body.items).toContainEqual({ ...integration, installations: 1 });
  });
});
