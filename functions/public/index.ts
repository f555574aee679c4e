import { createHttpHandler } from '../../shared/http/handler';
import { checkHealth } from '../../shared/use-cases/health';
import { signer } from '../../shared/adapters/signer';

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
});
