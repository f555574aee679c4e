import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../shared/store/create-table';
import { setSigner, LocalKeySigner } from '../../shared/adapters/signer';
import { resetStore } from '../../shared/store/client';

export const TEST_OPS_TOKEN = 'test-ops-token-0123456789';

Object.assign(process.env, {
  AWS_REGION: 'local',
  DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
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

// The run's one DynamoDB Local keeps every table in memory: a file's table goes with the file, so
// that later files do not run against the data of all earlier ones.
afterAll(async () => {
  const client = tableClient();
  // A table left behind (a file that removed it itself, a database already stopping) only costs the run's memory.
  await client.send(new DeleteTableCommand({ TableName: process.env.TABLE_NAME! })).catch(() => undefined);
  client.destroy();
});
