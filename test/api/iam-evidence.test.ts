import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iamFindings, type RoleEvidence, type Statement, type UnusedGrantException } from '../../local/aws/iam';
import { resolveValue } from '../../local/bundles/template';
import type { BundleRuntime } from '../../local/bundles/runtime';
import { runSmoke } from '../../scripts/smoke';
import { BUNDLE_RUNTIME, useApi, type Api } from '../support/api';
import { signIdentityDocument } from '../support/identity';
import { activateFirst, activationBody, camera, createLicense } from '../support/licensing';
import { requestFile, requestFileKeys } from '../support/offline';
import { TEST_OPS_TOKEN } from '../support/setup';

/**
 * IAM from evidence. A representative run through the bundle runtime — the smoke test and at least
 * one successful request on every route of the route table — is recorded by the stand-ins and the
 * DynamoDB proxy; each function's role in the synthesized template must allow every call its
 * function made, and grant nothing that no call used. Exceptions, each with its reason:
 */
export const UNUSED_GRANT_EXCEPTIONS: UnusedGrantException[] = [
  { action: 'logs:CreateLogStream', reason: 'Lambda itself writes the function’s logs to its log group with the execution role; the code never calls CloudWatch Logs.' },
  { action: 'logs:PutLogEvents', reason: 'As logs:CreateLogStream.' },
  { action: 'xray:PutTraceSegments', reason: 'Active tracing: the Lambda runtime sends the trace segments with the execution role, not the code.' },
  { action: 'xray:PutTelemetryRecords', reason: 'As xray:PutTraceSegments.' },
  {
    action: 'dynamodb:DeleteItem',
    functionId: 'Ops',
    reason: 'Idempotency: a POST whose handler fails removes its unfinished claim (shared/http/idempotency.ts); a successful run never does.',
  },
  { action: 'dynamodb:DeleteItem', functionId: 'Partner', reason: 'As for Ops: the idempotency claim of a failed POST.' },
  {
    action: 'dynamodb:DeleteItem',
    functionId: 'Activation',
    reason: 'The idempotency claim of a failed POST, and the extra items an activation transaction deletes (shared/store/activations.ts) only on interrupted activations.',
  },
  {
    action: 'dynamodb:BatchWriteItem',
    functionId: 'Ops',
    reason: 'Erasing personal data deletes the notification e-mails of an installation that still has mobile servers in batches (shared/store/push.ts).',
  },
  {
    action: 'kms:GenerateDataKeyPairWithoutPlaintext',
    functionId: 'Installation',
    reason: 'The first function to sign with a new generation creates it; after the generation is raised that can be a check-in. The run creates generation 1 with the activation function’s grant.',
  },
  {
    action: 'cognito-idp:AdminCreateUser',
    reason:
      'The user pool runs at the cognito-local stand-in (local/cognito.ts), started beside the recording stand-ins rather than as one of them: its calls are not recorded. Creating users (POST /v1/users, /v1/partner/users) is exercised by test/api/users.test.ts in both runtimes.',
  },
  { action: 'cognito-idp:AdminDeleteUser', reason: 'As cognito-idp:AdminCreateUser (DELETE /v1/users/{userId}).' },
];

/**
 * The functions no API route invokes (the stream publisher, the webhook worker, the reminder job)
 * do not run as bundles: the local events pipeline (local/events.ts) does their work in process, as
 * under npm start, so there is no evidence of their calls. Their roles are checked by this stated
 * exception instead: exactly these workers, each with the grants cdk/constructs/event-delivery.ts
 * gives it from reading its code (DECISIONS.md, "Bundle runtime: the event workers").
 */
export const WORKERS_BY_STATED_EXCEPTION = ['EventsPublisher', 'EventsWebhooks', 'EventsReminders'];
/** CDK's BucketDeployment provider copies the dashboard into its bucket during a deployment only; its role is CDK's (cdk-nag acknowledged in cdk/constructs/dashboard-hosting.ts). */
const DEPLOYMENT_ONLY = /^CustomCDKBucketDeployment/;

const api = useApi();

/** The Allow statements of a function's role, resources resolved against the local cell (log groups stay unresolved). */
export function roleEvidence(runtime: Pick<BundleRuntime, 'template' | 'physical' | 'cell' | 'functions'>): RoleEvidence[] {
  const resources = runtime.template.resources;
  return [...runtime.functions.values()].map(({ definition }) => {
    const statements: Statement[] = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .filter((policy) => (policy.Properties!.Roles as Array<{ Ref: string }>).some((role) => role.Ref === definition.roleId))
      .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: any[] }).Statement)
      .filter((statement) => statement.Effect === 'Allow')
      .map((statement) => ({
        actions: [statement.Action].flat(),
        resources: [statement.Resource].flat().map((resource: unknown) => {
          try {
            return String(resolveValue(resource, runtime.physical, runtime.cell, resources));
          } catch {
            return `unresolved:${JSON.stringify(resource)}`;
          }
        }),
        conditions: resolveValue(statement.Condition ?? {}, runtime.physical, runtime.cell, resources) as Statement['conditions'],
      }));
    return { functionId: definition.logicalId, statements };
  });
}

/** At least one successful request on every route (the smoke test covers health, keys, licenses, activation, check-in, revoke). */
async function everyRoute(api: Api): Promise<void> {
  const ok = async (answer: Promise<{ status: number; body: any }>, status: number) => {
    const { status: got, body } = await answer;
    expect(got, JSON.stringify(body)).toBe(status);
    return body;
  };
  await ok(api.ops('PUT', `/v1/catalog/versions/${encodeURIComponent('2026 R1')}`, { generalAvailability: '2026-02-10' }), 200);
  const smoke = await runSmoke({ url: api.url, opsToken: TEST_OPS_TOKEN, print: () => undefined });
  expect(smoke.failed, smoke.lines.join('\n')).toBe(0);

  await ok(api.ops('GET', '/v1/catalog/versions?limit=1'), 200);
  const partner = await ok(api.ops('POST', '/v1/partners', { name: 'Evidence Partner' }), 201);
  const asPartner = (method: string, path: string, body?: unknown) => api.request(method, path, { body, token: partner.apiKey });
  const inOneYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  const { slc, customerId } = await createLicense(api, { partnerId: partner.partnerId, version: '2026 R1', carePlus: { validUntil: inOneYear } });
  await ok(api.ops('GET', `/v1/customers/${customerId}`), 200);
  await ok(
    api.request('POST', '/v1/partner/customers', {
      body: { name: 'Dealer Customer', country: 'SE', contacts: [{ name: 'B', email: 'b@example.com' }], endUserConsent: { eulaAccepted: true, personalDataConsent: true } },
      token: partner.apiKey,
      headers: { 'idempotency-key': randomUUID() },
    }),
    201,
  );
  await ok(asPartner('GET', '/v1/partner/customers?limit=1'), 200);
  await ok(asPartner('GET', '/v1/partner/licenses?limit=1'), 200);
  await ok(api.ops('GET', `/v1/licenses/${slc}`), 200);
  await ok(api.ops('PATCH', `/v1/licenses/${slc}`, { deviceLicenses: 120 }), 200);
  await ok(api.ops('PUT', `/v1/licenses/${slc}/care-plus`, { validUntil: inOneYear }), 200);

  const devices = [camera(), camera(), camera()];
  const installation = await activateFirst(api, slc, devices);
  const base = `/v1/installations/${installation.installationId}`;
  await ok(api.signed(installation, 'POST', '/v1/activations', { installationId: installation.installationId, ...activationBody(devices.slice(0, 2)) }), 200);
  await ok(api.signed(installation, 'GET', `${base}/license`), 200);
  await ok(api.ops('GET', `/v1/licenses/${slc}/devices?limit=1`), 200);
  await ok(api.ops('GET', `/v1/licenses/${slc}/events?limit=1`), 200);
  await ok(api.ops('GET', '/v1/stats/integrations'), 200);
  await ok(asPartner('GET', `/v1/partner/installations/${installation.installationId}`), 200);

  const mobileServer = randomUUID();
  const device = randomUUID();
  await ok(api.signed(installation, 'PUT', `${base}/mobile-servers/${mobileServer}`, { hostname: 'mobile-01' }), 200);
  await ok(api.signed(installation, 'PUT', `${base}/mobile-servers/${mobileServer}/devices/${device}`, { platform: 'ios', pushToken: 'a'.repeat(64) }), 200);
  await ok(api.signed(installation, 'PUT', `${base}/mobile-servers/${mobileServer}/devices/${randomUUID()}`, { platform: 'android', pushToken: 'fcm-token-1' }), 200);
  await ok(api.signed(installation, 'PUT', `${base}/mobile-servers/${mobileServer}/devices/${device}`, { platform: 'ios', pushToken: 'b'.repeat(64) }), 200);
  // A bearer token on an installation route is checked (ops first) and refused for the route.
  await ok(api.ops('GET', `${base}/license`), 403);
  await ok(api.signed(installation, 'PUT', `${base}/mobile-servers/${mobileServer}/emails`, { emails: ['guard@example.com'] }), 200);
  await ok(api.signed(installation, 'GET', `${base}/mobile-servers/${mobileServer}`), 200);
  const sent = await ok(api.signed(installation, 'POST', `${base}/notifications`, { mobileServerGuid: mobileServer, title: 'Motion', body: 'Lobby' }), 202);
  const delivered = await ok(api.signed(installation, 'GET', `${base}/notifications/${sent.notificationId}`), 200);
  expect(delivered.deliveries.map((entry: { status: string }) => entry.status)).toEqual(['delivered', 'delivered', 'delivered']);
  await ok(api.signed(installation, 'PUT', `${base}/smart-connect`, { publicAddress: '203.0.113.10', port: 443 }), 200);
  await ok(api.signed(installation, 'GET', `${base}/smart-connect`), 200);
  await ok(api.signed(installation, 'POST', `${base}/health`, { consent: true, status: 'ok', errors: [] }), 202);
  await ok(asPartner('GET', `/v1/partner/installations/${installation.installationId}/health`), 200);
  await ok(api.signed(installation, 'DELETE', `${base}/mobile-servers/${mobileServer}/devices/${device}`), 204);
  await ok(api.signed(installation, 'DELETE', `${base}/mobile-servers/${mobileServer}`), 204);
  await ok(api.ops('GET', `/v1/customers/${customerId}/personal-data`), 200);
  await ok(api.ops('POST', `${base}/credentials`), 200);
  await ok(api.ops('DELETE', base), 204);

  const other = await ok(api.ops('POST', '/v1/customers', { name: 'Transfer Target', country: 'NO', contacts: [{ name: 'C', email: 'c@example.com' }] }), 201);
  await ok(api.ops('POST', `/v1/licenses/${slc}/transfer`, { toCustomerId: other.customerId, eulaAccepted: true }), 200);
  await ok(api.ops('DELETE', `/v1/customers/${customerId}/personal-data`), 204);

  // An offline activation by ops (the activation function checks the ops token), and the reminder job for a Care Plus ending in 10 days (SES).
  const offline = await createLicense(api, { version: '2026 R1' });
  await ok(api.ops('POST', '/v1/offline-activations', requestFile({ slc: offline.slc, ...activationBody([camera()]) }, await requestFileKeys())), 201);
  const inTenDays = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  await createLicense(api, { version: '2026 R1', carePlus: { validUntil: inTenDays } });
  const job = await ok(api.ops('POST', '/v1/jobs/care-plus-reminders'), 200);
  expect(job.reminders).toBeGreaterThan(0);

  const identity = signIdentityDocument({});
  await ok(
    api.request('POST', '/v1/activations/ami', {
      body: { ...activationBody([camera()]), aws: identity },
      headers: { 'x-product-version': '2026 R1' },
    }),
    201,
  );
}

describe.runIf(BUNDLE_RUNTIME)('IAM from evidence (bundle runtime)', () => {
  let roles: RoleEvidence[];

  it('every call each function made is granted to its role, and its role grants nothing no call used', async () => {
    await everyRoute(api);
    const runtime = api.bundles!;
    roles = roleEvidence(runtime);
    const findings = iamFindings(roles, runtime.standIns.calls.calls, UNUSED_GRANT_EXCEPTIONS);
    if (process.env.IAM_EVIDENCE_REPORT) {
      const short = (arn: string) => arn.replace(/^arn:aws:[a-z-]+:[a-z0-9-]+:\d+:/, '');
      const used = new Set(runtime.standIns.calls.calls.map((call) => `${call.caller.slice(0, 6)} ${call.action} ${short(call.resource)}`));
      console.log([...used].sort().join('\n'));
      console.log('UNUSED\n' + findings.unused.map((entry) => `${entry.functionId.slice(0, 6)} ${entry.action} ${short(entry.resource)}`).join('\n'));
      console.log('MISSING\n' + findings.missing.map((entry) => `${entry.functionId.slice(0, 6)} ${entry.action} ${short(entry.resource)}`).join('\n'));
    }
    expect(findings).toEqual({ missing: [], unused: [] });
  }, 300_000);

  it('runs every function of the template as a bundle but the event workers, which are checked by stated exception', () => {
    const runtime = api.bundles!;
    const workers = runtime.workers.filter((worker) => !DEPLOYMENT_ONLY.test(worker.logicalId));
    expect(workers.map((worker) => worker.logicalId.replace(/Function[0-9A-F]{8}$/, '')).sort()).toEqual([...WORKERS_BY_STATED_EXCEPTION].sort());
    for (const worker of workers) {
      const actions = roleEvidence({ ...runtime, functions: new Map([[worker.logicalId, { definition: worker } as never]]) })[0]!.statements.flatMap((statement) => statement.actions);
      expect(actions.filter((action) => action.startsWith('dynamodb:') && !['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream', 'dynamodb:ListStreams'].includes(action))).toEqual([]);
    }
  });

  it('fails when a grant the code needs is removed, and when a grant nothing calls is added', () => {
    const calls = api.bundles!.standIns.calls.calls;
    const activation = roles.find((role) => role.functionId.startsWith('Activation'))!;
    const withoutDecrypt = roles.map((role) =>
      role === activation ? { ...role, statements: role.statements.filter((statement) => !statement.actions.includes('kms:Decrypt')) } : role,
    );
    expect(iamFindings(withoutDecrypt, calls, UNUSED_GRANT_EXCEPTIONS).missing).toEqual([
      expect.objectContaining({ functionId: activation.functionId, action: 'kms:Decrypt' }),
    ]);
    const publicRole = roles.find((role) => role.functionId.startsWith('Public'))!;
    const tableArn = calls.find((call) => call.action === 'dynamodb:GetItem')!.resource;
    const withScan = roles.map((role) =>
      role === publicRole ? { ...role, statements: [...role.statements, { actions: ['dynamodb:Scan'], resources: [tableArn], conditions: {} }] } : role,
    );
    expect(iamFindings(withScan, calls, UNUSED_GRANT_EXCEPTIONS).unused).toEqual([{ functionId: publicRole.functionId, action: 'dynamodb:Scan', resource: tableArn }]);
  });
});
