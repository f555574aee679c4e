import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { store } from '../../shared/store/client';
import { deviceGroupUnder } from '../../shared/domain/device-key';
import { updateItemOf } from '../../shared/store/devices';
import { getLicense } from '../../shared/store/licenses';
import { keys } from '../../shared/store/keys';
import type { DeviceRecord } from '../../shared/store/records';
import type { Api } from './api';

/** Back-office fixtures over the HTTP API, and direct table access for what other parts of the service write. */
export function backOffice(api: Api) {
  let versionsDefined = false;
  const fixtures = {
    async partner(name = 'Channel Partner'): Promise<{ partnerId: string; apiKey: string }> {
      const response = await api.ops('POST', '/v1/partners', { name });
      expect(response.status).toBe(201);
      return response.body;
    },
    async customer(overrides: Record<string, unknown> = {}): Promise<any> {
      const response = await api.ops('POST', '/v1/customers', {
        name: 'Nordic Logistics A/S',
        country: 'DK',
        contacts: [{ name: 'Ida Jensen', email: 'ida@example.com' }],
        ...overrides,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    },
    async versions(): Promise<void> {
      if (versionsDefined) return;
      for (const [version, generalAvailability] of [
        ['2024 R2', '2024-06-19'],
        ['2025 R1', '2025-02-12'],
      ]) {
        expect((await api.ops('PUT', `/v1/catalog/versions/${encodeURIComponent(version!)}`, { generalAvailability })).status).toBe(200);
      }
      versionsDefined = true;
    },
    async license(body: Record<string, unknown>): Promise<any> {
      await fixtures.versions();
      const response = await api.ops('POST', '/v1/licenses', { product: 'corporate', version: '2025 R1', deviceLicenses: 50, ...body });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    },
  };
  return fixtures;
}

/** Simulates usage that the activation engine would record on a license. */
export async function setUsage(slc: string, used: { deviceLicenses: number; devices?: number; installations?: number }): Promise<void> {
  const { client, tableName } = store();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.license(slc),
      UpdateExpression: 'SET usedDeviceLicenses = :used, activatedDevices = :devices, installationCount = :installations',
      ExpressionAttributeValues: { ':used': used.deviceLicenses, ':devices': used.devices ?? 0, ':installations': used.installations ?? 0 },
    }),
  );
}

/** Puts a device new to its SLC into its device group, as the activation engine stores it. */
export async function putDevice({ slc, mac, ...device }: DeviceRecord): Promise<void> {
  const { client, tableName } = store();
  const group = deviceGroupUnder((await getLicense(slc))!, mac);
  await client.send(new UpdateCommand({ TableName: tableName, ...updateItemOf(slc, { group, devices: [{ mac, entry: { ...device, revision: 1 }, readRevision: undefined }] }) }));
}

/** Makes a license look as builds before group widths issued it: no `deviceGroupWidth` (256 groups). */
export async function storeWithoutGroupWidth(slc: string): Promise<void> {
  const { client, tableName } = store();
  await client.send(new UpdateCommand({ TableName: tableName, Key: keys.license(slc), UpdateExpression: 'REMOVE deviceGroupWidth' }));
}

export async function rawLicense(slc: string): Promise<Record<string, unknown> | undefined> {
  const { client, tableName } = store();
  return (await client.send(new GetCommand({ TableName: tableName, Key: keys.license(slc), ConsistentRead: true }))).Item;
}

/** A license's listing entry (its rows in the license lists), as stored. */
export async function rawLicenseListing(slc: string): Promise<Record<string, unknown> | undefined> {
  const { client, tableName } = store();
  return (await client.send(new GetCommand({ TableName: tableName, Key: keys.licenseListing(slc), ConsistentRead: true }))).Item;
}

/** Every item in a license's partition (license, devices, events), to prove a refusal wrote nothing. */
export async function licensePartition(slc: string): Promise<Record<string, unknown>[]> {
  const { client, tableName } = store();
  const result = await client.send(
    new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.license(slc).pk }, ConsistentRead: true }),
  );
  return result.Items ?? [];
}

/** Simulates add-on quantities and the failover pair that the activation engine records as held on a license. */
export async function setAddOnUsage(slc: string, held: Record<string, number>, failoverInstallationId: string | null = null): Promise<void> {
  const { client, tableName } = store();
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':failover': failoverInstallationId };
  const assignments = ['failoverInstallationId = :failover'];
  Object.entries(held).forEach(([key, amount], index) => {
    names[`#a${index}`] = `usedAddOn:${key}`;
    values[`:a${index}`] = amount;
    assignments.push(`#a${index} = :a${index}`);
  });
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.license(slc),
      UpdateExpression: `SET ${assignments.join(', ')}`,
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    }),
  );
}
