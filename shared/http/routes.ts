/**
 * The one route table. The local server routes from it, and the CDK stack creates exactly these
 * HTTP API routes, each integrated with the function named here.
 */
export type FunctionName = 'public' | 'ops' | 'partner' | 'activation' | 'installation';

/**
 * Who may call a route:
 * - `none`: anyone;
 * - `ops`, `partner`: bearer token of that role (an ops token or partner key, or a dashboard user's
 *   ID token whose user has that role);
 * - `customer-admin`, `customer-user`: a dashboard user of that role (§11), limited to its customer;
 * - `installation`: a signed installation request;
 * - `activation`: anyone, and a signed installation request is verified when its headers are present.
 */
export type Role = 'ops' | 'partner' | 'customer-admin' | 'customer-user' | 'installation';
export type Access = 'none' | 'activation' | readonly Role[];

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  fn: FunctionName;
  access: Access;
}

const OPS = ['ops'] as const;
const OPS_OR_PARTNER = ['ops', 'partner'] as const;
const PARTNER = ['partner'] as const;
const INSTALLATION = ['installation'] as const;
/** Reads of a customer's own data (§11): ops, the customer's partner, and that customer's users. */
const TENANT_READ = ['ops', 'partner', 'customer-admin', 'customer-user'] as const;
const PARTNER_OR_TENANT_READ = ['partner', 'customer-admin', 'customer-user'] as const;

export const routes = [
  { method: 'GET', path: '/v1/health', fn: 'public', access: 'none' },
  { method: 'GET', path: '/v1/keys', fn: 'public', access: 'none' },
  { method: 'GET', path: '/v1/openapi.json', fn: 'public', access: 'none' },

  { method: 'POST', path: '/v1/partners', fn: 'ops', access: OPS },
  { method: 'POST', path: '/v1/customers', fn: 'ops', access: OPS },
  { method: 'GET', path: '/v1/customers', fn: 'ops', access: OPS_OR_PARTNER },
  { method: 'GET', path: '/v1/customers/{customerId}', fn: 'ops', access: TENANT_READ },
  { method: 'PATCH', path: '/v1/customers/{customerId}', fn: 'ops', access: OPS_OR_PARTNER },
  { method: 'PUT', path: '/v1/customers/{customerId}/verification', fn: 'ops', access: OPS },
  { method: 'GET', path: '/v1/customers/{customerId}/personal-data', fn: 'ops', access: OPS },
  { method: 'DELETE', path: '/v1/customers/{customerId}/personal-data', fn: 'ops', access: OPS },
  { method: 'PUT', path: '/v1/catalog/versions/{version}', fn: 'ops', access: OPS },
  { method: 'GET', path: '/v1/catalog/versions', fn: 'ops', access: OPS },
  { method: 'PUT', path: '/v1/catalog/eulas/{eulaVersion}', fn: 'ops', access: OPS },
  { method: 'GET', path: '/v1/catalog/eulas', fn: 'ops', access: OPS },
  { method: 'POST', path: '/v1/licenses', fn: 'ops', access: OPS },
  { method: 'GET', path: '/v1/licenses', fn: 'ops', access: TENANT_READ },
  { method: 'GET', path: '/v1/licenses/{slc}', fn: 'ops', access: TENANT_READ },
  { method: 'GET', path: '/v1/licenses/{slc}/installations', fn: 'ops', access: TENANT_READ },
  { method: 'PATCH', path: '/v1/licenses/{slc}', fn: 'ops', access: OPS },
  { method: 'PUT', path: '/v1/licenses/{slc}/care-plus', fn: 'ops', access: OPS },
  { method: 'POST', path: '/v1/licenses/{slc}/revoke', fn: 'ops', access: OPS },
  { method: 'POST', path: '/v1/licenses/{slc}/transfer', fn: 'ops', access: OPS },
  { method: 'GET', path: '/v1/licenses/{slc}/devices', fn: 'ops', access: TENANT_READ },
  { method: 'GET', path: '/v1/licenses/{slc}/events', fn: 'ops', access: TENANT_READ },
  { method: 'DELETE', path: '/v1/installations/{installationId}', fn: 'ops', access: OPS },
  { method: 'POST', path: '/v1/installations/{installationId}/credentials', fn: 'ops', access: OPS },
  { method: 'GET', path: '/v1/stats/integrations', fn: 'ops', access: OPS },
  { method: 'GET', path: '/v1/me', fn: 'ops', access: TENANT_READ },
  { method: 'POST', path: '/v1/users', fn: 'ops', access: OPS },
  { method: 'GET', path: '/v1/users', fn: 'ops', access: OPS },
  { method: 'DELETE', path: '/v1/users/{userId}', fn: 'ops', access: OPS_OR_PARTNER },

  { method: 'POST', path: '/v1/activations', fn: 'activation', access: 'activation' },
  { method: 'POST', path: '/v1/activations/ami', fn: 'activation', access: 'none' },
  { method: 'POST', path: '/v1/offline-activations', fn: 'activation', access: TENANT_READ },

  { method: 'GET', path: '/v1/installations/{installationId}/license', fn: 'installation', access: INSTALLATION },
  { method: 'PUT', path: '/v1/installations/{installationId}/mobile-servers/{mobileServerGuid}', fn: 'installation', access: INSTALLATION },
  { method: 'GET', path: '/v1/installations/{installationId}/mobile-servers/{mobileServerGuid}', fn: 'installation', access: INSTALLATION },
  { method: 'DELETE', path: '/v1/installations/{installationId}/mobile-servers/{mobileServerGuid}', fn: 'installation', access: INSTALLATION },
  { method: 'PUT', path: '/v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/devices/{deviceGuid}', fn: 'installation', access: INSTALLATION },
  { method: 'DELETE', path: '/v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/devices/{deviceGuid}', fn: 'installation', access: INSTALLATION },
  { method: 'PUT', path: '/v1/installations/{installationId}/mobile-servers/{mobileServerGuid}/emails', fn: 'installation', access: INSTALLATION },
  { method: 'POST', path: '/v1/installations/{installationId}/notifications', fn: 'installation', access: INSTALLATION },
  { method: 'GET', path: '/v1/installations/{installationId}/notifications/{notificationId}', fn: 'installation', access: INSTALLATION },
  { method: 'PUT', path: '/v1/installations/{installationId}/smart-connect', fn: 'installation', access: INSTALLATION },
  { method: 'GET', path: '/v1/installations/{installationId}/smart-connect', fn: 'installation', access: INSTALLATION },
  { method: 'POST', path: '/v1/installations/{installationId}/health', fn: 'installation', access: INSTALLATION },

  { method: 'GET', path: '/v1/partner/customers', fn: 'partner', access: PARTNER },
  { method: 'POST', path: '/v1/partner/customers', fn: 'partner', access: PARTNER },
  { method: 'GET', path: '/v1/partner/licenses', fn: 'partner', access: PARTNER },
  { method: 'GET', path: '/v1/partner/installations/{installationId}', fn: 'partner', access: PARTNER_OR_TENANT_READ },
  { method: 'GET', path: '/v1/partner/installations/{installationId}/health', fn: 'partner', access: PARTNER_OR_TENANT_READ },
  { method: 'POST', path: '/v1/partner/users', fn: 'partner', access: PARTNER },
  { method: 'GET', path: '/v1/partner/users', fn: 'partner', access: PARTNER },

  { method: 'POST', path: '/v1/partner/webhooks', fn: 'partner', access: PARTNER },
  { method: 'GET', path: '/v1/partner/webhooks', fn: 'partner', access: PARTNER },
  { method: 'DELETE', path: '/v1/partner/webhooks/{webhookId}', fn: 'partner', access: PARTNER },
  { method: 'GET', path: '/v1/partner/webhooks/{webhookId}/deliveries', fn: 'partner', access: PARTNER },
  { method: 'POST', path: '/v1/jobs/care-plus-reminders', fn: 'ops', access: OPS },
] as const satisfies readonly RouteDefinition[];

export type RouteKey = `${(typeof routes)[number]['method']} ${(typeof routes)[number]['path']}`;
export type RouteKeyOf<F extends FunctionName> = Extract<(typeof routes)[number], { fn: F }> extends infer R
  ? R extends { method: string; path: string }
    ? `${R['method']} ${R['path']}`
    : never
  : never;

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>): string => `${route.method} ${route.path}`;

export const functionNames: readonly FunctionName[] = ['public', 'ops', 'partner', 'activation', 'installation'];

export function findRoute(key: string): RouteDefinition | undefined {
  return (routes as readonly RouteDefinition[]).find((route) => routeKey(route) === key);
}
