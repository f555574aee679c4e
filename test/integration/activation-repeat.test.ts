import { afterAll, describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { activationBody, BEYOND_ONE_TRANSACTION, camera, camerasBeyondOneTransaction, createLicense } from '../support/licensing';
import { expectLedgerConsistent, licenseLedger } from '../support/invariants';
import { instrumentStore } from '../support/faults';
import { fixedClock, resetClock, setClock } from '../../shared/adapters/clock';

/**
 * §5.1 rev 2: a first activation sent again with the same SLC and management server id converges
 * on the installation the first attempt created while that installation has made no signed
 * request; after its first signed request the repeat is 409 `installation_exists`.
 */
const api = useApi();
const faults = instrumentStore();
afterAll(() => faults.remove());

const statuses = (response: any) => response.body.devices.map((device: { status: string; reason?: string }) => device.reason ?? device.status);

describe('a repeated first activation converges on its installation', () => {
  it('an answer lost, sent again without and with the same Idempotency-Key: 201, same installation and secret, activating per the new request', async () => {
    faults.reset();
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const [a, b, c] = [camera(), camera(), camera()];
    const body = { slc, ...activationBody([a, b]) };
    // The first attempt runs; its answer never reaches the client.
    const lost = await api.request('POST', '/v1/activations', { body, headers: { 'Idempotency-Key': 'lost-1' } });
    expect(lost.status).toBe(201);

    // The client sends its (now changed) configuration again, without a key.
    const again = await api.request('POST', '/v1/activations', { body: { ...body, devices: [a, b, c] } });
    expect(again.status).toBe(201);
    expect(again.body.installationId).toBe(lost.body.installationId);
    expect(again.body.installationSecret).toBe(lost.body.installationSecret);
    expect(statuses(again)).toEqual(['activated', 'activated', 'activated']);

    // With the same key: the first attempt's answer again.
    const keyed = await api.request('POST', '/v1/activations', { body, headers: { 'Idempotency-Key': 'lost-1' } });
    expect(keyed.status).toBe(201);
    expect([keyed.body.installationId, keyed.body.installationSecret]).toEqual([lost.body.installationId, lost.body.installationSecret]);

    // With a new key and the first configuration: the installation is brought back to two devices.
    const rekeyed = await api.request('POST', '/v1/activations', { body, headers: { 'Idempotency-Key': 'lost-2' } });
    expect(rekeyed.status).toBe(201);
    expect([rekeyed.body.installationId, rekeyed.body.installationSecret]).toEqual([lost.body.installationId, lost.body.installationSecret]);
    expect(rekeyed.body.released).toEqual([c.mac]);

    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.installations.map((installation) => installation.installationId)).toEqual([lost.body.installationId]);
    expect(ledger.activatedDevices).toBe(2);
    // Ops see it as it is: no signed request yet.
    expect(ledger.installations[0]).toMatchObject({ firstSignedRequestAt: null, lastSeenAt: null });
  });

  it('after the installation has made a signed request, the repeat is 409 installation_exists and changes nothing', async () => {
    faults.reset();
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const body = { slc, ...activationBody([camera()]) };
    const first = await api.request('POST', '/v1/activations', { body });
    expect(first.status).toBe(201);
    const checkIn = await api.signed(first.body, 'GET', `/v1/installations/${first.body.installationId}/license`);
    expect(checkIn.status).toBe(200);
    const before = await expectLedgerConsistent(slc);
    expect(before.installations[0]!.firstSignedRequestAt).toEqual(expect.any(String));

    const repeat = await api.request('POST', '/v1/activations', { body: { ...body, devices: [camera(), camera()] } });
    expect([repeat.status, repeat.body.error?.code]).toEqual([409, 'installation_exists']);
    const after = await expectLedgerConsistent(slc);
    expect(after.activatedDevices).toBe(1);
    expect(after.installations).toHaveLength(1);

    // Another management server of the SLC is another installation.
    const other = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()]) } });
    expect(other.status).toBe(201);
    expect(other.body.installationId).not.toBe(first.body.installationId);
  });

  it('a released installation frees its management server: the next first activation is a new installation', async () => {
    faults.reset();
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const body = { slc, ...activationBody([camera()]) };
    const first = await api.request('POST', '/v1/activations', { body });
    expect((await api.ops('DELETE', `/v1/installations/${first.body.installationId}`)).status).toBe(204);
    const again = await api.request('POST', '/v1/activations', { body });
    expect(again.status).toBe(201);
    expect(again.body.installationId).not.toBe(first.body.installationId);
    expect(statuses(again)).toEqual(['activated']);
    await expectLedgerConsistent(slc);
  });

  it.each([
    ['in one transaction', 0],
    ['larger than one transaction', BEYOND_ONE_TRANSACTION],
  ])('concurrent identical first activations %s converge on one installation', async (_name, extra) => {
    faults.reset();
    const { slc } = await createLicense(api, { deviceLicenses: 10 + extra });
    const body = { slc, ...activationBody([camera(), camera(), ...camerasBeyondOneTransaction().slice(0, extra)]) };
    const answers = await Promise.all(Array.from({ length: 4 }, () => api.request('POST', '/v1/activations', { body })));
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(answers.map((answer) => answer.body.installationId)).size).toBe(1);
    expect(new Set(answers.map((answer) => answer.body.installationSecret)).size).toBe(1);
    for (const answer of answers) expect(statuses(answer).every((status: string) => status === 'activated')).toBe(true);
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.installations).toHaveLength(1);
    expect(ledger.activatedDevices).toBe(2 + extra);
  });

  it('a large first activation that died mid-way is completed by the repeat: the same installation, every camera activated', async () => {
    faults.reset();
    const { slc } = await createLicense(api, { deviceLicenses: 5 + BEYOND_ONE_TRANSACTION });
    const body = { slc, ...activationBody([camera(), camera(), ...camerasBeyondOneTransaction()]) };
    faults.crashAt(2); // the allocation committed; nothing after it did (not even the take-back)
    const died = await api.request('POST', '/v1/activations', { body });
    expect(died.status).toBe(500);
    faults.reset();
    // Its allocation is committed, its devices are not written: the installation is left unfinished.
    const stranded = (await licenseLedger(slc)).installations;
    expect(stranded).toHaveLength(1);
    // Past the dead attempt's lease.
    setClock(fixedClock(new Date(Date.now() + 61_000)));
    try {
      const repeat = await api.request('POST', '/v1/activations', { body });
      expect(repeat.status).toBe(201);
      expect(repeat.body.installationId).toBe(stranded[0]!.installationId);
      expect(statuses(repeat).every((status: string) => status === 'activated')).toBe(true);
      expect(statuses(repeat).some((status: string) => status === 'activated_in_another_installation')).toBe(false);
      // The secret answered works.
      const checkIn = await api.signed(repeat.body, 'GET', `/v1/installations/${repeat.body.installationId}/license`);
      expect(checkIn.status).toBe(200);
    } finally {
      resetClock();
    }
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.installations).toHaveLength(1);
    expect(ledger.activatedDevices).toBe(2 + BEYOND_ONE_TRANSACTION);
  });
});
