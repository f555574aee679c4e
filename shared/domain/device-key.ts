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
 * Which of the SLC's 256 device groups (see store/devices.ts) holds a device: derived from the same
 * secret as its key but not from the key, so that nobody who sees device keys can aim devices at one
 * group.
 */
export function deviceGroupOf(slcSecret: string, mac: string): string {
  return createHmac('sha256', slcSecret).update(`device-group\n${mac}`).digest('hex').slice(0, 2);
}
