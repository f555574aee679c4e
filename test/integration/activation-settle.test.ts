import { afterAll, describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { activationBody, BEYOND_ONE_TRANSACTION, camera, camerasBeyondOneTransaction, createLicense } from '../support/licensing';
import { expectLedgerConsistent, licenseLedger } from '../support/invariants';
import { instrumentStore } from '../support/faults';
import { fixedClock, resetClock, setClock } from '../../shared/adapters/clock';
import { ACTIVATION_LEASE_MS, LEASE_RENEWAL_MS } from '../../shared/use-cases/activate';

const api = useApi();
const faults = instrumentStore();
afterAll(() => faults.remove());

/** A license with one small installation, and the body of a re-activation of it too large for one transaction. */
async function installationWithLargeReactivation() {
  const { slc } = await createLicense(api, { deviceLicenses: 10 + BEYOND_ONE_TRANSACTION });
  const kept = [camera(), camera()];
  const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody(kept) } });
  expect(first.status).toBe(201);
  const credentials = { installationId: first.body.installationId, installationSecret: first.body.installationSecret };
  const body = { installationId: credentials.installationId, ...activationBody([...kept, ...camerasBeyondOneTransaction()]) };
  return { slc, credentials, body };
}

/**
 * The write of a signed re-activation after its commit: the request's replay record and its first
 * signed request come before the commit. Each test checks that the fault left the commit standing.
 */
const FIRST_DEVICE_WRITE = 4;

const usageOf = async (slc: string) => (await api.ops('GET', `/v1/licenses/${slc}`)).body.usage;

describe('counters after an activation stopped between its commit and its record (issue: nothing stranded)', () => {
  it('a re-activation whose process died is settled by the license view once its lease has run out: usage equals what is held', async () => {
    faults.reset();
    const { slc, credentials, body } = await installationWithLargeReactivation();
    faults.crashAt(FIRST_DEVICE_WRITE); // the allocation committed; no device write, no lease release, no record
    expect((await api.signed(credentials, 'POST', '/v1/activations', body)).status).toBeGreaterThanOrEqual(500);
    faults.reset();
    // In flight for as long as its lease lasts: the committed allocation is shown.
    expect((await usageOf(slc)).deviceLicenses).toBe(2 + BEYOND_ONE_TRANSACTION);
    setClock(fixedClock(new Date(Date.now() + ACTIVATION_LEASE_MS + 1_000)));
    try {
      expect(await usageOf(slc)).toMatchObject({ deviceLicenses: 2, devices: 2, installations: 1 });
      await expectLedgerConsistent(slc);
      const retried = await api.signed(credentials, 'POST', '/v1/activations', body);
      expect(retried.status).toBe(200);
      expect(retried.body.devices.every((device: { status: string }) => device.status === 'activated')).toBe(true);
    } finally {
      resetClock();
    }
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(2 + BEYOND_ONE_TRANSACTION);
  });

  it('a re-activation that failed and gave up its lease is settled at once by the next view', async () => {
    faults.reset();
    const { slc, credentials, body } = await installationWithLargeReactivation();
    faults.reset(FIRST_DEVICE_WRITE); // the first device write fails; the request gives up its lease and answers 5xx
    expect((await api.signed(credentials, 'POST', '/v1/activations', body)).status).toBeGreaterThanOrEqual(500);
    faults.reset();
    const { license, deviceLicensesOfDevices } = await licenseLedger(slc);
    expect(license.usedDeviceLicenses).toBeGreaterThan(deviceLicensesOfDevices);
    expect((await usageOf(slc)).deviceLicenses).toBe(deviceLicensesOfDevices);
    await expectLedgerConsistent(slc);
  });

  it('a repeat sent while the dead request still holds the lease waits for it to lapse, then completes', async () => {
    faults.reset();
    const { slc, credentials, body } = await installationWithLargeReactivation();
    faults.crashAt(FIRST_DEVICE_WRITE);
    expect((await api.signed(credentials, 'POST', '/v1/activations', body)).status).toBeGreaterThanOrEqual(500);
    faults.reset();
    expect((await licenseLedger(slc)).license.usedDeviceLicenses).toBe(2 + BEYOND_ONE_TRANSACTION);
    const started = Date.now();
    const retried = await api.signed(credentials, 'POST', '/v1/activations', body);
    expect(retried.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(ACTIVATION_LEASE_MS + 10_000);
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(2 + BEYOND_ONE_TRANSACTION);
  });

  it('a first activation whose process died is settled by the license view once its lease has run out, and its repeat completes it', async () => {
    faults.reset();
    const { slc } = await createLicense(api, { deviceLicenses: 5 + BEYOND_ONE_TRANSACTION });
    faults.crashAt(2); // the allocation committed; no device write, no record
    const body = { slc, ...activationBody([camera(), ...camerasBeyondOneTransaction()]) };
    expect((await api.request('POST', '/v1/activations', { body })).status).toBeGreaterThanOrEqual(500);
    faults.reset();
    expect(await usageOf(slc)).toMatchObject({ deviceLicenses: 1 + BEYOND_ONE_TRANSACTION, installations: 1 });
    const [begun] = (await licenseLedger(slc)).installations;
    setClock(fixedClock(new Date(Date.now() + ACTIVATION_LEASE_MS + 1_000)));
    try {
      // Nothing written, nothing counted; the installation stays for its client's repeat, and ops see it.
      expect(await usageOf(slc)).toMatchObject({ deviceLicenses: 0, devices: 0, installations: 1 });
      await expectLedgerConsistent(slc);
      const listed = (await api.ops('GET', `/v1/licenses/${slc}/installations`)).body.items;
      expect(listed).toEqual([expect.objectContaining({ installationId: begun!.installationId, status: 'active', lastActivation: null, devices: { activated: 0, disabled: 0 } })]);
      const repeat = await api.request('POST', '/v1/activations', { body });
      expect(repeat.status).toBe(201);
      expect(repeat.body.installationId).toBe(begun!.installationId);
      expect(repeat.body.devices.every((device: { status: string }) => device.status === 'activated')).toBe(true);
    } finally {
      resetClock();
    }
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(1 + BEYOND_ONE_TRANSACTION);
  });

  it('a slow re-activation renews its lease while it writes its devices: a view after its first lease would have run out leaves it alone', async () => {
    faults.reset();
    const { slc, credentials, body } = await installationWithLargeReactivation();
    faults.delayWrite(FIRST_DEVICE_WRITE, LEASE_RENEWAL_MS + 2_000);
    const activation = api.signed(credentials, 'POST', '/v1/activations', body);
    const deadline = Date.now() + LEASE_RENEWAL_MS + 10_000;
    while (faults.state.leaseRenewals === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(faults.state.leaseRenewals).toBeGreaterThanOrEqual(1);
    // Past the lease taken at the start (not past the renewed one): a view would settle an activation that had not renewed.
    const skip = ACTIVATION_LEASE_MS - LEASE_RENEWAL_MS + 1_000;
    setClock({ now: () => new Date(Date.now() + skip) });
    try {
      expect((await usageOf(slc)).deviceLicenses).toBe(2 + BEYOND_ONE_TRANSACTION);
      const finished = await activation;
      expect(finished.status).toBe(200);
      expect(finished.body.devices.every((device: { status: string }) => device.status === 'activated')).toBe(true);
    } finally {
      resetClock();
    }
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.activatedDevices).toBe(2 + BEYOND_ONE_TRANSACTION);
  });
});
