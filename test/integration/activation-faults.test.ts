import { afterAll, describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { activationBody, BEYOND_ONE_TRANSACTION, camera, camerasBeyondOneTransaction, createLicense, macsOverGroups, nextMac } from '../support/licensing';
import { getLicense } from '../../shared/store/licenses';
import { expectLedgerConsistent } from '../support/invariants';
import { instrumentStore } from '../support/faults';
import { fixedClock, resetClock, setClock } from '../../shared/adapters/clock';

const api = useApi();
/** More groups than one transaction takes (the activation writes its devices after its commit), all of them every time. */
const GROUPS_OF_A_LARGE_ACTIVATION = 128;
const faults = instrumentStore();
afterAll(() => faults.remove());

describe('activation with a failed DynamoDB write at every position, then a retry', () => {
  // A small first activation is one transaction; a large one commits its allocation, writes its devices, then records itself.
  it.each([
    ['in one transaction', 0, 1],
    ['larger than one transaction', BEYOND_ONE_TRANSACTION, 3],
  ])('first activation %s converges: one installation, every device counted once', async (_name, extra, minimumWrites) => {
    // The large case spreads its devices over a fixed number of device groups, so that every license
    // gets the same number of device writes and each position below exists in every run.
    const macsFor = async (slc: string) =>
      extra === 0 ? [nextMac(), nextMac(), nextMac()] : macsOverGroups((await getLicense(slc))!, 3 + extra, GROUPS_OF_A_LARGE_ACTIVATION);
    faults.reset();
    const probe = await createLicense(api, { deviceLicenses: 20 + extra });
    const probeMacs = await macsFor(probe.slc);
    faults.reset();
    await api.request('POST', '/v1/activations', { body: { slc: probe.slc, ...activationBody(probeMacs.map((mac) => camera({ mac }))) } });
    const writes = faults.state.writes;
    expect(writes).toBeGreaterThanOrEqual(minimumWrites);

    for (let failAt = 1; failAt <= writes; failAt++) {
      faults.reset();
      const { slc } = await createLicense(api, { deviceLicenses: 20 + extra });
      const [first, second, third, ...more] = await macsFor(slc);
      const devices = [
        camera({ mac: first }),
        camera({ mac: second }),
        camera({ mac: third, supportedDeviceList: { listed: true, licenses: 3 }, ipAddresses: ['10.0.0.1', '10.0.0.2'] }),
        ...more.map((mac) => camera({ mac })),
      ];
      const body = { slc, ...activationBody(devices, { videoPushUsers: 1 }) };
      faults.reset(failAt);
      const failed = await api.request('POST', '/v1/activations', { body });
      expect(faults.state.failures, `write ${failAt}`).toBe(1);
      faults.reset();
      const retried = await api.request('POST', '/v1/activations', { body });
      const outcome = failed.status === 201 ? failed : retried;
      expect([200, 201]).toContain(retried.status);
      expect(outcome.body.devices.every((d: any) => d.status === 'activated')).toBe(true);
      const ledger = await expectLedgerConsistent(slc);
      expect(ledger.activatedDevices, `write ${failAt}`).toBe(3 + extra);
      expect(ledger.license.usedDeviceLicenses, `write ${failAt}`).toBe(1 + 1 + 3 + 1 + extra);
    }
    // Two activations of ~200 devices per write position: on a loaded two-core machine this runs for minutes.
  }, 300_000);

  it('a first activation that died mid-way is completed by the repeat once its lease expires', async () => {
    faults.reset();
    // Only an activation larger than one transaction can die between its allocation and its devices.
    const { slc } = await createLicense(api, { product: 'express-plus', deviceLicenses: 5 + BEYOND_ONE_TRANSACTION });
    const body = { slc, ...activationBody([camera(), camera(), ...camerasBeyondOneTransaction()]) };
    faults.crashAt(2); // the allocation committed; nothing after it did
    const died = await api.request('POST', '/v1/activations', { body });
    expect(died.status).toBe(500);
    faults.reset();
    const clock = fixedClock(new Date(Date.now() + 61_000));
    setClock(clock);
    try {
      const retried = await api.request('POST', '/v1/activations', { body });
      expect(retried.status).toBe(201);
      expect(retried.body.devices.every((d: any) => d.status === 'activated')).toBe(true);
    } finally {
      resetClock();
    }
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.installations).toHaveLength(1);
  });

  it('re-activation converges after a failed write at every position', async () => {
    faults.reset();
    const { slc } = await createLicense(api, { deviceLicenses: 50 });
    const pool = Array.from({ length: 8 }, () => camera());
    const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody(pool.slice(0, 4)) } });
    const credentials = { installationId: first.body.installationId, installationSecret: first.body.installationSecret };
    let configuration = 0;
    const nextBody = () => {
      configuration++;
      return { installationId: credentials.installationId, ...activationBody(pool.slice(configuration % 4, (configuration % 4) + 4)) };
    };
    faults.reset();
    await api.signed(credentials, 'POST', '/v1/activations', nextBody());
    const writes = faults.state.writes;

    for (let failAt = 1; failAt <= writes; failAt++) {
      const body = nextBody();
      faults.reset(failAt);
      await api.signed(credentials, 'POST', '/v1/activations', body);
      faults.reset();
      const retried = await api.signed(credentials, 'POST', '/v1/activations', body);
      expect(retried.status, `write ${failAt}`).toBe(200);
      const ledger = await expectLedgerConsistent(slc);
      const held = ledger.devices.filter((d) => d.status === 'activated').map((d) => d.mac).sort();
      expect(held, `write ${failAt}`).toEqual(body.devices.map((d: any) => d.mac).sort());
    }
  });

  it('release converges after a failed write', async () => {
    faults.reset();
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera(), camera()]) } });
    for (let failAt = 1; failAt <= 2; failAt++) {
      faults.reset(failAt);
      await api.ops('DELETE', `/v1/installations/${first.body.installationId}`);
    }
    faults.reset();
    expect((await api.ops('DELETE', `/v1/installations/${first.body.installationId}`)).status).toBe(204);
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.devices.every((d) => d.status === 'released' && d.deletions === 1)).toBe(true);
  });
});
