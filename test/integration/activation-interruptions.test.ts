import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { afterAllocationCommit, withMiddleware } from '../support/interleave';
import { expectLedgerConsistent } from '../support/invariants';
import { activateFirst, activationBody, BEYOND_ONE_TRANSACTION, camera, camerasBeyondOneTransaction, createLicense } from '../support/licensing';

/**
 * Activations interrupted half way or overtaken between their passes by other requests on the same
 * SLC: the state converges, and the answer says what the request did. Only an activation larger
 * than one transaction has a "half way" (its allocation committed, its devices not yet written);
 * a smaller one commits everything at once.
 */
const api = useApi();

const outcome = (response: any) => response.body.devices.map((device: { status: string; reason?: string }) => device.reason ?? device.status);
/** The outcome of the first devices of a request, before the cameras that make it larger than one transaction. */
const outcomeOfFirst = (count: number, response: any) => outcome(response).slice(0, count);
const room = 10 + BEYOND_ONE_TRANSACTION;

describe('activation interrupted or overtaken between passes', () => {
  it('a first activation whose take-back was cut short (retired, devices not yet released) is finished by the retry, which gets the cameras', async () => {
    // Interruption: the activation fails after writing its devices (here: the final transaction), and the
    // take-back in `finally` is cut between retireInstallation and the release of the devices (a throttle
    // the SDK gave up on, or — the realistic case — the 29 s Lambda timeout after a 503 at 20 s).
    const { slc } = await createLicense(api, { deviceLicenses: room });
    const devices = [camera(), camera(), ...camerasBeyondOneTransaction()];
    const body = { slc, ...activationBody(devices) };
    let failedFinal = false;
    let retired = false;
    let failedRelease = false;
    const first = await withMiddleware(
      'cut-take-back-short',
      (next, context) => async (args) => {
        const name = String(context.commandName);
        const input = JSON.stringify(args.input);
        if (!failedFinal && name === 'TransactWriteItemsCommand' && input.includes('activation.completed')) {
          failedFinal = true;
          throw Object.assign(new Error('injected: internal server error'), { name: 'InternalServerError', $fault: 'server' });
        }
        if (name === 'TransactWriteItemsCommand' && input.includes('installation.released')) {
          const result = await next(args);
          retired = true;
          return result;
        }
        if (retired && !failedRelease && input.includes('DEVICEGROUP') && (name === 'TransactWriteItemsCommand' || name === 'UpdateItemCommand')) {
          failedRelease = true;
          throw Object.assign(new Error('injected: throughput exceeded'), { name: 'ProvisionedThroughputExceededException', $fault: 'client' });
        }
        return next(args);
      },
      () => api.request('POST', '/v1/activations', { body }),
    );
    expect([failedFinal, retired, failedRelease]).toEqual([true, true, true]);
    expect(first.status).toBe(500);

    // The client retries the same first activation.
    const retry = await api.request('POST', '/v1/activations', { body });
    expect(retry.status).toBe(201);
    // Contract: the retry activates every camera; counters equal the stored devices.
    expect(outcome(retry)).toEqual(devices.map(() => 'activated'));
    await expectLedgerConsistent(slc);
  });

  it('`released` lists the devices an earlier pass of the same request released', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: room });
    const [x0, r, y0] = [camera(), camera(), camera()];
    const more = camerasBeyondOneTransaction();
    const x = await activateFirst(api, slc, [x0, r]);
    const y = await activateFirst(api, slc, [y0]);
    const n = camera();

    // X drops r and adds n; right after X's allocation commit, Y takes n. X's single transaction (release r,
    // activate n) is cancelled, split, r's release lands, n's fails, and X plans again.
    let yStatus = 0;
    const response = await withMiddleware(
      'take-camera-between-passes',
      afterAllocationCommit(x.installationId, async () => {
        yStatus = (await api.signed(y, 'POST', '/v1/activations', { installationId: y.installationId, ...activationBody([y0, n]) })).status;
      }),
      () => api.signed(x, 'POST', '/v1/activations', { installationId: x.installationId, ...activationBody([x0, n, ...more]) }),
    );
    expect(yStatus).toBe(200);
    expect(response.status).toBe(200);
    expect(outcomeOfFirst(2, response)).toEqual(['activated', 'activated_in_another_installation']);
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.devices.find((device) => device.mac === r.mac)).toMatchObject({ status: 'released', deletions: 1 });
    // Contract §5.6/§5.5: this request released r (its deletion was counted by it), so `released` lists it.
    expect(response.body.released).toEqual([r.mac]);
  });

  it('a license revoked between the passes of a re-activation that had committed: the request finishes, and the counters follow what is stored', async () => {
    const { slc } = await createLicense(api, { deviceLicenses: room });
    const [x0, y0] = [camera(), camera()];
    const more = camerasBeyondOneTransaction();
    const x = await activateFirst(api, slc, [x0]);
    const y = await activateFirst(api, slc, [y0]);
    const n = camera();
    const interleaved: number[] = [];
    const response = await withMiddleware(
      'revoke-between-passes',
      afterAllocationCommit(x.installationId, async () => {
        interleaved.push((await api.signed(y, 'POST', '/v1/activations', { installationId: y.installationId, ...activationBody([y0, n]) })).status);
        interleaved.push((await api.ops('POST', `/v1/licenses/${slc}/revoke`, { reason: 'other' })).status);
      }),
      () => api.signed(x, 'POST', '/v1/activations', { installationId: x.installationId, ...activationBody([x0, n, ...more]) }),
    );
    expect(interleaved).toEqual([200, 200]);
    // X committed before the revocation, so it finishes: n went to Y, X keeps x0 and the others, and X's allocation shrinks back to them.
    expect(response.status).toBe(200);
    expect(outcomeOfFirst(2, response)).toEqual(['activated', 'activated_in_another_installation']);
    const ledger = await expectLedgerConsistent(slc);
    expect(ledger.license.status).toBe('revoked');
    expect(ledger.license.usedDeviceLicenses).toBe(3 + more.length);
  });
});
