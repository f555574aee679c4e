import { expect } from 'vitest';
import { queryAll } from '../../shared/store/query';
import { ALL_DEVICE_GROUPS, readDeviceGroups, recordOf } from '../../shared/store/devices';
import { byOwner } from '../../shared/store/keys';
import { getLicense } from '../../shared/store/licenses';
import type { DeviceRecord, InstallationRecord } from '../../shared/store/records';

/**
 * What the table says about an SLC, recomputed from the stored devices and the installations: the
 * license's counters must equal these sums.
 */
export async function licenseLedger(slc: string) {
  const license = (await getLicense(slc))!;
  const groups = await readDeviceGroups(slc, ALL_DEVICE_GROUPS);
  const devices: DeviceRecord[] = [...groups.values()].flatMap((group) => Object.entries(group.devices).map(([mac, entry]) => recordOf(slc, mac, entry)));
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
