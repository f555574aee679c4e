import { createHmac } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A device's key is derived from a secret of its SLC and the device's MAC: unique and stable for
 * that SLC and MAC across re-activations and installations, with no lookup, and unguessable
 * without the SLC's secret.
 */
export function deriveDeviceKey(slcSecret: string, mac: string): string {
  const digest = createHmac('sha256', slcSecret).update(mac).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest.subarray(0, 15)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `DK-${out.slice(0, 6)}-${out.slice(6, 12)}-${out.slice(12, 18)}-${out.slice(18, 24)}`;
}

/**
 * How many hex digits name an SLC's device groups (store/devices.ts): 2 gives 256 groups, 3 gives
 * 4,096, 4 gives 65,536. DynamoDB bills each write of a group by the whole item, so what a
 * one-device activation costs grows with the devices its group already holds; an SLC issued for
 * many devices gets more, smaller groups. The names of the wider groups extend those of the narrower
 * (the same digest), so the groups of an SLC could be split in place later.
 */
export type DeviceGroupWidth = 2 | 3 | 4;

/** Licenses issued before the width was chosen have 256 groups. */
export const EARLIER_DEVICE_GROUP_WIDTH: DeviceGroupWidth = 2;

/**
 * About 8 devices per group when every device license is used: about 1 KB of stored entries, the
 * smallest write DynamoDB bills. Past the last bound, 65,536 groups (8 devices per group up to
 * 524,288 device licenses).
 */
const DEVICE_LICENSES_PER_GROUP = 8;
export const NARROW_GROUPS_UP_TO_DEVICE_LICENSES = DEVICE_LICENSES_PER_GROUP * 16 ** 2;
export const MIDDLE_GROUPS_UP_TO_DEVICE_LICENSES = DEVICE_LICENSES_PER_GROUP * 16 ** 3;

/** The width of an SLC's groups as its license records it. */
export const deviceGroupWidthOf = (license: { deviceGroupWidth?: DeviceGroupWidth }): DeviceGroupWidth => license.deviceGroupWidth ?? EARLIER_DEVICE_GROUP_WIDTH;

/** The width an SLC is issued with, from the device licenses it is issued for. */
export function deviceGroupWidthFor(entitledDeviceLicenses: number): DeviceGroupWidth {
  if (entitledDeviceLicenses <= NARROW_GROUPS_UP_TO_DEVICE_LICENSES) return 2;
  return entitledDeviceLicenses <= MIDDLE_GROUPS_UP_TO_DEVICE_LICENSES ? 3 : 4;
}

/**
 * Which of the SLC's device groups holds a device: derived from the same secret as its key but not
 * from the key, so that nobody who sees device keys can aim devices at one group.
 */
export function deviceGroupOf(slcSecret: string, mac: string, width: DeviceGroupWidth): string {
  return createHmac('sha256', slcSecret).update(`device-group\n${mac}`).digest('hex').slice(0, width);
}

/** The group of a device under a license (its secret and the width it was issued with). */
export const deviceGroupUnder = (license: { deviceKeySalt: string; deviceGroupWidth?: DeviceGroupWidth }, mac: string): string =>
  deviceGroupOf(license.deviceKeySalt, mac, deviceGroupWidthOf(license));
