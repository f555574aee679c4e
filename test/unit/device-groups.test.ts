import { describe, expect, it } from 'vitest';
import { deriveDeviceKey } from '../../shared/domain/device-key';
import { ApiError } from '../../shared/http/errors';
import { DEVICE_GROUP_COUNT, deviceGroupOf, deviceGroupWrites, nextDeviceEntry, type DeviceEntry, type DeviceGroup } from '../../shared/store/devices';

const AT = '2026-11-30T10:00:00.000Z';
const EARLIER = '2026-01-01T00:00:00.000Z';
const key = (mac: string) => deriveDeviceKey('salt-of-the-slc', mac);
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
  it('names one of 256 groups, the same for the same key', () => {
    expect(deviceGroupOf(key('00:11:22:33:44:55'))).toMatch(/^[0-9a-f]{2}$/);
    expect(deviceGroupOf(key('00:11:22:33:44:55'))).toBe(deviceGroupOf(key('00:11:22:33:44:55')));
  });

  it('spreads the devices of one vendor evenly over the groups', () => {
    const sizes = new Map<string, number>();
    for (let n = 0; n < 25_600; n++) {
      const group = deviceGroupOf(key(mac(n)));
      sizes.set(group, (sizes.get(group) ?? 0) + 1);
    }
    expect(sizes.size).toBe(DEVICE_GROUP_COUNT);
    // 100 per group on average; a hash puts every group within a few standard deviations (10) of it.
    expect(Math.max(...sizes.values())).toBeLessThan(150);
    expect(Math.min(...sizes.values())).toBeGreaterThan(50);
  });
});

describe('nextDeviceEntry: registration and deletion counts', () => {
  const activate = { kind: 'activate', mac: '00:11:22:33:44:55', deviceKey: key('00:11:22:33:44:55'), licenses: 2 } as const;
  const release = (deletes: boolean) => ({ kind: 'release', mac: '00:11:22:33:44:55', deviceKey: key('00:11:22:33:44:55'), deletes }) as const;

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
  const groupOf = (m: string) => deviceGroupOf(key(m));
  const read = (groups: DeviceGroup[]) => new Map(groups.map((group) => [group.group, group]));

  it('writes each touched group once, from the revision read, keeping the devices nobody changed', () => {
    const [a, b] = macs.filter((m) => groupOf(m) === groupOf(macs[0]!));
    const other = macs.find((m) => groupOf(m) !== groupOf(a!))!;
    const groups = read([
      { group: groupOf(a!), revision: 7, devices: { [b!]: entry({ deviceKey: key(b!), installationId: 'inst-b', lastInstallationId: 'inst-b' }) } },
      { group: groupOf(other), revision: 0, devices: {} },
    ]);
    const writes = deviceGroupWrites('inst-a', groups, [
      { kind: 'activate', mac: a!, deviceKey: key(a!), licenses: 1 },
      { kind: 'activate', mac: other, deviceKey: key(other), licenses: 3 },
    ], AT);
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
    expect(() => deviceGroupWrites('inst-a', new Map(), [{ kind: 'activate', mac: macs[0]!, deviceKey: key(macs[0]!), licenses: 1 }], AT)).toThrow(/was not read/);
  });

  it('refuses, before any write, a change that grows a group past what one item holds', () => {
    const group = groupOf(macs[0]!);
    const crowded = Object.fromEntries(Array.from({ length: 1_500 }, (_, n) => [`02:00:00:${n}`, entry()]));
    const attempt = () =>
      deviceGroupWrites('inst-a', read([{ group, revision: 3, devices: crowded }]), [{ kind: 'activate', mac: macs[0]!, deviceKey: key(macs[0]!), licenses: 1 }], AT);
    expect(attempt).toThrow(ApiError);
    expect(attempt).toThrow(expect.objectContaining({ status: 422, code: 'device_capacity_exceeded' }));
    const roomy = Object.fromEntries(Array.from({ length: 1_000 }, (_, n) => [`02:00:00:${n}`, entry()]));
    expect(() =>
      deviceGroupWrites('inst-a', read([{ group, revision: 3, devices: roomy }]), [{ kind: 'activate', mac: macs[0]!, deviceKey: key(macs[0]!), licenses: 1 }], AT),
    ).not.toThrow();
  });
});
