import { afterEach, describe, expect, it } from 'vitest';
import { inProcess, useApi } from '../support/api';
import { backOffice } from '../support/back-office';

const api = useApi();
const fixtures = backOffice(api);

const validCustomer = {
  name: 'Nordic Logistics A/S',
  country: 'DK',
  contacts: [{ name: 'Ida Jensen', email: 'ida@example.com', phone: '+45 12 34 56 78' }],
};

describe('POST /v1/customers', () => {
  afterEach(() => {
    delete process.env.SANCTIONED_COUNTRIES;
  });

  it('registers a verified customer and answers the customer view without contacts', async () => {
    const response = await api.ops('POST', '/v1/customers', validCustomer);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      customerId: expect.any(String),
      name: 'Nordic Logistics A/S',
      country: 'DK',
      partnerId: null,
      verification: 'verified',
      verificationReason: null,
      consent: null,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    const read = await api.ops('GET', `/v1/customers/${response.body.customerId}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(response.body);
  });

  it.each(['IR', 'KP', 'RU'])('rejects a customer in %s for export control', async (country) => {
    const response = await api.ops('POST', '/v1/customers', { ...validCustomer, country });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ country, verification: 'rejected', verificationReason: 'export_control' });
  });

  inProcess.it('screens against the configured sanctions list', async () => {
    process.env.SANCTIONED_COUNTRIES = 'SE';
    expect((await api.ops('POST', '/v1/customers', { ...validCustomer, country: 'SE' })).body.verification).toBe('rejected');
    expect((await api.ops('POST', '/v1/customers', { ...validCustomer, country: 'IR' })).body.verification).toBe('verified');
  });

  it('links the customer to an existing partner', async () => {
    const partner = await fixtures.partner();
    const response = await api.ops('POST', '/v1/customers', { ...validCustomer, partnerId: partner.partnerId });
    expect(response.status).toBe(201);
    expect(response.body.partnerId).toBe(partner.partnerId);
  });

  it('refuses an unknown partnerId with 422 partner_not_found and stores nothing', async () => {
    const partner = await fixtures.partner();
    const response = await api.ops('POST', '/v1/customers', { ...validCustomer, partnerId: '00000000-0000-4000-8000-000000000000' });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('partner_not_found');
    const list = await api.request('GET', '/v1/partner/customers', { token: partner.apiKey });
    expect(list.body.items).toEqual([]);
  });

  it.each([
    [{ ...validCustomer, colour: 'blue' }, 'colour'],
    [{ ...validCustomer, name: 'x'.repeat(201) }, 'name'],
    [{ ...validCustomer, name: '' }, 'name'],
    [{ ...validCustomer, country: 'Denmark' }, 'country'],
    [{ ...validCustomer, country: 'dk' }, 'country'],
    [{ ...validCustomer, contacts: [] }, 'contacts'],
    [{ ...validCustomer, contacts: Array.from({ length: 21 }, () => validCustomer.contacts[0]) }, 'contacts'],
    [{ ...validCustomer, contacts: [{ name: 'A', email: 'not-an-email' }] }, 'contacts.0.email'],
    [{ ...validCustomer, contacts: [{ name: 'A', email: 'a@example.com', fax: '1' }] }, 'contacts.0.fax'],
    [{ ...validCustomer, contacts: [{ name: 'A', email: 'a@example.com', phone: '1'.repeat(51) }] }, 'contacts.0.phone'],
    [{ ...validCustomer, partnerId: 'x'.repeat(129) }, 'partnerId'],
    [{ name: 'A', contacts: validCustomer.contacts }, 'country'],
  ])('refuses %j with 400 validation_failed at %s', async (body, path) => {
    const response = await api.ops('POST', '/v1/customers', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('is ops only', async () => {
    const partner = await fixtures.partner();
    const response = await api.request('POST', '/v1/customers', { body: validCustomer, token: partner.apiKey });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden');
    expect((await api.request('POST', '/v1/customers', { body: validCustomer })).status).toBe(401);
  });

  it('replays a repeated Idempotency-Key instead of registering twice', async () => {
    const first = await api.ops('POST', '/v1/customers', validCustomer, { 'idempotency-key': 'customer-1' });
    const second = await api.ops('POST', '/v1/customers', validCustomer, { 'idempotency-key': 'customer-1' });
    expect(second.status).toBe(201);
    expect(second.body.customerId).toBe(first.body.customerId);
  });
});

describe('GET /v1/customers/{customerId}', () => {
  it('answers 404 customer_not_found for unknown and malformed ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'no%20such', 'x'.repeat(300)]) {
      const response = await api.ops('GET', `/v1/customers/${id}`);
      expect(response.status, id).toBe(404);
      expect(response.body.error.code).toBe('customer_not_found');
    }
  });

  it("answers the customer's partner and nobody else's partner", async () => {
    const owner = await fixtures.partner('Owner');
    const other = await fixtures.partner('Other');
    const customer = await fixtures.customer({ partnerId: owner.partnerId });
    const own = await api.request('GET', `/v1/customers/${customer.customerId}`, { token: owner.apiKey });
    expect(own.status).toBe(200);
    expect(own.body).toEqual(customer);
    const foreign = await api.request('GET', `/v1/customers/${customer.customerId}`, { token: other.apiKey });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('customer_not_found');
    const direct = await fixtures.customer();
    expect((await api.request('GET', `/v1/customers/${direct.customerId}`, { token: owner.apiKey })).status).toBe(404);
  });
});
