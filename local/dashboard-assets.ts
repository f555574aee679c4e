import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:dashboard` writes the Customer Dashboard. */
export const DASHBOARD_DIST = fileURLToPath(new URL('../dashboard/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export type AssetHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** What the dashboard reads at `/config.json`: how to reach the user pool (in AWS the stack writes it beside the assets). */
export interface DashboardRuntimeConfig {
  userPool: { endpoint: string; clientId: string };
}

/**
 * The same security headers CloudFront adds in AWS (cdk/constructs/dashboard-hosting.ts): the page
 * may talk to its own origin and to the user pool only.
 */
export function dashboardSecurityHeaders(userPoolOrigin: string): Record<string, string> {
  return {
    'content-security-policy': `default-src 'self'; connect-src 'self' ${userPoolOrigin}; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

/**
 * Serves the built dashboard at `/` beside the API, as CloudFront does in AWS: files from the build,
 * `/config.json` from the running stack, and `index.html` for any other path.
 */
export function dashboardAssets(config: DashboardRuntimeConfig, distDir: string = DASHBOARD_DIST): AssetHandler {
  const root = resolve(distDir);
  const headers = dashboardSecurityHeaders(new URL(config.userPool.endpoint).origin);
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'method_not_allowed', message: 'The dashboard is read-only.' } }));
      return;
    }
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (path === '/config.json') {
      response.writeHead(200, { 'content-type': TYPES['.json']!, 'cache-control': 'no-store', ...headers });
      response.end(JSON.stringify(config));
      return;
    }
    const candidate = normalize(join(root, path));
    const file = candidate.startsWith(root + sep) && existsSync(candidate) && statSync(candidate).isFile() ? candidate : join(root, 'index.html');
    if (!existsSync(file)) {
      response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('The dashboard is not built: run npm run build:dashboard.');
      return;
    }
    const immutable = file.includes(`${sep}assets${sep}`);
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...headers,
    });
    response.end(request.method === 'HEAD' ? undefined : readFileSync(file));
  };
}
