import { join } from 'node:path';
import { CallLog, Callers } from './calls';
import { DynamoDbProxy } from './dynamodb-proxy';
import { KmsStandIn } from './kms';
import { SecretsManagerStandIn } from './secrets-manager';
import { serveStandIn, type CellIdentity, type RunningStandIn, type StandInService } from './service';
import { SesStandIn } from './ses';
import { SnsStandIn } from './sns';

export interface StandInsOptions {
  cell: CellIdentity;
  /** DynamoDB Local, behind the recording proxy. */
  dynamodbEndpoint: string;
  /** The local name of the cell's table. */
  tableName: string;
  /** Where stand-ins keep state that must outlive a restart (KMS key material); none for in-memory data. */
  stateDir?: string;
}

/**
 * The registry: every AWS service the cell calls, each a StandInService. To add one (EventBridge
 * PutEvents, the Cognito user pool), write its class beside these and list it here; the bundle
 * runtime then provisions its template resources and points the functions at it through its
 * AWS_ENDPOINT_URL_<SERVICE> variable (local/aws/README.md).
 */
function services(options: StandInsOptions) {
  return {
    dynamodb: new DynamoDbProxy(options.dynamodbEndpoint, options.tableName),
    kms: new KmsStandIn(options.stateDir ? join(options.stateDir, 'kms-keys.json') : undefined),
    secretsManager: new SecretsManagerStandIn(),
    sns: new SnsStandIn(),
    ses: new SesStandIn(),
  } satisfies Record<string, StandInService>;
}

export type StandInRegistry = ReturnType<typeof services>;

export interface StandIns {
  services: StandInRegistry;
  running: RunningStandIn[];
  callers: Callers;
  calls: CallLog;
  cell: CellIdentity;
  /** AWS_ENDPOINT_URL_<SERVICE> of every stand-in: the functions' environment points the SDK at them. */
  endpointEnvironment: Record<string, string>;
  /** The stand-in that provisions a CloudFormation resource type, if any. */
  forResourceType(type: string): StandInService | undefined;
  stop(): Promise<void>;
}

export async function startStandIns(options: StandInsOptions): Promise<StandIns> {
  const registry = services(options);
  const callers = new Callers();
  const calls = new CallLog();
  const running: RunningStandIn[] = [];
  const stop = async () => {
    await Promise.all(
      running.map(
        ({ server }) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  };
  try {
    for (const service of Object.values(registry) as StandInService[]) {
      running.push(await serveStandIn(service, { cell: options.cell, callers, log: calls }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    services: registry,
    running,
    callers,
    calls,
    cell: options.cell,
    endpointEnvironment: Object.fromEntries(running.map(({ service, endpoint }) => [service.endpointEnv, endpoint])),
    forResourceType: (type) => (Object.values(registry) as StandInService[]).find((service) => service.resourceTypes.includes(type as never)),
    stop,
  };
}
