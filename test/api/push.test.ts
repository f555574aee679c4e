import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { store } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';
import { useApi, type InstallationCredentials } from '../support/api';
import { seedInstallation, seedLicense } from '../support/seed';

const api = useApi();

/** No Care Plus on this license: registration must not need it. */
let a: InstallationCredentials;
let b: InstallationCredentials;

beforeAll(async () => {
  const license = await seedLicense({ carePlusValidUntil: null });
  a = await seedInstallation(license);
  b = await seedInstallation(await seedLicense({ carePlusValidUntil: null }));
});

const msPath = (installation: InstallationCredentials, guid: string) => `/v1/installations/${installation.installationId}/mobile-servers/${guid}`;

async function itemsUnder(installationId: string, mobileServerGuid: string) {
  const { client, tableName } = store();
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.installation(installationId).pk, ':prefix': `MOBILESERVER#${mobileServerGuid}` },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

describe('mobile servers (API.md §6)', () => {
  it('registers a mobile server without Care Plus and returns its view', async () => {
    const guid = randomUUID();
    const created = await api.signed(a, 'PUT', msPath(a, guid), { hostname: 'mobile-01.example.local' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ guid, hostname: 'mobile-01.example.local', devices: [], emails: [] });

    const read = await api.signed(a, 'GET', msPath(a, guid));
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('accepts a PUT without a body and replaces the hostname, keeping devices and e-mails', async () => {
    const guid = randomUUID();
    expect((await api.signed(a, 'PUT', msPath(a, guid))).body).toEqual({ guid, hostname: null, devices: [], emails: [] });
    const deviceGuid = randomUUID();
    await api.signed(a, 'PUT', `${msPath(a, guid)}/devices/${deviceGuid}`, { platform: 'android', pushToken: 'fcm-token-1' });
    await api.signed(a, 'PUT', `${msPath(a, guid)}/emails`, { emails: ['ops@example.com'] });
    const renamed = await api.signed(a, 'PUT', msPath(a, guid), { hostname: 'renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ guid, hostname: 'renamed', devices: [{ guid: deviceGuid, platform: 'android' }], emails: ['o***@example.com'] });
  });

  it('validates GUIDs as RFC 4122 UUIDs and stores them lowercase', async () => {
    for (const bad of ['not-a-guid', '12345678-1234-1234-1234-1234567890123', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']) {
      const response = await api.signed(a, 'PUT', msPath(a, bad), { hostname: 'x' });
      expect(response.status, bad).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details[0].path).toBe('path.mobileServerGuid');
    }
    const guid = randomUUID();
    const badDevice = await api.signed(a, 'PUT', `${msPath(a, guid)}/devices/phone-1`, { platform: 'ios', pushToken: 't' });
    expect(badDevice.status).toBe(400);
    expect(badDevice.body.error.details[0].path).toBe('path.deviceGuid');

    const upper = await api.signed(a, 'PUT', msPath(a, guid.toUpperCase()), {});
    expect(upper.status).toBe(200);
    expect(upper.body.guid).toBe(guid);
    expect((await api.signed(a, 'GET', msPath(a, guid))).status).toBe(200);
  });

  it('refuses unknown fields and over-long hostnames without changing anything', async () => {
    const guid = randomUUID();
    const extra = await api.signed(a, 'PUT', msPath(a, guid), { hostname: 'h', colour: 'blue' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.details).toEqual([{ path: 'colour', message: 'unknown field' }]);
    const long = await api.signed(a, 'PUT', msPath(a, guid), { hostname: 'h'.repeat(254) });
    expect(long.status).toBe(400);
    expect((await api.signed(a, 'GET', msPath(a, guid))).status).toBe(404);
  });

  it('answers 404 mobile_server_not_found for a mobile server that is not registered', async () => {
    const guid = randomUUID();
    for (const [method, path, body] of [
      ['GET', msPath(a, guid), undefined],
      ['DELETE', msPath(a, guid), undefined],
      ['PUT', `${msPath(a, guid)}/devices/${randomUUID()}`, { platform: 'ios', pushToken: 'abc' }],
      ['DELETE', `${msPath(a, guid)}/devices/${randomUUID()}`, undefined],
      ['PUT', `${msPath(a, guid)}/emails`, { emails: ['x@example.com'] }],
    ] as const) {
      const response = await api.signed(a, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error.code).toBe('mobile_server_not_found');
    }
  });
});

describe('push devices', () => {
  it('registers devices by platform and never returns the push token', async () => {
    const guid = randomUUID();
    await api.signed(a, 'PUT', msPath(a, guid), { hostname: 'm' });
    const ios = randomUUID();
    const web = randomUUID();
    const token = `apns-${randomUUID()}`;
    const first = await api.signed(a, 'PUT', `${msPath(a, guid)}/devices/${ios}`, { platform: 'ios', pushToken: token });
    expect(first.status).toBe(200);
    const second = await api.signed(a, 'PUT', `${msPath(a, guid)}/devices/${web}`, { platform: 'web', pushToken: 'web-token-2' });
    expect(second.status).toBe(200);
    expect(second.body.devices).toEqual(
      [
        { guid: ios, platform: 'ios' },
        { guid: web, platform: 'web' },
      ].sort((x, y) => x.guid.localeCompare(y.guid)),
    );
    for (const response of [first, second, await api.signed(a, 'GET', msPath(a, guid))]) {
      expect(JSON.stringify(response.body)).not.toContain(token);
      expect(JSON.stringify(response.body)).not.toContain('web-token-2');
    }
  });

  it('replaces the platform and token of a device registered again', async () => {
    const guid = randomUUID();
    await api.signed(a, 'PUT', msPath(a, guid), {});
    const device = randomUUID();
    await api.signed(a, 'PUT', `${msPath(a, guid)}/devices/${device}`, { platform: 'ios', pushToken: 'one' });
    const again = await api.signed(a, 'PUT', `${msPath(a, guid)}/devices/${device}`, { platform: 'android', pushToken: 'two' });
    expect(again.body.devices).toEqual([{ guid: device, platform: 'android' }]);
    const stored = (await itemsUnder(a.installationId, guid)).find((item) => item.type === 'push_device');
    expect(stored).toMatchObject({ platform: 'android', pushToken: 'two' });
  });

  it('validates platform and token', async () => {
    const guid = randomUUID();
    await api.signed(a, 'PUT', msPath(a, guid), {});
    const path = `${msPath(a, guid)}/devices/${randomUUID()}`;
    for (const body of [
      { platform: 'windows', pushToken: 't' },
      { platform: 'ios' },
      { platform: 'ios', pushToken: '' },
      { platform: 'ios', pushToken: 'has space' },
      { platform: 'ios', pushToken: 'x'.repeat(2001) },
      { platform: 'ios', pushToken: 't', extra: 1 },
    ]) {
      const response = await api.signed(a, 'PUT', path, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    expect((await api.signed(a, 'GET', msPath(a, guid))).body.devices).toEqual([]);
  });

  it('removes one device; removing it again is 404 push_device_not_found', async () => {
    const guid = randomUUID();
    await api.signed(a, 'PUT', msPath(a, guid), {});
    const keep = randomUUID();
    const drop = randomUUID();
    await api.signed(a, 'PUT', `${msPath(a, guid)}/devices/${keep}`, { platform: 'ios', pushToken: 'k' });
    await api.signed(a, 'PUT', `${msPath(a, guid)}/devices/${drop}`, { platform: 'ios', pushToken: 'd' });
    const removed = await api.signed(a, 'DELETE', `${msPath(a, guid)}/devices/${drop}`);
    expect(removed.status).toBe(204);
    expect((await api.signed(a, 'GET', msPath(a, guid))).body.devices).toEqual([{ guid: keep, platform: 'ios' }]);
    const again = await api.signed(a, 'DELETE', `${msPath(a, guid)}/devices/${drop}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('push_device_not_found');
    const server = (await itemsUnder(a.installationId, guid)).find((item) => item.type === 'mobile_server');
    expect(server?.deviceCount).toBe(1);
  });
});

describe('notification e-mails', () => {
  it('replaces the set and shows it masked in every response', async () => {
    const guid = randomUUID();
    await api.signed(a, 'PUT', msPath(a, guid), {});
    const put = await api.signed(a, 'PUT', `${msPath(a, guid)}/emails`, {
      emails: ['alice@example.com', 'Bob.Builder@contoso.dk', 'ALICE@example.com'],
    });
    expect(put.status).toBe(200);
    expect(put.body.emails).toEqual(['a***@example.com', 'B***@contoso.dk']);
    const read = await api.signed(a, 'GET', msPath(a, guid));
    expect(read.body.emails).toEqual(['a***@example.com', 'B***@contoso.dk']);
    for (const response of [put, read]) {
      expect(JSON.stringify(response.body)).not.toMatch(/alice@|bob\.builder@/i);
    }
    const replaced = await api.signed(a, 'PUT', `${msPath(a, guid)}/emails`, { emails: ['carol@example.org'] });
    expect(replaced.body.emails).toEqual(['c***@example.org']);
    const cleared = await api.signed(a, 'PUT', `${msPath(a, guid)}/emails`, { emails: [] });
    expect(cleared.body.emails).toEqual([]);
  });

  it('accepts at most 100 valid addresses', async () => {
    const guid = randomUUID();
    await api.signed(a, 'PUT', msPath(a, guid), {});
    const hundred = Array.from({ length: 100 }, (_, i) => `user${i}@example.com`);
    expect((await api.signed(a, 'PUT', `${msPath(a, guid)}/emails`, { emails: hundred })).status).toBe(200);
    const tooMany = await api.signed(a, 'PUT', `${msPath(a, guid)}/emails`, { emails: [...hundred, 'one-more@example.com'] });
    expect(tooMany.status).toBe(400);
    const invalid = await api.signed(a, 'PUT', `${msPath(a, guid)}/emails`, { emails: ['not-an-address'] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details[0].path).toBe('emails.0');
    expect((await api.signed(a, 'PUT', `${msPath(a, guid)}/emails`, {})).status).toBe(400);
    expect((await api.signed(a, 'GET', msPath(a, guid))).body.emails).toHaveLength(100);
  });
});

describe('removing a mobile server', () => {
  it('removes its devices and e-mails with it', async () => {
    const guid = randomUUID();
    await api.signed(a, 'PUT', msPath(a, guid), { hostname: 'to-remove' });
    for (let i = 0; i < 30; i++) {
      await api.signed(a, 'PUT', `${msPath(a, guid)}/devices/${randomUUID()}`, { platform: 'android', pushToken: `t${i}` });
    }
    await api.signed(a, 'PUT', `${msPath(a, guid)}/emails`, { emails: ['gone@example.com'] });
    expect(await itemsUnder(a.installationId, guid)).toHaveLength(31);

    const removed = await api.signed(a, 'DELETE', msPath(a, guid));
    expect(removed.status).toBe(204);
    expect(await itemsUnder(a.installationId, guid)).toEqual([]);
    expect((await api.signed(a, 'GET', msPath(a, guid))).status).toBe(404);

    const again = await api.signed(a, 'DELETE', msPath(a, guid));
    expect(again.status).toBe(404);
    const reRegistered = await api.signed(a, 'PUT', msPath(a, guid), {});
    expect(reRegistered.body).toEqual({ guid, hostname: null, devices: [], emails: [] });
  });

  it('leaves the other mobile servers of the installation alone', async () => {
    const keep = randomUUID();
    const drop = randomUUID();
    await api.signed(a, 'PUT', msPath(a, keep), {});
    await api.signed(a, 'PUT', msPath(a, drop), {});
    const device = randomUUID();
    await api.signed(a, 'PUT', `${msPath(a, keep)}/devices/${device}`, { platform: 'ios', pushToken: 'k' });
    await api.signed(a, 'PUT', `${msPath(a, keep)}/emails`, { emails: ['keep@example.com'] });
    await api.signed(a, 'DELETE', msPath(a, drop));
    const kept = await api.signed(a, 'GET', msPath(a, keep));
    expect(kept.body).toMatchObject({ devices: [{ guid: device, platform: 'ios' }], emails: ['k***@example.com'] });
  });
});

describe('isolation between installations', () => {
  it('shows another installation none of it', async () => {
    const guid = randomUUID();
    await api.signed(a, 'PUT', msPath(a, guid), { hostname: 'a-only' });
    await api.signed(a, 'PUT', `${msPath(a, guid)}/emails`, { emails: ['secret@example.com'] });

    // B under its own id: the same GUID is not registered there.
    const own = await api.signed(b, 'GET', msPath(b, guid));
    expect(own.status).toBe(404);
    expect(own.body.error.code).toBe('mobile_server_not_found');

    // B naming A's installation in the path: 404, as for an unknown installation, for every route.
    for (const [method, path, body] of [
      ['GET', msPath(a, guid), undefined],
      ['PUT', msPath(a, guid), { hostname: 'hijack' }],
      ['DELETE', msPath(a, guid), undefined],
      ['PUT', `${msPath(a, guid)}/emails`, { emails: [] }],
      ['PUT', `${msPath(a, guid)}/devices/${randomUUID()}`, { platform: 'ios', pushToken: 'x' }],
      ['POST', `/v1/installations/${a.installationId}/notifications`, { mobileServerGuid: guid, title: 't', body: 'b' }],
      ['GET', `/v1/installations/${a.installationId}/notifications/${randomUUID()}`, undefined],
      ['GET', `/v1/installations/${a.installationId}/smart-connect`, undefined],
      ['POST', `/v1/installations/${a.installationId}/health`, { consent: true, status: 'ok', errors: [] }],
    ] as const) {
      const response = await api.signed(b, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error.code).toBe('installation_not_found');
    }
    const still = await api.signed(a, 'GET', msPath(a, guid));
    expect(still.body).toEqual({ guid, hostname: 'a-only', devices: [], emails: ['s***@example.com'] });
  });

  it('needs a signed installation request', async () => {
    const guid = randomUUID();
    const unsigned = await api.request('GET', msPath(a, guid));
    expect(unsigned.status).toBe(401);
    const ops = await api.ops('GET', msPath(a, guid));
    expect(ops.status).toBe(403);
    expect(ops.body.error.code).toBe('forbidden');
    const wrongSecret = await api.signed({ installationId: a.installationId, installationSecret: b.installationSecret }, 'GET', msPath(a, guid));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error.code).toBe('invalid_signature');
  });
});
