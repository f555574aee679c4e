import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import { useApi } from '../support/api';

const api = useApi();

describe('GET /v1/openapi.json and /docs', () => {
  it('serves the OpenAPI document of the route table without credentials', async () => {
    const response = await api.request('GET', '/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(response.body.openapi).toBe('3.1.0');
  });

  it('serves the interactive reference and its assets from the service itself', async () => {
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset, 'no asset from another origin').toMatch(/^\/docs\//);
      const response = await fetch(`${api.url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    const initializer = await (await fetch(`${api.url}/docs/initializer.js`)).text();
    expect(initializer).toContain("'/v1/openapi.json'");
    expect((await fetch(`${api.url}/docs/`)).status).toBe(200);
    expect((await fetch(`${api.url}/docs/package.json`)).status).toBe(404);
    expect((await fetch(`${api.url}/docs/../package.json`)).status).toBe(404);
  });
});
