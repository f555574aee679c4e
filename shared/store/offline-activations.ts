import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';
import { writeIf } from './conditional-write';

/**
 * The answer to an activation request file (item `OFFLINE#<sha256 of the file>` / `OFFLINE`): an
 * upload of the same file again gets this answer back instead of activating again (§10). The
 * license file holds the installation secret only sealed to the file's key.
 */
export interface OfflineActivationRecord {
  fileSha256: string;
  slc: string;
  status: 200 | 201;
  licenseFile: Record<string, unknown>;
  createdAt: string;
}

export async function getOfflineActivation(fileSha256: string): Promise<OfflineActivationRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.offlineActivation(fileSha256), ConsistentRead: true }));
  return Item as OfflineActivationRecord | undefined;
}

/** Records the first answer; when another upload of the same file recorded one first, that one is returned. */
export async function putOfflineActivation(record: OfflineActivationRecord): Promise<OfflineActivationRecord> {
  const { tableName } = store();
  const recorded = await writeIf(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.offlineActivation(record.fileSha256), type: 'offline_activation', ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return recorded ? record : ((await getOfflineActivation(record.fileSha256)) ?? record);
}
