import * as z from 'zod/mini';
import { validationFailed } from '../errors';
import type { ApiRequest, ApiResponse, RouteImplementation } from './types';

export { validationFailed };

/** Parses input with a zod schema; a mismatch is 400 validation_failed with one detail per issue. */
export function parseWith<S extends z.ZodMiniType>(schema: S, input: unknown, where?: string): z.output<S> {
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  const prefix = where ? [where] : [];
  const details = result.error.issues.slice(0, 50).flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...prefix, ...issue.path.map(String), key].join('.'), message: 'unknown field' }))
      : [{ path: [...prefix, ...issue.path.map(String)].join('.'), message: issue.message }],
  );
  throw validationFailed(details);
}

/**
 * A route that takes a JSON body of this schema. The handler factory parses the body before the
 * route runs (400 validation_failed on a mismatch, `null` included; no body at all is read as `{}`)
 * and hands it over as `input`; `parse` replaces the plain schema check where a route refuses some
 * bodies otherwise (it gets `undefined` for no body).
 */
export function withBody<S extends z.ZodMiniType, T = z.output<S>>(
  schema: S,
  handle: (request: ApiRequest, input: T) => Promise<ApiResponse>,
  parse: (input: unknown) => T = (input) => parseWith(schema, input === undefined ? {} : input) as T,
): RouteImplementation {
  return Object.assign((request: ApiRequest) => handle(request, request.body as T), { body: { schema, parse } });
}
