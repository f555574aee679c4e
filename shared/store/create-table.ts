import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from './table-definition';

const streamSpecification = { StreamEnabled: true, StreamViewType: tableDefinition.streamViewType };

type IndexDefinition = (typeof tableDefinition.globalSecondaryIndexes)[number];

const keySchemaOf = (partitionKey: string, sortKey: string) => [
  { AttributeName: partitionKey, KeyType: 'HASH' as const },
  { AttributeName: sortKey, KeyType: 'RANGE' as const },
];

const indexSpecification = (index: IndexDefinition) => ({
  IndexName: index.indexName,
  KeySchema: keySchemaOf(index.partitionKey, index.sortKey),
  Projection: { ProjectionType: 'ALL' as const },
});

const stringAttributes = (names: Iterable<string>) => [...new Set(names)].map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));

/** How long an index added to an existing table may take to become ACTIVE before start-up gives up. */
const INDEX_WAIT_MS = 10 * 60_000;
const POLL_MS = 250;

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Waits until the table and every one of its indexes is ACTIVE (an added index is backfilled first). */
async function waitUntilActive(client: DynamoDBClient, tableName: string, what: string): Promise<void> {
  const deadline = Date.now() + INDEX_WAIT_MS;
  for (;;) {
    const table = await describe(client, tableName);
    const indexes = table?.GlobalSecondaryIndexes ?? [];
    if (table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE')) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE after ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Brings a table made by an earlier version up to the definition: a stream if it has none, and
 * each global secondary index the definition gained since (one UpdateTable per index, as DynamoDB
 * allows, each waited for until ACTIVE), so an older `.data/` keeps working.
 */
async function upgradeTable(client: DynamoDBClient, tableName: string, table: TableDescription): Promise<void> {
  if (!table.StreamSpecification?.StreamEnabled) {
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: streamSpecification }));
    await waitUntilActive(client, tableName, 'enabling its stream');
  }
  const existing = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of tableDefinition.globalSecondaryIndexes.filter(({ indexName }) => !existing.has(indexName))) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: stringAttributes([index.partitionKey, index.sortKey]),
        GlobalSecondaryIndexUpdates: [{ Create: indexSpecification(index) }],
      }),
    );
    await waitUntilActive(client, tableName, `adding ${index.indexName}`);
  }
}

/**
 * Creates the table from the shared definition unless it exists (local runs and tests); an
 * existing table is brought up to the definition (upgradeTable).
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const table = await describe(client, tableName);
  if (table) return upgradeTable(client, tableName, table);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: streamSpecification,
      AttributeDefinitions: stringAttributes([
        tableDefinition.partitionKey,
        tableDefinition.sortKey,
        ...tableDefinition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
      ]),
      KeySchema: keySchemaOf(tableDefinition.partitionKey, tableDefinition.sortKey),
      GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map(indexSpecification),
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
    }),
  );
}
