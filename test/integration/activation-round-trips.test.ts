import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { withMiddleware } from '../support/interleave';
import { expectLedgerConsistent } from '../support/invariants';
import { activateFirst, activationBody, camera, createLicense } from '../support/licensing';

/**
 * The DynamoDB round trips a request waits for (API.md §5, §6): requests that run at the same time
 * count once. A request starts a new round trip when it starts after every request of the current
 * one has ended.
 */
const api = useApi();

interface Traced {
  command: string;
  start: number;
  end: number;
  /**
   * A request of the signature check: its read of the installation, its record of the accepted
   * signature, and (on an installation's first signed request only) the record that it has made one.
   */
  authentication: boolean;
}

/** Round trips of a request, without those of the signature check (the same for every signed route). */
async function traced<T>(body: () => Promise<T>): Promise<{ result: T; requests: Traced[]; roundTrips: string[][] }> {
  const requests: Traced[] = [];
  const result = await withMiddleware(
    'count-round-trips',
    (next, context) => async (args) => {
      const command = String(context.commandName).replace(/Command$/, '');
      const input = JSON.stringify(args.input);
      const authentication = (requests.length === 0 && command === 'GetItem' && input.includes('"INSTALLATION#')) || input.includes('"SIGNATURE#') || input.includes('SET firstSignedRequestAt');
      const entry = { command, start: performance.now(), end: Number.POSITIVE_INFINITY, authentication };
      requests.push(entry);
      try {
        return await next(args);
      } finally {
        entry.end = performance.now();
      }
    },
    body,
  );
  const roundTrips: string[][] = [];
  let roundEnd = Number.NEGATIVE_INFINITY;
  for (const request of requests.filter((request) => !request.authentication).sort((a, b) => a.start - b.start)) {
    if (request.start >= roundEnd) {
      roundTrips.push([]);
      roundEnd = request.end;
    } else {
      roundEnd = Math.max(roundEnd, request.end);
    }
    roundTrips.at(-1)!.push(request.command);
  }
  return { result, requests, roundTrips };
}

const summaries: Record<string, string[][]> = {};

describe('DynamoDB round trips per request', () => {
  it('a first activation of 1 and of 100 devices: 3 round trips (license; device groups and owner; one transaction)', async () => {
    for (const count of [1, 100]) {
      const { slc } = await createLicense(api, { deviceLicenses: 200 });
      const devices = Array.from({ length: count }, () => camera());
      const { result, roundTrips } = await traced(() => api.request('POST', '/v1/activations', { body: { slc, ...activationBody(devices) } }));
      summaries[`first activation, ${count} devices`] = roundTrips;
      expect(result.status).toBe(201);
      expect(result.body.devices.every((device: { status: string }) => device.status === 'activated')).toBe(true);
      expect(roundTrips.length, JSON.stringify(roundTrips)).toBeLessThanOrEqual(3);
      expect(roundTrips.at(-1)).toEqual(['TransactWriteItems']);
      // The second round trip is one BatchGetItem: the owner, the requested devices' groups and the catalogs together.
      if (count === 1) expect(roundTrips[1], JSON.stringify(roundTrips)).toEqual(['BatchGetItem']);
      const ledger = await expectLedgerConsistent(slc);
      expect(ledger.activatedDevices).toBe(count);
    }
  });

  it('a re-activation that changes nothing: after the signature check, 2 round trips (license, owner, device groups and catalogs; one transaction)', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 200 });
    const devices = Array.from({ length: 100 }, () => camera());
    const installation = await activateFirst(api, slc, devices);
    const body = { installationId: installation.installationId, ...activationBody(devices) };
    const { result, requests, roundTrips } = await traced(() => api.signed(installation, 'POST', '/v1/activations', body));
    summaries['no-change re-activation, 100 devices'] = roundTrips;
    expect(result.status).toBe(200);
    expect(result.body.usage.deviceLicenses.used).toBe(100);
    // The installation's first signed request: its record that it has made one goes beside the signature's.
    expect(requests.filter((request) => request.authentication).map((request) => request.command).sort()).toEqual(['GetItem', 'PutItem', 'UpdateItem']);
    const [, record, firstSigned] = requests.filter((request) => request.authentication);
    expect(firstSigned!.start).toBeLessThan(record!.end);
    // The catalog read (the version's window and the EULA catalog, §4 rev 2) needs the license's
    // version: the installation recorded it at its last activation, so it goes with the license.
    // (The Query beside the read lists the SLC's unfinished installations, usually none.)
    expect(roundTrips.length, JSON.stringify(roundTrips)).toBe(2);
    expect(roundTrips.at(-1)).toEqual(['TransactWriteItems']);
    await expectLedgerConsistent(slc);
  });

  it('a re-activation after an upgrade changed the version reads the new version\'s catalogs: one round trip more, once', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 200, version: '2025 R1' });
    const devices = Array.from({ length: 3 }, () => camera());
    const installation = await activateFirst(api, slc, devices);
    const body = { installationId: installation.installationId, ...activationBody(devices) };
    expect((await api.ops('PUT', `/v1/catalog/versions/${encodeURIComponent('2025 R3')}`, { generalAvailability: '2025-10-01' })).status).toBe(200);
    expect((await api.ops('PATCH', `/v1/licenses/${slc}`, { version: '2025 R3' })).status).toBe(200);
    const upgraded = await traced(() => api.signed(installation, 'POST', '/v1/activations', body));
    expect(upgraded.result.status).toBe(200);
    expect(upgraded.roundTrips.length, JSON.stringify(upgraded.roundTrips)).toBe(3);
    expect(upgraded.result.body.license).toBeTruthy();
    const next = await traced(() => api.signed(installation, 'POST', '/v1/activations', body));
    expect(next.result.status).toBe(200);
    expect(next.roundTrips.length, JSON.stringify(next.roundTrips)).toBe(2);
  });

  it('a check-in: after the signature check, 1 read, and last seen recorded while the document is signed', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 200 });
    const installation = await activateFirst(api, slc, Array.from({ length: 50 }, () => camera()));
    const path = `/v1/installations/${installation.installationId}/license`;
    expect((await api.signed(installation, 'GET', path)).status).toBe(200); // the signing key is loaded once per process
    const { result, requests, roundTrips } = await traced(() => api.signed(installation, 'GET', path));
    summaries['check-in, 50 devices'] = roundTrips;
    expect(result.status).toBe(200);
    const own = requests.filter((request) => !request.authentication).map((request) => request.command);
    expect(own).toEqual(['BatchGetItem', 'UpdateItem']);
    // A later signed request's check is the read and the signature's record only.
    expect(requests.filter((request) => request.authentication).map((request) => request.command)).toEqual(['GetItem', 'PutItem']);
  });

  it('prints the round trips measured', () => {
    console.log(`[round-trips] ${JSON.stringify(summaries)}`);
    expect(Object.keys(summaries)).toHaveLength(4);
  });
});
