import type * as z from 'zod/mini';
import { routeDocs } from '../../shared/http/openapi-routes';

const docs = Object.entries(routeDocs);

/**
 * The request schemas each route parses, from the routes' OpenAPI metadata (shared/http/openapi-routes.ts).
 * Every route that takes a body must have one; test/fuzz/api-fuzz.test.ts checks that against the route table.
 */
export const bodySchemas: Record<string, z.ZodMiniType> = Object.fromEntries(
  docs.flatMap(([key, doc]) => (doc.body ? [[key, doc.body as z.ZodMiniType]] : [])),
);

/** Routes whose body may be absent or empty and still be accepted (every field optional). */
export const bodyOptional = new Set(['PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}']);

/** Routes that take `?limit=` and `?cursor=` (and refuse other query parameters). */
export const listRoutes: Record<string, z.ZodMiniType> = Object.fromEntries(
  docs.flatMap(([key, doc]) => (doc.query ? [[key, doc.query as z.ZodMiniType]] : [])),
);

/** Routes that take no body: every method but POST, PUT and PATCH; and the POSTs without one. */
export const noBodyRoutes = new Set(['POST /v1/installations/{installationId}/credentials']);
