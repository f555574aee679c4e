import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byKind, byOwner, createdOrder, keys } from './keys';
import type { Page } from './pagination';
import { queryPage } from './query';
import type { CustomerRecord } from './records';
import { writeIf } from './conditional-write';

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
    gsi3pk: byKind.customers,
    gsi3sk: createdOrder(customer.createdAt, customer.customerId),
    ...(customer.partnerId
      ? { gsi1pk: byOwner.partnerCustomers(customer.partnerId), gsi1sk: createdOrder(customer.createdAt, customer.customerId) }
      : {}),
  };
}

/** Writes a new customer; `exists` when a customer with its id is stored already. */
export async function putNewCustomer(customer: CustomerRecord): Promise<'created' | 'exists'> {
  const { tableName } = store();
  const written = await writeIf(
    new PutCommand({ TableName: tableName, Item: customerItem(customer), ConditionExpression: 'attribute_not_exists(pk)' }),
  );
  return written ? 'created' : 'exists';
}

const customerPage = (
  scope: string,
  query: { index: 'gsi1' | 'gsi3'; pk: string; newestFirst: boolean },
  limit: number,
  cursor: string | undefined,
): Promise<Page<CustomerRecord>> =>
  queryPage<CustomerRecord>(
    { IndexName: query.index, KeyConditionExpression: `${query.index}pk = :pk`, ExpressionAttributeValues: { ':pk': query.pk }, ScanIndexForward: !query.newestFirst },
    { scope, limit, cursor },
  );

/** A partner's customers (gsi1), oldest first unless asked otherwise. */
export const listPartnerCustomers = (partnerId: string, limit: number, cursor?: string, options = { newestFirst: false }): Promise<Page<CustomerRecord>> =>
  customerPage(
    options.newestFirst ? `partner-customers:${partnerId}:newest-first` : `partner-customers:${partnerId}`,
    { index: 'gsi1', pk: byOwner.partnerCustomers(partnerId), newestFirst: options.newestFirst },
    limit,
    cursor,
  );

/** Every customer, newest first (gsi3). */
export const listAllCustomers = (limit: number, cursor?: string): Promise<Page<CustomerRecord>> =>
  customerPage('all-customers', { index: 'gsi3', pk: byKind.customers, newestFirst: true }, limit, cursor);

/** The fields a customer change may set. */
export type CustomerChange = Partial<Pick<CustomerRecord, 'name' | 'country' | 'contacts' | 'verification' | 'verificationReason' | 'screening'>>;

/**
 * Writes a change of a customer on condition that it is unchanged since it was read (its
 * revision), so that a re-screening is never computed from a stale country or verification.
 * `changed` means another change came first: re-read and decide again.
 */
export async function writeCustomerChange(current: CustomerRecord, change: CustomerChange, at: string): Promise<'written' | 'changed'> {
  const { tableName } = store();
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':next': (current.revision ?? 0) + 1, ':at': at };
  const assignments = ['revision = :next', 'updatedAt = :at'];
  Object.entries(change).forEach(([field, value], index) => {
    names[`#f${index}`] = field;
    values[`:f${index}`] = value;
    assignments.push(`#f${index} = :f${index}`);
  });
  const unchanged = current.revision === undefined ? 'attribute_not_exists(revision)' : 'revision = :revision';
  if (current.revision !== undefined) values[':revision'] = current.revision;
  const written = await writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.customer(current.customerId),
      UpdateExpression: `SET ${assignments.join(', ')}`,
      ConditionExpression: `attribute_exists(pk) AND ${unchanged}`,
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    }),
  );
  return written ? 'written' : 'changed';
}
