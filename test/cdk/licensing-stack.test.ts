import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, stackIdFor } from '../../cdk/app';
import { CONTEXT_KEY, PROJECT_ROOT, parseDeploymentSettings, readCdkJsonContext } from '../../cdk/config';
import { ACCESS_LOG_FIELDS } from '../../cdk/constructs/licensing-api';
import { TABLE_ACCESS } from '../../cdk/constructs/licensing-table';
import { FUNCTION_SETTINGS, IDENTITY_CERTS_FILE, type LicensingStack } from '../../cdk/stacks/licensing-stack';
import { functionNames, routeKey, routes, type FunctionName } from '../../shared/http/routes';
import { tableDefinition } from '../../shared/store/table-definition';
import { SIGNING_KEY_PURPOSE } from '../../shared/adapters/envelope-signer';
import { BARE_DYNAMODB, bundleReport } from '../../scripts/bundle-report';
import { buildTestApp, type BuiltApp } from './support';

const context = readCdkJsonContext()[CONTEXT_KEY] as { regions: Record<string, any>; throttling: { rateLimit: number; burstLimit: number } };
const REGIONS = Object.keys(context.regions);
const [REGION] = REGIONS as [string];

let built: BuiltApp;
let assembly: CloudAssembly;
const stacks: Record<string, LicensingStack> = {};
const templates: Record<string, Template> = {};

beforeAll(() => {
  built = buildTestApp();
  // The synth runs the registered validation plugins: it throws when cdk-nag finds anything.
  assembly = built.app.synth();
  for (const region of REGIONS) {
    stacks[region] = built.app.node.findChild(stackIdFor(region)) as LicensingStack;
    templates[region] = Template.fromStack(stacks[region]);
  }
}, 300_000);

afterAll(() => built?.cleanup());

/** Logical id of each function group's Lambda function in a stack. */
function functionLogicalIds(stack: LicensingStack): Record<FunctionName, string> {
  return Object.fromEntries(
    functionNames.map((name) => [name, stack.getLogicalId(stack.functions[name].function.node.defaultChild as never)]),
  ) as Record<FunctionName, string>;
}

function roleStatements(template: Template, stack: LicensingStack, name: FunctionName): any[] {
  const roleId = stack.getLogicalId(stack.functions[name].role.node.defaultChild as never);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy: any) =>
    policy.Properties.Roles.some((role: any) => role.Ref === roleId),
  );
  return policies.flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
}

const actionsOf = (statement: any): string[] => [statement.Action].flat();
const resourcesOf = (statement: any): any[] => [statement.Resource].flat();

function assetDirectory(template: Template, logicalId: string): string {
  const fn = template.findResources('AWS::Lambda::Function')[logicalId] as any;
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  return join(assembly.directory, `asset.${hash}`);
}

describe('the regional licensing stack', () => {
  it('has one stack per region in cdk.json, each in its own region', () => {
    expect(REGIONS.length).toBeGreaterThanOrEqual(2);
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual(REGIONS.map(stackIdFor).sort());
    for (const region of REGIONS) expect(assembly.getStackByName(stackIdFor(region)).environment.region).toBe(region);
  });

  it('runs every function on nodejs24.x, arm64, with tracing, JSON logs to its own log group, and stated memory and timeout', () => {
    const template = templates[REGION]!;
    const ids = functionLogicalIds(stacks[REGION]!);
    // The service's functions (the route groups, and the publisher, webhook and reminder workers); the only other one is the provider CDK defines for the dashboard's BucketDeployment.
    const all = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    expect(all.filter((fn) => fn.Properties.Runtime === 'nodejs24.x')).toHaveLength(functionNames.length + 3);
    expect(all.filter((fn) => fn.Properties.Runtime !== 'nodejs24.x').map((fn) => fn.Properties.Handler)).toEqual(['index.handler']);
    expect(Runtime.NODEJS_24_X.name).toBe('nodejs24.x');
    for (const name of functionNames) {
      const fn = template.findResources('AWS::Lambda::Function')[ids[name]] as any;
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        MemorySize: FUNCTION_SETTINGS[name].memorySize,
        Timeout: FUNCTION_SETTINGS[name].timeout.toSeconds(),
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: stacks[REGION]!.getLogicalId(stacks[REGION]!.functions[name].logGroup.node.defaultChild as never) } },
      });
      expect(fn.Properties.Timeout).toBeLessThanOrEqual(29);
      expect(fn.Properties.Environment.Variables).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'cloud-licensing',
        POWERTOOLS_METRICS_NAMESPACE: 'CloudLicensing',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        TABLE_NAME: { Ref: stacks[REGION]!.getLogicalId(stacks[REGION]!.table.table.node.defaultChild as never) },
        EULA_VERSION: '20250212',
        SANCTIONED_COUNTRIES: context.regions[REGION].sanctionedCountries.join(','),
      });
    }
    const allLogGroups = Object.entries(template.findResources('AWS::Logs::LogGroup')) as Array<[string, any]>;
    // CDK's BucketDeployment provider gets a CDK-managed log group (@aws-cdk/aws-lambda:useCdkManagedLogGroup), with CDK's retention.
    const logGroups = allLogGroups.filter(([id]) => !id.startsWith('CustomCDKBucketDeployment')).map(([, group]) => group);
    expect(allLogGroups.length - logGroups.length).toBe(1);
    // one per function (the workers too) and the API's access log
    expect(logGroups.length).toBe(functionNames.length + 3 + 1);
    for (const group of logGroups) expect(group.Properties.RetentionInDays).toBe(90);
  });

  it('bundles each function as minified ESM with a createRequire banner and a source map, and the bundles load', () => {
    const template = templates[REGION]!;
    const ids = functionLogicalIds(stacks[REGION]!);
    for (const name of functionNames) {
      const dir = assetDirectory(template, ids[name]);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);")).toBe(true);
      expect(code.split('\n').length).toBeLessThan(200);
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      const loaded = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)}); process.stdout.write(typeof m.handler);`],
        { encoding: 'utf8', env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } },
      );
      expect(loaded.stderr, name).toBe('');
      expect(loaded.stdout, name).toBe('function');
    }
  });

  it('is what the bundle report measures: the report bundles each function byte for byte as the stack does', async () => {
    const keepIn = join(built.outdir, 'bundle-report');
    const figures = await bundleReport({ runs: 1, keepIn });
    expect(figures.map((entry) => entry.name)).toEqual([BARE_DYNAMODB, ...functionNames]);
    const ids = functionLogicalIds(stacks[REGION]!);
    for (const name of functionNames) {
      const deployed = readFileSync(join(assetDirectory(templates[REGION]!, ids[name]), 'index.mjs'));
      const reported = readFileSync(join(keepIn, name, 'index.mjs'));
      expect(reported.equals(deployed), name).toBe(true);
      expect(figures.find((entry) => entry.name === name)!.bytes).toBe(deployed.length);
    }
    for (const entry of figures) {
      expect(entry.loadMs).toBeGreaterThan(0);
      // The packages account for the bundle (the rest is esbuild's own glue and the banner).
      const counted = entry.packages.reduce((sum, item) => sum + item.bytes, 0);
      expect(counted).toBeLessThanOrEqual(entry.bytes);
      expect(counted).toBeGreaterThan(entry.bytes * 0.95);
    }
    // zod/mini with the English locale only: the classic API takes about 90 KiB, `import { z } from 'zod'` about 445 KiB.
    const zod = figures.find((entry) => entry.name === 'activation')!.packages.find((item) => item.name === 'zod')!;
    expect(zod.bytes).toBeLessThan(45 * 1024);
    expect(figures.find((entry) => entry.name === BARE_DYNAMODB)!.packages.map((item) => item.name)).not.toContain('zod');
  }, 180_000);

  it('serves the contract from the bundled public function (GET /v1/keys, GET /v1/health)', () => {
    const dir = assetDirectory(templates[REGION]!, functionLogicalIds(stacks[REGION]!).public);
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
      const event = (routeKey, path) => ({ version: '2.0', routeKey, rawPath: path, rawQueryString: '', headers: {},
        requestContext: { http: { method: 'GET', path, sourceIp: '127.0.0.1' }, requestId: 'r', routeKey } });
      const context = { functionName: 'public', awsRequestId: 'r', getRemainingTimeInMillis: () => 10000 };
      const keys = await handler(event('GET /v1/keys', '/v1/keys'), context);
      const health = await handler(event('GET /v1/health', '/v1/health'), context);
      const unknown = await handler(event('$default', '/v1/nothing'), context);
      process.stdout.write(JSON.stringify({ keys, health, unknown }));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, SIGNING_KEY_FILE: join(built.outdir, 'signing-key.pem'), POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    expect(result.stderr).toBe('');
    const { keys, health, unknown } = JSON.parse(result.stdout);
    expect(keys.statusCode).toBe(200);
    expect(JSON.parse(keys.body).keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('route_not_found');
  });

  it('answers validation errors in English from the bundled activation function (zod/mini with the English locale only)', () => {
    const dir = assetDirectory(templates[REGION]!, functionLogicalIds(stacks[REGION]!).activation);
    const body = { slc: 5, eulaVersion: 'x'.repeat(201), managementServer: { id: 'not-a-uuid', hostname: 'vms' }, devices: [{ kind: 'dog' }], colour: 'red' };
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
      const event = { version: '2.0', routeKey: 'POST /v1/activations', rawPath: '/v1/activations', rawQueryString: '',
        headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(JSON.stringify(body))}, isBase64Encoded: false,
        requestContext: { http: { method: 'POST', path: '/v1/activations', sourceIp: '127.0.0.1' }, requestId: 'r', routeKey: 'POST /v1/activations' } };
      const response = await handler(event, { functionName: 'activation', awsRequestId: 'r', getRemainingTimeInMillis: () => 10000 });
      process.stdout.write(JSON.stringify(response));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, AWS_REGION: REGION, TABLE_NAME: 'unused', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    expect(result.stderr).toBe('');
    const response = JSON.parse(result.stdout);
    expect(response.statusCode).toBe(400);
    const details = JSON.parse(response.body).error.details as Array<{ path: string; message: string }>;
    expect(details).toEqual(
      expect.arrayContaining([
        { path: 'slc', message: 'Invalid input: expected string, received number' },
        { path: 'eulaVersion', message: 'Too big: expected string to have <=200 characters' },
        { path: 'managementServer.id', message: 'Invalid UUID' },
        { path: 'devices.0.kind', message: 'Invalid option: expected one of "camera"|"encoder"|"multi-sensor"|"io"|"other"' },
        { path: 'colour', message: 'unknown field' },
      ]),
    );
    // No locale besides English is bundled.
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).not.toContain('Eingabe');
  });

  it('builds the table from the shared definition: on-demand, PITR, deletion protection, encryption, TTL, GSIs', () => {
    const template = templates[REGION]!;
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as any[];
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      Replicas: [{ Region: REGION, DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
    });
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      tableDefinition.globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
  });

  it('grants least privilege: no wildcard actions, table actions listed one by one, "*" resources only for X-Ray', () => {
    for (const region of REGIONS) {
      const template = templates[region]!;
      const tableId = stacks[region]!.getLogicalId(stacks[region]!.table.table.node.defaultChild as never);
      for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as any[]) {
        // The dashboard's BucketDeployment provider (CDK's) may invalidate CloudFront, which IAM scopes only to "*".
        const deploymentProvider = policy.Properties.Roles.some((role: any) => String(role.Ref).startsWith('CustomCDKBucketDeployment'));
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          if (deploymentProvider) {
            if (resourcesOf(statement).includes('*')) expect(actionsOf(statement).every((action) => action.startsWith('cloudfront:'))).toBe(true);
            continue;
          }
          for (const action of actionsOf(statement)) {
            expect(action).not.toBe('*');
            expect(action).not.toMatch(/:\*$/);
            expect(action).not.toBe('dynamodb:Scan');
          }
          if (resourcesOf(statement).includes('*')) {
            expect(actionsOf(statement).every((action) => action.startsWith('xray:'))).toBe(true);
          }
          if (actionsOf(statement).some((action) => action.startsWith('dynamodb:'))) {
            const text = JSON.stringify(resourcesOf(statement));
            expect(text).toContain(tableId);
            expect(text).not.toContain('*');
          }
        }
      }
    }
    const stack = stacks[REGION]!;
    const template = templates[REGION]!;
    const dynamoActions = (name: FunctionName) =>
      [...new Set(roleStatements(template, stack, name).flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:')))].sort();
    expect(dynamoActions('public')).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    for (const name of ['ops', 'partner', 'activation', 'installation'] as const) {
      expect(dynamoActions(name)).toEqual([...new Set([...TABLE_ACCESS[name].table, 'dynamodb:Query'])].sort());
    }
  });

  it('keeps the signing keys under a rotated symmetric KMS key that only the signing functions may use, with their encryption context', () => {
    const stack = stacks[REGION]!;
    const template = templates[REGION]!;
    const keyId = stack.getLogicalId(stack.signingKey.key.node.defaultChild as never);
    const tableId = stack.getLogicalId(stack.table.table.node.defaultChild as never);
    const keys = template.findResources('AWS::KMS::Key') as Record<string, any>;
    expect(keys[keyId]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    // Only symmetric keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT; the other one encrypts the alarm topic): no asymmetric
    // signing key, no KMS Sign anywhere.
    for (const key of Object.values(keys)) {
      expect(key.Properties.KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
      expect(key.Properties.KeyUsage ?? 'ENCRYPT_DECRYPT').toBe('ENCRYPT_DECRYPT');
    }
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"kms:Sign"|kms:GetPublicKey/);

    const kmsStatements = (name: FunctionName) =>
      roleStatements(template, stack, name).filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')));
    const context = { 'kms:EncryptionContext:purpose': SIGNING_KEY_PURPOSE, 'kms:EncryptionContext:table': { Ref: tableId } };
    for (const name of functionNames) {
      const statements = kmsStatements(name);
      if (FUNCTION_SETTINGS[name].signing !== 'sign') {
        expect(statements, name).toEqual([]);
        continue;
      }
      expect(statements.flatMap(actionsOf).sort(), name).toEqual(['kms:Decrypt', 'kms:GenerateDataKeyPairWithoutPlaintext']);
      expect(statements.find((statement) => actionsOf(statement).includes('kms:GenerateDataKeyPairWithoutPlaintext'))).toEqual({
        Effect: 'Allow',
        Action: 'kms:GenerateDataKeyPairWithoutPlaintext',
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Condition: { StringEquals: { ...context, 'kms:DataKeyPairSpec': 'ECC_NIST_EDWARDS25519' } },
      });
      expect(statements.find((statement) => actionsOf(statement).includes('kms:Decrypt'))).toEqual({
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Condition: { StringEquals: context },
      });
    }
    expect(functionNames.filter((name) => FUNCTION_SETTINGS[name].signing === 'sign').sort()).toEqual(['activation', 'installation']);
    expect(FUNCTION_SETTINGS.public.signing).toBe('publish');

    const ids = functionLogicalIds(stack);
    const functionsResources = template.findResources('AWS::Lambda::Function') as Record<string, any>;
    for (const name of functionNames) {
      const variables = functionsResources[ids[name]].Properties.Environment.Variables;
      expect(variables.SIGNING_KEY_GENERATION, name).toBe(FUNCTION_SETTINGS[name].signing === 'none' ? undefined : '1');
      expect(variables.SIGNING_KMS_KEY_ID, name).toEqual(FUNCTION_SETTINGS[name].signing === 'sign' ? { 'Fn::GetAtt': [keyId, 'Arn'] } : undefined);
      expect(variables.KMS_SIGNING_KEY_ID).toBeUndefined();
    }
  });

  it('lets the public function read only the signing keys partition besides the health check', () => {
    const stack = stacks[REGION]!;
    const template = templates[REGION]!;
    const tableId = stack.getLogicalId(stack.table.table.node.defaultChild as never);
    const statements = roleStatements(template, stack, 'public').filter((statement) => actionsOf(statement).some((a) => a.startsWith('dynamodb:')));
    expect(statements).toEqual(
      expect.arrayContaining([
        { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } },
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['SIGNING_KEYS'] } },
        },
      ]),
    );
    expect(statements).toHaveLength(2);
  });

  it('signs with the generation from cdk.json, per region', () => {
    const built2 = buildTestApp((changed) => {
      changed[CONTEXT_KEY].regions[REGION].signingKeyGeneration = 3;
      // Settings only: no stack needs its functions bundled for this.
      changed['aws:cdk:bundling-stacks'] = [];
    });
    try {
      const stack = built2.app.node.findChild(stackIdFor(REGION)) as LicensingStack;
      const template = Template.fromStack(stack);
      const variables = (template.findResources('AWS::Lambda::Function')[functionLogicalIds(stack).activation] as any).Properties.Environment.Variables;
      expect(variables.SIGNING_KEY_GENERATION).toBe('3');
      const other = REGIONS.find((region) => region !== REGION)!;
      const otherStack = built2.app.node.findChild(stackIdFor(other)) as LicensingStack;
      const otherVariables = (Template.fromStack(otherStack).findResources('AWS::Lambda::Function')[functionLogicalIds(otherStack).activation] as any)
        .Properties.Environment.Variables;
      expect(otherVariables.SIGNING_KEY_GENERATION).toBe('1');
    } finally {
      built2.cleanup();
    }
  }, 300_000);

  it('keeps the ops token hash and the installation key in Secrets Manager, readable only by the functions that need them', () => {
    const stack = stacks[REGION]!;
    const template = templates[REGION]!;
    const secrets = template.findResources('AWS::SecretsManager::Secret') as Record<string, any>;
    expect(Object.keys(secrets)).toHaveLength(2);
    for (const secret of Object.values(secrets)) {
      expect(secret.DeletionPolicy).toBe('Retain');
      expect(secret.Properties.GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
    }
    const opsId = stack.getLogicalId(stack.secrets.opsTokenSha256.node.defaultChild as never);
    const keyId = stack.getLogicalId(stack.secrets.installationKey.node.defaultChild as never);
    const ids = functionLogicalIds(stack);
    for (const name of functionNames) {
      const variables = (template.findResources('AWS::Lambda::Function')[ids[name]] as any).Properties.Environment.Variables;
      const reads = roleStatements(template, stack, name)
        .filter((statement) => actionsOf(statement).includes('secretsmanager:GetSecretValue'))
        .flatMap(resourcesOf)
        .map((resource) => resource.Ref);
      expect(variables.OPS_TOKEN_SHA256_SECRET_ID ? opsId : undefined).toBe(FUNCTION_SETTINGS[name].secrets.opsToken ? opsId : undefined);
      expect(variables.INSTALLATION_KEY_SECRET_ID ? keyId : undefined).toBe(FUNCTION_SETTINGS[name].secrets.installationKey ? keyId : undefined);
      expect(reads.sort()).toEqual(
        [FUNCTION_SETTINGS[name].secrets.opsToken ? opsId : '', FUNCTION_SETTINGS[name].secrets.installationKey ? keyId : ''].filter(Boolean).sort(),
      );
      expect(variables.OPS_TOKEN).toBeUndefined();
      expect(variables.INSTALLATION_KEY).toBeUndefined();
    }
  });

  it('lets only the installation function push, and it and the ops function (the reminder job route) e-mail, on the configured platform applications and SES identity', () => {
    const stack = stacks[REGION]!;
    const template = templates[REGION]!;
    for (const name of functionNames) {
      const actions = roleStatements(template, stack, name).flatMap(actionsOf);
      const messaging = actions.filter((action) => action.startsWith('sns:') || action.startsWith('ses:')).sort();
      expect(messaging, name).toEqual(
        name === 'installation'
          ? ['ses:SendEmail', 'sns:CreatePlatformEndpoint', 'sns:Publish']
          : name === 'ops'
            ? ['ses:SendEmail']
            : [],
      );
    }
    const statements = roleStatements(template, stack, 'installation');
    const text = (action: string) => JSON.stringify(statements.filter((statement) => actionsOf(statement).includes(action)).flatMap(resourcesOf));
    expect(text('sns:CreatePlatformEndpoint')).toContain(`:sns:${REGION}:`);
    expect(text('sns:CreatePlatformEndpoint')).toContain(':app/APNS/cloud-licensing-ios');
    expect(text('sns:CreatePlatformEndpoint')).toContain(':app/GCM/cloud-licensing-android');
    expect(text('sns:Publish')).toContain(':endpoint/APNS/cloud-licensing-ios/*');
    expect(text('ses:SendEmail')).toContain(`:identity/${context.regions[REGION].sesIdentity}`);

    const variables = (template.findResources('AWS::Lambda::Function')[functionLogicalIds(stack).installation] as any).Properties.Environment
      .Variables;
    expect(variables).toMatchObject({ NOTIFIER: 'aws', SES_FROM_ADDRESS: context.regions[REGION].sesFromAddress });
    const platformApplications = JSON.stringify(stack.resolve(variables.SNS_PLATFORM_APPLICATIONS));
    expect(platformApplications).toContain('ios');
    expect(platformApplications).toContain('app/APNS/cloud-licensing-ios');
  });

  it('has exactly the routes of the shared route table, each on its function group, and $default on the public function', () => {
    for (const region of REGIONS) {
      const template = templates[region]!;
      const ids = functionLogicalIds(stacks[region]!);
      const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Record<string, any>;
      expect(Object.keys(integrations)).toHaveLength(functionNames.length);
      const functionOfIntegration = Object.fromEntries(
        Object.entries(integrations).map(([id, integration]) => {
          expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
          const target = integration.Properties.IntegrationUri['Fn::GetAtt'][0];
          return [id, functionNames.find((name) => ids[name] === target)];
        }),
      );
      const deployed = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route: any) => {
        const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref;
        expect(route.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
        return `${route.Properties.RouteKey} -> ${functionOfIntegration[integrationId]}`;
      });
      const expected = [...routes.map((route) => `${routeKey(route)} -> ${route.fn}`), '$default -> public'];
      expect(deployed.sort()).toEqual(expected.sort());
    }
  });

  it('throttles the $default stage and writes JSON access logs without paths, headers or bodies', () => {
    const template = templates[REGION]!;
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as any[];
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: context.throttling.rateLimit, ThrottlingBurstLimit: context.throttling.burstLimit },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [stacks[REGION]!.getLogicalId(stacks[REGION]!.api.accessLogs.node.defaultChild as never), 'Arn'] } },
    });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/\$context\.path|header|body|querystring/i);
  });

  it('alarms on 5xx rate, p99 latency, Lambda errors, duration and throttles and DynamoDB errors, to an encrypted topic, with a dashboard', () => {
    const template = templates[REGION]!;
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    const serialized = alarms.map((alarm) => JSON.stringify(alarm.Properties));
    expect(serialized.filter((alarm) => alarm.includes('"MetricName":"5xx"') && alarm.includes('100 * errors / requests'))).toHaveLength(1);
    expect(serialized.filter((alarm) => alarm.includes('"MetricName":"Latency"') && alarm.includes('"Stat":"p99"'))).toHaveLength(1);
    expect(serialized.filter((alarm) => alarm.includes('"MetricName":"Throttles"') && alarm.includes('"Namespace":"AWS/Lambda"'))).toHaveLength(
      functionNames.length,
    );
    // Per function: invocation errors, and p99 duration above 80 % of the function's timeout.
    const ids = functionLogicalIds(stacks[REGION]!);
    for (const name of functionNames) {
      const own = alarms.filter((alarm) => JSON.stringify(alarm.Properties.Dimensions ?? []).includes(ids[name]));
      expect(own.find((alarm) => alarm.Properties.MetricName === 'Errors'), name).toMatchObject({ Properties: { Namespace: 'AWS/Lambda', Threshold: 0 } });
      expect(own.find((alarm) => alarm.Properties.MetricName === 'Duration'), name).toMatchObject({
        Properties: { ExtendedStatistic: 'p99', Threshold: FUNCTION_SETTINGS[name].timeout.toMilliseconds() * 0.8 },
      });
    }
    expect(serialized.filter((alarm) => alarm.includes('"MetricName":"SystemErrors"'))).toHaveLength(1);
    expect(serialized.filter((alarm) => alarm.includes('"MetricName":"ThrottledRequests"'))).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: context.regions[REGION].alarmEmail });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('bundles each region its own AWS identity certificates next to the activation handler', () => {
    for (const region of REGIONS) {
      const stack = stacks[region]!;
      const template = templates[region]!;
      const ids = functionLogicalIds(stack);
      const sources: string[] = context.regions[region].identityCertificates;
      const activation = (template.findResources('AWS::Lambda::Function')[ids.activation] as any).Properties.Environment.Variables;
      const bundled = join(assetDirectory(template, ids.activation), IDENTITY_CERTS_FILE);
      expect(activation.AWS_IDENTITY_CERTS_FILE).toBe(`/var/task/${IDENTITY_CERTS_FILE}`);
      expect(readFileSync(bundled, 'utf8')).toBe(sources.map((source) => readFileSync(join(PROJECT_ROOT, source), 'utf8')).join(''));
      expect(readFileSync(bundled, 'utf8')).not.toContain(readFileSync(join(PROJECT_ROOT, 'certs/development-identity.pem'), 'utf8'));
      for (const name of functionNames.filter((fn) => fn !== 'activation')) {
        const variables = (template.findResources('AWS::Lambda::Function')[ids[name]] as any).Properties.Environment.Variables;
        expect(variables.AWS_IDENTITY_CERTS_FILE).toBeUndefined();
      }
    }
  });

  it('gives each region its own settings from cdk.json', () => {
    for (const region of REGIONS) {
      const template = templates[region]!;
      const variables = (template.findResources('AWS::Lambda::Function')[functionLogicalIds(stacks[region]!).installation] as any).Properties
        .Environment.Variables;
      expect(variables.SANCTIONED_COUNTRIES).toBe(context.regions[region].sanctionedCountries.join(','));
      expect(variables.AMI_INCLUDED_PRODUCT_CODES).toBe(context.regions[region].amiIncludedProductCodes.join(','));
      expect(JSON.stringify(template.toJSON())).toContain(`:sns:${region}:`);
    }
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in any region (AwsSolutions and Serverless packs, errors and warnings)', () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      const report = pack.validateScope(built.app);
      expect(
        report.violations.map((violation) => `${violation.ruleName} ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`),
      ).toEqual([]);
    }
  });

  it('acknowledges every finding with a specific reason', () => {
    const acknowledgements: Array<{ path: string; id: string; reason: string }> = [];
    for (const construct of built.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acknowledgements.push({ path: construct.node.path, id, reason });
      }
    }
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      // CDK's own acknowledgement of a cfn-lint warning on the CloudFront log bucket's policy.
      if (acknowledgement.id.startsWith('CloudFormation-Validate::')) continue;
      expect(acknowledgement.reason.length, `${acknowledgement.path} ${acknowledgement.id}`).toBeGreaterThan(60);
      // A whole pack or rule family is never waved through.
      expect(acknowledgement.id).toMatch(/(AwsSolutions|Serverless)-[A-Za-z]+\d*(\[.+\])?$/);
    }
  });

  it('fails the synth when a resource breaks a rule (the packs run on every synth)', () => {
    const app = new App({ outdir: join(built.outdir, 'negative') });
    const stack = new Stack(app, 'Negative', { env: { region: REGION } });
    new Topic(stack, 'PlainTopic');
    new LambdaFunction(stack, 'PlainFunction', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({});') });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    const rules = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) => pack.validateScope(app).violations.map((v) => v.ruleName));
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SNS3', 'Serverless-LambdaTracing', 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]']));
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3[\s\S]*Serverless-LambdaTracing/);
  });
});

describe('context', () => {
  it('refuses an invalid cdk.json context with the path of each problem', () => {
    const settings = structuredClone(context) as any;
    settings.regions[REGION].sanctionedCountries = ['cuba'];
    settings.regions[REGION].alarmEmail = 'not-an-address';
    expect(() => parseDeploymentSettings(settings)).toThrow(
      new RegExp(`${CONTEXT_KEY}\\.regions\\.${REGION}\\.sanctionedCountries\\.0[\\s\\S]*${CONTEXT_KEY}\\.regions\\.${REGION}\\.alarmEmail`),
    );
    expect(parseDeploymentSettings(context).regions[REGION]!.signingKeyGeneration).toBe(1);
    for (const signingKeyGeneration of [0, 1.5, 10_000, '2']) {
      const wrong = structuredClone(context) as any;
      wrong.regions[REGION].signingKeyGeneration = signingKeyGeneration;
      expect(() => parseDeploymentSettings(wrong)).toThrow(new RegExp(`${CONTEXT_KEY}\\.regions\\.${REGION}\\.signingKeyGeneration`));
    }
  });

  it('refuses to build a cell whose identity certificates are missing (it would trust the development certificate)', () => {
    expect(() =>
      buildApp(new App({ context: { [CONTEXT_KEY]: { ...context, regions: { [REGION]: { ...context.regions[REGION], identityCertificates: ['certs/aws-identity/nowhere-1.pem'] } } } } })),
    ).toThrow(/identity certificates that do not exist:\s+\S+: certs\/aws-identity\/nowhere-1\.pem/);
  });

  it('publishes the table stream to the cell bus and delivers webhooks from a queue, with least privilege and alarms', () => {
    const stack = stacks[REGION]!;
    const template = templates[REGION]!;
    const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
    const statementsOf = (role: { node: { defaultChild?: unknown } }) => {
      const roleId = idOf(role);
      return Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy: any) => policy.Properties.Roles.some((entry: any) => entry.Ref === roleId))
        .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
    };
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    template.resourceCountIs('AWS::Events::EventBus', 1);

    // the publisher: only inserted event items, in order, partial batch failures, bisection, a dead-letter queue
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: idOf(stack.events.publisher.function) },
      StartingPosition: 'TRIM_HORIZON',
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['event'] } } } }) }] },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [idOf(stack.events.publisherDeadLetters), 'Arn'] } } },
    });
    const publisherActions = statementsOf(stack.events.publisher.role).flatMap(actionsOf);
    expect(publisherActions).toContain('events:PutEvents');
    // the stream only: no read or write of the table's items
    expect(publisherActions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']);
    expect(publisherActions.some((action) => action.startsWith('ses:') || action.startsWith('sns:') || action.startsWith('secretsmanager:'))).toBe(false);
    // it sends to its dead-letter queue (the batch positions Lambda gives up on) and to no other queue
    const sends = statementsOf(stack.events.publisher.role).filter((statement: any) => actionsOf(statement).some((action) => action.startsWith('sqs:')));
    expect(sends.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [idOf(stack.events.publisherDeadLetters), 'Arn'] }]);

    // the webhook worker: fed by the queue, sends retries to it, reads the installation key to open secrets, no SNS/SES
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: idOf(stack.events.webhooks.function) }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 10 } });
    const webhookActions = statementsOf(stack.events.webhooks.role).flatMap(actionsOf);
    expect(webhookActions).toEqual(expect.arrayContaining(['sqs:SendMessage', 'dynamodb:PutItem', 'secretsmanager:GetSecretValue']));
    expect(webhookActions.some((action) => action.startsWith('ses:') || action.startsWith('sns:') || action.startsWith('events:') || action.startsWith('kms:Sign'))).toBe(false);
    const webhookVariables = (template.findResources('AWS::Lambda::Function')[idOf(stack.events.webhooks.function)] as any).Properties.Environment.Variables;
    expect(webhookVariables).toMatchObject({ WEBHOOK_URL_POLICY: 'public' });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['cloud-licensing'] } });

    // the reminder job: daily, e-mails through SES, nothing else
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 6 * * ? *)', Target: { Arn: { 'Fn::GetAtt': [idOf(stack.events.reminders.function), 'Arn'] } } });
    const reminderActions = statementsOf(stack.events.reminders.role).flatMap(actionsOf);
    expect(reminderActions).toContain('ses:SendEmail');
    expect(reminderActions.some((action) => action.startsWith('sns:') || action.startsWith('sqs:') || action.startsWith('secretsmanager:'))).toBe(false);

    // alarms on both dead-letter queues and on failed deliveries, to the alarm topic
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    const described = (text: string) => alarms.filter((alarm) => String(alarm.Properties.AlarmDescription).includes(text));
    expect(described('publisher dead-letter queue')).toHaveLength(1);
    expect(described('webhook dead-letter queue')).toHaveLength(1);
    expect(described('webhook delivery failed')[0].Properties).toMatchObject({ MetricName: 'WebhookDeliveriesFailed', Namespace: 'CloudLicensing', Threshold: 0 });
  });
});

describe('the Customer Dashboard and its user pool', () => {
  it('has a user pool of invited users only (no sign-up, e-mail sign-in, strong passwords) and a public client with USER_PASSWORD_AUTH', () => {
    const template = templates[REGION]!;
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true, InviteMessageTemplate: Match.objectLike({ EmailMessage: Match.stringLikeRegexp('\\{####\\}') }) },
      UsernameAttributes: ['email'],
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true }) },
      DeletionProtection: 'ACTIVE',
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH']),
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
      IdTokenValidity: 60,
    });
  });

  it('tells every function with bearer-token routes the pool, and lets only ops and partner manage its users', () => {
    const stack = stacks[REGION]!;
    const template = templates[REGION]!;
    const ids = functionLogicalIds(stack);
    const poolRef = { Ref: stack.getLogicalId(stack.userPool.userPool.node.defaultChild as never) };
    for (const name of functionNames) {
      const variables = (template.findResources('AWS::Lambda::Function')[ids[name]] as any).Properties.Environment.Variables;
      if (FUNCTION_SETTINGS[name].userPool === 'none') expect(variables.USER_POOL_ID).toBeUndefined();
      else expect(variables).toMatchObject({ USER_POOL_ID: poolRef, USER_POOL_CLIENT_ID: expect.anything() });
      const cognitoActions = roleStatements(template, stack, name).filter((statement) => actionsOf(statement).some((action) => action.startsWith('cognito-idp:')));
      if (FUNCTION_SETTINGS[name].userPool === 'manage') {
        expect(cognitoActions.flatMap(actionsOf).sort()).toEqual(['cognito-idp:AdminCreateUser', 'cognito-idp:AdminDeleteUser']);
        expect(cognitoActions.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [poolRef.Ref, 'Arn'] }]);
      } else {
        expect(cognitoActions, name).toEqual([]);
      }
    }
    expect(['ops', 'partner'].every((name) => FUNCTION_SETTINGS[name as FunctionName].userPool === 'manage')).toBe(true);
  });

  it('serves the assets from a private bucket through origin access control and /v1/* from the HTTP API on the same distribution', () => {
    const stack = stacks[REGION]!;
    const template = templates[REGION]!;
    const bucketId = stack.getLogicalId(stack.dashboard.bucket.node.defaultChild as never);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: Match.anyValue(),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'assets/' }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
    });
    // Only CloudFront, for this distribution, may read the objects.
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p: any) => p.Properties.Bucket.Ref === bucketId) as any;
    const reads = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow');
    expect(reads).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    const distribution = (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as any).Properties.DistributionConfig;
    expect(distribution.DefaultRootObject).toBe('index.html');
    expect(distribution.Origins).toHaveLength(2);
    const s3Origin = distribution.Origins.find((o: any) => o.S3OriginConfig);
    const apiOrigin = distribution.Origins.find((o: any) => o.CustomOriginConfig);
    expect(s3Origin.OriginAccessControlId).toBeDefined();
    expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(stack.getLogicalId(stack.api.httpApi.node.defaultChild as never));
    expect(distribution.DefaultCacheBehavior).toMatchObject({ TargetOriginId: s3Origin.Id, ViewerProtocolPolicy: 'redirect-to-https' });
    expect(distribution.CacheBehaviors).toEqual([
      expect.objectContaining({
        PathPattern: '/v1/*',
        TargetOriginId: apiOrigin.Id,
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // CachingDisabled
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader: the bearer token reaches the API
      }),
    ]);
    expect(distribution.Logging).toMatchObject({ Prefix: 'cloudfront/' });
  });

  it('adds a content security policy that allows the page to talk to its origin and the regional user pool only', () => {
    const template = templates[REGION]!;
    const policy = (Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0] as any).Properties.ResponseHeadersPolicyConfig;
    expect(policy.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy).toContain(`connect-src 'self' https://cognito-idp.${REGION}.amazonaws.com/`);
    expect(policy.SecurityHeadersConfig.FrameOptions.FrameOption).toBe('DENY');
  });

  it('deploys the built dashboard and a config.json naming the app client, and outputs the dashboard URL', () => {
    const stack = stacks[REGION]!;
    const template = templates[REGION]!;
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0] as any;
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    expect(deployment.Properties.Prune).toBe(true);
    const markers = JSON.stringify(deployment.Properties.SourceMarkers ?? []);
    expect(markers).toContain(stack.getLogicalId(stack.userPool.client.node.defaultChild as never));
    expect(JSON.stringify(template.findOutputs('DashboardUrl'))).toContain('DomainName');
  });
});
