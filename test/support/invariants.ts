import { expect } from 'vitest';
import { queryAll } from '../../shared/store/query';
import { readEveryDeviceGroup, recordOf } from '../../shared/store/devices';
import { byOwner } from '../../shared/store/keys';
import { getLicense } from '../../shared/store/licenses';
import { entitledAmount, POOL_KEYS } from '../../shared/domain/add-on-pools';
import type { DeviceRecord, InstallationRecord } from '../../shared/store/records';

/**
 * What the table says about an SLC, recomputed from the stored devices and the installations: the
 * license's counters must equal these sums.
 */
export async function licenseLedger(slc: string) {
  const license = (await getLicense(slc))!;
  const devices: DeviceRecord[] = (await readEveryDeviceGroup(license)).flatMap((group) => Object.entries(group.devices).map(([mac, entry]) => recordOf(slc, mac, entry)));
  const installations = (await queryAll({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': byOwner.licenseInstallations(slc) },
  })) as InstallationRecord[];
  const active = installations.filter((installation) => installation.status === 'active');
  const activated = devices.filter((device) => device.status === 'activated');
  const pushLicenses = active.reduce((sum, installation) => sum + installation.videoPush.licensed, 0);
  return {
    license,
    devices,
    installations: active,
    deviceLicensesOfDevices: activated.reduce((sum, device) => sum + device.licenses, 0) + pushLicenses,
    activatedDevices: activated.length,
    allocatedByInstallations: active.reduce((sum, installation) => sum + installation.allocatedDeviceLicenses, 0),
    devicesByInstallations: active.reduce((sum, installation) => sum + installation.activatedDevices, 0),
  };
}

/**
 * The license's counters equal the sums recomputed from its stored devices and installations, and
 * stay within the entitlement. `where` labels failures (e.g. the injected fault).
 */
export async function expectLedgerConsistent(slc: string, where?: unknown) {
  const ledger = await licenseLedger(slc);
  const label = JSON.stringify(where ?? 'no fault');
  expect(ledger.license.usedDeviceLicenses, label).toBe(ledger.deviceLicensesOfDevices);
  expect(ledger.license.usedDeviceLicenses, label).toBe(ledger.allocatedByInstallations);
  expect(ledger.license.activatedDevices, label).toBe(ledger.activatedDevices);
  expect(ledger.license.activatedDevices, label).toBe(ledger.devicesByInstallations);
  expect(ledger.license.installationCount, label).toBe(ledger.installations.length);
  expect(ledger.license.usedDeviceLicenses, label).toBeLessThanOrEqual(ledger.license.entitledDeviceLicenses);
  return ledger;
}

/**
 * The SLC's add-on pools (§5.4 rev 2): each counter on the license equals the sum of what its
 * active installations hold, stays within the entitlement, and the failover pair has at most one
 * holder, the one the license names.
 */
export async function expectAddOnPoolsConsistent(slc: string, where?: unknown) {
  const ledger = await licenseLedger(slc);
  const label = JSON.stringify(where ?? 'no fault');
  const license = ledger.license as unknown as Record<string, unknown>;
  const installations = ledger.installations as unknown as Array<Record<string, unknown>>;
  const sums: Record<string, number> = {};
  for (const key of POOL_KEYS) {
    const held = installations.reduce((sum, installation) => sum + (Number(installation[`heldAddOn:${key}`] ?? 0)), 0);
    sums[key] = held;
    expect(Number(license[`usedAddOn:${key}`] ?? 0), `${label} ${key}`).toBe(held);
    expect(held, `${label} ${key}`).toBeLessThanOrEqual(entitledAmount(ledger.license.addOns, key));
  }
  const holders = installations.filter((installation) => installation.heldFailover === 1).map((installation) => installation.installationId);
  expect(holders.length, label).toBeLessThanOrEqual(1);
  expect(ledger.license.failoverInstallationId ?? null, label).toBe(holders[0] ?? null);
  return { ledger, sums };
}
