import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, PutCommand, TransactWriteCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ApiError, badRequest } from '../http/errors';
import { store } from './client';
import { keys } from './keys';
import { chunk, inParallel } from './batch';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import type { DeviceRecord } from './records';

/**
 * The devices of an SLC live in 256 device-group items (`LICENSE#<slc>#DEVICEGROUP#<hh>`), each
 * holding its devices by MAC; which group a device belongs to is derived from a secret of the SLC
 * (domain/device-key.ts). A 10,000-device activation then reads and writes a few hundred items
 * instead of 10,000, while every write of a group is still conditional on the group's revision as
 * read: a camera is never held by two installations and no count is lost.
 */
export const DEVICE_GROUP_COUNT = 256;
/** Every group of an SLC, in order: `00` … `ff`. */
export const ALL_DEVICE_GROUPS: readonly string[] = Array.from({ length: DEVICE_GROUP_COUNT }, (_, i) => i.toString(16).padStart(2, '0'));
/**
 * A group takes no new device past this many bytes (about 1,300 devices). DynamoDB's item limit is
 * 400 KB and a group's stored size is well below its JSON size, which leaves room for the devices it
 * already has to change (a released device activated again grows by an installation id).
 */
const NEW_DEVICE_LIMIT_BYTES = 360_000;
/**
 * Groups per transaction. Another installation's change to any group of a transaction cancels all
 * of it, so transactions are kept small; a cancelled pass rewrites only the groups still behind.
 */
const GROUPS_PER_TRANSACTION = 25;
/** TransactWriteItems takes at most 4 MB. */
const MAX_TRANSACTION_BYTES = 3_500_000;
const PARALLEL_REQUESTS = 8;
const MAX_READ_ATTEMPTS = 10;
/** Tries of one group written on its own, each after reading it again. */
const MAX_WRITE_ATTEMPTS = 20;
/** Groups of a contended transaction written at once, per transaction. */
const SPLIT_PARALLEL_REQUESTS = 4;

/** A device as its group stores it (the MAC is the key in the group's map). */
export type DeviceEntry = Omit<DeviceRecord, 'slc' | 'mac'>;

export interface DeviceGroup {
  group: string;
  /** 0 for a group with no item yet. */
  revision: number;
  devices: Readonly<Record<string, DeviceEntry>>;
}

/** A device an installation holds, with the group it is stored in. */
export type HeldDevice = DeviceRecord & { group: string };

const emptyGroup = (group: string): DeviceGroup => ({ group, revision: 0, devices: {} });

export function recordOf(slc: string, mac: string, entry: DeviceEntry): DeviceRecord {
  return { slc, mac, ...entry };
}

/** The device groups of an SLC, read consistently unless asked otherwise (100 per request); absent groups come back empty. */
export async function readDeviceGroups(slc: string, groups: Iterable<string>, options: { consistent: boolean } = { consistent: true }): Promise<Map<string, DeviceGroup>> {
  const { client, tableName } = store();
  const found = new Map<string, DeviceGroup>();
  for (const group of groups) found.set(group, emptyGroup(group));
  await inParallel(chunk([...found.keys()], 100), PARALLEL_REQUESTS, async (part) => {
    let pending: Record<string, unknown>[] | undefined = part.map((group) => keys.deviceGroup(slc, group));
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt >= MAX_READ_ATTEMPTS) throw new ApiError(503, 'service_unavailable', 'The license is busy; try again shortly.');
      // Keys left over because the answer reached its size limit are asked for again at once; throttled ones after a pause.
      if (attempt > 0 && pending.length === part.length) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const result: BatchGetCommandOutput = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent } } }),
      );
      for (const item of result.Responses?.[tableName] ?? []) {
        found.set(item.group as string, { group: item.group as string, revision: item.revision as number, devices: item.devices as Record<string, DeviceEntry> });
      }
      pending = result.UnprocessedKeys?.[tableName]?.Keys;
    }
  });
  return found;
}

/** The devices an installation holds, from the groups its record names. */
export async function listInstallationDevices(installation: { slc: string; installationId: string; deviceGroups: readonly string[] }): Promise<DeviceRecord[]> {
  return heldBy(installation.installationId, installation.slc, await readDeviceGroups(installation.slc, installation.deviceGroups));
}

/** The devices held by an installation among the groups read, in MAC order. */
export function heldBy(installationId: string, slc: string, groups: ReadonlyMap<string, DeviceGroup>): HeldDevice[] {
  const held: HeldDevice[] = [];
  for (const { group, devices } of groups.values()) {
    for (const [mac, entry] of Object.entries(devices)) if (entry.installationId === installationId) held.push({ ...recordOf(slc, mac, entry), group });
  }
  return held.sort((a, b) => (a.mac < b.mac ? -1 : 1));
}

/** What a device new to its group adds to the group's size (an activated entry, with its MAC). */
function newEntryBytes(mac: string, deviceKey: string): number {
  const at = '2000-01-01T00:00:00.000Z';
  const installationId = '00000000-0000-0000-0000-000000000000';
  const entry: DeviceEntry = { deviceKey, installationId, lastInstallationId: installationId, status: 'activated', licenses: 64, registrations: 1, deletions: 0, firstActivatedAt: at, lastChangedAt: at };
  return Buffer.byteLength(JSON.stringify({ [mac]: entry }));
}

/**
 * The requested devices that are new to their group and find it full, in request order: each new
 * device takes room in its group as if it were activated, until the group reaches its limit. The
 * planner leaves them `not_activated`; devices a group already has always fit.
 */
export function devicesWithoutRoom(
  groups: ReadonlyMap<string, DeviceGroup>,
  requested: ReadonlyArray<{ mac: string; deviceKey: string; group: string }>,
): Set<string> {
  const bytes = new Map<string, number>();
  const withoutRoom = new Set<string>();
  for (const { mac, deviceKey, group } of requested) {
    const { devices } = groups.get(group)!;
    if (devices[mac]) continue;
    const size = bytes.get(group) ?? approximateBytes(devices);
    const grown = size + newEntryBytes(mac, deviceKey);
    if (grown > NEW_DEVICE_LIMIT_BYTES) withoutRoom.add(mac);
    else bytes.set(group, grown);
  }
  return withoutRoom;
}

/** Groups read per request while listing; a few keep each page's read close to what it returns. */
const LISTING_GROUPS_PER_READ = 8;

/**
 * §4 devices of a license: every device ever registered under the SLC, group by group and by MAC
 * within a group. The cursor names the group and MAC a page ended at.
 */
export async function listLicenseDevices(slc: string, limit: number, cursor?: string): Promise<Page<DeviceRecord>> {
  const scope = `license-devices:${slc}`;
  const position = decodeCursor(scope, cursor);
  const after = position === undefined ? undefined : { group: position.group, mac: position.mac };
  if (after && (typeof after.group !== 'string' || !ALL_DEVICE_GROUPS.includes(after.group) || typeof after.mac !== 'string')) {
    throw badRequest('invalid_cursor', 'The cursor is not one this list returned.');
  }
  const remaining = ALL_DEVICE_GROUPS.slice(after ? ALL_DEVICE_GROUPS.indexOf(after.group as string) : 0);
  const items: DeviceRecord[] = [];
  for (const part of chunk(remaining, LISTING_GROUPS_PER_READ)) {
    const groups = await readDeviceGroups(slc, part, { consistent: false });
    for (const group of part) {
      let lastMac = '';
      const entries = Object.entries(groups.get(group)!.devices)
        .filter(([mac]) => !after || group !== after.group || mac > (after.mac as string))
        .sort(([a], [b]) => (a < b ? -1 : 1));
      for (const [mac, entry] of entries) {
        if (items.length === limit) return { items, nextCursor: encodeCursor(scope, { group, mac: lastMac }) };
        items.push(recordOf(slc, mac, entry));
        lastMac = mac;
      }
    }
  }
  return { items, nextCursor: null };
}

/** A change of one device, in the group that stores it. */
export type DeviceChange =
  | { kind: 'activate'; mac: string; group: string; deviceKey: string; licenses: number }
  | { kind: 'release'; mac: string; group: string; deletes: boolean };

/**
 * A device after a change, from the device as read (undefined when the device is new to the SLC).
 * A device the installation did not hold before counts one more registration; a release that
 * removes the device from the installation counts one more deletion.
 */
export function nextDeviceEntry(installationId: string, current: DeviceEntry | undefined, change: DeviceChange, at: string): DeviceEntry {
  if (change.kind === 'activate') {
    const registers = current?.installationId !== installationId;
    return {
      deviceKey: change.deviceKey,
      installationId,
      lastInstallationId: installationId,
      status: 'activated',
      licenses: change.licenses,
      registrations: (current?.registrations ?? 0) + (registers ? 1 : 0),
      deletions: current?.deletions ?? 0,
      firstActivatedAt: current?.firstActivatedAt ?? at,
      lastChangedAt: at,
    };
  }
  if (!current) throw new Error(`release of unknown device ${change.mac}`);
  return {
    ...current,
    installationId: null,
    status: 'released',
    deletions: current.deletions + (change.deletes ? 1 : 0),
    lastChangedAt: at,
  };
}

/** A group as it is to be written, with the revision it was read at. */
export interface DeviceGroupWrite {
  group: string;
  readRevision: number;
  devices: Record<string, DeviceEntry>;
  bytes: number;
}

const approximateBytes = (devices: Record<string, DeviceEntry>) => Buffer.byteLength(JSON.stringify(devices));

/**
 * The group items that bring the stored devices to the changes, computed from the groups as read
 * (every group a change falls in must have been read).
 */
export function deviceGroupWrites(
  installationId: string,
  groups: ReadonlyMap<string, DeviceGroup>,
  changes: readonly DeviceChange[],
  at: string,
): DeviceGroupWrite[] {
  const writes = new Map<string, DeviceGroupWrite>();
  for (const change of changes) {
    let write = writes.get(change.group);
    if (!write) {
      const read = groups.get(change.group);
      if (!read) throw new Error(`device group ${change.group} was not read before the change of ${change.mac}`);
      write = { group: change.group, readRevision: read.revision, devices: { ...read.devices }, bytes: 0 };
      writes.set(change.group, write);
    }
    write.devices[change.mac] = nextDeviceEntry(installationId, write.devices[change.mac], change, at);
  }
  for (const write of writes.values()) write.bytes = approximateBytes(write.devices);
  return [...writes.values()];
}

/** Packs group writes into small transactions within DynamoDB's size limit. */
function transactions(writes: readonly DeviceGroupWrite[]): DeviceGroupWrite[][] {
  const packed: DeviceGroupWrite[][] = [];
  let current: DeviceGroupWrite[] = [];
  let bytes = 0;
  for (const write of writes) {
    if (current.length === GROUPS_PER_TRANSACTION || (current.length > 0 && bytes + write.bytes > MAX_TRANSACTION_BYTES)) {
      packed.push(current);
      current = [];
      bytes = 0;
    }
    current.push(write);
    bytes += write.bytes;
  }
  if (current.length > 0) packed.push(current);
  return packed;
}

const putItemOf = (slc: string, write: DeviceGroupWrite) => ({
  Item: { ...keys.deviceGroup(slc, write.group), type: 'device_group', slc, group: write.group, revision: write.readRevision + 1, devices: write.devices },
  ConditionExpression: write.readRevision === 0 ? 'attribute_not_exists(pk)' : 'revision = :revision',
  ...(write.readRevision === 0 ? {} : { ExpressionAttributeValues: { ':revision': write.readRevision } }),
});

/** Writes group items in one transaction, each on condition that its revision is still the one it was read at. */
export async function writeDeviceGroups(slc: string, writes: readonly DeviceGroupWrite[]): Promise<void> {
  const { client, tableName } = store();
  await client.send(new TransactWriteCommand({ TransactItems: writes.map((write) => ({ Put: { TableName: tableName, ...putItemOf(slc, write) } })) }));
}

/** Another installation changed a device of the plan (or filled its group): the plan must be made again. */
export class DevicesChangedElsewhere extends Error {
  constructor(group: string) {
    super(`device group ${group} changed under the plan`);
  }
}

const sameEntry = (a: DeviceEntry | undefined, b: DeviceEntry | undefined) => JSON.stringify(a) === JSON.stringify(b);
const isContention = (error: unknown) =>
  error instanceof Error && ['ConditionalCheckFailedException', 'TransactionConflictException', 'TransactionCanceledException'].includes(error.name);

/**
 * Writes the changes of one installation, each group on condition that its revision is the one
 * read. Groups go in small transactions, in parallel. A transaction that another installation's
 * writes got in the way of is split: each of its groups is read again, the change applied to the
 * group as it is now and written on its own, so installations with different cameras in the same
 * groups do not undo each other's work. When a device of the change itself was changed elsewhere,
 * or its group has no room left for it, the plan no longer holds: DevicesChangedElsewhere, once the
 * other writes have finished.
 */
export async function writeDeviceChanges(
  slc: string,
  installationId: string,
  groups: ReadonlyMap<string, DeviceGroup>,
  changes: readonly DeviceChange[],
  at: string,
): Promise<void> {
  const { client, tableName } = store();
  const changesOf = new Map<string, DeviceChange[]>();
  for (const change of changes) changesOf.set(change.group, [...(changesOf.get(change.group) ?? []), change]);

  /** The write of a group as read now, or DevicesChangedElsewhere when the change no longer applies to it. */
  const rebase = (fresh: DeviceGroup): DeviceGroupWrite => {
    const planned = groups.get(fresh.group)!;
    const own = changesOf.get(fresh.group)!;
    if (own.some((change) => !sameEntry(planned.devices[change.mac], fresh.devices[change.mac]))) throw new DevicesChangedElsewhere(fresh.group);
    const [write] = deviceGroupWrites(installationId, new Map([[fresh.group, fresh]]), own, at);
    const grows = own.some((change) => planned.devices[change.mac] === undefined);
    if (grows && write!.bytes > NEW_DEVICE_LIMIT_BYTES) throw new DevicesChangedElsewhere(fresh.group);
    return write!;
  };

  const writeAlone = async (group: string) => {
    for (let attempt = 1; ; attempt++) {
      await sleep(Math.random() * Math.min(250, 10 * 2 ** attempt));
      const fresh = (await readDeviceGroups(slc, [group])).get(group)!;
      try {
        await client.send(new PutCommand({ TableName: tableName, ...putItemOf(slc, rebase(fresh)) }));
        return;
      } catch (error) {
        if (!isContention(error) || attempt >= MAX_WRITE_ATTEMPTS) throw error;
      }
    }
  };

  await inParallel(transactions(deviceGroupWrites(installationId, groups, changes, at)), PARALLEL_REQUESTS, async (part) => {
    try {
      await writeDeviceGroups(slc, part);
    } catch (error) {
      if (!isContention(error)) throw error;
      await inParallel(part, SPLIT_PARALLEL_REQUESTS, (write) => writeAlone(write.group));
    }
  });
}
