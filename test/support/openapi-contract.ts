import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import { routeKey } from '../../shared/http/routes';
import { routeFor } from '../../local/server';

/** One response of the API as a test saw it. */
export interface RecordedExchange {
  method: string;
  /** URL path with the query string. */
  path: string;
  status: number;
  body: unknown;
}

const document = buildOpenApiDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, 'openapi.json');
const validators = new Map<string, ValidateFunction | undefined>();

const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function validatorFor(path: string, method: string, status: string): ValidateFunction | undefined {
  const id = `openapi.json#/${pointer('paths', path, method, 'responses', status, 'content', 'application/json', 'schema')}`;
  if (!validators.has(id)) validators.set(id, ajv.getSchema(id));
  return validators.get(id);
}

/**
 * Checks one response against the OpenAPI document: its status must be documented for the route
 * (with the error code under that status), and its body must match that status's schema.
 * Returns what does not match, or undefined. Requests that name no route are not checked.
 */
export function contractViolation(exchange: RecordedExchange): string | undefined {
  const pathname = new URL(exchange.path, 'http://localhost').pathname;
  const route = routeFor(exchange.method, pathname);
  if (!route) return undefined;
  const key = routeKey(route);
  const operation = document.paths[route.path]?.[route.method.toLowerCase()];
  const response = operation?.responses[String(exchange.status)];
  if (!response) return `${key}: status ${exchange.status} is not documented (body ${JSON.stringify(exchange.body)?.slice(0, 300)})`;
  if (!response.content) {
    return exchange.body === undefined ? undefined : `${key}: ${exchange.status} is documented without a body`;
  }
  const validate = validatorFor(route.path, route.method.toLowerCase(), String(exchange.status))!;
  if (validate(exchange.body)) return undefined;
  return `${key} ${exchange.status}: ${ajv.errorsText(validate.errors)} (body ${JSON.stringify(exchange.body)?.slice(0, 300)})`;
}
