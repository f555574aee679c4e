import { deviceGroupsOfWidth } from './devices';

/**
 * How an installation stores the names of the device groups it holds devices in (`deviceGroups`).
 * A list of names costs about one byte more than each name; past a handful of groups a bitmap of all
 * the SLC's groups (32 bytes for 256 groups, 512 bytes for 4,096, 8 KB for 65,536) is smaller. DynamoDB bills every
 * write of the installation, and of its rows in the indexes, by the item's whole size, and an
 * installation with devices in most of 4,096 groups would otherwise carry about 16 KB of names.
 * Both forms are read; every write stores the smaller.
 */
export type StoredDeviceGroups = readonly string[] | Uint8Array;

const LIST_OVERHEAD_BYTES = 3;
const bitmapBytes = (width: number) => 16 ** width / 8;

export function encodeDeviceGroups(groups: readonly string[]): StoredDeviceGroups {
  if (groups.length === 0) return [];
  const width = groups[0]!.length;
  if (groups.some((group) => group.length !== width || !/^[0-9a-f]+$/.test(group))) throw new Error('device groups of one SLC have names of one width');
  if (LIST_OVERHEAD_BYTES + groups.length * (width + 1) <= bitmapBytes(width)) return [...groups];
  const bitmap = new Uint8Array(bitmapBytes(width));
  for (const group of groups) {
    const index = Number.parseInt(group, 16);
    bitmap[index >> 3]! |= 1 << (index & 7);
  }
  return bitmap;
}

/** The group names, in order, from either stored form. */
export function decodeDeviceGroups(stored: StoredDeviceGroups | undefined): string[] {
  if (stored === undefined) return [];
  if (!(stored instanceof Uint8Array)) return [...stored];
  const width = ([2, 3, 4] as const).find((candidate) => bitmapBytes(candidate) === stored.length);
  if (width === undefined) throw new Error(`a device-group bitmap of ${stored.length} bytes names no group width`);
  return deviceGroupsOfWidth(width).filter((_, index) => (stored[index >> 3]! & (1 << (index & 7))) !== 0);
}
