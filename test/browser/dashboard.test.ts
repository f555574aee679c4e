import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateFirst, camera } from '../support/licensing';
import { openSecret, requestFile, requestFileKeys } from '../support/offline';
import { firstSignIn, uniqueEmail } from '../support/users';
import { activationBody } from '../support/licensing';
import { newPage, screenshot, seriousViolations, signInThroughPage, tableRows, useDashboard } from './support';

/**
 * The Customer Dashboard (API.md §11) in Debian's Chromium, against the API and user pool of the
 * test run: sign-in and the first-password change, what each role sees, the license page with the
 * Care Plus renewal text, offline activation through the page, customers, and axe-core on every page.
 */
const { api, browser } = useDashboard();
const NEW_PASSWORD = 'Dashboard-Passw0rd!';
const DAY = 24 * 3600 * 1000;

interface Fixture {
  partnerA: { partnerId: string; apiKey: string };
  customerA: { customerId: string; name: string };
  customerB: { customerId: string; name: string };
  slcA: string;
  slcB: string;
  macs: string[];
}
let fx: Fixture;

async function ok(response: Promise<{ status: number; body: any }>, what: string) {
  const result = await response;
  if (result.status >= 300) throw new Error(`${what}: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

/** A user created through the API; the browser signs in with its temporary password. */
async function newUser(role: string, tenant: Record<string, string> = {}) {
  const email = uniqueEmail(role);
  const user = await ok(api.ops('POST', '/v1/users', { email, name: `${role} user`, role, ...tenant }), 'user');
  return { email, temporaryPassword: user.temporaryPassword as string };
}

beforeAll(async () => {
  await ok(api.ops('PUT', '/v1/catalog/versions/2025%20R1', { generalAvailability: '2025-02-12' }), 'catalog');
  const partnerA = await ok(api.ops('POST', '/v1/partners', { name: 'Dealer Aalborg' }), 'partner');
  const partnerB = await ok(api.ops('POST', '/v1/partners', { name: 'Dealer Bergen' }), 'partner');
  const customer = (name: string, partnerId: string) =>
    ok(api.ops('POST', '/v1/customers', { name, country: 'DK', contacts: [{ name: 'Ida', email: 'ida@example.com' }], partnerId }), 'customer');
  const customerA = await customer('Harbour Logistics A/S', partnerA.partnerId);
  const customerB = await customer('Fjord Retail AS', partnerB.partnerId);
  // Care Plus ends in 20 days and a few hours: the license page says 20 days.
  const validUntil = new Date(Date.now() + 20 * DAY + 5 * 3600 * 1000).toISOString();
  const licenseA = await ok(
    api.ops('POST', '/v1/licenses', { customerId: customerA.customerId, product: 'corporate', version: '2025 R1', deviceLicenses: 50, carePlus: { validUntil } }),
    'license',
  );
  const licenseB = await ok(api.ops('POST', '/v1/licenses', { customerId: customerB.customerId, product: 'expert', version: '2025 R1', deviceLicenses: 8 }), 'license');
  const cameras = [camera(), camera()];
  await activateFirst(api, licenseA.slc, cameras);
  fx = { partnerA, customerA, customerB, slcA: licenseA.slc, slcB: licenseB.slc, macs: cameras.map((c) => c.mac) };
});

describe('sign-in', () => {
  it('a failed sign-in shows an alert and no data; the sign-in pages pass axe-core', async () => {
    const page = await newPage(browser(), api);
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');
    const { email } = await newUser('customer-user', { customerId: fx.customerA.customerId });
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not correct/);
    expect(await page.getByRole('navigation').count()).toBe(0);
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.content()).not.toContain(fx.slcA);
    await page.context().close();
  });

  it('a first sign-in asks for a new password; the keyboard alone gets through it', async () => {
    const { email, temporaryPassword } = await newUser('customer-user', { customerId: fx.customerA.customerId });
    const page = await newPage(browser(), api);
    await page.goto('/');
    await page.getByLabel('Email').focus();
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(temporaryPassword);
    await page.keyboard.press('Enter');
    await page.getByLabel('New password').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('New password').focus();
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Licenses' }).waitFor();
    // The new password works from now on, the temporary one no longer does.
    expect((await tableRows(page, 'Licenses')).length).toBe(1);
    await page.context().close();
  });
});

describe('a partner user', () => {
  it('sees only its customers\' licenses, opens one, activates offline and creates customers', async () => {
    const { email, temporaryPassword } = await newUser('partner', { partnerId: fx.partnerA.partnerId });
    const page = await newPage(browser(), api);
    await signInThroughPage(page, email, temporaryPassword, NEW_PASSWORD);

    // Licenses: this partner's one license, "used of entitled".
    const rows = await tableRows(page, 'Licenses');
    expect(rows).toEqual([`${fx.slcA} | ${fx.customerA.name} | corporate | 2025 R1 | 2 of 50 | ${rows[0]!.split(' | ')[5]} | active`]);
    expect(rows.join()).not.toContain(fx.slcB);
    const nav = page.getByRole('navigation');
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Licenses', 'Customers', 'Offline activation']);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'licenses');

    // The license page.
    await page.getByRole('link', { name: fx.slcA }).click();
    await page.getByRole('heading', { level: 1, name: fx.slcA }).waitFor();
    await page.getByRole('table', { name: 'Installations' }).waitFor();
    expect(await tableRows(page, 'Installations')).toHaveLength(1);
    const devices = await tableRows(page, 'Devices');
    expect(devices.map((row) => row.split(' | ')[0]).sort()).toEqual([...fx.macs].sort());
    expect(devices.every((row) => row.includes('activated | 1 | 1 | 0'))).toBe(true);
    const headers = await page.getByRole('table', { name: 'Devices' }).getByRole('columnheader').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['MAC', 'Status', 'Registrations', 'Deletions']));
    expect((await tableRows(page, 'Events')).some((row) => row.includes('activation.completed'))).toBe(true);
    await expect.poll(() => page.getByText('Care Plus expires in 20 days').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'license');

    // Offline activation: upload a request file, download the license file.
    await nav.getByRole('link', { name: 'Offline activation' }).click();
    const keys = await requestFileKeys();
    const file = requestFile({ slc: fx.slcA, ...activationBody([camera()]) }, keys);
    await page.getByLabel('Activation request file').setInputFiles({ name: 'activation-request.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
    await page.getByRole('button', { name: 'Activate' }).click();
    const link = page.getByRole('link', { name: 'Download license file' });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const licenseFile = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(licenseFile).toMatchObject({ format: 'cloud-licensing.license-file.v1', installationId: expect.any(String), activation: { status: 'activated' } });
    const { secret } = await openSecret(licenseFile, keys);
    const checkIn = await api.signed({ installationId: licenseFile.installationId, installationSecret: secret }, 'GET', `/v1/installations/${licenseFile.installationId}/license`);
    expect(checkIn.status).toBe(200);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'offline-activation');

    // Customers: without the consent box, an alert and nothing created; with it, the new row.
    await nav.getByRole('link', { name: 'Customers' }).click();
    const before = await tableRows(page, 'Customers');
    expect(before.map((row) => row.split(' | ')[0])).toEqual([fx.customerA.name]);
    await page.getByLabel('Name', { exact: true }).fill('Quayside Storage ApS');
    await page.getByLabel('Country').fill('DK');
    await page.getByLabel('Contact name').fill('Mads Holm');
    await page.getByLabel('Contact email').fill('mads@example.com');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/End user accepted the EULA/);
    expect((await api.request('GET', '/v1/partner/customers', { token: fx.partnerA.apiKey })).body.items).toHaveLength(1);
    await page.getByLabel('End user accepted the EULA and consents to sharing personal data').check();
    await page.getByRole('button', { name: 'Create customer' }).click();
    await expect.poll(async () => (await tableRows(page, 'Customers')).map((row) => row.split(' | ')[0])).toEqual([fx.customerA.name, 'Quayside Storage ApS']);
    expect((await api.request('GET', '/v1/partner/customers', { token: fx.partnerA.apiKey })).body.items).toHaveLength(2);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'customers');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    await page.context().close();
  });
});

describe('customer users and ops', () => {
  it('a customer-user sees only its customer\'s license and cannot upload; a customer-admin can', async () => {
    const own = await newUser('customer-user', { customerId: fx.customerA.customerId });
    const page = await newPage(browser(), api);
    await signInThroughPage(page, own.email, own.temporaryPassword, NEW_PASSWORD);
    expect((await tableRows(page, 'Licenses')).map((row) => row.split(' | ')[0])).toEqual([fx.slcA]);
    expect(await page.getByRole('navigation').getByRole('link').allTextContents()).toEqual(['Licenses']);
    await page.goto('/#/offline-activation');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/cannot upload/);
    expect(await page.getByLabel('Activation request file').count()).toBe(0);
    await page.goto(`/#/licenses/${fx.slcB}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/license/i);
    expect(await page.getByRole('table', { name: 'Devices' }).count()).toBe(0);
    await page.context().close();

    const admin = await newUser('customer-admin', { customerId: fx.customerB.customerId });
    const adminPage = await newPage(browser(), api);
    await signInThroughPage(adminPage, admin.email, admin.temporaryPassword, NEW_PASSWORD);
    expect((await tableRows(adminPage, 'Licenses')).map((row) => row.split(' | ')[0])).toEqual([fx.slcB]);
    expect(await adminPage.getByRole('navigation').getByRole('link').allTextContents()).toEqual(['Licenses', 'Offline activation']);
    await adminPage.context().close();
  });

  it('ops see every license and every customer', async () => {
    const ops = await newUser('ops');
    const idToken = await firstSignIn(ops.email, ops.temporaryPassword, NEW_PASSWORD);
    expect(idToken).toBeTruthy();
    const page = await newPage(browser(), api);
    await signInThroughPage(page, ops.email, NEW_PASSWORD);
    const slcs = (await tableRows(page, 'Licenses')).map((row) => row.split(' | ')[0]);
    expect(slcs).toEqual(expect.arrayContaining([fx.slcA, fx.slcB]));
    await page.getByRole('navigation').getByRole('link', { name: 'Customers' }).click();
    const names = (await tableRows(page, 'Customers')).map((row) => row.split(' | ')[0]);
    expect(names).toEqual(expect.arrayContaining([fx.customerA.name, fx.customerB.name]));
    expect(await page.getByLabel('End user accepted the EULA and consents to sharing personal data').count()).toBe(0);
    await page.context().close();
  });
});
