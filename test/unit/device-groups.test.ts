import { describe, expect, it } from 'vitest';
import { deriveDeviceKey, deviceGroupOf } from '../../shared/domain/device-key';
import { DEVICE_GROUP_COUNT, deviceGroupWrites, devicesWithoutRoom, nextDeviceEntry, type DeviceEntry, type DeviceGroup } from '../../shared/store/devices';

const AT = '2026-11-30T10:00:00.000Z';
const EARLIER = '2026-01-01T00:00:00.000Z';
const SALT = 'salt-of-the-slc';
const key = (mac: string) => deriveDeviceKey(SALT, mac);
const groupOf = (mac: string) => deviceGroupOf(SALT, mac);
const mac = (n: number) => `00:11:22:${[16, 8, 0].map((shift) => ((n >> shift) & 255).toString(16).padStart(2, '0')).join(':')}`;

function entry(overrides: Partial<DeviceEntry> = {}): DeviceEntry {
  return {
    deviceKey: key('00:11:22:33:44:55'),
    installationId: 'inst-a',
    lastInstallationId: 'inst-a',
    status: 'activated',
    licenses: 1,
    registrations: 1,
    deletions: 0,
    firstActivatedAt: EARLIER,
    lastChangedAt: EARLIER,
    ...overrides,
  };
}

describe('deviceGroupOf', () => {
  it('names one of 256 groups, the same for the same SLC and MAC', () => {
    expect(groupOf('00:11:22:33:44:55')).toMatch(/^[0-9a-f]{2}$/);
    expect(groupOf('00:11:22:33:44:55')).toBe(groupOf('00:11:22:33:44:55'));
  });

  it('spreads the devices of one vendor evenly over the groups', () => {
    const sizes = new Map<string, number>();
    for (let n = 0; n < 25_600; n++) {
      const group = groupOf(mac(n));
      sizes.set(group, (sizes.get(group) ?? 0) + 1);
    }
    expect(sizes.size).toBe(DEVICE_GROUP_COUNT);
    // 100 per group on average; a hash puts every group within a few standard deviations (10) of it.
    expect(Math.max(...sizes.values())).toBeLessThan(150);
    expect(Math.min(...sizes.values())).toBeGreaterThan(50);
  });

  it('depends on the SLC secret, so another SLC groups the same MACs differently', () => {
    const macs = Array.from({ length: 2_560 }, (_, n) => mac(n));
    const same = macs.filter((m) => deviceGroupOf('another-salt', m) === groupOf(m)).length;
    expect(same).toBeLessThan(40); // 10 expected by chance
  });
});

describe('nextDeviceEntry: registration and deletion counts', () => {
  const activate = { kind: 'activate', mac: '00:11:22:33:44:55', group: groupOf('00:11:22:33:44:55'), deviceKey: key('00:11:22:33:44:55'), licenses: 2 } as const;
  const release = (deletes: boolean) => ({ kind: 'release', mac: '00:11:22:33:44:55', group: groupOf('00:11:22:33:44:55'), deletes }) as const;

  it.each([
    ['a device new to the SLC is registered once', undefined, { registrations: 1, deletions: 0, firstActivatedAt: AT }],
    ['the holder activating it again (new licence count) is no new registration', entry(), { registrations: 1, deletions: 0, firstActivatedAt: EARLIER }],
    ['a device released elsewhere and activated here is registered again', entry({ installationId: null, lastInstallationId: 'inst-b', status: 'released', deletions: 1 }), { registrations: 2, deletions: 1, firstActivatedAt: EARLIER }],
  ])('%s', (_, current, expected) => {
    expect(nextDeviceEntry('inst-a', current, activate, AT)).toEqual({
      deviceKey: activate.deviceKey,
      installationId: 'inst-a',
      lastInstallationId: 'inst-a',
      status: 'activated',
      licenses: 2,
      lastChangedAt: AT,
      ...expected,
    });
  });

  it.each([
    ['a device the request no longer lists counts a deletion', true, 1],
    ['a device that no longer fits is released without a deletion', false, 0],
  ])('%s', (_, deletes, deletions) => {
    expect(nextDeviceEntry('inst-a', entry(), release(deletes), AT)).toEqual(
      entry({ installationId: null, lastInstallationId: 'inst-a', status: 'released', deletions, lastChangedAt: AT }),
    );
  });

  it('refuses to release a device that was never stored', () => {
    expect(() => nextDeviceEntry('inst-a', undefined, release(true), AT)).toThrow(/unknown device/);
  });
});

describe('deviceGroupWrites', () => {
  const macs = Array.from({ length: 600 }, (_, n) => mac(n));
  const read = (groups: DeviceGroup[]) => new Map(groups.map((group) => [group.group, group]));
  const activate = (m: string, licenses = 1) => ({ kind: 'activate', mac: m, group: groupOf(m), deviceKey: key(m), licenses }) as const;

  it('writes each touched group once, from the revision read, keeping the devices nobody changed', () => {
    const [a, b] = macs.filter((m) => groupOf(m) === groupOf(macs[0]!));
    const other = macs.find((m) => groupOf(m) !== groupOf(a!))!;
    const groups = read([
      { group: groupOf(a!), revision: 7, devices: { [b!]: entry({ deviceKey: key(b!), installationId: 'inst-b', lastInstallationId: 'inst-b' }) } },
      { group: groupOf(other), revision: 0, devices: {} },
    ]);
    const writes = deviceGroupWrites('inst-a', groups, [activate(a!), activate(other, 3)], AT);
    expect(writes.map((write) => [write.group, write.readRevision, Object.keys(write.devices).sort()])).toEqual([
      [groupOf(a!), 7, [a, b].sort()],
      [groupOf(other), 0, [other]],
    ]);
    const written = writes.find((write) => write.group === groupOf(a!))!;
    expect(written.devices[b!]).toBe(groups.get(groupOf(a!))!.devices[b!]);
    expect(written.devices[a!]).toMatchObject({ installationId: 'inst-a', licenses: 1, registrations: 1 });
    expect(groups.get(groupOf(a!))!.devices[a!]).toBeUndefined();
  });

  it('needs every group a change falls in to have been read', () => {
    expect(() => deviceGroupWrites('inst-a', new Map(), [activate(macs[0]!)], AT)).toThrow(/was not read/);
  });
});

describe('devicesWithoutRoom: a group takes new devices up to 360,000 bytes', () => {
  const macs = Array.from({ length: 2_000 }, (_, n) => mac(n));
  const target = groupOf(macs[0]!);
  const inTarget = macs.filter((m) => groupOf(m) === target);
  const elsewhere = macs.find((m) => groupOf(m) !== target)!;
  const requested = (...list: string[]) => list.map((m) => ({ mac: m, deviceKey: key(m), group: groupOf(m) }));
  const releasedEntry = entry({ installationId: null, status: 'released', deletions: 1 });
  /** A group filled with released history to exactly `bytes` of JSON. */
  function filled(bytes: number): DeviceGroup {
    if (bytes === 0) return { group: target, revision: 0, devices: {} };
    const macOf = (n: number) => `02:ff:00:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
    const per = Buffer.byteLength(JSON.stringify({ [macOf(0)]: releasedEntry })) - 1;
    const devices: Record<string, DeviceEntry> = Object.fromEntries(Array.from({ length: Math.floor(bytes / per) - 1 }, (_, n) => [macOf(n), releasedEntry]));
    const size = () => Buffer.byteLength(JSON.stringify(devices));
    const last = macOf(Math.floor(bytes / per));
    devices[last] = releasedEntry;
    devices[last] = { ...releasedEntry, lastInstallationId: `${releasedEntry.lastInstallationId}${'x'.repeat(bytes - size())}` };
    expect(size()).toBe(bytes);
    return { group: target, revision: 4, devices };
  }
  const groups = (target: DeviceGroup) => new Map([[target.group, target], [groupOf(elsewhere), { group: groupOf(elsewhere), revision: 0, devices: {} }]]);

  it.each([
    // A new device takes about 300 bytes.
    ['an empty group takes every new device', 0, []],
    ['a group with room for one more takes the first new device in request order, not the second', 359_600, [1]],
    ['a full group takes no new device', 360_000, [0, 1]],
  ])('%s', (_, bytes, refused) => {
    const without = devicesWithoutRoom(groups(filled(bytes)), requested(inTarget[0]!, inTarget[1]!, elsewhere));
    expect([...without]).toEqual((refused as number[]).map((index) => inTarget[index]));
  });

  it('a device its full group already has always fits', () => {
    const full = filled(360_000);
    const withDevice = { ...full, devices: { ...full.devices, [inTarget[0]!]: entry({ deviceKey: key(inTarget[0]!) }) } };
    expect([...devicesWithoutRoom(groups(withDevice), requested(inTarget[0]!, inTarget[1]!))]).toEqual([inTarget[1]]);
  });
});
