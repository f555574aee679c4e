import { afterAll, describe, expect, it } from 'vitest';
import { useApi, type InstallationCredentials } from '../support/api';
import { injectDynamoFaults } from '../support/dynamo-faults';
import { runUnderEveryFault } from '../support/fault-cases';
import { expectAddOnPoolsConsistent, expectLedgerConsistent } from '../support/invariants';
import { activationBody, camera, createLicense } from '../support/licensing';

/**
 * Add-on pools per SLC (§5.4 rev 2) under concurrency and under a DynamoDB fault at every call of
 * an activation that takes and gives back add-on quantities and the failover pair.
 */
const api = useApi();
const faults = injectDynamoFaults();
afterAll(() => faults.remove());
const summaries: unknown[] = [];
afterAll(() => console.log(`[faults] ${JSON.stringify(summaries)}`));
const maxCalls = process.env.FAULT_POSITIONS && process.env.FAULT_POSITIONS !== 'all' ? Number(process.env.FAULT_POSITIONS) : undefined;

const ENTITLEMENT = { access: { doors: 25 }, lpr: { cameras: 12, plateLibraries: 3 }, managementServerFailover: true };

describe('add-on pools under concurrency', () => {
  it('30 installations requesting add-ons at once never hold more than the entitlement, and usage equals the sum held', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 100, addOns: ENTITLEMENT });
    const request = (i: number) => ({ access: { doors: 1 + (i % 4) }, lpr: { cameras: i % 3, plateLibraries: 1 }, managementServerFailover: true });
    const firsts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()], { addOnsInUse: request(i) }) } })),
    );
    expect(firsts.map((response) => response.status)).toEqual(Array(30).fill(201));
    const licensedDoors = firsts.reduce((sum, response) => sum + response.body.addOns.access.licensed.doors, 0);
    const failoverHolders = firsts.filter((response) => response.body.addOns.managementServerFailover.licensed === true);
    expect(licensedDoors).toBe(25); // more is requested than entitled: the pool is used up exactly
    expect(failoverHolders).toHaveLength(1);
    let { sums, ledger } = await expectAddOnPoolsConsistent(slc);
    expect(sums['access.doors']).toBe(25);
    expect(sums['lpr.plateLibraries']).toBe(3);
    expect(ledger.license.failoverInstallationId).toBe(failoverHolders[0]!.body.installationId);

    // Everyone re-activates at once with other quantities, and a third of them are released meanwhile.
    const credentials: InstallationCredentials[] = firsts.map((response) => response.body);
    const responses = await Promise.all([
      ...credentials.map((installation, i) =>
        i % 3 === 0
          ? api.ops('DELETE', `/v1/installations/${installation.installationId}`)
          : api.signed(installation, 'POST', '/v1/activations', { installationId: installation.installationId, ...activationBody([], { addOnsInUse: request(i + 1) }) }),
      ),
    ]);
    for (const response of responses) expect([200, 204]).toContain(response.status);
    ({ sums, ledger } = await expectAddOnPoolsConsistent(slc));
    await expectLedgerConsistent(slc);
    const view = (await api.ops('GET', `/v1/licenses/${slc}`)).body;
    expect(view.usage.addOns).toEqual({ access: { doors: sums['access.doors'] }, lpr: { cameras: sums['lpr.cameras'], plateLibraries: sums['lpr.plateLibraries'] } });
    expect(view.managementServerFailover.installationId).toBe(ledger.license.failoverInstallationId ?? null);
    // What the answers report licensed is what the installations hold.
    const reported = responses.filter((response) => response.status === 200).reduce((sum, response) => sum + response.body.addOns.access.licensed.doors, 0);
    expect(reported).toBe(sums['access.doors']);
  }, 300_000);
});

describe('add-on pools with a DynamoDB fault at every call', () => {
  it('a re-activation that gives back doors, takes LPR cameras and the failover pair converges on retry', async () => {
    summaries.push(
      await runUnderEveryFault(
        faults,
        {
          name: 'add-on-reactivation',
          idempotent: true,
          comparable: ({ license: _license, released: _released, ...rest }) => rest,
          async prepare() {
            const { slc } = await createLicense(api, { deviceLicenses: 20, addOns: ENTITLEMENT, version: '2025 R1' });
            const other = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()], { addOnsInUse: { access: { doors: 20 }, lpr: { cameras: 10 } } }) } });
            const mine = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()], { addOnsInUse: { access: { doors: 5 } } }) } });
            expect([other.status, mine.status]).toEqual([201, 201]);
            const credentials: InstallationCredentials = mine.body;
            const body = { installationId: credentials.installationId, ...activationBody([camera()], { addOnsInUse: { access: { doors: 2 }, lpr: { cameras: 4 }, managementServerFailover: true } }) };
            return { slc, credentials, body };
          },
          act: ({ credentials, body }) => api.signed(credentials, 'POST', '/v1/activations', body),
          async check({ slc, credentials }, final, fault) {
            expect(final.status, JSON.stringify(fault)).toBe(200);
            expect(final.body.addOns.access.licensed).toEqual({ doors: 2 });
            expect(final.body.addOns.lpr).toMatchObject({ status: 'partially_licensed', licensed: { cameras: 2, plateLibraries: 0 } });
            expect(final.body.addOns.managementServerFailover.status).toBe('licensed');
            const { sums, ledger } = await expectAddOnPoolsConsistent(slc, fault);
            expect(sums).toMatchObject({ 'access.doors': 22, 'lpr.cameras': 12 });
            expect(ledger.license.failoverInstallationId).toBe(credentials.installationId);
            await expectLedgerConsistent(slc, fault);
          },
        },
        { maxCalls },
      ),
    );
  }, 1_800_000);

  it('a release gives back the add-ons and the failover pair exactly once', async () => {
    summaries.push(
      await runUnderEveryFault(
        faults,
        {
          name: 'add-on-release',
          retryMayAnswer: [204],
          async prepare() {
            const { slc } = await createLicense(api, { deviceLicenses: 20, addOns: ENTITLEMENT, version: '2025 R1' });
            const other = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()], { addOnsInUse: { access: { doors: 3 } } }) } });
            const mine = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()], { addOnsInUse: { access: { doors: 5 }, managementServerFailover: true } }) } });
            expect([other.status, mine.status]).toEqual([201, 201]);
            return { slc, installationId: mine.body.installationId as string };
          },
          act: ({ installationId }) => api.ops('DELETE', `/v1/installations/${installationId}`),
          async check({ slc }, final, fault) {
            expect(final.status, JSON.stringify(fault)).toBe(204);
            const { sums, ledger } = await expectAddOnPoolsConsistent(slc, fault);
            expect(sums['access.doors']).toBe(3);
            expect(ledger.license.failoverInstallationId ?? null).toBeNull();
          },
        },
        { maxCalls },
      ),
    );
  }, 1_800_000);
});
