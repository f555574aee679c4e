import type * as z from 'zod/mini';
import { lambdaHandlers } from '../../local/handlers';
import { routeDocs } from '../../shared/http/openapi-routes';

/**
 * The request schema of every route that takes a body, as the routes declare it (`withBody`); the
 * handler factory refuses any body on the others. test/fuzz/api-fuzz.test.ts checks it against the
 * route table.
 */
export const bodySchemas: Record<string, z.ZodMiniType> = Object.assign({}, ...Object.values(lambdaHandlers).map((handler) => handler.bodySchemas));

/** Routes whose body may be absent or empty and still be accepted (every field optional). */
export const bodyOptional = new Set(['PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}']);

/** Routes that take `?limit=` and `?cursor=` (and refuse other query parameters), from the routes' OpenAPI metadata. */
export const listRoutes: Record<string, z.ZodMiniType> = Object.fromEntries(
  Object.entries(routeDocs).flatMap(([key, doc]) => (doc.query ? [[key, doc.query as z.ZodMiniType]] : [])),
);

/** Routes that take no body: every method but POST, PUT and PATCH; and the POSTs without one. */
export const noBodyRoutes = new Set(['POST /v1/installations/{installationId}/credentials', 'POST /v1/jobs/care-plus-reminders']);
