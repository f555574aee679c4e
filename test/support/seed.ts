import { randomUUID } from 'node:crypto';
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBase32, randomToken } from '../../shared/crypto';
import { PRODUCT_SKU } from '../../shared/domain/products';
import { deriveInstallationSecret } from '../../shared/domain/installation-secret';
import { store } from '../../shared/store/client';
import { byOwner, createdOrder, keys } from '../../shared/store/keys';
import { customerItem } from '../../shared/store/customers';
import { licenseItem, licenseListingItem } from '../../shared/store/licenses';
import type { CustomerRecord, InstallationRecord, LicenseRecord } from '../../shared/store/records';
import type { InstallationCredentials } from './api';

/**
 * Writes complete, valid records straight into the test table, with the keys and index keys of
 * docs/DATA-MODEL.md, for tests that need a customer, a license or an installation without going
 * through the ops and activation APIs.
 */

export async function seedCustomer(partial: Partial<CustomerRecord> = {}): Promise<CustomerRecord> {
  const customer: CustomerRecord = {
    customerId: randomUUID(),
    name: 'Northwind Security',
    country: 'DK',
    partnerId: null,
    verification: 'verified',
    verificationReason: null,
    contacts: [{ name: 'Ada Admin', email: 'ada@example.com' }],
    createdAt: new Date().toISOString(),
    ...partial,
  };
  const { client, tableName } = store();
  await client.send(new PutCommand({ TableName: tableName, Item: customerItem(customer), ConditionExpression: 'attribute_not_exists(pk)' }));
  return customer;
}

/** A license (a verified customer is created for it unless `customerId` is given). */
export async function seedLicense(partial: Partial<LicenseRecord> = {}): Promise<LicenseRecord> {
  const product = partial.product ?? 'corporate';
  const customerId = partial.customerId ?? (await seedCustomer({ partnerId: partial.partnerId ?? null })).customerId;
  const now = new Date().toISOString();
  const license: LicenseRecord = {
    slc: `M01-${PRODUCT_SKU[product]}-251-${randomBase32(16)}`,
    customerId,
    partnerId: null,
    product,
    version: '2025 R1',
    channel: 'byol',
    status: 'active',
    revocation: null,
    entitledDeviceLicenses: 100,
    addOns: {},
    carePlusValidUntil: null,
    usedDeviceLicenses: 0,
    activatedDevices: 0,
    installationCount: 0,
    deviceKeySalt: randomToken(),
    activationAvailableUntil: '2035-02-12',
    createdAt: now,
    updatedAt: now,
    ...partial,
  };
  const { client, tableName } = store();
  await client.send(new PutCommand({ TableName: tableName, Item: licenseItem(license), ConditionExpression: 'attribute_not_exists(pk)' }));
  await client.send(new PutCommand({ TableName: tableName, Item: licenseListingItem(license) }));
  return license;
}

export interface SeededInstallation extends InstallationCredentials {
  installation: InstallationRecord;
}

/** An active installation under the license (counted in its installations), with its signing secret. */
export async function seedInstallation(license: Pick<LicenseRecord, 'slc'>, partial: Partial<InstallationRecord> = {}): Promise<SeededInstallation> {
  const now = new Date().toISOString();
  const installation: InstallationRecord = {
    installationId: randomUUID(),
    slc: license.slc,
    status: 'active',
    credentialVersion: 1,
    allocatedDeviceLicenses: 0,
    activatedDevices: 0,
    deviceGroups: [],
    revision: 0,
    lease: null,
    managementServer: { id: randomUUID(), hostname: 'vms-01' },
    recordingServers: [{ id: randomUUID(), failover: false }],
    videoPush: { users: 0, licensed: 0 },
    addOnsInUse: {},
    activationStatus: 'activated',
    integrations: [],
    deployment: { type: 'on-premises' },
    lastActivation: { at: now, sourceIp: '127.0.0.1', eulaVersion: '20250212' },
    lastSeenAt: null,
    createdAt: now,
    ...partial,
  };
  const { client, tableName } = store();
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: {
              ...keys.installation(installation.installationId),
              type: 'installation',
              gsi1pk: byOwner.licenseInstallations(installation.slc),
              gsi1sk: createdOrder(installation.createdAt, installation.installationId),
              ...installation,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: keys.license(installation.slc),
            UpdateExpression: 'SET installationCount = installationCount + :delta',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':delta': installation.status === 'active' ? 1 : 0 },
          },
        },
      ],
    }),
  );
  const installationSecret = deriveInstallationSecret(
    Buffer.from(process.env.INSTALLATION_KEY!, 'base64'),
    installation.installationId,
    installation.credentialVersion,
  );
  return { installationId: installation.installationId, installationSecret, installation };
}

/** Changes fields of a seeded license in place (Care Plus, status, revocation), as the ops API would. */
export async function updateLicense(slc: string, changes: Partial<Pick<LicenseRecord, 'carePlusValidUntil' | 'status' | 'revocation'>>): Promise<void> {
  const entries = Object.entries(changes);
  if (entries.length === 0) return;
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.license(slc),
      UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :v${index}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#f${index}`, name])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], index) => [`:v${index}`, value])),
    }),
  );
}

/** Revokes a seeded license. */
export function revokeLicense(slc: string, at = new Date().toISOString()): Promise<void> {
  return updateLicense(slc, { status: 'revoked', revocation: { reason: 'eula_breach', note: null, at } });
}
