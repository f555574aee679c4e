import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys, SIGNING_KEYS_PARTITION } from './keys';
import type { SigningKeyRecord } from './records';
import { writeIf } from './conditional-write';

const FIELDS = ['generation', 'kid', 'x', 'encryptedPrivateKey', 'kmsKeyArn', 'createdAt', 'activatedAt'] as const;

function toRecord(item: Record<string, unknown>): SigningKeyRecord {
  return Object.fromEntries(FIELDS.map((field) => [field, item[field]])) as unknown as SigningKeyRecord;
}

/** Every generation of the signing key, oldest first: one Query on one small partition, strongly consistent. */
export async function listSigningKeys(): Promise<SigningKeyRecord[]> {
  const { client, tableName } = store();
  const records: SigningKeyRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': SIGNING_KEYS_PARTITION },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    records.push(...(page.Items ?? []).map(toRecord));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return records;
}

/** Stores a new generation; false when that generation exists already (the first writer wins). */
export async function createSigningKey(record: SigningKeyRecord): Promise<boolean> {
  const { tableName } = store();
  return writeIf(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.signingKey(record.generation), type: 'signing_key', ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/**
 * Records that a generation signs again (after a rollback of the setting): moves `activatedAt` from
 * the value read to `at`. False when another container moved it first, which has the same effect.
 */
export async function markSigningKeyActivated(generation: number, previous: string, at: string): Promise<boolean> {
  const { tableName } = store();
  return writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.signingKey(generation),
      UpdateExpression: 'SET activatedAt = :at',
      ConditionExpression: 'activatedAt = :previous',
      ExpressionAttributeValues: { ':at': at, ':previous': previous },
    }),
  );
}
