import { describe, expect, it } from 'vitest';
import { decodeDeviceEntry, encodeDeviceEntry, type DeviceEntry } from '../../shared/store/device-entries';

const holder = '5b7caf6c-c201-4623-b6f0-b1b57e87a056';
const other = '40f7638f-0b40-422b-b9d7-6fbaa793c7e2';
const activated: DeviceEntry = {
  deviceKey: 'DK-ABCDEF-GHJKMN-PQRSTV-WXYZ01',
  installationId: holder,
  lastInstallationId: holder,
  status: 'activated',
  licenses: 1,
  registrations: 1,
  deletions: 0,
  firstActivatedAt: '2026-12-01T15:11:57.617Z',
  lastChangedAt: '2026-12-01T15:11:57.617Z',
  revision: 1,
};

describe('device entries as a group stores them', () => {
  it.each<[string, DeviceEntry]>([
    ['activated for the first time', activated],
    ['activated again after changes', { ...activated, registrations: 3, deletions: 2, lastChangedAt: '2026-12-02T08:00:00.000Z', revision: 7 }],
    ['released (no holder; the last holder kept)', { ...activated, installationId: null, status: 'released', deletions: 1, lastChangedAt: '2026-12-03T00:00:00.000Z', revision: 2 }],
    ['held by another installation than the last one', { ...activated, lastInstallationId: other }],
    ['registered disabled, never activated', { ...activated, installationId: null, status: 'disabled', neverActivated: true, licenses: 3 }],
    ['times that are not canonical ISO strings stay as they are', { ...activated, firstActivatedAt: '2026-12-01T15:11:57Z', lastChangedAt: 'not a time' }],
  ])('%s: decoding gives back exactly what was encoded', (_name, entry) => {
    expect(decodeDeviceEntry(encodeDeviceEntry(entry))).toEqual(entry);
  });

  it('reads entries stored before the encoding as they are', () => {
    expect(decodeDeviceEntry(activated)).toEqual(activated);
  });

  it('stores an activated device in well under half the bytes of the earlier form', () => {
    const earlier = Buffer.byteLength(JSON.stringify(activated));
    const encoded = Buffer.byteLength(JSON.stringify(encodeDeviceEntry(activated)));
    expect(encoded).toBeLessThan(earlier * 0.45);
  });
});
