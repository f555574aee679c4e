import { describe, expect, it } from 'vitest';
import { deriveDeviceKey, deviceGroupOf, deviceGroupWidthFor, deviceGroupWidthOf, MIDDLE_GROUPS_UP_TO_DEVICE_LICENSES, NARROW_GROUPS_UP_TO_DEVICE_LICENSES } from '../../shared/domain/device-key';
import { encodeDeviceEntry } from '../../shared/store/device-entries';
import { splitGroupItem } from '../../shared/store/device-group-widening';
import { deviceAttribute, deviceGroupsOfWidth, deviceGroupUpdates, devicesWithoutRoom, nextDeviceEntry, transactionsOf, updateItemOf, type DeviceEntry, type DeviceGroup } from '../../shared/store/devices';

const AT = '2026-11-30T10:00:00.000Z';
const EARLIER = '2026-01-01T00:00:00.000Z';
const SALT = 'salt-of-the-slc';
const key = (mac: string) => deriveDeviceKey(SALT, mac);
const groupOf = (mac: string) => deviceGroupOf(SALT, mac, 2);
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
    revision: 3,
    ...overrides,
  };
}

describe('deviceGroupOf', () => {
  it.each([
    [2, /^[0-9a-f]{2}$/],
    [3, /^[0-9a-f]{3}$/],
  ] as const)('names one group of width %i, the same for the same SLC and MAC', (width, name) => {
    expect(deviceGroupOf(SALT, '00:11:22:33:44:55', width)).toMatch(name);
    expect(deviceGroupOf(SALT, '00:11:22:33:44:55', width)).toBe(deviceGroupOf(SALT, '00:11:22:33:44:55', width));
  });

  it('names in the wider groups extend those of the narrower, so that groups could be split in place', () => {
    for (let n = 0; n < 500; n++) expect(deviceGroupOf(SALT, mac(n), 3).startsWith(deviceGroupOf(SALT, mac(n), 2))).toBe(true);
  });

  it.each([2, 3] as const)('spreads the devices of one vendor evenly over the %i-digit groups', (width) => {
    const groups = deviceGroupsOfWidth(width);
    const sizes = new Map<string, number>();
    for (let n = 0; n < groups.length * 100; n++) {
      const group = deviceGroupOf(SALT, mac(n), width);
      sizes.set(group, (sizes.get(group) ?? 0) + 1);
    }
    expect([...sizes.keys()].sort()).toEqual(groups);
    // 100 per group on average; a hash puts every group within a few standard deviations (10) of it.
    expect(Math.max(...sizes.values())).toBeLessThan(150);
    expect(Math.min(...sizes.values())).toBeGreaterThan(50);
  });

  it('depends on the SLC secret, so another SLC groups the same MACs differently', () => {
    const macs = Array.from({ length: 2_560 }, (_, n) => mac(n));
    const same = macs.filter((m) => deviceGroupOf('another-salt', m, 2) === groupOf(m)).length;
    expect(same).toBeLessThan(40); // 10 expected by chance
  });
});

describe('deviceGroupWidthFor: the groups an SLC is issued with', () => {
  it.each([
    [1, 2],
    [NARROW_GROUPS_UP_TO_DEVICE_LICENSES, 2],
    [NARROW_GROUPS_UP_TO_DEVICE_LICENSES + 1, 3],
    [10_000, 3],
    [MIDDLE_GROUPS_UP_TO_DEVICE_LICENSES, 3],
    [MIDDLE_GROUPS_UP_TO_DEVICE_LICENSES + 1, 4],
    [250_000, 4],
    [1_000_000, 4],
  ])('%i device licenses: %i hex digits', (licenses, width) => {
    expect(deviceGroupWidthFor(licenses)).toBe(width);
  });

  it('a license issued before the width was chosen has 256 groups', () => {
    expect(deviceGroupWidthOf({})).toBe(2);
    expect(deviceGroupsOfWidth(deviceGroupWidthOf({}))).toHaveLength(256);
    expect(deviceGroupsOfWidth(3)).toHaveLength(4_096);
    expect(deviceGroupsOfWidth(4)).toHaveLength(65_536);
  });
});

describe('nextDeviceEntry: registration and deletion counts', () => {
  const activate = { kind: 'activate', mac: '00:11:22:33:44:55', group: groupOf('00:11:22:33:44:55'), deviceKey: key('00:11:22:33:44:55'), licenses: 2 } as const;
  const release = (deletes: boolean) => ({ kind: 'release', mac: '00:11:22:33:44:55', group: groupOf('00:11:22:33:44:55'), deletes }) as const;

  it.each([
    ['a device new to the SLC is registered once', undefined, { registrations: 1, deletions: 0, firstActivatedAt: AT, revision: 1 }],
    ['the holder activating it again (new licence count) is no new registration', entry(), { registrations: 1, deletions: 0, firstActivatedAt: EARLIER, revision: 4 }],
    ['a device released elsewhere and activated here is registered again', entry({ installationId: null, lastInstallationId: 'inst-b', status: 'released', deletions: 1 }), { registrations: 2, deletions: 1, firstActivatedAt: EARLIER, revision: 4 }],
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
      entry({ installationId: null, lastInstallationId: 'inst-a', status: 'released', deletions, lastChangedAt: AT, revision: 4 }),
    );
  });

  it('refuses to release a device that was never stored', () => {
    expect(() => nextDeviceEntry('inst-a', undefined, release(true), AT)).toThrow(/unknown device/);
  });
});

describe('deviceGroupUpdates and updateItemOf: each device written on its own condition', () => {
  const macs = Array.from({ length: 600 }, (_, n) => mac(n));
  const read = (groups: DeviceGroup[]) => new Map(groups.map((group) => [group.group, group]));
  const activate = (m: string, licenses = 1) => ({ kind: 'activate', mac: m, group: groupOf(m), deviceKey: key(m), licenses }) as const;
  const [a, b] = macs.filter((m) => groupOf(m) === groupOf(macs[0]!));
  const other = macs.find((m) => groupOf(m) !== groupOf(a!))!;
  const heldByB = entry({ deviceKey: key(b!), installationId: 'inst-b', lastInstallationId: 'inst-b', revision: 7 });

  it('updates each touched group with the changed devices only, each from the revision read', () => {
    const groups = read([
      { group: groupOf(a!), devices: { [b!]: heldByB, [a!]: entry({ deviceKey: key(a!), installationId: null, status: 'released', revision: 4 }) } },
      { group: groupOf(other), devices: {} },
    ]);
    const updates = deviceGroupUpdates('inst-a', groups, [activate(a!), activate(other, 3)], AT);
    expect(updates.map((update) => [update.group, update.devices.map((device) => [device.mac, device.readRevision, device.entry.revision])])).toEqual([
      [groupOf(a!), [[a, 4, 5]]],
      [groupOf(other), [[other, undefined, 1]]],
    ]);
    expect(updates[0]!.devices[0]!.entry).toMatchObject({ installationId: 'inst-a', licenses: 1, registrations: 2 });
  });

  it('conditions a stored device on its revision and a new one on its absence, and touches no other device', () => {
    const groups = read([{ group: groupOf(a!), devices: { [b!]: heldByB, [a!]: entry({ deviceKey: key(a!), revision: 4 }) } }]);
    const [update] = deviceGroupUpdates('inst-a', groups, [activate(a!, 2), { ...activate(b!), mac: macs.find((m) => m !== a && m !== b && groupOf(m) === groupOf(a!))! }], AT);
    const item = updateItemOf('SLC-1', update!);
    expect(item.Key).toEqual({ pk: `LICENSE#SLC-1#DEVICEGROUP#${groupOf(a!)}`, sk: 'DEVICEGROUP' });
    // The revision read, under either name a stored entry may have it (shared/store/device-entries.ts).
    expect(item.ConditionExpression).toBe('attribute_not_exists(#moved) AND (#d0.#v = :r0 OR #d0.#revision = :r0) AND attribute_not_exists(#d1)');
    expect([item.ExpressionAttributeNames['#v'], item.ExpressionAttributeNames['#revision']]).toEqual(['v', 'revision']);
    expect(item.ExpressionAttributeValues[':d0']).toMatchObject({ k: key(a!), i: 'inst-a', v: 5 });
    expect(item.UpdateExpression).toBe('SET #type = :type, #slc = :slc, #group = :group, #d0 = :d0, #d1 = :d1');
    expect(item.ExpressionAttributeNames['#d0']).toBe(deviceAttribute(a!));
    expect(item.ExpressionAttributeValues[':r0']).toBe(4);
    expect(Object.values(item.ExpressionAttributeNames)).not.toContain(deviceAttribute(b!));
  });

  it('splits a group with many changes so that its expressions stay small', () => {
    const inOneGroup = Array.from({ length: 20_000 }, (_, n) => mac(n)).filter((m) => groupOf(m) === groupOf(a!)).slice(0, 70);
    const updates = deviceGroupUpdates('inst-a', read([{ group: groupOf(a!), devices: {} }]), inOneGroup.map((m) => activate(m)), AT);
    expect(updates.map((update) => update.devices.length)).toEqual([60, 10]);
    for (const update of updates) {
      const item = updateItemOf('SLC-1', update);
      expect(item.UpdateExpression.length).toBeLessThan(4096);
      expect(item.ConditionExpression.length).toBeLessThan(4096);
    }
  });

  const updatesOf = (...sizes: number[]) => sizes.map((size, n) => ({ group: n.toString(16).padStart(3, '0'), devices: Array.from({ length: size }, () => null) }));
  it.each([
    { case: 'single-device groups: 50 groups per transaction', sizes: Array(120).fill(1), transactions: [50, 50, 20] },
    { case: 'full updates of 60 devices: 25 per transaction', sizes: Array(30).fill(60), transactions: [25, 5] },
    { case: 'a transaction closes before passing 1,500 devices', sizes: [...Array(20).fill(60), ...Array(10).fill(40)], transactions: [27, 3] },
    { case: 'exactly 1,500 devices fit', sizes: [...Array(24).fill(60), 30, 30], transactions: [26] },
    { case: 'no update is left out', sizes: [], transactions: [] },
  ])('packs updates by devices and groups: $case', ({ sizes, transactions }) => {
    const rounds = transactionsOf(updatesOf(...sizes));
    expect(rounds.flat().map((transaction) => transaction.length)).toEqual(transactions);
    for (const transaction of rounds.flat()) expect(transaction.reduce((sum, update) => sum + update.devices.length, 0)).toBeLessThanOrEqual(1_500);
  });

  it('never puts two updates of one group in a round', () => {
    const updates = [
      ...Array.from({ length: 60 }, (_, n) => ({ group: n.toString(16).padStart(2, '0'), devices: [null] })),
      { group: '00', devices: [null] },
      { group: '00', devices: [null] },
      { group: '01', devices: [null] },
    ];
    const rounds = transactionsOf(updates);
    expect(rounds.flat(2)).toHaveLength(updates.length);
    expect(rounds.map((round) => round.map((transaction) => transaction.length))).toEqual([[50, 10], [2], [1]]);
    for (const round of rounds) {
      const groups = round.flat().map((update) => update.group);
      expect(new Set(groups).size).toBe(groups.length);
    }
  });

  it('needs every group a change falls in to have been read', () => {
    expect(() => deviceGroupUpdates('inst-a', new Map(), [activate(macs[0]!)], AT)).toThrow(/was not read/);
  });
});

describe('splitGroupItem: a frozen group\'s devices in the groups of a new width', () => {
  const license = { slc: 'SLC-1', deviceKeySalt: SALT };
  const stored = entry({ installationId: 'inst-a', revision: 3 });
  const macs = Array.from({ length: 20_000 }, (_, n) => mac(n)).filter((m) => groupOf(m) === '3c');
  const item = { ...Object.fromEntries(macs.map((m) => [deviceAttribute(m), encodeDeviceEntry(stored)])), group: '3c', movedTo: 3, copiedAt: AT };

  it.each([3, 4] as const)('to %i digits: every device once, in the group its MAC falls in, under the old name', (width) => {
    const children = splitGroupItem(license, item, width);
    const placed = [...children.values()].flatMap((child) => Object.keys(child).filter((name) => name.startsWith('device:')).map((name) => [name.slice(7), String(child.group)] as const));
    expect(placed.map(([m]) => m).sort()).toEqual([...macs].sort());
    for (const [m, group] of placed) expect(group).toBe(deviceGroupOf(SALT, m, width));
    for (const [name, child] of children) {
      expect(name.startsWith('3c')).toBe(true);
      expect(child).toMatchObject({ type: 'device_group', slc: 'SLC-1', group: name });
      expect(child).not.toHaveProperty('movedTo');
      expect(child).not.toHaveProperty('copiedAt');
    }
    expect(children.size).toBeGreaterThan(width === 3 ? 12 : 50);
  });

  it('keeps each device as it was (holder, counts, revision), stored compactly even if it was in the long form', () => {
    const longForm = { ...item, [deviceAttribute(macs[0]!)]: stored };
    const child = [...splitGroupItem(license, longForm, 3).values()].find((candidate) => deviceAttribute(macs[0]!) in candidate)!;
    expect(child[deviceAttribute(macs[0]!)]).toEqual(encodeDeviceEntry(stored));
  });

  it('tells which new groups each installation holds a device in; a released device names no holder', () => {
    const holders = ['inst-a', 'inst-b', null] as const;
    const mixed = { ...Object.fromEntries(macs.map((m, n) => [deviceAttribute(m), encodeDeviceEntry(holders[n % 3] ? entry({ installationId: holders[n % 3]!, revision: 3 }) : entry({ installationId: null, status: 'released', licenses: 0 }))])), group: '3c', movedTo: 3 };
    const holding = new Map<string, Set<string>>();
    splitGroupItem(license, mixed, 3, holding);
    const expected = new Map<string, Set<string>>();
    macs.forEach((m, n) => {
      const holder = holders[n % 3];
      if (holder) (expected.get(holder) ?? expected.set(holder, new Set()).get(holder)!).add(deviceGroupOf(SALT, m, 3));
    });
    expect(holding).toEqual(expected);
    expect([...holding.keys()].sort()).toEqual(['inst-a', 'inst-b']);
  });

  it('refuses a device stored outside the group its MAC falls in', () => {
    const stray = Array.from({ length: 100 }, (_, n) => mac(n)).find((m) => groupOf(m) !== '3c')!;
    expect(() => splitGroupItem(license, { ...item, [deviceAttribute(stray)]: encodeDeviceEntry(stored) }, 3)).toThrow(/not the group its MAC falls in/);
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
    if (bytes === 0) return { group: target, devices: {} };
    const macOf = (n: number) => `02:ff:00:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
    const per = Buffer.byteLength(JSON.stringify({ [macOf(0)]: releasedEntry })) - 1;
    const devices: Record<string, DeviceEntry> = Object.fromEntries(Array.from({ length: Math.floor(bytes / per) - 1 }, (_, n) => [macOf(n), releasedEntry]));
    const size = () => Buffer.byteLength(JSON.stringify(devices));
    const last = macOf(Math.floor(bytes / per));
    devices[last] = releasedEntry;
    devices[last] = { ...releasedEntry, lastInstallationId: `${releasedEntry.lastInstallationId}${'x'.repeat(bytes - size())}` };
    expect(size()).toBe(bytes);
    return { group: target, devices };
  }
  const groups = (target: DeviceGroup) => new Map([[target.group, target], [groupOf(elsewhere), { group: groupOf(elsewhere), devices: {} }]]);

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
