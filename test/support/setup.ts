import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../shared/store/create-table';
import { setSigner, LocalKeySigner } from '../../shared/adapters/signer';
import { resetStore } from '../../shared/store/client';
import { acquireDynamoDbLocal, releaseDynamoDbLocal } from './dynamodb-pool';

export const TEST_OPS_TOKEN = 'test-ops-token-0123456789';

const dynamodbPool = inject('dynamodbPool');
const dynamodbEndpoint = await acquireDynamoDbLocal(dynamodbPool);

Object.assign(process.env, {
  AWS_REGION: 'local',
  DYNAMODB_ENDPOINT: dynamodbEndpoint,
  TABLE_NAME: `test-${randomBytes(6).toString('hex')}`,
  OPS_TOKEN: TEST_OPS_TOKEN,
  INSTALLATION_KEY: randomBytes(32).toString('base64'),
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'SILENT',
  ...inject('userPoolEnvironment'),
});
resetStore();
setSigner(LocalKeySigner.ephemeral());

const tableClient = () =>
  new DynamoDBClient({
    endpoint: process.env.DYNAMODB_ENDPOINT,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

beforeAll(async () => {
  const client = tableClient();
  await ensureTable(client, process.env.TABLE_NAME!);
  client.destroy();
});

// A DynamoDB Local serves a few files, two at a time: a file's table goes with the file, so that the
// next files do not run against the data of earlier ones.
afterAll(async () => {
  const client = tableClient();
  // A table left behind (a file that removed it itself, a database already stopping) only costs the run's memory.
  await client.send(new DeleteTableCommand({ TableName: process.env.TABLE_NAME! })).catch(() => undefined);
  client.destroy();
  await releaseDynamoDbLocal(dynamodbPool, dynamodbEndpoint);
});
