import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { routeKey, routes, type RouteDefinition } from '../../shared/http/routes';
import { signature } from '../support/api';
import { TEST_OPS_TOKEN } from '../support/setup';
import { arbitraryOf, fieldsOf, jsonSchemaOf, type FieldInfo, type JsonSchema, type Overrides } from './schema-arbitrary';
import { bodyOptional, bodySchemas, listRoutes } from './route-schemas';
import type { FuzzInstallation, World } from './world';

/**
 * Generated HTTP requests for every route of the route table: valid-ish requests derived from the
 * route's zod schemas with real identifiers of the fuzz world, and mutations of them. A mutation
 * is "refusing" when the contract guarantees a 4xx for it whatever the rest of the request is (the
 * second phase of the fuzz test sends only such requests and checks that the table is unchanged).
 */

type Auth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'authorization'; value: string }
  | { kind: 'signed'; credentials: FuzzInstallation; tamper?: Tamper };

type Tamper = 'wrong-secret' | 'other-body' | 'uppercase' | 'stale' | 'future' | 'bad-timestamp' | 'no-signature' | 'unknown-installation' | 'not-hex';

type Body = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'text'; text: string } | { kind: 'bytes'; bytes: Buffer };

export interface Draft {
  route: RouteDefinition;
  key: string;
  method: string;
  pathParameters: Record<string, string>;
  /** Encoded path segments that replace a parameter verbatim (bad percent-encoding). */
  rawSegments: Record<string, string>;
  suffix: string;
  query: Array<[string, string]>;
  body: Body;
  /** undefined: application/json when there is a body; null: no Content-Type header. */
  contentType?: string | null;
  auth: Auth;
  headers: Record<string, string>;
  signer?: FuzzInstallation;
  mutations: string[];
  refused: boolean;
}

export interface FuzzRequest {
  key: string;
  method: string;
  path: string;
  pathParameters: Record<string, string>;
  headers: Record<string, string>;
  body?: string | Buffer;
  mutations: string[];
  refused: boolean;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const definitions = routes as readonly RouteDefinition[];

const junkSegment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' }),
  fc.constantFrom('..', '.', '%', '%00', "' OR '1'='1", '${jndi:ldap://x/a}', '<script>alert(1)</script>', 'LICENSE#x', 'CUSTOMER#', 'a'.repeat(2000)),
  fc.constantFrom('\u0000', 'null', 'undefined', '__proto__', 'constructor', ' ', 'ÿ', '😀', 'M01-XPCO-251-0000000000000000', '00000000-0000-0000-0000-000000000000'),
);

const validMac = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }), fc.constantFrom(':', '-'), fc.boolean())
  .map(([bytes, separator, upper]) => {
    const text = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(separator);
    return upper ? text.toUpperCase() : text;
  });

const pick = <T>(values: readonly T[], fallback: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  values.length > 0 ? fc.constantFrom(...values) : fallback;

/** Mostly SLCs that are still active; revoked ones now and then. */
function slcArbitrary(world: World, fallback: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const active = world.slcs.filter((slc) => !world.revokedSlcs.has(slc));
  return fc.oneof({ weight: 8, arbitrary: pick(active, fallback) }, { weight: 1, arbitrary: pick([...world.revokedSlcs], fallback) });
}

function signerArbitrary(world: World): fc.Arbitrary<FuzzInstallation | undefined> {
  const all = [...world.installations, ...world.formerInstallations.slice(-3)];
  return all.length > 0 ? fc.oneof({ weight: 9, arbitrary: pick(world.installations, fc.constant(all[0]!)) }, { weight: 1, arbitrary: fc.constantFrom(...all) }) : fc.constant(undefined);
}

function pathParameterArbitrary(name: string, world: World, signer: FuzzInstallation | undefined): fc.Arbitrary<string> {
  const uuid = fc.uuid({ version: 4 });
  const valid: fc.Arbitrary<string> = (() => {
    switch (name) {
      case 'slc':
        return slcArbitrary(world, junkSegment);
      case 'customerId':
        return pick(world.customerIds, junkSegment);
      case 'version':
        return fc.oneof({ weight: 3, arbitrary: pick(world.versions, junkSegment) }, fc.stringMatching(/^20[2-4]\d R[123]$/));
      case 'installationId':
        return signer ? fc.oneof({ weight: 8, arbitrary: fc.constant(signer.installationId) }, pick([...world.installations, ...world.formerInstallations].map((i) => i.installationId), uuid)) : uuid;
      case 'mobileServerGuid':
        return fc.oneof({ weight: 6, arbitrary: pick(signer?.mobileServerGuids ?? [], uuid) }, uuid, pick(signer?.mobileServerGuids ?? [], uuid).map((g) => g.toUpperCase()));
      case 'deviceGuid':
        return fc.oneof({ weight: 3, arbitrary: pick(signer?.deviceGuids ?? [], uuid) }, uuid);
      case 'notificationId':
        return fc.oneof({ weight: 3, arbitrary: pick(signer?.notificationIds ?? [], uuid) }, uuid);
      default:
        return uuid;
    }
  })();
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: junkSegment });
}

function parameterNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
}

function overridesFor(world: World, signer: FuzzInstallation | undefined): Overrides {
  const future = fc.integer({ min: -30, max: 800 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
  return {
    customerId: fc.oneof({ weight: 6, arbitrary: pick(world.customerIds, fc.uuid()) }, fc.uuid()),
    toCustomerId: fc.oneof({ weight: 6, arbitrary: pick(world.customerIds, fc.uuid()) }, fc.uuid()),
    partnerId: fc.oneof(pick(world.partners.map((p) => p.partnerId), fc.uuid()), fc.constant(null), fc.uuid()),
    slc: slcArbitrary(world, fc.string({ maxLength: 64 })),
    installationId: signer ? fc.constant(signer.installationId) : fc.uuid(),
    mobileServerGuid: fc.oneof({ weight: 5, arbitrary: pick(signer?.mobileServerGuids ?? [], fc.uuid()) }, fc.uuid()),
    mac: fc.oneof({ weight: 12, arbitrary: validMac }, fc.string({ maxLength: 17 })),
    eulaVersion: fc.oneof({ weight: 9, arbitrary: fc.constant('20250212') }, fc.string({ minLength: 1, maxLength: 10 })),
    version: fc.oneof({ weight: 8, arbitrary: pick(world.versions, fc.constant('2025 R1')) }, fc.stringMatching(/^20[0-4]\d R[123]$/)),
    country: fc.constantFrom('DK', 'SE', 'DE', 'US', 'IR', 'KP', 'dk', 'XX'),
    validUntil: fc.oneof({ weight: 4, arbitrary: future }, fc.constant(null), future.map((time) => time.slice(0, 10))),
    deviceLicenses: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 120 }) }, fc.integer({ min: 0, max: 1_000_000 })),
    videoChannels: fc.integer({ min: 0, max: 24 }),
    videoPushUsers: fc.integer({ min: 0, max: 3 }),
    port: fc.integer({ min: 1, max: 65535 }),
    consent: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, fc.constant(false)),
    eulaAccepted: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, fc.constant(false)),
    failover: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, fc.constant(true)),
  };
}

const schemaCache = new Map<string, JsonSchema>();
export function bodyJsonSchema(key: string): JsonSchema | undefined {
  const schema = bodySchemas[key];
  if (!schema) return undefined;
  if (!schemaCache.has(key)) schemaCache.set(key, jsonSchemaOf(schema));
  return schemaCache.get(key);
}

function authArbitrary(route: RouteDefinition, world: World, signer: FuzzInstallation | undefined): fc.Arbitrary<Auth> {
  const partner = pick(world.partners.map((p): Auth => ({ kind: 'bearer', token: p.apiKey })), fc.constant<Auth>({ kind: 'none' }));
  const ops = fc.constant<Auth>({ kind: 'bearer', token: TEST_OPS_TOKEN });
  const signed = signer ? fc.constant<Auth>({ kind: 'signed', credentials: signer }) : fc.constant<Auth>({ kind: 'none' });
  if (route.access === 'none' || route.access === 'activation') return fc.constant({ kind: 'none' });
  const roles = route.access as readonly string[];
  const options: Array<fc.WeightedArbitrary<Auth>> = [];
  if (roles.includes('ops')) options.push({ weight: 8, arbitrary: ops });
  if (roles.includes('partner')) options.push({ weight: 8, arbitrary: partner });
  if (roles.includes('installation')) options.push({ weight: 10, arbitrary: signed });
  options.push({ weight: 1, arbitrary: fc.oneof(ops, partner, signed, fc.constant<Auth>({ kind: 'none' })) });
  return fc.oneof(...options);
}

function baseDraft(route: RouteDefinition, world: World): fc.Arbitrary<Draft> {
  const key = routeKey(route);
  const names = parameterNames(route.path);
  return signerArbitrary(world).chain((signer) => {
    const parameters = fc.record(Object.fromEntries(names.map((name) => [name, pathParameterArbitrary(name, world, signer)])));
    const schema = bodyJsonSchema(key);
    const body: fc.Arbitrary<Body> = schema
      ? arbitraryOf(schema, overridesFor(world, signer)).map((value): Body => ({ kind: 'json', value }))
      : fc.constant<Body>({ kind: 'none' });
    const query: fc.Arbitrary<Array<[string, string]>> = listRoutes[key]
      ? fc.record({ limit: fc.integer({ min: 1, max: 100 }).map(String) }, { requiredKeys: [] }).map((q) => Object.entries(q) as Array<[string, string]>)
      : fc.constant([]);
    const headers: fc.Arbitrary<Record<string, string>> =
      key === 'POST /v1/activations/ami'
        ? fc.oneof({ weight: 9, arbitrary: fc.constant({ 'x-product-version': '2025 R1' }) }, fc.record({ 'x-product-version': fc.string({ maxLength: 12 }) }), fc.constant({}))
        : fc.constant({});
    return fc.record({ pathParameters: parameters, body, query, auth: authArbitrary(route, world, signer), headers, mode: fc.integer({ min: 0, max: 9 }) }).map(
      ({ pathParameters, body, query, auth, headers, mode }): Draft => {
        const draft: Draft = { route, key, method: route.method, pathParameters, rawSegments: {}, suffix: '', query, body, auth, headers, signer, mutations: [], refused: false };
        if (key === 'POST /v1/activations' && body.kind === 'json' && isObject(body.value)) {
          // First activations (slc, no credentials) and re-activations (installationId, signed).
          const value = body.value;
          if (mode < 5) {
            delete value.installationId;
            if (value.slc === undefined) value.slc = world.slcs[mode % Math.max(1, world.slcs.length)] ?? 'M01-XPCO-251-0000000000000000';
          } else if (mode < 9 && signer) {
            delete value.slc;
            value.installationId = signer.installationId;
            draft.auth = { kind: 'signed', credentials: signer };
          }
        }
        if (key === 'POST /v1/activations/ami' && body.kind === 'json' && isObject(body.value) && mode < 6 && world.identityDocuments.length > 0) {
          body.value.aws = world.identityDocuments[mode % world.identityDocuments.length];
        }
        return draft;
      },
    );
  });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------
// Mutations

interface Mutation {
  name: string;
  /** How often it is chosen relative to the others (default 5). */
  weight?: number;
  /** A 4xx is guaranteed whatever else the request carries. */
  refusing: boolean;
  applies(draft: Draft): boolean;
  arbitrary(draft: Draft, world: World): fc.Arbitrary<(draft: Draft) => void>;
}

const roleRoute = (draft: Draft) => Array.isArray(draft.route.access);
const hasSchema = (draft: Draft) => bodySchemas[draft.key] !== undefined;
const isSignedRoute = (draft: Draft) =>
  draft.route.access === 'activation' || (Array.isArray(draft.route.access) && draft.route.access.includes('installation'));

function typesOf(schema: JsonSchema): Set<string> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return new Set(alternatives.flatMap((alternative) => [...typesOf(alternative)]));
  if (schema.const !== undefined) return new Set([typeof schema.const]);
  if (schema.enum) return new Set(schema.enum.map((value) => typeof value));
  const type = schema.type;
  return new Set(type === undefined ? ['any'] : Array.isArray(type) ? type : [type === 'integer' ? 'number' : type]);
}

const wrongValues: Array<[string, unknown]> = [
  ['string', 'forty-two'],
  ['number', 42],
  ['boolean', true],
  ['null', null],
  ['array', [1, 'two']],
  ['object', { nested: 1 }],
];

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let current: any = target;
  for (const [index, segment] of path.slice(0, -1).entries()) {
    const nextIsIndex = /^\d+$/.test(path[index + 1]!);
    if (typeof current[segment] !== 'object' || current[segment] === null) current[segment] = nextIsIndex ? [] : {};
    current = current[segment];
  }
  const last = path[path.length - 1]!;
  Object.defineProperty(current, last, { value, enumerable: true, writable: true, configurable: true });
}

function jsonBody(draft: Draft): Record<string, unknown> {
  if (draft.body.kind !== 'json' || !isObject(draft.body.value)) draft.body = { kind: 'json', value: {} };
  return (draft.body as { value: Record<string, unknown> }).value;
}

function fieldsWhere(draft: Draft, test: (field: FieldInfo) => boolean): FieldInfo[] {
  const schema = bodyJsonSchema(draft.key);
  return schema ? fieldsOf(schema).filter(test) : [];
}

const maxLengthFields = (draft: Draft) => fieldsWhere(draft, (field) => typeof field.schema.maxLength === 'number');
const boundedArrayFields = (draft: Draft) => fieldsWhere(draft, (field) => typeof field.schema.maxItems === 'number' || (field.schema.minItems ?? 0) > 0);
const typedFields = (draft: Draft) => fieldsWhere(draft, (field) => !typesOf(field.schema).has('any'));
const boundedNumberFields = (draft: Draft) => fieldsWhere(draft, (field) => field.schema.type === 'integer' && (field.schema.maximum !== undefined || field.schema.minimum !== undefined));
const strictObjects = (draft: Draft) => {
  const schema = bodyJsonSchema(draft.key);
  if (!schema) return [];
  return [{ path: [] as string[], schema, required: true }, ...fieldsOf(schema).filter((field) => field.schema.additionalProperties === false && field.schema.type === 'object')];
};

const mutations: Mutation[] = [
  // Credentials
  {
    name: 'auth:none',
    refusing: true,
    applies: roleRoute,
    arbitrary: () => fc.constant((d) => void (d.auth = { kind: 'none' })),
  },
  {
    name: 'auth:unknown-token',
    refusing: true,
    applies: roleRoute,
    arbitrary: () => fc.oneof(fc.constant(`pk_${randomUUID()}`), fc.stringMatching(/^[A-Za-z0-9_-]{1,80}$/)).map((token) => (d: Draft) => void (d.auth = { kind: 'bearer', token })),
  },
  {
    name: 'auth:malformed-header',
    refusing: true,
    applies: roleRoute,
    arbitrary: () =>
      fc.constantFrom('Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'bearer', `Bearer ${'x'.repeat(600)}`, 'Token abc', 'Bearer\ttab').map(
        (value) => (d: Draft) => void (d.auth = { kind: 'authorization', value }),
      ),
  },
  {
    name: 'auth:wrong-role',
    refusing: true,
    applies: (d) => roleRoute(d) && d.route.access !== 'none',
    arbitrary: (draft, world) => {
      const roles = draft.route.access as readonly string[];
      const choices: Auth[] = [];
      if (!roles.includes('ops')) choices.push({ kind: 'bearer', token: TEST_OPS_TOKEN });
      if (!roles.includes('partner')) choices.push(...world.partners.map((p): Auth => ({ kind: 'bearer', token: p.apiKey })));
      if (!roles.includes('installation') && world.installations[0]) choices.push({ kind: 'signed', credentials: world.installations[0] });
      return choices.length > 0 ? fc.constantFrom(...choices).map((auth) => (d: Draft) => void (d.auth = auth)) : fc.constant(() => undefined);
    },
  },
  {
    name: 'signature',
    refusing: true,
    applies: (d) => isSignedRoute(d) && d.signer !== undefined,
    arbitrary: () =>
      fc
        .constantFrom<Tamper>('wrong-secret', 'other-body', 'uppercase', 'stale', 'future', 'bad-timestamp', 'no-signature', 'unknown-installation', 'not-hex')
        .map((tamper) => (d: Draft) => void (d.auth = { kind: 'signed', credentials: d.signer!, tamper })),
  },
  // Transport
  {
    name: 'content-type',
    refusing: true,
    applies: () => true,
    arbitrary: () =>
      fc
        .constantFrom<string | null>('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', 'json', null)
        .map((contentType) => (d: Draft) => {
          if (d.body.kind === 'none') d.body = { kind: 'text', text: 'name=value' };
          d.contentType = contentType;
        }),
  },
  {
    name: 'invalid-json',
    refusing: true,
    applies: () => true,
    arbitrary: () =>
      fc
        .constantFrom('{', '{"a":1,}', "{'a':1}", 'NaN', '[1,2', '{"a":1}{"b":2}', '\u0000', '\ufeff{}', 'undefined', '{"a":01}', '{"a":"\u0001"}', '[' .repeat(3000))
        .map((text) => (d: Draft) => void (d.body = { kind: 'text', text })),
  },
  {
    name: 'invalid-utf8',
    refusing: true,
    applies: () => true,
    arbitrary: () =>
      fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]).map((bad) => (d: Draft) => {
        const text = d.body.kind === 'json' ? JSON.stringify(d.body.value) ?? '{}' : '{"name":"x"}';
        const at = text.indexOf('":"') >= 0 ? text.indexOf('":"') + 3 : -1;
        const bytes = at >= 0
          ? Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at))])
          : Buffer.concat([Buffer.from('{"x":"'), Buffer.from(bad), Buffer.from('"}')]);
        d.body = { kind: 'bytes', bytes };
      }),
  },
  {
    name: 'too-large',
    weight: 1,
    refusing: true,
    applies: () => true,
    arbitrary: () => fc.constant((d: Draft) => void (d.body = { kind: 'text', text: JSON.stringify({ padding: 'x'.repeat(6 * 1024 * 1024) }) })),
  },
  {
    name: 'wrong-method',
    refusing: true,
    applies: () => true,
    arbitrary: (draft) => {
      const allowed = new Set(definitions.filter((route) => route.path === draft.route.path).map((route) => route.method));
      return fc.constantFrom(...METHODS.filter((method) => !allowed.has(method))).map((method) => (d: Draft) => void (d.method = method));
    },
  },
  {
    name: 'bad-percent-encoding',
    refusing: true,
    applies: (d) => parameterNames(d.route.path).length > 0,
    arbitrary: (draft) =>
      fc.tuple(fc.constantFrom(...parameterNames(draft.route.path)), fc.constantFrom('%E0%A4%A', '%ZZ', 'abc%', '%C0%AF', '%ED%A0%80')).map(
        ([name, raw]) => (d: Draft) => void (d.rawSegments[name] = raw),
      ),
  },
  {
    name: 'unknown-route',
    refusing: true,
    applies: () => true,
    arbitrary: () => fc.constantFrom('/zz-unknown', '/zz-unknown/deeper').map((suffix) => (d: Draft) => void (d.suffix = suffix)),
  },
  {
    name: 'idempotency-key',
    refusing: true,
    applies: (d) => d.route.method === 'POST',
    arbitrary: () => fc.constantFrom('', 'k'.repeat(129), 'k'.repeat(1000)).map((key) => (d: Draft) => void (d.headers['idempotency-key'] = key)),
  },
  // Body shape
  {
    name: 'wrong-type',
    refusing: true,
    applies: (d) => typedFields(d).length > 0,
    arbitrary: (draft) =>
      fc.constantFrom(...typedFields(draft)).chain((field) => {
        const allowed = typesOf(field.schema);
        return fc
          .constantFrom(...wrongValues.filter(([type]) => !allowed.has(type)))
          .map(([, value]) => (d: Draft) => setAt(jsonBody(d), field.path, structuredClone(value)));
      }),
  },
  {
    name: 'missing-field',
    refusing: true,
    applies: (d) => fieldsWhere(d, (field) => field.required && field.path.length === 1).length > 0,
    arbitrary: (draft) =>
      fc.constantFrom(...fieldsWhere(draft, (field) => field.required && field.path.length === 1)).map((field) => (d: Draft) => {
        delete jsonBody(d)[field.path[0]!];
      }),
  },
  {
    name: 'extra-field',
    refusing: true,
    applies: (d) => hasSchema(d),
    arbitrary: (draft) =>
      fc.tuple(fc.constantFrom(...strictObjects(draft)), fc.constantFrom('colour', '__proto__', 'constructor', 'isAdmin', 'toString', 'hasOwnProperty', 'Slc')).map(
        ([field, name]) => (d: Draft) => {
          const body = jsonBody(d);
          if (field.path.length === 0) setAt(body, [name], { polluted: true });
          else setAt(body, [...field.path, name], { polluted: true });
        },
      ),
  },
  {
    name: 'oversized-string',
    refusing: true,
    applies: (d) => maxLengthFields(d).length > 0,
    arbitrary: (draft) =>
      fc.tuple(fc.constantFrom(...maxLengthFields(draft)), fc.integer({ min: 1, max: 400 }), fc.constantFrom('x', 'é', '😀')).map(
        ([field, extra, unit]) => (d: Draft) => setAt(jsonBody(d), field.path, unit.repeat(field.schema.maxLength! + extra)),
      ),
  },
  {
    name: 'array-bounds',
    refusing: true,
    applies: (d) => boundedArrayFields(d).length > 0,
    arbitrary: (draft) =>
      fc.constantFrom(...boundedArrayFields(draft)).chain((field) =>
        arbitraryOf(field.schema.items ?? {}).map((item) => (d: Draft) => {
          const tooMany = field.schema.maxItems !== undefined;
          setAt(jsonBody(d), field.path, tooMany ? Array.from({ length: field.schema.maxItems! + 1 }, () => item) : []);
        }),
      ),
  },
  {
    name: 'number-bounds',
    refusing: true,
    applies: (d) => boundedNumberFields(d).length > 0,
    arbitrary: (draft) =>
      fc.tuple(fc.constantFrom(...boundedNumberFields(draft)), fc.constantFrom('above', 'below', 'fraction')).map(([field, how]) => (d: Draft) => {
        const { minimum, maximum } = field.schema;
        const value = how === 'above' && maximum !== undefined ? maximum + 1 : how === 'below' && minimum !== undefined ? minimum - 1 : (minimum ?? 0) + 0.5;
        setAt(jsonBody(d), field.path, value);
      }),
  },
  {
    name: 'not-an-object',
    refusing: true,
    applies: (d) => hasSchema(d),
    arbitrary: () =>
      fc.constantFrom<unknown>(null, [], 'text', 42, true, [{}]).map((value) => (d: Draft) => void (d.body = { kind: 'json', value })),
  },
  {
    name: 'no-body',
    refusing: true,
    applies: (d) => hasSchema(d) && !bodyOptional.has(d.key),
    arbitrary: () => fc.constant((d: Draft) => void (d.body = { kind: 'none' })),
  },
  // Query
  {
    name: 'bad-limit',
    refusing: true,
    applies: (d) => listRoutes[d.key] !== undefined,
    arbitrary: () =>
      fc.constantFrom('0', '101', '-1', 'abc', '1.5', '', '1e3', 'NaN', 'Infinity', '5&limit=6').map((limit) => (d: Draft) => {
        d.query = d.query.filter(([name]) => name !== 'limit');
        if (limit.includes('&')) d.query.push(['limit', '5'], ['limit', '6']);
        else d.query.push(['limit', limit]);
      }),
  },
  {
    name: 'bad-cursor',
    refusing: true,
    applies: (d) => listRoutes[d.key] !== undefined,
    arbitrary: () =>
      fc
        .oneof(fc.constantFrom('', 'abc', 'a.b', '.', '..', 'x'.repeat(3000), 'eyJwayI6IkxJQ0VOU0UjeCJ9.AAAA', 'bnVsbA.c2ln'), fc.base64String({ minLength: 4, maxLength: 60 }))
        .map((cursor) => (d: Draft) => void d.query.push(['cursor', cursor])),
  },
  {
    name: 'unknown-query',
    refusing: true,
    applies: (d) => listRoutes[d.key] !== undefined,
    arbitrary: () => fc.constantFrom('colour', 'offset', 'LIMIT', '__proto__').map((name) => (d: Draft) => void d.query.push([name, '1'])),
  },
  // Harmless variations: accepted or refused, they must never break the service.
  {
    name: 'odd-path-parameter',
    refusing: false,
    applies: (d) => parameterNames(d.route.path).length > 0,
    arbitrary: (draft) =>
      fc.tuple(fc.constantFrom(...parameterNames(draft.route.path)), junkSegment).map(([name, value]) => (d: Draft) => void (d.pathParameters[name] = value)),
  },
  {
    name: 'json-variant',
    refusing: false,
    applies: () => true,
    arbitrary: () =>
      fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.api+json', 'application/json;charset=UTF-8').map(
        (contentType) => (d: Draft) => void (d.contentType = contentType),
      ),
  },
  {
    name: 'idempotency-key-valid',
    refusing: false,
    applies: (d) => d.route.method === 'POST',
    arbitrary: () => fc.oneof(fc.constantFrom('fuzz-key-1', 'fuzz-key-2'), fc.uuid()).map((key) => (d: Draft) => void (d.headers['idempotency-key'] = key)),
  },
  {
    name: 'noise-headers',
    refusing: false,
    applies: () => true,
    arbitrary: () =>
      fc
        .record({ 'x-forwarded-for': fc.ipV4(), 'user-agent': fc.stringMatching(/^[ -~]{0,80}$/), 'x-amzn-trace-id': fc.constant('Root=1-00000000-000000000000000000000000'), accept: fc.constantFrom('*/*', 'text/html') }, { requiredKeys: [] })
        .map((headers) => (d: Draft) => Object.assign(d.headers, headers)),
  },
  {
    name: 'any-json-body',
    refusing: false,
    applies: () => true,
    arbitrary: () => fc.jsonValue({ maxDepth: 3 }).map((value) => (d: Draft) => void (d.body = { kind: 'json', value })),
  },
  {
    name: 'duplicate-keys',
    refusing: false,
    applies: (d) => d.body.kind === 'json' && isObject(d.body.value),
    arbitrary: () =>
      fc.constant((d: Draft) => {
        const text = JSON.stringify((d.body as { value: unknown }).value);
        d.body = { kind: 'text', text: text.length > 2 ? `{"zz":1,${text.slice(1, -1)},"zz":2}` : text };
      }),
  },
];

export const mutationNames = mutations.map((mutation) => mutation.name);

function mutated(draft: Draft, world: World, refusedOnly: boolean, count: number): fc.Arbitrary<Draft> {
  const candidates = mutations.filter((mutation) => (!refusedOnly || mutation.refusing) && mutation.applies(draft));
  if (count === 0 || candidates.length === 0) return fc.constant(draft);
  return fc.oneof(...candidates.map((mutation) => ({ weight: mutation.weight ?? 5, arbitrary: fc.constant(mutation) }))).chain((mutation) =>
    mutation.arbitrary(draft, world).chain((apply) => {
      const next: Draft = { ...structuredCloneDraft(draft), mutations: [...draft.mutations, mutation.name] };
      apply(next);
      next.refused ||= mutation.refusing;
      return mutated(next, world, refusedOnly, count - 1);
    }),
  );
}

function structuredCloneDraft(draft: Draft): Draft {
  return {
    ...draft,
    pathParameters: { ...draft.pathParameters },
    rawSegments: { ...draft.rawSegments },
    query: [...draft.query],
    headers: { ...draft.headers },
    body: draft.body.kind === 'json' ? { kind: 'json', value: structuredClone(draft.body.value) } : draft.body,
  };
}

/**
 * Requests for the whole route table; `refusedOnly` gives only requests that must be refused.
 * Drafts are finalized (signed) when they are sent, with the credentials of that moment.
 */
export function requestArbitrary(world: World, options: { refusedOnly: boolean }): fc.Arbitrary<Draft> {
  // Activation is the heart of the service: it gets four times the share of any other route.
  const perRoute = definitions.map((route) => ({ weight: route.path === '/v1/activations' ? 4 : 1, arbitrary: baseDraft(route, world) }));
  return fc
    .oneof(...perRoute)
    .chain((draft) => {
      const count = options.refusedOnly ? fc.integer({ min: 1, max: 2 }) : fc.constantFrom(0, 0, 0, 1, 1, 1, 2);
      return count.chain((n) => mutated(draft, world, options.refusedOnly, n));
    })
    .filter((draft) => !options.refusedOnly || draft.refused);
}

function encodeSegment(value: string): string {
  return encodeURIComponent(value);
}

/** The request as it goes over the wire: path, headers, body bytes and (last) the signature. */
export function finalize(draft: Draft): FuzzRequest {
  const path =
    draft.route.path.replace(/\{(\w+)\}/g, (_, name: string) => draft.rawSegments[name] ?? encodeSegment(draft.pathParameters[name] ?? '')) + draft.suffix;
  const query = draft.query.length > 0 ? `?${draft.query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')}` : '';
  const headers: Record<string, string> = { ...draft.headers };
  let body: string | Buffer | undefined;
  switch (draft.body.kind) {
    case 'json':
      body = JSON.stringify(draft.body.value);
      break;
    case 'text':
      body = draft.body.text;
      break;
    case 'bytes':
      body = draft.body.bytes;
      break;
  }
  if (body !== undefined && body.length === 0) body = undefined;
  if (draft.contentType === undefined) {
    if (body !== undefined) headers['content-type'] = 'application/json';
  } else if (draft.contentType !== null) headers['content-type'] = draft.contentType;

  const auth = draft.auth;
  if (auth.kind === 'bearer') headers.authorization = `Bearer ${auth.token}`;
  if (auth.kind === 'authorization') headers.authorization = auth.value;
  if (auth.kind === 'signed') {
    const rawBody = body === undefined ? '' : typeof body === 'string' ? body : body.toString('utf8');
    const now = Math.floor(Date.now() / 1000);
    const tamper = auth.tamper;
    const timestamp = tamper === 'stale' ? now - 301 - (now % 5000) : tamper === 'future' ? now + 400 : now;
    const secret = tamper === 'wrong-secret' ? 'not-the-installation-secret' : auth.credentials.installationSecret;
    let signed = signature(secret, timestamp, draft.method, path, tamper === 'other-body' ? `${rawBody} ` : rawBody);
    if (tamper === 'uppercase') signed = signed.toUpperCase();
    if (tamper === 'not-hex') signed = `zz${signed.slice(2)}`;
    headers['x-installation-id'] = tamper === 'unknown-installation' ? randomUUID() : auth.credentials.installationId;
    headers['x-timestamp'] = tamper === 'bad-timestamp' ? 'yesterday' : String(timestamp);
    if (tamper !== 'no-signature') headers['x-signature'] = signed;
  }
  return {
    key: draft.key,
    method: draft.method,
    path: path + query,
    pathParameters: draft.pathParameters,
    headers,
    body,
    mutations: draft.mutations,
    refused: draft.refused,
  };
}
