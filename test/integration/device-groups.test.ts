import { describe, expect, it } from 'vitest';
import { deriveDeviceKey } from '../../shared/domain/device-key';
import { deviceGroupOf, readDeviceGroups, writeDeviceGroups, type DeviceEntry } from '../../shared/store/devices';
import { getInstallation } from '../../shared/store/installations';
import { getLicense } from '../../shared/store/licenses';
import { encodeCursor } from '../../shared/store/pagination';
import { useApi, type InstallationCredentials } from '../support/api';
import { expectLedgerConsistent } from '../support/invariants';
import { activationBody, camera, createLicense } from '../support/licensing';

const api = useApi();

const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
const sortedGroupsOf = (salt: string, macs: string[]) => [...new Set(macs.map((mac) => deviceGroupOf(deriveDeviceKey(salt, mac))))].sort();

async function firstActivation(slc: string, devices: Array<{ mac: string }>): Promise<InstallationCredentials & { body: any }> {
  const response = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody(devices) } });
  expect(response.status).toBe(201);
  return { installationId: response.body.installationId, installationSecret: response.body.installationSecret, body: response.body };
}

describe('devices stored in device groups', () => {
  it('an installation names exactly the groups it holds devices in, growing and shrinking with its devices', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 1_000 });
    const salt = (await getLicense(slc))!.deviceKeySalt;
    const devices = Array.from({ length: 600 }, () => camera());
    const credentials = await firstActivation(slc, devices);
    expect(credentials.body.devices.every((device: { status: string }) => device.status === 'activated')).toBe(true);
    const macs = devices.map((device) => device.mac);
    expect((await getInstallation(credentials.installationId))!.deviceGroups).toEqual(sortedGroupsOf(salt, macs));
    expect(sortedGroupsOf(salt, macs).length).toBeGreaterThan(200);
    await expectLedgerConsistent(slc);

    const kept = devices.slice(100, 110);
    const again = await api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody(kept) });
    expect(again.status).toBe(200);
    expect(again.body.released).toHaveLength(590);
    const installation = (await getInstallation(credentials.installationId))!;
    expect(installation.deviceGroups).toEqual(sortedGroupsOf(salt, kept.map((device) => device.mac)));
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(10);
    expect(ledger.devices.filter((device) => device.status === 'released' && device.deletions === 1)).toHaveLength(590);

    const checkIn = await api.signed(credentials, 'GET', `/v1/installations/${credentials.installationId}/license`);
    expect(checkIn.status).toBe(200);
    expect(payloadOf(checkIn.body.license).devices.map((device: { mac: string }) => device.mac)).toEqual(kept.map((device) => device.mac).sort());
  });

  it('installations writing the same groups at once all finish, and no camera is held twice', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 2_000 });
    const pools = Array.from({ length: 4 }, () => Array.from({ length: 300 }, () => camera()));
    const installations = await Promise.all(pools.map((pool) => firstActivation(slc, pool)));
    await expectLedgerConsistent(slc);

    // Each installation drops half of its cameras while the next one asks for them.
    const responses = await Promise.all(
      installations.map((credentials, i) => {
        const next = pools[(i + 1) % pools.length]!;
        const devices = [...pools[i]!.slice(0, 150), ...next.slice(150)];
        return api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody(devices) });
      }),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    const ledger = await expectLedgerConsistent(slc);
    const holders = new Map<string, string>();
    for (const [i, response] of responses.entries()) {
      for (const device of response.body.devices.filter((d: { status: string }) => d.status === 'activated')) {
        expect(holders.has(device.mac), device.mac).toBe(false);
        holders.set(device.mac, installations[i]!.installationId);
      }
    }
    const stored = new Map(ledger.devices.filter((device) => device.status === 'activated').map((device) => [device.mac, device.installationId]));
    expect(stored).toEqual(holders);
  });

  it('the devices list pages through every group, each device once', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 500 });
    const devices = Array.from({ length: 300 }, () => camera());
    await firstActivation(slc, devices);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=37&cursor=${encodeURIComponent(cursor)}` : '?limit=37';
      const page = await api.ops('GET', `/v1/licenses/${slc}/devices${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(37);
      seen.push(...page.body.items.map((device: { mac: string }) => device.mac));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(300 / 37));
    expect(seen).toHaveLength(300);
    expect([...seen].sort()).toEqual(devices.map((device) => device.mac).sort());

    // A cursor signed for this list but not naming a group and MAC (an older layout's position) is refused.
    const stale = encodeCursor(`license-devices:${slc}`, { pk: `LICENSE#${slc}`, sk: 'DEVICE#02:00:00:00:00:01' })!;
    const refused = await api.ops('GET', `/v1/licenses/${slc}/devices?cursor=${encodeURIComponent(stale)}`);
    expect([refused.status, refused.body.error.code]).toEqual([400, 'invalid_cursor']);
  });

  it('refuses a device whose group is full with 422 device_capacity_exceeded, changing nothing', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const salt = (await getLicense(slc))!.deviceKeySalt;
    const device = camera();
    const group = deviceGroupOf(deriveDeviceKey(salt, device.mac));
    const at = '2026-01-01T00:00:00.000Z';
    const released: DeviceEntry = {
      deviceKey: 'DK-RELEASED',
      installationId: null,
      lastInstallationId: 'retired-installation',
      status: 'released',
      licenses: 1,
      registrations: 1,
      deletions: 1,
      firstActivatedAt: at,
      lastChangedAt: at,
    };
    // Filled to within one device of the group's limit (360,000 bytes of JSON): one more device passes it.
    const macOf = (n: number) => `02:ff:00:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
    const bytesPerDevice = Buffer.byteLength(JSON.stringify({ [macOf(0)]: released })) - 1;
    const crowded = Object.fromEntries(Array.from({ length: Math.ceil(359_850 / bytesPerDevice) }, (_, n) => [macOf(n), released]));
    expect(Buffer.byteLength(JSON.stringify(crowded))).toBeGreaterThanOrEqual(359_850);
    await writeDeviceGroups(slc, [{ group, readRevision: 0, devices: crowded, bytes: 0 }]);
    const before = await getLicense(slc);

    const response = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([device]) } });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('device_capacity_exceeded');
    expect(await getLicense(slc)).toEqual(before);
    expect((await readDeviceGroups(slc, [group])).get(group)!.revision).toBe(1);
  });
});
