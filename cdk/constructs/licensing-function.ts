import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, ApplicationLogLevel, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionName } from '../../shared/http/routes';
import {
  BUNDLE_EXTERNAL_MODULES,
  BUNDLE_MAIN_FIELDS,
  BUNDLE_MINIFY,
  BUNDLE_SOURCE_MAP,
  BUNDLE_SOURCES_CONTENT,
  BUNDLE_TARGET,
  CREATE_REQUIRE_BANNER,
  FUNCTION_NODE_OPTIONS,
  functionEntry,
} from '../bundling';
import { PROJECT_ROOT } from '../config';

/** The runtime every function uses. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

export const SERVICE_NAME = 'cloud-licensing';
export const METRICS_NAMESPACE = 'CloudLicensing';

/** Files concatenated into one file next to the handler (the handler reads it from LAMBDA_TASK_ROOT). */
export interface BundledFile {
  /** File name in the bundle. */
  name: string;
  /** Paths relative to the repository; all must exist. */
  sources: string[];
}

export interface LicensingFunctionProps {
  /** A route group of the HTTP API, or a worker (functions/<name>/index.ts). */
  name: FunctionName | WorkerName;
  /** For workers: what invokes it, and why it has no Lambda dead-letter queue of its own. */
  worker?: { description: string; deadLetterReason: string };
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** A file bundled next to the handler; its absolute path in Lambda is set in `pathVariable`. */
  bundledFile?: BundledFile & { pathVariable: string };
}

/** Functions not behind the HTTP API: the stream publisher, the webhook worker, the Care Plus reminder job. */
export type WorkerName = 'publisher' | 'webhooks' | 'reminders';

/** Where Lambda unpacks the bundle. */
const TASK_ROOT = '/var/task';

/**
 * One Lambda function of the API, set up the same way for every group: nodejs24.x on arm64, bundled
 * by the local esbuild (no Docker) as minified ESM with source maps, its own log group with a
 * retention period, JSON logs, active X-Ray tracing, Powertools settings, and its own role that
 * starts with no permissions but writing to its log group (the stack grants the rest).
 */
export class LicensingFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: LicensingFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Cloud Licensing ${props.name} function`,
    });
    this.logGroup.grantWrite(this.role);

    const environment: Record<string, string> = {
      ...props.environment,
      NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: props.logLevel,
    };

    const bundledSources = props.bundledFile?.sources ?? [];
    const missing = bundledSources.filter((source) => !existsSync(join(PROJECT_ROOT, source)));
    if (missing.length > 0) throw new Error(`Files to bundle with the ${props.name} function do not exist: ${missing.join(', ')}`);
    if (props.bundledFile && bundledSources.length > 0) {
      environment[props.bundledFile.pathVariable] = `${TASK_ROOT}/${props.bundledFile.name}`;
    }
    const bundledName = props.bundledFile?.name;

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, functionEntry(props.name)),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel[props.logLevel],
      systemLogLevelV2: SystemLogLevel.INFO,
      tracing: Tracing.ACTIVE,
      awsSdkConnectionReuse: false,
      description: props.worker ? `Cloud Licensing: ${props.worker.description}` : `Cloud Licensing API: ${props.name} routes`,
      environment,
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        mainFields: BUNDLE_MAIN_FIELDS,
        banner: CREATE_REQUIRE_BANNER,
        minify: BUNDLE_MINIFY,
        sourceMap: BUNDLE_SOURCE_MAP,
        sourcesContent: BUNDLE_SOURCES_CONTENT,
        externalModules: BUNDLE_EXTERNAL_MODULES,
        logLevel: LogLevel.WARNING,
        commandHooks:
          bundledName && bundledSources.length > 0
            ? {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [
                  `cat ${bundledSources.map((source) => `"${inputDir}/${source}"`).join(' ')} > "${outputDir}/${bundledName}"`,
                ],
              }
            : undefined,
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray actions that active tracing adds (xray:PutTraceSegments, xray:PutTelemetryRecords) have resource "*": X-Ray does not support resource-level permissions for them. Every other statement names its resources.',
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        props.worker?.deadLetterReason ??
        'API Gateway invokes the function synchronously and receives its errors; a dead-letter queue only applies to asynchronous invocations, which this function never gets.',
    });
  }
}
