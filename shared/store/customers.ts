import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';
import type { CustomerRecord } from './records';

export async function getCustomer(customerId: string): Promise<CustomerRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.customer(customerId), ConsistentRead: true }));
  return Item as CustomerRecord | undefined;
}
