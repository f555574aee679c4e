import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { clock } from '../adapters/clock';
import { deviceGroupOf, deviceGroupWidthFor, deviceGroupWidthOf, type DeviceGroupWidth } from '../domain/device-key';
import { retryWithBackoff, RETRY } from '../retry';
import { batchGet, inParallel } from './batch';
import { store } from './client';
import { encodeDeviceGroups } from './device-group-sets';
import { decodeDeviceEntry, encodeDeviceEntry, type DeviceEntry, type StoredDeviceEntry } from './device-entries';
import { DEVICE_ATTRIBUTE_PREFIX, deviceGroupsOfWidth, MOVED_GROUP_ATTRIBUTE, readEveryDeviceGroup } from './devices';
import { getInstallation, listLicenseInstallations } from './installations';
import { keys } from './keys';
import { getLicense } from './licenses';
import type { InstallationRecord, LicenseRecord } from './records';

/*
 * Splitting the device groups of a license into groups of one more hex digit (docs/DATA-MODEL.md,
 * "Migrations", step 3), while the cell serves. The names of the wider groups extend the narrower
 * (the same digest), so each group's devices go to at most 16 new groups. In order:
 *
 * 1. The license is marked (`deviceGroupsWidening`): activations answer 503 and nothing commits on it.
 * 2. Every group of the current width is frozen (`movedTo`): no device write lands on it after that
 *    (updateItemOf's condition), so what is read from it next is final.
 * 3. Each frozen group is copied into its new groups, in one transaction with the record that it was.
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

export interface DeviceGroupWideningReport {
  licenses: number;
  /** Licenses whose groups were split (by one digit or more). */
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

/** Splits one license's groups until they are as wide as its entitlement calls for. True when any were split. */
export async function widenLicenseGroups(slc: string): Promise<boolean> {
  let license = await getLicense(slc);
  let widened = false;
  while (license && (license.deviceGroupsWidening !== undefined || deviceGroupWidthOf(license) < deviceGroupWidthFor(license.entitledDeviceLicenses))) {
    const to = license.deviceGroupsWidening ?? ((deviceGroupWidthOf(license) + 1) as DeviceGroupWidth);
    await markLicense(slc, to);
    const from = (to - 1) as DeviceGroupWidth;
    if (deviceGroupWidthOf(license) === from) {
      await freezeGroups(slc, from, to);
      await copyGroups(license, from, to);
      await renameInstallationGroups(slc, to);
      await switchWidth(slc, from, to);
    }
    await leaveTombstones(slc, from, to);
    await unmarkLicense(slc, to);
    widened = true;
    license = await getLicense(slc);
  }
  return widened;
}

async function markLicense(slc: string, to: DeviceGroupWidth): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.license(slc),
      UpdateExpression: 'SET deviceGroupsWidening = :to',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(deviceGroupsWidening) OR deviceGroupsWidening = :to)',
      ExpressionAttributeValues: { ':to': to },
    }),
  );
}

/** Marks every group of the width, stored or not (a first device would otherwise create one). */
async function freezeGroups(slc: string, from: DeviceGroupWidth, to: DeviceGroupWidth): Promise<void> {
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

/** The items of a frozen group's devices in the groups of the next width, by name. */
export function splitGroupItem(license: Pick<LicenseRecord, 'slc' | 'deviceKeySalt'>, item: Record<string, unknown>, to: DeviceGroupWidth): Map<string, Record<string, unknown>> {
  const children = new Map<string, Record<string, unknown>>();
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(DEVICE_ATTRIBUTE_PREFIX)) continue;
    const mac = name.slice(DEVICE_ATTRIBUTE_PREFIX.length);
    const group = deviceGroupOf(license.deviceKeySalt, mac, to);
    if (!group.startsWith(item.group as string)) throw new Error(`device ${mac} of ${license.slc} is stored in group ${String(item.group)}, not the group its MAC falls in`);
    let child = children.get(group);
    if (!child) children.set(group, (child = { ...keys.deviceGroup(license.slc, group), type: 'device_group', slc: license.slc, group }));
    // Stored compactly whatever form it had (device-entries.ts); nothing about the device changes.
    child[name] = encodeDeviceEntry(decodeDeviceEntry(value as StoredDeviceEntry | DeviceEntry));
  }
  return children;
}

/** Copies each frozen group not copied yet, with the record that it was, in one transaction (at most 17 actions). */
async function copyGroups(license: LicenseRecord, from: DeviceGroupWidth, to: DeviceGroupWidth): Promise<void> {
  const { client, tableName } = store();
  const frozen = await batchGet(deviceGroupsOfWidth(from).map((group) => keys.deviceGroup(license.slc, group)));
  await inParallel(
    frozen.filter((item) => item.copiedAt === undefined && Object.keys(item).some((name) => name.startsWith(DEVICE_ATTRIBUTE_PREFIX))),
    PARALLEL_REQUESTS,
    (item) =>
      client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...[...splitGroupItem(license, item, to).values()].map((child) => ({ Put: { TableName: tableName, Item: child, ConditionExpression: 'attribute_not_exists(pk)' } })),
            {
              Update: {
                TableName: tableName,
                Key: { pk: item.pk, sk: item.sk },
                UpdateExpression: 'SET copiedAt = :at',
                ConditionExpression: '#moved = :to AND attribute_not_exists(copiedAt)',
                ExpressionAttributeNames: { '#moved': MOVED_GROUP_ATTRIBUTE },
                ExpressionAttributeValues: { ':to': to, ':at': clock.now().toISOString() },
              },
            },
          ],
        }),
      ),
  );
}

/**
 * Names the new groups holding each installation's devices. An installation found holding devices
 * is renamed even if the index has not listed it yet; one that holds none keeps its old names,
 * which name only tombstones from the switch on.
 */
async function renameInstallationGroups(slc: string, to: DeviceGroupWidth): Promise<void> {
  const holding = new Map<string, Set<string>>();
  for (const { group, devices } of await readEveryDeviceGroup({ slc, deviceGroupWidth: to })) {
    for (const entry of Object.values(devices)) {
      if (entry.installationId) (holding.get(entry.installationId) ?? holding.set(entry.installationId, new Set()).get(entry.installationId)!).add(group);
    }
  }
  const listed = await listLicenseInstallations(slc);
  const ids = new Set([...listed.filter((installation) => installation.deviceGroups.length > 0).map((installation) => installation.installationId), ...holding.keys()]);
  await inParallel([...ids], PARALLEL_REQUESTS, (installationId) => renameGroupsOf(installationId, [...(holding.get(installationId) ?? [])].sort()));
}

async function renameGroupsOf(installationId: string, groups: string[]): Promise<void> {
  const { client, tableName } = store();
  await retryWithBackoff(
    { deadlineMs: INSTALLATION_WAIT_MS, minMs: 100, baseMs: 250, capMs: 1_000, exhausted: () => new Error(`installation ${installationId} stayed busy; run the migration again`) },
    async () => {
      const installation: InstallationRecord | undefined = await getInstallation(installationId);
      if (!installation) return undefined;
      const now = clock.now().getTime();
      if (installation.lease && installation.lease.until >= now) return RETRY;
      try {
        // The lease, lapsed, goes too: a request that lost it cannot record its old names afterwards.
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.installation(installationId),
            UpdateExpression: 'SET deviceGroups = :groups, revision = revision + :one, lease = :null',
            ConditionExpression: 'revision = :revision AND (attribute_not_exists(lease) OR lease = :null OR lease.#until < :now)',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':groups': encodeDeviceGroups(groups), ':one': 1, ':null': null, ':revision': installation.revision, ':now': now },
          }),
        );
        return undefined;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return RETRY;
        throw error;
      }
    },
  );
}

async function switchWidth(slc: string, from: DeviceGroupWidth, to: DeviceGroupWidth): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.license(slc),
      UpdateExpression: 'SET deviceGroupWidth = :to',
      // A license issued before widths existed has none: it is read as 2.
      ConditionExpression: `deviceGroupsWidening = :to AND ${from === 2 ? '(attribute_not_exists(deviceGroupWidth) OR deviceGroupWidth = :from)' : 'deviceGroupWidth = :from'}`,
      ExpressionAttributeValues: { ':to': to, ':from': from },
    }),
  );
}

/** Replaces each frozen group by the mark alone (a device write planned on it before still fails). */
async function leaveTombstones(slc: string, from: DeviceGroupWidth, to: DeviceGroupWidth): Promise<void> {
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

async function unmarkLicense(slc: string, to: DeviceGroupWidth): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.license(slc),
      UpdateExpression: 'REMOVE deviceGroupsWidening',
      ConditionExpression: 'deviceGroupsWidening = :to AND deviceGroupWidth = :to',
      ExpressionAttributeValues: { ':to': to },
    }),
  );
}
