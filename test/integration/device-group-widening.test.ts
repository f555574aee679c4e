import { describe, expect, it } from 'vitest';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { deviceGroupUnder } from '../../shared/domain/device-key';
import { store } from '../../shared/store/client';
import { batchGet } from '../../shared/store/batch';
import { deviceGroupsOfWidth } from '../../shared/store/devices';
import { widenDeviceGroups, widenLicenseGroups } from '../../shared/store/device-group-widening';
import { getInstallation } from '../../shared/store/installations';
import { keys } from '../../shared/store/keys';
import { getLicense } from '../../shared/store/licenses';
import { migrateStoredData } from '../../shared/store/migrations';
import type { LicenseRecord } from '../../shared/store/records';
import { useApi, type InstallationCredentials } from '../support/api';
import { storeWithoutGroupWidth } from '../support/back-office';
import { afterAllocationCommit, withMiddleware } from '../support/interleave';
import { expectLedgerConsistent, licenseLedger } from '../support/invariants';
import { activateFirst, activationBody, camera, createLicense, listedDevices } from '../support/licensing';

const api = useApi();

const groupsOf = (license: LicenseRecord, macs: string[]) => [...new Set(macs.map((mac) => deviceGroupUnder(license, mac)))].sort();
const statusesOf = (body: { devices: Array<{ status: string; reason?: string }> }) => body.devices.map((device) => device.reason ?? device.status);

/** Every stored device of the SLC, by MAC, as the ledger reads it (holder, status, counts, revision). */
async function storedDevices(slc: string) {
  return Object.fromEntries((await licenseLedger(slc)).devices.map(({ slc: _slc, ...device }) => [device.mac, device]));
}

/** A license issued for `deviceLicenses`, stored as a build before group widths stored it: 256 groups. */
async function licenseOn256Groups(deviceLicenses: number) {
  const { slc } = await createLicense(api, { deviceLicenses });
  await storeWithoutGroupWidth(slc);
  return slc;
}

async function reactivate(credentials: InstallationCredentials, devices: unknown[]) {
  return api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody(devices) });
}

describe('device groups split for the entitlement (migration step 3)', () => {
  it('a license stored on 256 groups gets the 4,096 its entitlement calls for: every device, count and holder is kept', async () => {
    const slc = await licenseOn256Groups(5_000);
    const aDevices = Array.from({ length: 300 }, () => camera());
    const bDevices = Array.from({ length: 40 }, () => camera());
    const a = await activateFirst(api, slc, aDevices);
    const b = await activateFirst(api, slc, bDevices);
    // Released devices keep their history (their last holder, deletions) through the split.
    expect((await reactivate(b, bDevices.slice(10))).body.released).toHaveLength(10);
    const before = await storedDevices(slc);
    expect(Object.keys(before)).toHaveLength(340);

    expect(await widenDeviceGroups([slc])).toEqual({ licenses: 1, widened: 1, changedMeanwhile: 0 });

    const license = (await getLicense(slc))!;
    expect(license.deviceGroupWidth).toBe(3);
    expect(license.deviceGroupsWidening).toBeUndefined();
    expect(await storedDevices(slc)).toEqual(before);
    await expectLedgerConsistent(slc);
    expect((await getInstallation(a.installationId))!.deviceGroups).toEqual(groupsOf(license, aDevices.map((device) => device.mac)));
    expect((await getInstallation(b.installationId))!.deviceGroups).toEqual(groupsOf(license, bDevices.slice(10).map((device) => device.mac)));
    // The old groups are tombstones that no device write can land on.
    const { client, tableName } = store();
    const old = (await client.send(new GetCommand({ TableName: tableName, Key: keys.deviceGroup(slc, deviceGroupUnder({ ...license, deviceGroupWidth: undefined }, aDevices[0]!.mac)), ConsistentRead: true }))).Item!;
    expect(old.type).toBe('device_group_moved');
    expect(Object.keys(old).filter((name) => name.startsWith('device:'))).toEqual([]);

    // Activations go on on the new groups.
    const more = Array.from({ length: 5 }, () => camera());
    const again = await reactivate(a, [...aDevices.slice(0, 100), ...more]);
    expect(again.status).toBe(200);
    expect(again.body.released).toHaveLength(200);
    expect(statusesOf(again.body).every((status) => status === 'activated')).toBe(true);
    expect((await getInstallation(a.installationId))!.deviceGroups).toEqual(groupsOf(license, [...aDevices.slice(0, 100), ...more].map((device) => device.mac)));
    expect((await api.ops('DELETE', `/v1/installations/${b.installationId}`)).status).toBe(204);
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(105);
    const listed = (await listedDevices(api, slc, 100)).map((device) => device.mac);
    expect(listed.sort()).toEqual(Object.keys(await storedDevices(slc)).sort());
    expect(listed).toHaveLength(345);

    // Nothing is left to split.
    expect((await widenDeviceGroups([slc])).widened).toBe(0);
  });

  it('a license stored on 256 groups and entitled to 40,000 device licenses is split straight to the 65,536 groups under 16 partition keys', async () => {
    const slc = await licenseOn256Groups(40_000);
    const devices = Array.from({ length: 60 }, () => camera());
    const a = await activateFirst(api, slc, devices);
    const before = await storedDevices(slc);

    expect(await widenLicenseGroups(slc)).toBe(true);

    const license = (await getLicense(slc))!;
    expect(license.deviceGroupWidth).toBe(4);
    expect(license.deviceGroupsWidening).toBeUndefined();
    expect(await storedDevices(slc)).toEqual(before);
    const groups = groupsOf(license, devices.map((device) => device.mac));
    expect((await getInstallation(a.installationId))!.deviceGroups).toEqual(groups);
    const { client, tableName } = store();
    const item = (await client.send(new GetCommand({ TableName: tableName, Key: keys.deviceGroup(slc, groups[0]!), ConsistentRead: true }))).Item!;
    expect(item.pk).toBe(`LICENSE#${slc}#DEVICEGROUPS#${groups[0]![0]}`);
    const again = await reactivate(a, [...devices.slice(1), camera()]);
    expect(again.status).toBe(200);
    expect(again.body.released).toHaveLength(1);
    await expectLedgerConsistent(slc);
  });

  it('while a license is marked, activations answer 503 and change nothing; the next run finishes from the mark', async () => {
    const slc = await licenseOn256Groups(3_000);
    const devices = Array.from({ length: 20 }, () => camera());
    const a = await activateFirst(api, slc, devices);
    const { client, tableName } = store();
    await client.send(new UpdateCommand({ TableName: tableName, Key: keys.license(slc), UpdateExpression: 'SET deviceGroupsWidening = :to', ExpressionAttributeValues: { ':to': { from: 2, to: 3 } } }));
    const before = await storedDevices(slc);

    const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()]) } });
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe('service_unavailable');
    const again = await reactivate(a, [...devices.slice(5), camera()]);
    expect(again.status).toBe(503);
    expect(await storedDevices(slc)).toEqual(before);
    expect((await getLicense(slc))!.installationCount).toBe(1);

    expect(await widenLicenseGroups(slc)).toBe(true);
    expect((await getLicense(slc))!.deviceGroupWidth).toBe(3);
    const after = await reactivate(a, [...devices.slice(5), camera()]);
    expect(after.status).toBe(200);
    expect(after.body.released).toHaveLength(5);
    await expectLedgerConsistent(slc);
  });

  it('a run that stops halfway through copying leaves the license marked; the next run completes it without losing or doubling a device', async () => {
    const slc = await licenseOn256Groups(4_000);
    const a = await activateFirst(api, slc, Array.from({ length: 250 }, () => camera()));
    const before = await storedDevices(slc);
    let copies = 0;
    await expect(
      withMiddleware(
        'stop-copying',
        (next, context) => async (args) => {
          if (context.commandName === 'UpdateItemCommand' && JSON.stringify(args.input).includes('copiedAt') && ++copies > 60) throw new Error('connection reset');
          return next(args);
        },
        () => widenLicenseGroups(slc),
      ),
    ).rejects.toThrow('connection reset');
    const stopped = (await getLicense(slc))!;
    expect(stopped.deviceGroupsWidening).toEqual({ from: 2, to: 3 });
    expect(stopped.deviceGroupWidth).toBeUndefined();
    // Meanwhile the old groups are still what is read.
    expect(await storedDevices(slc)).toEqual(before);

    expect((await migrateStoredData()).deviceGroupWidths.widened).toBeGreaterThanOrEqual(1);
    expect((await getLicense(slc))!.deviceGroupWidth).toBe(3);
    expect(await storedDevices(slc)).toEqual(before);
    await expectLedgerConsistent(slc);
    const checkIn = await api.signed(a, 'GET', `/v1/installations/${a.installationId}/license`);
    expect(checkIn.status).toBe(200);
  });

  it.each([
    [5_000, 3],
    [40_000, 4],
  ])('a devices-list cursor returned before a split to %i device licenses pages on after it: every device listed once', async (deviceLicenses, width) => {
    const slc = await licenseOn256Groups(deviceLicenses);
    await activateFirst(api, slc, Array.from({ length: 300 }, () => camera()));
    const page = async (limit: number, cursor?: string | null) =>
      (await api.ops('GET', `/v1/licenses/${slc}/devices?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body as { items: Array<{ mac: string }>; nextCursor: string | null };
    // The list one device at a time before the split: `cursors[i]` follows `before[i]`.
    const before: string[] = [];
    const cursors: string[] = [];
    for (let cursor: string | null = null; ; ) {
      const { items, nextCursor } = await page(1, cursor);
      before.push(...items.map((device) => device.mac));
      if (!nextCursor) break;
      cursors.push((cursor = nextCursor));
    }
    expect(before).toHaveLength(300);
    // Cursors that end within one of the 256 groups, with at least two of its devices still to come:
    // after the split the group's devices are spread over wider groups, several of them holding
    // devices listed already.
    const narrow = (await getLicense(slc))!;
    const groupAt = (i: number) => deviceGroupUnder(narrow, before[i]!);
    const withinGroups = cursors.map((_, i) => i).filter((i) => groupAt(i) === groupAt(i + 1) && groupAt(i + 1) === groupAt(i + 2));
    expect(withinGroups.length).toBeGreaterThanOrEqual(10);

    expect(await widenLicenseGroups(slc)).toBe(true);
    expect((await getLicense(slc))!.deviceGroupWidth).toBe(width);
    for (const position of withinGroups.slice(0, 12)) {
      // One device a page at first, so that the cursors the service returns next also fall within those wider groups.
      const rest: string[] = [];
      let cursor: string | null = cursors[position]!;
      for (let pages = 0; cursor; pages++) {
        const next = await page(pages < 4 ? 1 : 100, cursor);
        rest.push(...next.items.map((device) => device.mac));
        cursor = next.nextCursor;
      }
      const listed = [...before.slice(0, position + 1), ...rest];
      expect(listed, `resumed after ${position + 1}`).toHaveLength(300);
      expect(new Set(listed), `resumed after ${position + 1}`).toEqual(new Set(before));
    }
  });

  it('activations running while the groups are split all end activated, and no device is lost or held twice', async () => {
    const slc = await licenseOn256Groups(8_000);
    const installations = await Promise.all(Array.from({ length: 4 }, () => Array.from({ length: 120 }, () => camera())).map(async (devices) => ({ devices, credentials: await activateFirst(api, slc, devices) })));
    const wanted = installations.map(({ devices }) => [...devices.slice(0, 60), ...Array.from({ length: 60 }, () => camera())]);
    /** The installations refused at least once while the license was marked. */
    const refused = new Set<string>();
    /** Re-activates until the answer is not a 503 (the license is marked meanwhile). */
    async function untilAnswered(credentials: InstallationCredentials, devices: unknown[]) {
      for (let attempt = 0; attempt < 200; attempt++) {
        const response = await reactivate(credentials, devices);
        if (response.status !== 503) return response;
        refused.add(credentials.installationId);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('still refused');
    }
    // Each installation moves between its two device lists for as long as the split runs, then settles on the second.
    let splitting = true;
    const answered: number[] = [];
    async function keepActivating(credentials: InstallationCredentials, lists: [unknown[], unknown[]]) {
      for (let round = 0; splitting; round++) answered.push((await untilAnswered(credentials, lists[round % 2]!)).status);
      return untilAnswered(credentials, lists[1]);
    }
    const split = new Promise((resolve) => setTimeout(resolve, 200)).then(() => widenLicenseGroups(slc)).finally(() => (splitting = false));
    const [widened, ...answers] = await Promise.all([split, ...installations.map(({ devices, credentials }, i) => keepActivating(credentials, [devices, wanted[i]!]))]);
    expect(widened).toBe(true);
    // Every installation kept activating while the split ran, so each met the mark at least once.
    expect(refused.size).toBe(installations.length);
    expect(answered.every((status) => status === 200)).toBe(true);
    for (const answer of answers) expect(answer.status).toBe(200);
    const license = (await getLicense(slc))!;
    expect(license.deviceGroupWidth).toBe(3);
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(480);
    installations.forEach(({ credentials }, i) => {
      const held = ledger.devices.filter((device) => device.installationId === credentials.installationId).map((device) => device.mac).sort();
      expect(held).toEqual(wanted[i]!.map((device) => device.mac).sort());
    });
    for (const [i, { credentials }] of installations.entries()) {
      expect((await getInstallation(credentials.installationId))!.deviceGroups).toEqual(groupsOf(license, wanted[i]!.map((device) => device.mac)));
    }
  });

  it('a large activation that committed before the mark and writes its devices after the copy does not land on the old groups', async () => {
    const slc = await licenseOn256Groups(5_000);
    const devices = Array.from({ length: 20 }, () => camera());
    const a = await activateFirst(api, slc, devices);
    const wanted = [...devices, ...Array.from({ length: 200 }, () => camera())];
    const oldGroupKeys = deviceGroupsOfWidth(2).map((group) => keys.deviceGroup(slc, group));
    let split: Promise<boolean> | undefined;
    const interrupted = await withMiddleware(
      'split-after-commit',
      afterAllocationCommit(a.installationId, async () => {
        split = widenLicenseGroups(slc);
        // The copy of every old group holding a device is done before this activation writes its devices.
        for (;;) {
          const copied = (await batchGet(oldGroupKeys)).filter((item) => Object.keys(item).some((name) => name.startsWith('device:')));
          if (copied.length > 0 && copied.every((item) => item.copiedAt !== undefined)) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }),
      () => reactivate(a, wanted),
    );
    expect(interrupted.status).toBe(503);
    expect(await split).toBe(true);
    const again = await reactivate(a, wanted);
    expect(again.status).toBe(200);
    expect(statusesOf(again.body).every((status) => status === 'activated')).toBe(true);
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.devices.filter((device) => device.installationId === a.installationId).map((device) => device.mac).sort()).toEqual(wanted.map((device) => device.mac).sort());
  });
});
