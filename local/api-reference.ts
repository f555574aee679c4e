import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The interactive API reference at `/docs`: Swagger UI (npm `swagger-ui-dist`) over
 * `/v1/openapi.json`, every asset served from this origin (no CDN). It is a static page, served
 * beside the dashboard's static assets, not a route of the /v1 API: no Lambda bundle carries it.
 */
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Cloud Licensing API reference</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <main id="swagger-ui"></main>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/initializer.js"></script>
</body>
</html>
`;

const initializer = `window.ui = SwaggerUIBundle({
  url: '/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

export interface StaticFile {
  contentType: string;
  body: Buffer;
}

const vendored: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Every file of the reference by its path under the site root (`docs/…`), e.g. for a static-asset deployment. */
export function apiReferenceFiles(): Record<string, StaticFile> {
  const files: Record<string, StaticFile> = {
    'docs/index.html': { contentType: 'text/html; charset=utf-8', body: Buffer.from(page) },
    'docs/initializer.js': { contentType: 'text/javascript; charset=utf-8', body: Buffer.from(initializer) },
  };
  for (const [name, contentType] of Object.entries(vendored)) {
    files[`docs/${name}`] = { contentType, body: readFileSync(join(swaggerUiDir, name)) };
  }
  return files;
}

let cached: Record<string, StaticFile> | undefined;

/** The file a GET of `pathname` serves (`/docs` and `/docs/` are the page), or undefined. */
export function apiReferenceFile(pathname: string): StaticFile | undefined {
  if (pathname !== '/docs' && !pathname.startsWith('/docs/')) return undefined;
  cached ??= apiReferenceFiles();
  const name = pathname === '/docs' || pathname === '/docs/' ? 'docs/index.html' : pathname.slice(1);
  return Object.hasOwn(cached, name) ? cached[name] : undefined;
}
