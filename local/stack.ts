import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { assertPortFree, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { ensureTable } from '../shared/store/create-table';
import { startLocalEvents, type LocalEvents } from './events';
import { randomToken } from '../shared/crypto';
import { USER_POOL_ENV } from '../shared/adapters/user-pool';
import { startLocalUserPool, type LocalUserPool } from './cognito';

export const LOCAL_TABLE_NAME = 'cloud-licensing';

export interface LocalStackOptions {
  port: number;
  dynamodbPort: number;
  /** Directory for data and keys, or ':memory:'. */
  dataDir: string;
  opsToken?: string;
  /** Told what is happening while DynamoDB Local and the table come up. */
  onProgress?: (message: string) => void;
  /** Port of the user pool stand-in; 0 picks a free one. */
  userPoolPort?: number;
}

/** The environment that points the handlers at a user pool (the stand-in here, Cognito in AWS). */
export function userPoolEnvironment(pool: LocalUserPool): Record<string, string> {
  return {
    [USER_POOL_ENV.poolId]: pool.userPoolId,
    [USER_POOL_ENV.clientId]: pool.clientId,
    [USER_POOL_ENV.issuer]: pool.issuer,
    [USER_POOL_ENV.endpoint]: pool.endpoint,
    [USER_POOL_ENV.temporaryPasswords]: 'generate',
  };
}

/**
 * Where the ops token came from: `supplied` (OPS_TOKEN or the caller; never printed), `generated`
 * by this start (printed once, by this start), or `kept` from the one an earlier start generated.
 */
export type OpsTokenSource = 'supplied' | 'generated' | 'kept';

export interface LocalStack {
  apiUrl: string;
  opsToken: string;
  opsTokenSource: OpsTokenSource;
  /** The file that keeps a generated token across restarts (absent with DATA_DIR=:memory:). */
  opsTokenFile?: string;
  dynamodb: DynamoDbLocal;
  userPool: LocalUserPool;
  events: LocalEvents;
  stop(): Promise<void>;
}

/** The installation key kept in the data directory: both local runtimes derive the same installation secrets from it. */
export function persistentKey(dataDir: string): string {
  const path = join(dataDir, 'service.key');
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

/** The supplied token; else the one generated at an earlier start on this DATA_DIR; else a new one, kept there. */
export function resolveOpsToken(supplied: string | undefined, dataDir: string | undefined): { token: string; source: OpsTokenSource; file?: string } {
  if (supplied) return { token: supplied, source: 'supplied' };
  if (!dataDir) return { token: `ops_${randomToken(24)}`, source: 'generated' };
  const file = join(dataDir, 'ops-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), source: 'kept', file };
  const token = `ops_${randomToken(24)}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, source: 'generated', file };
}

/** DynamoDB Local, the table, the service keys and the HTTP API: what `npm start` runs. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  await assertPortFree(options.port, 'API');
  const inMemory = options.dataDir === ':memory:';
  const dataDir = inMemory ? undefined : resolve(options.dataDir);
  if (dataDir) mkdirSync(dataDir, { recursive: true });

  const progress = options.onProgress ?? (() => undefined);
  const dynamodb = await startDynamoDbLocal({
    port: options.dynamodbPort,
    dataDir: dataDir ? join(dataDir, 'dynamodb') : ':memory:',
    onProgress: progress,
  });
  let userPool: LocalUserPool | undefined;
  try {
    userPool = await startLocalUserPool({ port: options.userPoolPort ?? 0, dataDir: dataDir ? join(dataDir, 'user-pool') : ':memory:' });
    const { token: opsToken, source: opsTokenSource, file: opsTokenFile } = resolveOpsToken(options.opsToken ?? (process.env.OPS_TOKEN || undefined), dataDir);
    Object.assign(process.env, {
      AWS_REGION: process.env.AWS_REGION ?? 'local',
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      TABLE_NAME: LOCAL_TABLE_NAME,
      OPS_TOKEN: opsToken,
      INSTALLATION_KEY: dataDir ? persistentKey(dataDir) : randomBytes(32).toString('base64'),
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      ...userPoolEnvironment(userPool),
    });
    if (dataDir) process.env.SIGNING_KEY_FILE = join(dataDir, 'signing-key.pem');
    else process.env.SIGNING_KEY_FILE ??= join(
      (await import('node:os')).tmpdir(),
      `cloud-licensing-${randomBytes(6).toString('hex')}.pem`,
    );

    const client = new DynamoDBClient({
      endpoint: dynamodb.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    progress(`DynamoDB Local is up; making sure the table ${LOCAL_TABLE_NAME} exists…`);
    await ensureTable(client, LOCAL_TABLE_NAME);
    client.destroy();
    if (dataDir) {
      // Data kept in .data/ by an earlier build is brought to this build's layout (scripts/migrate.ts in AWS).
      const { migrateStoredData } = await import('../shared/store/migrations');
      const { licenseListings, deviceEncoding } = await migrateStoredData();
      if (licenseListings !== 'done earlier' && licenseListings.moved > 0) progress(`Moved the list index keys of ${licenseListings.moved} licenses stored by an earlier build to their listing entries.`);
      if (deviceEncoding !== 'done earlier' && deviceEncoding.encoded > 0) progress(`Stored ${deviceEncoding.encoded} devices written by an earlier build in the compact form.`);
    }
    const events = await startLocalEvents({ dynamodbEndpoint: dynamodb.endpoint, tableName: LOCAL_TABLE_NAME, dataDir });
    progress('The table is ready; starting the API…');

    // Handlers read their settings at import, so they load after the environment is set.
    const { lambdaHandlers } = await import('./handlers');
    const { createLocalServer } = await import('./server');
    const { dashboardAssets } = await import('./dashboard-assets');
    const server = createLocalServer(lambdaHandlers, {
      assets: dashboardAssets({ userPool: { endpoint: userPool.endpoint, clientId: userPool.clientId } }),
    });
    await new Promise<void>((resolvePromise, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => resolvePromise());
    });
    const { port } = server.address() as AddressInfo;
    return {
      apiUrl: `http://127.0.0.1:${port}`,
      opsToken,
      opsTokenSource,
      ...(opsTokenFile ? { opsTokenFile } : {}),
      dynamodb,
      userPool,
      events,
      stop: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
        await userPool?.stop();
        await events.stop();
        await dynamodb.stop();
      },
    };
  } catch (error) {
    await userPool?.stop();
    await dynamodb.stop();
    throw error;
  }
}
