import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { byCustomer, keys } from './keys';

/** Every item of one gsi query, all pages, projected to the attributes asked for. */
async function queryAll(indexName: 'gsi2', partitionKey: string, attributes: string[]): Promise<Array<Record<string, unknown>>> {
  const { client, tableName } = store();
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: indexName,
        KeyConditionExpression: `${indexName}pk = :pk`,
        ExpressionAttributeValues: { ':pk': partitionKey },
        ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])),
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The SLCs of a customer's licenses (gsi2). */
export async function listCustomerLicenseSlcs(customerId: string): Promise<string[]> {
  const items = await queryAll('gsi2', byCustomer.customerLicenses(customerId), ['slc']);
  return items.map((item) => item.slc as string);
}

/** Erases the contacts of a customer record. False when there is no such customer. */
export async function eraseCustomerContacts(customerId: string): Promise<boolean> {
  const { client, tableName } = store();
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.customer(customerId),
        UpdateExpression: 'SET contacts = :none',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':none': [] },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
