import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock, resetClock, setClock } from '../../shared/adapters/clock';
import { inProcess, useApi } from '../support/api';
import { expectLedgerConsistent } from '../support/invariants';
import { activationBody, camera, createLicense } from '../support/licensing';

const api = useApi();
afterEach(() => resetClock());

const devicesOf = async (slc: string) => (await api.ops('GET', `/v1/licenses/${slc}/devices?limit=100`)).body.items as any[];

describe('disabled devices (§5.1 rev 2 `enabled`)', () => {
  it('registers a disabled device without licensing it; disabling an activated one releases it without a deletion', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 3 });
    const [a, b, c] = [camera(), camera({ enabled: false, videoChannels: 4, supportedDeviceList: { listed: false } }), camera()];
    const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([a, b, c]) } });
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('activated');
    expect(first.body.devices.map((device: any) => [device.status, device.licenses, device.reason])).toEqual([
      ['activated', 1, undefined],
      ['disabled', 4, undefined],
      ['activated', 1, undefined],
    ]);
    expect(first.body.usage.deviceLicenses).toEqual({ entitled: 3, used: 2, available: 1 });
    const listed = await devicesOf(slc);
    expect(listed.find((device) => device.mac === b.mac)).toMatchObject({ status: 'disabled', installationId: first.body.installationId, registrations: 1, deletions: 0, licenses: 4 });

    // Disabling C: its license comes back, not a deletion, not in `released`.
    const second = await api.signed(first.body, 'POST', '/v1/activations', { installationId: first.body.installationId, ...activationBody([a, b, { ...c, enabled: false }]) });
    expect(second.status).toBe(200);
    expect(second.body.released).toEqual([]);
    expect(second.body.devices[2]).toEqual({ mac: c.mac, deviceKey: first.body.devices[2].deviceKey, licenses: 1, status: 'disabled' });
    expect(second.body.usage.deviceLicenses.used).toBe(1);
    expect((await devicesOf(slc)).find((device) => device.mac === c.mac)).toMatchObject({ status: 'disabled', registrations: 1, deletions: 0 });
    const installations = (await api.ops('GET', `/v1/licenses/${slc}/installations`)).body.items;
    expect(installations[0].devices).toEqual({ activated: 1, disabled: 2 });
    await expectLedgerConsistent(slc);

    // Enabling C again is not a new registration.
    const third = await api.signed(first.body, 'POST', '/v1/activations', { installationId: first.body.installationId, ...activationBody([a, b, c]) });
    expect(third.body.devices[2].status).toBe('activated');
    expect((await devicesOf(slc)).find((device) => device.mac === c.mac)).toMatchObject({ status: 'activated', registrations: 1, deletions: 0 });
  });

  inProcess.it('enables a device activated before after the window has ended, but not a new one or one never activated', async () => {
    const { slc } = await createLicense(api, { version: '2016 R1', generalAvailability: '2016-03-01' });
    setClock(fixedClock('2026-02-01T00:00:00.000Z'));
    const [known, neverActivated, fresh] = [camera(), camera({ enabled: false }), camera()];
    const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([known, neverActivated]) } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.devices.map((device: any) => device.status)).toEqual(['activated', 'disabled']);
    const disable = await api.signed(first.body, 'POST', '/v1/activations', { installationId: first.body.installationId, ...activationBody([{ ...known, enabled: false }, neverActivated]) }, { timestamp: Date.parse('2026-02-01T00:00:00Z') / 1000 });
    expect(disable.body.devices.map((device: any) => device.status)).toEqual(['disabled', 'disabled']);

    setClock(fixedClock('2026-03-02T00:00:00.000Z')); // the window ended on 2026-03-01
    const after = await api.signed(first.body, 'POST', '/v1/activations', {
      installationId: first.body.installationId,
      ...activationBody([known, { ...neverActivated, enabled: true }, fresh]),
    }, { timestamp: Date.parse('2026-03-02T00:00:00Z') / 1000 });
    expect(after.status).toBe(200);
    expect(after.body.devices.map((device: any) => [device.status, device.reason])).toEqual([
      ['activated', undefined],
      ['not_activated', 'activation_period_ended'],
      ['not_activated', 'activation_period_ended'],
    ]);
    expect(after.body.status).toBe('partially_activated');
  });

  it.each([[{ enabled: 'no' }], [{ enabled: null }], [{ enabled: 0 }]])('refuses a device with %j with 400 and changes nothing', async (override) => {
    const { slc } = await createLicense(api);
    const response = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera(override)]) } });
    expect(response.status).toBe(400);
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain('devices.0.enabled');
    expect(await devicesOf(slc)).toEqual([]);
  });
});
