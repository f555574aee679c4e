import { randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock';
import { logger } from '../adapters/observability';
import { secrets } from '../adapters/secrets';
import { planActivation, type ActivationPlan } from '../domain/activation-plan';
import { allocateAddOns, type AddOnPoolPlan } from '../domain/add-on-pools';
import { deriveDeviceKey, deviceGroupUnder, deviceGroupWidthOf } from '../domain/device-key';
import { deviceInputProblem, deviceLicensesNeeded, normalizeMac } from '../domain/device-licenses';
import { editionRefusal, editionRules, type EditionRules } from '../domain/editions';
import { deriveInstallationSecret } from '../domain/installation-secret';
import { thresholdsCrossed } from '../domain/usage-thresholds';
import type { AuditEvent } from '../store/events';
import { isWithinActivationWindow } from '../domain/versions';
import { ApiError, badRequest, conflict, forbidden, notFound, serviceUnavailable, unprocessable, validationFailed } from '../errors';
import { retryWithBackoff, RETRY, RETRY_NOW, type Retry } from '../retry';
import type { ActivationConfiguration } from '../schemas/activation';
import {
  commitActivation,
  finalizeActivation,
  integrationKey,
  readActivationInputs,
  commitItemCount,
  MAX_TRANSACTION_ITEMS,
  type ActivationRecord,
  type CommitOutcome,
  type InstallationCommit,
  type Integration,
  type LicenseCommit,
} from '../store/activations';
import { deviceGroupUpdates, devicesWithoutRoom, disabledBy, heldBy, writeDeviceChanges, type DeviceChange, type DeviceGroup, type DeviceGroupUpdate, type HeldDevice } from '../store/devices';
import { createInstallationRecord, getInstallation, releaseLease, renewLease, takeLease } from '../store/installations';
import { addOnHoldings, addOnPools, heldAddOnsOf } from '../store/add-on-holdings';
import { addOnPoolUsage } from '../store/licenses';
import type { Deployment, InstallationRecord, LicenseRecord } from '../store/records';
import { licenseDocumentFor, type LicenseDocumentResult } from './license-document';
import { eulaAcceptedIn } from './catalog';
import { assertVerified, reclaimUnfinishedInstallations, releaseInstallation } from './installations';

/**
 * How long an activation's lease on its installation lasts unless renewed: a request that died
 * holding it is taken over (and what it committed settled) this long after its last renewal.
 */
export const ACTIVATION_LEASE_MS = 10_000;
/** While its devices are written, an activation renews its lease this often: three tries before it would lapse. */
export const LEASE_RENEWAL_MS = ACTIVATION_LEASE_MS / 3;
/**
 * Contention (a busy license, another activation of the installation, a device taken meanwhile)
 * re-runs the pass with jittered backoff; no pass starts after 20 seconds, so that the last one
 * ends within the function's 29-second timeout.
 */
const CONTENTION = { deadlineMs: 20_000, minMs: 5, baseMs: 10, capMs: 400, exhausted: () => serviceUnavailable('The license is busy; try again shortly.') };

export type ActivationTarget =
  | { kind: 'first'; slc: string }
  /** A new installation with an id chosen beforehand (the AMI path: one per instance). */
  | { kind: 'first-with-id'; slc: string; installationId: string }
  /** `installation`: the record as authentication read it (strongly consistent), used by the first pass. */
  | { kind: 'reactivation'; installationId: string; installation?: InstallationRecord };

export interface ActivationCommand {
  target: ActivationTarget;
  configuration: ActivationConfiguration;
  /** Where the installation runs; undefined keeps what was recorded (on-premises for a new one). */
  deployment: Deployment | undefined;
  actor: string;
  sourceIp: string;
  /** Set for an activation carried in a request file (§10): its event says `offline: true`. */
  offline?: boolean;
}

export interface ActivatedDeviceView {
  mac: string;
  deviceKey: string;
  licenses: number;
  status: 'activated' | 'not_activated' | 'disabled';
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
    eulaVersion: string;
    license: string;
  };
}

interface PreparedDevice {
  mac: string;
  licenses: number;
  enabled: boolean;
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
    return { mac, licenses: deviceLicensesNeeded({ ...device, mac }), enabled: device.enabled };
  });
}

/** What the request asks for, checked once before any pass. */
interface ActivationRequest {
  command: ActivationCommand;
  devices: PreparedDevice[];
  /** An integration listed twice is reported once. */
  integrations: Integration[];
}

function prepareRequest(command: ActivationCommand): ActivationRequest {
  const devices = prepareDevices(command.configuration);
  const integrations = [...new Map(command.configuration.integrations.map((integration) => [integrationKey(integration), integration])).values()];
  return { command, devices, integrations };
}

/**
 * One activation request across its passes: the lease it takes on its installation, the
 * installation it may have created, what it has released, and the cleanup when it ends without an
 * answer. Every pass goes through it; `cleanUp` runs once, whatever happened.
 */
class ActivationSession {
  readonly leaseOwner = randomUUID();
  /** The installation a committed pass holds the lease of (device writes and the record follow). */
  leasedInstallationId: string | undefined;
  /** A pass created the installation (or resumed one a crashed first attempt created): the answer is 201. */
  created = false;
  /**
   * The request completes an installation an earlier attempt created: the first-with-id path found
   * an unfinished installation of its own id, or a first activation found its management server's
   * claim on an installation that has made no signed request yet (§5.1 rev 2).
   */
  resuming = false;
  /** The installation a first activation's management server claim names (read with the license). */
  claimedInstallationId: string | undefined;
  /** A commit of a new installation whose outcome is unknown: it may exist and hold devices. */
  uncertainInstallationId: string | undefined;
  /** Devices this request released with their deletion counted, in any of its passes. */
  readonly released = new Set<string>();
  private answered = false;
  newInstallationId: string | undefined;
  /** A pass of this re-activation lost its commit to another activation of the same installation. */
  private lostRace = false;
  /** The installation whose lease this request took to go next, until a commit of its own. */
  private turnInstallationId: string | undefined;
  /** The installation as taking the turn found it, for the pass that follows (read once). */
  private turnStart: InstallationRecord | undefined;

  constructor(readonly command: ActivationCommand) {
    const { target } = command;
    this.newInstallationId = target.kind === 'first-with-id' ? target.installationId : target.kind === 'first' ? randomUUID() : undefined;
  }

  /** Once this request has committed an allocation it is finished, not refused (see loadState). */
  get committed(): boolean {
    return this.leasedInstallationId !== undefined;
  }

  lease(now: Date): { owner: string; until: number } {
    return { owner: this.leaseOwner, until: now.getTime() + ACTIVATION_LEASE_MS };
  }

  /** Another request's live lease on the installation: this one waits for it. */
  heldByAnother(installation: InstallationRecord | undefined, now: Date): boolean {
    return Boolean(installation?.lease && installation.lease.owner !== this.leaseOwner && installation.lease.until > now.getTime());
  }

  /**
   * After losing a race for its installation, a re-activation takes the installation's lease before
   * its next pass, so that concurrent re-activations of one installation go one after another
   * instead of all reading again and colliding again (each collision costs every loser a pass).
   * True while another request holds the lease: this one waits for it.
   */
  async waitsItsTurn(now: Date): Promise<boolean> {
    const { target } = this.command;
    if (!this.lostRace || this.turnInstallationId !== undefined || target.kind !== 'reactivation') return false;
    const turn = await takeLease(target.installationId, this.leaseOwner, now.getTime() + ACTIVATION_LEASE_MS, now.getTime());
    if (turn === 'held') return true;
    this.turnInstallationId = target.installationId;
    this.turnStart = turn;
    return false;
  }

  /** The installation as the turn just taken found it, once; afterwards passes read it again. */
  installationAtTurn(): InstallationRecord | undefined {
    const installation = this.turnStart;
    this.turnStart = undefined;
    return installation;
  }

  /** The commit of the installation's allocation ended: committed, refused, or with no answer (thrown). */
  afterCommit(installationId: string, isNew: boolean, outcome: CommitOutcome, completes: boolean): void {
    if (outcome === 'installation_changed' && !isNew && this.command.target.kind === 'reactivation') {
      // Lost to another activation of the installation (or the turn's lease lapsed): take a turn next.
      this.lostRace = true;
      this.turnInstallationId = undefined;
    }
    if (outcome === 'committed') this.turnInstallationId = undefined; // the commit replaced the turn's lease
    if (outcome === 'server_claimed') {
      // Another first activation of the same management server created its installation first:
      // the next pass reads the claim and completes that installation instead.
      this.newInstallationId = randomUUID();
      return;
    }
    if (outcome !== 'committed') {
      // A new installation's id was taken meanwhile: a plain first activation draws another.
      if (outcome === 'installation_changed' && isNew && this.command.target.kind === 'first') this.newInstallationId = randomUUID();
      return;
    }
    this.leasedInstallationId = completes ? undefined : installationId;
    this.created ||= isNew || this.resuming;
  }

  commitUnanswered(installationId: string, isNew: boolean): void {
    // The outcome is unknown (the answer may have been lost after the write): a new installation
    // may exist holding the allocation; it is taken back like any unfinished one. An existing
    // installation may hold our lease: it is released, so that a retry need not wait for it.
    if (isNew) this.uncertainInstallationId = installationId;
    else this.leasedInstallationId = installationId;
  }

  /**
   * Runs `work` (the device writes) renewing the installation's lease meanwhile, so that a large
   * activation on a slow day is not taken for a dead one; a renewal that finds the lease taken leaves
   * it to finalize, whose condition on the lease then fails.
   */
  async renewingLease<T>(installationId: string, work: () => Promise<T>): Promise<T> {
    let renewal: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      renewal = renewLease(installationId, this.leaseOwner, clock.now().getTime() + ACTIVATION_LEASE_MS).catch((error: unknown) =>
        logger.warn('activation lease not renewed; the next renewal tries again', { installationId, error: error as Error }),
      );
    }, LEASE_RENEWAL_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
      await renewal;
    }
  }

  finalized(): void {
    this.leasedInstallationId = undefined;
  }

  /** A transaction wrote these device updates: their counted deletions are this request's. */
  releasedAll(updates: readonly DeviceGroupUpdate[]): void {
    for (const mac of releasesOf(updates)) this.released.add(mac);
  }

  answer(): void {
    this.answered = true;
  }

  async cleanUp(): Promise<void> {
    const { command } = this;
    if (!this.answered && !this.resuming && (this.created || this.uncertainInstallationId) && command.target.kind === 'first') {
      // A first activation that failed after creating its installation takes it back, so that the
      // client's retry starts clean. Had the process died instead, the client's repeat completes it
      // (§5.1 rev 2); once its lease has run out, the next request that meets it settles it to what it holds (reclaimUnfinishedInstallations).
      // An installation an earlier attempt created is left as it is: its answer may have reached the client.
      const abandoned = this.leasedInstallationId ?? this.uncertainInstallationId ?? this.newInstallationId!;
      this.leasedInstallationId = undefined;
      // The lease may be gone already (the activation had finished writing); the installation goes either way.
      await releaseLease(abandoned, this.leaseOwner)
        .catch(() => undefined)
        .then(() => releaseInstallation(abandoned, { actor: 'service', sourceIp: command.sourceIp }))
        .catch((error: unknown) => logger.warn('unfinished installation not reclaimed yet', { installationId: abandoned, error: error as Error }));
    }
    const leased = this.leasedInstallationId ?? this.turnInstallationId;
    if (leased) {
      await releaseLease(leased, this.leaseOwner).catch((error: unknown) =>
        logger.warn('activation lease not released; it expires by itself', { installationId: leased, error: error as Error }),
      );
    }
  }
}

/** What one pass read: the license, the installation (none yet for a first activation) and the device groups concerned. */
interface ActivationState {
  now: Date;
  slc: string;
  license: LicenseRecord;
  rules: EditionRules;
  installation: InstallationRecord | undefined;
  installationId: string;
  /** Each requested device's key and the group that stores it. */
  placed: Map<string, { mac: string; deviceKey: string; group: string }>;
  groups: Map<string, DeviceGroup>;
  /** The devices the installation holds now, by MAC. */
  held: Map<string, HeldDevice>;
  /** The last day of the activation window of the license's version, from the catalog now (§4 rev 2). */
  activationAvailableUntil: string;
}

/** The installation the pass works on, if it exists yet, and its SLC; refuses a target that cannot be activated. */
async function loadInstallation(session: ActivationSession, attempt: number): Promise<{ slc: string; installation: InstallationRecord | undefined }> {
  const { target } = session.command;
  if (target.kind === 'reactivation') {
    const installation = (attempt === 0 ? target.installation : session.installationAtTurn()) ?? (await getInstallation(target.installationId));
    if (!installation || installation.status !== 'active') throw notFound('installation_not_found', 'No such installation.');
    return { slc: installation.slc, installation };
  }
  const knownId = session.leasedInstallationId ?? (target.kind === 'first-with-id' ? target.installationId : session.claimedInstallationId);
  const installation = knownId ? await getInstallation(knownId) : undefined;
  if (target.kind === 'first' && session.claimedInstallationId !== undefined && knownId === session.claimedInstallationId && !session.committed) {
    return { slc: target.slc, installation: repeatedFirstActivation(session, installation) };
  }
  if (installation && !session.committed) {
    // first-with-id: an installation that never finished its first activation is resumed.
    if (installation.status !== 'active' || installation.lastActivation) throw conflict('installation_exists', 'This instance already has an installation.');
    session.resuming = true;
  }
  return { slc: target.slc, installation };
}

/**
 * §5.1 rev 2: a first activation of a management server that has claimed an installation of the
 * SLC. While that installation has made no signed request (its secret may not have arrived) this
 * request completes it and answers as its first attempt would have; afterwards 409. An
 * installation retired since the claim was read has freed it: the pass reads the claim again.
 */
function repeatedFirstActivation(session: ActivationSession, installation: InstallationRecord | undefined): InstallationRecord | undefined {
  if (!installation || installation.status !== 'active') {
    session.claimedInstallationId = undefined;
    session.resuming = false;
    return undefined;
  }
  if (installation.firstSignedRequestAt !== null) {
    throw conflict('installation_exists', 'This management server already has an installation on this SLC; re-activate it with its installation id and a signed request.');
  }
  session.resuming = true;
  return installation;
}

/**
 * The license with the groups the installation names (and its owner, when the installation
 * recorded who that is), read together; the first pass of a request also finishes the SLC's
 * unfinished installations, asked for at the same time. RETRY_NOW when it reclaimed one: the pass
 * starts again from what that left.
 */
async function readLicense(session: ActivationSession, slc: string, installation: InstallationRecord | undefined, attempt: number, now: Date) {
  const { command } = session;
  const reclaim =
    attempt === 0 && !session.resuming
      ? reclaimUnfinishedInstallations(slc, {
          now,
          actor: 'service',
          sourceIp: command.sourceIp,
          ...(command.target.kind === 'first' ? { managementServerId: command.configuration.managementServer.id } : {}),
        })
      : Promise.resolve(false);
  const { target, configuration } = command;
  // A first activation that knows of no installation yet asks for its management server's claim with the license.
  const askClaim = target.kind === 'first' && !installation && !session.committed;
  const [read, reclaimed] = await Promise.all([
    readActivationInputs(slc, {
      license: true,
      customerId: installation?.customerId,
      groups: installation?.deviceGroups ?? [],
      ...(askClaim ? { managementServerId: configuration.managementServer.id } : {}),
      ...(installation?.licenseVersion ? { catalog: { licenseVersion: installation.licenseVersion, eulaVersion: configuration.eulaVersion } } : {}),
    }),
    reclaim,
  ]);
  if (read.claim) {
    // The server has an installation: the pass starts again on it (with the groups it names).
    session.claimedInstallationId = read.claim.installationId;
    return RETRY_NOW;
  }
  return reclaimed ? RETRY_NOW : read;
}

/**
 * Step 1 of a pass: read the installation, the license, its owner and the device groups the plan
 * needs (two round trips at most: what can be known before the license is read goes with it), and
 * refuse what cannot be activated. RETRY while another activation of the installation holds it.
 */
async function loadState(session: ActivationSession, request: ActivationRequest, attempt: number): Promise<ActivationState | Retry> {
  const now = clock.now();
  // The turn is taken before the installation is read, so that the pass reads what the previous turn left.
  if (await session.waitsItsTurn(now)) return RETRY;
  const { slc, installation } = await loadInstallation(session, attempt);
  const first = await readLicense(session, slc, installation, attempt, now);
  if (first === RETRY_NOW) return RETRY_NOW;
  const { license } = first;
  // Once this request has committed an allocation it is finished, not refused: a revocation or an
  // edition change that lands between its passes comes after it, and a refusal now would leave
  // the allocation behind without the devices it was made for.
  if (!license) throw notFound('license_not_found', 'No license has this SLC.');
  // A committed request stops here too: its installation is settled like an interrupted one once the groups are split.
  if (license.deviceGroupsWidening !== undefined) throw serviceUnavailable('This license is being reorganised for its size; try again in a minute.');
  if (!session.committed && license.status === 'revoked') throw forbidden('license_revoked', 'This license has been revoked.');
  const rules = editionRules(license.product);
  const refusal = session.committed ? undefined : editionRefusal(license.product, { recordingServers: request.command.configuration.recordingServers });
  if (refusal) throw new ApiError(refusal.status, refusal.code, refusal.message);
  if (session.heldByAnother(installation, now)) return RETRY; // another activation of this installation is writing; wait for it
  if (!installation && rules.singleInstallation && license.installationCount >= 1) {
    throw conflict('installation_limit_reached', 'This edition allows one installation per SLC, and it has one.');
  }
  const installationId = installation?.installationId ?? session.newInstallationId!;
  const placed = new Map(request.devices.map(({ mac }) => [mac, { mac, deviceKey: deriveDeviceKey(license.deviceKeySalt, mac), group: deviceGroupUnder(license, mac) }]));
  // The groups of the requested devices the first read could not know, the owner if it did not
  // know who that is, and the catalogs (which need the license's version): one BatchGetItem.
  const groups = first.groups;
  const missing = sortedGroups([...placed.values()].map(({ group }) => group).filter((group) => !groups.has(group)));
  const ownerUnknown = first.customer?.customerId !== license.customerId;
  const needSecond = missing.length > 0 || (ownerUnknown && !session.committed);
  // The catalogs came with the license when the installation recorded the version it still has.
  const catalogRead = first.catalog?.licenseVersion === license.version ? first.catalog : undefined;
  const second =
    needSecond || !catalogRead
      ? await readActivationInputs(slc, {
          license: false,
          customerId: needSecond && ownerUnknown ? license.customerId : undefined,
          groups: needSecond ? missing : [],
          ...(catalogRead ? {} : { catalog: { licenseVersion: license.version, eulaVersion: request.command.configuration.eulaVersion } }),
        })
      : undefined;
  const catalog = catalogRead ?? second!.catalog!;
  let customer = first.customer;
  if (second && needSecond) {
    for (const [group, read] of second.groups) groups.set(group, read);
    if (ownerUnknown) customer = second.customer;
  }
  if (!session.committed) assertVerified(customer);
  const held = new Map(heldBy(installationId, slc, groups).map((device) => [device.mac, device]));
  // One read of the catalogs: "An activation's `eulaVersion` must be `current` or `accepted`, else 422
  // `eula_not_accepted`", and the window of the license's version as the catalog has it now. A
  // version is never removed from the catalog; the window the license was issued with stands in should it be.
  if (!session.committed && !eulaAcceptedIn(request.command.configuration.eulaVersion, catalog.eula)) {
    throw unprocessable('eula_not_accepted', `EULA version ${request.command.configuration.eulaVersion} is not one activations may accept; accept the current EULA.`);
  }
  const activationAvailableUntil = catalog.version?.activationAvailableUntil ?? license.activationAvailableUntil;
  return { now, slc, license, rules, installation, installationId, placed, groups, held, activationAvailableUntil };
}

const sortedGroups = (groups: Iterable<string>) => [...new Set(groups)].sort();

/** The devices (§5.5) and the add-ons (§5.4) one pass commits. */
type Plan = ActivationPlan & { addOns: AddOnPoolPlan };

/** Step 2: the plan of §5.5 and the add-on allocation of §5.4 against what the pass read. */
function planFor(state: ActivationState, request: ActivationRequest): Plan {
  const { license, rules, installation, installationId, placed, groups, held } = state;
  const heldElsewhere = new Set<string>();
  // Devices registered disabled after having been activated: enabling them again is not a new device (§5.1).
  const activatedBefore = new Set<string>();
  for (const { mac, group } of placed.values()) {
    const entry = groups.get(group)!.devices[mac];
    if (entry?.installationId && entry.installationId !== installationId) heldElsewhere.add(mac);
    if (entry?.status === 'disabled' && !entry.neverActivated) activatedBefore.add(mac);
  }
  const ownLicenses = installation?.allocatedDeviceLicenses ?? 0;
  const ownDevices = installation?.activatedDevices ?? 0;
  const addOns = allocateAddOns({
    product: license.product,
    version: license.version,
    entitlements: license.addOns,
    requested: request.command.configuration.addOnsInUse,
    usedBySlc: addOnPoolUsage(license),
    heldByThis: heldAddOnsOf(installation),
    failoverHolder: license.failoverInstallationId ?? null,
    installationId,
  });
  const devices = planActivation({
    devices: request.devices,
    previouslyActivated: new Map([...held].map(([mac, device]) => [mac, { licenses: device.licenses }])),
    heldElsewhere,
    withoutRoom: devicesWithoutRoom(groups, [...placed.values()]),
    activatedBefore,
    availableDeviceLicenses: license.entitledDeviceLicenses - (license.usedDeviceLicenses - ownLicenses),
    maxActivatedDevices: rules.maxActivatedDevices === null ? null : rules.maxActivatedDevices - (license.activatedDevices - ownDevices),
    withinActivationWindow: isWithinActivationWindow(state.activationAvailableUntil, state.now),
    videoPushUsers: request.command.configuration.videoPushUsers,
  });
  return { ...devices, addOns };
}

const activatedGroups = (state: ActivationState, plan: ActivationPlan) =>
  sortedGroups(plan.devices.filter((device) => device.status === 'activated').map((device) => state.placed.get(device.mac)!.group));

/**
 * The license pools the plan moves: device licenses against the entitlement, activated devices
 * against the edition's cap, each add-on quantity against its entitlement, and the failover pair.
 */
function licenseCommit(state: ActivationState, plan: Plan): LicenseCommit {
  const { license, rules, installation } = state;
  const deltaLicenses = plan.allocatedDeviceLicenses - (installation?.allocatedDeviceLicenses ?? 0);
  const deltaDevices = plan.activatedDevices - (installation?.activatedDevices ?? 0);
  return {
    slc: state.slc,
    pools: [
      { used: 'usedDeviceLicenses', delta: deltaLicenses, capacity: license.entitledDeviceLicenses, capacityAttribute: 'entitledDeviceLicenses' },
      { used: 'activatedDevices', delta: deltaDevices, capacity: rules.maxActivatedDevices },
      ...addOnPools(plan.addOns, license.addOns),
    ],
    singleInstallation: rules.singleInstallation,
    deviceGroupWidth: license.deviceGroupWidth,
    // The edition's rules were applied as read: an upgrade in between is planned against again.
    product: license.product,
    // Add-on pools that grow were planned against the entitlements as read.
    ...(Object.values(plan.addOns.delta).some((delta) => delta > 0) || plan.addOns.failover === 'take' ? { termsAsOf: license.updatedAt } : {}),
    ...(plan.addOns.failover !== 'unchanged' ? { failover: { installationId: state.installationId, action: plan.addOns.failover } } : {}),
  };
}

/**
 * Step 3: commit the plan, in one conditional transaction with the license's counters. When the
 * whole activation fits in that transaction (its device updates, the installation, the event and
 * the integration reports: up to about 90 devices) it is complete once committed: no lease, no
 * second write. Otherwise the installation takes its lease and names the groups its devices are
 * about to be written to, and steps 4 and 5 follow.
 */
async function commitPlan(session: ActivationSession, request: ActivationRequest, state: ActivationState, plan: Plan): Promise<{ outcome: CommitOutcome; complete: boolean }> {
  const { installation, installationId, now } = state;
  const updates = deviceGroupUpdates(installationId, state.groups, deviceChanges(state, plan), now.toISOString());
  const record = activationRecord(session, request, state, plan, updates);
  const complete = fitsOneTransaction(updates, record, !installation && session.command.target.kind === 'first');
  const lease = complete ? null : session.lease(now);
  const holdings = { allocatedDeviceLicenses: plan.allocatedDeviceLicenses, activatedDevices: plan.activatedDevices, ...addOnHoldings(plan.addOns.held) };
  const installationCommit: InstallationCommit = installation
    ? {
        kind: 'existing',
        installationId,
        expectedRevision: installation.revision,
        holdings,
        // Names of another width are groups split since (docs/DATA-MODEL.md, "Migrations"): they hold nothing now.
        deviceGroups: sortedGroups([...installation.deviceGroups.filter((group) => group.length === deviceGroupWidthOf(state.license)), ...activatedGroups(state, plan)]),
        lease,
        leaseOwner: session.leaseOwner,
        now: now.getTime(),
        ...(session.resuming && session.command.target.kind === 'first' ? { unsigned: true } : {}),
      }
    : {
        kind: 'new',
        record: {
          ...createInstallationRecord({
            installationId,
            slc: state.slc,
            lease,
            deployment: session.command.deployment ?? { type: 'on-premises' },
            createdAt: now.toISOString(),
            managementServerClaim: session.command.target.kind === 'first' ? session.command.configuration.managementServer.id : null,
          }),
          ...holdings,
          deviceGroups: activatedGroups(state, plan),
          // Known from the start: an installation whose first activation is cut short is listed with them.
          managementServer: session.command.configuration.managementServer,
          recordingServers: session.command.configuration.recordingServers,
        },
      };
  const isNew = !installation;
  let outcome: CommitOutcome;
  try {
    outcome = await commitActivation({
      license: licenseCommit(state, plan),
      installation: installationCommit,
      ...(complete ? { devices: updates, record } : {}),
    });
  } catch (error) {
    session.commitUnanswered(installationId, isNew);
    throw error;
  }
  session.afterCommit(installationId, isNew, outcome, complete);
  if (outcome === 'committed' && complete) session.releasedAll(updates);
  return { outcome, complete };
}

/** Whether the device updates and the record go in the commit's transaction (at most one update per group). */
function fitsOneTransaction(updates: readonly DeviceGroupUpdate[], record: ActivationRecord, claimsServer: boolean): boolean {
  return commitItemCount(updates, record.integrations, claimsServer) <= MAX_TRANSACTION_ITEMS && new Set(updates.map((update) => update.group)).size === updates.length;
}

/** The device changes that bring the installation's stored devices to the plan. Unchanged devices are not written. */
function deviceChanges(state: ActivationState, plan: ActivationPlan): DeviceChange[] {
  const { held, placed } = state;
  const changes: DeviceChange[] = [];
  for (const device of plan.devices) {
    const holding = held.get(device.mac);
    if (device.status === 'disabled') {
      const { group } = placed.get(device.mac)!;
      const entry = state.groups.get(group)!.devices[device.mac];
      if (disabledBy(entry, state.installationId) && entry!.licenses === device.licenses) continue;
      changes.push({ kind: 'disable', ...placed.get(device.mac)!, licenses: device.licenses });
    } else if (device.status === 'activated') {
      if (holding && holding.licenses === device.licenses) continue;
      changes.push({ kind: 'activate', ...placed.get(device.mac)!, licenses: device.licenses });
    } else if (holding) {
      changes.push({ kind: 'release', mac: device.mac, group: holding.group, deletes: false });
    }
  }
  for (const mac of plan.released) changes.push({ kind: 'release', mac, group: held.get(mac)!.group, deletes: true });
  return changes;
}

/**
 * §12: the `usage.threshold_reached` events of this activation, recorded in the transaction that
 * records `activation.completed` and after it (80 before 100). Usage before is the license's as
 * this pass read it; the allocation this pass committed moved it by the plan's delta.
 */
function usageThresholdEvents(state: ActivationState, plan: ActivationPlan, by: { actor: string; sourceIp: string }, at: string): AuditEvent[] {
  const usedBefore = state.license.usedDeviceLicenses;
  const delta = plan.allocatedDeviceLicenses - (state.installation?.allocatedDeviceLicenses ?? 0);
  return thresholdsCrossed(usedBefore, usedBefore + delta, state.license.entitledDeviceLicenses).map((details) => ({
    at,
    type: 'usage.threshold_reached',
    actor: by.actor,
    sourceIp: by.sourceIp,
    details: { ...details },
  }));
}

/** Step 4: write the changed devices under the lease, renewing it; `devices_changed` when another installation got in the way. */
function writeDevices(session: ActivationSession, state: ActivationState, plan: ActivationPlan): Promise<'written' | 'devices_changed'> {
  return session.renewingLease(state.installationId, () =>
    writeDeviceChanges(state.slc, state.installationId, state.groups, deviceChanges(state, plan), state.now.toISOString(), (written) => {
      for (const change of written) if (change.kind === 'release' && change.deletes) session.released.add(change.mac);
    }),
  );
}

/** The devices whose deletion the updates count. */
const releasesOf = (updates: readonly DeviceGroupUpdate[]) =>
  updates.flatMap((update) => update.devices.flatMap(({ change }) => (change.kind === 'release' && change.deletes ? [change.mac] : [])));

/** What the completed activation records: on the installation, as its `activation.completed` event, and as integration reports. */
function activationRecord(
  session: ActivationSession,
  request: ActivationRequest,
  state: ActivationState,
  plan: ActivationPlan,
  /** Device updates that go in the same transaction as the record; their releases count as this request's. */
  sameTransaction: readonly DeviceGroupUpdate[] = [],
): ActivationRecord {
  const { command, integrations } = request;
  const { configuration } = command;
  const at = state.now.toISOString();
  const { status } = plan;
  const previous = new Map((state.installation?.integrations ?? []).map((integration) => [integrationKey(integration), integration]));
  const current = new Set(integrations.map(integrationKey));
  return {
    slc: state.slc,
    installationId: state.installationId,
    fields: {
      managementServer: configuration.managementServer,
      recordingServers: configuration.recordingServers,
      videoPush: plan.videoPush,
      addOnsInUse: configuration.addOnsInUse,
      activationStatus: status,
      disabledDevices: plan.disabled.length,
      integrations,
      deviceGroups: activatedGroups(state, plan),
      customerId: state.license.customerId,
      licenseVersion: state.license.version,
      ...(command.deployment ? { deployment: command.deployment } : {}),
      lastActivation: { at, sourceIp: command.sourceIp, eulaVersion: configuration.eulaVersion },
    },
    event: {
      at,
      type: 'activation.completed',
      actor: command.actor,
      sourceIp: command.sourceIp,
      details: {
        installationId: state.installationId,
        status,
        eulaVersion: configuration.eulaVersion,
        devicesActivated: plan.activatedDevices,
        devicesNotActivated: plan.devices.length - plan.activatedDevices - plan.disabled.length,
        devicesDisabled: plan.disabled.length,
        devicesReleased: new Set([...session.released, ...releasesOf(sameTransaction)]).size,
        deviceLicenses: plan.allocatedDeviceLicenses,
        videoPushUsers: plan.videoPush,
        integrations,
        deployment: (command.deployment ?? state.installation?.deployment ?? { type: 'on-premises' }).type,
        ...(command.offline ? { offline: true } : {}),
      },
    },
    followingEvents: usageThresholdEvents(state, plan, command, at),
    integrations: {
      added: integrations.filter((integration) => !previous.has(integrationKey(integration))),
      removed: [...previous].filter(([key]) => !current.has(key)).map(([, integration]) => integration),
    },
  };
}

/** Step 5: record the activation on the installation and give up the lease. */
async function finalize(session: ActivationSession, request: ActivationRequest, state: ActivationState, plan: ActivationPlan): Promise<void> {
  const outcome = await finalizeActivation(session.leaseOwner, activationRecord(session, request, state, plan));
  // Its lease lapsed and another request settled what it held: the client sends the activation again.
  if (outcome !== 'committed') throw serviceUnavailable('The activation was interrupted before it was recorded; send it again.');
  session.finalized();
}

/** Step 6: the answer, with the license document signed for the state the activation left. */
async function respond(session: ActivationSession, request: ActivationRequest, state: ActivationState, plan: Plan): Promise<ActivationResult> {
  const { installationId, placed } = state;
  const { configuration } = request.command;
  const { status } = plan;
  // Until the answer is built the activation can still fail (the signer); a first activation is
  // then taken back by the session, so that no installation exists whose secret nobody got.
  // Usage is the license as this pass read it with the pass's own change applied.
  const { license } = state;
  const { pools } = licenseCommit(state, plan);
  const used = license.usedDeviceLicenses + pools[0]!.delta;
  const document = await licenseDocumentFor(license, {
    installationId,
    status,
    addOns: plan.addOns.evaluations,
    eulaVersion: configuration.eulaVersion,
    videoPush: plan.videoPush,
    devices: plan.devices
      .filter((device) => device.status === 'activated')
      .map((device) => ({ mac: device.mac, deviceKey: placed.get(device.mac)!.deviceKey, licenses: device.licenses })),
  });
  // The secret of the credentials generation as stored: a repeated first activation answers the same secret (§5.1 rev 2).
  const generation = state.installation?.credentialVersion ?? 1;
  const installationSecret = session.created ? deriveInstallationSecret(await secrets().installationKey(), installationId, generation) : undefined;
  session.answer();
  return {
    created: session.created,
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
      // Every pass of this request that released a device counted its deletion; the answer lists them all.
      released: [...session.released].sort(),
      usage: {
        deviceLicenses: { entitled: license.entitledDeviceLicenses, used, available: Math.max(0, license.entitledDeviceLicenses - used) },
        devices: license.activatedDevices + pools[1]!.delta,
      },
      videoPush: plan.videoPush,
      addOns: document.addOns,
      carePlus: document.carePlus,
      eulaVersion: configuration.eulaVersion,
      license: document.license,
    },
  };
}

/**
 * §5.5: the request is the installation's whole configuration. A pass loads the state, plans,
 * commits the license counters and the installation's allocation in one conditional transaction,
 * writes the changed devices, then records the activation and releases the installation's lease.
 * Contention re-runs the pass; an interrupted pass is repaired by the next one, because the plan is
 * recomputed from the stored devices and the committed allocation.
 */
export async function activate(command: ActivationCommand): Promise<ActivationResult> {
  const request = prepareRequest(command);
  const session = new ActivationSession(command);
  try {
    const { state, plan } = await retryWithBackoff(CONTENTION, async (attempt) => {
      const state = await loadState(session, request, attempt);
      if (state === RETRY || state === RETRY_NOW) return state;
      const plan = planFor(state, request);
      const { outcome, complete } = await commitPlan(session, request, state, plan);
      if (outcome !== 'committed') return RETRY;
      if (!complete) {
        if ((await writeDevices(session, state, plan)) === 'devices_changed') return RETRY;
        await finalize(session, request, state, plan);
      }
      return { state, plan };
    });
    return await respond(session, request, state, plan);
  } finally {
    await session.cleanUp();
  }
}
