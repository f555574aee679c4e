import type { TestProject } from 'vitest/node';
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';

let dynamodb: DynamoDbLocal | undefined;

/** One in-memory DynamoDB Local on a random port for the whole run; each test file gets its own table. */
export async function setup(project: TestProject): Promise<void> {
  dynamodb = await startDynamoDbLocal({ port: await freePort(), dataDir: ':memory:' });
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamodb?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}
