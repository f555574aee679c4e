import { describe, expect, it } from 'vitest';
import { useApi, type InstallationCredentials } from '../support/api';
import { activateFirst, activationBody, camera, createLicense } from '../support/licensing';

const api = useApi();

const reactivate = (credentials: InstallationCredentials, devices: unknown[]) =>
  api.signed(credentials, 'POST', '/v1/activations', { installationId: credentials.installationId, ...activationBody(devices) });

async function trail(slc: string): Promise<any[]> {
  return (await api.ops('GET', `/v1/licenses/${slc}/events?limit=100`)).body.items;
}

const thresholds = (events: any[]) => events.filter((event) => event.type === 'usage.threshold_reached').map((event) => event.details);

describe('usage.threshold_reached (API.md §12)', () => {
  it('records 80 % and 100 % once per upward crossing, both for one activation that crosses both, 80 first', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 10 });
    const devices = Array.from({ length: 10 }, () => camera());

    const installation = await activateFirst(api, slc, devices.slice(0, 7));
    expect(thresholds(await trail(slc))).toEqual([]);

    expect((await reactivate(installation, devices.slice(0, 8))).status).toBe(200);
    expect(thresholds(await trail(slc))).toEqual([{ percent: 80, used: 8, entitled: 10 }]);

    // staying above 80 % does not record it again
    expect((await reactivate(installation, devices.slice(0, 9))).status).toBe(200);
    expect(thresholds(await trail(slc))).toHaveLength(1);

    // down to 50 %, then one activation to 100 %: both thresholds again, 80 first (the trail lists newest first)
    expect((await reactivate(installation, devices.slice(0, 5))).status).toBe(200);
    expect((await reactivate(installation, devices)).status).toBe(200);
    const events = await trail(slc);
    expect(thresholds(events).slice(0, 2)).toEqual([
      { percent: 100, used: 10, entitled: 10 },
      { percent: 80, used: 10, entitled: 10 },
    ]);
    expect(events.slice(0, 3).map((event) => event.type)).toEqual(['usage.threshold_reached', 'usage.threshold_reached', 'activation.completed']);
    expect(new Set(events.slice(0, 3).map((event) => event.at)).size).toBe(1);
    // recorded for the activation that caused them
    expect(events[0]).toMatchObject({ actor: events[2].actor, sourceIp: events[2].sourceIp });
  });
});
