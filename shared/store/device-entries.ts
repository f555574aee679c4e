import type { DeviceRecord } from './records';

/** A device as its group holds it, with a revision that every write of it bumps. */
export type DeviceEntry = Omit<DeviceRecord, 'slc' | 'mac'> & { revision: number };

/**
 * How a device is stored in its group item. DynamoDB bills every write of a group, and every read,
 * by the size of the whole item, so the entries are kept small: one-letter names, times as epoch
 * milliseconds, and fields left out when they hold their usual value (no holder, the holder as last
 * holder, no deletion, last change at the first activation). Entries written before this encoding
 * have the long names of DeviceEntry; both are read, and a device's next write stores it encoded.
 */
export interface StoredDeviceEntry {
  /** deviceKey */
  k: string;
  /** installationId, absent when none holds the device */
  i?: string;
  /** lastInstallationId, absent when it is the holder */
  l?: string;
  /** status: activated, released, disabled */
  s: 'a' | 'r' | 'd';
  /** neverActivated */
  o?: 1;
  /** licenses */
  n: number;
  /** registrations */
  g: number;
  /** deletions, absent when 0 */
  x?: number;
  /** firstActivatedAt */
  f: number | string;
  /** lastChangedAt, absent when it is firstActivatedAt */
  c?: number | string;
  /** revision */
  v: number;
}

/** The attribute a stored entry's revision has, in either form: a write's condition names both. */
export const REVISION_ATTRIBUTES = { encoded: 'v', earlier: 'revision' } as const;

const STATUS_CODES = { activated: 'a', released: 'r', disabled: 'd' } as const;
const STATUSES = { a: 'activated', r: 'released', d: 'disabled' } as const;

/** An ISO time as epoch milliseconds when that gives the same string back; any other string as it is. */
function encodeTime(time: string): number | string {
  const ms = Date.parse(time);
  return Number.isFinite(ms) && new Date(ms).toISOString() === time ? ms : time;
}

const decodeTime = (time: number | string): string => (typeof time === 'number' ? new Date(time).toISOString() : time);

export function encodeDeviceEntry(entry: DeviceEntry): StoredDeviceEntry {
  const firstActivatedAt = encodeTime(entry.firstActivatedAt);
  return {
    k: entry.deviceKey,
    ...(entry.installationId !== null ? { i: entry.installationId } : {}),
    ...(entry.lastInstallationId !== entry.installationId ? { l: entry.lastInstallationId } : {}),
    s: STATUS_CODES[entry.status],
    ...(entry.neverActivated ? { o: 1 as const } : {}),
    n: entry.licenses,
    g: entry.registrations,
    ...(entry.deletions !== 0 ? { x: entry.deletions } : {}),
    f: firstActivatedAt,
    ...(entry.lastChangedAt !== entry.firstActivatedAt ? { c: encodeTime(entry.lastChangedAt) } : {}),
    v: entry.revision,
  };
}

/** Whether a stored entry is in the encoded form (an entry of the earlier form has `revision` instead of `v`). */
export const isEncodedEntry = (stored: StoredDeviceEntry | DeviceEntry): stored is StoredDeviceEntry => REVISION_ATTRIBUTES.encoded in stored;

/** A stored entry, in either form, as the DeviceEntry it holds. */
export function decodeDeviceEntry(stored: StoredDeviceEntry | DeviceEntry): DeviceEntry {
  if (!isEncodedEntry(stored)) return stored;
  const installationId = stored.i ?? null;
  const firstActivatedAt = decodeTime(stored.f);
  return {
    deviceKey: stored.k,
    installationId,
    lastInstallationId: stored.l ?? installationId!,
    status: STATUSES[stored.s],
    ...(stored.o ? { neverActivated: true } : {}),
    licenses: stored.n,
    registrations: stored.g,
    deletions: stored.x ?? 0,
    firstActivatedAt,
    lastChangedAt: stored.c === undefined ? firstActivatedAt : decodeTime(stored.c),
    revision: stored.v,
  };
}
