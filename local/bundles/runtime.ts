import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { awsJsonService } from '../../shared/adapters/aws-json';
import { INSTALLATION_KEY_SECRET_ENV, OPS_TOKEN_SECRET_ENV } from '../../shared/adapters/aws-secrets';
import { EnvelopeSigner, SIGNING_KEY_GENERATION_ENV, SIGNING_KMS_KEY_ENV } from '../../shared/adapters/envelope-signer';
import { developmentCertificatePath } from '../../shared/adapters/identity-document';
import { randomToken, sha256Hex } from '../../shared/crypto';
import { ensureTable } from '../../shared/store/create-table';
import { startStandIns, type StandIns } from '../aws/stand-ins';
import type { CellIdentity, PhysicalResource } from '../aws/service';
import { assertPortFree, startDynamoDbLocal, type DynamoDbLocal } from '../dynamodb-local';
import { createLocalServer, type ServedRoute } from '../server';
import { LOCAL_TABLE_NAME, persistentKey, resolveOpsToken, userPoolEnvironment, type LocalStack, type OpsTokenSource } from '../stack';
import { startLocalUserPool, type LocalUserPool } from '../cognito';
import { dashboardAssets, type AssetHandler } from '../dashboard-assets';
import { startLocalEvents, type LocalEvents } from '../events';
import { USER_POOL_ENV } from '../../shared/adapters/user-pool';
import { FunctionPool, InvocationError } from './pool';
import { synthesize } from './synth';
import { functionsOf, readCellTemplate, resolveValue, routesOf, templateResource, type CellTemplate, type FunctionDefinition } from './template';

/** The account the local cell pretends to be in (ARNs need one). */
export const LOCAL_ACCOUNT = '123456789012';
const TASK_ROOT = '/var/task';

/**
 * The §3 settings of `npm start`, which the local cell takes instead of the values cdk.json gives a
 * region (as a cdk.json entry for a local region would): with the same defaults as the embedded
 * runtime, so that both runtimes behave the same. Applied only to functions whose template sets them.
 */
const LOCAL_SETTINGS: Record<string, () => string | undefined> = {
  EULA_VERSION: () => undefined,
  SANCTIONED_COUNTRIES: () => undefined,
  AMI_INCLUDED_PRODUCT_CODES: () => 'dev-essential-plus-included',
  AWS_IDENTITY_CERTS_FILE: () => developmentCertificatePath(),
};

export interface BundleRuntimeOptions {
  port: number;
  dynamodbPort: number;
  /** Directory for data and keys, or ':memory:'. */
  dataDir: string;
  opsToken?: string;
  /** The installation key (base64); kept in the data directory, or random in memory, by default. */
  installationKey?: string;
  /** A running DynamoDB Local to use instead of starting one (tests share one). */
  dynamodbEndpoint?: string;
  tableName?: string;
  /** A cloud assembly already synthesized (tests synthesize once per run). */
  assembly?: { outdir: string; stackName: string };
  /** Execution environments per function at most (Lambda scales further; one machine does not). */
  maxConcurrency?: number;
  /** Where the functions' log lines go (standard output by default, as Lambda sends them to CloudWatch Logs). */
  log?: (functionId: string, line: string) => void;
  /** The §3 variables (process.env by default). */
  settings?: NodeJS.ProcessEnv;
  /** Start one execution environment per function before serving (default true). */
  warm?: boolean;
  /**
   * The user pool stand-in to point the functions at (its userPoolEnvironment); without one the
   * runtime starts its own beside the AWS stand-ins (local/cognito.ts, as npm start does).
   */
  userPoolEnvironment?: Record<string, string>;
  /** Answers every path outside /v1 (the Customer Dashboard); `startBundleStack` serves the built dashboard. */
  assets?: AssetHandler;
}

export interface BundleFunction {
  definition: FunctionDefinition;
  pool: FunctionPool;
  accessKeyId: string;
  environment: Record<string, string>;
}

export interface BundleRuntime {
  apiUrl: string;
  opsToken: string;
  opsTokenSource: OpsTokenSource;
  opsTokenFile?: string;
  /** DynamoDB Local when the runtime started it. */
  dynamodb: DynamoDbLocal | undefined;
  template: CellTemplate;
  cell: CellIdentity & { stackName: string };
  standIns: StandIns;
  physical: Map<string, PhysicalResource>;
  functions: Map<string, BundleFunction>;
  /**
   * Functions of the template no API route invokes (the stream publisher, the webhook worker, the
   * reminder job): not run as bundles; the local events pipeline (local/events.ts) does their work,
   * as under npm start (DECISIONS.md, "Bundle runtime: the event workers"). CDK's BucketDeployment
   * provider is among them too: it runs only while CloudFormation deploys the dashboard's files.
   */
  workers: FunctionDefinition[];
  /** The user pool the functions use, when the runtime started it. */
  userPool: LocalUserPool | undefined;
  /** The user pool's environment (pool and client id, issuer, endpoint). */
  userPoolEnvironment: Record<string, string>;
  /** Secret ARNs by the environment variable that names them. */
  secretArns: Record<string, string>;
  stop(): Promise<void>;
}

const accessKey = () => `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;

/** The environment Lambda gives an execution environment, then the function's own (resolved), then the local settings. */
function functionEnvironment(
  definition: FunctionDefinition,
  resolved: Record<string, string>,
  context: { cell: CellIdentity & { stackName: string }; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }; endpoints: Record<string, string>; settings: NodeJS.ProcessEnv },
): Record<string, string> {
  const name = `${context.cell.stackName}-${definition.logicalId}`.slice(0, 64);
  const own: Record<string, string> = {};
  for (const [key, value] of Object.entries(resolved)) {
    // The bundle's files are where Lambda unpacks them: the asset directory stands for /var/task.
    own[key] = value.startsWith(`${TASK_ROOT}/`) ? join(definition.codeDirectory, value.slice(TASK_ROOT.length + 1)) : value;
    const local = LOCAL_SETTINGS[key];
    if (local) own[key] = context.settings[key] ?? local() ?? own[key]!;
  }
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    _HANDLER: definition.handler,
    AWS_REGION: context.cell.region,
    AWS_DEFAULT_REGION: context.cell.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${definition.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomBytes(16).toString('hex')}`,
    AWS_ACCESS_KEY_ID: context.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: context.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: context.credentials.sessionToken,
    LAMBDA_TASK_ROOT: definition.codeDirectory,
    LOCAL_LAMBDA_FUNCTION_ARN: `arn:${context.cell.partition}:lambda:${context.cell.region}:${context.cell.account}:function:${name}`,
    ...context.endpoints,
    // As npm start: webhooks may go to http://127.0.0.1 on this machine (the stack sets nothing: https to public addresses only).
    WEBHOOK_URL_POLICY: context.settings.WEBHOOK_URL_POLICY ?? 'local',
    ...own,
  };
}

/**
 * Template resources that have no part in the local cell, each with the reason; nothing the API
 * functions run refers to them (a reference would still fail, naming the resource).
 */
const LOCALLY_UNUSED_RESOURCE_TYPES: Record<string, string> = {
  'AWS::S3::Bucket': 'the dashboard bucket: the local server serves the built dashboard at / itself',
  'AWS::CloudFront::Distribution': 'CloudFront routes / to the bucket and /v1 to the API; the local server does both',
  'AWS::SQS::Queue': 'the webhook queue and dead-letter queues feed the event workers, which the local events pipeline replaces',
  'AWS::Scheduler::Schedule': 'the daily reminder schedule: the local events pipeline runs the reminder job on a timer',
  'AWS::Events::EventBus': 'the cell bus: the local events pipeline publishes to the EventBridge stand-in of local/eventbridge.ts',
};

/** A function's environment, resolved; a reference to a resource of no local role says why it has none. */
function resolveEnvironment(definition: FunctionDefinition, physical: Map<string, PhysicalResource>, cell: CellIdentity & { stackName: string }, template: CellTemplate): Record<string, string> {
  try {
    return resolveValue(definition.environment, physical, cell, template.resources) as Record<string, string>;
  } catch (error) {
    const type = Object.keys(LOCALLY_UNUSED_RESOURCE_TYPES).find((candidate) => (error as Error).message.includes(`(${candidate})`));
    if (!type) throw error;
    throw new Error(`${definition.logicalId}: ${(error as Error).message}; it has no local role (${LOCALLY_UNUSED_RESOURCE_TYPES[type]})`);
  }
}

/** Provisions every template resource a stand-in serves, and gives each secret a generated value, as CloudFormation does. */
function provision(template: CellTemplate, cell: CellIdentity, standIns: StandIns, userPool: Record<string, string>): Map<string, PhysicalResource> {
  const physical = new Map<string, PhysicalResource>();
  for (const [logicalId, resource] of Object.entries(template.resources)) {
    // The user pool stand-in (local/cognito.ts) runs beside the AWS stand-ins: its pool and app client are the template's.
    if (resource.Type === 'AWS::Cognito::UserPool') {
      const id = userPool[USER_POOL_ENV.poolId]!;
      physical.set(logicalId, {
        ref: id,
        attributes: { Arn: `arn:${cell.partition}:cognito-idp:${cell.region}:${cell.account}:userpool/${id}`, ProviderURL: userPool[USER_POOL_ENV.issuer] ?? '', ProviderName: id },
      });
      continue;
    }
    if (resource.Type === 'AWS::Cognito::UserPoolClient') {
      physical.set(logicalId, { ref: userPool[USER_POOL_ENV.clientId]!, attributes: {} });
      continue;
    }
    const service = standIns.forResourceType(resource.Type);
    if (!service) continue;
    const created = service.provision(templateResource(template, logicalId), cell);
    physical.set(logicalId, created);
    if (resource.Type === 'AWS::SecretsManager::Secret') standIns.services.secretsManager.put(created.ref, randomToken(32));
  }
  return physical;
}

/** API Gateway's routes of the template, as the local server serves them; `$default` answers every other path. */
function servedRoutes(template: CellTemplate): { routes: ServedRoute[]; fallback: string | undefined } {
  const routes = routesOf(template);
  return {
    routes: routes
      .filter((route) => route.routeKey !== '$default')
      .map((route) => {
        const [method, path] = route.routeKey.split(' ') as [string, string];
        return { method, path, target: route.functionId };
      }),
    fallback: routes.find((route) => route.routeKey === '$default')?.functionId,
  };
}

/**
 * Serves the API through the Lambda bundles exactly as `cdk synth` builds them, for the first region
 * of cdk.json: every function of the template in its own worker processes (handler, environment,
 * memory and timeout from its resource; API Gateway HTTP API payload 2.0 events and the Lambda
 * context), every AWS service at a local stand-in, DynamoDB at DynamoDB Local behind a recording
 * proxy. The template's references resolve to the stand-ins' resources; the secrets are seeded with
 * the ops token's hash and the installation key.
 */
export async function startBundleRuntime(options: BundleRuntimeOptions): Promise<BundleRuntime> {
  await assertPortFree(options.port, 'API');
  const inMemory = options.dataDir === ':memory:';
  const dataDir = inMemory ? undefined : resolve(options.dataDir);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step();
  };
  try {
    const dynamodb = options.dynamodbEndpoint
      ? undefined
      : await startDynamoDbLocal({ port: options.dynamodbPort, dataDir: dataDir ? join(dataDir, 'dynamodb') : ':memory:' });
    if (dynamodb) cleanups.push(() => dynamodb.stop());
    const dynamodbEndpoint = options.dynamodbEndpoint ?? dynamodb!.endpoint;

    let assembly = options.assembly;
    if (!assembly) {
      const outdir = mkdtempSync(join(tmpdir(), 'cloud-licensing-bundles-'));
      cleanups.push(() => rmSync(outdir, { recursive: true, force: true }));
      assembly = { outdir, stackName: await synthesize(outdir) };
    }
    const template = readCellTemplate(assembly.outdir, assembly.stackName);
    const cell = { region: template.region, account: LOCAL_ACCOUNT, partition: 'aws', stackName: template.stackName };

    const tableName = options.tableName ?? LOCAL_TABLE_NAME;
    const client = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(client, tableName);
    client.destroy();

    const standIns = await startStandIns({ cell, dynamodbEndpoint, tableName, stateDir: dataDir ? join(dataDir, 'aws') : undefined });
    cleanups.push(() => standIns.stop());
    let userPool: LocalUserPool | undefined;
    if (!options.userPoolEnvironment) {
      userPool = await startLocalUserPool({ port: 0, dataDir: dataDir ? join(dataDir, 'user-pool') : ':memory:' });
      cleanups.push(() => userPool!.stop());
    }
    const poolEnvironment = options.userPoolEnvironment ?? userPoolEnvironment(userPool!);
    const physical = provision(template, cell, standIns, poolEnvironment);

    // As `npm start`: a supplied token, else one generated at the first start and kept in the data directory.
    const ops = resolveOpsToken(options.opsToken ?? ((options.settings ?? process.env).OPS_TOKEN || undefined), dataDir);
    const opsToken = ops.token;
    const seeds: Record<string, string> = {
      [OPS_TOKEN_SECRET_ENV]: sha256Hex(opsToken),
      [INSTALLATION_KEY_SECRET_ENV]: options.installationKey ?? (dataDir ? persistentKey(dataDir) : randomBytes(32).toString('base64')),
    };
    const secretArns: Record<string, string> = {};
    const functions = new Map<string, BundleFunction>();
    const log = options.log ?? ((_, line) => process.stdout.write(`${line}\n`));
    const { routes, fallback } = servedRoutes(template);
    const invoked = new Set([...routes.map((route) => route.target), ...(fallback ? [fallback] : [])]);
    const workers = functionsOf(template).filter((definition) => !invoked.has(definition.logicalId));
    for (const definition of functionsOf(template).filter((candidate) => invoked.has(candidate.logicalId))) {
      const resolved = resolveEnvironment(definition, physical, cell, template);
      // The stand-in's issuer and endpoint, and temporary passwords answered as under npm start (Cognito e-mails them in AWS).
      if (resolved[USER_POOL_ENV.poolId]) Object.assign(resolved, poolEnvironment);
      for (const [variable, value] of Object.entries(seeds)) {
        if (resolved[variable]) {
          standIns.services.secretsManager.put(resolved[variable], value);
          secretArns[variable] = resolved[variable];
        }
      }
      const credentials = { accessKeyId: accessKey(), secretAccessKey: randomToken(30), sessionToken: randomToken(48) };
      standIns.callers.register(credentials.accessKeyId, { name: definition.logicalId, ...credentials });
      const environment = functionEnvironment(definition, resolved, {
        cell,
        credentials,
        endpoints: standIns.endpointEnvironment,
        settings: options.settings ?? process.env,
      });
      const pool = new FunctionPool({
        name: definition.logicalId,
        environment,
        taskRoot: definition.codeDirectory,
        memorySize: definition.memorySize,
        timeout: definition.timeout,
        maxConcurrency: options.maxConcurrency ?? 4,
        log: (line) => log(definition.logicalId, line),
      });
      cleanups.push(() => pool.stop());
      functions.set(definition.logicalId, { definition, pool, accessKeyId: credentials.accessKeyId, environment });
    }
    await createSigningKey(functions, tableName, dynamodbEndpoint);
    if (options.warm !== false) await Promise.allSettled([...functions.values()].map(({ pool }) => pool.warm()));

    const handlers = Object.fromEntries(
      [...functions].map(([id, fn]) => [id, async (event: unknown) => (await fn.pool.invoke(event)) as APIGatewayProxyStructuredResultV2]),
    );
    const server: Server = createLocalServer(handlers, {
      routes,
      fallback,
      assets: options.assets,
      onError: (error, target) => {
        const cause = error instanceof InvocationError ? error.cause_ : (error as Error)?.message ?? String(error);
        log(target, JSON.stringify({ level: 'ERROR', message: `Lambda invocation of ${target} failed: ${cause}`, function: target, timestamp: new Date().toISOString() }));
      },
    });
    await new Promise<void>((resolvePromise, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => resolvePromise());
    });
    cleanups.push(
      () =>
        new Promise<void>((resolvePromise) => {
          server.closeAllConnections();
          server.close(() => resolvePromise());
        }),
    );
    return {
      apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      opsToken,
      opsTokenSource: ops.source,
      opsTokenFile: ops.file,
      dynamodb,
      template,
      cell,
      standIns,
      physical,
      functions,
      workers,
      userPool,
      userPoolEnvironment: poolEnvironment,
      secretArns,
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * A cell publishes no license-signing key until a function that signs has created the current
 * generation (on its first signing). The local cell does that at start, as the smoke test does right
 * after a deployment (README), so that GET /v1/keys answers as under `npm start` from the first
 * request: with the code of shared/adapters/envelope-signer.ts, KMS at the stand-in, signed with the
 * credentials of the first function that signs (the call is recorded as that function's).
 */
async function createSigningKey(functions: Map<string, BundleFunction>, tableName: string, dynamodbEndpoint: string): Promise<void> {
  const signing = [...functions.values()].find(({ environment }) => environment[SIGNING_KMS_KEY_ENV]);
  if (!signing) return;
  const env = signing.environment;
  process.env.TABLE_NAME ??= tableName;
  process.env.DYNAMODB_ENDPOINT ??= dynamodbEndpoint;
  const kms = awsJsonService({
    service: 'kms',
    targetPrefix: 'TrentService',
    endpointEnv: 'AWS_ENDPOINT_URL_KMS',
    env,
    credentials: async () => ({ accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!, sessionToken: env.AWS_SESSION_TOKEN }),
  });
  await new EnvelopeSigner({ generation: Number(env[SIGNING_KEY_GENERATION_ENV]), kmsKeyId: env[SIGNING_KMS_KEY_ENV], kms }).keyId();
}

/**
 * What `LOCAL_RUNTIME=bundles npm start` runs: the bundle runtime with its own DynamoDB Local and
 * user pool, the built dashboard at /, and the local events pipeline (stream publisher, EventBridge
 * stand-in, webhook delivery, reminder timer) doing the event workers' part, as a LocalStack.
 */
export async function startBundleStack(options: Omit<BundleRuntimeOptions, 'dynamodbEndpoint' | 'userPoolEnvironment' | 'assets'>): Promise<LocalStack> {
  let assets: AssetHandler | undefined;
  const dataDir = options.dataDir === ':memory:' ? undefined : resolve(options.dataDir);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // The in-process pipeline opens webhook secrets with the same key the functions' secret holds.
  const installationKey = options.installationKey ?? (dataDir ? persistentKey(dataDir) : randomBytes(32).toString('base64'));
  const runtime = await startBundleRuntime({ ...options, installationKey, assets: (request, response) => assets!(request, response) });
  let events: LocalEvents | undefined;
  try {
    const pool = runtime.userPool!;
    assets = dashboardAssets({ userPool: { endpoint: pool.endpoint, clientId: pool.clientId } });
    Object.assign(process.env, {
      AWS_REGION: process.env.AWS_REGION ?? 'local',
      DYNAMODB_ENDPOINT: runtime.dynamodb!.endpoint,
      TABLE_NAME: options.tableName ?? LOCAL_TABLE_NAME,
      INSTALLATION_KEY: installationKey,
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      ...runtime.userPoolEnvironment,
    });
    events = await startLocalEvents({ dynamodbEndpoint: runtime.dynamodb!.endpoint, tableName: options.tableName ?? LOCAL_TABLE_NAME, dataDir });
  } catch (error) {
    await runtime.stop();
    throw error;
  }
  const started = events;
  return {
    apiUrl: runtime.apiUrl,
    opsToken: runtime.opsToken,
    opsTokenSource: runtime.opsTokenSource,
    opsTokenFile: runtime.opsTokenFile,
    dynamodb: runtime.dynamodb!,
    userPool: runtime.userPool!,
    events: started,
    stop: async () => {
      await started.stop();
      await runtime.stop();
    },
  };
}
