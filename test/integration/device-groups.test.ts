import { describe, expect, it } from 'vitest';
import { deviceGroupUnder } from '../../shared/domain/device-key';
import { store } from '../../shared/store/client';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chunk } from '../../shared/store/batch';
import { deviceAttribute, readDeviceGroups, updateItemOf, type DeviceEntry } from '../../shared/store/devices';
import { keys } from '../../shared/store/keys';
import { encodeStoredDevices } from '../../shared/store/migrations';
import { getInstallation } from '../../shared/store/installations';
import { getLicense } from '../../shared/store/licenses';
import type { LicenseRecord } from '../../shared/store/records';
import { encodeCursor } from '../../shared/store/pagination';
import { useApi } from '../support/api';
import { storeWithoutGroupWidth } from '../support/back-office';
import { afterAllocationCommit, withMiddleware } from '../support/interleave';
import { expectLedgerConsistent } from '../support/invariants';
import { activateFirst, activationBody, BEYOND_ONE_TRANSACTION, camera, camerasBeyondOneTransaction, createLicense, listedDevices } from '../support/licensing';

const api = useApi();

const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
const sortedGroupsOf = (license: LicenseRecord, macs: string[]) => [...new Set(macs.map((mac) => deviceGroupUnder(license, mac)))].sort();

describe('devices stored in device groups', () => {
  it('an installation names exactly the groups it holds devices in, growing and shrinking with its devices', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 1_000 });
    const license = (await getLicense(slc))!;
    const devices = Array.from({ length: 600 }, () => camera());
    const credentials = await activateFirst(api, slc, devices);
    expect(credentials.body.devices.every((device: { status: string }) => device.status === 'activated')).toBe(true);
    const macs = devices.map((device) => device.mac);
    expect((await getInstallation(credentials.installationId))!.deviceGroups).toEqual(sortedGroupsOf(license, macs));
    expect(sortedGroupsOf(license, macs).length).toBeGreaterThan(200);
    await expectLedgerConsistent(slc);

    const kept = devices.slice(100, 110);
    const again = await api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody(kept) });
    expect(again.status).toBe(200);
    expect(again.body.released).toHaveLength(590);
    const installation = (await getInstallation(credentials.installationId))!;
    expect(installation.deviceGroups).toEqual(sortedGroupsOf(license, kept.map((device) => device.mac)));
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(10);
    expect(ledger.devices.filter((device) => device.status === 'released' && device.deletions === 1)).toHaveLength(590);

    const checkIn = await api.signed(credentials, 'GET', `/v1/installations/${credentials.installationId}/license`);
    expect(checkIn.status).toBe(200);
    expect(payloadOf(checkIn.body.license).devices.map((device: { mac: string }) => device.mac)).toEqual(kept.map((device) => device.mac).sort());
  });

  /**
   * 300 cameras activated on a new SLC of `deviceLicenses`, whose groups have `width` hex digits:
   * every camera activated, and the installation names exactly the groups they fall in.
   */
  async function activatedOnWidth(deviceLicenses: number, width: number) {
    const { slc } = await createLicense(api, { deviceLicenses });
    const license = (await getLicense(slc))!;
    expect(license.deviceGroupWidth).toBe(width);
    const devices = Array.from({ length: 300 }, () => camera());
    const credentials = await activateFirst(api, slc, devices);
    expect(credentials.body.devices.every((device: { status: string }) => device.status === 'activated')).toBe(true);
    const macs = devices.map((device) => device.mac);
    const groups = sortedGroupsOf(license, macs);
    expect(groups.every((group) => new RegExp(`^[0-9a-f]{${width}}$`).test(group))).toBe(true);
    expect((await getInstallation(credentials.installationId))!.deviceGroups).toEqual(groups);
    return { slc, license, devices, credentials, macs, groups };
  }

  it('an SLC issued for more than 2,048 device licenses has 4,096 groups: a device shares its group with few others, and the list pages over all of them once', async () => {
    const { slc, license, credentials, macs, groups } = await activatedOnWidth(5_000, 3);
    // 300 devices over 4,096 groups: nearly every one alone in its group (over 256 groups, about 190 groups).
    expect(groups.length).toBeGreaterThan(280);
    // Stored as a bitmap of the 4,096 groups: 512 bytes instead of about 1.2 KB of names.
    const { client, tableName } = store();
    const stored = (await client.send(new GetCommand({ TableName: tableName, Key: keys.installation(credentials.installationId), ConsistentRead: true }))).Item!;
    expect(stored.deviceGroups).toBeInstanceOf(Uint8Array);
    expect((stored.deviceGroups as Uint8Array).length).toBe(512);
    await expectLedgerConsistent(slc);

    const listed = await listedDevices(api, slc, 70);
    expect(listed.map((device) => device.mac).sort()).toEqual([...macs].sort());
    const order = listed.map((device) => `${deviceGroupUnder(license, device.mac)} ${device.mac}`);
    expect(order).toEqual([...order].sort());
  });

  it('an SLC issued for more than 32,768 device licenses has 65,536 groups under 16 partition keys: the list queries only the groups that exist', async () => {
    const { slc, license, devices, credentials, macs, groups } = await activatedOnWidth(40_000, 4);
    expect(groups.length).toBeGreaterThan(295);
    const { client, tableName } = store();
    const stored = await client.send(new GetCommand({ TableName: tableName, Key: { pk: `LICENSE#${slc}#DEVICEGROUPS#${groups[0]![0]}`, sk: `DEVICEGROUP#${groups[0]}` }, ConsistentRead: true }));
    expect(stored.Item?.group).toBe(groups[0]);
    await expectLedgerConsistent(slc);

    const requests: string[] = [];
    const listed = await withMiddleware(
      'count-listing-requests',
      (next, context) => async (args) => {
        requests.push(String(context.commandName));
        return next(args);
      },
      () => listedDevices(api, slc, 70),
    );
    expect(listed.map((device) => device.mac).sort()).toEqual([...macs].sort());
    const order = listed.map((device) => `${deviceGroupUnder(license, device.mac)} ${device.mac}`);
    expect(order).toEqual([...order].sort());
    // Five pages over the groups that exist, not 656 reads of 100 keys each over all 65,536.
    const reads = requests.filter((name) => name === 'QueryCommand' || name === 'BatchGetItemCommand');
    expect(reads.length).toBeLessThan(120);
    expect(requests).not.toContain('BatchGetItemCommand');

    const kept = devices.slice(0, 10);
    const again = await api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody(kept) });
    expect(again.status).toBe(200);
    expect(again.body.released).toHaveLength(290);
    expect((await getInstallation(credentials.installationId))!.deviceGroups).toEqual(sortedGroupsOf(license, kept.map((device) => device.mac)));
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(10);
    expect(ledger.devices).toHaveLength(300);
  });

  it('a license stored before group widths keeps its 256 groups, whatever it is entitled to', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 5_000 });
    await storeWithoutGroupWidth(slc);
    const license = (await getLicense(slc))!;
    expect(license.deviceGroupWidth).toBeUndefined();
    const devices = Array.from({ length: 40 }, () => camera());
    const credentials = await activateFirst(api, slc, devices);
    const groups = (await getInstallation(credentials.installationId))!.deviceGroups;
    expect(groups).toEqual(sortedGroupsOf(license, devices.map((device) => device.mac)));
    expect(groups.every((group) => /^[0-9a-f]{2}$/.test(group))).toBe(true);
    expect((await listedDevices(api, slc, 100)).map((device) => device.mac).sort()).toEqual(devices.map((device) => device.mac).sort());
    await expectLedgerConsistent(slc);
  });

  it('installations writing the same groups at once all finish, and no camera is held twice', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 2_000 });
    const pools = Array.from({ length: 4 }, () => Array.from({ length: 160 }, () => camera()));
    const installations = await Promise.all(pools.map((pool) => activateFirst(api, slc, pool)));
    await expectLedgerConsistent(slc);

    // Each installation drops half of its cameras while the next one asks for them.
    const responses = await Promise.all(
      installations.map((credentials, i) => {
        const next = pools[(i + 1) % pools.length]!;
        const devices = [...pools[i]!.slice(0, 80), ...next.slice(80)];
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

  it('devices stored in the earlier form (long names) are read, counted and released like the others, and stored encoded once written', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 20 });
    // A license as those builds issued it: no group width.
    await storeWithoutGroupWidth(slc);
    const { client, tableName } = store();
    const license = (await getLicense(slc))!;
    const devices = Array.from({ length: 6 }, () => camera());
    const credentials = await activateFirst(api, slc, devices);
    const groups = sortedGroupsOf(license, devices.map((device) => device.mac));
    // Store every device as builds before the encoding did: its DeviceEntry under its long names.
    for (const [group, read] of await readDeviceGroups(slc, groups)) {
      for (const [mac, entry] of Object.entries(read.devices)) {
        await client.send(
          new UpdateCommand({ TableName: tableName, Key: keys.deviceGroup(slc, group), UpdateExpression: 'SET #d = :entry', ExpressionAttributeNames: { '#d': deviceAttribute(mac) }, ExpressionAttributeValues: { ':entry': entry } }),
        );
      }
    }
    const before = await expectLedgerConsistent(slc);
    expect(before.activatedDevices).toBe(6);

    const kept = [...devices.slice(0, 3), camera()];
    const again = await api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody(kept) });
    expect(again.status).toBe(200);
    expect([...again.body.released].sort()).toEqual(devices.slice(3).map((device) => device.mac).sort());
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(4);
    expect(ledger.devices.filter((device) => device.status === 'released').map((device) => [device.registrations, device.deletions])).toEqual([[1, 1], [1, 1], [1, 1]]);
    // Released devices were written (deletion counted) and the new one too: stored encoded. Kept ones were not written.
    const storedEntry = async (mac: string) =>
      (await client.send(new GetCommand({ TableName: tableName, Key: keys.deviceGroup(slc, deviceGroupUnder(license, mac)), ConsistentRead: true }))).Item![deviceAttribute(mac)];
    for (const device of [...devices.slice(3), kept[3]!]) expect(await storedEntry(device.mac), device.mac).toHaveProperty('v');
    for (const device of devices.slice(0, 3)) expect(await storedEntry(device.mac), device.mac).toHaveProperty('revision');

    // The migration step stores the rest encoded; nothing else changes.
    const devicesBefore = (await api.ops('GET', `/v1/licenses/${slc}/devices`)).body.items;
    const report = await encodeStoredDevices();
    expect(report.encoded).toBeGreaterThanOrEqual(3);
    for (const device of devices.slice(0, 3)) expect(await storedEntry(device.mac), device.mac).toHaveProperty('v');
    expect((await api.ops('GET', `/v1/licenses/${slc}/devices`)).body.items).toEqual(devicesBefore);
    await expectLedgerConsistent(slc);
    expect((await encodeStoredDevices()).encoded).toBe(0);
  });

  it('the devices list pages through every group, each device once', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 500 });
    const devices = Array.from({ length: 300 }, () => camera());
    await activateFirst(api, slc, devices);
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
    const stale = (await encodeCursor(`license-devices:${slc}`, { pk: `LICENSE#${slc}`, sk: 'DEVICE#02:00:00:00:00:01' }))!;
    const refused = await api.ops('GET', `/v1/licenses/${slc}/devices?cursor=${encodeURIComponent(stale)}`);
    expect([refused.status, refused.body.error.code]).toEqual([400, 'invalid_cursor']);
  });

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
    revision: 1,
  };
  /** Fills a group with released history to within `room` bytes of the 360,000 bytes it takes new devices up to. */
  async function crowd(slc: string, group: string, room: number): Promise<void> {
    const macOf = (n: number) => `02:ff:00:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
    const per = Buffer.byteLength(JSON.stringify({ [macOf(0)]: released })) - 1;
    const devices: Record<string, DeviceEntry> = { ...(await readDeviceGroups(slc, [group])).get(group)!.devices };
    const added: string[] = [];
    for (let n = 0; Buffer.byteLength(JSON.stringify(devices)) + per <= 360_000 - room; n++) {
      devices[macOf(n)] = released;
      added.push(macOf(n));
    }
    const { client, tableName } = store();
    for (const part of chunk(added, 60)) {
      const update = { group, devices: part.map((mac) => ({ mac, entry: released, readRevision: undefined })) };
      await client.send(new UpdateCommand({ TableName: tableName, ...updateItemOf(slc, update) }));
    }
  }

  it('a new device whose group is full is not activated (device_capacity_exceeded); the rest of the request is', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const license = (await getLicense(slc))!;
    const blocked = camera();
    await crowd(slc, deviceGroupUnder(license, blocked.mac), 0);
    let other = camera();
    while (deviceGroupUnder(license, other.mac) === deviceGroupUnder(license, blocked.mac)) other = camera();

    const response = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([blocked, other]) } });
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('partially_activated');
    expect(response.body.devices.map((device: { status: string; reason?: string }) => device.reason ?? device.status)).toEqual(['device_capacity_exceeded', 'activated']);
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.license.usedDeviceLicenses).toBe(1);
    expect(ledger.devices.filter((device) => device.status === 'activated').map((device) => device.mac)).toEqual([other.mac]);
  });

  it('a device planned into a group that fills up before it is written still lands (the limit leaves room under DynamoDB\'s), and the counters follow', async () => {
    // Only an activation larger than one transaction writes its devices after its allocation commit.
    const { slc } = await createLicense(api, { deviceLicenses: 10 + BEYOND_ONE_TRANSACTION });
    const license = (await getLicense(slc))!;
    const [x0, y0] = [camera(), camera()];
    const x = await activateFirst(api, slc, [x0]);
    const y = await activateFirst(api, slc, [y0]);
    // m (for X) and n (for Y) fall in one group with room for one more device.
    const m = camera();
    const group = deviceGroupUnder(license, m.mac);
    let n = camera();
    while (deviceGroupUnder(license, n.mac) !== group) n = camera();
    await crowd(slc, group, 500);
    const more = camerasBeyondOneTransaction((mac) => deviceGroupUnder(license, mac) === group);

    // Y's activation of n lands right after X's allocation commit.
    let yStatus = 0;
    const response = await withMiddleware(
      'interleave-second-installation',
      afterAllocationCommit(x.installationId, async () => {
        yStatus = (await api.signed(y, 'POST', '/v1/activations', { installationId: y.installationId, ...activationBody([y0, n]) })).status;
      }),
      () => api.signed(x, 'POST', '/v1/activations', { installationId: x.installationId, ...activationBody([x0, m, ...more]) }),
    );
    expect(yStatus).toBe(200);
    expect(response.status).toBe(200);
    expect(response.body.devices.map((device: { status: string; reason?: string }) => device.reason ?? device.status)).toEqual([x0, m, ...more].map(() => 'activated'));
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.license.usedDeviceLicenses).toBe(4 + more.length);
    // The next new device of that group finds it full.
    let next = camera();
    while (deviceGroupUnder(license, next.mac) !== group) next = camera();
    const again = await api.signed(x, 'POST', '/v1/activations', { installationId: x.installationId, ...activationBody([x0, m, next]) });
    expect(again.body.devices.map((device: { status: string; reason?: string }) => device.reason ?? device.status)).toEqual(['activated', 'activated', 'device_capacity_exceeded']);
    await expectLedgerConsistent(slc);
  });

  it('a group write DynamoDB refuses as too large makes an activation larger than one transaction plan again from what is stored', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 + BEYOND_ONE_TRANSACTION });
    const devices = [camera(), camera(), ...camerasBeyondOneTransaction()];
    const refused: string[] = [];
    const response = await withMiddleware(
      'refuse-large-group',
      (next, context) => async (args) => {
        const name = String(context.commandName);
        // One device-group transaction is refused, then one update of those it is split into.
        if (!refused.includes(name) && (name === 'TransactWriteItemsCommand' || (name === 'UpdateItemCommand' && refused.length === 1)) && JSON.stringify(args.input).includes('DEVICEGROUP')) {
          refused.push(name);
          throw name === 'UpdateItemCommand'
            ? Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' })
            : Object.assign(new Error('Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError]'), { name: 'TransactionCanceledException' });
        }
        return next(args);
      },
      () => api.request('POST', '/v1/activations', { body: { slc, ...activationBody(devices) } }),
    );
    expect(refused).toEqual(['TransactWriteItemsCommand', 'UpdateItemCommand']);
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('activated');
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(devices.length);
  });

  it('a one-transaction activation whose group DynamoDB refuses as too large plans again from what is stored', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const devices = [camera(), camera()];
    let refusals = 0;
    const response = await withMiddleware(
      'refuse-large-group-in-commit',
      (next, context) => async (args) => {
        const input = args.input as { TransactItems?: Array<{ Update?: { Key?: { pk?: string } } }> };
        const items = input.TransactItems ?? [];
        if (refusals < 2 && context.commandName === 'TransactWriteItemsCommand' && items.some((item) => item.Update?.Key?.pk?.includes('DEVICEGROUP'))) {
          refusals++;
          // DynamoDB's answer: the transaction is cancelled, the reason at the group's position.
          const reasons = items.map((item) => (item.Update?.Key?.pk?.includes('DEVICEGROUP') ? { Code: 'ValidationError', Message: 'Item size has exceeded the maximum allowed size' } : { Code: 'None' }));
          throw Object.assign(new Error('Transaction cancelled [ValidationError]'), { name: 'TransactionCanceledException', CancellationReasons: reasons });
        }
        return next(args);
      },
      () => api.request('POST', '/v1/activations', { body: { slc, ...activationBody(devices) } }),
    );
    expect(refusals).toBe(2);
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('activated');
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(2);
  });

  // An SLC of 4,096 groups writes about three times as many items for the same devices (one per
  // group touched), which DynamoDB Local takes about three times as long for: fewer devices there.
  it.each([
    ['256 groups (a license stored before group widths)', 'earlier', 500],
    ['4,096 groups', 'wide', 200],
  ] as const)('installations with different cameras activating hundreds of devices each at once all finish: %s', async (_layout, layout, perInstallation) => {
    const { slc } = await createLicense(api, { deviceLicenses: 10_000 });
    if (layout === 'earlier') await storeWithoutGroupWidth(slc);
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => api.request('POST', '/v1/activations', { body: { slc, ...activationBody(Array.from({ length: perInstallation }, () => camera())) } })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(6).fill(201));
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(6 * perInstallation);
  });
});
