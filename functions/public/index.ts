import { createHttpHandler } from '../../shared/http/handler';
import { buildOpenApiDocument, type OpenApiDocument } from '../../shared/http/openapi';
import { checkHealth } from '../../shared/use-cases/health';
import { signer } from '../../shared/adapters/signer';

/** Built on first request and kept for the life of the function instance. */
let openApiDocument: OpenApiDocument | undefined;

export const handler = createHttpHandler('public', {
  'GET /v1/health': async () => {
    await checkHealth();
    return { status: 200, body: { status: 'ok' } };
  },
  'GET /v1/keys': async () => ({
    status: 200,
    body: { keys: await signer().publicKeys() },
    headers: { 'cache-control': 'public, max-age=300' },
  }),
  'GET /v1/openapi.json': async () => ({
    status: 200,
    body: (openApiDocument ??= buildOpenApiDocument()),
    headers: { 'cache-control': 'public, max-age=300' },
  }),
});
