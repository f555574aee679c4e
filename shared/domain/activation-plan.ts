/**
 * What an activation request activates (API.md §5.5). Pure and deterministic; no I/O. The use case
 * loads the state, calls planActivation, and commits the plan's allocation with a conditional write.
 */

export interface PlanDevice {
  /** Normalized MAC (see normalizeMac); unique within a request. */
  mac: string;
  /** From deviceLicensesNeeded; a whole number ≥ 1. */
  licenses: number;
  /** §5.1 `enabled` (default true): a disabled device is registered, not licensed. */
  enabled?: boolean;
}

export interface PlanInput {
  /** The installation's whole current configuration, in request order. */
  devices: PlanDevice[];
  /** Devices this installation holds activated now (mac → the licenses it held). */
  previouslyActivated: ReadonlyMap<string, { licenses: number }>;
  /** MACs activated by another installation of the same SLC. */
  heldElsewhere: ReadonlySet<string>;
  /** New devices the SLC's device storage has no room for (store/devices.ts); none when absent. */
  withoutRoom?: ReadonlySet<string>;
  /**
   * Devices registered disabled under the SLC that were activated before: enabled again, they are
   * not new devices, so the activation window does not apply to them. None when absent.
   */
  activatedBefore?: ReadonlySet<string>;
  /** What this installation may hold in total: entitlement minus what the other installations use. */
  availableDeviceLicenses: number;
  /** Device cap for this installation (edition cap minus devices other installations hold); null = none. */
  maxActivatedDevices: number | null;
  /** Whether now is within the version's activation window (isWithinActivationWindow). */
  withinActivationWindow: boolean;
  videoPushUsers: number;
}

export type NotActivatedReason =
  | 'insufficient_device_licenses'
  | 'edition_device_limit'
  | 'activation_period_ended'
  | 'activated_in_another_installation'
  | 'device_capacity_exceeded';

export interface PlannedDevice {
  mac: string;
  /** The licenses the device needs (a disabled one: the licenses it would need). */
  licenses: number;
  status: 'activated' | 'not_activated' | 'disabled';
  reason?: NotActivatedReason;
}

export interface ActivationPlan {
  /** Request order, one entry per requested device. */
  devices: PlannedDevice[];
  /** Previously activated MACs the request no longer lists (sorted); their deletion is counted. */
  released: string[];
  /** Previously activated MACs the request still lists that lose their activation (request order). */
  deactivated: string[];
  /** Disabled devices (request order): registered, not licensed; a held one is released without a deletion. */
  disabled: string[];
  /** `activated` when every enabled device and every video push user is licensed; disabled devices do not count. */
  status: 'activated' | 'partially_activated';
  videoPush: { users: number; licensed: number };
  /** Licenses of the activated devices plus the licensed video push users; never above availableDeviceLicenses. */
  allocatedDeviceLicenses: number;
  activatedDevices: number;
}

/**
 * §5.5 "The request is the installation's whole current configuration."
 *
 * 1. "Devices the installation had activated and still lists keep their activation when their
 *    licenses still fit" — considered first, in request order, with their current licenses; the
 *    window does not apply to them.
 * 2. "Then the remaining devices are considered in request order, and each is activated if its
 *    licenses fit in what the SLC has left across all its installations, the edition's device cap
 *    allows it, and — for a device not activated before — now is within the version's activation
 *    window." A device another installation of the SLC holds is never activated here, so a camera
 *    is never counted twice.
 * 3. "Video push users are counted after the devices": licensed = min(users, what is left).
 * 4. "devices it no longer lists are released."
 *
 * A device that is not activated gets the reason that stands in the way of activating it from the
 * state this plan leaves (after the devices, before video push), first that applies of:
 * activated_in_another_installation, device_capacity_exceeded (a new device whose place in the SLC's
 * device storage is full), activation_period_ended (the window is closed; from that state
 * the device would be a new one), edition_device_limit (the cap is reached),
 * insufficient_device_licenses (its licenses exceed what is left). Judging every reason against the
 * resulting state makes re-planning the same request against that state give the same answer.
 *
 * 5. §5.1 `enabled: false`: "A disabled device needs no license and is not activated; it is
 *    registered … and disabling an activated device releases its licenses without counting a
 *    deletion. Enabling it again is not a new device: it may be activated after the activation
 *    window has ended if it was activated before." Disabled devices are `disabled`, not `released`,
 *    and "do not make the activation `partially_activated`". EULA: "one device license per enabled
 *    video channel"; "After 10 years, it may no longer be possible to add new IP devices and/or
 *    replace IP devices connected to and enabled in the Product" — a device enabled again is
 *    neither new nor a replacement.
 *
 * Throws a RangeError for a repeated MAC or a device needing fewer than one license (the schema
 * and deviceLicensesNeeded rule both out before this is called).
 */
export function planActivation(input: PlanInput): ActivationPlan {
  validate(input);
  const available = Math.max(0, input.availableDeviceLicenses);
  const cap = input.maxActivatedDevices === null ? Number.POSITIVE_INFINITY : Math.max(0, input.maxActivatedDevices);
  const { devices, previouslyActivated, heldElsewhere, withinActivationWindow } = input;
  const withoutRoom = input.withoutRoom ?? new Set<string>();
  const activatedBefore = input.activatedBefore ?? new Set<string>();
  const enabled = (device: PlanDevice) => device.enabled !== false;

  const activated = devices.map(() => false);
  let used = 0;
  let count = 0;
  const tryActivate = (index: number): void => {
    const { licenses } = devices[index]!;
    if (count < cap && used + licenses <= available) {
      activated[index] = true;
      used += licenses;
      count += 1;
    }
  };

  // 1. Keep what this installation already holds, in request order.
  devices.forEach((device, index) => {
    if (enabled(device) && previouslyActivated.has(device.mac) && !heldElsewhere.has(device.mac)) tryActivate(index);
  });
  // 2. The remaining devices, in request order. A previously activated device that did not fit in
  // step 1 cannot fit now either (what is left only shrinks), so only new devices are considered.
  devices.forEach((device, index) => {
    if (!enabled(device) || previouslyActivated.has(device.mac) || heldElsewhere.has(device.mac) || withoutRoom.has(device.mac)) return;
    if (!withinActivationWindow && !activatedBefore.has(device.mac)) return;
    tryActivate(index);
  });

  const left = available - used;
  const planned: PlannedDevice[] = devices.map((device, index) => {
    if (!enabled(device)) return { mac: device.mac, licenses: device.licenses, status: 'disabled' };
    if (activated[index]) return { mac: device.mac, licenses: device.licenses, status: 'activated' };
    return { mac: device.mac, licenses: device.licenses, status: 'not_activated', reason: reasonFor(device) };
  });

  function reasonFor(device: PlanDevice): NotActivatedReason {
    if (heldElsewhere.has(device.mac)) return 'activated_in_another_installation';
    if (withoutRoom.has(device.mac) && !previouslyActivated.has(device.mac)) return 'device_capacity_exceeded';
    if (!withinActivationWindow && !activatedBefore.has(device.mac)) return 'activation_period_ended';
    if (count >= cap) return 'edition_device_limit';
    return 'insufficient_device_licenses'; // device.licenses > left: the only remaining cause
  }

  // 3. Video push after the devices.
  const pushLicensed = Math.min(input.videoPushUsers, left);

  // 4. Released: held before, no longer listed.
  const listed = new Set(devices.map((device) => device.mac));
  const released = [...previouslyActivated.keys()].filter((mac) => !listed.has(mac)).sort();
  const deactivated = planned
    .filter((device) => device.status === 'not_activated' && previouslyActivated.has(device.mac))
    .map((device) => device.mac);

  const disabled = planned.filter((device) => device.status === 'disabled').map((device) => device.mac);
  const allLicensed = planned.every((device) => device.status !== 'not_activated') && pushLicensed === input.videoPushUsers;

  return {
    devices: planned,
    released,
    deactivated,
    disabled,
    status: allLicensed ? 'activated' : 'partially_activated',
    videoPush: { users: input.videoPushUsers, licensed: pushLicensed },
    allocatedDeviceLicenses: used + pushLicensed,
    activatedDevices: count,
  };
}

function validate(input: PlanInput): void {
  const seen = new Set<string>();
  for (const device of input.devices) {
    if (seen.has(device.mac)) throw new RangeError('a device is listed twice');
    seen.add(device.mac);
    if (!Number.isInteger(device.licenses) || device.licenses < 1) throw new RangeError('a device needs at least one license');
  }
  if (!Number.isInteger(input.videoPushUsers) || input.videoPushUsers < 0) {
    throw new RangeError('video push users must be a whole number ≥ 0');
  }
}
