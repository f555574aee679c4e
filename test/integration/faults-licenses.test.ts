import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { listCustomerLicenseSlcs } from '../../shared/store/personal-data';
import { useApi } from '../support/api';
import { injectDynamoFaults } from '../support/dynamo-faults';
import { runUnderEveryFault } from '../support/fault-cases';
import { licenseLedger } from '../support/invariants';
import { activationBody, camera, createLicense } from '../support/licensing';

/**
 * License issue, entitlement change and Care Plus under a DynamoDB fault at every call (see
 * test/support/dynamo-faults.ts): each converges on retry, with exactly one license per
 * Idempotency-Key and exactly one audit event per change.
 */
const api = useApi();
const faults = injectDynamoFaults();
afterAll(() => faults.remove());

async function events(slc: string): Promise<any[]> {
  const response = await api.ops('GET', `/v1/licenses/${slc}/events?limit=100`);
  expect(response.status).toBe(200);
  return response.body.items;
}

const summaries: unknown[] = [];
afterAll(() => console.log(`[faults] ${JSON.stringify(summaries)}`));

describe('license issue, change and Care Plus with a DynamoDB fault at every call', () => {
  it('POST /v1/licenses with an Idempotency-Key creates exactly one license', async () => {
    await api.ops('PUT', '/v1/catalog/versions/2025%20R1', { generalAvailability: '2025-02-12' });
    summaries.push(
      await runUnderEveryFault(faults, {
        name: 'issue',
        idempotent: true,
        async prepare() {
          const customer = await api.ops('POST', '/v1/customers', { name: 'Fault Tolerant A/S', country: 'DK', contacts: [{ name: 'Ada', email: 'ada@example.com' }] });
          expect(customer.status).toBe(201);
          return { customerId: customer.body.customerId as string, key: `issue-${randomUUID()}` };
        },
        act: ({ customerId, key }) =>
          api.ops('POST', '/v1/licenses', { customerId, product: 'corporate', version: '2025 R1', deviceLicenses: 25 }, { 'idempotency-key': key }),
        async check({ customerId }, final) {
          expect(final.status).toBe(201);
          expect(await listCustomerLicenseSlcs(customerId)).toEqual([final.body.slc]);
          const trail = await events(final.body.slc);
          expect(trail.filter((event) => event.type === 'license.created')).toHaveLength(1);
          expect(final.body.entitlements.deviceLicenses).toBe(25);
        },
      }),
    );
  }, 900_000);

  it('PATCH /v1/licenses/{slc} changes the entitlement once, keeping usage', async () => {
    summaries.push(
      await runUnderEveryFault(faults, {
        name: 'patch',
        idempotent: true,
        async prepare() {
          const { slc } = await createLicense(api, { deviceLicenses: 10, version: '2025 R1' });
          const activated = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera(), camera()]) } });
          expect(activated.status).toBe(201);
          return { slc };
        },
        act: ({ slc }) => api.request('PATCH', `/v1/licenses/${slc}`, { body: { deviceLicenses: 30 }, token: process.env.OPS_TOKEN }),
        async check({ slc }, final) {
          expect(final.body.entitlements.deviceLicenses).toBe(30);
          const ledger = await licenseLedger(slc);
          expect(ledger.license.entitledDeviceLicenses).toBe(30);
          expect(ledger.license.usedDeviceLicenses).toBe(2);
          expect(ledger.license.usedDeviceLicenses).toBe(ledger.deviceLicensesOfDevices);
          // One event records the change; a retry of an already applied change may add a from = to record, never a second change.
          const changes = (await events(slc)).filter((event) => event.type === 'license.updated' && event.details.deviceLicenses.from !== event.details.deviceLicenses.to);
          expect(changes.map((event) => event.details.deviceLicenses)).toEqual([{ from: 10, to: 30 }]);
        },
      }),
    );
  }, 900_000);

  it('PUT /v1/licenses/{slc}/care-plus sets Care Plus once', async () => {
    const validUntil = '2031-06-30T23:59:59.999Z';
    summaries.push(
      await runUnderEveryFault(faults, {
        name: 'care-plus',
        idempotent: true,
        prepare: async () => ({ slc: (await createLicense(api, { deviceLicenses: 5, version: '2025 R1' })).slc }),
        act: ({ slc }) => api.request('PUT', `/v1/licenses/${slc}/care-plus`, { body: { validUntil }, token: process.env.OPS_TOKEN }),
        async check({ slc }, final) {
          expect(final.body.carePlus).toEqual({ validUntil, active: true });
          const changes = (await events(slc)).filter((event) => event.type === 'care_plus.updated' && event.details.from !== event.details.to);
          expect(changes.map((event) => event.details)).toEqual([{ from: null, to: validUntil }]);
        },
      }),
    );
  }, 900_000);
});
