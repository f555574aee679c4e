import { describe, expect, it } from 'vitest';
import { decodeDeviceGroups, encodeDeviceGroups } from '../../shared/store/device-group-sets';
import { deviceGroupsOfWidth } from '../../shared/store/devices';

const everyOther = (width: 2 | 3 | 4, count: number) => deviceGroupsOfWidth(width).filter((_, i) => i % 2 === 0).slice(0, count);

describe('an installation’s device groups as stored', () => {
  it.each([
    ['no group', [], 'list'],
    ['a few 2-digit groups', ['00', '7f', 'ff'], 'list'],
    ['ten 2-digit groups (a list of 33 bytes against a bitmap of 32)', everyOther(2, 10), 'bitmap'],
    ['every 2-digit group', [...deviceGroupsOfWidth(2)], 'bitmap'],
    ['127 3-digit groups (511 bytes as a list)', everyOther(3, 127), 'list'],
    ['128 3-digit groups (515 bytes as a list, 512 as a bitmap)', everyOther(3, 128), 'bitmap'],
    ['every 3-digit group', [...deviceGroupsOfWidth(3)], 'bitmap'],
    ['1,637 4-digit groups (8,188 bytes as a list)', everyOther(4, 1_637), 'list'],
    ['1,638 4-digit groups (8,193 bytes as a list, 8,192 as a bitmap)', everyOther(4, 1_638), 'bitmap'],
    ['every 4-digit group', [...deviceGroupsOfWidth(4)], 'bitmap'],
  ] as const)('%s: stored as a %s, read back the same', (_case, groups, form) => {
    const stored = encodeDeviceGroups(groups);
    expect(stored instanceof Uint8Array ? 'bitmap' : 'list').toBe(form);
    if (stored instanceof Uint8Array) expect(stored.length).toBe(16 ** groups[0]!.length / 8);
    expect(decodeDeviceGroups(stored)).toEqual(groups);
  });

  it('reads a list as stored before bitmaps, and nothing when the attribute is absent', () => {
    expect(decodeDeviceGroups(['0a', '1b'])).toEqual(['0a', '1b']);
    expect(decodeDeviceGroups(undefined)).toEqual([]);
  });

  it('refuses names of two widths and a bitmap of a size no width has', () => {
    expect(() => encodeDeviceGroups(['0a', '0ab'])).toThrow();
    expect(() => encodeDeviceGroups(['zz'])).toThrow();
    expect(() => decodeDeviceGroups(new Uint8Array(64))).toThrow();
  });
});
