import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';
import type { LicenseRecord } from './records';

export async function getLicense(slc: string): Promise<LicenseRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.license(slc), ConsistentRead: true }));
  return Item as LicenseRecord | undefined;
}
