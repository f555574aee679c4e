import { QueryCommand, TransactWriteCommand, UpdateCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { badRequest } from '../errors';
import { retryWithBackoff, RETRY } from '../retry';
import { store } from './client';
import { deviceGroupShard, keys, QUERIED_DEVICE_GROUP_WIDTH } from './keys';
import { batchGet, chunk, inParallel } from './batch';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import type { DeviceRecord, LicenseRecord } from './records';
import { deviceGroupWidthOf, EARLIER_DEVICE_GROUP_WIDTH, type DeviceGroupWidth } from '../domain/device-key';
import { decodeDeviceEntry, encodeDeviceEntry, isEncodedEntry, REVISION_ATTRIBUTES, type DeviceEntry, type StoredDeviceEntry } from './device-entries';

/**
 * The devices of an SLC live in device-group items (keys.deviceGroup): 256 of them, or 4,096 or
 * 65,536 for an SLC issued for many devices (domain/device-key.ts, DeviceGroupWidth), one
 * attribute per device (`device:<MAC>`); which group a device belongs to is derived from a secret of
 * the SLC. A 10,000-device activation then reads and writes a few thousand items at most instead of
 * 10,000, and a one-device activation writes a group of a few devices. Each device is still written
 * on its own condition (its revision as read, or its absence), so a camera is never held by two
 * installations and no count is lost, while installations with different cameras in the same group
 * never get in each other's way.
 */
const groupsByWidth = new Map<DeviceGroupWidth, readonly string[]>();
/** Every group of an SLC whose groups have `width` hex digits, in order (`00` … `ff`, `000` … `fff`, or `0000` … `ffff`). */
export function deviceGroupsOfWidth(width: DeviceGroupWidth): readonly string[] {
  let groups = groupsByWidth.get(width);
  if (!groups) {
    groups = Array.from({ length: 16 ** width }, (_, i) => i.toString(16).padStart(width, '0'));
    groupsByWidth.set(width, groups);
  }
  return groups;
}
/** Every group of the license's SLC, in order. */
export const deviceGroupsOf = (license: { deviceGroupWidth?: DeviceGroupWidth }) => deviceGroupsOfWidth(deviceGroupWidthOf(license));
/**
 * A group takes no new device past this many bytes (about 1,300 devices). DynamoDB's item limit is
 * 400 KB and a group's stored size is well below its JSON size, which leaves room for the devices it
 * already has to change (a released device activated again grows by an installation id).
 */
const NEW_DEVICE_LIMIT_BYTES = 360_000;
/** Devices per update of a group: each adds a placeholder to the update and condition expressions (4 KB each). */
const DEVICES_PER_UPDATE = 60;
/**
 * A transaction takes updates until it holds this many devices (25 full updates) or
 * GROUPS_PER_TRANSACTION groups, whichever comes first: an SLC of 65,536 groups spreads a large
 * activation over thousands of groups of a device or two, which 25 groups per transaction would
 * turn into hundreds of requests.
 */
const DEVICES_PER_TRANSACTION = 25 * DEVICES_PER_UPDATE;
/** Within TransactWriteItems' 100 actions; well below it, since any conflict cancels all of the transaction. */
const GROUPS_PER_TRANSACTION = 50;
const PARALLEL_REQUESTS = 8;
/** Updates of a contended transaction sent at once, per transaction. */
const SPLIT_PARALLEL_REQUESTS = 8;
/** Tries of one update that other transactions on its group keep getting in the way of. */
const MAX_UPDATE_ATTEMPTS = 8;

export type { DeviceEntry } from './device-entries';

export interface DeviceGroup {
  group: string;
  /** By MAC. */
  devices: Readonly<Record<string, DeviceEntry>>;
}

/** A device an installation holds, with the group it is stored in. */
export type HeldDevice = DeviceRecord & { group: string };

export const DEVICE_ATTRIBUTE_PREFIX = 'device:';
/** The attribute of a group item that holds one device. */
export const deviceAttribute = (mac: string) => `${DEVICE_ATTRIBUTE_PREFIX}${mac}`;

const emptyGroup = (group: string): DeviceGroup => ({ group, devices: {} });

export function groupOfItem(item: Record<string, unknown>): DeviceGroup {
  const devices: Record<string, DeviceEntry> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(DEVICE_ATTRIBUTE_PREFIX)) devices[name.slice(DEVICE_ATTRIBUTE_PREFIX.length)] = decodeDeviceEntry(value as StoredDeviceEntry | DeviceEntry);
  }
  return { group: item.group as string, devices };
}

export function recordOf(slc: string, mac: string, { revision: _revision, ...entry }: DeviceEntry): DeviceRecord {
  return { slc, mac, ...entry };
}

/** The device groups of an SLC, read consistently unless asked otherwise; absent groups come back empty. */
export async function readDeviceGroups(slc: string, groups: Iterable<string>, options: { consistent: boolean } = { consistent: true }): Promise<Map<string, DeviceGroup>> {
  return (await readDeviceGroupsWith(slc, groups, {}, options)).groups;
}

/**
 * Device groups together with other items in the same BatchGetItem requests (the license, the
 * owning customer, catalog entries): one round trip where the keys of all are known. Strongly
 * consistent unless asked otherwise; absent groups come back empty, absent items undefined.
 */
export async function readDeviceGroupsWith<K extends string>(
  slc: string,
  groups: Iterable<string>,
  others: Readonly<Record<K, { pk: string; sk: string }>>,
  options: { consistent: boolean } = { consistent: true },
): Promise<{ groups: Map<string, DeviceGroup>; items: Record<K, Record<string, unknown> | undefined> }> {
  const found = new Map<string, DeviceGroup>();
  for (const group of groups) found.set(group, emptyGroup(group));
  const wanted = Object.entries(others) as Array<[K, { pk: string; sk: string }]>;
  const byKey = new Map(wanted.map(([name, key]) => [`${key.pk}\n${key.sk}`, name]));
  const items = Object.fromEntries(wanted.map(([name]) => [name, undefined])) as Record<K, Record<string, unknown> | undefined>;
  const read = await batchGet([...wanted.map(([, key]) => key), ...[...found.keys()].map((group) => keys.deviceGroup(slc, group))], options);
  for (const item of read) {
    const name = byKey.get(`${String(item.pk)}\n${String(item.sk)}`);
    if (name !== undefined) items[name] = item;
    else found.set(item.group as string, groupOfItem(item));
  }
  return { groups: found, items };
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

const approximateBytes = (devices: Readonly<Record<string, DeviceEntry>>) => Buffer.byteLength(JSON.stringify(devices));

/** What a device new to its group adds to the group's size (an activated entry, with its MAC). */
function newEntryBytes(mac: string, deviceKey: string): number {
  const at = '2000-01-01T00:00:00.000Z';
  const installationId = '00000000-0000-0000-0000-000000000000';
  const entry: DeviceEntry = { deviceKey, installationId, lastInstallationId: installationId, status: 'activated', licenses: 64, registrations: 1, deletions: 0, firstActivatedAt: at, lastChangedAt: at, revision: 1 };
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

/** Groups read per request while listing, at most (BatchGetItem takes 100 keys); a few keep each page's read close to what it returns. */
const LISTING_GROUPS_PER_READ = 100;
/** Read sizes while listing: a few groups first, more while the page is not full. */
function growingReadSizes(): () => number {
  let size = 1;
  return () => (size = Math.min(size * 2, LISTING_GROUPS_PER_READ));
}

/**
 * The stored groups of an SLC in order, from `from` (a group name) on. Groups of 2 or 3 digits are
 * read by key, a growing batch at a time; 4-digit groups are queried under their 16 partition keys
 * (keys.ts), which returns only the groups that exist: a sparse SLC of 65,536 groups is listed in a
 * few requests instead of 656.
 */
export async function* storedDeviceGroups(license: Pick<LicenseRecord, 'slc' | 'deviceGroupWidth'>, from: string | undefined, options: { consistent: boolean }): AsyncGenerator<DeviceGroup> {
  const { slc } = license;
  const nextReadSize = growingReadSizes();
  if (deviceGroupWidthOf(license) !== QUERIED_DEVICE_GROUP_WIDTH) {
    const all = deviceGroupsOf(license);
    const remaining = from === undefined ? all : all.slice(all.indexOf(from));
    for (let start = 0; start < remaining.length; ) {
      const part = remaining.slice(start, (start += nextReadSize()));
      const groups = await readDeviceGroups(slc, part, options);
      for (const group of part) yield groups.get(group)!;
    }
    return;
  }
  const { client, tableName } = store();
  const first = Number.parseInt(from?.[0] ?? '0', 16);
  for (let digit = first; digit < 16; digit++) {
    const bounded = from !== undefined && digit === first;
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: bounded ? 'pk = :pk AND sk >= :from' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': deviceGroupShard(slc, digit.toString(16)), ...(bounded ? { ':from': keys.deviceGroup(slc, from).sk } : {}) },
          ConsistentRead: options.consistent,
          Limit: nextReadSize(),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) yield groupOfItem(item);
      start = page.LastEvaluatedKey;
    } while (start);
  }
}

/** Every stored group of an SLC, in order: read by key all at once, or queried for 4-digit groups. */
export async function readEveryDeviceGroup(license: Pick<LicenseRecord, 'slc' | 'deviceGroupWidth'>, options: { consistent: boolean } = { consistent: true }): Promise<DeviceGroup[]> {
  if (deviceGroupWidthOf(license) !== QUERIED_DEVICE_GROUP_WIDTH) return [...(await readDeviceGroups(license.slc, deviceGroupsOf(license), options)).values()];
  const groups: DeviceGroup[] = [];
  for await (const group of storedDeviceGroups(license, undefined, options)) groups.push(group);
  return groups;
}

/**
 * Where a page of a license's devices resumes: after `mac` in `group`, and, in the groups whose
 * names extend a `listedUpTo` prefix, after its MAC. A cursor returned before the license's groups
 * were split (docs/DATA-MODEL.md, "Migrations") names a narrower group whose devices, listed up to
 * its MAC, are now spread over the wider groups that extend its name: those groups still owe only
 * the later MACs.
 */
interface DevicesPosition {
  group: string;
  mac: string;
  listedUpTo: Array<{ prefix: string; mac: string }>;
}

const isGroupName = (name: unknown, widths: { min: number; max: number }): name is string =>
  typeof name === 'string' && name.length >= widths.min && name.length <= widths.max && /^[0-9a-f]+$/.test(name);

function devicesPositionOf(license: Pick<LicenseRecord, 'deviceGroupWidth'>, position: Record<string, unknown> | undefined): DevicesPosition | undefined {
  if (position === undefined) return undefined;
  const width = deviceGroupWidthOf(license);
  const { group, mac, listedUpTo = [] } = position;
  const valid =
    isGroupName(group, { min: EARLIER_DEVICE_GROUP_WIDTH, max: width }) &&
    typeof mac === 'string' &&
    Array.isArray(listedUpTo) &&
    listedUpTo.every((listed: { prefix?: unknown; mac?: unknown }) => isGroupName(listed?.prefix, { min: EARLIER_DEVICE_GROUP_WIDTH, max: width - 1 }) && typeof listed.mac === 'string' && group.startsWith(listed.prefix));
  if (!valid) throw badRequest('invalid_cursor', 'The cursor is not one this list returned.');
  const listed = listedUpTo as DevicesPosition['listedUpTo'];
  if (group.length === width) return { group, mac, listedUpTo: listed };
  // Split since: resume at the first of the wider groups that extend the name, which owe the MACs after `mac`.
  return { group: group.padEnd(width, '0'), mac: '', listedUpTo: [...listed, { prefix: group, mac }] };
}

/**
 * §4 devices of a license: every device ever registered under the SLC, group by group and by MAC
 * within a group. The cursor names the group and MAC a page ended at.
 */
export async function listLicenseDevices(license: Pick<LicenseRecord, 'slc' | 'deviceGroupWidth'>, limit: number, cursor?: string): Promise<Page<DeviceRecord>> {
  const { slc } = license;
  const scope = `license-devices:${slc}`;
  const after = devicesPositionOf(license, await decodeCursor(scope, cursor));
  const items: DeviceRecord[] = [];
  for await (const { group, devices } of storedDeviceGroups(license, after?.group, { consistent: false })) {
    const owed = (after?.listedUpTo ?? []).filter(({ prefix }) => group.startsWith(prefix));
    // The last MAC of this group listed already: under the cursor's group, or under a group it was split from.
    const listedThrough = [...owed.map((listed) => listed.mac), ...(group === after?.group ? [after.mac] : [])].reduce((a, b) => (a > b ? a : b), '');
    let lastMac = '';
    const entries = Object.entries(devices)
      .filter(([mac]) => mac > listedThrough)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [mac, entry] of entries) {
      if (items.length === limit) return { items, nextCursor: await encodeCursor(scope, { group, mac: lastMac, ...(owed.length ? { listedUpTo: owed } : {}) }) };
      items.push(recordOf(slc, mac, entry));
      lastMac = mac;
    }
  }
  return { items, nextCursor: null };
}

/** A change of one device, in the group that stores it. */
export type DeviceChange =
  | { kind: 'activate'; mac: string; group: string; deviceKey: string; licenses: number }
  | { kind: 'release'; mac: string; group: string; deletes: boolean }
  /** §5.1 `enabled: false`: registered by the installation, holding no license, no deletion counted. */
  | { kind: 'disable'; mac: string; group: string; deviceKey: string; licenses: number };

/** A device registered disabled by this installation (or activated, then disabled): enabling it is not a new registration. */
export const disabledBy = (entry: DeviceEntry | undefined, installationId: string) => entry?.status === 'disabled' && entry.lastInstallationId === installationId;

/**
 * A device after a change, from the device as read (undefined when the device is new to the SLC).
 * A device the installation did not hold before counts one more registration; a release that
 * removes the device from the installation counts one more deletion.
 */
export function nextDeviceEntry(installationId: string, current: DeviceEntry | undefined, change: DeviceChange, at: string): DeviceEntry {
  const revision = (current?.revision ?? 0) + 1;
  if (change.kind === 'disable') {
    const registers = current?.installationId !== installationId && !disabledBy(current, installationId);
    return {
      deviceKey: change.deviceKey,
      installationId: null,
      lastInstallationId: installationId,
      status: 'disabled',
      ...(current ? (current.neverActivated ? { neverActivated: true } : {}) : { neverActivated: true }),
      licenses: change.licenses,
      registrations: (current?.registrations ?? 0) + (registers ? 1 : 0),
      deletions: current?.deletions ?? 0,
      firstActivatedAt: current?.firstActivatedAt ?? at,
      lastChangedAt: at,
      revision,
    };
  }
  if (change.kind === 'activate') {
    const registers = current?.installationId !== installationId && !disabledBy(current, installationId);
    return {
      deviceKey: change.deviceKey,
      installationId,
      lastInstallationId: installationId,
      status: 'activated',
      licenses: change.licenses,
      registrations: (current?.registrations ?? 0) + (registers ? 1 : 0),
      deletions: current?.deletions ?? 0,
      firstActivatedAt: current && !current.neverActivated ? current.firstActivatedAt : at,
      lastChangedAt: at,
      revision,
    };
  }
  if (!current) throw new Error(`release of unknown device ${change.mac}`);
  return {
    ...current,
    installationId: null,
    status: 'released',
    deletions: current.deletions + (change.deletes ? 1 : 0),
    lastChangedAt: at,
    revision,
  };
}

/** A device to write, with the revision it was read at (none: not stored yet). */
export interface DeviceWrite {
  mac: string;
  entry: DeviceEntry;
  readRevision: number | undefined;
}

/** Devices of one group to write, with the changes they make. */
export interface DeviceGroupUpdate {
  group: string;
  devices: Array<DeviceWrite & { change: DeviceChange }>;
}

/**
 * The updates that bring the stored devices to the changes, computed from the groups as read
 * (every group a change falls in must have been read), at most DEVICES_PER_UPDATE devices each.
 */
export function deviceGroupUpdates(
  installationId: string,
  groups: ReadonlyMap<string, DeviceGroup>,
  changes: readonly DeviceChange[],
  at: string,
): DeviceGroupUpdate[] {
  const byGroup = new Map<string, DeviceGroupUpdate['devices']>();
  for (const change of changes) {
    const read = groups.get(change.group);
    if (!read) throw new Error(`device group ${change.group} was not read before the change of ${change.mac}`);
    const current = read.devices[change.mac];
    const devices = byGroup.get(change.group) ?? [];
    devices.push({ mac: change.mac, entry: nextDeviceEntry(installationId, current, change, at), readRevision: current?.revision, change });
    byGroup.set(change.group, devices);
  }
  return [...byGroup].flatMap(([group, devices]) => chunk(devices, DEVICES_PER_UPDATE).map((part) => ({ group, devices: part })));
}

/**
 * The devices of a stored group item still in the earlier, long form (device-entries.ts), as updates
 * that store them encoded, each on its revision as read: nothing about the devices changes.
 */
export function earlierFormRewrites(item: Record<string, unknown>): Array<{ group: string; devices: DeviceWrite[] }> {
  const earlier: DeviceWrite[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(DEVICE_ATTRIBUTE_PREFIX) || isEncodedEntry(value as StoredDeviceEntry | DeviceEntry)) continue;
    const entry = value as DeviceEntry;
    earlier.push({ mac: name.slice(DEVICE_ATTRIBUTE_PREFIX.length), entry, readRevision: entry.revision });
  }
  return chunk(earlier, DEVICES_PER_UPDATE).map((devices) => ({ group: item.group as string, devices }));
}

/**
 * The attribute that marks a group whose devices move to the groups of one more digit
 * (widenDeviceGroups): no device is written to it from then on.
 */
export const MOVED_GROUP_ATTRIBUTE = 'movedTo';

/**
 * The UpdateItem of one group update: every device set on its own condition (unchanged since read,
 * or still absent), in a group whose devices are not moving to wider groups.
 */
export function updateItemOf(slc: string, update: { group: string; devices: readonly DeviceWrite[] }) {
  const names: Record<string, string> = { '#type': 'type', '#slc': 'slc', '#group': 'group', '#moved': MOVED_GROUP_ATTRIBUTE };
  const values: Record<string, unknown> = { ':type': 'device_group', ':slc': slc, ':group': update.group };
  const conditions: string[] = ['attribute_not_exists(#moved)'];
  update.devices.forEach(({ mac, entry, readRevision }, i) => {
    names[`#d${i}`] = deviceAttribute(mac);
    values[`:d${i}`] = encodeDeviceEntry(entry);
    if (readRevision === undefined) {
      conditions.push(`attribute_not_exists(#d${i})`);
    } else {
      // The device as read may be stored in either form (device-entries.ts).
      names['#v'] = REVISION_ATTRIBUTES.encoded;
      names['#revision'] = REVISION_ATTRIBUTES.earlier;
      values[`:r${i}`] = readRevision;
      conditions.push(`(#d${i}.#v = :r${i} OR #d${i}.#revision = :r${i})`);
    }
  });
  return {
    Key: keys.deviceGroup(slc, update.group),
    UpdateExpression: `SET #type = :type, #slc = :slc, #group = :group, ${update.devices.map((_, i) => `#d${i} = :d${i}`).join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Packs updates into rounds of transactions of at most DEVICES_PER_TRANSACTION devices and
 * GROUPS_PER_TRANSACTION groups: never two operations on one group in a transaction (DynamoDB
 * refuses them) nor in one round (they would conflict with each other); a group's second update goes
 * in the next round.
 */
export function transactionsOf<Update extends { group: string; devices: readonly unknown[] }>(updates: readonly Update[]): Update[][][] {
  const rounds: Update[][] = [];
  const seen = new Map<string, number>();
  for (const update of updates) {
    const round = seen.get(update.group) ?? 0;
    seen.set(update.group, round + 1);
    (rounds[round] ??= []).push(update);
  }
  return rounds.map(packedByDevices);
}

function packedByDevices<Update extends { devices: readonly unknown[] }>(round: readonly Update[]): Update[][] {
  const transactions: Update[][] = [];
  let current: Update[] = [];
  let devices = 0;
  for (const update of round) {
    if (current.length === GROUPS_PER_TRANSACTION || (current.length > 0 && devices + update.devices.length > DEVICES_PER_TRANSACTION)) {
      transactions.push(current);
      current = [];
      devices = 0;
    }
    current.push(update);
    devices += update.devices.length;
  }
  if (current.length > 0) transactions.push(current);
  return transactions;
}

/** Whether an error is DynamoDB's answer of one of these names. */
const named = (error: unknown, ...names: string[]) => error instanceof Error && names.includes(error.name);
/** DynamoDB's answer to an update that would grow an item past 400 KB. */
const tooLarge = (error: unknown) => named(error, 'ValidationException') && /size/i.test((error as Error).message);

/** Another installation changed a device of the plan (or filled its group): the plan must be made again. */
class DevicesChangedElsewhere extends Error {}

/**
 * Writes the changes of one installation. Updates go in small transactions, in parallel. A
 * transaction that failed (another transaction held one of its groups, or a device changed
 * elsewhere) is split into its updates, each sent on its own, so that other installations' work on
 * the same groups delays it at most. A device of the change that was changed elsewhere, or a group
 * that has grown too large meanwhile, means the plan no longer holds: `devices_changed`, once the
 * other updates have finished.
 */
export async function writeDeviceChanges(
  slc: string,
  installationId: string,
  groups: ReadonlyMap<string, DeviceGroup>,
  changes: readonly DeviceChange[],
  at: string,
  /** Told the changes each successful write made, also when others fail. */
  onWritten: (written: DeviceChange[]) => void = () => undefined,
): Promise<'written' | 'devices_changed'> {
  const { client, tableName } = store();
  const wrote = (updates: readonly DeviceGroupUpdate[]) => onWritten(updates.flatMap((update) => update.devices.map((device) => device.change)));
  const updateAlone = (update: DeviceGroupUpdate) =>
    retryWithBackoff({ attempts: MAX_UPDATE_ATTEMPTS, baseMs: 10, capMs: 250, exhausted: () => new DevicesChangedElsewhere() }, async () => {
      try {
        await client.send(new UpdateCommand({ TableName: tableName, ...updateItemOf(slc, update) }));
        wrote([update]);
        return undefined;
      } catch (error) {
        if (named(error, 'ConditionalCheckFailedException') || tooLarge(error)) throw new DevicesChangedElsewhere();
        if (named(error, 'TransactionConflictException')) return RETRY;
        throw error;
      }
    });
  try {
    for (const round of transactionsOf(deviceGroupUpdates(installationId, groups, changes, at))) {
      await inParallel(round, PARALLEL_REQUESTS, async (part) => {
        try {
          await client.send(new TransactWriteCommand({ TransactItems: part.map((update) => ({ Update: { TableName: tableName, ...updateItemOf(slc, update) } })) }));
          wrote(part);
        } catch (error) {
          if (!named(error, 'TransactionCanceledException', 'TransactionConflictException')) throw error;
          await inParallel(part, SPLIT_PARALLEL_REQUESTS, updateAlone);
        }
      });
    }
    return 'written';
  } catch (error) {
    if (error instanceof DevicesChangedElsewhere) return 'devices_changed';
    throw error;
  }
}
