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
  /** A request of the signature check: its read of the installation, its record of the accepted signature. */
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
      const authentication = (requests.length === 0 && command === 'GetItem' && input.includes('"INSTALLATION#')) || input.includes('"SIGNATURE#');
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
      const ledger = await expectLedgerConsistent(slc);
      expect(ledger.activatedDevices).toBe(count);
    }
  });

  it('a re-activation that changes nothing: after the signature check, 3 round trips (license, owner and device groups; catalogs; one transaction)', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: 200 });
    const devices = Array.from({ length: 100 }, () => camera());
    const installation = await activateFirst(api, slc, devices);
    const body = { installationId: installation.installationId, ...activationBody(devices) };
    const { result, requests, roundTrips } = await traced(() => api.signed(installation, 'POST', '/v1/activations', body));
    summaries['no-change re-activation, 100 devices'] = roundTrips;
    expect(result.status).toBe(200);
    expect(result.body.usage.deviceLicenses.used).toBe(100);
    expect(requests.filter((request) => request.authentication).map((request) => request.command)).toEqual(['GetItem', 'PutItem']);
    // Two would be the license read and the transaction; the catalog read (the version's window and the
    // EULA catalog, §4 rev 2) needs the license's version and comes after it: three until the
    // installation records its version the way it records its owner.
    expect(roundTrips.length, JSON.stringify(roundTrips)).toBeLessThanOrEqual(3);
    await expectLedgerConsistent(slc);
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
  });

  it('prints the round trips measured', () => {
    console.log(`[round-trips] ${JSON.stringify(summaries)}`);
    expect(Object.keys(summaries)).toHaveLength(4);
  });
});
