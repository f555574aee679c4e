import type { AddOns } from '../domain/add-ons';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { randomToken } from '../crypto';
import { deviceGroupWidthFor } from '../domain/device-key';
import type { Channel, Product } from '../domain/products';
import { entitledAmount, POOL_KEYS, type PoolAmounts, type PoolKey } from '../domain/add-on-pools';
import type { LicenseListPlan } from '../domain/scope';
import { batchGet } from './batch';
import { store } from './client';
import { auditEventItem, type AuditEvent } from './events';
import { byCustomer, byKind, byOwner, carePlusKeys, createdOrder, keys } from './keys';
import { decodeCursor, type Page } from './pagination';
import { queryPage } from './query';
import type { CustomerRecord, LicenseRecord } from './records';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

export async function getLicense(slc: string): Promise<LicenseRecord | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.license(slc), ConsistentRead: true }));
  return Item as LicenseRecord | undefined;
}

export interface NewLicense {
  slc: string;
  customerId: string;
  partnerId: string | null;
  product: Product;
  version: string;
  channel: Channel;
  entitledDeviceLicenses: number;
  addOns: AddOns;
  carePlusValidUntil: string | null;
  activationAvailableUntil: string;
  aws?: { accountId: string; instanceId: string; region: string };
  createdAt: string;
}

/** A license as issued: active, nothing used yet, with its own device-key salt. */
export function createLicenseRecord(input: NewLicense): LicenseRecord {
  return {
    slc: input.slc,
    customerId: input.customerId,
    partnerId: input.partnerId,
    product: input.product,
    version: input.version,
    channel: input.channel,
    status: 'active',
    revocation: null,
    entitledDeviceLicenses: input.entitledDeviceLicenses,
    addOns: input.addOns,
    carePlusValidUntil: input.carePlusValidUntil,
    usedDeviceLicenses: 0,
    activatedDevices: 0,
    installationCount: 0,
    deviceKeySalt: randomToken(),
    deviceGroupWidth: deviceGroupWidthFor(input.entitledDeviceLicenses),
    ...(input.aws ? { aws: input.aws } : {}),
    activationAvailableUntil: input.activationAvailableUntil,
    createdAt: input.createdAt,
    updatedAt: input.createdAt,
  };
}

const partnerIndexKeys = (partnerId: string, createdAt: string, slc: string) => ({
  gsi1pk: byOwner.partnerLicenses(partnerId),
  gsi1sk: createdOrder(createdAt, slc),
});

/**
 * The stored license item. It carries no index keys: every activation moves its counters, and an
 * item in an index with all attributes projected is written to that index on every change (three
 * index writes per activation). Its listing entry carries them instead.
 */
export function licenseItem(license: LicenseRecord): Record<string, unknown> {
  return { ...keys.license(license.slc), type: 'license', ...license };
}

/** The index keys a license held before its listing entry existed; a transfer (or the migration) removes any left. */
export const LICENSE_INDEX_ATTRIBUTES = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'];

/**
 * A license's entry in the lists: gsi1 under its partner (when it has one), gsi2 under its customer,
 * gsi3 with all licenses. Written with the license and rewritten by a transfer, never by an activation.
 */
export function licenseListingItem(license: Pick<LicenseRecord, 'slc' | 'customerId' | 'partnerId' | 'createdAt'>): Record<string, unknown> {
  return {
    ...keys.licenseListing(license.slc),
    type: 'license_listing',
    slc: license.slc,
    customerId: license.customerId,
    partnerId: license.partnerId,
    createdAt: license.createdAt,
    ...(license.partnerId ? partnerIndexKeys(license.partnerId, license.createdAt, license.slc) : {}),
    gsi2pk: byCustomer.customerLicenses(license.customerId),
    gsi2sk: createdOrder(license.createdAt, license.slc),
    gsi3pk: byKind.licenses,
    gsi3sk: createdOrder(license.createdAt, license.slc),
  };
}

/** Which part of a conditional write was refused; `conflict` means another transaction interfered (retry). */
export type WriteOutcome = 'written' | 'condition_failed' | 'conflict';

async function transact(items: TransactItem[]): Promise<{ outcome: WriteOutcome; failedItems: number[] }> {
  const { client } = store();
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items }));
    return { outcome: 'written', failedItems: [] };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    const failedItems = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
    if (failedItems.length > 0) return { outcome: 'condition_failed', failedItems };
    if (reasons.some((reason) => reason.Code === 'TransactionConflict')) return { outcome: 'conflict', failedItems: [] };
    throw error;
  }
}

export type PutNewLicenseOutcome = 'created' | 'slc_exists' | 'customer_not_verified' | 'request_issued' | 'conflict';

/**
 * The request a license is issued for, when a retry of it must find the license instead of issuing
 * another: `id` names the request (caller and Idempotency-Key, or the included-license instance),
 * `fingerprint` what was asked (a retry with the same id must ask the same).
 */
export interface IssueRequest {
  id: string;
  fingerprint: string;
}

/** Issue requests are remembered as long as idempotency records (the contract promises 24 hours). */
const ISSUE_REQUEST_RETENTION_SECONDS = 48 * 3600;

/** The SLC an earlier run of the request issued, if one committed. */
export async function getIssueRequest(requestId: string): Promise<{ slc: string; fingerprint: string } | undefined> {
  const { client, tableName } = store();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: keys.licenseIssueRequest(requestId), ConsistentRead: true }));
  return Item ? { slc: String(Item.slc), fingerprint: String(Item.fingerprint) } : undefined;
}

/**
 * Writes a new license with its `license.created` event in one transaction. With
 * `requireVerifiedCustomer`, the transaction also checks that the owning customer is still verified;
 * with `request`, it records which request issued the license, once (a second license for the same
 * request is `request_issued`).
 */
export async function putNewLicense(
  license: LicenseRecord,
  event: AuditEvent,
  options: { requireVerifiedCustomer: boolean; request?: IssueRequest } = { requireVerifiedCustomer: true },
): Promise<PutNewLicenseOutcome> {
  const { tableName } = store();
  const items: TransactItem[] = [
    { Put: { TableName: tableName, Item: licenseItem(license), ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: tableName, Item: auditEventItem(license.slc, event) } },
    { Put: { TableName: tableName, Item: licenseListingItem(license) } },
    ...carePlusScheduleChange(license.slc, null, license.carePlusValidUntil),
  ];
  if (options.requireVerifiedCustomer) {
    items.push({
      ConditionCheck: {
        TableName: tableName,
        Key: keys.customer(license.customerId),
        ConditionExpression: 'verification = :verified',
        ExpressionAttributeValues: { ':verified': 'verified' },
      },
    });
  }
  const requestItem = options.request ? items.length : -1;
  if (options.request) {
    items.push({
      Put: {
        TableName: tableName,
        Item: {
          ...keys.licenseIssueRequest(options.request.id),
          type: 'license_issue_request',
          slc: license.slc,
          fingerprint: options.request.fingerprint,
          expiresAt: Math.floor(Date.parse(license.createdAt) / 1000) + ISSUE_REQUEST_RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  const { outcome, failedItems } = await transact(items);
  if (outcome === 'written') return 'created';
  if (outcome === 'conflict') return 'conflict';
  if (failedItems.includes(requestItem)) return 'request_issued';
  return failedItems.includes(0) ? 'slc_exists' : 'customer_not_verified';
}

/**
 * A conditional change of one license together with its audit event. Every change requires the
 * license to be active and unchanged since it was read (`updatedAt`), so the event's "from" values
 * are exact; callers re-read and retry on `condition_failed` or `conflict`.
 */
interface LicenseChange {
  slc: string;
  expectedUpdatedAt: string;
  set: Record<string, unknown>;
  remove?: string[];
  /** Extra condition on the license item (DynamoDB expression using the values in `values`). */
  condition?: string;
  values?: Record<string, unknown>;
  names?: Record<string, string>;
  /** Further items of the same transaction: checks on other items, writes that go with the change. */
  alongside?: TransactItem[];
  event: AuditEvent;
  /** Further events of the same change (e.g. `license.upgraded` beside `license.updated`). */
  moreEvents?: AuditEvent[];
}

async function changeLicense(change: LicenseChange): Promise<{ outcome: WriteOutcome; failedItems: number[] }> {
  const { tableName } = store();
  const names: Record<string, string> = { '#status': 'status', ...(change.names ?? {}) };
  const values: Record<string, unknown> = { ':active': 'active', ':expectedUpdatedAt': change.expectedUpdatedAt, ...(change.values ?? {}) };
  const assignments = Object.entries(change.set).map(([attribute, value], index) => {
    names[`#s${index}`] = attribute;
    values[`:s${index}`] = value;
    return `#s${index} = :s${index}`;
  });
  const removals = (change.remove ?? []).map((attribute, index) => {
    names[`#r${index}`] = attribute;
    return `#r${index}`;
  });
  const updateExpression = `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`;
  return transact([
    {
      Update: {
        TableName: tableName,
        Key: keys.license(change.slc),
        UpdateExpression: updateExpression,
        ConditionExpression: `attribute_exists(pk) AND #status = :active AND updatedAt = :expectedUpdatedAt${change.condition ? ` AND (${change.condition})` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    { Put: { TableName: tableName, Item: auditEventItem(change.slc, change.event) } },
    ...(change.alongside ?? []),
    ...(change.moreEvents ?? []).map((event) => ({ Put: { TableName: tableName, Item: auditEventItem(change.slc, event) } })),
  ]);
}

/** A change of a license's terms: its entitlements, and (an upgrade) its product and version. */
export interface LicenseTermsChange {
  deviceLicenses?: number;
  addOns?: AddOns;
  product?: Product;
  version?: string;
  /** The new version's window, kept on the license with the version. */
  activationAvailableUntil?: string;
}

/**
 * Sets the terms of an active license with its events. Usage is checked in the same UpdateItem
 * (never read-then-write): a new device-license entitlement only while `usedDeviceLicenses` does not
 * exceed it, and a new product only while the license's installations and activated devices fit
 * the bounds given (`limits`, from the new edition).
 */
export async function writeEntitlements(
  current: LicenseRecord,
  change: LicenseTermsChange,
  events: AuditEvent | AuditEvent[],
  limits: { maxInstallations?: number; maxActivatedDevices?: number } = {},
): Promise<WriteOutcome> {
  const [event, ...moreEvents] = Array.isArray(events) ? events : [events];
  const set: Record<string, unknown> = { updatedAt: event!.at };
  for (const field of ['addOns', 'product', 'version', 'activationAvailableUntil'] as const) {
    if (change[field] !== undefined) set[field] = change[field];
  }
  if (change.deviceLicenses !== undefined) set.entitledDeviceLicenses = change.deviceLicenses;
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (change.deviceLicenses !== undefined) {
    conditions.push('usedDeviceLicenses <= :entitled');
    values[':entitled'] = change.deviceLicenses;
  }
  if (change.addOns !== undefined) {
    // No add-on quantity below what installations hold, and no failover entitlement removed while an installation holds the pair.
    POOL_KEYS.forEach((key, index) => {
      names[`#pool${index}`] = addOnPoolAttribute(key);
      values[`:pool${index}`] = entitledAmount(change.addOns!, key);
      conditions.push(`(attribute_not_exists(#pool${index}) OR #pool${index} <= :pool${index})`);
    });
    if (change.addOns.managementServerFailover !== true) {
      conditions.push('(attribute_not_exists(failoverInstallationId) OR failoverInstallationId = :noFailover)');
      values[':noFailover'] = null;
    }
  }
  if (limits.maxInstallations !== undefined) {
    conditions.push('installationCount <= :maxInstallations');
    values[':maxInstallations'] = limits.maxInstallations;
  }
  if (limits.maxActivatedDevices !== undefined) {
    conditions.push('activatedDevices <= :maxActivatedDevices');
    values[':maxActivatedDevices'] = limits.maxActivatedDevices;
  }
  const { outcome } = await changeLicense({
    slc: current.slc,
    expectedUpdatedAt: current.updatedAt,
    set,
    ...(conditions.length > 0 ? { condition: conditions.join(' AND '), values, names } : {}),
    event: event!,
    moreEvents,
  });
  return outcome;
}

export async function writeCarePlus(current: LicenseRecord, validUntil: string | null, event: AuditEvent): Promise<WriteOutcome> {
  const { outcome } = await changeLicense({
    slc: current.slc,
    expectedUpdatedAt: current.updatedAt,
    set: { carePlusValidUntil: validUntil, updatedAt: event.at },
    alongside: current.carePlusValidUntil === validUntil ? [] : carePlusScheduleChange(current.slc, current.carePlusValidUntil, validUntil),
    event,
  });
  return outcome;
}

/** Moves the license's entry in the Care Plus schedule (the reminder job's list) with its Care Plus end. */
function carePlusScheduleChange(slc: string, from: string | null, to: string | null): TransactItem[] {
  const { tableName } = store();
  return [
    ...(from ? [{ Delete: { TableName: tableName, Key: carePlusKeys.schedule(from, slc) } }] : []),
    ...(to ? [{ Put: { TableName: tableName, Item: { ...carePlusKeys.schedule(to, slc), type: 'care_plus_schedule', slc, validUntil: to } } }] : []),
  ];
}

export async function writeRevocation(current: LicenseRecord, revocation: NonNullable<LicenseRecord['revocation']>, event: AuditEvent): Promise<WriteOutcome> {
  const { outcome } = await changeLicense({
    slc: current.slc,
    expectedUpdatedAt: current.updatedAt,
    set: { status: 'revoked', revocation, updatedAt: event.at },
    event,
  });
  return outcome;
}

export type TransferOutcome = WriteOutcome | 'target_not_verified';

/**
 * Moves an active license to another customer, and into that customer's partner's list, provided
 * the target customer is verified when the transaction commits.
 */
export async function writeTransfer(current: LicenseRecord, target: CustomerRecord, event: AuditEvent): Promise<TransferOutcome> {
  const { tableName } = store();
  const { outcome, failedItems } = await changeLicense({
    slc: current.slc,
    expectedUpdatedAt: current.updatedAt,
    set: { customerId: target.customerId, partnerId: target.partnerId, updatedAt: event.at },
    // A license stored before listing entries existed carries its index keys itself: they move to the entry.
    remove: LICENSE_INDEX_ATTRIBUTES,
    condition: 'customerId = :fromCustomer',
    values: { ':fromCustomer': current.customerId },
    alongside: [
      {
        ConditionCheck: {
          TableName: tableName,
          Key: keys.customer(target.customerId),
          ConditionExpression: 'verification = :verified',
          ExpressionAttributeValues: { ':verified': 'verified' },
        },
      },
      { Put: { TableName: tableName, Item: licenseListingItem({ ...current, customerId: target.customerId, partnerId: target.partnerId }) } },
    ],
    event,
  });
  if (outcome === 'condition_failed' && !failedItems.includes(0)) return 'target_not_verified';
  return outcome;
}

/** The license attribute that counts what the SLC's installations hold of one add-on quantity. */
export const addOnPoolAttribute = (key: PoolKey) => `usedAddOn:${key}` as const;

/** What the SLC's installations hold of each add-on quantity. */
export function addOnPoolUsage(license: LicenseRecord): PoolAmounts {
  const usage: PoolAmounts = {};
  for (const key of POOL_KEYS) {
    const used = license[addOnPoolAttribute(key)] ?? 0;
    if (used !== 0) usage[key] = used;
  }
  return usage;
}

/**
 * The licenses a page of list entries names, in the page's order. An entry is a listing item or,
 * for a license stored before listing entries existed, the license item itself; both carry `slc`.
 */
async function licensesOfEntries(page: Page<Record<string, unknown>>): Promise<Page<LicenseRecord>> {
  const slcs = [...new Set(page.items.map((entry) => entry.slc as string))];
  const found = new Map((await batchGet(slcs.map((slc) => keys.license(slc)))).map((item) => [item.slc as string, item as unknown as LicenseRecord]));
  return { items: slcs.flatMap((slc) => found.get(slc) ?? []), nextCursor: page.nextCursor };
}

/** A partner's licenses, oldest first (gsi1). */
export async function listPartnerLicenses(partnerId: string, limit: number, cursor?: string): Promise<Page<LicenseRecord>> {
  const entries = await queryPage(
    {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': byOwner.partnerLicenses(partnerId) },
    },
    { scope: `partner-licenses:${partnerId}`, limit, cursor },
  );
  return licensesOfEntries(entries);
}

/**
 * A page of licenses per plan (domain/scope.ts), newest first: every license (gsi3), a partner's
 * (gsi1) or a customer's (gsi2), the plan's further filter applied to what the index returns. A
 * filtered page may hold fewer than `limit` items while `nextCursor` is not null.
 */
export async function listLicenses(plan: LicenseListPlan, limit: number, cursor?: string): Promise<Page<LicenseRecord>> {
  if (plan.source === 'none') {
    await decodeCursor('licenses:none', cursor);
    return { items: [], nextCursor: null };
  }
  const query =
    plan.source === 'all'
      ? { index: 'gsi3', pk: byKind.licenses, filter: undefined }
      : plan.source === 'partner'
        ? { index: 'gsi1', pk: byOwner.partnerLicenses(plan.partnerId), filter: plan.customerId === undefined ? undefined : { field: 'customerId', value: plan.customerId } }
        : { index: 'gsi2', pk: byCustomer.customerLicenses(plan.customerId), filter: plan.partnerId === undefined ? undefined : { field: 'partnerId', value: plan.partnerId } };
  const entries = await queryPage(
    {
      IndexName: query.index,
      KeyConditionExpression: `${query.index}pk = :pk`,
      ...(query.filter ? { FilterExpression: '#filter = :filter', ExpressionAttributeNames: { '#filter': query.filter.field } } : {}),
      ExpressionAttributeValues: { ':pk': query.pk, ...(query.filter ? { ':filter': query.filter.value } : {}) },
      ScanIndexForward: false,
    },
    { scope: `licenses:${JSON.stringify(plan)}`, limit, cursor },
  );
  return licensesOfEntries(entries);
}
