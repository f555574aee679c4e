import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaHandlers } from '../../local/handlers';
import { routes, routeKey, type RouteDefinition } from '../../shared/http/routes';
import { snapshotDifference, tableSnapshot } from '../fuzz/state';
import { signRequest, useApi, type InstallationCredentials } from '../support/api';
import { seedInstallation, seedLicense } from '../support/seed';

/**
 * Strict bodies over the whole route table (API.md §1 rev 2): a route that declares no body
 * refuses any body, `null` included, with 400 validation_failed and no change of state; a route
 * that takes a body refuses `null`.
 */
const api = useApi();

let installation: InstallationCredentials;
let partnerKey: string;
let slc: string;

beforeAll(async () => {
  const license = await seedLicense();
  slc = license.slc;
  installation = await seedInstallation(license);
  const partner = await api.ops('POST', '/v1/partners', { name: 'Strict Partner' });
  partnerKey = partner.body.apiKey;
});

const declaredBodies = Object.assign({}, ...Object.values(lambdaHandlers).map((handler) => handler.bodySchemas)) as Record<string, unknown>;
const allRoutes = routes as readonly RouteDefinition[];
const noBodyRoutes = allRoutes.filter((route) => declaredBodies[routeKey(route)] === undefined);
const bodyRoutes = allRoutes.filter((route) => declaredBodies[routeKey(route)] !== undefined);

function concretePath(route: RouteDefinition): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'installationId') return installation.installationId;
    if (name === 'slc') return slc;
    if (name === 'version') return encodeURIComponent('2025 R1');
    return randomUUID();
  });
}

/** Sends with node:http, which (unlike fetch) lets a GET carry a body, as any client can. */
function raw(method: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: any }> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The request with credentials the route admits, so that only the body is in question. */
function send(route: RouteDefinition, rawBody: string) {
  const path = concretePath(route);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const access = route.access;
  if (access !== 'none' && access !== 'activation') {
    if (access.includes('installation')) Object.assign(headers, signRequest(installation, route.method, path, rawBody));
    else headers.authorization = `Bearer ${access.includes('ops') ? 'test-ops-token-0123456789' : partnerKey}`;
  }
  return raw(route.method, path, headers, rawBody);
}

describe('routes that take no body', () => {
  it('the route table has both kinds, and every POST, PUT and PATCH but the credentials reset and the reminder job takes a body', () => {
    expect(noBodyRoutes.length).toBeGreaterThan(10);
    expect(noBodyRoutes.filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method)).map(routeKey)).toEqual([
      'POST /v1/installations/{installationId}/credentials',
      'POST /v1/jobs/care-plus-reminders',
    ]);
  });

  it.each(['{}', 'null', '{"x":1}'])('refuse the body %s with 400 validation_failed, and nothing changes', async (rawBody) => {
    const before = await tableSnapshot();
    const wrong: string[] = [];
    for (const route of noBodyRoutes) {
      const answer = await send(route, rawBody);
      if (answer.status !== 400 || answer.body?.error?.code !== 'validation_failed') {
        wrong.push(`${routeKey(route)}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(snapshotDifference(before, await tableSnapshot())).toEqual({ added: [], removed: [], changed: [] });
  });

  it('a credentials reset with a chosen secret in its body rotates nothing', async () => {
    const path = `/v1/installations/${installation.installationId}/credentials`;
    const refused = await api.ops('POST', path, { installationSecret: 'chosen' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([{ path: 'body', message: 'this route takes no request body' }]);
    expect((await api.signed(installation, 'GET', `/v1/installations/${installation.installationId}/license`)).status).toBe(200);
  });

  it('a release with an unknown field releases nothing', async () => {
    const refused = await api.ops('DELETE', `/v1/installations/${installation.installationId}`, { force: true });
    expect(refused.status).toBe(400);
    expect((await api.signed(installation, 'GET', `/v1/installations/${installation.installationId}/license`)).status).toBe(200);
  });

  it('without a body they answer as before', async () => {
    expect((await api.ops('GET', `/v1/licenses/${slc}`)).status).toBe(200);
  });
});

describe('routes that take a body', () => {
  it('refuse null, which is not an empty body', async () => {
    const wrong: string[] = [];
    for (const route of bodyRoutes) {
      const answer = await send(route, 'null');
      if (answer.status !== 400 || answer.body?.error?.code !== 'validation_failed') {
        wrong.push(`${routeKey(route)}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a mobile server, whose fields are all optional, is registered without a body but not with null', async () => {
    const path = `/v1/installations/${installation.installationId}/mobile-servers/${randomUUID()}`;
    expect((await api.signed(installation, 'PUT', path)).status).toBe(200);
    expect((await send({ method: 'PUT', path, fn: 'installation', access: ['installation'] }, 'null')).status).toBe(400);
  });
});
