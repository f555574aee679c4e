import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byKind, keys } from './keys';
import { licenseListingItem } from './licenses';
import { queryAll } from './query';
import { chunk } from './batch';
import { encodeDeviceEntry, REVISION_ATTRIBUTES } from './device-entries';
import { ALL_DEVICE_GROUPS, deviceAttribute, readDeviceGroupsWith } from './devices';
import type { LicenseRecord } from './records';

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
                UpdateExpression: 'REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk, gsi3pk, gsi3sk',
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

/** How many devices of one group are re-stored in one UpdateItem (each on its own condition). */
const DEVICES_PER_REWRITE = 50;

/**
 * Stores every device still under the long names of the earlier form encoded (device-entries.ts),
 * group by group, each device on the condition that it is still as read; the license's counters do
 * not change, since no device changes. Activations read both forms meanwhile. Safe to run again.
 */
export async function encodeStoredDevices(): Promise<DeviceEncodingReport> {
  const { client, tableName } = store();
  const entries = await queryAll<{ slc: string }>({
    IndexName: 'gsi3',
    KeyConditionExpression: 'gsi3pk = :pk',
    ExpressionAttributeValues: { ':pk': byKind.licenses },
    ProjectionExpression: 'slc',
  });
  const slcs = [...new Set(entries.map((entry) => entry.slc))];
  const report: DeviceEncodingReport = { licenses: slcs.length, encoded: 0, changedMeanwhile: 0 };
  for (const slc of slcs) {
    const { items } = await readDeviceGroupsWith(slc, [], Object.fromEntries(ALL_DEVICE_GROUPS.map((group) => [group, keys.deviceGroup(slc, group)])));
    for (const [group, item] of Object.entries(items)) {
      const earlier = Object.entries(item ?? {}).filter(([name, value]) => name.startsWith(deviceAttribute('')) && !(REVISION_ATTRIBUTES.encoded in (value as object)));
      for (const part of chunk(earlier, DEVICES_PER_REWRITE)) {
        const names: Record<string, string> = { '#revision': REVISION_ATTRIBUTES.earlier };
        const values: Record<string, unknown> = {};
        part.forEach(([name, value], i) => {
          names[`#d${i}`] = name;
          values[`:d${i}`] = encodeDeviceEntry(value as never);
          values[`:r${i}`] = (value as { revision: number }).revision;
        });
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: keys.deviceGroup(slc, group),
              UpdateExpression: `SET ${part.map((_, i) => `#d${i} = :d${i}`).join(', ')}`,
              ConditionExpression: part.map((_, i) => `#d${i}.#revision = :r${i}`).join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }),
          );
          report.encoded += part.length;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          report.changedMeanwhile += part.length;
        }
      }
    }
  }
  return report;
}

/** Every step, in order (docs/DATA-MODEL.md, "Migrations"), each with whether it had everything to do done. */
const STEPS = {
  licenseListings: { run: moveLicenseIndexKeysToListings, complete: (report: ListingMigrationReport) => report.changedMeanwhile === 0 },
  deviceEncoding: { run: encodeStoredDevices, complete: (report: DeviceEncodingReport) => report.changedMeanwhile === 0 },
} as const;

export type MigrationReport = { [step in keyof typeof STEPS]: Awaited<ReturnType<(typeof STEPS)[step]['run']>> | 'done earlier' };

/**
 * Runs every step not recorded as complete on this table, and records those that finished with
 * nothing left: nothing written by this build needs a step again, so a later run only reads the
 * records.
 */
export async function migrateStoredData(): Promise<MigrationReport> {
  const { client, tableName } = store();
  const report: Record<string, unknown> = {};
  for (const [name, step] of Object.entries(STEPS) as Array<[keyof typeof STEPS, (typeof STEPS)[keyof typeof STEPS]]>) {
    const recorded = await client.send(new GetCommand({ TableName: tableName, Key: keys.migrationStep(name), ConsistentRead: true }));
    if (recorded.Item) {
      report[name] = 'done earlier';
      continue;
    }
    const outcome = await step.run();
    report[name] = outcome;
    if ((step.complete as (report: unknown) => boolean)(outcome)) {
      await client.send(new PutCommand({ TableName: tableName, Item: { ...keys.migrationStep(name), type: 'migration_step', completedAt: new Date().toISOString() } }));
    }
  }
  return report as MigrationReport;
}
