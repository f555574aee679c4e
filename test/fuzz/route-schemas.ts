import type * as z from 'zod/mini';
import { lambdaHandlers } from '../../local/handlers';
import { listQuery } from '../../shared/schemas/common';

/**
 * The request schema of every route that takes a body, as the routes declare it (`withBody`); the
 * handler factory refuses any body on the others. test/fuzz/api-fuzz.test.ts checks it against the
 * route table.
 */
export const bodySchemas: Record<string, z.ZodMiniType> = Object.assign({}, ...Object.values(lambdaHandlers).map((handler) => handler.bodySchemas));

/** Routes whose body may be absent or empty and still be accepted (every field optional). */
export const bodyOptional = new Set(['PUT /v1/installations/{installationId}/mobile-servers/{mobileServerGuid}']);

/** Routes that take `?limit=` and `?cursor=` (and refuse other query parameters). */
export const listRoutes: Record<string, z.ZodMiniType> = {
  'GET /v1/catalog/versions': listQuery,
  'GET /v1/licenses/{slc}/devices': listQuery,
  'GET /v1/licenses/{slc}/events': listQuery,
  'GET /v1/partner/customers': listQuery,
  'GET /v1/partner/licenses': listQuery,
  'GET /v1/partner/installations/{installationId}/health': listQuery,
};

/** Routes that take no body: every method but POST, PUT and PATCH; and the POSTs without one. */
export const noBodyRoutes = new Set(['POST /v1/installations/{installationId}/credentials']);
