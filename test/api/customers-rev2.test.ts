import { afterEach, describe, expect, it } from 'vitest';
import { snapshotDifference, tableSnapshot } from '../fuzz/state';
import { inProcess, useApi } from '../support/api';
import { backOffice } from '../support/back-office';

const api = useApi();
const fixtures = backOffice(api);

const consent = { eulaAccepted: true, personalDataConsent: true };
const newCustomer = { name: 'Harbour Security GmbH', country: 'DE', contacts: [{ name: 'Jonas Weber', email: 'jonas@example.com' }] };

async function unchanged(run: () => Promise<void>): Promise<void> {
  const before = await tableSnapshot();
  await run();
  expect(snapshotDifference(before, await tableSnapshot())).toEqual({ added: [], removed: [], changed: [] });
}

describe('recorded end-user consent (§4 rev 2)', () => {
  it('is recorded for ops when given, and null when ops leave it out', async () => {
    const given = await api.ops('POST', '/v1/customers', { ...newCustomer, endUserConsent: consent });
    expect(given.status).toBe(201);
    expect(given.body.consent).toEqual({ ...consent, recordedAt: given.body.createdAt, recordedBy: 'ops' });
    expect((await api.ops('GET', `/v1/customers/${given.body.customerId}`)).body.consent).toEqual(given.body.consent);
    expect((await api.ops('POST', '/v1/customers', newCustomer)).body.consent).toBeNull();
  });

  it('is required when a partner registers an end user, and shown in the customer view', async () => {
    const partner = await fixtures.partner();
    const created = await api.request('POST', '/v1/partner/customers', { token: partner.apiKey, body: { ...newCustomer, endUserConsent: consent } });
    expect(created.status).toBe(201);
    expect(created.body.consent).toEqual({ ...consent, recordedAt: created.body.createdAt, recordedBy: 'partner' });
    const read = await api.request('GET', `/v1/customers/${created.body.customerId}`, { token: partner.apiKey });
    expect(read.body.consent).toEqual(created.body.consent);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', {}],
    ['without personal-data consent', { eulaAccepted: true }],
    ['with personal-data consent false', { eulaAccepted: true, personalDataConsent: false }],
    ['with the EULA not accepted', { eulaAccepted: false, personalDataConsent: true }],
  ])('refuses a partner registration with consent %s: 422 consent_required, nothing stored', async (_case, endUserConsent) => {
    const partner = await fixtures.partner();
    await unchanged(async () => {
      const body = endUserConsent === undefined ? newCustomer : { ...newCustomer, endUserConsent };
      const response = await api.request('POST', '/v1/partner/customers', { token: partner.apiKey, body });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('consent_required');
    });
  });

  it('refuses a partial consent from ops too (422 consent_required)', async () => {
    await unchanged(async () => {
      const response = await api.ops('POST', '/v1/customers', { ...newCustomer, endUserConsent: { eulaAccepted: true, personalDataConsent: false } });
      expect([response.status, response.body.error.code]).toEqual([422, 'consent_required']);
    });
  });

  it.each([
    [{ eulaAccepted: 'yes', personalDataConsent: true }, 'endUserConsent.eulaAccepted'],
    [{ ...consent, signedBy: 'dealer' }, 'endUserConsent.signedBy'],
    ['yes', 'endUserConsent'],
  ])('refuses a malformed endUserConsent %j with 400 at %s', async (endUserConsent, path) => {
    const partner = await fixtures.partner();
    await unchanged(async () => {
      for (const response of [
        await api.request('POST', '/v1/partner/customers', { token: partner.apiKey, body: { ...newCustomer, endUserConsent } }),
        await api.ops('POST', '/v1/customers', { ...newCustomer, endUserConsent }),
      ]) {
        expect(response.status).toBe(400);
        expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
      }
    });
  });
});

describe('PATCH /v1/customers/{customerId} (§4 rev 2)', () => {
  afterEach(() => {
    delete process.env.SANCTIONED_COUNTRIES;
  });

  it('corrects name and contacts; the contacts show in the personal-data export only', async () => {
    const customer = await fixtures.customer();
    const contacts = [{ name: 'Ida Hansen', email: 'ida.hansen@example.com', phone: '+45 11 22 33 44' }];
    const response = await api.ops('PATCH', `/v1/customers/${customer.customerId}`, { name: 'Nordic Logistics ApS', contacts });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...customer, name: 'Nordic Logistics ApS' });
    expect((await api.ops('GET', `/v1/customers/${customer.customerId}/personal-data`)).body.contacts).toEqual(contacts);
  });

  it('re-screens on a new country: sanctioned → rejected for export control, then free again → verified', async () => {
    const customer = await fixtures.customer();
    const rejected = await api.ops('PATCH', `/v1/customers/${customer.customerId}`, { country: 'IR' });
    expect(rejected.body).toMatchObject({ country: 'IR', verification: 'rejected', verificationReason: 'export_control' });
    const verified = await api.ops('PATCH', `/v1/customers/${customer.customerId}`, { country: 'SE' });
    expect(verified.body).toMatchObject({ country: 'SE', verification: 'verified', verificationReason: null });
  });

  inProcess.it('screens against the sanctions list in force, and the same country again changes no screening', async () => {
    const customer = await fixtures.customer({ country: 'SE' });
    process.env.SANCTIONED_COUNTRIES = 'SE,NO';
    expect((await api.ops('PATCH', `/v1/customers/${customer.customerId}`, { country: 'SE' })).body.verification).toBe('verified');
    expect((await api.ops('PATCH', `/v1/customers/${customer.customerId}`, { country: 'NO' })).body.verificationReason).toBe('export_control');
  });

  it('keeps a rejection ops recorded when the country changes to one that is not sanctioned', async () => {
    const customer = await fixtures.customer();
    await api.ops('PUT', `/v1/customers/${customer.customerId}/verification`, { verification: 'rejected', reason: 'screening_hit' });
    const response = await api.ops('PATCH', `/v1/customers/${customer.customerId}`, { country: 'NL' });
    expect(response.body).toMatchObject({ country: 'NL', verification: 'rejected', verificationReason: 'screening_hit' });
  });

  it("is open to the customer's partner, and 404 for another partner or an unknown customer", async () => {
    const owner = await fixtures.partner('Owner');
    const other = await fixtures.partner('Other');
    const customer = await fixtures.customer({ partnerId: owner.partnerId });
    const own = await api.request('PATCH', `/v1/customers/${customer.customerId}`, { token: owner.apiKey, body: { country: 'CU' } });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ country: 'CU', verification: 'rejected', verificationReason: 'export_control' });
    await unchanged(async () => {
      for (const response of [
        await api.request('PATCH', `/v1/customers/${customer.customerId}`, { token: other.apiKey, body: { name: 'Taken' } }),
        await api.ops('PATCH', '/v1/customers/00000000-0000-4000-8000-000000000000', { name: 'Nobody' }),
        await api.ops('PATCH', `/v1/customers/${'x'.repeat(300)}`, { name: 'Nobody' }),
      ]) {
        expect([response.status, response.body.error.code]).toEqual([404, 'customer_not_found']);
      }
      expect((await api.request('PATCH', `/v1/customers/${customer.customerId}`, { body: { name: 'Anyone' } })).status).toBe(401);
    });
  });

  it.each([
    [{}, ''],
    [{ country: 'Denmark' }, 'country'],
    [{ country: 'dk' }, 'country'],
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(201) }, 'name'],
    [{ contacts: [] }, 'contacts'],
    [{ contacts: [{ name: 'A', email: 'nope' }] }, 'contacts.0.email'],
    [{ partnerId: 'p' }, 'partnerId'],
    [{ verification: 'verified' }, 'verification'],
    [{ name: 'Fine', consent: true }, 'consent'],
  ])('refuses %j with 400 at %j and changes nothing', async (body, path) => {
    const customer = await fixtures.customer();
    await unchanged(async () => {
      const response = await api.ops('PATCH', `/v1/customers/${customer.customerId}`, body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
    });
  });
});

describe('PUT /v1/customers/{customerId}/verification (§4 rev 2)', () => {
  it('records a rejection with its reason, and a verification with verificationReason null', async () => {
    const customer = await fixtures.customer();
    const rejected = await api.ops('PUT', `/v1/customers/${customer.customerId}/verification`, { verification: 'rejected', reason: 'manual', note: 'end use unclear' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toEqual({ ...customer, verification: 'rejected', verificationReason: 'manual' });
    const verified = await api.ops('PUT', `/v1/customers/${customer.customerId}/verification`, { verification: 'verified', reason: 'manual' });
    expect(verified.body).toEqual({ ...customer, verification: 'verified', verificationReason: null });
  });

  it('while rejected, new licenses and transfers to the customer are 422 customer_not_verified', async () => {
    await fixtures.versions();
    const customer = await fixtures.customer();
    const other = await fixtures.customer({ name: 'Other' });
    const license = await fixtures.license({ customerId: other.customerId });
    await api.ops('PUT', `/v1/customers/${customer.customerId}/verification`, { verification: 'rejected', reason: 'screening_hit' });
    await unchanged(async () => {
      const issued = await api.ops('POST', '/v1/licenses', { customerId: customer.customerId, product: 'corporate', version: '2025 R1', deviceLicenses: 5 });
      expect([issued.status, issued.body.error.code]).toEqual([422, 'customer_not_verified']);
      const transferred = await api.ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: customer.customerId, eulaAccepted: true });
      expect([transferred.status, transferred.body.error.code]).toEqual([422, 'customer_not_verified']);
    });
    await api.ops('PUT', `/v1/customers/${customer.customerId}/verification`, { verification: 'verified', reason: 'manual' });
    expect((await api.ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: customer.customerId, eulaAccepted: true })).status).toBe(200);
  });

  it('is ops only, and 404 for an unknown customer', async () => {
    const partner = await fixtures.partner();
    const customer = await fixtures.customer({ partnerId: partner.partnerId });
    await unchanged(async () => {
      const byPartner = await api.request('PUT', `/v1/customers/${customer.customerId}/verification`, { token: partner.apiKey, body: { verification: 'rejected', reason: 'manual' } });
      expect([byPartner.status, byPartner.body.error.code]).toEqual([403, 'forbidden']);
      const unknown = await api.ops('PUT', '/v1/customers/00000000-0000-4000-8000-000000000000/verification', { verification: 'rejected', reason: 'manual' });
      expect([unknown.status, unknown.body.error.code]).toEqual([404, 'customer_not_found']);
    });
  });

  it.each([
    [{}, 'verification'],
    [{ verification: 'rejected' }, 'reason'],
    [{ verification: 'pending', reason: 'manual' }, 'verification'],
    [{ verification: 'rejected', reason: 'sanctions' }, 'reason'],
    [{ verification: 'rejected', reason: 'manual', note: 'x'.repeat(2001) }, 'note'],
    [{ verification: 'rejected', reason: 'manual', by: 'ops' }, 'by'],
  ])('refuses %j with 400 at %s and changes nothing', async (body, path) => {
    const customer = await fixtures.customer();
    await unchanged(async () => {
      const response = await api.ops('PUT', `/v1/customers/${customer.customerId}/verification`, body);
      expect(response.status).toBe(400);
      expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
    });
  });
});

describe('GET /v1/customers (§4 rev 2)', () => {
  it('lists every customer for ops, newest first, and a partner’s own for the partner', async () => {
    const partner = await fixtures.partner('Lister');
    const other = await fixtures.partner('Other lister');
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await fixtures.customer({ name: `Mine ${i}`, partnerId: partner.partnerId }));
    const theirs = await fixtures.customer({ name: 'Theirs', partnerId: other.partnerId });
    const direct = await fixtures.customer({ name: 'Direct' });

    const all = await api.ops('GET', '/v1/customers?limit=100');
    expect(all.status).toBe(200);
    const ids = all.body.items.map((item: { customerId: string }) => item.customerId);
    for (const customer of [...mine, theirs, direct]) expect(ids).toContain(customer.customerId);
    const created = all.body.items.map((item: { createdAt: string }) => item.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    expect(all.body.items.find((item: { customerId: string }) => item.customerId === direct.customerId)).toEqual(direct);

    const own = await api.request('GET', '/v1/customers', { token: partner.apiKey });
    expect(own.body.items.map((item: { customerId: string }) => item.customerId)).toEqual(mine.map((customer) => customer.customerId).reverse());

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.request('GET', `/v1/customers?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: partner.apiKey });
      seen.push(...page.body.items.map((item: { customerId: string }) => item.customerId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(own.body.items.map((item: { customerId: string }) => item.customerId));
  });

  it.each(['limit=0', 'limit=101', 'cursor=forged.cursor', 'partnerId=x', 'colour=blue'])('refuses ?%s with 400', async (query) => {
    const response = await api.ops('GET', `/v1/customers?${query}`);
    expect(response.status).toBe(400);
    expect(['validation_failed', 'invalid_cursor']).toContain(response.body.error.code);
  });

  it('needs credentials', async () => {
    expect((await api.request('GET', '/v1/customers')).status).toBe(401);
  });
});
