import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { clock } from '../adapters/clock';
import { deviceGroupOf, deviceGroupWidthFor, deviceGroupWidthOf, type DeviceGroupWidth } from '../domain/device-key';
import { retryWithBackoff, RETRY } from '../retry';
import { batchGet, batchPut, inParallel } from './batch';
import { store } from './client';
import { encodeDeviceGroups } from './device-group-sets';
import { decodeDeviceEntry, encodeDeviceEntry, type DeviceEntry, type StoredDeviceEntry } from './device-entries';
import { DEVICE_ATTRIBUTE_PREFIX, deviceGroupsOfWidth, MOVED_GROUP_ATTRIBUTE } from './devices';
import { getInstallation, LEASE_TAKEABLE, listLicenseInstallations } from './installations';
import { keys } from './keys';
import { getLicense } from './licenses';
import type { InstallationRecord, LicenseRecord } from './records';
import { writeIf } from './conditional-write';

/*
 * Splitting the device groups of a license into the wider groups its entitlement calls for
 * (docs/DATA-MODEL.md, "Migrations", step 3), while the cell serves. The names of the wider groups
 * extend the narrower (the same digest), so each group's devices go to groups under its own name.
 * In order:
 *
 * 1. The license is marked (`deviceGroupsWidening`): activations answer 503 and nothing commits on it.
 * 2. Every group of the current width is frozen (`movedTo`): no device write lands on it after that
 *    (updateItemOf's condition), so what is read from it next is final.
 * 3. Each frozen group is copied into its new groups, then records that it was (`copiedAt`). No one
 *    writes a new group before step 4, so a copy cut short is simply made again.
 * 4. Each installation's `deviceGroups` is renamed to the new groups holding its devices, once no
 *    activation holds it, on its revision as read (a write planned before fails and plans again).
 * 5. The license takes the new width; the old groups are replaced by small tombstones that still
 *    carry `movedTo` (a write planned on the old width, still in flight, fails on them); the mark goes.
 *
 * Each step can be run again: a run stopped anywhere is taken up by the next from the mark.
 */

const PARALLEL_REQUESTS = 8;
/** An activation holds its installation for at most its lease (renewed while it writes): this is ample. */
const INSTALLATION_WAIT_MS = 120_000;
/** The split takes no lease of its own: no lease is ever this owner's, so only one run out (or none) lets it rename. */
const SPLIT_LEASE_OWNER = 'device-group-split';

type Widening = { from: DeviceGroupWidth; to: DeviceGroupWidth };
/** The license is marked for this split (`:from`, `:to`). */
const MARKED = 'deviceGroupsWidening.#from = :from AND deviceGroupsWidening.#to = :to';
const MARK_NAMES = { '#from': 'from', '#to': 'to' };

export interface DeviceGroupWideningReport {
  licenses: number;
  /** Licenses whose groups were split. */
  widened: number;
  /** Always 0: a license that cannot be finished makes the run fail (run it again), and stays marked. */
  changedMeanwhile: number;
}

/** Splits the groups of every license narrower than its entitlement calls for. */
export async function widenDeviceGroups(slcs: readonly string[]): Promise<DeviceGroupWideningReport> {
  const report: DeviceGroupWideningReport = { licenses: slcs.length, widened: 0, changedMeanwhile: 0 };
  for (const slc of slcs) if (await widenLicenseGroups(slc)) report.widened++;
  return report;
}

/** The split a license needs (or the one it is in), if any. */
function wideningOf(license: LicenseRecord): Widening | undefined {
  if (license.deviceGroupsWidening) return license.deviceGroupsWidening;
  const [from, to] = [deviceGroupWidthOf(license), deviceGroupWidthFor(license.entitledDeviceLicenses)];
  return from < to ? { from, to } : undefined;
}

/** Splits one license's groups until they are as wide as its entitlement calls for. True when any were split. */
export async function widenLicenseGroups(slc: string): Promise<boolean> {
  let widened = false;
  // A split taken up from its mark may leave the license narrower than an entitlement raised since.
  while (await widenOnce(slc)) widened = true;
  return widened;
}

async function widenOnce(slc: string): Promise<boolean> {
  const license = await getLicense(slc);
  const widening = license && wideningOf(license);
  if (!license || !widening) return false;
  await markLicense(slc, widening);
  if (deviceGroupWidthOf(license) === widening.from) {
    await freezeGroups(slc, widening);
    const holding = await copyGroups(license, widening);
    await renameInstallationGroups(slc, holding);
    await switchWidth(slc, widening);
  }
  await leaveTombstones(slc, widening);
  await unmarkLicense(slc, widening);
  return true;
}

async function markLicense(slc: string, { from, to }: Widening): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.license(slc),
      UpdateExpression: 'SET deviceGroupsWidening = :widening',
      ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(deviceGroupsWidening) OR (${MARKED}))`,
      ExpressionAttributeNames: MARK_NAMES,
      ExpressionAttributeValues: { ':widening': { from, to }, ':from': from, ':to': to },
    }),
  );
}

/** Marks every group of the old width, stored or not (a first device would otherwise create one). */
async function freezeGroups(slc: string, { from, to }: Widening): Promise<void> {
  const { client, tableName } = store();
  await inParallel(deviceGroupsOfWidth(from), PARALLEL_REQUESTS, (group) =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.deviceGroup(slc, group),
        UpdateExpression: 'SET #moved = :to, #type = if_not_exists(#type, :type), slc = :slc, #group = :group',
        ExpressionAttributeNames: { '#moved': MOVED_GROUP_ATTRIBUTE, '#type': 'type', '#group': 'group' },
        ExpressionAttributeValues: { ':to': to, ':type': 'device_group', ':slc': slc, ':group': group },
      }),
    ),
  );
}

/** The new groups holding each installation's devices, by installation id. */
type Holdings = Map<string, Set<string>>;

/**
 * The items of a frozen group's devices in the groups of the new width, by name; `holding` is told
 * which of them each installation holds a device in.
 */
export function splitGroupItem(
  license: Pick<LicenseRecord, 'slc' | 'deviceKeySalt'>,
  item: Record<string, unknown>,
  to: DeviceGroupWidth,
  holding: Holdings = new Map(),
): Map<string, Record<string, unknown>> {
  const children = new Map<string, Record<string, unknown>>();
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(DEVICE_ATTRIBUTE_PREFIX)) continue;
    const mac = name.slice(DEVICE_ATTRIBUTE_PREFIX.length);
    const group = deviceGroupOf(license.deviceKeySalt, mac, to);
    if (!group.startsWith(item.group as string)) throw new Error(`device ${mac} of ${license.slc} is stored in group ${String(item.group)}, not the group its MAC falls in`);
    let child = children.get(group);
    if (!child) children.set(group, (child = { ...keys.deviceGroup(license.slc, group), type: 'device_group', slc: license.slc, group }));
    const entry = decodeDeviceEntry(value as StoredDeviceEntry | DeviceEntry);
    // Stored compactly whatever form it had (device-entries.ts); nothing about the device changes.
    child[name] = encodeDeviceEntry(entry);
    if (entry.installationId) (holding.get(entry.installationId) ?? holding.set(entry.installationId, new Set()).get(entry.installationId)!).add(group);
  }
  return children;
}

/**
 * Copies each frozen group holding devices that was not copied yet, then records that it was. The
 * frozen groups are final, so the new groups of every installation's devices are known from them,
 * copied by this run or an earlier one.
 */
async function copyGroups(license: LicenseRecord, { from, to }: Widening): Promise<Holdings> {
  const { client, tableName } = store();
  const frozen = await batchGet(deviceGroupsOfWidth(from).map((group) => keys.deviceGroup(license.slc, group)));
  const holding: Holdings = new Map();
  const toCopy: Array<{ item: Record<string, unknown>; children: Map<string, Record<string, unknown>> }> = [];
  for (const item of frozen) {
    const children = splitGroupItem(license, item, to, holding);
    if (children.size > 0 && item.copiedAt === undefined) toCopy.push({ item, children });
  }
  await inParallel(toCopy, PARALLEL_REQUESTS, async ({ item, children }) => {
    await batchPut([...children.values()]);
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET copiedAt = :at',
        ConditionExpression: '#moved = :to',
        ExpressionAttributeNames: { '#moved': MOVED_GROUP_ATTRIBUTE },
        ExpressionAttributeValues: { ':to': to, ':at': clock.now().toISOString() },
      }),
    );
  });
  return holding;
}

/**
 * Names the new groups holding each installation's devices. An installation found holding devices
 * is renamed even if the index has not listed it yet; one listed that holds none is renamed to none.
 */
async function renameInstallationGroups(slc: string, holding: Holdings): Promise<void> {
  const listed = await listLicenseInstallations(slc);
  const ids = new Set([...listed.filter((installation) => installation.deviceGroups.length > 0).map((installation) => installation.installationId), ...holding.keys()]);
  await inParallel([...ids], PARALLEL_REQUESTS, (installationId) => renameGroupsOf(installationId, [...(holding.get(installationId) ?? [])].sort()));
}

async function renameGroupsOf(installationId: string, groups: string[]): Promise<void> {
  const { tableName } = store();
  await retryWithBackoff(
    { deadlineMs: INSTALLATION_WAIT_MS, minMs: 100, baseMs: 250, capMs: 1_000, exhausted: () => new Error(`installation ${installationId} stayed busy; run the migration again`) },
    async () => {
      const installation: InstallationRecord | undefined = await getInstallation(installationId);
      if (!installation) return undefined;
      const now = clock.now().getTime();
      if (installation.lease && installation.lease.until >= now) return RETRY;
      // The lease, lapsed, goes too: a request that lost it cannot record its old names afterwards.
      const renamed = await writeIf(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.installation(installationId),
          UpdateExpression: 'SET deviceGroups = :groups, revision = revision + :one, lease = :null',
          ConditionExpression: `revision = :revision AND ${LEASE_TAKEABLE}`,
          ExpressionAttributeNames: { '#owner': 'owner', '#until': 'until' },
          ExpressionAttributeValues: { ':groups': encodeDeviceGroups(groups), ':one': 1, ':null': null, ':revision': installation.revision, ':owner': SPLIT_LEASE_OWNER, ':now': now },
        }),
      );
      return renamed ? undefined : RETRY;
    },
  );
}

async function switchWidth(slc: string, { from, to }: Widening): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.license(slc),
      UpdateExpression: 'SET deviceGroupWidth = :to',
      // A license issued before widths existed has none: it is read as 2.
      ConditionExpression: `${MARKED} AND ${from === 2 ? '(attribute_not_exists(deviceGroupWidth) OR deviceGroupWidth = :from)' : 'deviceGroupWidth = :from'}`,
      ExpressionAttributeNames: MARK_NAMES,
      ExpressionAttributeValues: { ':to': to, ':from': from },
    }),
  );
}

/** Replaces each frozen group by the mark alone (a device write planned on it before still fails). */
async function leaveTombstones(slc: string, { from, to }: Widening): Promise<void> {
  const { client, tableName } = store();
  await inParallel(deviceGroupsOfWidth(from), PARALLEL_REQUESTS, (group) =>
    client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.deviceGroup(slc, group), type: 'device_group_moved', slc, group, [MOVED_GROUP_ATTRIBUTE]: to },
        ConditionExpression: 'attribute_not_exists(pk) OR #moved = :to',
        ExpressionAttributeNames: { '#moved': MOVED_GROUP_ATTRIBUTE },
        ExpressionAttributeValues: { ':to': to },
      }),
    ),
  );
}

async function unmarkLicense(slc: string, { from, to }: Widening): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.license(slc),
      UpdateExpression: 'REMOVE deviceGroupsWidening',
      ConditionExpression: `${MARKED} AND deviceGroupWidth = :to`,
      ExpressionAttributeNames: MARK_NAMES,
      ExpressionAttributeValues: { ':to': to, ':from': from },
    }),
  );
}
