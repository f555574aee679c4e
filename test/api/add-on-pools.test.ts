import { describe, expect, it } from 'vitest';
import { useApi, type InstallationCredentials } from '../support/api';
import { expectAddOnPoolsConsistent } from '../support/invariants';
import { activationBody, camera, createLicense } from '../support/licensing';

const api = useApi();

/** The payload of a license document (JWS compact); its signature is tested elsewhere. */
const decodeJwt = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString());

const first = (slc: string, addOnsInUse: Record<string, unknown>) =>
  api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()], { addOnsInUse }) } });
const again = (credentials: InstallationCredentials, addOnsInUse: Record<string, unknown>) =>
  api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody([], { addOnsInUse }) });
const view = async (slc: string) => (await api.ops('GET', `/v1/licenses/${slc}`)).body;

describe('add-on quantities are pooled per SLC (§5.4 rev 2)', () => {
  it('allocates from what the other installations left, keeps what is still requested, releases the rest', async () => {
    const { slc } = await createLicense(api, { addOns: { access: { doors: 4 }, lpr: { cameras: 2, plateLibraries: 1 } } });
    const a = await first(slc, { access: { doors: 3 } });
    expect(a.body.addOns.access).toEqual({ status: 'licensed', requested: { doors: 3 }, licensed: { doors: 3 } });
    const b = await first(slc, { access: { doors: 3 }, lpr: { cameras: 2, plateLibraries: 1 } });
    expect(b.body.addOns.access).toEqual({ status: 'partially_licensed', requested: { doors: 3 }, licensed: { doors: 1 } });
    expect(b.body.addOns.lpr).toEqual({ status: 'licensed', requested: { cameras: 2, plateLibraries: 1 }, licensed: { cameras: 2, plateLibraries: 1 } });
    const c = await first(slc, { access: { doors: 2 } });
    expect(c.body.addOns.access).toEqual({ status: 'not_licensed', requested: { doors: 2 }, licensed: { doors: 0 } });
    expect((await view(slc)).usage.addOns).toEqual({ access: { doors: 4 }, lpr: { cameras: 2, plateLibraries: 1 } });
    await expectAddOnPoolsConsistent(slc);

    // A keeps 1 of its 3 and gives back 2; B keeps its 1 and takes 2 more; C gets nothing still.
    expect((await again(a.body, { access: { doors: 1 } })).body.addOns.access.licensed).toEqual({ doors: 1 });
    expect((await again(b.body, { access: { doors: 3 } })).body.addOns.access).toEqual({ status: 'licensed', requested: { doors: 3 }, licensed: { doors: 3 } });
    expect((await again(c.body, { access: { doors: 2 } })).body.addOns.access.status).toBe('not_licensed');
    // B no longer requests LPR: it is released.
    expect((await again(b.body, { access: { doors: 3 } })).body.addOns.lpr).toBeUndefined();
    expect((await view(slc)).usage.addOns).toEqual({ access: { doors: 4 }, lpr: { cameras: 0, plateLibraries: 0 } });

    // A released installation gives back everything it held.
    expect((await api.ops('DELETE', `/v1/installations/${b.body.installationId}`)).status).toBe(204);
    expect((await view(slc)).usage.addOns.access).toEqual({ doors: 1 });
    expect((await again(c.body, { access: { doors: 2 } })).body.addOns.access.status).toBe('licensed');
    await expectAddOnPoolsConsistent(slc);

    // The check-in's license document states what the installation holds.
    const checkIn = await api.signed(c.body, 'GET', `/v1/installations/${c.body.installationId}/license`);
    expect(decodeJwt(checkIn.body.license).addOns).toEqual({ access: { status: 'licensed', requested: { doors: 2 }, licensed: { doors: 2 } } });
  });

  it('refuses a PATCH below what installations hold (409 entitlement_below_usage)', async () => {
    const { slc } = await createLicense(api, { addOns: { access: { doors: 4 } } });
    await first(slc, { access: { doors: 3 } });
    const refused = await api.ops('PATCH', `/v1/licenses/${slc}`, { addOns: { access: { doors: 2 } } });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'entitlement_below_usage']);
    expect((await api.ops('PATCH', `/v1/licenses/${slc}`, { addOns: { access: { doors: 3 } } })).status).toBe(200);
  });

  it('licenses one designated failover pair at a time', async () => {
    const { slc } = await createLicense(api, { addOns: { managementServerFailover: true } });
    const a = await first(slc, { managementServerFailover: true });
    expect(a.body.addOns.managementServerFailover).toEqual({ status: 'licensed', requested: true, licensed: true });
    const b = await first(slc, { managementServerFailover: true });
    expect(b.body.addOns.managementServerFailover).toEqual({ status: 'not_licensed', requested: true, licensed: false });
    expect((await view(slc)).managementServerFailover).toEqual({ installationId: a.body.installationId });
    const refused = await api.ops('PATCH', `/v1/licenses/${slc}`, { addOns: {} });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'entitlement_below_usage']);
    // Re-activating the holder keeps it; once it stops requesting it, the other one may take it.
    expect((await again(a.body, { managementServerFailover: true })).body.addOns.managementServerFailover.status).toBe('licensed');
    await again(a.body, {});
    expect((await view(slc)).managementServerFailover).toEqual({ installationId: null });
    expect((await again(b.body, { managementServerFailover: true })).body.addOns.managementServerFailover.status).toBe('licensed');
    expect((await api.ops('DELETE', `/v1/installations/${b.body.installationId}`)).status).toBe(204);
    expect((await view(slc)).managementServerFailover).toEqual({ installationId: null });
    await expectAddOnPoolsConsistent(slc);
  });

  it('does not pool Smart Wall and Incident Manager', async () => {
    const { slc } = await createLicense(api, { product: 'expert', addOns: { smartWall: true, incidentManager: true } });
    for (let i = 0; i < 2; i++) {
      const response = await first(slc, { smartWall: true, incidentManager: true });
      expect(response.body.addOns.smartWall.status).toBe('licensed');
      expect(response.body.addOns.incidentManager.status).toBe('licensed');
    }
  });
});

describe('activation and the catalogs (§4, §5 rev 2)', () => {
  it('accepts current and accepted EULA versions, refuses others with 422 eula_not_accepted, and states eulaVersion', async () => {
    const { slc } = await createLicense(api);
    const accepted = await first(slc, {});
    expect(accepted.status).toBe(201);
    expect(accepted.body.eulaVersion).toBe('20250212');
    expect(decodeJwt(accepted.body.license).eulaVersion).toBe('20250212');
    for (const eulaVersion of ['20990101', '20240101']) {
      const refused = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()], { eulaVersion }) } });
      expect([refused.status, refused.body.error.code]).toEqual([422, 'eula_not_accepted']);
    }
    expect((await api.ops('PUT', '/v1/catalog/eulas/20260101', { status: 'current' })).status).toBe(200);
    const old = await api.signed(accepted.body, 'POST', '/v1/activations', { installationId: accepted.body.installationId, ...activationBody([camera()]) });
    expect([old.status, old.body.eulaVersion]).toEqual([200, '20250212']);
    expect((await api.ops('PUT', '/v1/catalog/eulas/20250212', { status: 'retired' })).status).toBe(200);
    const retired = await api.signed(accepted.body, 'POST', '/v1/activations', { installationId: accepted.body.installationId, ...activationBody([camera()]) });
    expect([retired.status, retired.body.error.code]).toEqual([422, 'eula_not_accepted']);
    const current = await api.signed(accepted.body, 'POST', '/v1/activations', { installationId: accepted.body.installationId, ...activationBody([camera()], { eulaVersion: '20260101' }) });
    expect([current.status, current.body.eulaVersion]).toEqual([200, '20260101']);
    const checkIn = await api.signed(accepted.body, 'GET', `/v1/installations/${accepted.body.installationId}/license`);
    expect(decodeJwt(checkIn.body.license).eulaVersion).toBe('20260101');
    // Later tests of this file activate with the setting's version again.
    expect((await api.ops('PUT', '/v1/catalog/eulas/20250212', { status: 'current' })).status).toBe(200);
  });

  it('reads the activation window from the catalog at activation time', async () => {
    const { slc, license } = await createLicense(api, { version: '2014 R1', generalAvailability: '2014-01-01' });
    const refused = await first(slc, {});
    expect(refused.body.devices[0]).toMatchObject({ status: 'not_activated', reason: 'activation_period_ended' });
    expect((await api.ops('PUT', '/v1/catalog/versions/2014%20R1', { generalAvailability: '2020-01-01' })).status).toBe(200);
    const activated = await first(slc, {});
    expect(activated.body.devices[0].status).toBe('activated');
    expect((await view(slc)).activationAvailableUntil).toBe('2030-01-01');
    expect(license.activationAvailableUntil).toBe('2024-01-01');
  });

  it('refuses activations and check-ins of a rejected customer’s licenses with 403 customer_not_verified', async () => {
    const { slc, customerId } = await createLicense(api);
    const installation = await first(slc, {});
    await api.ops('PUT', `/v1/customers/${customerId}/verification`, { verification: 'rejected', reason: 'screening_hit' });
    for (const response of [
      await first(slc, {}),
      await again(installation.body, {}),
      await api.signed(installation.body, 'GET', `/v1/installations/${installation.body.installationId}/license`),
    ]) {
      expect([response.status, response.body.error.code]).toEqual([403, 'customer_not_verified']);
    }
    await api.ops('PUT', `/v1/customers/${customerId}/verification`, { verification: 'verified', reason: 'manual' });
    expect((await again(installation.body, {})).status).toBe(200);
  });
});
