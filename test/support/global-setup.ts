import type { TestProject } from 'vitest/node';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { startLocalUserPool, type LocalUserPool } from '../../local/cognito';
import { userPoolEnvironment } from '../../local/stack';

let dynamodb: DynamoDbLocal | undefined;
let userPool: LocalUserPool | undefined;

/** One in-memory DynamoDB Local on a random port for the whole run; each test file gets its own table. */
export async function setup(project: TestProject): Promise<void> {
  dynamodb = await startDynamoDbLocal({ port: await freePort(), dataDir: ':memory:' });
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  userPool = await startLocalUserPool({ dataDir: ':memory:' });
  project.provide('userPoolEnvironment', userPoolEnvironment(userPool));
}

export async function teardown(): Promise<void> {
  await userPool?.stop();
  await dynamodb?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    /** One local user pool for the run; tests tell their users apart by e-mail address. */
    userPoolEnvironment: Record<string, string>;
  }
}
