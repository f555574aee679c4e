import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreConfig {
  tableName: string;
  endpoint?: string;
}

export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set');
  return { tableName, endpoint: env.DYNAMODB_ENDPOINT || undefined };
}

export function createDocumentClient(config: StoreConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient(
    config.endpoint
      ? {
          endpoint: config.endpoint,
          region: process.env.AWS_REGION ?? 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          maxAttempts: 5,
        }
      : { maxAttempts: 5 },
  );
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

let shared: { client: DynamoDBDocumentClient; tableName: string } | undefined;

/** The module-scope client every handler uses; created on first use, never at import time. */
export function store(): { client: DynamoDBDocumentClient; tableName: string } {
  if (!shared) {
    const config = storeConfigFromEnv();
    shared = { client: createDocumentClient(config), tableName: config.tableName };
  }
  return shared;
}

/** Tests and the local server point the shared client at another table. */
export function resetStore(): void {
  shared = undefined;
}
