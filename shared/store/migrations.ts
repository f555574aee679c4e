import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byKind, keys } from './keys';
import { licenseListingItem } from './licenses';
import { queryAll } from './query';
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
