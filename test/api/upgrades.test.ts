import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { backOffice, licensePartition, setAddOnUsage } from '../support/back-office';
import { activateFirst, activationBody, camera } from '../support/licensing';

const api = useApi();
const fixtures = backOffice(api);
let customer: any;

beforeAll(async () => {
  await fixtures.versions();
  for (const [version, generalAvailability] of [
    ['2025 R2', '2025-06-18'],
    ['2026 R1', '2026-02-11'],
  ]) {
    expect((await api.ops('PUT', `/v1/catalog/versions/${encodeURIComponent(version!)}`, { generalAvailability })).status).toBe(200);
  }
  customer = await fixtures.customer();
});

async function expectUnchanged(slc: string, refused: () => Promise<{ status: number; body: any }>, status: number, code: string) {
  const before = await licensePartition(slc);
  const response = await refused();
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body.error.code).toBe(code);
  expect(await licensePartition(slc)).toEqual(before);
  return response;
}

const patch = (slc: string, body: unknown) => api.ops('PATCH', `/v1/licenses/${slc}`, body);
const events = async (slc: string) => (await api.ops('GET', `/v1/licenses/${slc}/events`)).body.items;

describe('PATCH /v1/licenses/{slc} version (§4 rev 2)', () => {
  it('upgrades to a later catalog version: the window follows it and a license.upgraded event is recorded', async () => {
    const license = await fixtures.license({ customerId: customer.customerId });
    const response = await patch(license.slc, { version: '2026 R1' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ slc: license.slc, version: '2026 R1', product: 'corporate', activationAvailableUntil: '2036-02-11' });
    const [upgraded] = await events(license.slc);
    expect(upgraded).toMatchObject({ type: 'license.upgraded', actor: 'ops', details: { from: { product: 'corporate', version: '2025 R1' }, to: { product: 'corporate', version: '2026 R1' } } });
  });

  it('refuses a version outside the catalog (422 unknown_product_version) and an older one (422 version_downgrade)', async () => {
    const license = await fixtures.license({ customerId: customer.customerId, version: '2025 R2' });
    await expectUnchanged(license.slc, () => patch(license.slc, { version: '2030 R3' }), 422, 'unknown_product_version');
    await expectUnchanged(license.slc, () => patch(license.slc, { version: '2025 R1' }), 422, 'version_downgrade');
    await expectUnchanged(license.slc, () => patch(license.slc, { version: '2025 R1', deviceLicenses: 60 }), 422, 'version_downgrade');
  });

  it('records nothing for the version it already has', async () => {
    const license = await fixtures.license({ customerId: customer.customerId });
    const before = await licensePartition(license.slc);
    expect((await patch(license.slc, { version: '2025 R1', product: 'corporate' })).status).toBe(200);
    expect(await licensePartition(license.slc)).toEqual(before);
  });

  it('records license.updated and license.upgraded for a change of entitlements and version at once', async () => {
    const license = await fixtures.license({ customerId: customer.customerId });
    const response = await patch(license.slc, { version: '2025 R2', deviceLicenses: 70 });
    expect(response.body).toMatchObject({ version: '2025 R2', entitlements: { deviceLicenses: 70 } });
    expect((await events(license.slc)).map((event: { type: string }) => event.type).sort()).toEqual(['license.created', 'license.updated', 'license.upgraded']);
  });
});

describe('PATCH /v1/licenses/{slc} product (§4 rev 2)', () => {
  it('changes the edition when the current use fits, keeping the SLC', async () => {
    const license = await fixtures.license({ customerId: customer.customerId, product: 'professional-plus', deviceLicenses: 20 });
    await activateFirst(api, license.slc, [camera(), camera()]);
    const response = await patch(license.slc, { product: 'corporate', addOns: { smartWall: true, managementServerFailover: true } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ slc: license.slc, product: 'corporate', entitlements: { addOns: { smartWall: true, managementServerFailover: true } } });
    const types = (await events(license.slc)).map((event: { type: string }) => event.type);
    expect(types).toContain('license.upgraded');
    const upgraded = (await events(license.slc)).find((event: { type: string }) => event.type === 'license.upgraded');
    expect(upgraded.details).toEqual({ from: { product: 'professional-plus', version: '2025 R1' }, to: { product: 'corporate', version: '2025 R1' } });
    // A smaller edition again, now that the add-ons it cannot have are removed with it.
    expect((await patch(license.slc, { product: 'express-plus', addOns: {} })).body.product).toBe('express-plus');
  });

  it('refuses an edition the installations do not fit: 409 edition_limits_exceeded naming them', async () => {
    const license = await fixtures.license({ customerId: customer.customerId, product: 'corporate', deviceLicenses: 20 });
    const first = await activateFirst(api, license.slc, [camera()]);
    const withFailover = await api.request('POST', '/v1/activations', {
      body: { slc: license.slc, ...activationBody([camera()], { recordingServers: [{ id: randomUUID(), failover: false }, { id: randomUUID(), failover: true }] }) },
    });
    expect(withFailover.status).toBe(201);
    const toExpress = await expectUnchanged(license.slc, () => patch(license.slc, { product: 'express-plus' }), 409, 'edition_limits_exceeded');
    expect(toExpress.body.error.details.map((detail: { path: string }) => detail.path)).toEqual([
      'installations',
      `installations.${withFailover.body.installationId}.recordingServers`,
    ]);
    const toPro = await expectUnchanged(license.slc, () => patch(license.slc, { product: 'professional-plus' }), 409, 'edition_limits_exceeded');
    expect(toPro.body.error.details).toEqual([{ path: `installations.${withFailover.body.installationId}.recordingServers`, message: expect.stringMatching(/^failover_not_licensed/) }]);
    // Once the failover installation is released, the edition fits.
    expect((await api.ops('DELETE', `/v1/installations/${withFailover.body.installationId}`)).status).toBe(204);
    expect((await patch(license.slc, { product: 'professional-plus' })).status).toBe(200);
    expect(first.installationId).toEqual(expect.any(String));
  });

  it('refuses essential-plus for more activated devices, device licenses and add-ons than it allows', async () => {
    const license = await fixtures.license({ customerId: customer.customerId, product: 'expert', deviceLicenses: 20, addOns: { access: { doors: 2 } } });
    await activateFirst(api, license.slc, Array.from({ length: 9 }, () => camera()));
    const response = await expectUnchanged(license.slc, () => patch(license.slc, { product: 'essential-plus' }), 409, 'edition_limits_exceeded');
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toEqual(['devices', 'deviceLicenses', 'addOns.access']);
    await expectUnchanged(license.slc, () => patch(license.slc, { product: 'essential-plus', deviceLicenses: 8, addOns: {} }), 409, 'edition_limits_exceeded');
  });

  it('refuses an edition change of a revoked license (409 license_revoked)', async () => {
    const license = await fixtures.license({ customerId: customer.customerId });
    await api.ops('POST', `/v1/licenses/${license.slc}/revoke`, { reason: 'other' });
    await expectUnchanged(license.slc, () => patch(license.slc, { product: 'expert', version: '2026 R1' }), 409, 'license_revoked');
  });

  it.each([[{ product: 'xprotect-plus' }], [{ product: '' }], [{ product: 'Corporate' }], [{ version: '2025 r1' }], [{ version: null }]])(
    'refuses %j with 400 and changes nothing',
    async (body) => {
      const license = await fixtures.license({ customerId: customer.customerId });
      await expectUnchanged(license.slc, () => patch(license.slc, body), 400, 'validation_failed');
    },
  );
});

describe('PATCH /v1/licenses/{slc} add-ons below what installations hold (§4, §5.4 rev 2)', () => {
  it('is 409 entitlement_below_usage naming each quantity, and the failover pair while it is held', async () => {
    const license = await fixtures.license({ customerId: customer.customerId, addOns: { access: { doors: 4 }, lpr: { cameras: 2, plateLibraries: 1 }, managementServerFailover: true } });
    await setAddOnUsage(license.slc, { 'access.doors': 3, 'lpr.plateLibraries': 1 }, 'installation-1');
    const view = await api.ops('GET', `/v1/licenses/${license.slc}`);
    expect(view.body.usage.addOns).toEqual({ access: { doors: 3 }, lpr: { cameras: 0, plateLibraries: 1 } });
    expect(view.body.managementServerFailover).toEqual({ installationId: 'installation-1' });

    const refused = await expectUnchanged(license.slc, () => patch(license.slc, { addOns: { access: { doors: 2 }, lpr: { cameras: 2 } } }), 409, 'entitlement_below_usage');
    expect(refused.body.error.details.map((detail: { path: string }) => detail.path)).toEqual(['addOns.access.doors', 'addOns.lpr.plateLibraries', 'addOns.managementServerFailover']);
    const exact = await patch(license.slc, { addOns: { access: { doors: 3 }, lpr: { plateLibraries: 1 }, managementServerFailover: true } });
    expect(exact.status).toBe(200);
    await setAddOnUsage(license.slc, { 'access.doors': 3, 'lpr.plateLibraries': 1 }, null);
    expect((await patch(license.slc, { addOns: { access: { doors: 3 }, lpr: { plateLibraries: 1 } } })).status).toBe(200);
  });
});
