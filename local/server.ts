import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { routes, type FunctionName, type RouteDefinition } from '../shared/http/routes';
import { MAX_BODY_BYTES, type HttpHandler } from '../shared/http/handler';
import { apiReferenceFile } from './api-reference';
import type { AssetHandler } from './dashboard-assets';

/** A route the server serves: method, path template and the handler (by name) that answers it. */
export interface ServedRoute {
  method: string;
  path: string;
  target: string;
}

interface CompiledRoute {
  route: ServedRoute;
  pattern: RegExp;
  parameterNames: string[];
}

function compile(route: ServedRoute): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const match = /^\{(\w+)\}$/.exec(segment);
      if (!match) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      parameterNames.push(match[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), parameterNames };
}

export interface LocalServerOptions {
  /** The routes to serve; the shared route table by default. */
  routes?: ServedRoute[];
  /** The handler that answers a path no route has (API Gateway's `$default` route); without one the server answers 404. */
  fallback?: string;
  /** Told why a request answered 500 without its handler answering (the handler threw or could not run). */
  onError?: (error: unknown, target: string) => void;
  /** Answers every path outside /v1 (the Customer Dashboard, as CloudFront routes it in AWS). */
  assets?: AssetHandler;
}

/** The route a request names, as the server dispatches it (also used to check recorded test traffic). */
export function routeFor(method: string, pathname: string): RouteDefinition | undefined {
  return routeTable.find((entry) => entry.route.method === method && entry.pattern.test(pathname))?.definition;
}

/** Literal routes win over templated ones, as in API Gateway. */
const bySpecificity = (a: CompiledRoute, b: CompiledRoute) => a.parameterNames.length - b.parameterNames.length;

const routeTable = (routes as readonly RouteDefinition[])
  .map((definition) => ({ definition, ...compile({ method: definition.method, path: definition.path, target: definition.fn }) }))
  .sort(bySpecificity);

function lambdaContext(functionName: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const errorEnvelope = (code: string, message: string) => ({ error: { code, message } });

async function readBody(request: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return 'too_large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The request line and headers together; beyond it the answer is 431 in the envelope. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * What Node's HTTP parser refuses before any handler runs (headers or a query string over the
 * limit, malformed HTTP) is still answered in the error envelope, then the connection is closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, body] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, errorEnvelope('request_headers_too_large', `The request line and headers are larger than ${MAX_HEADER_BYTES / 1024} KiB.`)]
      : [400, errorEnvelope('malformed_request', 'The request is not valid HTTP/1.1.')];
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

/**
 * The local HTTP API: each request becomes an API Gateway HTTP API (payload 2.0) event for the
 * handler that Lambda runs for that route, found in the same route table the stack deploys.
 */
export function createLocalServer(handlers: Record<FunctionName, HttpHandler> | Record<string, HttpHandler>, options: LocalServerOptions = {}): Server {
  const compiled = options.routes ? options.routes.map(compile).sort(bySpecificity) : routeTable;
  const byName = handlers as Record<string, HttpHandler>;
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, async (request, response) => {
    let failedTarget = '';
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = (request.method ?? 'GET').toUpperCase();
      // Static pages (the API reference) are served where the dashboard assets are, outside the /v1 route table.
      const file = method === 'GET' ? apiReferenceFile(url.pathname) : undefined;
      if (file) {
        response.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length });
        return response.end(file.body);
      }
      // Everything else outside /v1 is the Customer Dashboard, as CloudFront routes it in AWS.
      if (options.assets && url.pathname !== '/v1' && !url.pathname.startsWith('/v1/')) return options.assets(request, response);
      const candidates = compiled.filter((entry) => entry.pattern.test(url.pathname));
      if (candidates.length === 0 && !options.fallback) return send(response, 404, errorEnvelope('route_not_found', 'No such route.'));
      const match = candidates.find((entry) => entry.route.method === method);
      if (!match && candidates.length > 0) return send(response, 405, errorEnvelope('method_not_allowed', `${method} is not allowed on this path.`));

      const pathParameters: Record<string, string> = {};
      if (match) {
        const values = match.pattern.exec(url.pathname)!.slice(1);
        try {
          match.parameterNames.forEach((parameter, index) => (pathParameters[parameter] = decodeURIComponent(values[index]!)));
        } catch {
          return send(response, 400, errorEnvelope('validation_failed', 'The path is not correctly URL-encoded.'));
        }
      }

      const body = await readBody(request);
      if (body === 'too_large') {
        response.setHeader('connection', 'close');
        return send(response, 413, errorEnvelope('payload_too_large', 'The request body is larger than 6 MiB.'));
      }

      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      // No prototype: a parameter named __proto__ is a parameter (that the route may refuse), not a prototype.
      const query: Record<string, string> = Object.create(null);
      for (const [name, value] of url.searchParams) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
      const requestId = randomUUID();
      const key = match ? `${match.route.method} ${match.route.path}` : '$default';
      const target = match ? match.route.target : options.fallback!;
      failedTarget = target;
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: key,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        queryStringParameters: Object.keys(query).length ? query : undefined,
        pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
        body: body.length ? body.toString('base64') : undefined,
        isBase64Encoded: body.length > 0,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: headers.host ?? 'localhost',
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${request.httpVersion}`,
            sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey: key,
          stage: '$default',
          time: new Date().toISOString(),
          timeEpoch: Date.now(),
        },
      };
      const result = await byName[target]!(event, lambdaContext(`cloud-licensing-${target}`, requestId));
      const answerHeaders: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
      if (result.cookies?.length) answerHeaders['set-cookie'] = result.cookies;
      response.writeHead(result.statusCode ?? 200, answerHeaders);
      response.end(result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    } catch (error) {
      options.onError?.(error, failedTarget);
      if (!response.headersSent) send(response, 500, errorEnvelope('internal_error', 'The service could not complete the request.'));
      else response.end();
    }
  });
  server.on('clientError', answerClientError);
  return server;
}
