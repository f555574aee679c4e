import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../shared/store/create-table';
import { tableDefinition } from '../../shared/store/table-definition';

/** A table made by an earlier version (no gsi3, no stream) is brought up to the definition on DynamoDB Local. */
const client = new DynamoDBClient({
  endpoint: process.env.DYNAMODB_ENDPOINT,
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const tableName = `old-${randomBytes(6).toString('hex')}`;

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  client.destroy();
});

const key = (name: string) => [
  { AttributeName: `${name}pk`, KeyType: 'HASH' as const },
  { AttributeName: `${name}sk`, KeyType: 'RANGE' as const },
];

async function createOlderTable(): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
      KeySchema: key(''),
      GlobalSecondaryIndexes: ['gsi1', 'gsi2'].map((name) => ({ IndexName: name, KeySchema: key(name), Projection: { ProjectionType: 'ALL' as const } })),
    }),
  );
}

describe('ensureTable on a table of an earlier version', () => {
  it('adds the missing index (ACTIVE, with the items already stored) and the stream; a second call changes nothing', async () => {
    await createOlderTable();
    await client.send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'LICENSE#a' }, sk: { S: 'LICENSE' }, gsi3pk: { S: 'LIST#x' }, gsi3sk: { S: '001' } } }),
    );

    await ensureTable(client, tableName);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Object.fromEntries((Table!.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.IndexStatus]));
    expect(indexes).toEqual(Object.fromEntries(tableDefinition.globalSecondaryIndexes.map(({ indexName }) => [indexName, 'ACTIVE'])));
    expect(Table!.StreamSpecification).toMatchObject({ StreamEnabled: true, StreamViewType: tableDefinition.streamViewType });
    const listed = await client.send(
      new QueryCommand({ TableName: tableName, IndexName: 'gsi3', KeyConditionExpression: 'gsi3pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'LIST#x' } } }),
    );
    expect(listed.Items?.map((item) => item.pk?.S)).toEqual(['LICENSE#a']);

    await ensureTable(client, tableName);
    const again = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(again.Table!.GlobalSecondaryIndexes).toHaveLength(tableDefinition.globalSecondaryIndexes.length);
  });
});
