import { randomUUID } from 'node:crypto';
import { requestFile, requestFileKeys } from '../support/offline';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../shared/adapters/observability';
import { routeKey, routes, type RouteDefinition } from '../../shared/http/routes';
import { store } from '../../shared/store/client';
import { closeAgent, send } from '../fuzz/http';
import { finalize, requestArbitrary } from '../fuzz/requests';
import { buildWorld, observe, type World } from '../fuzz/world';
import { useApi, type ApiResult, type InstallationCredentials } from '../support/api';
import { injectDynamoFaults } from '../support/dynamo-faults';
import { signIdentityDocument } from '../support/identity';
import { activationBody, camera } from '../support/licensing';
import { TEST_OPS_TOKEN } from '../support/setup';

// The logger reads its level when it is created and the Lambda middleware restores that level on
// every invocation, so the level is set before any module of the service loads.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

/**
 * Log hygiene over the whole API: everything the handlers write to stdout and stderr at DEBUG level
 * is captured during a flow that answers every route of the route table with success, refusals that
 * carry secrets in their bodies and headers, a burst of fuzzed requests, and server errors from
 * injected DynamoDB faults. No line may hold the ops token, a partner API key, an installation
 * secret, an SLC, a device-key salt, a push token, an e-mail address, an Authorization header, or
 * text from a request body.
 */
const api = useApi();
const faults = injectDynamoFaults();

let captured = '';
let summary = '';
const originals = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };

/** A marker put into free-text and name fields of request bodies; bodies are never logged. */
const CANARY = 'canary7f3a';
const secrets = new Set<string>([TEST_OPS_TOKEN]);
const answered = new Map<string, number[]>();

function note(key: string, response: ApiResult): ApiResult {
  answered.set(key, [...(answered.get(key) ?? []), response.status]);
  for (const field of ['apiKey', 'installationSecret', 'slc']) {
    const value = response.body?.[field];
    if (typeof value === 'string') secrets.add(value);
  }
  return response;
}

beforeAll(() => {
  logger.setLogLevel('DEBUG');
  // Captured, not echoed: the run's output stays readable.
  const tap = (chunk: unknown, ...rest: unknown[]): boolean => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = tap as typeof process.stdout.write;
  process.stderr.write = tap as typeof process.stderr.write;
});

afterAll(() => {
  process.stdout.write = originals.stdout;
  process.stderr.write = originals.stderr;
  if (summary) console.log(summary);
  logger.setLogLevel('SILENT');
  faults.remove();
  closeAgent();
});

/** Every route once with a request it accepts, in an order where each finds what it needs. */
async function everyRoute(world: World) {
  const ops = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    api.ops(method, path, body, headers).then((r) => note(`${method} ${templateOf(method, path)}`, r));
  const as = (credentials: InstallationCredentials, method: string, path: string, body?: unknown) =>
    api.signed(credentials, method, path, body).then((r) => note(`${method} ${templateOf(method, path)}`, r));
  const partner = world.partners[0]!;
  const asPartner = (method: string, path: string, body?: unknown) =>
    api.request(method, path, { body, token: partner.apiKey }).then((r) => note(`${method} ${templateOf(method, path)}`, r));

  await note('GET /v1/health', await api.request('GET', '/v1/health'));
  await note('GET /v1/keys', await api.request('GET', '/v1/keys'));
  await note('GET /v1/openapi.json', await api.request('GET', '/v1/openapi.json'));
  await ops('POST', '/v1/partners', { name: `Partner ${CANARY}` });
  const customer = (await ops('POST', '/v1/customers', { name: `Customer ${CANARY}`, country: 'DK', contacts: [{ name: `Contact ${CANARY}`, email: 'contact.person@northwind.example', phone: '+45 1234 5678' }], partnerId: partner.partnerId })).body;
  await ops('GET', `/v1/customers/${customer.customerId}`);
  await ops('GET', '/v1/customers');
  await ops('PATCH', `/v1/customers/${customer.customerId}`, { name: `Customer ${CANARY} A/S`, contacts: [{ name: `Contact ${CANARY}`, email: 'contact.person@northwind.example' }] });
  await ops('PUT', `/v1/customers/${customer.customerId}/verification`, { verification: 'verified', reason: 'manual', note: `cleared ${CANARY}` });
  await ops('PUT', '/v1/catalog/versions/2025%20R1', { generalAvailability: '2025-02-12' });
  await ops('GET', '/v1/catalog/versions');
  await ops('PUT', '/v1/catalog/eulas/20240101', { status: 'accepted' });
  await ops('GET', '/v1/catalog/eulas');
  const key = `issue-${randomUUID()}`;
  const license = (await ops('POST', '/v1/licenses', { customerId: customer.customerId, product: 'corporate', version: '2025 R1', deviceLicenses: 30, carePlus: { validUntil: '2099-01-01' } }, { 'idempotency-key': key })).body;
  await ops('POST', '/v1/licenses', { customerId: customer.customerId, product: 'corporate', version: '2025 R1', deviceLicenses: 30, carePlus: { validUntil: '2099-01-01' } }, { 'idempotency-key': key });
  await ops('GET', `/v1/licenses/${license.slc}`);
  await ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses: 40 });
  await ops('PUT', `/v1/licenses/${license.slc}/care-plus`, { validUntil: '2099-06-30' });

  const first = note('POST /v1/activations', await api.request('POST', '/v1/activations', {
    body: { slc: license.slc, ...activationBody([camera({ name: `Lobby ${CANARY}` }), camera()], { integrations: [{ manufacturer: 'Acme', name: `Bridge ${CANARY}`, version: '1.0' }] }) },
  })).body;
  const installation: InstallationCredentials = { installationId: first.installationId, installationSecret: first.installationSecret };
  await as(installation, 'POST', '/v1/activations', { installationId: installation.installationId, ...activationBody([camera()], { videoPushUsers: 1 }) });
  await note('POST /v1/activations/ami', await api.request('POST', '/v1/activations/ami', { body: { ...activationBody([camera()]), aws: signIdentityDocument() }, headers: { 'x-product-version': '2025 R1' } }));
  await ops('GET', `/v1/licenses/${license.slc}/devices`);
  await ops('GET', `/v1/licenses/${license.slc}/installations`);
  await ops('GET', `/v1/licenses?customerId=${customer.customerId}`);
  await ops('GET', `/v1/licenses/${license.slc}/events`);
  await ops('GET', '/v1/stats/integrations');

  const base = `/v1/installations/${installation.installationId}`;
  const guid = randomUUID();
  const deviceGuid = randomUUID();
  const pushToken = `apns-${randomUUID()}-${CANARY}`;
  secrets.add(pushToken);
  await as(installation, 'GET', `${base}/license`);
  await as(installation, 'PUT', `${base}/mobile-servers/${guid}`, { hostname: `mobile-${CANARY}.example.net` });
  await as(installation, 'GET', `${base}/mobile-servers/${guid}`);
  await as(installation, 'PUT', `${base}/mobile-servers/${guid}/devices/${deviceGuid}`, { platform: 'ios', pushToken });
  await as(installation, 'PUT', `${base}/mobile-servers/${guid}/emails`, { emails: ['night.guard@northwind.example', 'Watch.Lead+alerts@contoso.example'] });
  const notification = (await as(installation, 'POST', `${base}/notifications`, { mobileServerGuid: guid, title: `Motion ${CANARY}`, body: `Call night.guard@northwind.example ${CANARY}` })).body;
  await as(installation, 'GET', `${base}/notifications/${notification.notificationId}`);
  await as(installation, 'PUT', `${base}/smart-connect`, { publicAddress: `vms-${CANARY}.example.net`, port: 8081 });
  await as(installation, 'GET', `${base}/smart-connect`);
  await as(installation, 'POST', `${base}/health`, { consent: true, status: 'error', errors: [{ source: `recorder ${CANARY}`, message: `disk full ${CANARY}` }] });

  await asPartner('GET', '/v1/partner/customers');
  await asPartner('POST', '/v1/partner/customers', { name: `Partner customer ${CANARY}`, country: 'SE', contacts: [{ name: `Bo ${CANARY}`, email: 'bo.partner@contoso.example' }], endUserConsent: { eulaAccepted: true, personalDataConsent: true } });
  await asPartner('GET', '/v1/partner/licenses');
  await asPartner('GET', `/v1/partner/installations/${installation.installationId}`);
  await asPartner('GET', `/v1/partner/installations/${installation.installationId}/health`);
  process.env.WEBHOOK_URL_POLICY = 'local';
  const webhook = (await asPartner('POST', '/v1/partner/webhooks', { url: `http://127.0.0.1:9/hooks-${CANARY}`, events: ['license.*'] })).body;
  secrets.add(webhook.secret);
  await asPartner('GET', '/v1/partner/webhooks');
  await asPartner('GET', `/v1/partner/webhooks/${webhook.webhookId}/deliveries`);
  await asPartner('DELETE', `/v1/partner/webhooks/${webhook.webhookId}`);
  await ops('POST', '/v1/jobs/care-plus-reminders');

  const opsUser = (await ops('POST', '/v1/users', { email: `ops.${randomUUID()}@northwind.example`, name: `Ops ${CANARY}`, role: 'ops' })).body;
  secrets.add(opsUser.temporaryPassword);
  await ops('GET', '/v1/users');
  await ops('GET', '/v1/me');
  const customerAdmin = (await asPartner('POST', '/v1/partner/users', { email: `admin.${randomUUID()}@contoso.example`, name: `Admin ${CANARY}`, role: 'customer-admin', customerId: customer.customerId })).body;
  secrets.add(customerAdmin.temporaryPassword);
  await asPartner('GET', '/v1/partner/users');
  await asPartner('DELETE', `/v1/users/${customerAdmin.userId}`);
  await ops('DELETE', `/v1/users/${opsUser.userId}`);
  await ops('POST', '/v1/offline-activations', requestFile({ slc: license.slc, ...activationBody([camera({ name: `Offline ${CANARY}` })]) }, await requestFileKeys()));

  await ops('GET', `/v1/customers/${customer.customerId}/personal-data`);
  const rotated = (await ops('POST', `${base}/credentials`)).body;
  const current: InstallationCredentials = { installationId: installation.installationId, installationSecret: rotated.installationSecret };
  await as(current, 'DELETE', `${base}/mobile-servers/${guid}/devices/${deviceGuid}`);
  await as(current, 'DELETE', `${base}/mobile-servers/${guid}`);
  const target = (await ops('POST', '/v1/customers', { name: 'Target', country: 'SE', contacts: [{ name: 'Tove', email: 'tove.target@contoso.example' }] })).body;
  await ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: target.customerId, eulaAccepted: true });
  await ops('DELETE', `/v1/customers/${customer.customerId}/personal-data`);
  await ops('DELETE', base);
  await ops('POST', `/v1/licenses/${license.slc}/revoke`, { reason: 'other', note: `note ${CANARY}` });
  return { installation: current, license, base };
}

/** The route template a concrete path belongs to. */
function templateOf(method: string, path: string): string {
  const bare = path.split('?')[0]!;
  const route = (routes as readonly RouteDefinition[]).find(
    (candidate) => candidate.method === method && new RegExp(`^${candidate.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(bare),
  );
  return route ? route.path : bare;
}

describe('logs carry no secret, token, SLC, salt, e-mail address or request text', () => {
  it('over every route, refusals with secrets in them, fuzzed requests and server errors', async () => {
    const world = await buildWorld(api);
    for (const partner of world.partners) secrets.add(partner.apiKey);
    for (const installation of world.installations) secrets.add(installation.installationSecret);
    for (const slc of world.slcs) secrets.add(slc);

    const { installation, base } = await everyRoute(world);
    // Every route of the table answered with success at least once.
    const missing = (routes as readonly RouteDefinition[]).map(routeKey).filter((key) => !(answered.get(key) ?? []).some((status) => status < 300));
    expect(missing, JSON.stringify(Object.fromEntries(answered))).toEqual([]);

    // Refusals that carry secrets: a wrong ops token, a partner key on an ops route, a bad signature,
    // bodies with addresses and tokens that fail validation.
    const leakyToken = `ops_${randomUUID()}`;
    secrets.add(leakyToken);
    expect((await api.request('GET', '/v1/stats/integrations', { token: leakyToken })).status).toBe(401);
    expect((await api.request('POST', '/v1/partners', { token: world.partners[1]!.apiKey, body: { name: 'x' } })).status).toBe(403);
    const other = world.installations[0]!;
    expect((await api.signed({ installationId: other.installationId, installationSecret: installation.installationSecret }, 'GET', `/v1/installations/${other.installationId}/license`)).status).toBe(401);
    const server = `/v1/installations/${other.installationId}/mobile-servers/${other.mobileServerGuids[0]}`;
    expect((await api.signed(other, 'PUT', `${server}/emails`, { emails: ['kept.secret@northwind.example', 'broken@'] })).status).toBe(400);
    const refusedToken = `fcm-${randomUUID()}`;
    secrets.add(refusedToken);
    expect((await api.signed(other, 'PUT', `${server}/devices/${randomUUID()}`, { platform: 'tv', pushToken: refusedToken })).status).toBe(400);
    expect((await api.ops('POST', '/v1/customers', { name: 'x', country: 'DK', contacts: [{ name: CANARY, email: 'not-an-address@' }], colour: CANARY })).status).toBe(400);
    expect((await api.request('POST', '/v1/activations', { body: { slc: world.slcs[0], ...activationBody([camera()]), eulaVersion: 'old' } })).status).toBe(422);
    expect((await api.request('POST', '/v1/activations', { body: { slc: `M01-XPCO-251-${'Z'.repeat(16)}`, ...activationBody([camera()]) } })).status).toBe(404);

    // Server errors: a DynamoDB failure in the middle of requests that carry secrets.
    // (Call 1 reads the EULA catalog, call 2 the SLC's unfinished installations, which is best effort; call 3 reads the license.)
    faults.reset({ layer: 'application', timing: 'before', at: 3 });
    expect((await api.request('POST', '/v1/activations', { body: { slc: world.slcs[1], ...activationBody([camera()]) } })).status).toBe(500);
    faults.reset({ layer: 'application', timing: 'after', at: 3 });
    expect((await api.signed(other, 'PUT', `${server}/devices/${randomUUID()}`, { platform: 'android', pushToken: refusedToken })).status).toBe(500);
    faults.reset();
    void base;

    // Fuzzed requests (their generated tokens and addresses are secrets too).
    const drafts = [
      ...fc.sample(requestArbitrary(world, { refusedOnly: false }), { numRuns: 250, seed: 7 }),
      ...fc.sample(requestArbitrary(world, { refusedOnly: true }), { numRuns: 150, seed: 8 }),
    ];
    for (const draft of drafts) {
      const request = finalize(draft);
      if (typeof request.body === 'string') for (const match of request.body.matchAll(/"pushToken":"([^"]+)"/g)) secrets.add(match[1]!);
      const response = await send(api.url, request);
      expect(response.status, request.path).toBeLessThan(500);
      if (response.status < 300) observe(world, request.key, request.pathParameters, response.status, response.text ? JSON.parse(response.text) : undefined);
    }

    // The salts that device keys are derived from never leave the table.
    const { client, tableName } = store();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        if (item.type === 'license') {
          secrets.add(String(item.slc));
          secrets.add(String(item.deviceKeySalt));
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);

    // The capture saw the handlers' logs, including the error path, so the checks below mean something.
    for (const message of ['request', 'license issued', 'push device registered', 'notification sent', 'health report received', 'personal data erased', 'Unhandled error']) {
      expect(captured, message).toContain(`"message":"${message}"`);
    }
    const lines = captured.split('\n').filter((line) => line.trim().length > 0);
    expect(lines.length).toBeGreaterThan(300);

    const leaks: string[] = [];
    for (const secret of secrets) {
      if (secret.length >= 8 && captured.includes(secret)) leaks.push(`secret ${secret.slice(0, 6)}…`);
    }
    for (const line of lines) {
      const address = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/.exec(line);
      if (address) leaks.push(`e-mail address in ${line.slice(0, 200)}`);
      if (/M01-[A-Z]{4}-\d{3}-[0-9A-Z]{16}/.test(line)) leaks.push(`SLC in ${line.slice(0, 200)}`);
      if (/bearer\s/i.test(line)) leaks.push(`Authorization header in ${line.slice(0, 200)}`);
      if (/x-signature|x-installation-id|idempotency-key/i.test(line)) leaks.push(`request header in ${line.slice(0, 200)}`);
      if (line.includes(CANARY)) leaks.push(`request text in ${line.slice(0, 200)}`);
    }
    expect(leaks).toEqual([]);
    summary = `[logs] ${lines.length} log lines checked against ${secrets.size} secrets and the address, SLC, header and request-text patterns: no leak`;
  }, 600_000);
});
