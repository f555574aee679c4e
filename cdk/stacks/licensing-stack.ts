import { CfnOutput, Duration, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SIGNING_KEY_GENERATION_ENV, SIGNING_KMS_KEY_ENV } from '../../shared/adapters/envelope-signer';
import { functionNames, type FunctionName } from '../../shared/http/routes';
import type { CellSettings } from '../config';
import { EventDelivery } from '../constructs/event-delivery';
import { LicensingApi } from '../constructs/licensing-api';
import { LicensingFunction } from '../constructs/licensing-function';
import { LicensingTable, type TableAccess } from '../constructs/licensing-table';
import { Monitoring } from '../constructs/monitoring';
import { ServiceSecrets } from '../constructs/service-secrets';
import { SigningKey } from '../constructs/signing-key';
import { DashboardUserPool } from '../constructs/dashboard-user-pool';
import { DashboardHosting } from '../constructs/dashboard-hosting';

/** Where the activation function finds the AWS identity certificates in its bundle. */
export const IDENTITY_CERTS_FILE = 'aws-identity-certs.pem';

interface FunctionSettings {
  /**
   * Memory (and with it CPU) and timeout. 1024 MB on arm64 keeps cold starts and p99 short for the
   * small routes; activation gets 1769 MB, one full vCPU, for plans of up to 10,000 devices. Timeouts
   * stay within API Gateway's 30 s integration limit: 29 s where one request can touch 10,000 devices
   * (activation, releasing an installation) or fan out notifications, 10 s elsewhere.
   */
  memorySize: number;
  timeout: Duration;
  table: TableAccess;
  secrets: { opsToken: boolean; installationKey: boolean };
  /**
   * `sign`: issues license documents (creates and decrypts signing keys with KMS); `publish`: serves
   * GET /v1/keys from the table, without KMS; `none`: neither.
   */
  signing: 'none' | 'publish' | 'sign';
  notifications: boolean;
  identityCertificates: boolean;
  /**
   * `verify`: accepts dashboard users' ID tokens (every function with bearer-token routes);
   * `manage`: also creates and deletes users in the pool (POST /v1/users, /v1/partner/users, DELETE).
   */
  userPool: 'none' | 'verify' | 'manage';
}

/**
 * What each function group needs, and nothing more. Bearer-token routes read the ops token hash
 * (ops first, then partner keys); every authenticated route can receive a signed installation
 * request, which needs the installation key (to answer 401/403 correctly); activation and the ops
 * credentials route derive installation secrets from the key.
 */
export const FUNCTION_SETTINGS: Record<FunctionName, FunctionSettings> = {
  public: {
    memorySize: 1024,
    timeout: Duration.seconds(10),
    table: 'public',
    secrets: { opsToken: false, installationKey: false },
    signing: 'publish',
    notifications: false,
    identityCertificates: false,
    userPool: 'none',
  },
  ops: {
    memorySize: 1024,
    timeout: Duration.seconds(29),
    table: 'ops',
    secrets: { opsToken: true, installationKey: true },
    signing: 'none',
    notifications: false,
    identityCertificates: false,
    userPool: 'manage',
  },
  partner: {
    memorySize: 1024,
    timeout: Duration.seconds(10),
    table: 'partner',
    secrets: { opsToken: true, installationKey: true },
    signing: 'none',
    notifications: false,
    identityCertificates: false,
    userPool: 'manage',
  },
  // Offline activations (§10) are uploaded with an ops token, a partner key or a user's ID token.
  activation: {
    memorySize: 1769,
    timeout: Duration.seconds(29),
    table: 'activation',
    secrets: { opsToken: true, installationKey: true },
    signing: 'sign',
    notifications: false,
    identityCertificates: true,
    userPool: 'verify',
  },
  installation: {
    memorySize: 1024,
    timeout: Duration.seconds(29),
    table: 'installation',
    secrets: { opsToken: true, installationKey: true },
    signing: 'sign',
    notifications: true,
    identityCertificates: false,
    userPool: 'verify',
  },
};

export interface LicensingStackProps extends StackProps {
  settings: CellSettings;
}

/**
 * One regional cell of Cloud Licensing: the table, the signing key, the service secrets, the five
 * functions of the route table behind one HTTP API, and their alarms and dashboard.
 */
export class LicensingStack extends Stack {
  readonly table: LicensingTable;
  readonly signingKey: SigningKey;
  readonly secrets: ServiceSecrets;
  readonly functions: Record<FunctionName, LicensingFunction>;
  readonly api: LicensingApi;
  readonly monitoring: Monitoring;
  readonly userPool: DashboardUserPool;
  readonly dashboard: DashboardHosting;
  readonly events: EventDelivery;

  constructor(scope: Construct, id: string, props: LicensingStackProps) {
    super(scope, id, { description: `Cloud Licensing regional cell (${props.settings.region})`, ...props });
    const settings = props.settings;

    this.table = new LicensingTable(this, 'Table');
    this.signingKey = new SigningKey(this, 'SigningKey', { tableName: this.table.table.tableName });
    this.secrets = new ServiceSecrets(this, 'Secrets');
    this.userPool = new DashboardUserPool(this, 'Users');

    const platformApplications = {
      ios: this.platformApplicationArn(settings.snsPlatformApplications.ios),
      android: this.platformApplicationArn(settings.snsPlatformApplications.android),
    };
    const sesIdentityArn = this.formatArn({ service: 'ses', resource: 'identity', resourceName: settings.sesIdentity });

    const common: Record<string, string> = {
      TABLE_NAME: this.table.table.tableName,
      EULA_VERSION: settings.eulaVersion,
      SANCTIONED_COUNTRIES: settings.sanctionedCountries.join(','),
      AMI_INCLUDED_PRODUCT_CODES: settings.amiIncludedProductCodes.join(','),
    };

    const functions = {} as Record<FunctionName, LicensingFunction>;
    for (const name of functionNames) {
      const needs = FUNCTION_SETTINGS[name];
      const environment: Record<string, string> = { ...common, ...this.secrets.environmentFor(needs.secrets) };
      if (needs.signing !== 'none') environment[SIGNING_KEY_GENERATION_ENV] = String(settings.signingKeyGeneration);
      if (needs.signing === 'sign') environment[SIGNING_KMS_KEY_ENV] = this.signingKey.key.keyArn;
      if (needs.userPool !== 'none') Object.assign(environment, this.userPool.environment());
      if (needs.notifications) {
        Object.assign(environment, {
          NOTIFIER: 'aws',
          SES_FROM_ADDRESS: settings.sesFromAddress,
          SNS_PLATFORM_APPLICATIONS: this.toJsonString(platformApplications),
          ...(settings.sesConfigurationSet ? { SES_CONFIGURATION_SET: settings.sesConfigurationSet } : {}),
        });
      }

      const fn = new LicensingFunction(this, `${name[0]!.toUpperCase()}${name.slice(1)}`, {
        name,
        memorySize: needs.memorySize,
        timeout: needs.timeout,
        environment,
        logRetention: settings.logRetentionDays as RetentionDays,
        logLevel: settings.logLevel,
        bundledFile: needs.identityCertificates
          ? { name: IDENTITY_CERTS_FILE, sources: settings.identityCertificates, pathVariable: 'AWS_IDENTITY_CERTS_FILE' }
          : undefined,
      });
      this.table.grant(fn.role, needs.table);
      this.secrets.grantRead(fn.role, needs.secrets);
      if (needs.signing === 'sign') this.signingKey.grantSign(fn.role);
      if (needs.signing === 'publish') this.table.grantSigningKeysRead(fn.role);
      if (needs.userPool === 'manage') this.userPool.grantManageUsers(fn.role);
      if (needs.notifications) {
        fn.role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['sns:CreatePlatformEndpoint'], resources: Object.values(platformApplications) }),
        );
        const endpointArns = Object.values(platformApplications).map((arn) => `${arn.replace(':app/', ':endpoint/')}/*`);
        fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: endpointArns }));
        for (const application of Object.values(settings.snsPlatformApplications)) {
          Validations.of(fn.role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::${this.nagEndpointPattern(application)}]`,
            reason:
              'SNS creates a platform endpoint per registered mobile device at run time (CreatePlatformEndpoint), so Publish can only be scoped to the endpoints of the platform application, not to single endpoints.',
          });
        }
        fn.role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['ses:SendEmail'],
            resources: [
              sesIdentityArn,
              ...(settings.sesConfigurationSet
                ? [this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: settings.sesConfigurationSet })]
                : []),
            ],
          }),
        );
      }
      functions[name] = fn;
    }
    this.functions = functions;

    const handlers = Object.fromEntries(functionNames.map((name) => [name, functions[name].function])) as Record<
      FunctionName,
      LicensingFunction['function']
    >;
    this.api = new LicensingApi(this, 'Api', {
      functions: handlers,
      throttling: settings.throttling,
      logRetention: settings.logRetentionDays as RetentionDays,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      api: this.api.httpApi,
      functions: handlers,
      functionTimeouts: Object.fromEntries(functionNames.map((name) => [name, FUNCTION_SETTINGS[name].timeout])) as Record<FunctionName, Duration>,
      table: this.table.table,
      alarmEmail: settings.alarmEmail,
    });

    const sesConfigurationSetArn = settings.sesConfigurationSet
      ? this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: settings.sesConfigurationSet })
      : undefined;
    this.events = new EventDelivery(this, 'Events', {
      table: this.table,
      secrets: this.secrets,
      environment: common,
      ses: { identityArn: sesIdentityArn, fromAddress: settings.sesFromAddress, configurationSetArn: sesConfigurationSetArn, configurationSetName: settings.sesConfigurationSet },
      alarmTopic: this.monitoring.topic,
      logRetention: settings.logRetentionDays as RetentionDays,
      logLevel: settings.logLevel,
    });
    // POST /v1/jobs/care-plus-reminders runs the reminder job in the ops function: it sends the e-mails through SES too.
    Object.entries({ NOTIFIER: 'aws', SES_FROM_ADDRESS: settings.sesFromAddress, ...(settings.sesConfigurationSet ? { SES_CONFIGURATION_SET: settings.sesConfigurationSet } : {}) }).forEach(
      ([name, value]) => functions.ops.function.addEnvironment(name, value),
    );
    functions.ops.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ses:SendEmail'], resources: [sesIdentityArn, ...(sesConfigurationSetArn ? [sesConfigurationSetArn] : [])] }),
    );

    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName, description: 'The EventBridge bus of the cell audit events' });

    this.dashboard = new DashboardHosting(this, 'Dashboard', { api: this.api.httpApi, userPoolClientId: this.userPool.client.userPoolClientId });

    new CfnOutput(this, 'DashboardUrl', { value: this.dashboard.url, description: 'The Customer Dashboard; /v1/* on the same origin is the API' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPool.userPoolId });
    new CfnOutput(this, 'ApiUrl', { value: this.api.httpApi.apiEndpoint, description: 'Base URL of the API (routes start with /v1)' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'SigningKeyArn', { value: this.signingKey.key.keyArn, description: 'The KMS key under which the license-signing keys are kept' });
    new CfnOutput(this, 'OpsTokenSecretArn', { value: this.secrets.opsTokenSha256.secretArn, description: 'Put the SHA-256 of the ops token here' });
  }

  /** `APNS/name` or `GCM/name` from context becomes this account's and region's ARN; full ARNs pass through. */
  private platformApplicationArn(value: string): string {
    return value.startsWith('arn:') ? value : this.formatArn({ service: 'sns', resource: 'app', resourceName: value });
  }

  /** The endpoint ARN pattern of a platform application as cdk-nag prints it in an IAM5 finding. */
  private nagEndpointPattern(application: string): string {
    // The partition is literal when the region is known and the feature flags resolve it (cdk.json).
    const partition = Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition;
    const arn = application.startsWith('arn:') ? application : `arn:${partition}:sns:${this.region}:<AWS::AccountId>:app/${application}`;
    return `${arn.replace(':app/', ':endpoint/')}/*`;
  }
}
