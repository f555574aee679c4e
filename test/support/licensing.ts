import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { deviceGroupUnder } from '../../shared/domain/device-key';
import type { LicenseRecord } from '../../shared/store/records';
import type { Api, InstallationCredentials } from './api';

export interface LicenseOptions {
  product?: 'corporate' | 'expert' | 'professional-plus' | 'express-plus' | 'essential-plus';
  version?: string;
  generalAvailability?: string;
  deviceLicenses?: number;
  addOns?: Record<string, unknown>;
  carePlus?: { validUntil: string };
  partnerId?: string;
}

let versionCounter = 0;

/** Creates a verified customer, a catalog version and an SLC through the ops API. */
export async function createLicense(api: Api, options: LicenseOptions = {}): Promise<{ slc: string; customerId: string; license: any }> {
  const customer = await api.ops('POST', '/v1/customers', {
    name: 'Northwind Security',
    country: 'DK',
    contacts: [{ name: 'Ada Admin', email: 'ada@example.com' }],
    ...(options.partnerId ? { partnerId: options.partnerId } : {}),
  });
  if (customer.status !== 201) throw new Error(`customer: ${customer.status} ${JSON.stringify(customer.body)}`);
  const version = options.version ?? `20${25 + (versionCounter++ % 70)} R1`;
  const catalog = await api.ops('PUT', `/v1/catalog/versions/${encodeURIComponent(version)}`, {
    generalAvailability: options.generalAvailability ?? '2025-02-12',
  });
  if (catalog.status !== 200) throw new Error(`catalog: ${catalog.status} ${JSON.stringify(catalog.body)}`);
  const license = await api.ops('POST', '/v1/licenses', {
    customerId: customer.body.customerId,
    product: options.product ?? 'corporate',
    version,
    deviceLicenses: options.deviceLicenses ?? 100,
    ...(options.addOns ? { addOns: options.addOns } : {}),
    ...(options.carePlus ? { carePlus: options.carePlus } : {}),
  });
  if (license.status !== 201) throw new Error(`license: ${license.status} ${JSON.stringify(license.body)}`);
  return { slc: license.body.slc, customerId: customer.body.customerId, license: license.body };
}

let macCounter = 1;

/** A unique MAC for each call in a test run. */
export function nextMac(): string {
  const n = macCounter++;
  return ['02', '00', ...[24, 16, 8, 0].map((shift) => ((n >> shift) & 255).toString(16).padStart(2, '0'))].join(':');
}

export function camera(overrides: Record<string, unknown> = {}) {
  return {
    mac: nextMac(),
    name: 'Camera',
    kind: 'camera',
    ipAddresses: ['10.0.0.5'],
    videoChannels: 1,
    connection: 'direct',
    supportedDeviceList: { listed: true },
    ...overrides,
  };
}

export function activationBody(devices: unknown[], overrides: Record<string, unknown> = {}) {
  return {
    eulaVersion: '20250212',
    managementServer: { id: randomUUID(), hostname: 'vms-01' },
    recordingServers: [{ id: randomUUID(), failover: false }],
    devices,
    ...overrides,
  };
}

/** A first activation on the SLC that must succeed (201): the new installation's credentials and the answer. */
export async function activateFirst(api: Api, slc: string, devices: unknown[]): Promise<InstallationCredentials & { body: any }> {
  const response = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody(devices) } });
  if (response.status !== 201) throw new Error(`first activation: ${response.status} ${JSON.stringify(response.body)}`);
  return { installationId: response.body.installationId, installationSecret: response.body.installationSecret, body: response.body };
}

/**
 * Cameras enough that an activation of them does not fit in one transaction (more than about 97
 * device groups change), so that it commits its allocation first and writes its devices after:
 * the path whose interruptions and interleavings the tests exercise. `avoid` keeps them out of
 * device groups a test fills on purpose.
 */
export const BEYOND_ONE_TRANSACTION = 200;
export function camerasBeyondOneTransaction(avoid: (mac: string) => boolean = () => false) {
  const cameras: Array<ReturnType<typeof camera>> = [];
  while (cameras.length < BEYOND_ONE_TRANSACTION) {
    const next = camera();
    if (!avoid(next.mac)) cameras.push(next);
  }
  return cameras;
}

/**
 * `count` unique MACs of an SLC (under its license's device-group secret and width) spread over exactly the first
 * `groupCount` device groups, each group filled before any takes a second: an activation of them
 * writes a number of groups known beforehand, whichever MACs are drawn (with random MACs the number
 * of distinct groups, and so of device writes, varies from one license to the next).
 */
export function macsOverGroups(license: Pick<LicenseRecord, 'deviceKeySalt' | 'deviceGroupWidth'>, count: number, groupCount: number): string[] {
  const perGroup = new Map<number, number>();
  const macs: string[] = [];
  while (macs.length < count) {
    const mac = nextMac();
    const group = Number.parseInt(deviceGroupUnder(license, mac), 16);
    const level = Math.floor(macs.length / groupCount);
    if (group >= groupCount || (perGroup.get(group) ?? 0) > level) continue;
    perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    macs.push(mac);
  }
  return macs;
}

/** Every page of the license's devices list (ops), in order. */
export async function listedDevices(api: Api, slc: string, limit: number): Promise<Array<{ mac: string }>> {
  const listed: Array<{ mac: string }> = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await api.ops('GET', `/v1/licenses/${slc}/devices?limit=${limit}${query}`);
    expect(page.status).toBe(200);
    listed.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return listed;
}
