import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byOwner, createdOrder, keys } from './keys';
import type { Page } from './pagination';
import { queryPage } from './query';
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

/** Writes a new customer; `exists` when a customer with its id is stored already. */
export async function putNewCustomer(customer: CustomerRecord): Promise<'created' | 'exists'> {
  const { client, tableName } = store();
  try {
    await client.send(
      new PutCommand({ TableName: tableName, Item: customerItem(customer), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return 'created';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'exists';
    throw error;
  }
}

/** A partner's customers, oldest first (gsi1). */
export async function listPartnerCustomers(partnerId: string, limit: number, cursor?: string): Promise<Page<CustomerRecord>> {
  return queryPage(
    {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': byOwner.partnerCustomers(partnerId) },
    },
    { scope: `partner-customers:${partnerId}`, limit, cursor },
  );
}
