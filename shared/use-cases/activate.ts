import { randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock';
import { logger } from '../adapters/observability';
import { secrets } from '../adapters/secrets';
import { config } from '../config';
import { planActivation, type ActivationPlan } from '../domain/activation-plan';
import { deriveDeviceKey, deviceGroupOf } from '../domain/device-key';
import { deviceInputProblem, deviceLicensesNeeded, normalizeMac } from '../domain/device-licenses';
import { editionRefusal, editionRules } from '../domain/editions';
import { deriveInstallationSecret } from '../domain/installation-secret';
import { thresholdsCrossed } from '../domain/usage-thresholds';
import { isWithinActivationWindow } from '../domain/versions';
import { validationFailed } from '../http/validation';
import { ApiError, badRequest, conflict, forbidden, notFound, unprocessable } from '../http/errors';
import type { ActivationConfiguration } from '../schemas/activation';
import { AllocationNotCommitted, commitAllocation, finalizeActivation } from '../store/activations';
import { devicesWithoutRoom, heldBy, lostDeviceWriteRace, readDeviceGroups, writeDeviceChanges, type DeviceChange, type HeldDevice } from '../store/devices';
import { auditEventItem } from '../store/events';
import { getInstallation, listUnfinishedInstallations, releaseLease } from '../store/installations';
import { keys } from '../store/keys';
import { getLicense } from '../store/licenses';
import type { Deployment, InstallationRecord, LicenseRecord } from '../store/records';
import { licenseDocumentFor, type LicenseDocumentResult } from './license-document';
import { assertOwnerVerified, releaseInstallation } from './installations';

/** How long an activation may hold its installation before another may take over (crash recovery). */
const LEASE_MS = 60_000;
/** How long a request keeps retrying contention before it gives up. */
const CONTENTION_DEADLINE_MS = 20_000;

export type ActivationTarget =
  | { kind: 'first'; slc: string }
  /** A new installation with an id chosen beforehand (the AMI path: one per instance). */
  | { kind: 'first-with-id'; slc: string; installationId: string }
  | { kind: 'reactivation'; installationId: string };

export interface ActivationCommand {
  target: ActivationTarget;
  configuration: ActivationConfiguration;
  /** Where the installation runs; undefined keeps what was recorded (on-premises for a new one). */
  deployment: Deployment | undefined;
  actor: string;
  sourceIp: string;
}

export interface ActivatedDeviceView {
  mac: string;
  deviceKey: string;
  licenses: number;
  status: 'activated' | 'not_activated';
  reason?: string;
}

export interface ActivationResult {
  created: boolean;
  body: {
    installationId: string;
    installationSecret?: string;
    status: 'activated' | 'partially_activated';
    devices: ActivatedDeviceView[];
    released: string[];
    usage: { deviceLicenses: { entitled: number; used: number; available: number }; devices: number };
    videoPush: { users: number; licensed: number };
    addOns: LicenseDocumentResult['addOns'];
    carePlus: { active: boolean; validUntil: string | null };
    license: string;
  };
}

interface PreparedDevice {
  mac: string;
  licenses: number;
}

/** §5.1–§5.2: normalise MACs, refuse duplicates and invalid devices, count the licenses each needs. */
export function prepareDevices(configuration: ActivationConfiguration): PreparedDevice[] {
  const seen = new Set<string>();
  return configuration.devices.map((device, index) => {
    const mac = normalizeMac(device.mac);
    if (!mac) {
      throw validationFailed([
        { path: `devices.${index}.mac`, message: 'must be six hex pairs separated by ":" or "-"' },
      ]);
    }
    if (seen.has(mac)) throw badRequest('duplicate_device', `The device ${mac} appears more than once in the request.`);
    seen.add(mac);
    const problem = deviceInputProblem({ ...device, mac });
    if (problem) {
      throw validationFailed([
        { path: `devices.${index}.supportedDeviceList.licenses`, message: problem },
      ]);
    }
    return { mac, licenses: deviceLicensesNeeded({ ...device, mac }) };
  });
}

async function loadActiveLicense(slc: string): Promise<LicenseRecord> {
  const license = await getLicense(slc);
  if (!license) throw notFound('license_not_found', 'No license has this SLC.');
  if (license.status === 'revoked') throw forbidden('license_revoked', 'This license has been revoked.');
  await assertOwnerVerified(license);
  return license;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (attempt: number) => sleep(5 + Math.random() * Math.min(400, 10 * 2 ** Math.min(attempt, 6)));

function newInstallationRecord(
  installationId: string,
  slc: string,
  leaseOwner: string,
  now: Date,
  deployment: Deployment,
): InstallationRecord {
  return {
    installationId,
    slc,
    status: 'active',
    credentialVersion: 1,
    allocatedDeviceLicenses: 0,
    activatedDevices: 0,
    deviceGroups: [],
    revision: 0,
    lease: { owner: leaseOwner, until: now.getTime() + LEASE_MS },
    managementServer: null,
    recordingServers: [],
    videoPush: { users: 0, licensed: 0 },
    addOnsInUse: {},
    activationStatus: 'activated',
    integrations: [],
    deployment,
    lastActivation: null,
    lastSeenAt: null,
    createdAt: now.toISOString(),
  };
}

/**
 * Installations of the SLC left unfinished hold licenses or cameras nobody can use: one whose first
 * activation never finished (the process died mid-way) once its lease has expired, and a retired one
 * whose devices were not all released (the release was cut short). Each activation finishes them
 * first; a failure here is left for the next one rather than failing this activation.
 */
async function reclaimUnfinishedInstallations(slc: string, now: Date, command: ActivationCommand): Promise<void> {
  try {
    for (const installation of await listUnfinishedInstallations(slc)) {
      const abandoned =
        installation.status === 'active' && !installation.lastActivation && (!installation.lease || installation.lease.until < now.getTime());
      if (abandoned || installation.status === 'retired') {
        await releaseInstallation(installation.installationId, { actor: 'service', sourceIp: command.sourceIp });
      }
    }
  } catch (error) {
    logger.warn('unfinished installations not reclaimed yet', { error: error as Error });
  }
}

/** The device changes that bring the installation's stored devices to the plan. Unchanged devices are not written. */
function deviceChanges(
  plan: ActivationPlan,
  held: ReadonlyMap<string, HeldDevice>,
  requested: ReadonlyMap<string, { deviceKey: string; group: string }>,
): DeviceChange[] {
  const changes: DeviceChange[] = [];
  for (const device of plan.devices) {
    const holding = held.get(device.mac);
    if (device.status === 'activated') {
      if (holding && holding.licenses === device.licenses) continue;
      changes.push({ kind: 'activate', mac: device.mac, ...requested.get(device.mac)!, licenses: device.licenses });
    } else if (holding) {
      changes.push({ kind: 'release', mac: device.mac, group: holding.group, deletes: false });
    }
  }
  for (const mac of plan.released) changes.push({ kind: 'release', mac, group: held.get(mac)!.group, deletes: true });
  return changes;
}

/**
 * §12: the `usage.threshold_reached` events of this activation, recorded in the transaction that
 * records `activation.completed` and ordered after it (80 before 100). Usage before is the license's
 * as this pass read it; the allocation this pass committed moved it by `delta`.
 */
function usageThresholdEvents(
  slc: string,
  at: string,
  by: { actor: string; sourceIp: string },
  usedBefore: number,
  delta: number,
  entitled: number,
): Array<{ put: Record<string, unknown> }> {
  return thresholdsCrossed(usedBefore, usedBefore + delta, entitled).map((details, index) => ({
    put: auditEventItem(slc, { at, type: 'usage.threshold_reached', actor: by.actor, sourceIp: by.sourceIp, details: { ...details } }, index + 1),
  }));
}

const sortedGroups = (groups: Iterable<string>) => [...new Set(groups)].sort();

function integrationKey(integration: { manufacturer: string; name: string; version: string }): string {
  return [integration.manufacturer, integration.name, integration.version].map(encodeURIComponent).join('|');
}

/**
 * §5.5: the request is the installation's whole configuration. One pass reads the state, plans,
 * commits the license counters and the installation's allocation in one conditional transaction,
 * writes the changed devices, then records the activation and releases the installation's lease.
 * Contention re-runs the pass; an interrupted pass is repaired by the next one, because the plan is
 * recomputed from the stored devices and the committed allocation.
 */
export async function activate(command: ActivationCommand): Promise<ActivationResult> {
  const { configuration } = command;
  if (configuration.eulaVersion !== config.eulaVersion()) {
    throw unprocessable('eula_not_accepted', `Activation needs acceptance of EULA version ${config.eulaVersion()}.`);
  }
  const requested = prepareDevices(configuration);
  // An integration listed twice is reported once.
  const integrations = [...new Map(configuration.integrations.map((integration) => [integrationKey(integration), integration])).values()];

  const leaseOwner = randomUUID();
  const deadline = Date.now() + CONTENTION_DEADLINE_MS;
  let leasedInstallationId: string | undefined;
  let created = false;
  let resuming = false;
  let finished = false;
  let uncertainInstallationId: string | undefined;
  /** Devices this request released with their deletion counted, in any of its passes. */
  const releasedByRequest = new Set<string>();
  let newInstallationId =
    command.target.kind === 'first-with-id' ? command.target.installationId : command.target.kind === 'first' ? randomUUID() : undefined;

  try {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        if (Date.now() > deadline) throw new ApiError(503, 'service_unavailable', 'The license is busy; try again shortly.');
        await backoff(attempt);
      }
      const now = clock.now();

      let installation: InstallationRecord | undefined;
      let slc: string;
      if (command.target.kind === 'reactivation') {
        installation = await getInstallation(command.target.installationId);
        if (!installation || installation.status !== 'active') throw notFound('installation_not_found', 'No such installation.');
        slc = installation.slc;
        if (attempt === 0) await reclaimUnfinishedInstallations(slc, now, command);
      } else {
        slc = command.target.slc;
        const knownId = leasedInstallationId ?? (command.target.kind === 'first-with-id' ? command.target.installationId : undefined);
        if (knownId) installation = await getInstallation(knownId);
        if (installation && !leasedInstallationId) {
          // first-with-id: an installation that never finished its first activation is resumed.
          if (installation.status !== 'active' || installation.lastActivation) {
            throw conflict('installation_exists', 'This instance already has an installation.');
          }
          resuming = true;
        } else if (attempt === 0) {
          await reclaimUnfinishedInstallations(slc, now, command);
        }
      }
      // Once this request has committed an allocation it is finished, not refused: a revocation or an
      // edition change that lands between its passes comes after it, and a refusal now would leave
      // the allocation behind without the devices it was made for.
      const committed = leasedInstallationId !== undefined;
      const license = committed ? (await getLicense(slc))! : await loadActiveLicense(slc);
      const rules = editionRules(license.product);
      const refusal = committed ? undefined : editionRefusal(license.product, { recordingServers: configuration.recordingServers });
      if (refusal) throw new ApiError(refusal.status, refusal.code, refusal.message);

      if (installation?.lease && installation.lease.owner !== leaseOwner && installation.lease.until > now.getTime()) {
        continue; // another activation of this installation is writing; wait for it
      }
      const isNew = !installation;
      if (isNew && rules.singleInstallation && license.installationCount >= 1) {
        throw conflict('installation_limit_reached', 'This edition allows one installation per SLC, and it has one.');
      }
      const installationId = installation?.installationId ?? newInstallationId!;

      // Each requested device's key and the group that stores it; the groups of the installation's devices are read with them.
      const placed = new Map(
        requested.map(({ mac }) => [mac, { mac, deviceKey: deriveDeviceKey(license.deviceKeySalt, mac), group: deviceGroupOf(license.deviceKeySalt, mac) }]),
      );
      const groupsToRead = [...[...placed.values()].map(({ group }) => group), ...(installation?.deviceGroups ?? [])];
      const groups = await readDeviceGroups(slc, sortedGroups(groupsToRead));
      const held = new Map(heldBy(installationId, slc, groups).map((device) => [device.mac, device]));
      const heldElsewhere = new Set<string>();
      for (const { mac, group } of placed.values()) {
        const holder = groups.get(group)!.devices[mac]?.installationId;
        if (holder && holder !== installationId) heldElsewhere.add(mac);
      }

      const ownLicenses = installation?.allocatedDeviceLicenses ?? 0;
      const ownDevices = installation?.activatedDevices ?? 0;
      const plan = planActivation({
        devices: requested,
        previouslyActivated: new Map([...held].map(([mac, device]) => [mac, { licenses: device.licenses }])),
        heldElsewhere,
        withoutRoom: devicesWithoutRoom(groups, [...placed.values()]),
        availableDeviceLicenses: license.entitledDeviceLicenses - (license.usedDeviceLicenses - ownLicenses),
        maxActivatedDevices: rules.maxActivatedDevices === null ? null : rules.maxActivatedDevices - (license.activatedDevices - ownDevices),
        withinActivationWindow: isWithinActivationWindow(license.activationAvailableUntil, now),
        videoPushUsers: configuration.videoPushUsers,
      });
      const at = now.toISOString();
      const activatedGroups = sortedGroups(plan.devices.filter((device) => device.status === 'activated').map((device) => placed.get(device.mac)!.group));

      try {
        await commitAllocation(
          {
            slc,
            entitledDeviceLicenses: license.entitledDeviceLicenses,
            deltaDeviceLicenses: plan.allocatedDeviceLicenses - ownLicenses,
            deltaDevices: plan.activatedDevices - ownDevices,
            maxActivatedDevices: rules.maxActivatedDevices,
            singleInstallation: rules.singleInstallation,
          },
          installation
            ? {
                kind: 'existing',
                installationId,
                expectedRevision: installation.revision,
                allocatedDeviceLicenses: plan.allocatedDeviceLicenses,
                activatedDevices: plan.activatedDevices,
                deviceGroups: sortedGroups([...installation.deviceGroups, ...activatedGroups]),
                lease: { owner: leaseOwner, until: now.getTime() + LEASE_MS },
                now: now.getTime(),
              }
            : {
                kind: 'new',
                record: {
                  ...newInstallationRecord(installationId, slc, leaseOwner, now, command.deployment ?? { type: 'on-premises' }),
                  allocatedDeviceLicenses: plan.allocatedDeviceLicenses,
                  activatedDevices: plan.activatedDevices,
                  deviceGroups: activatedGroups,
                },
              },
        );
      } catch (error) {
        if (!(error instanceof AllocationNotCommitted)) {
          // The outcome is unknown (the answer may have been lost after the write): a new installation
          // may exist holding the allocation; it is taken back below like any unfinished one.
          // An existing installation may hold our lease: it is released below, so that a retry need not wait for it.
          if (isNew) uncertainInstallationId = installationId;
          else leasedInstallationId = installationId;
          throw error;
        }
        if (error.reason === 'installation_changed' && isNew && command.target.kind === 'first') newInstallationId = randomUUID();
        continue;
      }
      leasedInstallationId = installationId;
      created ||= isNew || resuming;

      try {
        await writeDeviceChanges(slc, installationId, groups, deviceChanges(plan, held, placed), at, (written) => {
          for (const change of written) if (change.kind === 'release' && change.deletes) releasedByRequest.add(change.mac);
        });
      } catch (error) {
        if (lostDeviceWriteRace(error)) continue;
        throw error;
      }

      // Every pass of this request that released a device counted its deletion; the answer lists them all.
      const released = [...releasedByRequest].sort();
      const status =
        plan.devices.every((device) => device.status === 'activated') && plan.videoPush.licensed === plan.videoPush.users
          ? 'activated'
          : 'partially_activated';
      const previousIntegrations = new Set((installation?.integrations ?? []).map(integrationKey));
      const currentIntegrations = new Set(integrations.map(integrationKey));
      await finalizeActivation({
        installationId,
        leaseOwner,
        fields: {
          managementServer: configuration.managementServer,
          recordingServers: configuration.recordingServers,
          videoPush: plan.videoPush,
          addOnsInUse: configuration.addOnsInUse,
          activationStatus: status,
          integrations: integrations,
          deviceGroups: activatedGroups,
          ...(command.deployment ? { deployment: command.deployment } : {}),
          lastActivation: { at, sourceIp: command.sourceIp, eulaVersion: configuration.eulaVersion },
        },
        extraItems: [
          {
            put: auditEventItem(slc, {
              at,
              type: 'activation.completed',
              actor: command.actor,
              sourceIp: command.sourceIp,
              details: {
                installationId,
                status,
                eulaVersion: configuration.eulaVersion,
                devicesActivated: plan.activatedDevices,
                devicesNotActivated: plan.devices.length - plan.activatedDevices,
                devicesReleased: released.length,
                deviceLicenses: plan.allocatedDeviceLicenses,
                videoPushUsers: plan.videoPush,
                integrations: integrations,
                deployment: (command.deployment ?? installation?.deployment ?? { type: 'on-premises' }).type,
              },
            }),
          },
          ...usageThresholdEvents(slc, at, command, license.usedDeviceLicenses, plan.allocatedDeviceLicenses - ownLicenses, license.entitledDeviceLicenses),
          ...integrations
            .filter((integration) => !previousIntegrations.has(integrationKey(integration)))
            .map((integration) => ({
              put: { ...keys.integrationReport(integrationKey(integration), installationId), type: 'integration_report', ...integration, installationId },
            })),
          ...[...previousIntegrations]
            .filter((key) => !currentIntegrations.has(key))
            .map((key) => ({ delete: keys.integrationReport(key, installationId) })),
        ],
      });
      leasedInstallationId = undefined;

      // Until the answer is built the activation can still fail (a read, the signer); a first
      // activation is then taken back below, so that no installation exists whose secret nobody got.
      const after = (await getLicense(slc))!;
      const document = await licenseDocumentFor(after, {
        installationId,
        status,
        addOnsInUse: configuration.addOnsInUse,
        videoPush: plan.videoPush,
        devices: plan.devices
          .filter((device) => device.status === 'activated')
          .map((device) => ({ mac: device.mac, deviceKey: placed.get(device.mac)!.deviceKey, licenses: device.licenses })),
      });
      const installationSecret = created ? deriveInstallationSecret(await secrets().installationKey(), installationId, 1) : undefined;
      finished = true;
      return {
        created,
        body: {
          installationId,
          ...(installationSecret ? { installationSecret } : {}),
          status,
          devices: plan.devices.map((device) => ({
            mac: device.mac,
            deviceKey: placed.get(device.mac)!.deviceKey,
            licenses: device.licenses,
            status: device.status,
            ...(device.reason ? { reason: device.reason } : {}),
          })),
          released,
          usage: {
            deviceLicenses: {
              entitled: after.entitledDeviceLicenses,
              used: after.usedDeviceLicenses,
              available: Math.max(0, after.entitledDeviceLicenses - after.usedDeviceLicenses),
            },
            devices: after.activatedDevices,
          },
          videoPush: plan.videoPush,
          addOns: document.addOns,
          carePlus: document.carePlus,
          license: document.license,
        },
      };
    }
  } finally {
    if (!finished && (created || uncertainInstallationId) && command.target.kind === 'first') {
      // A first activation that failed after creating its installation takes it back, so that
      // the client's retry starts clean. Had the process died instead, the next first activation
      // on the SLC reclaims it (reclaimUnfinishedInstallations).
      const abandoned = leasedInstallationId ?? uncertainInstallationId ?? newInstallationId!;
      leasedInstallationId = undefined;
      // The lease may be gone already (the activation had finished writing); the installation goes either way.
      await releaseLease(abandoned, leaseOwner)
        .catch(() => undefined)
        .then(() => releaseInstallation(abandoned, { actor: 'service', sourceIp: command.sourceIp }))
        .catch((error: unknown) => logger.warn('unfinished installation not reclaimed yet', { installationId: abandoned, error: error as Error }));
    }
    if (leasedInstallationId) {
      await releaseLease(leasedInstallationId, leaseOwner).catch((error: unknown) =>
        logger.warn('activation lease not released; it expires by itself', { installationId: leasedInstallationId, error: error as Error }),
      );
    }
  }
}
