import * as z from 'zod/mini';
import { errorResponse } from '../schemas/responses';
import { routeDocs, type RouteDoc, type RouteErrors } from './openapi-routes';
import { routeKey, routes, type Access, type FunctionName, type RouteDefinition, type RouteKeyOf, type Role } from './routes';

/** The OpenAPI 3.1 document of the API (API.md §13), built from the route table, its docs and the zod schemas. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
}

type JsonSchema = Record<string, unknown>;
type SecurityRequirement = Record<string, string[]>;

interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  security: SecurityRequirement[];
  parameters: unknown[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
}

const INSTALLATION_SIGNATURE: SecurityRequirement = { installationId: [], installationTimestamp: [], installationSignature: [] };

const DASHBOARD_USER: SecurityRequirement = { dashboardJwt: [] };

/**
 * Which credentials each role of the route table presents: a dashboard user of the role (§11)
 * presents its ID token; ops and partners may also present their token or key.
 */
const roleSecurity: Record<Role, SecurityRequirement[]> = {
  ops: [{ opsToken: [] }, DASHBOARD_USER],
  partner: [{ partnerKey: [] }, DASHBOARD_USER],
  'customer-admin': [DASHBOARD_USER],
  'customer-user': [DASHBOARD_USER],
  installation: [INSTALLATION_SIGNATURE],
};

const securitySchemes = {
  opsToken: { type: 'http', scheme: 'bearer', description: 'The ops token of the cell (API.md §2).' },
  partnerKey: { type: 'http', scheme: 'bearer', description: 'A partner API key, issued once by ops.' },
  dashboardJwt: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "An ID token of the cell's user pool (dashboard users, API.md §11).",
  },
  installationId: { type: 'apiKey', in: 'header', name: 'X-Installation-Id', description: 'The installation that signs the request.' },
  installationTimestamp: { type: 'apiKey', in: 'header', name: 'X-Timestamp', description: 'Unix seconds; at most 300 s from the server clock.' },
  installationSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Signature',
    description:
      'Lowercase hex HMAC-SHA256 with the installation secret over "<timestamp>\\n<METHOD>\\n<path>\\n<hex SHA-256 of the raw body>" (docs/API.md, "Signing").',
  },
};

function securityOf(access: Access): SecurityRequirement[] {
  if (access === 'none') return [];
  if (access === 'activation') return [{}, INSTALLATION_SIGNATURE];
  const requirements = access.flatMap((role) => roleSecurity[role]);
  return requirements.filter((requirement, index) => requirements.findIndex((other) => JSON.stringify(other) === JSON.stringify(requirement)) === index);
}

function jsonSchema(schema: z.core.$ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Refusals every route can answer, by what the route is: any body is parsed, POSTs are idempotent, credentials are checked. */
function commonErrors(route: RouteDefinition): Record<number, string[]> {
  const errors: Record<number, string[]> = {
    400: ['validation_failed', 'invalid_json'],
    413: ['payload_too_large'],
    415: ['unsupported_media_type'],
    431: ['request_headers_too_large'],
    500: ['internal_error'],
  };
  if (route.method === 'POST') {
    errors[409] = ['idempotency_in_progress'];
    errors[422] = ['idempotency_key_reused'];
  }
  const signed = route.access === 'activation' || (Array.isArray(route.access) && route.access.includes('installation'));
  if (route.access !== 'none') {
    errors[401] = ['unauthorized', ...(signed ? ['invalid_signature', 'stale_request', 'replayed_request'] : [])];
    errors[403] = ['forbidden'];
  }
  return errors;
}

function mergeErrors(common: Record<number, string[]>, specific: RouteErrors = {}): Record<number, string[]> {
  const merged: Record<number, string[]> = { ...common };
  for (const [status, codes] of Object.entries(specific)) {
    merged[Number(status)] = [...new Set([...(merged[Number(status)] ?? []), ...(codes ?? [])])];
  }
  return merged;
}

function errorResponses(errors: Record<number, string[]>): Operation['responses'] {
  const result: Operation['responses'] = {};
  for (const [status, codes] of Object.entries(errors)) {
    result[status] = {
      description: `Refused: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/ErrorResponse' },
              { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } },
            ],
          },
        },
      },
    };
  }
  return result;
}

function parameters(route: RouteDefinition, doc: RouteDoc): unknown[] {
  const pathSchemas = (doc.path ? jsonSchema(doc.path).properties : undefined) as Record<string, JsonSchema> | undefined;
  const result: unknown[] = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: pathSchemas?.[name!] ?? { type: 'string' },
  }));
  if (doc.query) {
    const query = jsonSchema(doc.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      result.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  for (const [name, header] of Object.entries(doc.headers ?? {})) {
    result.push({ name, in: 'header', required: header.required, description: header.description, schema: jsonSchema(header.schema) });
  }
  if (route.method === 'POST') {
    result.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'A repeat with the same key and body returns the first response (docs/API.md, "Idempotency").',
      schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x20-\\x7e]+$' },
    });
  }
  return result;
}

function operationOf(route: RouteDefinition, doc: RouteDoc): Operation {
  const responses: Operation['responses'] = {};
  for (const [status, schema] of Object.entries(doc.responses)) {
    responses[status] = schema
      ? { description: 'Success.', content: { 'application/json': { schema: jsonSchema(schema) } } }
      : { description: 'Success, no body.' };
  }
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: doc.summary,
    tags: [doc.tag],
    security: securityOf(route.access),
    parameters: parameters(route, doc),
    ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } } } : {}),
    responses: { ...responses, ...errorResponses(mergeErrors(commonErrors(route), doc.errors)) },
  };
}

/** Builds the document; the public function serves it at `GET /v1/openapi.json`. */
export function buildOpenApiDocument(): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  for (const route of routes as readonly RouteDefinition[]) {
    const doc = routeDocs[routeKey(route) as RouteKeyOf<FunctionName>];
    tags.add(doc.tag);
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route, doc);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cloud Licensing API',
      version: '1',
      description:
        'The licensing back end that XProtect management servers activate with. Counting rules, request signing, offline files, idempotency and errors: docs/API.md in the repository.',
    },
    servers: [{ url: '/' }],
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: { securitySchemes, schemas: { ErrorResponse: jsonSchema(errorResponse) } },
  };
}
