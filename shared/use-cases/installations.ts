import { clock } from '../adapters/clock';
import { config } from '../config';
import { heldAddOnEvaluations } from '../domain/add-on-pools';
import { heldAddOnsOf } from '../store/add-on-holdings';
import { secrets } from '../adapters/secrets';
import { deriveDeviceKey } from '../domain/device-key';
import { deriveInstallationSecret } from '../domain/installation-secret';
import { forbidden, notFound, serviceUnavailable } from '../errors';
import { retryWithBackoff, RETRY } from '../retry';
import { queryAll } from '../store/query';
import { INTEGRATION_REPORTS_PARTITION } from '../store/keys';
import { heldBy, listInstallationDevices, readDeviceGroups, writeDeviceChanges } from '../store/devices';
import { readLicenseState } from '../store/activations';
import { logger } from '../adapters/observability';
import { finishRelease, getInstallation, listUnfinishedInstallations, recordLastSeen, resetCredentials, retireInstallation, settleInstallation } from '../store/installations';
import { getLicense } from '../store/licenses';
import type { CustomerRecord, InstallationRecord, LicenseRecord } from '../store/records';
import { licenseDocumentFor } from './license-document';
import { licenseRevoked } from './installation-context';
import type { Caller } from '../http/types';
import { callerMaySee } from './visibility';

export interface Actor {
  actor: string;
  sourceIp: string;
}

/** §5.6: the customer that owns the license must still be verified (403 customer_not_verified). */
export function assertVerified(customer: CustomerRecord | undefined): void {
  if (!customer || customer.verification !== 'verified') {
    throw forbidden('customer_not_verified', 'The customer that owns this license is not verified.');
  }
}

/**
 * §6 check-in: a freshly signed license document for the installation's current state. The license,
 * its owner and the installation's device groups are read together, while last seen is recorded:
 * the signature check has shown the installation calling, whatever the answer (a refused check-in
 * of a revoked license is a sighting too).
 */
export async function checkIn(installation: InstallationRecord): Promise<{
  license: string;
  status: string;
  carePlus: { active: boolean; validUntil: string | null };
}> {
  const { installationId, slc } = installation;
  const [{ license, customer, groups }] = await Promise.all([
    readLicenseState(slc, installation.deviceGroups, installation.customerId),
    recordLastSeen(installationId, clock.now().toISOString()),
  ]);
  if (!license) {
    logger.error('installation refers to a license that does not exist', { installationId });
    throw new Error('installation without license');
  }
  if (license.status === 'revoked') throw licenseRevoked();
  assertVerified(customer);
  const devices = heldBy(installationId, slc, groups);
  const document = await licenseDocumentFor(license, {
    installationId,
    status: installation.activationStatus,
    addOns: heldAddOnEvaluations(license.product, license.version, license.addOns, installation.addOnsInUse, heldAddOnsOf(installation)),
    eulaVersion: installation.lastActivation?.eulaVersion ?? config.eulaVersion(),
    videoPush: installation.videoPush,
    devices: devices.map((device) => ({ mac: device.mac, deviceKey: deriveDeviceKey(license.deviceKeySalt, device.mac), licenses: device.licenses })),
  });
  return { license: document.license, status: installation.activationStatus, carePlus: document.carePlus };
}

/**
 * §4 DELETE installation: the license's counters drop by the installation's allocation and the
 * installation is retired in one transaction; then every device it holds is released with its
 * deletion counted. Repeating the call on a retired installation finishes releasing its devices.
 */
export async function releaseInstallation(installationId: string, by: Actor): Promise<void> {
  let installation = await getInstallation(installationId);
  if (!installation) throw notFound('installation_not_found', 'No such installation.');
  const busy = () => serviceUnavailable('The installation is busy; try the release again shortly.');
  // An activation in flight holds the installation; wait for it, then retire what it committed.
  if (installation.status === 'active') {
    await retryWithBackoff({ attempts: 101, minMs: 50, baseMs: 200, capMs: 200, exhausted: busy }, async (attempt) => {
      if (attempt > 0) installation = (await getInstallation(installationId))!;
      if (installation!.status !== 'active') return undefined;
      return (await retireInstallation(installation!, { ...by, at: clock.now().toISOString() })) === 'retired' ? undefined : RETRY;
    });
  }
  // Other installations' activations write the same device groups; a write that lost the race re-reads.
  const { slc, deviceGroups } = installation;
  await retryWithBackoff({ attempts: 21, minMs: 20, baseMs: 100, capMs: 100, exhausted: busy }, async () => {
    const groups = await readDeviceGroups(slc, deviceGroups);
    const releases = heldBy(installationId, slc, groups).map(({ mac, group }) => ({ kind: 'release' as const, mac, group, deletes: true }));
    if ((await writeDeviceChanges(slc, installationId, groups, releases, clock.now().toISOString())) === 'devices_changed') return RETRY;
    await finishRelease(installationId);
    return undefined;
  });
}

/**
 * An installation whose activation stopped between its commit and its record holds what it
 * committed, not what it has: its holdings drop to the devices it holds (never rising), and the
 * license's counters with them. Devices of the configuration it was moving from that it still
 * holds keep their place until its next activation releases them. A first activation's
 * installation is kept too (with what it holds, often nothing): its client's repeat completes it
 * with the same id and secret (§5.1 rev 2), and ops see it in the installations list.
 */
export async function settleInterruptedActivation(installation: InstallationRecord, now: Date): Promise<void> {
  const held = heldBy(installation.installationId, installation.slc, await readDeviceGroups(installation.slc, installation.deviceGroups));
  const heldLicenses = held.reduce((sum, device) => sum + device.licenses, 0) + installation.videoPush.licensed;
  const settled = {
    allocatedDeviceLicenses: Math.min(installation.allocatedDeviceLicenses, heldLicenses),
    activatedDevices: Math.min(installation.activatedDevices, held.length),
  };
  if ((await settleInstallation(installation, settled, now.getTime())) === 'settled') {
    logger.info('interrupted activation settled', { installationId: installation.installationId, ...settled });
  }
}

/**
 * Installations of the SLC left unfinished hold licenses nobody uses: one whose activation (a
 * first one or a re-activation) stopped between its commit and its record, once its lease has run
 * out, is settled to what it holds; a retired one whose devices were not all released (the release
 * was cut short) is released to the end. Activations and the license view finish them first; a
 * failure here is left for the next request rather than failing this one. True when one was finished.
 */
export async function reclaimUnfinishedInstallations(slc: string, by: Actor & { now: Date; managementServerId?: string }): Promise<boolean> {
  let reclaimed = false;
  try {
    for (const installation of await listUnfinishedInstallations(slc)) {
      const leaseOver = !installation.lease || installation.lease.until < by.now.getTime();
      // The installation this request's management server claims is completed by it instead (§5.1 rev 2).
      const repeated = by.managementServerId !== undefined && installation.managementServerClaim === by.managementServerId;
      if (installation.status === 'retired') {
        reclaimed = true;
        await releaseInstallation(installation.installationId, { actor: 'service', sourceIp: by.sourceIp });
      } else if (installation.status === 'active' && leaseOver && !repeated) {
        reclaimed = true;
        await settleInterruptedActivation(installation, by.now);
      }
    }
  } catch (error) {
    logger.warn('unfinished installations not reclaimed yet', { error: error as Error });
  }
  return reclaimed;
}

/** §4 credentials: a new installation secret; the old one stops working at once. */
export async function issueNewCredentials(installationId: string, by: Actor): Promise<{ installationId: string; installationSecret: string }> {
  const installation = await getInstallation(installationId);
  if (!installation || installation.status !== 'active') throw notFound('installation_not_found', 'No such installation.');
  const version = await resetCredentials(installation, { ...by, at: clock.now().toISOString() });
  return { installationId, installationSecret: deriveInstallationSecret(await secrets().installationKey(), installationId, version) };
}

/** §4 integration statistics: how many installations report each integration. */
export async function integrationStatistics(): Promise<Array<{ manufacturer: string; name: string; version: string; installations: number }>> {
  const counts = new Map<string, { manufacturer: string; name: string; version: string; installations: number }>();
  const reports = await queryAll<{ manufacturer: string; name: string; version: string }>({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': INTEGRATION_REPORTS_PARTITION },
  });
  for (const report of reports) {
    const key = JSON.stringify([report.manufacturer, report.name, report.version]);
    const entry = counts.get(key) ?? { manufacturer: report.manufacturer, name: report.name, version: report.version, installations: 0 };
    entry.installations += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.installations - a.installations || a.manufacturer.localeCompare(b.manufacturer) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** §8 view of an installation for its partner (and §11 its customer's users); anyone else's is not found. */
export async function partnerInstallationView(caller: Caller, installationId: string) {
  const installation = await getInstallation(installationId);
  const license: LicenseRecord | undefined = installation ? await getLicense(installation.slc) : undefined;
  if (!installation || !license || !callerMaySee(caller, license)) {
    throw notFound('installation_not_found', 'No such installation.');
  }
  const devices = await listInstallationDevices(installation);
  return installationView(installation, devices.map((device) => ({ mac: device.mac, deviceKey: device.deviceKey, licenses: device.licenses, status: device.status })));
}

export function installationView(installation: InstallationRecord, devices: unknown[]) {
  return {
    installationId: installation.installationId,
    slc: installation.slc,
    status: installation.status,
    deployment: installation.deployment,
    managementServer: installation.managementServer,
    recordingServers: installation.recordingServers,
    devices,
    lastActivation: installation.lastActivation ? { at: installation.lastActivation.at, sourceIp: installation.lastActivation.sourceIp } : null,
    lastSeenAt: installation.lastSeenAt,
  };
}

/** An item of `GET /v1/licenses/{slc}/installations` (§4 rev 2). */
export function toInstallationListItem(installation: InstallationRecord) {
  return {
    installationId: installation.installationId,
    status: installation.status,
    deployment: installation.deployment.type,
    managementServer: installation.managementServer,
    recordingServers: installation.recordingServers,
    devices: { activated: installation.activatedDevices, disabled: installation.disabledDevices ?? 0 },
    lastActivation: installation.lastActivation ? { at: installation.lastActivation.at, sourceIp: installation.lastActivation.sourceIp } : null,
    lastSeenAt: installation.lastSeenAt,
  };
}
