import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { withMiddleware } from '../support/interleave';
import { activationBody, camera, createLicense } from '../support/licensing';
import { licenseLedger } from '../support/invariants';

const api = useApi();

/** The commits (transactions) DynamoDB refused on a condition while `body` runs: passes that lost a race. */
async function countLostCommits<T>(body: () => Promise<T>): Promise<{ result: T; lost: number }> {
  let lost = 0;
  const result = await withMiddleware(
    'count-lost-commits',
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
        if (context.commandName === 'TransactWriteItemsCommand' && reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) lost++;
        throw error;
      }
    },
    body,
  );
  return { result, lost };
}

describe('activation under concurrency (no oversell, usage equals the device list)', () => {
  it('20 parallel first activations on one SLC never exceed the entitlement', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 50 });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.request('POST', '/v1/activations', { body: { slc, ...activationBody(Array.from({ length: 5 }, () => camera())) } }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    const activatedInResponses = responses.flatMap((r) => r.body.devices).filter((d: any) => d.status === 'activated');

    const ledger = await licenseLedger(slc);
    expect(ledger.license.usedDeviceLicenses).toBe(50);
    expect(ledger.license.usedDeviceLicenses).toBe(ledger.deviceLicensesOfDevices);
    expect(ledger.license.usedDeviceLicenses).toBe(ledger.allocatedByInstallations);
    expect(ledger.license.activatedDevices).toBe(ledger.activatedDevices);
    expect(ledger.license.installationCount).toBe(20);
    expect(activatedInResponses).toHaveLength(50);
  });

  it('parallel re-activations of one installation serialise: the final state is one of the requests', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 30 });
    const pool = Array.from({ length: 40 }, () => camera());
    const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody(pool.slice(0, 10)) } });
    const credentials = { installationId: first.body.installationId, installationSecret: first.body.installationSecret };
    const configurations = Array.from({ length: 8 }, (_, i) => pool.slice(i * 4, i * 4 + 12));
    const commits = await countLostCommits(() =>
      Promise.all(
        configurations.map((devices) =>
          api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody(devices) }),
        ),
      ),
    );
    const responses = commits.result;
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    // A request that lost the race once takes the installation's lease before its next pass: each loses at most once.
    expect(commits.lost).toBeLessThanOrEqual(8 - 1);

    const ledger = await licenseLedger(slc);
    expect(ledger.license.usedDeviceLicenses).toBe(ledger.deviceLicensesOfDevices);
    expect(ledger.license.usedDeviceLicenses).toBe(ledger.allocatedByInstallations);
    expect(ledger.license.activatedDevices).toBe(ledger.activatedDevices);
    const held = ledger.devices.filter((d) => d.status === 'activated').map((d) => d.mac).sort();
    const outcomes = configurations.map((devices) => devices.map((d) => d.mac).sort());
    expect(outcomes).toContainEqual(held);
  });

  it('parallel first activations on a single-installation edition: one wins, the others get 409', async () => {
    const { slc } = await createLicense(api, { product: 'express-plus', deviceLicenses: 10 });
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()]) } })),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    for (const refused of responses.filter((r) => r.status !== 201)) {
      expect([refused.status, refused.body.error.code]).toEqual([409, 'installation_limit_reached']);
    }
    const ledger = await licenseLedger(slc);
    expect(ledger.license.installationCount).toBe(1);
    expect(ledger.license.usedDeviceLicenses).toBe(ledger.deviceLicensesOfDevices);
  });
});
