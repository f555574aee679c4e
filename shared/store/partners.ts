import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { keys } from './keys';

export interface Partner {
  partnerId: string;
  name: string;
  createdAt: string;
}

export async function putPartner(partner: Partner, apiKeySha256: string): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { ...keys.partner(partner.partnerId), type: 'partner', ...partner },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { ...keys.partnerApiKey(apiKeySha256), type: 'partner_api_key', partnerId: partner.partnerId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    }),
  );
}

export async function getPartner(partnerId: string): Promise<Partner | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.partner(partnerId) }));
  return Item ? { partnerId: Item.partnerId, name: Item.name, createdAt: Item.createdAt } : undefined;
}

export async function findPartnerIdByApiKeyHash(apiKeySha256: string): Promise<string | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.partnerApiKey(apiKeySha256) }));
  return Item?.partnerId as string | undefined;
}
