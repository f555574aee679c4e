import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { randomToken } from '../crypto';
import type { AddOnEntitlements, Channel, Product } from '../domain/products';
import { store } from './client';
import { auditEventItem, type AuditEvent } from './events';
import { byCustomer, byOwner, createdOrder, keys } from './keys';
import { decodeCursor, encodeCursor, type Page } from './pagination';
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
  addOns: AddOnEntitlements;
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

/** The stored license item: gsi1 lists it under its partner (when it has one), gsi2 under its customer. */
export function licenseItem(license: LicenseRecord): Record<string, unknown> {
  return {
    ...keys.license(license.slc),
    type: 'license',
    ...license,
    ...(license.partnerId ? partnerIndexKeys(license.partnerId, license.createdAt, license.slc) : {}),
    gsi2pk: byCustomer.customerLicenses(license.customerId),
    gsi2sk: createdOrder(license.createdAt, license.slc),
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
  /** Further transaction items that must hold (e.g. a check on another item). */
  alsoCheck?: TransactItem[];
  event: AuditEvent;
}

async function changeLicense(change: LicenseChange): Promise<{ outcome: WriteOutcome; failedItems: number[] }> {
  const { tableName } = store();
  const names: Record<string, string> = { '#status': 'status' };
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
    ...(change.alsoCheck ?? []),
  ]);
}

/**
 * Sets the entitlements of an active license. A new device-license entitlement is written only if
 * `usedDeviceLicenses` does not exceed it, checked in the same UpdateItem (never read-then-write).
 */
export async function writeEntitlements(
  current: LicenseRecord,
  change: { deviceLicenses?: number; addOns?: AddOnEntitlements },
  event: AuditEvent,
): Promise<WriteOutcome> {
  const set: Record<string, unknown> = { updatedAt: event.at };
  if (change.deviceLicenses !== undefined) set.entitledDeviceLicenses = change.deviceLicenses;
  if (change.addOns !== undefined) set.addOns = change.addOns;
  const { outcome } = await changeLicense({
    slc: current.slc,
    expectedUpdatedAt: current.updatedAt,
    set,
    ...(change.deviceLicenses !== undefined
      ? { condition: 'usedDeviceLicenses <= :entitled', values: { ':entitled': change.deviceLicenses } }
      : {}),
    event,
  });
  return outcome;
}

export async function writeCarePlus(current: LicenseRecord, validUntil: string | null, event: AuditEvent): Promise<WriteOutcome> {
  const { outcome } = await changeLicense({
    slc: current.slc,
    expectedUpdatedAt: current.updatedAt,
    set: { carePlusValidUntil: validUntil, updatedAt: event.at },
    event,
  });
  return outcome;
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
  const set: Record<string, unknown> = {
    customerId: target.customerId,
    partnerId: target.partnerId,
    updatedAt: event.at,
    gsi2pk: byCustomer.customerLicenses(target.customerId),
    ...(target.partnerId ? partnerIndexKeys(target.partnerId, current.createdAt, current.slc) : {}),
  };
  const { outcome, failedItems } = await changeLicense({
    slc: current.slc,
    expectedUpdatedAt: current.updatedAt,
    set,
    ...(target.partnerId ? {} : { remove: ['gsi1pk', 'gsi1sk'] }),
    condition: 'customerId = :fromCustomer',
    values: { ':fromCustomer': current.customerId },
    alsoCheck: [
      {
        ConditionCheck: {
          TableName: tableName,
          Key: keys.customer(target.customerId),
          ConditionExpression: 'verification = :verified',
          ExpressionAttributeValues: { ':verified': 'verified' },
        },
      },
    ],
    event,
  });
  if (outcome === 'condition_failed' && !failedItems.includes(0)) return 'target_not_verified';
  return outcome;
}

/** A partner's licenses, oldest first (gsi1). */
export async function listPartnerLicenses(partnerId: string, limit: number, cursor?: string): Promise<Page<LicenseRecord>> {
  const { client, tableName } = store();
  const scope = `partner-licenses:${partnerId}`;
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': byOwner.partnerLicenses(partnerId) },
      Limit: limit,
      ExclusiveStartKey: await decodeCursor(scope, cursor),
    }),
  );
  return { items: (result.Items ?? []) as LicenseRecord[], nextCursor: await encodeCursor(scope, result.LastEvaluatedKey) };
}
