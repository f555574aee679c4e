import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_MOBILE_SERVERS_PER_INSTALLATION } from '../../shared/domain/notifications';
import { getCustomer } from '../../shared/store/customers';
import { getLicense } from '../../shared/store/licenses';
import { putMobileServer, putNotificationEmails } from '../../shared/store/push';
import { useApi, type InstallationCredentials } from '../support/api';
import { seedCustomer, seedInstallation, seedLicense } from '../support/seed';

const api = useApi();

async function mobileServerWith(installation: InstallationCredentials, emails: string[]) {
  const guid = randomUUID();
  const base = `/v1/installations/${installation.installationId}/mobile-servers/${guid}`;
  expect((await api.signed(installation, 'PUT', base, { hostname: 'mobile' })).status).toBe(200);
  expect((await api.signed(installation, 'PUT', `${base}/devices/${randomUUID()}`, { platform: 'ios', pushToken: 'apns' })).status).toBe(200);
  expect((await api.signed(installation, 'PUT', `${base}/emails`, { emails })).status).toBe(200);
  return { guid, base };
}

/** A customer with two licenses, three installations and four mobile servers, and a bystander customer. */
async function customerWithPushData() {
  const customer = await seedCustomer({
    contacts: [
      { name: 'Ida Jensen', email: 'ida@northwind.example', phone: '+45 12 34 56 78' },
      { name: 'Ole Hansen', email: 'ole@northwind.example' },
    ],
  });
  const first = await seedLicense({ customerId: customer.customerId });
  const second = await seedLicense({ customerId: customer.customerId, product: 'expert' });
  const i1 = await seedInstallation(first);
  const i2 = await seedInstallation(first);
  const i3 = await seedInstallation(second, { status: 'retired' });
  const servers = [
    { installation: i1, slc: first.slc, ...(await mobileServerWith(i1, ['guard1@northwind.example', 'guard2@northwind.example'])) },
    { installation: i1, slc: first.slc, ...(await mobileServerWith(i1, [])) },
    { installation: i2, slc: first.slc, ...(await mobileServerWith(i2, ['control-room@northwind.example'])) },
  ];
  // A retired installation cannot sign requests any more, but what it registered before stays personal data.
  const retiredGuid = randomUUID();
  await putMobileServer(i3.installationId, retiredGuid, null, new Date().toISOString(), MAX_MOBILE_SERVERS_PER_INSTALLATION);
  await putNotificationEmails(i3.installationId, retiredGuid, ['old@northwind.example'], new Date().toISOString());

  const bystander = await seedCustomer({ contacts: [{ name: 'Eve', email: 'eve@contoso.example' }] });
  const bystanderInstallation = await seedInstallation(await seedLicense({ customerId: bystander.customerId }));
  const bystanderServer = await mobileServerWith(bystanderInstallation, ['eve.alerts@contoso.example']);
  return { customer, first, second, i1, i2, i3, servers, retiredGuid, bystander, bystanderInstallation, bystanderServer };
}

describe('personal data (API.md §4)', () => {
  it('exports the contacts and every notification e-mail of the customer\'s installations, unmasked', async () => {
    const data = await customerWithPushData();
    const response = await api.ops('GET', `/v1/customers/${data.customer.customerId}/personal-data`);
    expect(response.status).toBe(200);
    expect(response.body.customerId).toBe(data.customer.customerId);
    expect(response.body.contacts).toEqual(data.customer.contacts);
    expect(response.body.notificationEmails).toHaveLength(3);
    expect(response.body.notificationEmails).toEqual(
      expect.arrayContaining([
        { slc: data.first.slc, installationId: data.i1.installationId, mobileServerGuid: data.servers[0]!.guid, emails: ['guard1@northwind.example', 'guard2@northwind.example'] },
        { slc: data.first.slc, installationId: data.i2.installationId, mobileServerGuid: data.servers[2]!.guid, emails: ['control-room@northwind.example'] },
        { slc: data.second.slc, installationId: data.i3.installationId, mobileServerGuid: data.retiredGuid, emails: ['old@northwind.example'] },
      ]),
    );
    expect(JSON.stringify(response.body)).not.toContain('contoso');
  });

  it('erases contacts and notification e-mails; license, installation and device data stay', async () => {
    const data = await customerWithPushData();
    const erased = await api.ops('DELETE', `/v1/customers/${data.customer.customerId}/personal-data`);
    expect(erased.status).toBe(204);

    const after = await api.ops('GET', `/v1/customers/${data.customer.customerId}/personal-data`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ customerId: data.customer.customerId, contacts: [], notificationEmails: [] });
    expect((await getCustomer(data.customer.customerId))?.contacts).toEqual([]);

    // The mobile servers and their devices remain; only the addresses are gone.
    const view = await api.signed(data.i1, 'GET', data.servers[0]!.base);
    expect(view.status).toBe(200);
    expect(view.body.emails).toEqual([]);
    expect(view.body.devices).toHaveLength(1);
    expect(await getLicense(data.first.slc)).toMatchObject({ slc: data.first.slc, status: 'active', customerId: data.customer.customerId });

    // The bystander keeps everything.
    const bystander = await api.ops('GET', `/v1/customers/${data.bystander.customerId}/personal-data`);
    expect(bystander.body.contacts).toEqual(data.bystander.contacts);
    expect(bystander.body.notificationEmails[0].emails).toEqual(['eve.alerts@contoso.example']);

    // Erasing again is harmless.
    expect((await api.ops('DELETE', `/v1/customers/${data.customer.customerId}/personal-data`)).status).toBe(204);
  });

  it('answers 404 customer_not_found for an unknown customer', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await api.ops(method, `/v1/customers/${randomUUID()}/personal-data`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('customer_not_found');
    }
  });

  it('is for ops only', async () => {
    const customer = await seedCustomer();
    const partner = (await api.ops('POST', '/v1/partners', { name: 'Curious Partner' })).body;
    const response = await api.request('GET', `/v1/customers/${customer.customerId}/personal-data`, { token: partner.apiKey });
    expect(response.status).toBe(403);
    expect((await api.request('DELETE', `/v1/customers/${customer.customerId}/personal-data`)).status).toBe(401);
    expect((await getCustomer(customer.customerId))?.contacts).toHaveLength(1);
  });
});
