import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { store } from './client';
import { getCustomer } from './customers';
import { readDeviceGroupsWith, updateItemOf, type DeviceGroup, type DeviceGroupUpdate } from './devices';
import { auditEventItem, type AuditEvent } from './events';
import { activationCatalogKeys, activationCatalogOf, type ActivationCatalog } from './catalog';
import { installationItem, LEASE_TAKEABLE } from './installations';
import { encodeDeviceGroups, type StoredDeviceGroups } from './device-group-sets';
import { byCustomer, keys } from './keys';
import type { CustomerRecord, InstallationRecord, LicenseRecord } from './records';
import type { DeviceGroupWidth } from '../domain/device-key';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** What became of an activation's transaction; anything else (a lost answer, a timeout) is thrown: its outcome is unknown. */
export type CommitOutcome =
  | 'committed'
  /** The license's counters or terms moved past what the plan allows: plan again. */
  | 'license_changed'
  /** The installation changed since it was read (another activation, a release): read it again. */
  | 'installation_changed'
  /** A device of the plan changed elsewhere, or its group filled up: plan again. */
  | 'devices_changed'
  /** Another installation claimed the management server first (§5.1 rev 2): read its claim and converge on it. */
  | 'server_claimed'
  /** Another transaction was in the way: try again. */
  | 'contention';

/**
 * One pool of the license that activations take from and give back to, held as a counter on the
 * license item: device licenses, activated devices under the edition's cap, and any further pooled
 * quantity (add-on quantities per SLC go here the same way). The commit moves the counter by
 * `delta` only while it stays within `capacity`.
 */
export interface PooledCounter {
  /** The license attribute counting what the SLC's installations hold. */
  used: string;
  /** What this installation takes (positive) or gives back (negative). */
  delta: number;
  /** The pool's size the plan was made against; null for a pool without a bound (only counted). */
  capacity: number | null;
  /**
   * The license attribute holding the capacity, when it can change (an entitlement): a concurrent
   * change of it makes the commit fail, so that the plan is made again. Omitted for a fixed cap.
   */
  capacityAttribute?: string;
}

export interface LicenseCommit {
  slc: string;
  pools: PooledCounter[];
  /** Single-installation editions: a new installation needs the SLC to have none. */
  singleInstallation: boolean;
  /**
   * The license's `updatedAt` as the plan read it, required unchanged: pools whose capacity is
   * nested in the terms (add-on entitlements) are planned against terms no PATCH has changed since.
   */
  termsAsOf?: string;
  /** The edition the plan was made for: an edition change in between makes the commit fail (plan again). */
  product?: string;
  /** The designated failover pair (§5.4): taken by this installation, or given back by it. */
  failover?: { installationId: string; action: 'take' | 'release' };
  /**
   * The width of the device groups the plan placed devices in, as read: the commit fails while the
   * license's groups are being split, or once they have been (plan again on the new groups).
   */
  deviceGroupWidth: DeviceGroupWidth | undefined;
}

/** The installation's side of the commit: what it holds afterwards, on the revision it was read at. */
export type InstallationCommit =
  | { kind: 'new'; record: InstallationRecord }
  | {
      kind: 'existing';
      installationId: string;
      expectedRevision: number;
      /** The installation's own counters, one per pool (e.g. allocatedDeviceLicenses), as they are after the commit. */
      holdings: Record<string, number>;
      deviceGroups: string[];
      /** The lease the commit takes (device writes follow), or null when this transaction completes the activation. */
      lease: { owner: string; until: number } | null;
      /** The lease owner of this request: a lease it holds already does not stand in its way. */
      leaseOwner: string;
      now: number;
      /**
       * A repeated first activation completing the installation (§5.1 rev 2): only while it has made
       * no signed request, else the commit is `installation_changed`.
       */
      unsigned?: boolean;
    };

export interface Integration {
  manufacturer: string;
  name: string;
  version: string;
}

/** What a completed activation records: the installation's fields, its audit event and its integration reports. */
export interface ActivationRecord {
  slc: string;
  installationId: string;
  fields: Partial<InstallationRecord>;
  event: AuditEvent;
  /** Events the activation caused (its usage thresholds, §12), recorded after its own event, in this order. */
  followingEvents?: AuditEvent[];
  integrations: { added: Integration[]; removed: Integration[] };
}

export interface ActivationCommit {
  license: LicenseCommit;
  installation: InstallationCommit;
  /** Device writes that go in the same transaction (the whole activation fits in one). */
  devices?: readonly DeviceGroupUpdate[];
  /** The activation's record, when this transaction completes it. */
  record?: ActivationRecord;
}

/** TransactWriteItems takes at most 100 actions. */
export const MAX_TRANSACTION_ITEMS = 100;

/** The key of an installation's report of one integration (the statistics count them). */
export const integrationKey = (integration: Integration) =>
  [integration.manufacturer, integration.name, integration.version].map(encodeURIComponent).join('|');

function licenseUpdate(tableName: string, commit: LicenseCommit, isNew: boolean): TransactItem {
  const grows = isNew || commit.pools.some((pool) => pool.delta > 0);
  // Only growth needs an active license: an allocation that shrinks back to what is stored is
  // committed on a license revoked meanwhile too.
  const conditions = grows ? ['#status = :active'] : [];
  const names: Record<string, string> = grows ? { '#status': 'status' } : {};
  const values: Record<string, unknown> = grows ? { ':active': 'active' } : {};
  const assignments: string[] = [];
  commit.pools.forEach((pool, i) => {
    names[`#u${i}`] = pool.used;
    values[`:d${i}`] = pool.delta;
    // A pool counter the license item does not have yet (an add-on pool never used) counts from 0.
    values[':zero'] = 0;
    assignments.push(`#u${i} = if_not_exists(#u${i}, :zero) + :d${i}`);
    if (pool.capacity === null) return;
    values[`:max${i}`] = pool.capacity - pool.delta; // conditions cannot add: used + delta <= capacity
    conditions.push(pool.delta > pool.capacity ? `#u${i} < :zero` : `(attribute_not_exists(#u${i}) OR #u${i} <= :max${i})`);
    if (pool.capacityAttribute) {
      names[`#c${i}`] = pool.capacityAttribute;
      values[`:c${i}`] = pool.capacity;
      conditions.push(`#c${i} = :c${i}`);
    }
  });
  if (commit.product !== undefined) {
    names['#product'] = 'product';
    values[':product'] = commit.product;
    conditions.push('#product = :product');
  }
  names['#widening'] = 'deviceGroupsWidening';
  names['#width'] = 'deviceGroupWidth';
  conditions.push('attribute_not_exists(#widening)');
  if (commit.deviceGroupWidth === undefined) {
    conditions.push('attribute_not_exists(#width)');
  } else {
    values[':width'] = commit.deviceGroupWidth;
    conditions.push('#width = :width');
  }
  if (commit.termsAsOf !== undefined) {
    values[':terms'] = commit.termsAsOf;
    conditions.push('updatedAt = :terms');
  }
  if (commit.failover) {
    values[':holder'] = commit.failover.installationId;
    values[':noHolder'] = null;
    if (commit.failover.action === 'take') {
      conditions.push('(attribute_not_exists(failoverInstallationId) OR failoverInstallationId = :noHolder OR failoverInstallationId = :holder)');
      assignments.push('failoverInstallationId = :holder');
    } else {
      conditions.push('failoverInstallationId = :holder');
      assignments.push('failoverInstallationId = :noHolder');
    }
  }
  values[':installations'] = isNew ? 1 : 0;
  assignments.push('installationCount = installationCount + :installations');
  if (isNew && commit.singleInstallation) {
    conditions.push('installationCount < :one');
    values[':one'] = 1;
  }
  return {
    Update: {
      TableName: tableName,
      Key: keys.license(commit.slc),
      UpdateExpression: `SET ${assignments.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

function installationWrite(tableName: string, slc: string, installation: InstallationCommit, record: ActivationRecord | undefined): TransactItem {
  if (installation.kind === 'new') {
    return {
      Put: {
        TableName: tableName,
        Item: installationItem(record ? { ...installation.record, ...record.fields, lease: null } : installation.record, { unfinished: !record }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }
  const names: Record<string, string> = { '#status': 'status', '#owner': 'owner', '#until': 'until' };
  const values: Record<string, unknown> = {
    ':one': 1,
    ':lease': installation.lease,
    ':active': 'active',
    ':revision': installation.expectedRevision,
    ':null': null,
    ':owner': installation.leaseOwner,
    ':now': installation.now,
  };
  const assignments = ['revision = revision + :one', 'lease = :lease'];
  const unsigned = installation.unsigned ? ' AND firstSignedRequestAt = :null' : '';
  const set = (prefix: string, fields: Record<string, unknown>) =>
    Object.entries(fields).forEach(([field, value], i) => {
      names[`#${prefix}${i}`] = field;
      values[`:${prefix}${i}`] = value;
      assignments.push(`#${prefix}${i} = :${prefix}${i}`);
    });
  // The record's fields (the groups of the activated devices among them) win over the groups named for the device writes.
  set('f', storedFields({ deviceGroups: installation.deviceGroups, ...installation.holdings, ...record?.fields }));
  // Until its record is written the installation is on the SLC's unfinished list: should the
  // request stop before that, the next request that meets it settles what it holds.
  if (installation.lease) set('u', { gsi2pk: byCustomer.unfinishedInstallations(slc), gsi2sk: installation.installationId });
  return {
    Update: {
      TableName: tableName,
      Key: keys.installation(installation.installationId),
      UpdateExpression: `SET ${assignments.join(', ')}${record ? ' REMOVE gsi2pk, gsi2sk' : ''}`,
      ConditionExpression:
        `#status = :active AND revision = :revision AND ${LEASE_TAKEABLE}${unsigned}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * The claim a new installation makes on its management server (§5.1 rev 2): only one installation
 * per SLC and management server id is created, however many first activations of it run at once.
 */
function managementServerClaimPut(tableName: string, installation: InstallationCommit): TransactItem[] {
  if (installation.kind !== 'new' || !installation.record.managementServerClaim) return [];
  const { slc, installationId, managementServerClaim, createdAt } = installation.record;
  return [
    {
      Put: {
        TableName: tableName,
        Item: { ...keys.managementServerClaim(slc, managementServerClaim), type: 'management_server_claim', slc, managementServerId: managementServerClaim, installationId, claimedAt: createdAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

/** The audit event and the integration reports of a completed activation. */
function recordItems(tableName: string, record: ActivationRecord): TransactItem[] {
  return [
    { Put: { TableName: tableName, Item: auditEventItem(record.slc, record.event) } },
    ...(record.followingEvents ?? []).map((event, index) => ({ Put: { TableName: tableName, Item: auditEventItem(record.slc, event, index + 1) } })),
    ...record.integrations.added.map((integration) => ({
      Put: {
        TableName: tableName,
        Item: { ...keys.integrationReport(integrationKey(integration), record.installationId), type: 'integration_report', ...integration, installationId: record.installationId },
      },
    })),
    ...record.integrations.removed.map((integration) => ({
      Delete: { TableName: tableName, Key: keys.integrationReport(integrationKey(integration), record.installationId) },
    })),
  ];
}

/** How many actions the transaction of a commit takes. */
export function commitItemCount(devices: readonly DeviceGroupUpdate[], integrations: ActivationRecord['integrations'], claimsServer: boolean): number {
  // The license (at most), the installation, the devices, the event, the integration reports and a new installation's claim.
  return 2 + devices.length + 1 + integrations.added.length + integrations.removed.length + (claimsServer ? 1 : 0);
}

/**
 * The check-and-increment of §5.5 in one transaction: the license's pooled counters move by the
 * plan's deltas only while each stays within its pool, and the installation's own holdings move
 * with them, so the license's usage is always the sum of its installations' holdings. When the
 * activation is larger than one transaction, the installation takes its activation lease here and
 * names the device groups its devices are about to be written to; otherwise the devices and the
 * activation's record go in the same transaction.
 */
export async function commitActivation(commit: ActivationCommit): Promise<CommitOutcome> {
  const { client, tableName } = store();
  const devices = commit.devices ?? [];
  const license = movesLicense(commit) ? [licenseUpdate(tableName, commit.license, commit.installation.kind === 'new')] : [];
  const items: TransactItem[] = [
    ...license,
    installationWrite(tableName, commit.license.slc, commit.installation, commit.record),
    ...devices.map((update) => ({ Update: { TableName: tableName, ...updateItemOf(commit.license.slc, update) } })),
    ...(commit.record ? recordItems(tableName, commit.record) : []),
    ...managementServerClaimPut(tableName, commit.installation),
  ];
  const installationIndex = license.length;
  const claimIndex = commit.installation.kind === 'new' && commit.installation.record.managementServerClaim ? items.length - 1 : -1;
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items }));
    return 'committed';
  } catch (error) {
    return cancellationOutcome(error, (index) => {
      if (index < installationIndex) return 'license_changed';
      if (index === installationIndex) return 'installation_changed';
      if (index <= installationIndex + devices.length) return 'devices_changed';
      return index === claimIndex ? 'server_claimed' : undefined;
    });
  }
}

/** Installation fields as stored: its device groups in the smaller of their two forms. */
function storedFields<T extends { deviceGroups?: readonly string[] }>(fields: T): Omit<T, 'deviceGroups'> & { deviceGroups?: StoredDeviceGroups } {
  return fields.deviceGroups === undefined ? fields : { ...fields, deviceGroups: encodeDeviceGroups(fields.deviceGroups) };
}

/**
 * Whether the commit writes the license. A re-activation that changes nothing (no counter moves, no
 * device is written now or under a lease, no failover pair changes hands) records itself on the
 * installation alone: the license's usage is the sum of holdings that do not change, and
 * re-activations of an SLC's installations then do not contend for its license item.
 */
function movesLicense(commit: ActivationCommit): boolean {
  const { installation, license } = commit;
  if (installation.kind === 'new' || installation.lease !== null || (commit.devices?.length ?? 0) > 0) return true;
  return license.failover !== undefined || license.pools.some((pool) => pool.delta !== 0);
}

/**
 * Records a completed activation on the installation and gives up its lease, with the audit event
 * and the integration reports, in one transaction. `installation_changed`: the lease is no longer
 * this request's.
 */
export async function finalizeActivation(leaseOwner: string, record: ActivationRecord): Promise<CommitOutcome> {
  const { client, tableName } = store();
  const names: Record<string, string> = { '#owner': 'owner' };
  const values: Record<string, unknown> = { ':owner': leaseOwner, ':null': null };
  const assignments = ['lease = :null'];
  Object.entries(storedFields(record.fields)).forEach(([field, value], i) => {
    names[`#f${i}`] = field;
    values[`:f${i}`] = value;
    assignments.push(`#f${i} = :f${i}`);
  });
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: keys.installation(record.installationId),
              UpdateExpression: `SET ${assignments.join(', ')} REMOVE gsi2pk, gsi2sk`,
              ConditionExpression: 'lease.#owner = :owner',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
          ...recordItems(tableName, record),
        ],
      }),
    );
    return 'committed';
  } catch (error) {
    return cancellationOutcome(error, (index) => (index === 0 ? 'installation_changed' : undefined));
  }
}

/**
 * The named outcome of a cancelled transaction: the first item whose condition failed, as `failed`
 * names it, or `contention` when another transaction was in the way. Any other error is rethrown:
 * the transaction's outcome is unknown.
 */
function cancellationOutcome(error: unknown, failed: (index: number) => CommitOutcome | undefined): CommitOutcome {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
  const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
  for (const [index, reason] of reasons.entries()) {
    if (reason.Code === 'ConditionalCheckFailed') {
      const outcome = failed(index);
      if (outcome) return outcome;
    }
  }
  if (reasons.some((reason) => reason.Code === 'ValidationError' && /size/i.test(reason.Message ?? ''))) return 'devices_changed';
  return 'contention';
}

/** A management server's claim on an SLC: the installation its first activation created. */
export interface ManagementServerClaim {
  slc: string;
  managementServerId: string;
  installationId: string;
}

export interface LicenseState {
  license: LicenseRecord | undefined;
  /** The claim asked for (`claim`), when it exists. */
  claim?: ManagementServerClaim | undefined;
  /** The customer owning the license (undefined when the license is missing, or the customer is). */
  customer: CustomerRecord | undefined;
  groups: Map<string, DeviceGroup>;
  /** The catalogs of the version asked for (`catalog`), when asked. */
  catalog?: ActivationCatalog & { licenseVersion: string };
}

/**
 * What an activation or a check-in reads, in one round trip (BatchGetItem, strongly consistent):
 * the license when asked for, the customer of `customerId` when given, device groups of the SLC,
 * and the catalogs of a license version known beforehand (the one an installation recorded).
 */
export async function readActivationInputs(
  slc: string,
  wanted: {
    license: boolean;
    customerId: string | undefined;
    groups: Iterable<string>;
    managementServerId?: string;
    catalog?: { licenseVersion: string; eulaVersion: string };
  },
): Promise<LicenseState> {
  const others: Record<string, { pk: string; sk: string }> = {};
  if (wanted.license) others.license = keys.license(slc);
  if (wanted.customerId) others.customer = keys.customer(wanted.customerId);
  if (wanted.managementServerId) others.claim = keys.managementServerClaim(slc, wanted.managementServerId);
  const catalogKeys = wanted.catalog ? activationCatalogKeys(wanted.catalog.licenseVersion, wanted.catalog.eulaVersion) : [];
  catalogKeys.forEach((key, i) => (others[`catalog${i}`] = key));
  const read = await readDeviceGroupsWith(slc, wanted.groups, others);
  const catalogItems = catalogKeys.flatMap((_key, i) => {
    const item = read.items[`catalog${i}`];
    return item ? [item] : [];
  });
  return {
    license: read.items.license as LicenseRecord | undefined,
    customer: read.items.customer as CustomerRecord | undefined,
    claim: read.items.claim as ManagementServerClaim | undefined,
    groups: read.groups,
    ...(wanted.catalog
      ? { catalog: { licenseVersion: wanted.catalog.licenseVersion, ...activationCatalogOf(wanted.catalog.licenseVersion, wanted.catalog.eulaVersion, catalogItems) } }
      : {}),
  };
}

/**
 * The license, its owning customer and device groups of its SLC in one round trip when the
 * customer is known beforehand (`customerHint`, the owner an installation recorded at its last
 * activation). A hint the license contradicts (a transfer since), or none, costs a second read.
 */
export async function readLicenseState(slc: string, groups: Iterable<string>, customerHint: string | undefined): Promise<LicenseState> {
  const state = await readActivationInputs(slc, { license: true, customerId: customerHint, groups });
  if (state.license && state.license.customerId !== customerHint) state.customer = await getCustomer(state.license.customerId);
  return state;
}
