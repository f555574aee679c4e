import { createHash } from 'node:crypto';
import { BatchGetCommand, TransactWriteCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { badRequest, unprocessable } from '../http/errors';
import { store } from './client';
import { keys } from './keys';
import { chunk, inParallel } from './batch';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import type { DeviceRecord } from './records';

/**
 * The devices of an SLC live in 256 device-group items (`LICENSE#<slc>#DEVICEGROUP#<hh>`), each
 * holding the devices whose key hashes to it, by MAC. A 10,000-device activation then reads and
 * writes a few hundred items instead of 10,000, while every write of a group is still conditional
 * on the group's revision as read: a camera is never held by two installations and no count is lost.
 * The group of a device follows from its key, which is secret to the SLC, so no request can crowd
 * one group on purpose.
 */
export const DEVICE_GROUP_COUNT = 256;
/** DynamoDB's item limit is 400 KB; a group stops growing well before it (about 1,300 devices). */
const MAX_GROUP_BYTES = 360_000;
/** TransactWriteItems takes at most 100 items and 4 MB. */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_BYTES = 3_500_000;
const PARALLEL_REQUESTS = 8;

/** A device as its group stores it (the MAC is the key in the group's map). */
export type DeviceEntry = Omit<DeviceRecord, 'slc' | 'mac'>;

export interface DeviceGroup {
  group: string;
  /** 0 for a group with no item yet. */
  revision: number;
  devices: Readonly<Record<string, DeviceEntry>>;
}

export function deviceGroupOf(deviceKey: string): string {
  return createHash('sha256').update(deviceKey).digest('hex').slice(0, 2);
}

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
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
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
export function heldBy(installationId: string, slc: string, groups: ReadonlyMap<string, DeviceGroup>): DeviceRecord[] {
  const held: DeviceRecord[] = [];
  for (const { devices } of groups.values()) {
    for (const [mac, entry] of Object.entries(devices)) if (entry.installationId === installationId) held.push(recordOf(slc, mac, entry));
  }
  return held.sort((a, b) => a.mac.localeCompare(b.mac));
}

/** Every group of an SLC, in order: `00` … `ff`. */
export const ALL_DEVICE_GROUPS: readonly string[] = Array.from({ length: DEVICE_GROUP_COUNT }, (_, i) => i.toString(16).padStart(2, '0'));
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
      const entries = Object.entries(groups.get(group)!.devices)
        .filter(([mac]) => !after || group !== after.group || mac > (after.mac as string))
        .sort(([a], [b]) => (a < b ? -1 : 1));
      for (const [mac, entry] of entries) {
        if (items.length === limit) return { items, nextCursor: encodeCursor(scope, { group: deviceGroupOf(items.at(-1)!.deviceKey), mac: items.at(-1)!.mac }) };
        items.push(recordOf(slc, mac, entry));
      }
    }
  }
  return { items, nextCursor: null };
}

export type DeviceChange =
  | { kind: 'activate'; mac: string; deviceKey: string; licenses: number }
  | { kind: 'release'; mac: string; deviceKey: string; deletes: boolean };

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
 * (every group a change falls in must have been read). Refuses, before anything is written, a
 * change that would grow a group past what one item can hold.
 */
export function deviceGroupWrites(
  installationId: string,
  groups: ReadonlyMap<string, DeviceGroup>,
  changes: readonly DeviceChange[],
  at: string,
): DeviceGroupWrite[] {
  const writes = new Map<string, DeviceGroupWrite>();
  for (const change of changes) {
    const group = deviceGroupOf(change.deviceKey);
    let write = writes.get(group);
    if (!write) {
      const read = groups.get(group);
      if (!read) throw new Error(`device group ${group} was not read before the change of ${change.mac}`);
      write = { group, readRevision: read.revision, devices: { ...read.devices }, bytes: 0 };
      writes.set(group, write);
    }
    write.devices[change.mac] = nextDeviceEntry(installationId, write.devices[change.mac], change, at);
  }
  for (const write of writes.values()) {
    write.bytes = approximateBytes(write.devices);
    if (write.bytes > MAX_GROUP_BYTES) {
      throw unprocessable(
        'device_capacity_exceeded',
        'This SLC has registered more devices than the service can hold for one SLC (about 300,000); contact Milestone to split it.',
      );
    }
  }
  return [...writes.values()];
}

/** Packs group writes into transactions within DynamoDB's item and size limits. */
function transactions(writes: readonly DeviceGroupWrite[]): DeviceGroupWrite[][] {
  const packed: DeviceGroupWrite[][] = [];
  let current: DeviceGroupWrite[] = [];
  let bytes = 0;
  for (const write of writes) {
    if (current.length === MAX_TRANSACTION_ITEMS || (current.length > 0 && bytes + write.bytes > MAX_TRANSACTION_BYTES)) {
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

/**
 * Writes the groups, each on condition that its revision is still the one read, so a concurrent
 * change of any device in the group cancels the write (TransactionCanceledException) and the caller
 * re-reads. Transactions run in parallel; one that fails leaves the others written, which the
 * caller's next pass completes.
 */
export async function writeDeviceGroups(slc: string, writes: readonly DeviceGroupWrite[]): Promise<void> {
  const { client, tableName } = store();
  await inParallel(transactions(writes), PARALLEL_REQUESTS, async (part) => {
    await client.send(
      new TransactWriteCommand({
        TransactItems: part.map((write) => ({
          Put: {
            TableName: tableName,
            Item: { ...keys.deviceGroup(slc, write.group), type: 'device_group', slc, group: write.group, revision: write.readRevision + 1, devices: write.devices },
            ConditionExpression: write.readRevision === 0 ? 'attribute_not_exists(pk)' : 'revision = :revision',
            ...(write.readRevision === 0 ? {} : { ExpressionAttributeValues: { ':revision': write.readRevision } }),
          },
        })),
      }),
    );
  });
}
