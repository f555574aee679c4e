import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';
import type { InstallationRecord } from './records';

export type { InstallationRecord };


export async function getInstallation(installationId: string): Promise<InstallationRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: keys.installation(installationId), ConsistentRead: true }),
  );
  return Item as InstallationRecord | undefined;
}
