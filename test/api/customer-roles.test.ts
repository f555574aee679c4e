import { beforeAll, describe, expect, it } from 'vitest';
import { useApi, type InstallationCredentials } from '../support/api';
import { activationBody, camera, createLicense } from '../support/licensing';
import { signedInUser } from '../support/users';

/**
 * §11: the customer roles read their own customer's installations through
 * `GET /v1/partner/installations/{id}` and its health route; another tenant's installation is 404,
 * and the partner-only routes beside them are 403 for these roles.
 */
const api = useApi();

let partner: { partnerId: string; apiKey: string };
let own: { customerId: string; installation: InstallationCredentials };
let foreign: { customerId: string; installation: InstallationCredentials };

async function activatedInstallation(partnerId: string): Promise<{ customerId: string; installation: InstallationCredentials }> {
  const { slc, customerId } = await createLicense(api, { partnerId, carePlus: { validUntil: '2099-12-31' } });
  const activation = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()]) } });
  expect(activation.status, JSON.stringify(activation.body)).toBe(201);
  const installation = { installationId: activation.body.installationId, installationSecret: activation.body.installationSecret };
  const report = await api.signed(installation, 'POST', `/v1/installations/${installation.installationId}/health`, { consent: true, status: 'ok', errors: [] });
  expect(report.status, JSON.stringify(report.body)).toBe(202);
  return { customerId, installation };
}

beforeAll(async () => {
  partner = (await api.ops('POST', '/v1/partners', { name: 'Installations Dealer' })).body;
  const otherPartner = (await api.ops('POST', '/v1/partners', { name: 'Other Installations Dealer' })).body;
  own = await activatedInstallation(partner.partnerId);
  foreign = await activatedInstallation(otherPartner.partnerId);
});

describe.each(['customer-admin', 'customer-user'])('a %s', (role) => {
  let idToken: string;
  beforeAll(async () => {
    idToken = (await signedInUser(api, { role, customerId: own.customerId })).idToken;
  });
  const get = (path: string) => api.request('GET', path, { token: idToken });

  it("reads its own customer's installation and its health reports", async () => {
    const view = await get(`/v1/partner/installations/${own.installation.installationId}`);
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    expect(view.body).toMatchObject({ installationId: own.installation.installationId, devices: [expect.objectContaining({ status: 'activated' })] });
    const health = await get(`/v1/partner/installations/${own.installation.installationId}/health`);
    expect(health.status, JSON.stringify(health.body)).toBe(200);
    expect(health.body.items.map((item: any) => item.status)).toEqual(['ok']);
  });

  it("gets 404 for another tenant's installation and its health reports", async () => {
    for (const path of [`/v1/partner/installations/${foreign.installation.installationId}`, `/v1/partner/installations/${foreign.installation.installationId}/health`]) {
      const response = await get(path);
      expect([response.status, response.body.error.code], path).toEqual([404, 'installation_not_found']);
    }
  });

  it('gets 403 on the partner-only routes beside them', async () => {
    for (const path of ['/v1/partner/licenses', '/v1/partner/customers', '/v1/partner/webhooks', '/v1/partner/users']) {
      const response = await get(path);
      expect([response.status, response.body.error.code], path).toEqual([403, 'forbidden']);
    }
  });
});
