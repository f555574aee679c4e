import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, resetClock, setClock } from '../../shared/adapters/clock';
import { inProcess, useApi } from '../support/api';
import { backOffice, licensePartition, putDevice, rawLicense, rawLicenseListing, setUsage } from '../support/back-office';
import { activationBody, camera } from '../support/licensing';

const api = useApi();
const fixtures = backOffice(api);

let customer: any;
let rejected: any;

beforeAll(async () => {
  await fixtures.versions();
  customer = await fixtures.customer();
  rejected = await fixtures.customer({ country: 'IR' });
});

afterEach(() => resetClock());

const SLC = /^M01-XPCO-251-[0-9A-HJKMNP-TV-Z]{16}$/;
const UNKNOWN_SLC = 'M01-XPCO-251-0000000000000000';

/** Proves a refused request wrote nothing: the license's partition (license, devices, events) is unchanged. */
async function expectUnchanged(slc: string, refused: () => Promise<{ status: number; body: any }>, status: number, code: string) {
  const before = await licensePartition(slc);
  const response = await refused();
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body.error.code).toBe(code);
  expect(await licensePartition(slc)).toEqual(before);
}

describe('POST /v1/licenses', () => {
  inProcess.it('issues an SLC and answers the license view', async () => {
    setClock(fixedClock('2026-03-01T12:00:00.000Z'));
    const response = await api.ops('POST', '/v1/licenses', {
      customerId: customer.customerId,
      product: 'corporate',
      version: '2025 R1',
      deviceLicenses: 40,
      addOns: { access: { doors: 4 }, smartWall: true },
      carePlus: { validUntil: '2027-02-28T23:59:59.000Z' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      slc: expect.stringMatching(SLC),
      customerId: customer.customerId,
      partnerId: null,
      product: 'corporate',
      version: '2025 R1',
      channel: 'byol',
      status: 'active',
      revocation: null,
      entitlements: { deviceLicenses: 40, addOns: { access: { doors: 4 }, smartWall: true } },
      carePlus: { validUntil: '2027-02-28T23:59:59.000Z', active: true },
      usage: { deviceLicenses: 0, devices: 0, installations: 0, addOns: { access: { doors: 0 } } },
      managementServerFailover: { installationId: null },
      activationAvailableUntil: '2035-02-12',
      createdAt: '2026-03-01T12:00:00.000Z',
    });
    const read = await api.ops('GET', `/v1/licenses/${response.body.slc}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(response.body);
    const stored = await rawLicense(response.body.slc);
    expect(stored).toMatchObject({ deviceKeySalt: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(stored).not.toHaveProperty('gsi2pk');
    const listing = await rawLicenseListing(response.body.slc);
    expect(listing).toMatchObject({ gsi2pk: `CUSTOMER#${customer.customerId}#LICENSES`, gsi3pk: 'ALL#LICENSES' });
    expect(listing!.gsi1pk).toBeUndefined();
  });

  it.each([
    ['corporate', 'XPCO'],
    ['expert', 'XPET'],
    ['professional-plus', 'XPPP'],
    ['express-plus', 'XPEP'],
    ['essential-plus', 'XPES'],
  ])('codes %s as %s with the version code', async (product, sku) => {
    const license = await fixtures.license({ customerId: customer.customerId, product, version: '2024 R2', deviceLicenses: 8 });
    expect(license.slc).toMatch(new RegExp(`^M01-${sku}-242-[0-9A-HJKMNP-TV-Z]{16}$`));
  });

  it('issues distinct SLCs and no Care Plus unless given', async () => {
    const slcs = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const license = await fixtures.license({ customerId: customer.customerId });
      expect(license.carePlus).toEqual({ validUntil: null, active: false });
      expect(license.entitlements.addOns).toEqual({});
      slcs.add(license.slc);
    }
    expect(slcs.size).toBe(10);
  });

  it('takes a Care Plus date as the end of that UTC day', async () => {
    setClock(fixedClock('2026-12-31T23:59:59.999Z'));
    const license = await fixtures.license({ customerId: customer.customerId, carePlus: { validUntil: '2026-12-31' } });
    expect(license.carePlus).toEqual({ validUntil: '2026-12-31T23:59:59.999Z', active: true });
  });

  it('follows a corrected general availability of its version in the catalog (rev 2)', async () => {
    await api.ops('PUT', '/v1/catalog/versions/2020%20R1', { generalAvailability: '2020-01-15' });
    const license = await fixtures.license({ customerId: customer.customerId, version: '2020 R1' });
    expect(license.activationAvailableUntil).toBe('2030-01-15');
    await api.ops('PUT', '/v1/catalog/versions/2020%20R1', { generalAvailability: '2020-06-15' });
    expect((await api.ops('GET', `/v1/licenses/${license.slc}`)).body.activationAvailableUntil).toBe('2030-06-15');
    const listed = await api.ops('GET', `/v1/licenses?customerId=${customer.customerId}&limit=100`);
    expect(listed.body.items.find((item: { slc: string }) => item.slc === license.slc).activationAvailableUntil).toBe('2030-06-15');
  });

  it.each([
    ['an unknown customer', () => ({ customerId: '00000000-0000-4000-8000-000000000000' }), 'customer_not_found'],
    ['a rejected customer', () => ({ customerId: rejected.customerId }), 'customer_not_verified'],
    ['a version not in the catalog', () => ({ customerId: customer.customerId, version: '2031 R2' }), 'unknown_product_version'],
    ['essential-plus with 9 device licenses', () => ({ customerId: customer.customerId, product: 'essential-plus', deviceLicenses: 9 }), 'edition_limit'],
    ['any add-on on essential-plus', () => ({ customerId: customer.customerId, product: 'essential-plus', deviceLicenses: 8, addOns: { access: { doors: 1 } } }), 'add_on_not_available'],
    ['incident manager on essential-plus', () => ({ customerId: customer.customerId, product: 'essential-plus', deviceLicenses: 2, addOns: { incidentManager: true } }), 'add_on_not_available'],
    ['smart wall on professional-plus', () => ({ customerId: customer.customerId, product: 'professional-plus', addOns: { smartWall: true } }), 'add_on_not_available'],
    ['smart wall on express-plus', () => ({ customerId: customer.customerId, product: 'express-plus', addOns: { smartWall: true } }), 'add_on_not_available'],
    ['failover on professional-plus', () => ({ customerId: customer.customerId, product: 'professional-plus', addOns: { managementServerFailover: true } }), 'add_on_not_available'],
  ])('refuses %s with 422 %s', async (_label, body, code) => {
    const response = await api.ops('POST', '/v1/licenses', { product: 'corporate', version: '2025 R1', deviceLicenses: 5, ...body() });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe(code);
  });

  it('accepts edition-available add-ons regardless of version, and false or zero add-ons anywhere', async () => {
    const old = await fixtures.license({ customerId: customer.customerId, product: 'expert', version: '2024 R2', addOns: { incidentManager: true, managementServerFailover: true, smartWall: true } });
    expect(old.entitlements.addOns).toEqual({ incidentManager: true, managementServerFailover: true, smartWall: true });
    const essential = await fixtures.license({ customerId: customer.customerId, product: 'essential-plus', deviceLicenses: 8, addOns: { smartWall: false, access: { doors: 0 } } });
    expect(essential.entitlements.deviceLicenses).toBe(8);
  });

  it.each([
    [{ product: 'enterprise' }, 'product'],
    [{ version: '2025 R4' }, 'version'],
    [{ deviceLicenses: -1 }, 'deviceLicenses'],
    [{ deviceLicenses: 1.5 }, 'deviceLicenses'],
    [{ deviceLicenses: 1_000_001 }, 'deviceLicenses'],
    [{ deviceLicenses: '5' }, 'deviceLicenses'],
    [{ addOns: { access: { doors: 1, windows: 2 } } }, 'addOns.access.windows'],
    [{ addOns: { teleport: true } }, 'addOns.teleport'],
    [{ addOns: { smartWall: 'yes' } }, 'addOns.smartWall'],
    [{ carePlus: { validUntil: 'tomorrow' } }, 'carePlus.validUntil'],
    [{ carePlus: { validUntil: '2026-01-01T00:00:00+02:00' } }, 'carePlus.validUntil'],
    [{ carePlus: {} }, 'carePlus.validUntil'],
    [{ channel: 'ami-included' }, 'channel'],
    [{ customerId: 'x'.repeat(129) }, 'customerId'],
  ])('refuses %j with 400 validation_failed at %s', async (override, path) => {
    const response = await api.ops('POST', '/v1/licenses', { customerId: customer.customerId, product: 'corporate', version: '2025 R1', deviceLicenses: 5, ...override });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('writes a license.created event with actor and source IP', async () => {
    const license = await fixtures.license({ customerId: customer.customerId, deviceLicenses: 12 });
    const events = await api.ops('GET', `/v1/licenses/${license.slc}/events`);
    expect(events.status).toBe(200);
    expect(events.body).toEqual({
      items: [
        {
          eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          at: license.createdAt,
          type: 'license.created',
          actor: 'ops',
          sourceIp: '127.0.0.1',
          details: expect.objectContaining({ customerId: customer.customerId, product: 'corporate', version: '2025 R1', channel: 'byol', deviceLicenses: 12 }),
        },
      ],
      nextCursor: null,
    });
  });

  it('replays a repeated Idempotency-Key with the same SLC', async () => {
    const body = { customerId: customer.customerId, product: 'expert', version: '2025 R1', deviceLicenses: 3 };
    const first = await api.ops('POST', '/v1/licenses', body, { 'idempotency-key': 'license-once' });
    const second = await api.ops('POST', '/v1/licenses', body, { 'idempotency-key': 'license-once' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.slc).toBe(first.body.slc);
  });
});

describe('GET /v1/licenses/{slc}', () => {
  it('answers 404 license_not_found for unknown and malformed SLCs', async () => {
    for (const slc of [UNKNOWN_SLC, 'not-an-slc', 'x'.repeat(500)]) {
      const response = await api.ops('GET', `/v1/licenses/${slc}`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('license_not_found');
    }
  });

  inProcess.it('shows usage recorded by activations and whether Care Plus is active now', async () => {
    const clock = fixedClock('2026-05-01T00:00:00.000Z');
    setClock(clock);
    const license = await fixtures.license({ customerId: customer.customerId, carePlus: { validUntil: '2026-05-01T00:00:00.000Z' } });
    await setUsage(license.slc, { deviceLicenses: 17, devices: 12, installations: 2 });
    const now = await api.ops('GET', `/v1/licenses/${license.slc}`);
    expect(now.body.usage).toEqual({ deviceLicenses: 17, devices: 12, installations: 2, addOns: {} });
    expect(now.body.carePlus.active).toBe(true);
    clock.advance(1);
    expect((await api.ops('GET', `/v1/licenses/${license.slc}`)).body.carePlus).toEqual({ validUntil: '2026-05-01T00:00:00.000Z', active: false });
  });
});

describe('PATCH /v1/licenses/{slc}', () => {
  it('changes device licenses and add-ons and records license.updated with before and after', async () => {
    const clock = fixedClock('2026-02-01T00:00:00.000Z');
    setClock(clock);
    const license = await fixtures.license({ customerId: customer.customerId, product: 'expert', deviceLicenses: 20, addOns: { lpr: { cameras: 2 } } });
    clock.advance(1000);
    const response = await api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses: 30, addOns: { smartWall: true } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...license, entitlements: { deviceLicenses: 30, addOns: { smartWall: true } }, usage: { ...license.usage, addOns: {} } });
    clock.advance(1000);
    const only = await api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses: 25 });
    expect(only.body.entitlements).toEqual({ deviceLicenses: 25, addOns: { smartWall: true } });
    const events = (await api.ops('GET', `/v1/licenses/${license.slc}/events`)).body.items;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['license.updated', 'license.updated', 'license.created']);
    expect(events[1]).toMatchObject({
      type: 'license.updated',
      actor: 'ops',
      sourceIp: '127.0.0.1',
      details: { deviceLicenses: { from: 20, to: 30 }, addOns: { from: { lpr: { cameras: 2 } }, to: { smartWall: true } } },
    });
    expect(events[0].details).toEqual({ deviceLicenses: { from: 30, to: 25 } });
  });

  it('allows lowering to exactly the usage and refuses going below it with 409, changing nothing', async () => {
    const license = await fixtures.license({ customerId: customer.customerId, deviceLicenses: 20 });
    await setUsage(license.slc, { deviceLicenses: 12, devices: 10, installations: 1 });
    await expectUnchanged(license.slc, () => api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses: 11, addOns: { smartWall: true } }), 409, 'entitlement_below_usage');
    const exact = await api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses: 12 });
    expect(exact.status).toBe(200);
    expect(exact.body.entitlements.deviceLicenses).toBe(12);
  });

  it('never ends with an entitlement below usage when activations race a lowering', async () => {
    for (let round = 0; round < 3; round++) {
      const license = await fixtures.license({ customerId: customer.customerId, deviceLicenses: 20 });
      const [patched, ...activations] = await Promise.all([
        api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses: 8 }),
        ...Array.from({ length: 4 }, () =>
          api.request('POST', '/v1/activations', { body: { slc: license.slc, ...activationBody(Array.from({ length: 4 }, () => camera())) } }),
        ),
      ]);
      for (const activation of activations) expect(activation.status).toBe(201);
      const stored = await rawLicense(license.slc);
      expect(stored!.usedDeviceLicenses as number).toBeLessThanOrEqual(stored!.entitledDeviceLicenses as number);
      if (patched.status === 200) {
        expect(stored!.entitledDeviceLicenses).toBe(8);
      } else {
        expect(patched.status).toBe(409);
        expect(patched.body.error.code).toBe('entitlement_below_usage');
        expect(stored!.entitledDeviceLicenses).toBe(20);
        expect(stored!.usedDeviceLicenses as number).toBeGreaterThan(8);
      }
    }
  });

  it('applies concurrent changes one after another, each recorded', async () => {
    const license = await fixtures.license({ customerId: customer.customerId, deviceLicenses: 20 });
    const targets = [21, 22, 23, 24, 25, 26];
    const responses = await Promise.all(targets.map((deviceLicenses) => api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses })));
    expect(responses.map((r) => r.status)).toEqual(targets.map(() => 200));
    const events = (await api.ops('GET', `/v1/licenses/${license.slc}/events`)).body.items.filter((e: { type: string }) => e.type === 'license.updated');
    expect(events).toHaveLength(targets.length);
    const final = (await api.ops('GET', `/v1/licenses/${license.slc}`)).body.entitlements.deviceLicenses;
    expect(targets).toContain(final);
  });

  it('keeps the essential-plus limit and edition add-on rules', async () => {
    const license = await fixtures.license({ customerId: customer.customerId, product: 'essential-plus', deviceLicenses: 8 });
    await expectUnchanged(license.slc, () => api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses: 9 }), 422, 'edition_limit');
    await expectUnchanged(license.slc, () => api.ops('PATCH', `/v1/licenses/${license.slc}`, { addOns: { interconnect: { cameras: 2 } } }), 422, 'add_on_not_available');
    const pro = await fixtures.license({ customerId: customer.customerId, product: 'professional-plus' });
    await expectUnchanged(pro.slc, () => api.ops('PATCH', `/v1/licenses/${pro.slc}`, { addOns: { managementServerFailover: true } }), 422, 'add_on_not_available');
  });

  it.each([[{}], [{ deviceLicenses: 5, product: 'xprotect' }], [{ deviceLicenses: -2 }], [{ addOns: { smartWall: 1 } }], [{ version: '2025' }], [{ version: 2025 }], [{ product: null }], [{ slc: 'M01' }]])('refuses %j with 400 and changes nothing', async (body) => {
    const license = await fixtures.license({ customerId: customer.customerId });
    await expectUnchanged(license.slc, () => api.ops('PATCH', `/v1/licenses/${license.slc}`, body), 400, 'validation_failed');
  });

  it('answers 404 for an unknown SLC', async () => {
    const response = await api.ops('PATCH', `/v1/licenses/${UNKNOWN_SLC}`, { deviceLicenses: 5 });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('license_not_found');
  });
});

describe('PUT /v1/licenses/{slc}/care-plus', () => {
  inProcess.it('sets and ends Care Plus, recording care_plus.updated', async () => {
    const clock = fixedClock('2026-01-10T07:59:59.000Z');
    setClock(clock);
    const license = await fixtures.license({ customerId: customer.customerId });
    clock.advance(500);
    const set = await api.ops('PUT', `/v1/licenses/${license.slc}/care-plus`, { validUntil: '2027-01-31' });
    expect(set.status).toBe(200);
    expect(set.body.carePlus).toEqual({ validUntil: '2027-01-31T23:59:59.999Z', active: true });
    clock.set('2026-01-10T08:00:00.000Z');
    const past = await api.ops('PUT', `/v1/licenses/${license.slc}/care-plus`, { validUntil: '2026-01-10T07:59:59.999Z' });
    expect(past.body.carePlus).toEqual({ validUntil: '2026-01-10T07:59:59.999Z', active: false });
    clock.advance(500);
    const ended = await api.ops('PUT', `/v1/licenses/${license.slc}/care-plus`, { validUntil: null });
    expect(ended.body.carePlus).toEqual({ validUntil: null, active: false });
    const events = (await api.ops('GET', `/v1/licenses/${license.slc}/events`)).body.items;
    expect(events.slice(0, 3).map((e: any) => [e.type, e.details])).toEqual([
      ['care_plus.updated', { from: '2026-01-10T07:59:59.999Z', to: null }],
      ['care_plus.updated', { from: '2027-01-31T23:59:59.999Z', to: '2026-01-10T07:59:59.999Z' }],
      ['care_plus.updated', { from: null, to: '2027-01-31T23:59:59.999Z' }],
    ]);
    expect(events[0]).toMatchObject({ actor: 'ops', sourceIp: '127.0.0.1', at: '2026-01-10T08:00:00.500Z' });
  });

  it.each([[{}], [{ validUntil: 'soon' }], [{ validUntil: '2027-02-30' }], [{ validUntil: '2027-01-01', extra: 1 }]])('refuses %j with 400 and changes nothing', async (body) => {
    const license = await fixtures.license({ customerId: customer.customerId });
    await expectUnchanged(license.slc, () => api.ops('PUT', `/v1/licenses/${license.slc}/care-plus`, body), 400, 'validation_failed');
  });

  it('answers 404 for an unknown SLC', async () => {
    expect((await api.ops('PUT', `/v1/licenses/${UNKNOWN_SLC}/care-plus`, { validUntil: null })).status).toBe(404);
  });
});

describe('POST /v1/licenses/{slc}/revoke', () => {
  inProcess.it('revokes immediately and for good', async () => {
    const clock = fixedClock('2026-07-04T09:00:00.000Z');
    setClock(clock);
    const license = await fixtures.license({ customerId: customer.customerId });
    clock.set('2026-07-04T10:00:00.000Z');
    const response = await api.ops('POST', `/v1/licenses/${license.slc}/revoke`, { reason: 'eula_breach', note: 'Resold outside the channel' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'revoked',
      revocation: { reason: 'eula_breach', note: 'Resold outside the channel', at: '2026-07-04T10:00:00.000Z' },
    });
    expect((await api.ops('GET', `/v1/licenses/${license.slc}`)).body).toEqual(response.body);
    const events = (await api.ops('GET', `/v1/licenses/${license.slc}/events`)).body.items;
    expect(events[0]).toEqual({
      eventId: expect.any(String),
      at: '2026-07-04T10:00:00.000Z',
      type: 'license.revoked',
      actor: 'ops',
      sourceIp: '127.0.0.1',
      details: { reason: 'eula_breach', note: 'Resold outside the channel' },
    });

    await expectUnchanged(license.slc, () => api.ops('POST', `/v1/licenses/${license.slc}/revoke`, { reason: 'other' }), 409, 'license_revoked');
    await expectUnchanged(license.slc, () => api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses: 60 }), 409, 'license_revoked');
    await expectUnchanged(license.slc, () => api.ops('PUT', `/v1/licenses/${license.slc}/care-plus`, { validUntil: '2030-01-01' }), 409, 'license_revoked');
    const target = await fixtures.customer();
    await expectUnchanged(
      license.slc,
      () => api.ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: target.customerId, eulaAccepted: true }),
      409,
      'license_revoked',
    );
  });

  it('records a missing note as null', async () => {
    const license = await fixtures.license({ customerId: customer.customerId });
    const response = await api.ops('POST', `/v1/licenses/${license.slc}/revoke`, { reason: 'export_control' });
    expect(response.body.revocation).toMatchObject({ reason: 'export_control', note: null });
  });

  it.each([[{}], [{ reason: 'boredom' }], [{ reason: 'other', note: 'x'.repeat(2001) }], [{ reason: 'other', by: 'me' }]])('refuses %j with 400 and changes nothing', async (body) => {
    const license = await fixtures.license({ customerId: customer.customerId });
    await expectUnchanged(license.slc, () => api.ops('POST', `/v1/licenses/${license.slc}/revoke`, body), 400, 'validation_failed');
  });

  it('answers 404 for an unknown SLC', async () => {
    expect((await api.ops('POST', `/v1/licenses/${UNKNOWN_SLC}/revoke`, { reason: 'other' })).body.error.code).toBe('license_not_found');
  });
});

describe('POST /v1/licenses/{slc}/transfer', () => {
  it('moves the license to the new customer and its partner, recording license.transferred', async () => {
    const fromPartner = await fixtures.partner('From');
    const toPartner = await fixtures.partner('To');
    const owner = await fixtures.customer({ partnerId: fromPartner.partnerId });
    const buyer = await fixtures.customer({ name: 'Buyer ApS', partnerId: toPartner.partnerId });
    const license = await fixtures.license({ customerId: owner.customerId });
    expect(license.partnerId).toBe(fromPartner.partnerId);

    const response = await api.ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: buyer.customerId, eulaAccepted: true });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...license, customerId: buyer.customerId, partnerId: toPartner.partnerId });
    const events = (await api.ops('GET', `/v1/licenses/${license.slc}/events`)).body.items;
    expect(events.map((e: { type: string }) => e.type).sort()).toEqual(['license.created', 'license.transferred']);
    expect(events.find((e: { type: string }) => e.type === 'license.transferred')).toMatchObject({
      type: 'license.transferred',
      actor: 'ops',
      sourceIp: '127.0.0.1',
      details: { fromCustomerId: owner.customerId, toCustomerId: buyer.customerId, fromPartnerId: fromPartner.partnerId, toPartnerId: toPartner.partnerId },
    });
    const fromList = await api.request('GET', '/v1/partner/licenses', { token: fromPartner.apiKey });
    const toList = await api.request('GET', '/v1/partner/licenses', { token: toPartner.apiKey });
    expect(fromList.body.items).toEqual([]);
    expect(toList.body.items.map((l: { slc: string }) => l.slc)).toEqual([license.slc]);
    expect((await rawLicenseListing(license.slc))!.gsi2pk).toBe(`CUSTOMER#${buyer.customerId}#LICENSES`);

    const direct = await fixtures.customer({ name: 'Direct customer' });
    const again = await api.ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: direct.customerId, eulaAccepted: true });
    expect(again.body.partnerId).toBeNull();
    expect((await api.request('GET', '/v1/partner/licenses', { token: toPartner.apiKey })).body.items).toEqual([]);
    expect((await rawLicenseListing(license.slc))!.gsi1pk).toBeUndefined();
  });

  it('keeps usage, devices and entitlements across a transfer', async () => {
    const license = await fixtures.license({ customerId: customer.customerId, deviceLicenses: 30 });
    await setUsage(license.slc, { deviceLicenses: 5, devices: 5, installations: 1 });
    const buyer = await fixtures.customer();
    const moved = await api.ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: buyer.customerId, eulaAccepted: true });
    expect(moved.body.usage).toEqual({ deviceLicenses: 5, devices: 5, installations: 1, addOns: {} });
    expect(moved.body.entitlements.deviceLicenses).toBe(30);
  });

  it.each([
    ['eula not accepted', () => ({ toCustomerId: customer.customerId, eulaAccepted: false }), 422, 'eula_not_accepted'],
    ['an unknown target', () => ({ toCustomerId: '00000000-0000-4000-8000-000000000000', eulaAccepted: true }), 422, 'customer_not_found'],
    ['a target not verified', () => ({ toCustomerId: rejected.customerId, eulaAccepted: true }), 422, 'customer_not_verified'],
    ['eulaAccepted missing', () => ({ toCustomerId: customer.customerId }), 400, 'validation_failed'],
    ['eulaAccepted as a string', () => ({ toCustomerId: customer.customerId, eulaAccepted: 'true' }), 400, 'validation_failed'],
    ['an unknown field', () => ({ toCustomerId: customer.customerId, eulaAccepted: true, price: 1 }), 400, 'validation_failed'],
  ])('refuses %s and changes nothing', async (_label, body, status, code) => {
    const owner = await fixtures.customer();
    const license = await fixtures.license({ customerId: owner.customerId });
    await expectUnchanged(license.slc, () => api.ops('POST', `/v1/licenses/${license.slc}/transfer`, body()), status, code);
  });

  it('refuses a transfer to the current owner with 409 and changes nothing', async () => {
    const license = await fixtures.license({ customerId: customer.customerId });
    await expectUnchanged(
      license.slc,
      () => api.ops('POST', `/v1/licenses/${license.slc}/transfer`, { toCustomerId: customer.customerId, eulaAccepted: true }),
      409,
      'transfer_to_same_customer',
    );
  });

  it('answers 404 for an unknown SLC', async () => {
    const response = await api.ops('POST', `/v1/licenses/${UNKNOWN_SLC}/transfer`, { toCustomerId: customer.customerId, eulaAccepted: true });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('license_not_found');
  });
});

describe('GET /v1/licenses/{slc}/devices', () => {
  it('lists every device ever registered under the SLC, released ones with their last installation', async () => {
    const license = await fixtures.license({ customerId: customer.customerId });
    const other = await fixtures.license({ customerId: customer.customerId });
    const base = { slc: license.slc, registrations: 1, deletions: 0, firstActivatedAt: '2026-02-01T10:00:00.000Z', lastChangedAt: '2026-02-01T10:00:00.000Z' };
    await putDevice({ ...base, mac: '00:11:22:33:44:55', deviceKey: 'dk-1', installationId: 'inst-1', lastInstallationId: 'inst-1', status: 'activated', licenses: 1 });
    await putDevice({
      ...base,
      mac: '00:11:22:33:44:66',
      deviceKey: 'dk-2',
      installationId: null,
      lastInstallationId: 'inst-1',
      status: 'released',
      licenses: 2,
      registrations: 2,
      deletions: 2,
      lastChangedAt: '2026-03-01T10:00:00.000Z',
    });
    await putDevice({ ...base, slc: other.slc, mac: '00:11:22:33:44:77', deviceKey: 'dk-3', installationId: 'inst-2', lastInstallationId: 'inst-2', status: 'activated', licenses: 1 });

    const response = await api.ops('GET', `/v1/licenses/${license.slc}/devices`);
    expect(response.status).toBe(200);
    const byMac = (a: { mac: string }, b: { mac: string }) => a.mac.localeCompare(b.mac);
    expect({ ...response.body, items: [...response.body.items].sort(byMac) }).toEqual({
      items: [
        { mac: '00:11:22:33:44:55', deviceKey: 'dk-1', installationId: 'inst-1', status: 'activated', licenses: 1, registrations: 1, deletions: 0, firstActivatedAt: '2026-02-01T10:00:00.000Z', lastChangedAt: '2026-02-01T10:00:00.000Z' },
        { mac: '00:11:22:33:44:66', deviceKey: 'dk-2', installationId: 'inst-1', status: 'released', licenses: 2, registrations: 2, deletions: 2, firstActivatedAt: '2026-02-01T10:00:00.000Z', lastChangedAt: '2026-03-01T10:00:00.000Z' },
      ],
      nextCursor: null,
    });

    // Pages follow the list's order and together hold every device once.
    const first = await api.ops('GET', `/v1/licenses/${license.slc}/devices?limit=1`);
    expect(first.body.items).toEqual([response.body.items[0]]);
    const second = await api.ops('GET', `/v1/licenses/${license.slc}/devices?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body).toEqual({ items: [response.body.items[1]], nextCursor: null });
    // A cursor of one license's list is refused on another's.
    const foreign = await api.ops('GET', `/v1/licenses/${other.slc}/devices?cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('invalid_cursor');
  });

  it('lists no devices of a new license, 404 for an unknown one, and refuses bad list parameters', async () => {
    const license = await fixtures.license({ customerId: customer.customerId });
    expect((await api.ops('GET', `/v1/licenses/${license.slc}/devices`)).body).toEqual({ items: [], nextCursor: null });
    expect((await api.ops('GET', `/v1/licenses/${UNKNOWN_SLC}/devices`)).body.error.code).toBe('license_not_found');
    for (const query of ['limit=0', 'limit=101', 'cursor=bogus', 'sort=mac']) {
      expect((await api.ops('GET', `/v1/licenses/${license.slc}/devices?${query}`)).status, query).toBe(400);
    }
  });
});

describe('GET /v1/licenses/{slc}/events', () => {
  it('pages the audit trail newest first', async () => {
    const clock = fixedClock('2026-04-01T00:00:00.000Z');
    setClock(clock);
    const license = await fixtures.license({ customerId: customer.customerId });
    for (const deviceLicenses of [51, 52, 53]) {
      clock.advance(1000);
      await api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses });
    }
    const first = await api.ops('GET', `/v1/licenses/${license.slc}/events?limit=3`);
    expect(first.body.items.map((e: any) => e.details.deviceLicenses?.to)).toEqual([53, 52, 51]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const rest = await api.ops('GET', `/v1/licenses/${license.slc}/events?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(rest.body.items.map((e: any) => e.type)).toEqual(['license.created']);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('gives every event an eventId that is unique and the same on every read', async () => {
    const license = await fixtures.license({ customerId: customer.customerId });
    for (const deviceLicenses of [51, 52]) await api.ops('PATCH', `/v1/licenses/${license.slc}`, { deviceLicenses });
    const first = (await api.ops('GET', `/v1/licenses/${license.slc}/events`)).body.items.map((e: any) => e.eventId);
    const again = (await api.ops('GET', `/v1/licenses/${license.slc}/events`)).body.items.map((e: any) => e.eventId);
    expect(first).toHaveLength(3);
    expect(new Set(first).size).toBe(3);
    expect(again).toEqual(first);
  });

  it('answers 404 for an unknown SLC and 400 for a bad limit', async () => {
    expect((await api.ops('GET', `/v1/licenses/${UNKNOWN_SLC}/events`)).status).toBe(404);
    const license = await fixtures.license({ customerId: customer.customerId });
    expect((await api.ops('GET', `/v1/licenses/${license.slc}/events?limit=500`)).status).toBe(400);
  });
});
