import { afterAll, describe, expect, it } from 'vitest';
import { useApi, type InstallationCredentials } from '../support/api';
import { fixedClock, resetClock, setClock } from '../../shared/adapters/clock';
import { injectDynamoFaults } from '../support/dynamo-faults';
import { runUnderEveryFault } from '../support/fault-cases';
import { signIdentityDocument } from '../support/identity';
import { expectLedgerConsistent } from '../support/invariants';
import { listCustomerLicenseSlcs } from '../../shared/store/personal-data';
import { activationBody, camera, createLicense } from '../support/licensing';

/**
 * Activation under a DynamoDB fault at every call it makes (reads included), in all four variants
 * of test/support/dynamo-faults.ts: the call fails before reaching DynamoDB or after it executed,
 * seen by the service or retried inside the SDK. (test/integration/activation-faults.test.ts fails
 * writes only, before they reach DynamoDB.) Each case converges on retry: one installation, every
 * device counted once, counters equal to the stored devices.
 *
 * Every call is tried by default; FAULT_POSITIONS=<n> limits the positions tried per variant.
 */
const api = useApi();
const faults = injectDynamoFaults();
afterAll(() => faults.remove());
const summaries: unknown[] = [];
afterAll(() => console.log(`[faults] ${JSON.stringify(summaries)}`));
const maxCalls = process.env.FAULT_POSITIONS && process.env.FAULT_POSITIONS !== 'all' ? Number(process.env.FAULT_POSITIONS) : undefined;

describe('activation with a DynamoDB fault at every call', () => {
  it('first activation: one installation, every device counted once', async () => {
    summaries.push(
      await runUnderEveryFault(
        faults,
        {
          name: 'first-activation',
          async prepare() {
            const { slc } = await createLicense(api, { deviceLicenses: 20, version: '2025 R1' });
            const devices: Array<ReturnType<typeof camera>> = [camera(), camera(), camera({ supportedDeviceList: { listed: true, licenses: 3 }, ipAddresses: ['10.0.0.1', '10.0.0.2'] })];
            return { slc, devices, body: { slc, ...activationBody(devices, { videoPushUsers: 1 }) } };
          },
          act: ({ body }) => api.request('POST', '/v1/activations', { body }),
          async check({ slc, devices }, final, fault) {
            expect(final.status).toBe(201);
            expect(final.body.devices.map((d: any) => [d.mac, d.status, d.reason]), JSON.stringify(fault)).toEqual(devices.map((d) => [d.mac, 'activated', undefined]));
            const ledger = await expectLedgerConsistent(slc, fault);
            expect(ledger.installations.map((installation) => installation.installationId)).toEqual([final.body.installationId]);
            expect(ledger.activatedDevices).toBe(3);
            expect(ledger.license.usedDeviceLicenses).toBe(1 + 1 + 3 + 1);
            // The installation answered is the one that works.
            const checkIn = await api.signed(final.body, 'GET', `/v1/installations/${final.body.installationId}/license`);
            expect(checkIn.status).toBe(200);
          },
        },
        { maxCalls },
      ),
    );
  }, 1_800_000);

  it('re-activation: the installation holds exactly the requested devices', async () => {
    summaries.push(
      await runUnderEveryFault(
        faults,
        {
          name: 're-activation',
          idempotent: true,
          // The license document is signed afresh on every activation, and `released` lists what this request released.
          comparable: ({ license: _license, released: _released, ...rest }) => rest,
          async prepare() {
            const { slc } = await createLicense(api, { deviceLicenses: 12, version: '2025 R1' });
            const pool = [camera(), camera(), camera(), camera(), camera({ kind: 'encoder', videoChannels: 20 })];
            const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody(pool.slice(0, 3)) } });
            expect(first.status).toBe(201);
            const credentials: InstallationCredentials = { installationId: first.body.installationId, installationSecret: first.body.installationSecret };
            // Keeps one device, releases two, adds two (one of which needs more licenses than are left).
            const devices = [pool[2]!, pool[3]!, pool[4]!, pool[0]!];
            const body = { installationId: credentials.installationId, ...activationBody(devices) };
            return { slc, credentials, body, devices };
          },
          act: ({ credentials, body }) => api.signed(credentials, 'POST', '/v1/activations', body),
          async check({ slc, devices }, final, fault) {
            expect(final.status).toBe(200);
            const ledger = await expectLedgerConsistent(slc, fault);
            const held = ledger.devices.filter((device) => device.status === 'activated').map((device) => device.mac).sort();
            const reported = final.body.devices.filter((d: any) => d.status === 'activated').map((d: any) => d.mac).sort();
            expect(held).toEqual(reported);
            expect(held).toEqual([devices[0]!.mac, devices[1]!.mac, devices[3]!.mac].sort());
            expect(ledger.devices.find((device) => device.mac === devices[2]!.mac)?.status ?? 'never').not.toBe('activated');
            expect(ledger.installations).toHaveLength(1);
          },
        },
        { maxCalls },
      ),
    );
  }, 1_800_000);

  it('AMI included-license activation: one license and one installation per instance', async () => {
    await api.ops('PUT', '/v1/catalog/versions/2025%20R1', { generalAvailability: '2025-02-12' });
    const clock = fixedClock(new Date());
    setClock(clock);
    try {
      summaries.push(
        await runUnderEveryFault(
          faults,
          {
            name: 'ami-activation',
            async prepare() {
              const aws = signIdentityDocument();
              const accountId = JSON.parse(aws.instanceIdentityDocument).accountId as string;
              return { accountId, body: { ...activationBody([camera(), camera()]), aws } };
            },
            act: ({ body }) => api.request('POST', '/v1/activations/ami', { body, headers: { 'x-product-version': '2025 R1' } }),
            // An interrupted first activation holds the instance's claim for a minute; the retry comes after it.
            beforeRetry: () => clock.advance(61_000),
            // A first activation that completed and lost its answer cannot be repeated: the instance has its
            // installation (409 installation_exists, §7); ops issue new credentials for it.
            retryMayAnswer: [409],
            async check({ accountId }, final, fault) {
              const licenses = await listCustomerLicenseSlcs(`aws-account-${accountId}`);
              expect(licenses, JSON.stringify(fault)).toHaveLength(1);
              const ledger = await expectLedgerConsistent(licenses[0]!, fault);
              expect(ledger.installations, JSON.stringify(fault)).toHaveLength(1);
              expect(ledger.activatedDevices, JSON.stringify(fault)).toBe(2);
              if (final.status === 409) {
                expect(final.body.error.code).toBe('installation_exists');
                expect(ledger.installations[0]!.lastActivation, JSON.stringify(fault)).not.toBeNull();
              } else {
                expect(final.status).toBe(201);
                expect(ledger.installations[0]!.installationId).toBe(final.body.installationId);
              }
            },
          },
          { maxCalls },
        ),
      );
    } finally {
      resetClock();
    }
  }, 1_800_000);
});
