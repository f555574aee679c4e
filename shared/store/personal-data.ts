import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from './query';
import { store } from './client';
import { byCustomer, keys } from './keys';
import { writeIf } from './conditional-write';


/** The SLCs of a customer's licenses (gsi2). */
export async function listCustomerLicenseSlcs(customerId: string): Promise<string[]> {
  const items = await queryAll({
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': byCustomer.customerLicenses(customerId) },
    ProjectionExpression: 'slc',
  });
  return items.map((item) => item.slc as string);
}

/** Erases the contacts of a customer record. False when there is no such customer. */
export async function eraseCustomerContacts(customerId: string): Promise<boolean> {
  const { tableName } = store();
  return writeIf(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.customer(customerId),
      UpdateExpression: 'SET contacts = :none',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':none': [] },
    }),
  );
}
