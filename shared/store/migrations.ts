import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byKind, keys } from './keys';
import { getLicense, LICENSE_INDEX_ATTRIBUTES, licenseListingItem } from './licenses';
import { queryAll } from './query';
import { batchGet } from './batch';
import { deviceGroupsOf, earlierFormRewrites, updateItemOf } from './devices';
import type { LicenseRecord } from './records';
import { widenDeviceGroups, type DeviceGroupWideningReport } from './device-group-widening';
import { writeIf } from './conditional-write';

export interface ListingMigrationReport {
  /** Licenses that still carried their list index keys. */
  found: number;
  moved: number;
  /** Changed between the read and the move (a transfer, for example): the next run moves them. */
  changedMeanwhile: number;
}

/**
 * Moves the list index keys of licenses stored before listing entries existed onto a listing entry,
 * one transaction per license: the entry is put and the keys removed only while the license is as
 * read. Lists show such a license either way; moved, its activations write no list index. Safe to
 * run again at any time: a moved license is not found again.
 */
export async function moveLicenseIndexKeysToListings(): Promise<ListingMigrationReport> {
  const { client, tableName } = store();
  const found = await queryAll<LicenseRecord & { type: string }>({
    IndexName: 'gsi3',
    KeyConditionExpression: 'gsi3pk = :pk',
    FilterExpression: '#type = :license',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':pk': byKind.licenses, ':license': 'license' },
  });
  const report: ListingMigrationReport = { found: found.length, moved: 0, changedMeanwhile: 0 };
  for (const license of found) {
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: keys.license(license.slc),
                UpdateExpression: `REMOVE ${LICENSE_INDEX_ATTRIBUTES.join(', ')}`,
                ConditionExpression: 'attribute_exists(gsi3pk) AND updatedAt = :read',
                ExpressionAttributeValues: { ':read': license.updatedAt },
              },
            },
            { Put: { TableName: tableName, Item: licenseListingItem(license) } },
          ],
        }),
      );
      report.moved++;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      report.changedMeanwhile++;
    }
  }
  return report;
}

export interface DeviceEncodingReport {
  licenses: number;
  /** Devices found under their long names and stored encoded. */
  encoded: number;
  /** Not written because one of them changed meanwhile: the next run stores those still in the earlier form. */
  changedMeanwhile: number;
}

/**
 * Stores every device still under the long names of the earlier form encoded (device-entries.ts),
 * group by group, each device on the condition that it is still as read; the license's counters do
 * not change, since no device changes. Activations read both forms meanwhile. Safe to run again.
 */
export async function encodeStoredDevices(): Promise<DeviceEncodingReport> {
  const { tableName } = store();
  const slcs = await storedLicenseSlcs();
  const report: DeviceEncodingReport = { licenses: slcs.length, encoded: 0, changedMeanwhile: 0 };
  for (const slc of slcs) {
    const license = await getLicense(slc);
    // A license issued with a group width was issued by a build that stores every device compactly.
    if (!license || license.deviceGroupWidth !== undefined) continue;
    for (const item of await batchGet(deviceGroupsOf(license).map((group) => keys.deviceGroup(slc, group)))) {
      for (const update of earlierFormRewrites(item)) {
        const written = await writeIf(new UpdateCommand({ TableName: tableName, ...updateItemOf(slc, update) }));
        if (written) report.encoded += update.devices.length;
        else report.changedMeanwhile += update.devices.length;
      }
    }
  }
  return report;
}

/** The SLC of every license, from the index of licenses by kind. */
async function storedLicenseSlcs(): Promise<string[]> {
  const entries = await queryAll<{ slc: string }>({
    IndexName: 'gsi3',
    KeyConditionExpression: 'gsi3pk = :pk',
    ExpressionAttributeValues: { ':pk': byKind.licenses },
    ProjectionExpression: 'slc',
  });
  return [...new Set(entries.map((entry) => entry.slc))];
}

/** Every step, in order (docs/DATA-MODEL.md, "Migrations"). */
const STEPS = { licenseListings: moveLicenseIndexKeysToListings, deviceEncoding: encodeStoredDevices } as const;

export type MigrationReport = { [step in keyof typeof STEPS]: Awaited<ReturnType<(typeof STEPS)[step]>> | 'done earlier' } & {
  /** Run every time: an entitlement can grow past its groups' width at any time. */
  deviceGroupWidths: DeviceGroupWideningReport;
};

/**
 * Runs every step not recorded as complete on this table, and records those that finished with
 * nothing left (nothing changed meanwhile): nothing written by this build needs a step again, so a
 * later run only reads the records.
 */
export async function migrateStoredData(): Promise<MigrationReport> {
  const { client, tableName } = store();
  const report: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(STEPS)) {
    const recorded = await client.send(new GetCommand({ TableName: tableName, Key: keys.migrationStep(name), ConsistentRead: true }));
    if (recorded.Item) {
      report[name] = 'done earlier';
      continue;
    }
    const outcome = await run();
    report[name] = outcome;
    if (outcome.changedMeanwhile === 0) {
      await client.send(new PutCommand({ TableName: tableName, Item: { ...keys.migrationStep(name), type: 'migration_step', completedAt: new Date().toISOString() } }));
    }
  }
  report.deviceGroupWidths = await widenDeviceGroups(await storedLicenseSlcs());
  return report as MigrationReport;
}
