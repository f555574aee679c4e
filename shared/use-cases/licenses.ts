import type { AddOns } from '../domain/add-ons';
import { retryWithBackoff, RETRY, type BackoffPolicy } from '../retry';
import { clock } from '../adapters/clock';
import { logger } from '../adapters/observability';
import { addOnsBelowUsage } from '../domain/add-on-pools';
import { editionRules } from '../domain/editions';
import { checkEntitlements, type EntitlementRefusal } from '../domain/license-entitlements';
import type { Channel, Product, RevocationReason } from '../domain/products';
import { generateSlc, isSlc } from '../domain/slc';
import { editionChangeProblems, versionChangeRefusal } from '../domain/upgrades';
import { licenseListPlan, type LicenseFilters } from '../domain/scope';
import { ApiError, conflict, forbidden, notFound, unprocessable } from '../errors';
import type { Caller } from '../http/types';
import { getCatalogVersion } from '../store/catalog';
import { getCustomer } from '../store/customers';
import { listEvents, type AuditEvent, type AuditEventType, type RecordedEvent } from '../store/events';
import { listLicenseDevices } from '../store/devices';
import {
  addOnPoolUsage,
  createLicenseRecord,
  getIssueRequest,
  getLicense,
  listLicenses,
  listPartnerLicenses,
  putNewLicense,
  writeCarePlus,
  writeEntitlements,
  writeRevocation,
  writeTransfer,
  type IssueRequest,
  type TransferOutcome,
} from '../store/licenses';
import type { Page } from '../store/pagination';
import { listInstallationsPage } from '../store/installation-lists';
import { listLicenseInstallations } from '../store/installations';
import type { DeviceRecord, InstallationRecord, LicenseRecord } from '../store/records';
import { callerMaySee, scopeOf } from './visibility';
import { reclaimUnfinishedInstallations } from './installations';

/** Who makes a change and from where; recorded on its audit event. */
export interface ChangeContext {
  actor: string;
  sourceIp: string;
}

/** Concurrent writers of one license are retried this often before the request fails. */
const contended = (what: string): BackoffPolicy => ({ attempts: 12, baseMs: 10, capMs: 500, exhausted: () => new Error(what) });

const event = (type: AuditEventType, context: ChangeContext, at: string, details: Record<string, unknown>): AuditEvent => ({
  at,
  type,
  actor: context.actor,
  sourceIp: context.sourceIp,
  details,
});

function refusalError(refusal: EntitlementRefusal): ApiError {
  return refusal.code === 'edition_limit'
    ? unprocessable('edition_limit', `Essential+ licenses carry at most ${refusal.maxDeviceLicenses} device licenses.`)
    : new ApiError(422, 'add_on_not_available', 'The edition cannot have these add-ons.', refusal.addOns.map((name) => ({
        path: `addOns.${name}`,
        message: 'not available for this edition',
      })));
}

const licenseNotFound = () => notFound('license_not_found', 'No license has this SLC.');
const licenseRevoked = () => conflict('license_revoked', 'The license is revoked; revocation is final.');

export interface IssueLicenseInput {
  customerId: string;
  product: Product;
  version: string;
  deviceLicenses: number;
  addOns?: AddOns;
  carePlusValidUntil?: string | null;
  channel: Channel;
  /** `ami-included` licenses: the AWS account and instance the license belongs to. */
  aws?: { accountId: string; instanceId: string; region: string };
}

/**
 * Issues an SLC (API.md §4): the customer must exist and be verified, the version must be in the
 * catalog, and the entitlements must fit the edition (device licenses of Essential+, add-ons by
 * edition). Version conditions of add-ons are not checked here; activation reports them (§5.4).
 * The license and its `license.created` event are written in one transaction.
 */
export async function issueLicense(input: IssueLicenseInput, context: ChangeContext, request?: IssueRequest): Promise<LicenseRecord> {
  const issued = request ? await licenseIssuedFor(request) : undefined;
  if (issued) return issued;
  const customer = await getCustomer(input.customerId);
  if (!customer) throw unprocessable('customer_not_found', 'No customer has this customerId.');
  if (customer.verification !== 'verified') throw unprocessable('customer_not_verified', 'The customer is not verified.');
  const catalogVersion = await getCatalogVersion(input.version);
  if (!catalogVersion) throw unprocessable('unknown_product_version', 'This product version is not in the catalog.');
  const addOns = input.addOns ?? {};
  const refusal = checkEntitlements(input.product, { deviceLicenses: input.deviceLicenses, addOns });
  if (refusal) throw refusalError(refusal);

  return retryWithBackoff(contended('could not write a new license'), async () => {
    const at = clock.now().toISOString();
    const license = createLicenseRecord({
      slc: generateSlc(input.product, input.version),
      customerId: customer.customerId,
      partnerId: customer.partnerId,
      product: input.product,
      version: input.version,
      channel: input.channel,
      entitledDeviceLicenses: input.deviceLicenses,
      addOns,
      carePlusValidUntil: input.carePlusValidUntil ?? null,
      activationAvailableUntil: catalogVersion.activationAvailableUntil,
      ...(input.aws ? { aws: input.aws } : {}),
      createdAt: at,
    });
    const outcome = await putNewLicense(
      license,
      event('license.created', context, at, {
        customerId: license.customerId,
        partnerId: license.partnerId,
        product: license.product,
        version: license.version,
        channel: license.channel,
        deviceLicenses: license.entitledDeviceLicenses,
        addOns: license.addOns,
        carePlusValidUntil: license.carePlusValidUntil,
        ...(license.aws ? { aws: license.aws } : {}),
      }),
      { requireVerifiedCustomer: true, request },
    );
    if (outcome === 'request_issued') {
      // A concurrent run of the same request committed first: its license is the answer.
      const winner = await licenseIssuedFor(request!);
      if (winner) return winner;
    }
    if (outcome === 'created') {
      logger.info('license issued', { product: license.product, version: license.version, channel: license.channel });
      return license;
    }
    if (outcome === 'customer_not_verified') throw unprocessable('customer_not_verified', 'The customer is not verified.');
    // 'slc_exists' (an 80-bit collision) or a transaction conflict: draw a new SLC and try again.
    return RETRY;
  });
}

/**
 * The license an earlier run of the same request issued (its answer was lost, or it is running
 * concurrently): a retry returns it instead of issuing a second one. The same request id with a
 * different request is 422 idempotency_key_reused.
 */
async function licenseIssuedFor(request: IssueRequest): Promise<LicenseRecord | undefined> {
  const issued = await getIssueRequest(request.id);
  if (!issued) return undefined;
  if (issued.fingerprint !== request.fingerprint) {
    throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
  }
  const license = await getLicense(issued.slc);
  if (!license) throw new Error('an issue request refers to a license that does not exist');
  return license;
}

/** A license the caller may see; 404 license_not_found otherwise (also for malformed SLCs). */
export async function findLicenseFor(caller: Caller, slc: string): Promise<LicenseRecord> {
  const license = isSlc(slc) ? await getLicense(slc) : undefined;
  if (!license || !callerMaySee(caller, license)) throw licenseNotFound();
  return license;
}

/**
 * §4 GET license: the license as the caller may see it, once the SLC's unfinished installations
 * whose lease has run out are finished, so that its usage never shows more than the devices held
 * and what activations in flight hold.
 */
export async function viewLicenseFor(caller: Caller, slc: string, by: ChangeContext): Promise<LicenseRecord> {
  const license = await findLicenseFor(caller, slc);
  const reclaimed = await reclaimUnfinishedInstallations(slc, { ...by, actor: 'service', now: clock.now() });
  return reclaimed ? ((await getLicense(slc)) ?? license) : license;
}

/**
 * Runs one change of an active license: read, check, conditional write with its event; re-read and
 * check again when the write's condition failed or another transaction interfered.
 */
async function changeActiveLicense(
  slc: string,
  write: (current: LicenseRecord, at: string) => Promise<TransferOutcome | 'unchanged'>,
): Promise<LicenseRecord> {
  if (!isSlc(slc)) throw licenseNotFound();
  return retryWithBackoff(contended('the license stayed contended'), async () => {
    const current = await getLicense(slc);
    if (!current) throw licenseNotFound();
    if (current.status !== 'active') throw licenseRevoked();
    const outcome = await write(current, clock.now().toISOString());
    if (outcome === 'unchanged') return current;
    if (outcome === 'written') return (await getLicense(slc)) ?? current;
    if (outcome === 'target_not_verified') throw unprocessable('customer_not_verified', 'The target customer is not verified.');
    return RETRY;
  });
}

export interface LicenseChange {
  deviceLicenses?: number;
  addOns?: AddOns;
  version?: string;
  product?: Product;
}

/** The catalog window of a version an upgrade moves to; 422 unknown_product_version or version_downgrade. */
async function upgradedVersion(current: LicenseRecord, version: string | undefined): Promise<{ version: string; activationAvailableUntil: string } | undefined> {
  if (version === undefined || version === current.version) return undefined;
  const entry = await getCatalogVersion(version);
  const refusal = versionChangeRefusal(current.version, version, entry !== undefined);
  if (refusal === 'unknown_product_version') throw unprocessable(refusal, 'This product version is not in the catalog.');
  if (refusal === 'version_downgrade') throw unprocessable(refusal, `The license is at version ${current.version}; it cannot go back to ${version}.`);
  return { version, activationAvailableUntil: entry!.activationAvailableUntil };
}

/**
 * §4 edition change: the license's current use must fit the new edition (editionChangeProblems),
 * else 409 edition_limits_exceeded naming what does not fit. Returns the bounds the write checks
 * again, so that an activation landing in between cannot make the license exceed the edition.
 */
async function checkEditionChange(current: LicenseRecord, product: Product, entitlements: { deviceLicenses: number; addOns: AddOns }) {
  const installations = (await listLicenseInstallations(current.slc)).filter((installation) => installation.status === 'active');
  const problems = editionChangeProblems(product, {
    activeInstallations: installations,
    activatedDevices: current.activatedDevices,
    ...entitlements,
  });
  if (problems.length > 0) {
    throw new ApiError(409, 'edition_limits_exceeded', `The license's current use does not fit the ${product} edition.`, problems);
  }
  const rules = editionRules(product);
  return {
    ...(rules.singleInstallation ? { maxInstallations: 1 } : {}),
    ...(rules.maxActivatedDevices !== null ? { maxActivatedDevices: rules.maxActivatedDevices } : {}),
  };
}

/**
 * `PATCH /v1/licenses/{slc}`: device licenses and/or add-ons (`addOns` replaces the add-on
 * entitlements as a whole), and upgrades of version and product. An entitlement below the device
 * licenses in use is 409 entitlement_below_usage; the check is the condition of the write itself,
 * so an activation cannot slip in between. A version or product change is a `license.upgraded`
 * event beside the `license.updated` of an entitlement change.
 */
export async function changeLicense(slc: string, change: LicenseChange, context: ChangeContext): Promise<LicenseRecord> {
  return changeActiveLicense(slc, async (current, at) => {
    const entitlements = { deviceLicenses: change.deviceLicenses ?? current.entitledDeviceLicenses, addOns: change.addOns ?? current.addOns };
    const product = change.product ?? current.product;
    const upgrade = await upgradedVersion(current, change.version);
    const limits = product !== current.product ? await checkEditionChange(current, product, entitlements) : {};
    const refusal = checkEntitlements(product, entitlements);
    if (refusal) throw refusalError(refusal);
    if (change.deviceLicenses !== undefined && change.deviceLicenses < current.usedDeviceLicenses) {
      throw conflict('entitlement_below_usage', `${current.usedDeviceLicenses} device licenses are in use.`);
    }
    if (change.addOns !== undefined) {
      const below = addOnsBelowUsage(change.addOns, addOnPoolUsage(current), Boolean(current.failoverInstallationId));
      if (below.length > 0) {
        throw new ApiError(409, 'entitlement_below_usage', 'Installations hold more of these add-ons than the new entitlement.', below.map((key) => ({
          path: `addOns.${key}`,
          message: key === 'managementServerFailover' ? `held by installation ${current.failoverInstallationId}` : 'below what installations hold',
        })));
      }
    }
    const events: AuditEvent[] = [];
    const details: Record<string, unknown> = {};
    if (change.deviceLicenses !== undefined) details.deviceLicenses = { from: current.entitledDeviceLicenses, to: change.deviceLicenses };
    if (change.addOns !== undefined) details.addOns = { from: current.addOns, to: change.addOns };
    if (Object.keys(details).length > 0) events.push(event('license.updated', context, at, details));
    if (upgrade || product !== current.product) {
      events.push(
        event('license.upgraded', context, at, {
          from: { product: current.product, version: current.version },
          to: { product, version: upgrade?.version ?? current.version },
        }),
      );
    }
    if (events.length === 0) return 'unchanged';
    return writeEntitlements(
      current,
      {
        ...(change.deviceLicenses !== undefined ? { deviceLicenses: change.deviceLicenses } : {}),
        ...(change.addOns !== undefined ? { addOns: change.addOns } : {}),
        ...(product !== current.product ? { product } : {}),
        ...(upgrade ?? {}),
      },
      events,
      limits,
    );
  });
}

/** Sets (or, with null, ends) Care Plus. */
export async function setCarePlus(slc: string, validUntil: string | null, context: ChangeContext): Promise<LicenseRecord> {
  return changeActiveLicense(slc, (current, at) =>
    writeCarePlus(current, validUntil, event('care_plus.updated', context, at, { from: current.carePlusValidUntil, to: validUntil })),
  );
}

/** Revokes a license, immediately and for good; a revoked license answers 409 license_revoked. */
export async function revokeLicense(
  slc: string,
  input: { reason: RevocationReason; note?: string },
  context: ChangeContext,
): Promise<LicenseRecord> {
  return changeActiveLicense(slc, (current, at) => {
    const revocation = { reason: input.reason, note: input.note ?? null, at };
    return writeRevocation(current, revocation, event('license.revoked', context, at, { reason: revocation.reason, note: revocation.note }));
  });
}

/**
 * Transfers a license to another verified customer, who accepts the EULA; the license follows the
 * new customer's partner (or has none).
 */
export async function transferLicense(
  slc: string,
  input: { toCustomerId: string; eulaAccepted: boolean },
  context: ChangeContext,
): Promise<LicenseRecord> {
  if (!input.eulaAccepted) throw unprocessable('eula_not_accepted', 'The new customer must accept the EULA (eulaAccepted: true).');
  return changeActiveLicense(slc, async (current, at) => {
    const target = await getCustomer(input.toCustomerId);
    if (!target) throw unprocessable('customer_not_found', 'No customer has this toCustomerId.');
    if (target.verification !== 'verified') throw unprocessable('customer_not_verified', 'The target customer is not verified.');
    if (target.customerId === current.customerId) {
      throw conflict('transfer_to_same_customer', 'The license already belongs to this customer.');
    }
    return writeTransfer(
      current,
      target,
      event('license.transferred', context, at, {
        fromCustomerId: current.customerId,
        toCustomerId: target.customerId,
        fromPartnerId: current.partnerId,
        toPartnerId: target.partnerId,
      }),
    );
  });
}

/** Devices ever registered under a license the caller may see. */
export async function devicesOfLicense(caller: Caller, slc: string, limit: number, cursor?: string): Promise<Page<DeviceRecord>> {
  return listLicenseDevices(await findLicenseFor(caller, slc), limit, cursor);
}

/** The audit trail of a license the caller may see, newest first. */
export async function eventsOfLicense(caller: Caller, slc: string, limit: number, cursor?: string): Promise<Page<RecordedEvent>> {
  await findLicenseFor(caller, slc);
  return listEvents(slc, limit, cursor);
}

/** §4 `GET /v1/licenses`: the licenses in the caller's scope, newest first, narrowed by the filters. */
export async function licensesFor(caller: Caller, filters: LicenseFilters, limit: number, cursor?: string): Promise<Page<LicenseRecord>> {
  const scope = scopeOf(caller);
  if (!scope) throw forbidden('forbidden', 'These credentials are not for this route.');
  return listLicenses(licenseListPlan(scope, filters), limit, cursor);
}

/** §4 `GET /v1/licenses/{slc}/installations`: the installations of a license the caller may see. */
export async function installationsOfLicense(caller: Caller, slc: string, limit: number, cursor?: string): Promise<Page<InstallationRecord>> {
  const license = await findLicenseFor(caller, slc);
  return listInstallationsPage(license.slc, limit, cursor);
}

export const licensesOfPartner = (partnerId: string, limit: number, cursor?: string): Promise<Page<LicenseRecord>> =>
  listPartnerLicenses(partnerId, limit, cursor);
