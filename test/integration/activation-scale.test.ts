import { describe, expect, it } from 'vitest';
import { store } from '../../shared/store/client';
import { useApi, type ApiResult, type InstallationCredentials } from '../support/api';
import { licenseLedger } from '../support/invariants';
import { activationBody, camera, createLicense } from '../support/licensing';

/**
 * Activation at scale: ACTIVATION_TRIALS concurrent activations (default 200 in `npm test`;
 * `ACTIVATION_TRIALS=1000 npx vitest run test/integration/activation-scale.test.ts` for the full
 * count) on a few shared SLCs, first activations and re-activations mixed, all in flight at once.
 * Installations of one SLC compete for its device licenses and for the same cameras. A trial that
 * is answered 503 service_unavailable (it could not finish within the contention deadline, which on
 * a small machine with hundreds of requests in flight happens) is retried as a management server
 * would; the number of such retries is printed.
 *
 * Afterwards: no SLC uses more than its entitlement (no oversell), the license counters equal the
 * device rows and the installations (usage equals the device lists), and every installation holds
 * exactly the devices that one of its own activations reported as activated.
 */
const TRIALS = Number(process.env.ACTIVATION_TRIALS ?? 200);
const api = useApi();

interface SharedLicense {
  slc: string;
  entitlement: number;
  singleInstallation: boolean;
  cameras: Array<ReturnType<typeof camera>>;
  installations: InstallationCredentials[];
}

/** A deterministic pseudo-random sequence, so that a failing mix can be replayed. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

function subset<T>(items: T[], next: () => number, min: number, max: number): T[] {
  const count = min + Math.floor(next() * (max - min + 1));
  const shuffled = [...items].sort(() => next() - 0.5);
  return shuffled.slice(0, count);
}

async function sharedLicense(product: 'corporate' | 'professional-plus' | 'essential-plus', entitlement: number, installations: number): Promise<SharedLicense> {
  const { slc } = await createLicense(api, { product, deviceLicenses: entitlement, version: '2025 R1' });
  const shared: SharedLicense = {
    slc,
    entitlement,
    singleInstallation: product === 'essential-plus',
    cameras: Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? camera({ kind: 'encoder', videoChannels: 20, supportedDeviceList: { listed: true } }) : camera())),
    installations: [],
  };
  for (let i = 0; i < installations; i++) {
    const first = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody(shared.cameras.slice(i * 2, i * 2 + 2)) } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    shared.installations.push({ installationId: first.body.installationId, installationSecret: first.body.installationSecret });
  }
  return shared;
}

describe(`activation at scale: ${TRIALS} concurrent trials on shared SLCs`, () => {
  it('never oversells, and usage equals the device lists afterwards', async () => {
    const licenses = [
      await sharedLicense('corporate', 60, 6),
      await sharedLicense('corporate', 25, 4),
      await sharedLicense('professional-plus', 40, 5),
      await sharedLicense('essential-plus', 8, 1),
    ];
    const seed = Number(process.env.ACTIVATION_SEED ?? Date.now() % 100_000);
    const next = random(seed);

    interface Trial {
      license: SharedLicense;
      kind: 'first' | 'reactivation';
      installation?: InstallationCredentials;
      devices: Array<ReturnType<typeof camera>>;
      videoPushUsers: number;
    }
    const trials: Trial[] = Array.from({ length: TRIALS }, (_, index) => {
      const license = licenses[index % licenses.length]!;
      const first = next() < 0.35;
      // Cameras from the license's shared pool (other installations may hold them) and new ones.
      const devices = [...subset(license.cameras, next, 0, 6), ...Array.from({ length: Math.floor(next() * 3) }, () => camera())];
      const videoPushUsers = next() < 0.2 ? 1 + Math.floor(next() * 2) : 0;
      return first
        ? { license, kind: 'first', devices, videoPushUsers }
        : { license, kind: 'reactivation', installation: license.installations[Math.floor(next() * license.installations.length)]!, devices, videoPushUsers };
    });

    const counted = { requests: 0, writes: 0 };
    store().client.middlewareStack.add(
      (next, context) => async (args) => {
        counted.requests++;
        if (/^(Put|Update|Delete|TransactWrite|BatchWrite)/.test(String(context.commandName))) counted.writes++;
        return next(args);
      },
      { step: 'initialize', name: 'scaleCount', priority: 'low' },
    );
    const started = performance.now();
    // A 503 service_unavailable ("the license is busy; try again shortly") is what a request gets when it
    // could not finish within the contention deadline; a management server then retries the same request.
    let busyRetries = 0;
    const attempt = (trial: Trial) =>
      trial.kind === 'first'
        ? api.request('POST', '/v1/activations', { body: { slc: trial.license.slc, ...activationBody(trial.devices, { videoPushUsers: trial.videoPushUsers }) } })
        : api.signed(trial.installation!, 'POST', '/v1/activations', {
            installationId: trial.installation!.installationId,
            ...activationBody(trial.devices, { videoPushUsers: trial.videoPushUsers }),
          });
    const responses: Array<ApiResult> = await Promise.all(
      trials.map(async (trial) => {
        for (let retry = 0; ; retry++) {
          const response = await attempt(trial);
          if (response.status !== 503 || retry === 5) return response;
          busyRetries++;
          await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 1500));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    store().client.middlewareStack.remove('scaleCount');
    console.log(`[scale] DynamoDB requests per trial: ${(counted.requests / TRIALS).toFixed(1)} (writes ${(counted.writes / TRIALS).toFixed(1)})`);
    const statuses: Record<string, number> = {};
    for (const response of responses) {
      const key = `${response.status}${response.body?.error ? ` ${response.body.error.code}` : ''}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    console.log(
      `[scale] seed ${seed}: ${TRIALS} trials in ${seconds.toFixed(1)} s (${(TRIALS / seconds).toFixed(1)}/s), outcomes ${JSON.stringify(statuses)}, ` +
        `503 busy answers retried: ${busyRetries}`,
    );

    // Every trial answered as if it had run alone: a first activation is 201 (or, on a single-installation
    // edition that has its installation, 409 installation_limit_reached), a re-activation 200.
    trials.forEach((trial, index) => {
      const response = responses[index]!;
      const expected = trial.kind === 'first' ? (trial.license.singleInstallation ? [201, 409] : [201]) : [200];
      expect(expected, `trial ${index} (${trial.kind}): ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`).toContain(response.status);
      if (response.status === 409) expect(response.body.error.code).toBe('installation_limit_reached');
      if (response.status < 300) {
        expect(response.body.usage.deviceLicenses.used).toBeLessThanOrEqual(trial.license.entitlement);
        expect(response.body.devices.map((d: any) => d.mac)).toEqual(trial.devices.map((d) => d.mac.toLowerCase()));
      }
    });

    for (const license of licenses) {
      const ledger = await licenseLedger(license.slc);
      // No oversell, under any interleaving.
      expect(ledger.license.usedDeviceLicenses).toBeLessThanOrEqual(license.entitlement);
      if (license.singleInstallation) expect(ledger.license.installationCount).toBe(1);
      // Usage equals the device lists.
      expect(ledger.license.usedDeviceLicenses).toBe(ledger.deviceLicensesOfDevices);
      expect(ledger.license.usedDeviceLicenses).toBe(ledger.allocatedByInstallations);
      expect(ledger.license.activatedDevices).toBe(ledger.activatedDevices);
      expect(ledger.license.activatedDevices).toBe(ledger.devicesByInstallations);
      expect(ledger.license.installationCount).toBe(ledger.installations.length);
      // Each MAC is activated at most once per SLC (one device row per SLC and MAC, held by one installation).
      const held = ledger.devices.filter((device) => device.status === 'activated');
      expect(new Set(held.map((device) => device.mac)).size).toBe(held.length);

      // Each installation holds exactly what one of its own activations reported.
      for (const installation of ledger.installations) {
        const holds = held.filter((device) => device.installationId === installation.installationId).map((device) => device.mac).sort();
        const reported = responses
          .filter((response) => response.status < 300 && response.body.installationId === installation.installationId)
          .map((response) => response.body.devices.filter((d: any) => d.status === 'activated').map((d: any) => d.mac).sort());
        const initial = license.installations.some((known) => known.installationId === installation.installationId);
        if (reported.length > 0) expect(reported, installation.installationId).toContainEqual(holds);
        else expect(initial, `installation ${installation.installationId} has no activation response`).toBe(true);
      }
    }
  }, 1_200_000);
});
