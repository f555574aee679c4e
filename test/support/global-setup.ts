import type { TestProject } from 'vitest/node';
import { startLocalUserPool, type LocalUserPool } from '../../local/cognito';
import { userPoolEnvironment } from '../../local/stack';
import { startDynamoDbPool, type DynamoDbPool } from './dynamodb-pool';

let dynamodb: DynamoDbPool | undefined;
let userPool: LocalUserPool | undefined;

/** In-memory DynamoDB Locals on random ports, a few files each (./dynamodb-pool.ts); each test file gets its own table. */
export async function setup(project: TestProject): Promise<void> {
  dynamodb = await startDynamoDbPool();
  project.provide('dynamodbPool', dynamodb.url);
  userPool = await startLocalUserPool({ dataDir: ':memory:' });
  project.provide('userPoolEnvironment', userPoolEnvironment(userPool));
}

export async function teardown(): Promise<void> {
  await userPool?.stop();
  await dynamodb?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where a test file gets its DynamoDB Local endpoint (./dynamodb-pool.ts). */
    dynamodbPool: string;
    /** One local user pool for the run; tests tell their users apart by e-mail address. */
    userPoolEnvironment: Record<string, string>;
  }
}
