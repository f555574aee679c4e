import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { backOffice } from '../support/back-office';

const api = useApi();
const fixtures = backOffice(api);

const put = (version: string, body: unknown) => api.ops('PUT', `/v1/catalog/eulas/${encodeURIComponent(version)}`, body);
const list = async () => {
  const response = await api.ops('GET', '/v1/catalog/eulas?limit=100');
  expect(response.status).toBe(200);
  return response.body.items as Array<{ eulaVersion: string; status: string }>;
};

describe('EULA catalog (§4 rev 2)', () => {
  it('lists the EULA_VERSION setting as current from the start, without any write', async () => {
    expect(await list()).toEqual([{ eulaVersion: '20250212', status: 'current' }]);
  });

  it('refuses to retire the seeded current version (409 eula_current) and writes nothing', async () => {
    const response = await put('20250212', { status: 'retired' });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('eula_current');
    expect((await put('20250212', { status: 'accepted' })).body.error.code).toBe('eula_current');
    expect(await list()).toEqual([{ eulaVersion: '20250212', status: 'current' }]);
  });

  it('making another version current turns the previous one (the seeded setting too) into accepted', async () => {
    const response = await put('20260301', { status: 'current' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ eulaVersion: '20260301', status: 'current' });
    expect(await list()).toEqual([
      { eulaVersion: '20250212', status: 'accepted' },
      { eulaVersion: '20260301', status: 'current' },
    ]);
    // The previous one can now be retired; the new current one cannot.
    expect((await put('20250212', { status: 'retired' })).body).toEqual({ eulaVersion: '20250212', status: 'retired' });
    expect((await put('20260301', { status: 'retired' })).status).toBe(409);
    expect((await put('20240101', { status: 'accepted' })).status).toBe(200);
    expect(await list()).toEqual([
      { eulaVersion: '20240101', status: 'accepted' },
      { eulaVersion: '20250212', status: 'retired' },
      { eulaVersion: '20260301', status: 'current' },
    ]);
    // Back again: exactly one current at every step.
    expect((await put('20250212', { status: 'current' })).status).toBe(200);
    const after = await list();
    expect(after.filter((entry) => entry.status === 'current')).toEqual([{ eulaVersion: '20250212', status: 'current' }]);
    expect(after.find((entry) => entry.eulaVersion === '20260301')?.status).toBe('accepted');
  });

  it('keeps exactly one current version when several are made current at once', async () => {
    const versions = ['20270101', '20270102', '20270103', '20270104', '20270105'];
    const answers = await Promise.all(versions.map((version) => put(version, { status: 'current' })));
    expect(answers.map((answer) => answer.status)).toEqual(versions.map(() => 200));
    const current = (await list()).filter((entry) => entry.status === 'current');
    expect(current).toHaveLength(1);
  });

  it.each([
    [{}, 'status'],
    [{ status: 'active' }, 'status'],
    [{ status: 'current', note: 'x' }, 'note'],
    [{ status: null }, 'status'],
  ])('refuses the body %j with 400 at %s and changes nothing', async (body, path) => {
    const before = await list();
    const response = await put('20280101', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
    expect(await list()).toEqual(before);
  });

  it.each(['2025 02 12', 'x'.repeat(201), 'ä'])('refuses the version %j with 400', async (version) => {
    const response = await put(version, { status: 'accepted' });
    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe('eulaVersion');
  });

  it('is ops only', async () => {
    const partner = await fixtures.partner();
    expect((await api.request('PUT', '/v1/catalog/eulas/20250212', { body: { status: 'current' }, token: partner.apiKey })).status).toBe(403);
    expect((await api.request('GET', '/v1/catalog/eulas', { token: partner.apiKey })).status).toBe(403);
    expect((await api.request('GET', '/v1/catalog/eulas')).status).toBe(401);
  });
});
