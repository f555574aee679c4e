/**
 * How many device licenses a device needs (API.md §5.2, EULA general terms). Pure functions; no I/O.
 */

export type DeviceKind = 'camera' | 'encoder' | 'multi-sensor' | 'io' | 'other';
export type DeviceConnection = 'direct' | 'intermediate' | 'vps-driver';

export interface DeviceInput {
  mac: string;
  name?: string;
  kind: DeviceKind;
  ipAddresses: string[];
  videoChannels: number;
  connection: DeviceConnection;
  supportedDeviceList: { listed: boolean; licenses?: number };
}

/** An encoder with up to this many video channels counts as one IP device. */
export const ENCODER_SINGLE_LICENSE_MAX_CHANNELS = 16;

/**
 * The number of device licenses `device` needs. The rules are applied in the contract's order and
 * the first that matches decides. The device is assumed valid (see deviceInputProblem); for an
 * invalid one the result is still at least one but carries no meaning.
 */
export function deviceLicensesNeeded(device: DeviceInput): number {
  // 4. "An enabled device never needs fewer than one license."
  return Math.max(1, countByRule(device));
}

function countByRule(device: DeviceInput): number {
  const { connection, kind, videoChannels, supportedDeviceList } = device;

  // 1. "`connection` `vps-driver` (Video Processing Service driver): one per enabled video channel."
  if (connection === 'vps-driver') return videoChannels;

  // 2. "Listed in the Supported Device List (`listed: true`):"
  if (supportedDeviceList.listed) {
    // "`supportedDeviceList.licenses` given: that number (the list's own figure)."
    if (supportedDeviceList.licenses !== undefined) return supportedDeviceList.licenses;
    // ("more than one IP address and no figure: 400 `validation_failed`" — see deviceInputProblem.)
    // "`connection` `intermediate`: one per enabled video channel."
    if (connection === 'intermediate') return videoChannels;
    // "`kind` `encoder` with more than 16 video channels: one per enabled video channel."
    if (kind === 'encoder' && videoChannels > ENCODER_SINGLE_LICENSE_MAX_CHANNELS) return videoChannels;
    // "otherwise one (a multi-lens or multi-sensor device, and an encoder with up to 16 channels,
    // count as one IP device)."
    return 1;
  }

  // 3. "Not listed: with video (`videoChannels` > 0) one per enabled video channel; without video,
  // one per IP address."
  if (videoChannels > 0) return videoChannels;
  return distinctIpAddresses(device.ipAddresses);
}

/**
 * The §5.2 reason a device is invalid, or undefined when it is valid. "Listed … more than one IP
 * address and no figure: 400 `validation_failed`." The rule sits after rule 1 and after the
 * "figure given" case, so a vps-driver device or a listed device with a figure may have several
 * addresses. The same address written twice counts once.
 */
export function deviceInputProblem(device: DeviceInput): string | undefined {
  if (device.connection === 'vps-driver') return undefined;
  const { listed, licenses } = device.supportedDeviceList;
  if (listed && licenses === undefined && distinctIpAddresses(device.ipAddresses) > 1) {
    return 'a device listed in the Supported Device List with more than one IP address needs the list\'s license figure (supportedDeviceList.licenses)';
  }
  return undefined;
}

/** "Each named user of XProtect Mobile video push needs one camera license (`videoPushUsers`)." */
export function videoPushLicensesNeeded(users: number): number {
  if (!Number.isInteger(users) || users < 0) throw new RangeError('video push users must be a whole number ≥ 0');
  return users;
}

const MAC_PATTERN = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/**
 * "`mac`: six hex pairs separated by `:` or `-`, any case; stored and returned lowercase with `:`."
 * One separator style per address; undefined when the text is not such an address.
 */
export function normalizeMac(mac: string): string | undefined {
  if (!MAC_PATTERN.test(mac)) return undefined;
  return mac.toLowerCase().replaceAll('-', ':');
}

/** Addresses are compared as written, ignoring case (IPv6 hex digits). */
function distinctIpAddresses(addresses: readonly string[]): number {
  return new Set(addresses.map((address) => address.toLowerCase())).size;
}
