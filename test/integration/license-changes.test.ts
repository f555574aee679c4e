import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { store } from '../../shared/store/client';
import { putNewCustomer } from '../../shared/store/customers';
import type { AuditEvent } from '../../shared/store/events';
import { keys } from '../../shared/store/keys';
import { createLicenseRecord, getLicense, putNewLicense, writeEntitlements, writeTransfer } from '../../shared/store/licenses';
import type { CustomerRecord, LicenseRecord } from '../../shared/store/records';
import { generateSlc } from '../../shared/domain/slc';
import { licensePartition, setAddOnUsage } from '../support/back-office';

const at = '2026-05-01T00:00:00.000Z';
const event = (type: AuditEvent['type']): AuditEvent => ({ at, type, actor: 'ops', sourceIp: '192.0.2.1', details: {} });

function customerRecord(overrides: Partial<CustomerRecord> = {}): CustomerRecord {
  return {
    customerId: `c-${Math.random().toString(36).slice(2)}`,
    name: 'Store Test ApS',
    country: 'DK',
    partnerId: null,
    verification: 'verified',
    verificationReason: null,
    contacts: [],
    createdAt: at,
    ...overrides,
  };
}

function licenseRecord(customerId: string): LicenseRecord {
  return createLicenseRecord({
    slc: generateSlc('corporate', '2025 R1'),
    customerId,
    partnerId: null,
    product: 'corporate',
    version: '2025 R1',
    channel: 'byol',
    entitledDeviceLicenses: 20,
    addOns: {},
    carePlusValidUntil: null,
    activationAvailableUntil: '2035-02-12',
    createdAt: at,
  });
}

async function raiseUsage(slc: string, used: number): Promise<void> {
  const { client, tableName } = store();
  await client.send(new UpdateCommand({ TableName: tableName, Key: keys.license(slc), UpdateExpression: 'SET usedDeviceLicenses = :u', ExpressionAttributeValues: { ':u': used } }));
}

let owner: CustomerRecord;

beforeAll(async () => {
  owner = customerRecord();
  await putNewCustomer(owner);
});

describe('license writes are conditional, never read-then-write', () => {
  it('refuses a lowering when usage rose above it after the license was read, and writes no event', async () => {
    const license = licenseRecord(owner.customerId);
    expect(await putNewLicense(license, event('license.created'))).toBe('created');
    const readBefore = (await getLicense(license.slc))!;
    await raiseUsage(license.slc, 12);
    const partition = await licensePartition(license.slc);

    expect(await writeEntitlements(readBefore, { deviceLicenses: 10 }, event('license.updated'))).toBe('condition_failed');
    expect(await licensePartition(license.slc)).toEqual(partition);

    const fresh = (await getLicense(license.slc))!;
    expect(await writeEntitlements(fresh, { deviceLicenses: 12 }, event('license.updated'))).toBe('written');
    expect((await getLicense(license.slc))!.entitledDeviceLicenses).toBe(12);
  });

  it('refuses add-on entitlements below what installations came to hold after the read, and the failover removed while held', async () => {
    const license = { ...licenseRecord(owner.customerId), addOns: { access: { doors: 5 }, managementServerFailover: true } };
    expect(await putNewLicense(license, event('license.created'))).toBe('created');
    const readBefore = (await getLicense(license.slc))!;
    await setAddOnUsage(license.slc, { 'access.doors': 4 }, 'some-installation');
    const partition = await licensePartition(license.slc);
    expect(await writeEntitlements(readBefore, { addOns: { access: { doors: 3 }, managementServerFailover: true } }, event('license.updated'))).toBe('condition_failed');
    expect(await writeEntitlements(readBefore, { addOns: { access: { doors: 4 } } }, event('license.updated'))).toBe('condition_failed');
    expect(await licensePartition(license.slc)).toEqual(partition);
    expect(await writeEntitlements(readBefore, { addOns: { access: { doors: 4 }, managementServerFailover: true } }, event('license.updated'))).toBe('written');
  });

  it('refuses a change based on a read older than the last change of the terms', async () => {
    const license = licenseRecord(owner.customerId);
    await putNewLicense(license, event('license.created'));
    const stale = (await getLicense(license.slc))!;
    expect(await writeEntitlements(stale, { addOns: { smartWall: true } }, { ...event('license.updated'), at: '2026-05-01T00:00:01.000Z' })).toBe('written');
    expect(await writeEntitlements(stale, { addOns: { lpr: { cameras: 1 } } }, { ...event('license.updated'), at: '2026-05-01T00:00:02.000Z' })).toBe('condition_failed');
    expect((await getLicense(license.slc))!.addOns).toEqual({ smartWall: true });
  });

  it('does not issue a license to a customer that is no longer verified', async () => {
    const customer = customerRecord({ verification: 'rejected', verificationReason: 'export_control' });
    await putNewCustomer(customer);
    const license = licenseRecord(customer.customerId);
    expect(await putNewLicense(license, event('license.created'))).toBe('customer_not_verified');
    expect(await licensePartition(license.slc)).toEqual([]);
  });

  it('refuses an SLC that exists already', async () => {
    const license = licenseRecord(owner.customerId);
    expect(await putNewLicense(license, event('license.created'))).toBe('created');
    expect(await putNewLicense({ ...license, entitledDeviceLicenses: 99 }, event('license.created'))).toBe('slc_exists');
    expect((await getLicense(license.slc))!.entitledDeviceLicenses).toBe(20);
  });

  it('does not transfer to a customer that lost its verification after it was read', async () => {
    const license = licenseRecord(owner.customerId);
    await putNewLicense(license, event('license.created'));
    const target = customerRecord();
    await putNewCustomer(target);
    const { client, tableName } = store();
    await client.send(
      new UpdateCommand({ TableName: tableName, Key: keys.customer(target.customerId), UpdateExpression: 'SET verification = :r', ExpressionAttributeValues: { ':r': 'rejected' } }),
    );
    const partition = await licensePartition(license.slc);
    expect(await writeTransfer((await getLicense(license.slc))!, target, event('license.transferred'))).toBe('target_not_verified');
    expect(await licensePartition(license.slc)).toEqual(partition);
  });
});
