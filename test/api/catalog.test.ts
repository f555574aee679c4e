import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { backOffice } from '../support/back-office';

const api = useApi();
const fixtures = backOffice(api);

const put = (version: string, body: unknown) => api.ops('PUT', `/v1/catalog/versions/${encodeURIComponent(version)}`, body);

describe('PUT /v1/catalog/versions/{version}', () => {
  it('defines a version whose activation window ends 10 years after general availability', async () => {
    const response = await put('2025 R1', { generalAvailability: '2025-02-12' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ version: '2025 R1', generalAvailability: '2025-02-12', activationAvailableUntil: '2035-02-12' });
  });

  it('takes the version from the URL-encoded path', async () => {
    const response = await api.ops('PUT', '/v1/catalog/versions/2023%20R3', { generalAvailability: '2023-10-25' });
    expect(response.status).toBe(200);
    expect(response.body.version).toBe('2023 R3');
  });

  it('replaces an existing version', async () => {
    await put('2021 R1', { generalAvailability: '2021-02-01' });
    const response = await put('2021 R1', { generalAvailability: '2021-03-01' });
    expect(response.status).toBe(200);
    expect(response.body.activationAvailableUntil).toBe('2031-03-01');
    const list = await api.ops('GET', '/v1/catalog/versions?limit=100');
    expect(list.body.items.filter((v: { version: string }) => v.version === '2021 R1')).toEqual([
      { version: '2021 R1', generalAvailability: '2021-03-01', activationAvailableUntil: '2031-03-01' },
    ]);
  });

  it.each(['2025 R4', '2025R1', '25 R1', '2025 r1', 'latest', '2025 R1 ', 'x'.repeat(300)])('refuses the version %j with 400', async (version) => {
    const response = await put(version, { generalAvailability: '2025-02-12' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details[0].path).toBe('version');
  });

  it.each([
    [{}, 'generalAvailability'],
    [{ generalAvailability: '2025-02-30' }, 'generalAvailability'],
    [{ generalAvailability: '12.02.2025' }, 'generalAvailability'],
    [{ generalAvailability: '2025-02-12T00:00:00Z' }, 'generalAvailability'],
    [{ generalAvailability: '2025-02-12', activationAvailableUntil: '2040-01-01' }, 'activationAvailableUntil'],
  ])('refuses the body %j with 400 at %s and defines nothing', async (body, path) => {
    const response = await put('2019 R2', body);
    expect(response.status).toBe(400);
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    const list = await api.ops('GET', '/v1/catalog/versions?limit=100');
    expect(list.body.items.map((v: { version: string }) => v.version)).not.toContain('2019 R2');
  });

  it('is ops only', async () => {
    const partner = await fixtures.partner();
    const response = await api.request('PUT', '/v1/catalog/versions/2025%20R1', { body: { generalAvailability: '2025-02-12' }, token: partner.apiKey });
    expect(response.status).toBe(403);
  });
});

describe('GET /v1/catalog/versions', () => {
  it('lists versions in version order (year, then release) and pages with opaque cursors', async () => {
    const defined = ['2030 R3', '2030 R1', '2029 R2', '2030 R2', '2029 R1'];
    for (const [index, version] of defined.entries()) {
      expect((await put(version, { generalAvailability: `20${29 + (index % 2)}-0${index + 1}-01` })).status).toBe(200);
    }
    const all = await api.ops('GET', '/v1/catalog/versions?limit=100');
    expect(all.status).toBe(200);
    const versions = all.body.items.map((v: { version: string }) => v.version);
    expect(versions).toEqual(
      [...versions].sort((a: string, b: string) => Number(a.slice(0, 4)) - Number(b.slice(0, 4)) || a.localeCompare(b)),
    );
    expect(versions.filter((v: string) => v.startsWith('2029') || v.startsWith('2030'))).toEqual(['2029 R1', '2029 R2', '2030 R1', '2030 R2', '2030 R3']);
    expect(all.body.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.ops('GET', `/v1/catalog/versions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((v: { version: string }) => v.version));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(versions);
  });

  it('defaults to 50 items', async () => {
    for (let year = 1950; year < 1970; year++) {
      for (const release of [1, 2, 3]) await put(`${year} R${release}`, { generalAvailability: `${year}-0${release}-01` });
    }
    const page = await api.ops('GET', '/v1/catalog/versions');
    expect(page.body.items).toHaveLength(50);
    expect(page.body.nextCursor).toEqual(expect.any(String));
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'cursor=nonsense', 'cursor=a.b', 'colour=blue'])('refuses ?%s with 400', async (query) => {
    const response = await api.ops('GET', `/v1/catalog/versions?${query}`);
    expect(response.status).toBe(400);
    expect(['validation_failed', 'invalid_cursor']).toContain(response.body.error.code);
  });
});
