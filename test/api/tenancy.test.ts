import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeKey, routes, type RouteDefinition } from '../../shared/http/routes';
import { snapshotDifference, tableSnapshot } from '../fuzz/state';
import { useApi, type ApiResult, type InstallationCredentials } from '../support/api';
import { TEST_OPS_TOKEN } from '../support/setup';
import { activationBody, camera } from '../support/licensing';
import { uniqueEmail } from '../support/users';
import { requestFile, requestFileKeys, type RequestFileKeys } from '../support/offline';

/**
 * The tenancy matrix: two partners, each with a customer, a license and an activated installation
 * (with a mobile server, a push device, e-mails, a notification, Smart Connect and a health report),
 * all made through the API. Every route of the route table that a partner or an installation may
 * call is tried with the other tenant's credentials against this tenant's resources, and every such
 * route with credentials of another role: 0 cross-tenant reads (404, or 403 for the wrong role) and
 * 0 writes (the whole table is unchanged). Then the same requests with the owner's credentials
 * succeed, which shows that the refusals were about tenancy and nothing else.
 */
const api = useApi();
// Webhooks to a receiver on this machine are accepted (as under npm start).
process.env.WEBHOOK_URL_POLICY = 'local';

interface Tenant {
  name: string;
  partner: { partnerId: string; apiKey: string };
  customerId: string;
  slc: string;
  installation: InstallationCredentials;
  mobileServerGuid: string;
  deviceGuid: string;
  notificationId: string;
  webhookId: string;
  cameras: Array<ReturnType<typeof camera>>;
  /** A dashboard user of the tenant's customer. */
  userId: string;
}

async function ok<T = any>(response: Promise<ApiResult<T>>, what: string): Promise<T> {
  const result = await response;
  if (result.status >= 300) throw new Error(`${what}: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

async function tenant(name: string): Promise<Tenant> {
  const partner = await ok(api.ops('POST', '/v1/partners', { name: `Partner ${name}` }), 'partner');
  const customer = await ok(
    api.request('POST', '/v1/partner/customers', { token: partner.apiKey, body: { name: `Customer ${name}`, country: 'DK', contacts: [{ name: 'Ida', email: `ida.${name.toLowerCase()}@example.com` }], endUserConsent: { eulaAccepted: true, personalDataConsent: true } } }),
    'customer',
  );
  const license = await ok(
    api.ops('POST', '/v1/licenses', { customerId: customer.customerId, product: 'corporate', version: '2025 R1', deviceLicenses: 20, carePlus: { validUntil: '2099-12-31' } }),
    'license',
  );
  const cameras = [camera(), camera()];
  const activation = await ok(api.request('POST', '/v1/activations', { body: { slc: license.slc, ...activationBody(cameras) } }), 'activation');
  const installation = { installationId: activation.installationId, installationSecret: activation.installationSecret };
  const mobileServerGuid = randomUUID();
  const deviceGuid = randomUUID();
  const base = `/v1/installations/${installation.installationId}`;
  await ok(api.signed(installation, 'PUT', `${base}/mobile-servers/${mobileServerGuid}`, { hostname: `mobile-${name}` }), 'mobile server');
  await ok(api.signed(installation, 'PUT', `${base}/mobile-servers/${mobileServerGuid}/devices/${deviceGuid}`, { platform: 'ios', pushToken: `apns-${name}` }), 'device');
  await ok(api.signed(installation, 'PUT', `${base}/mobile-servers/${mobileServerGuid}/emails`, { emails: [`guard.${name.toLowerCase()}@example.com`] }), 'e-mails');
  const notification = await ok(api.signed(installation, 'POST', `${base}/notifications`, { mobileServerGuid, title: 'Motion', body: 'Lobby' }), 'notification');
  await ok(api.signed(installation, 'PUT', `${base}/smart-connect`, { publicAddress: `${name.toLowerCase()}.example.net`, port: 8081 }), 'smart connect');
  await ok(api.signed(installation, 'POST', `${base}/health`, { consent: true, status: 'ok' }), 'health');
  const user = await ok(
    api.request('POST', '/v1/partner/users', { token: partner.apiKey, body: { email: uniqueEmail('tenancy'), name: 'Ida', role: 'customer-user', customerId: customer.customerId } }),
    'user',
  );
  const webhook = await ok(api.request('POST', '/v1/partner/webhooks', { token: partner.apiKey, body: { url: 'http://127.0.0.1:9/hooks', events: ['*'] } }), 'webhook');
  return { name, partner, customerId: customer.customerId, slc: license.slc, installation, mobileServerGuid, deviceGuid, notificationId: notification.notificationId, webhookId: webhook.webhookId, cameras, userId: user.userId };
}

/** The owner's resources in a route's path. */
function pathFor(route: RouteDefinition, owner: Tenant): string {
  const values: Record<string, string> = {
    customerId: owner.customerId,
    slc: owner.slc,
    installationId: owner.installation.installationId,
    mobileServerGuid: owner.mobileServerGuid,
    deviceGuid: owner.deviceGuid,
    notificationId: owner.notificationId,
    userId: owner.userId,
    webhookId: owner.webhookId,
    version: '2025 R1',
  };
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`tenancy test: no value for {${name}} in ${routeKey(route)}`);
    return encodeURIComponent(values[name]!);
  });
}

/** A valid body for each route that takes one: a refusal can then only be about who asks. */
function bodyFor(route: RouteDefinition, owner: Tenant): unknown {
  switch (routeKey(route)) {
    case 'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}':
      return { hostname: 'renamed' };
    case 'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/devices/{deviceGuid}':
      return { platform: 'android', pushToken: 'fcm-replaced' };
    case 'PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/emails':
      return { emails: ['replaced@example.com'] };
    case 'POST /v1/installations/{installationId}/notifications':
      return { mobileServerGuid: owner.mobileServerGuid, title: 'Motion', body: 'Gate' };
    case 'PUT /v1/installations/{installationId}/smart-connect':
      return { publicAddress: 'replaced.example.net', port: 9000 };
    case 'POST /v1/installations/{installationId}/health':
      return { consent: true, status: 'degraded', errors: [{ source: 'recorder', message: 'disk' }] };
    case 'POST /v1/partner/customers':
      return { name: 'Another customer', country: 'SE', contacts: [{ name: 'Bo', email: 'bo@example.com' }], endUserConsent: { eulaAccepted: true, personalDataConsent: true } };
    case 'PATCH /v1/customers/{customerId}':
      return { name: `Customer ${owner.name} (corrected)` };
    case 'POST /v1/offline-activations':
      return requestFile({ installationId: owner.installation.installationId, ...activationBody(owner.cameras) }, fileKeys, owner.installation);
    case 'POST /v1/partner/users':
      return { email: uniqueEmail('tenancy'), name: 'Bo', role: 'customer-admin', customerId: owner.customerId };
    case 'POST /v1/partner/webhooks':
      return { url: 'http://127.0.0.1:9/other-hooks', events: ['license.*'] };
    case 'POST /v1/activations':
      return { installationId: owner.installation.installationId, ...activationBody([...owner.cameras, camera()]) };
    default:
      if (['POST', 'PUT', 'PATCH'].includes(route.method)) throw new Error(`tenancy test: add a valid body for ${routeKey(route)}`);
      return undefined;
  }
}

type Credentials = { kind: 'partner'; tenant: Tenant } | { kind: 'installation'; tenant: Tenant } | { kind: 'ops' };

function send(route: RouteDefinition, owner: Tenant, as: Credentials, pathOverride?: string): Promise<ApiResult> {
  const path = pathOverride ?? pathFor(route, owner);
  const body = bodyFor(route, owner);
  if (as.kind === 'installation') return api.signed(as.tenant.installation, route.method, path, body);
  return api.request(route.method, path, { body, token: as.kind === 'ops' ? TEST_OPS_TOKEN : as.tenant.partner.apiKey });
}

const scoped = (routes as readonly RouteDefinition[]).filter(
  (route) => route.access === 'activation' || (Array.isArray(route.access) && (route.access.includes('partner') || route.access.includes('installation'))),
);
const roles = (route: RouteDefinition): string[] => (route.access === 'activation' ? ['installation'] : [...(route.access as readonly string[])]);
/** Routes that name no resource: a partner's own lists and registrations. */
const unparameterized = (route: RouteDefinition) => !route.path.includes('{');

let a: Tenant;
let b: Tenant;
let fileKeys: RequestFileKeys;

beforeAll(async () => {
  fileKeys = await requestFileKeys();
  await ok(api.ops('PUT', '/v1/catalog/versions/2025%20R1', { generalAvailability: '2025-02-12' }), 'catalog');
  a = await tenant('A');
  b = await tenant('B');
});

describe('tenancy matrix: every partner- and installation-scoped route with another tenant’s credentials', () => {
  it('covers the scoped routes of the route table', () => {
    expect(scoped.length).toBeGreaterThanOrEqual(18);
    for (const route of scoped) expect(() => bodyFor(route, a)).not.toThrow();
  });

  it('refuses every cross-tenant and cross-role request, and nothing changes', async () => {
    const before = await tableSnapshot();
    const results: string[] = [];
    for (const route of scoped) {
      for (const [owner, other] of [
        [a, b],
        [b, a],
      ] as const) {
        // The other tenant, in each role the route admits, on the owner's resources.
        if (!unparameterized(route)) {
          for (const role of roles(route).filter((r) => r !== 'ops')) {
            const response = await send(route, owner, { kind: role as 'partner' | 'installation', tenant: other });
            results.push(`${routeKey(route)} as ${role} ${other.name} on ${owner.name}: ${response.status} ${response.body?.error?.code ?? ''}`);
            const expected = route.access === 'activation' ? [403, 404] : [404];
            expect(expected, `${routeKey(route)} as ${role} of ${other.name} on ${owner.name}: ${JSON.stringify(response.body)}`).toContain(response.status);
          }
        }
        // Credentials of a role the route does not admit (ops included), on the owner's resources.
        for (const role of ['ops', 'partner', 'installation'].filter((r) => !roles(route).includes(r) && !(r === 'installation' && route.access === 'activation'))) {
          if (route.access === 'activation') continue;
          const response = await send(route, owner, role === 'ops' ? { kind: 'ops' } : { kind: role as 'partner' | 'installation', tenant: other });
          results.push(`${routeKey(route)} as ${role} on ${owner.name}: ${response.status} ${response.body?.error?.code ?? ''}`);
          expect(response.status, `${routeKey(route)} as ${role}: ${JSON.stringify(response.body)}`).toBe(403);
          expect(response.body.error.code).toBe('forbidden');
        }
      }
    }
    // A signature made with one installation's secret under the other's id is refused too.
    const forged = await api.signed({ installationId: a.installation.installationId, installationSecret: b.installation.installationSecret }, 'GET', `/v1/installations/${a.installation.installationId}/license`);
    expect([forged.status, forged.body.error.code]).toEqual([401, 'invalid_signature']);

    const after = await tableSnapshot();
    expect(snapshotDifference(before, after)).toEqual({ added: [], removed: [], changed: [] });
    expect(results.length).toBeGreaterThan(scoped.length * 2);
    console.log(`[tenancy] ${results.length} cross-tenant and cross-role requests over ${scoped.length} routes: all refused, table unchanged`);
  }, 300_000);

  it('lists only the partner’s own customers and licenses, and a cursor does not cross partners', async () => {
    // A second license each, so that a page of one carries a cursor.
    const second = new Map<Tenant, string>();
    for (const owner of [a, b]) {
      second.set(owner, (await ok(api.ops('POST', '/v1/licenses', { customerId: owner.customerId, product: 'expert', version: '2025 R1', deviceLicenses: 5 }), 'license')).slc);
    }
    for (const [own, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const customers = await api.request('GET', '/v1/partner/customers', { token: own.partner.apiKey });
      expect(customers.body.items.map((c: any) => c.customerId)).toEqual([own.customerId]);
      const licenses = await api.request('GET', '/v1/partner/licenses', { token: own.partner.apiKey });
      expect(licenses.body.items.map((l: any) => l.slc)).toEqual([own.slc, second.get(own)]);
      // A page of the other partner's list, continued with this partner's key.
      const page = await api.request('GET', '/v1/partner/licenses?limit=1', { token: other.partner.apiKey });
      expect(page.body.items.map((l: any) => l.slc)).toEqual([other.slc]);
      expect(page.body.nextCursor).toEqual(expect.any(String));
      const crossed = await api.request('GET', `/v1/partner/licenses?cursor=${encodeURIComponent(page.body.nextCursor)}`, { token: own.partner.apiKey });
      expect([crossed.status, crossed.body.error?.code]).toEqual([400, 'invalid_cursor']);
    }
  });

  it('answers the same requests for their owner: the refusals were about tenancy only', async () => {
    // Removals last, so that the other routes still find what they address.
    const ordered = [...scoped].sort((x, y) => Number(x.method === 'DELETE') - Number(y.method === 'DELETE') || y.path.length - x.path.length);
    for (const route of ordered) {
      for (const owner of [a, b]) {
        const role = roles(route).includes('partner') ? 'partner' : 'installation';
        const response = await send(route, owner, { kind: role, tenant: owner });
        expect(response.status, `${routeKey(route)} for its owner ${owner.name}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
      }
    }
  }, 300_000);
});
