import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byOwner, createdOrder, keys } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';
import type { CustomerRecord } from './records';

export async function getCustomer(customerId: string): Promise<CustomerRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.customer(customerId), ConsistentRead: true }));
  return Item as CustomerRecord | undefined;
}

/** The stored customer item: the record, its keys, and gsi1 under its partner when it has one. */
export function customerItem(customer: CustomerRecord): Record<string, unknown> {
  return {
    ...keys.customer(customer.customerId),
    type: 'customer',
    ...customer,
    ...(customer.partnerId
      ? { gsi1pk: byOwner.partnerCustomers(customer.partnerId), gsi1sk: createdOrder(customer.createdAt, customer.customerId) }
      : {}),
  };
}

export async function putNewCustomer(customer: CustomerRecord): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new PutCommand({ TableName: tableName, Item: customerItem(customer), ConditionExpression: 'attribute_not_exists(pk)' }),
  );
}

/** A partner's customers, oldest first (gsi1). */
export async function listPartnerCustomers(partnerId: string, limit: number, cursor?: string): Promise<Page<CustomerRecord>> {
  const { client, tableName } = store();
  const scope = `partner-customers:${partnerId}`;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': byOwner.partnerCustomers(partnerId) },
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
    }),
  );
  return { items: (result.Items ?? []) as CustomerRecord[], nextCursor: await encodeCursor(scope, result.LastEvaluatedKey) };
}
