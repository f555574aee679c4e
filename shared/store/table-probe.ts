import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';

/** Reads one fixed key of the table (the item need not exist): resolves when the table can be read. */
export async function probeTable(): Promise<void> {
  const { client, tableName } = store();
  await client.send(new GetCommand({ TableName: tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
}
