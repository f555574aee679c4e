import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, resetClock, setClock } from '../../shared/adapters/clock';
import { useApi, type InstallationCredentials } from '../support/api';
import { seedInstallation, seedLicense } from '../support/seed';

const api = useApi();
const clock = fixedClock(new Date());
beforeEach(() => {
  clock.set(new Date(Math.floor(Date.now() / 1000) * 1000));
  setClock(clock);
});
afterEach(() => resetClock());

let partner: { partnerId: string; apiKey: string };
let otherPartner: { partnerId: string; apiKey: string };
beforeAll(async () => {
  partner = (await api.ops('POST', '/v1/partners', { name: 'Health Partner' })).body;
  otherPartner = (await api.ops('POST', '/v1/partners', { name: 'Someone Else' })).body;
});

const inOneYear = () => new Date(clock.now().getTime() + 365 * 86_400_000).toISOString();
const report = (installation: InstallationCredentials, body: unknown) =>
  api.signed(installation, 'POST', `/v1/installations/${installation.installationId}/health`, body);
const partnerView = (installationId: string, key = partner.apiKey, query = '') =>
  api.request('GET', `/v1/partner/installations/${installationId}/health${query}`, { token: key });

describe('health reports (API.md §6)', () => {
  it('accepts a report with consent, also without Care Plus', async () => {
    const installation = await seedInstallation(await seedLicense({ carePlusValidUntil: null }));
    const response = await report(installation, {
      consent: true,
      status: 'degraded',
      errors: [{ source: 'Recording Server rs-01', message: 'Disk D: is 97% full' }],
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ reportId: expect.any(String), receivedAt: clock.now().toISOString() });
  });

  it.each([
    ['consent false', { consent: false, status: 'ok', errors: [] }],
    ['consent missing', { status: 'ok', errors: [] }],
    ['consent not the boolean true', { consent: 'true', status: 'ok', errors: [] }],
    ['consent missing and the rest malformed', { status: 'broken', colour: 'red' }],
  ])('refuses a report without consent: %s → 422 consent_required', async (_label, body) => {
    const license = await seedLicense({ carePlusValidUntil: inOneYear(), partnerId: partner.partnerId });
    const installation = await seedInstallation(license);
    const response = await report(installation, body);
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('consent_required');
    expect((await partnerView(installation.installationId)).body.items).toEqual([]);
  });

  it.each([
    ['a bad status', { consent: true, status: 'fine', errors: [] }],
    ['an unknown field', { consent: true, status: 'ok', errors: [], uptime: 5 }],
    ['an error without a message', { consent: true, status: 'error', errors: [{ source: 'x' }] }],
    ['an over-long message', { consent: true, status: 'error', errors: [{ source: 'x', message: 'm'.repeat(2001) }] }],
    ['too many errors', { consent: true, status: 'error', errors: Array.from({ length: 101 }, () => ({ source: 's', message: 'm' })) }],
    ['an array body', [{ consent: true }]],
  ])('validates the rest of the report as usual: %s → 400', async (_label, body) => {
    const installation = await seedInstallation(await seedLicense());
    const response = await report(installation, body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
  });

  it('refuses a report with no body as malformed', async () => {
    const installation = await seedInstallation(await seedLicense());
    const response = await report(installation, undefined);
    expect(response.status).toBe(400);
  });
});

describe('partner health view (API.md §8)', () => {
  it('lists the latest reports, newest first, to the partner of the license', async () => {
    const license = await seedLicense({ carePlusValidUntil: inOneYear(), partnerId: partner.partnerId });
    const installation = await seedInstallation(license);
    const statuses = ['ok', 'degraded', 'error', 'ok'] as const;
    for (const status of statuses) {
      expect((await report(installation, { consent: true, status, errors: status === 'ok' ? [] : [{ source: 'rs', message: status }] })).status).toBe(202);
      clock.advance(1000);
    }
    const view = await partnerView(installation.installationId);
    expect(view.status).toBe(200);
    expect(view.body.items.map((item: any) => item.status)).toEqual([...statuses].reverse());
    expect(view.body.items[1]).toEqual({ reportId: expect.any(String), at: expect.any(String), status: 'error', errors: [{ source: 'rs', message: 'error' }] });
    expect(view.body.nextCursor).toBeNull();

    const first = await partnerView(installation.installationId, partner.apiKey, '?limit=3');
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const rest = await partnerView(installation.installationId, partner.apiKey, `?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(rest.body.items.map((item: any) => item.status)).toEqual(['ok']);
    expect((await partnerView(installation.installationId, partner.apiKey, '?limit=0')).status).toBe(400);
  });

  it('answers 404 to another partner, for a license without a partner and for an unknown installation', async () => {
    const installation = await seedInstallation(await seedLicense({ carePlusValidUntil: inOneYear(), partnerId: partner.partnerId }));
    const noPartner = await seedInstallation(await seedLicense({ carePlusValidUntil: inOneYear(), partnerId: null }));
    for (const response of [
      await partnerView(installation.installationId, otherPartner.apiKey),
      await partnerView(noPartner.installationId),
      await partnerView('00000000-0000-4000-8000-000000000000'),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('installation_not_found');
    }
  });

  it('is for partners only', async () => {
    const installation = await seedInstallation(await seedLicense({ carePlusValidUntil: inOneYear(), partnerId: partner.partnerId }));
    expect((await api.ops('GET', `/v1/partner/installations/${installation.installationId}/health`)).status).toBe(403);
    expect((await api.signed(installation, 'GET', `/v1/partner/installations/${installation.installationId}/health`)).status).toBe(403);
  });

  it('does not list reports past their 30-day retention', async () => {
    const installation = await seedInstallation(await seedLicense({ carePlusValidUntil: inOneYear(), partnerId: partner.partnerId }));
    const start = clock.now().getTime();
    await report(installation, { consent: true, status: 'error', errors: [] });
    // The request signature follows the real clock; only the service clock moves on.
    clock.set(new Date(start + 30 * 86_400_000 + 1000));
    expect((await partnerView(installation.installationId)).body.items).toEqual([]);
  });
});
