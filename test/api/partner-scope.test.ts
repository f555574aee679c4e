import { beforeAll, describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { backOffice } from '../support/back-office';

const api = useApi();
const fixtures = backOffice(api);

let a: { partnerId: string; apiKey: string };
let b: { partnerId: string; apiKey: string };

beforeAll(async () => {
  a = await fixtures.partner('Partner A');
  b = await fixtures.partner('Partner B');
});

const asPartner = (partner: { apiKey: string }, method: string, path: string, body?: unknown) =>
  api.request(method, path, { token: partner.apiKey, body });

const newCustomer = {
  name: 'Harbour Security GmbH',
  country: 'DE',
  contacts: [{ name: 'Jonas Weber', email: 'jonas@example.com' }],
  endUserConsent: { eulaAccepted: true, personalDataConsent: true },
};

describe('POST /v1/partner/customers', () => {
  it('registers a customer under the calling partner', async () => {
    const response = await asPartner(a, 'POST', '/v1/partner/customers', newCustomer);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'Harbour Security GmbH', country: 'DE', partnerId: a.partnerId, verification: 'verified', verificationReason: null });
    expect((await api.ops('GET', `/v1/customers/${response.body.customerId}`)).body).toEqual(response.body);
  });

  it('screens partner customers for export control too', async () => {
    const response = await asPartner(a, 'POST', '/v1/partner/customers', { ...newCustomer, country: 'SY' });
    expect(response.body).toMatchObject({ verification: 'rejected', verificationReason: 'export_control', partnerId: a.partnerId });
  });

  it('refuses a partnerId in the body (the partner is the caller) and other bad input with 400', async () => {
    for (const body of [{ ...newCustomer, partnerId: b.partnerId }, { ...newCustomer, name: 'x'.repeat(201) }, {}]) {
      const response = await asPartner(a, 'POST', '/v1/partner/customers', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
  });

  it('is for partners only', async () => {
    expect((await api.ops('POST', '/v1/partner/customers', newCustomer)).status).toBe(403);
    expect((await api.request('POST', '/v1/partner/customers', { body: newCustomer })).status).toBe(401);
  });
});

describe('partner isolation (API.md §8)', () => {
  let customerA: any;
  let licenseA: any;
  let customerB: any;
  let licenseB: any;

  beforeAll(async () => {
    customerA = (await asPartner(a, 'POST', '/v1/partner/customers', { ...newCustomer, name: 'A customer' })).body;
    customerB = await fixtures.customer({ name: 'B customer', partnerId: b.partnerId });
    licenseA = await fixtures.license({ customerId: customerA.customerId, product: 'expert', deviceLicenses: 10 });
    licenseB = await fixtures.license({ customerId: customerB.customerId, product: 'professional-plus', deviceLicenses: 4 });
  });

  it('issues licenses that follow the customer’s partner', () => {
    expect(licenseA.partnerId).toBe(a.partnerId);
    expect(licenseB.partnerId).toBe(b.partnerId);
  });

  it('lets each partner read its own customer and license', async () => {
    expect((await asPartner(a, 'GET', `/v1/customers/${customerA.customerId}`)).body).toEqual(customerA);
    expect((await asPartner(a, 'GET', `/v1/licenses/${licenseA.slc}`)).body).toEqual(licenseA);
    expect((await asPartner(b, 'GET', `/v1/licenses/${licenseB.slc}`)).body).toEqual(licenseB);
  });

  it("answers 404 on another partner's customer and license", async () => {
    const customer = await asPartner(b, 'GET', `/v1/customers/${customerA.customerId}`);
    expect(customer.status).toBe(404);
    expect(customer.body.error.code).toBe('customer_not_found');
    const license = await asPartner(b, 'GET', `/v1/licenses/${licenseA.slc}`);
    expect(license.status).toBe(404);
    expect(license.body.error.code).toBe('license_not_found');
    expect((await asPartner(a, 'GET', `/v1/licenses/${licenseB.slc}`)).status).toBe(404);
  });

  it('answers the same 404 for a foreign license as for one that does not exist', async () => {
    const foreign = await asPartner(b, 'GET', `/v1/licenses/${licenseA.slc}`);
    const missing = await asPartner(b, 'GET', '/v1/licenses/M01-XPET-251-0000000000000000');
    expect(foreign.body).toEqual(missing.body);
  });

  it('lists only its own customers and licenses', async () => {
    const customersA = await asPartner(a, 'GET', '/v1/partner/customers?limit=100');
    expect(customersA.status).toBe(200);
    const idsA = customersA.body.items.map((c: { customerId: string }) => c.customerId);
    expect(idsA).toContain(customerA.customerId);
    expect(idsA).not.toContain(customerB.customerId);
    for (const item of customersA.body.items) expect(item.partnerId).toBe(a.partnerId);
    expect(customersA.body.items.find((c: { customerId: string }) => c.customerId === customerA.customerId)).toEqual(customerA);

    const customersB = await asPartner(b, 'GET', '/v1/partner/customers');
    expect(customersB.body).toEqual({ items: [customerB], nextCursor: null });

    const licensesA = await asPartner(a, 'GET', '/v1/partner/licenses');
    expect(licensesA.body).toEqual({ items: [licenseA], nextCursor: null });
    const licensesB = await asPartner(b, 'GET', '/v1/partner/licenses');
    expect(licensesB.body).toEqual({ items: [licenseB], nextCursor: null });
  });

  it('keeps partner list cursors to their own list', async () => {
    for (let i = 0; i < 3; i++) await asPartner(a, 'POST', '/v1/partner/customers', { ...newCustomer, name: `A extra ${i}` });
    const page = await asPartner(a, 'GET', '/v1/partner/customers?limit=2');
    expect(page.body.items).toHaveLength(2);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await asPartner(a, 'GET', `/v1/partner/customers?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(next.status).toBe(200);
    expect(next.body.items.map((c: any) => c.customerId)).not.toContain(page.body.items[0].customerId);
    const stolen = await asPartner(b, 'GET', `/v1/partner/customers?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.code).toBe('invalid_cursor');
  });

  it('refuses bad list parameters with 400', async () => {
    for (const path of ['/v1/partner/customers?limit=0', '/v1/partner/licenses?limit=101', '/v1/partner/licenses?cursor=xyz', '/v1/partner/customers?q=a']) {
      expect((await asPartner(a, 'GET', path)).status, path).toBe(400);
    }
  });

  it('keeps partners off the ops-only license routes', async () => {
    for (const [method, path, body] of [
      ['PATCH', `/v1/licenses/${licenseA.slc}`, { deviceLicenses: 1 }],
      ['PUT', `/v1/licenses/${licenseA.slc}/care-plus`, { validUntil: null }],
      ['POST', `/v1/licenses/${licenseA.slc}/revoke`, { reason: 'other' }],
      ['POST', `/v1/licenses/${licenseA.slc}/transfer`, { toCustomerId: customerA.customerId, eulaAccepted: true }],
      ['POST', '/v1/licenses', { customerId: customerA.customerId, product: 'expert', version: '2025 R1', deviceLicenses: 1 }],
      ['GET', '/v1/catalog/versions', undefined],
    ] as const) {
      const response = await asPartner(a, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(403);
    }
    expect((await asPartner(a, 'GET', `/v1/licenses/${licenseA.slc}`)).body).toEqual(licenseA);
  });

  it('lets a partner read the devices and events of its own licenses only (§11: the dashboard shows them)', async () => {
    for (const list of ['devices', 'events']) {
      expect((await asPartner(a, 'GET', `/v1/licenses/${licenseA.slc}/${list}`)).status).toBe(200);
      const other = await asPartner(b, 'GET', `/v1/licenses/${licenseA.slc}/${list}`);
      expect([other.status, other.body.error.code]).toEqual([404, 'license_not_found']);
    }
  });

  it('keeps ops off the partner lists', async () => {
    expect((await api.ops('GET', '/v1/partner/licenses')).status).toBe(403);
    expect((await api.ops('GET', '/v1/partner/customers')).status).toBe(403);
  });
});
