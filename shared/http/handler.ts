import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger, metrics } from '../adapters/observability';
import { ApiError, badRequest, errorBody } from './errors';
import { authenticate } from './auth';
import { describeFailure } from './failure';
import { withIdempotency } from './idempotency';
import { findRoute, type FunctionName, type RouteKeyOf } from './routes';
import type { ApiRequest, ApiResponse, RequestBody, RouteImplementation } from './types';
import { validationFailed } from './validation';

export const MAX_BODY_BYTES = 6 * 1024 * 1024;

/** Completeness against the route table is checked by test/unit/routes.test.ts. */
export type RouteImplementations<F extends FunctionName> = Partial<Record<RouteKeyOf<F>, RouteImplementation>>;

/** What a handler serves: its route keys, and the body schema of each route that takes a body. */
export interface RouteIndex {
  routeKeys: string[];
  bodySchemas: Record<string, RequestBody['schema']>;
}

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

function lowercaseHeaders(headers: APIGatewayProxyEventV2['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) result[name.toLowerCase()] = value;
  return result;
}

function decodedPathParameters(parameters: APIGatewayProxyEventV2['pathParameters']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters ?? {})) if (value !== undefined) result[name] = value;
  return result;
}

function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const mediaType = value.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  if (status === 204) return { statusCode: 204, headers };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** JSON text is UTF-8 (RFC 8259 §8.1); bytes that are not are refused, never replaced with U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeBody(event: APIGatewayProxyEventV2): { rawBody: string; utf8: boolean } {
  if (!event.body) return { rawBody: '', utf8: true };
  if (!event.isBase64Encoded) return { rawBody: event.body, utf8: true };
  const bytes = Buffer.from(event.body, 'base64');
  try {
    return { rawBody: utf8.decode(bytes), utf8: true };
  } catch {
    return { rawBody: bytes.toString('utf8'), utf8: false };
  }
}

async function readRequest(
  event: APIGatewayProxyEventV2,
): Promise<Omit<ApiRequest, 'caller' | 'body'> & { contentType?: string; utf8: boolean }> {
  const headers = lowercaseHeaders(event.headers);
  const { rawBody, utf8: isUtf8 } = decodeBody(event);
  if (Buffer.byteLength(rawBody) > MAX_BODY_BYTES) {
    throw new ApiError(413, 'payload_too_large', 'The request body is larger than 6 MiB.');
  }
  return {
    routeKey: event.routeKey,
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    pathParameters: decodedPathParameters(event.pathParameters),
    query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>,
    headers,
    rawBody,
    sourceIp: event.requestContext.http.sourceIp,
    requestId: event.requestContext.requestId,
    contentType: headers['content-type'],
    utf8: isUtf8,
  };
}

function parseBody(rawBody: string, contentType: string | undefined, isUtf8: boolean): unknown {
  if (rawBody.length === 0) return undefined;
  if (!isJsonContentType(contentType)) {
    throw new ApiError(415, 'unsupported_media_type', 'Request bodies must be JSON (Content-Type: application/json).');
  }
  if (!isUtf8) throw badRequest('invalid_json', 'The request body is not valid UTF-8.');
  try {
    return JSON.parse(rawBody);
  } catch {
    throw badRequest('invalid_json', 'The request body is not valid JSON.');
  }
}

/**
 * The body as the route declares it: a route without a declared body takes none, so any body
 * (`{}` and `null` included) is 400 validation_failed; a declared body is parsed as the route says.
 */
function bodyOf(declared: RequestBody | undefined, rawBody: string, contentType: string | undefined, isUtf8: boolean): unknown {
  if (!declared) {
    if (rawBody.length > 0) throw validationFailed([{ path: 'body', message: 'this route takes no request body' }]);
    return undefined;
  }
  return declared.parse(parseBody(rawBody, contentType, isUtf8));
}

/**
 * Builds the Lambda handler of one route group: size checks, authentication, the body as the
 * route declares it (content type, JSON, schema), idempotency for POST, dispatch by route key, and
 * the error envelope.
 */
export function createHttpHandler<F extends FunctionName>(fn: F, implementations: RouteImplementations<F>): HttpHandler & RouteIndex {
  const table = implementations as Record<string, RouteImplementation>;

  const dispatch = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const started = performance.now();
    let status = 500;
    try {
      const route = findRoute(event.routeKey);
      const implementation = table[event.routeKey];
      if (!route || route.fn !== fn || !implementation) {
        throw new ApiError(404, 'route_not_found', 'No such route.');
      }
      const { contentType, utf8: isUtf8, ...incoming } = await readRequest(event);
      const caller = await authenticate(route.access, incoming);
      const request: ApiRequest = { ...incoming, caller, body: bodyOf(implementation.body, incoming.rawBody, contentType, isUtf8) };
      const response: ApiResponse =
        request.method === 'POST' ? await withIdempotency(request, implementation) : await implementation(request);
      status = response.status;
      return json(response.status, response.body, response.headers);
    } catch (error) {
      if (error instanceof ApiError) {
        status = error.status;
        return json(error.status, errorBody(error));
      }
      status = 500;
      const failure = describeFailure(error);
      logger.error('Unhandled error', { routeKey: event.routeKey, error: error as Error, cause: failure.cause, failure: failure.message });
      return json(500, { error: { code: 'internal_error', message: 'The service could not complete the request.' } });
    } finally {
      const durationMs = Math.round(performance.now() - started);
      logger.info('request', { routeKey: event.routeKey, status, durationMs });
      metrics.addMetric(status >= 500 ? 'ServerErrors' : status >= 400 ? 'ClientErrors' : 'Successes', MetricUnit.Count, 1);
    }
  };

  const handler = middy(dispatch)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics)) as unknown as HttpHandler;
  const bodySchemas = Object.fromEntries(Object.entries(table).flatMap(([key, route]) => (route.body ? [[key, route.body.schema]] : [])));
  return Object.assign(handler, { routeKeys: Object.keys(table), bodySchemas });
}
