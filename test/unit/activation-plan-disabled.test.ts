import { describe, expect, it } from 'vitest';
import { planActivation, type PlanDevice, type PlanInput } from '../../shared/domain/activation-plan';

const mac = (n: number) => `00:00:00:00:01:${n.toString(16).padStart(2, '0')}`;
const [A, B, C, D] = [1, 2, 3, 4].map(mac) as [string, string, string, string];

function input(overrides: Partial<PlanInput>): PlanInput {
  return {
    devices: [],
    previouslyActivated: new Map(),
    heldElsewhere: new Set(),
    availableDeviceLicenses: 10,
    maxActivatedDevices: null,
    withinActivationWindow: true,
    videoPushUsers: 0,
    ...overrides,
  };
}

const on = (m: string, licenses = 1): PlanDevice => ({ mac: m, licenses });
const off = (m: string, licenses = 1): PlanDevice => ({ mac: m, licenses, enabled: false });
const held = (...macs: string[]) => new Map(macs.map((m) => [m, { licenses: 1 }]));
const summary = (plan: ReturnType<typeof planActivation>) => plan.devices.map((device) => `${device.mac.slice(-2)} ${device.status}${device.reason ? ` ${device.reason}` : ''}`);

describe('planActivation with disabled devices (§5.1 rev 2 `enabled`)', () => {
  it.each<[string, Partial<PlanInput>, string[], Partial<ReturnType<typeof planActivation>>]>([
    [
      'a disabled device needs no license and is not activated',
      { devices: [on(A, 2), off(B, 3)], availableDeviceLicenses: 2 },
      ['01 activated', '02 disabled'],
      { allocatedDeviceLicenses: 2, activatedDevices: 1, disabled: [B], released: [], deactivated: [], status: 'activated' },
    ],
    [
      'disabling an activated device releases its licenses without a deletion (not released)',
      { devices: [on(A), off(B)], previouslyActivated: held(A, B) },
      ['01 activated', '02 disabled'],
      { allocatedDeviceLicenses: 1, activatedDevices: 1, disabled: [B], released: [], deactivated: [], status: 'activated' },
    ],
    [
      'a disabled device does not make the activation partially_activated, a refused enabled one does',
      { devices: [off(A), on(B, 5), on(C, 6)], availableDeviceLicenses: 5 },
      ['01 disabled', '02 activated', '03 not_activated insufficient_device_licenses'],
      { disabled: [A], status: 'partially_activated' },
    ],
    [
      'only disabled devices: activated, nothing allocated',
      { devices: [off(A), off(B)], availableDeviceLicenses: 0 },
      ['01 disabled', '02 disabled'],
      { allocatedDeviceLicenses: 0, activatedDevices: 0, status: 'activated' },
    ],
    [
      'a disabled device takes no place under the edition cap',
      { devices: [off(A), on(B), on(C)], maxActivatedDevices: 2 },
      ['01 disabled', '02 activated', '03 activated'],
      { activatedDevices: 2, status: 'activated' },
    ],
    [
      'after the window, a device activated before is enabled again; a new one is refused',
      { devices: [on(A), on(B)], withinActivationWindow: false, activatedBefore: new Set([A]) },
      ['01 activated', '02 not_activated activation_period_ended'],
      { activatedDevices: 1, status: 'partially_activated' },
    ],
    [
      'enabled again but over the entitlement: insufficient_device_licenses, not the window',
      { devices: [on(A, 3)], withinActivationWindow: false, activatedBefore: new Set([A]), availableDeviceLicenses: 2 },
      ['01 not_activated insufficient_device_licenses'],
      { activatedDevices: 0 },
    ],
    [
      'a disabled device held by another installation is still just disabled here',
      { devices: [off(A), on(D)], heldElsewhere: new Set([A]) },
      ['01 disabled', '04 activated'],
      { disabled: [A], status: 'activated' },
    ],
    [
      'video push still counts: users beyond what is left make it partially_activated',
      { devices: [off(A), on(B, 9)], videoPushUsers: 2 },
      ['01 disabled', '02 activated'],
      { videoPush: { users: 2, licensed: 1 }, allocatedDeviceLicenses: 10, status: 'partially_activated' },
    ],
  ])('%s', (_case, overrides, devices, expected) => {
    const plan = planActivation(input(overrides));
    expect(summary(plan)).toEqual(devices);
    expect(plan).toMatchObject(expected);
    // A disabled device keeps the licenses it would need, and never has a reason.
    for (const device of plan.devices.filter((planned) => planned.status === 'disabled')) {
      expect(device.reason).toBeUndefined();
      expect(device.licenses).toBe(overrides.devices!.find((given) => given.mac === device.mac)!.licenses);
    }
  });

  it('re-planning against the state a plan leaves gives the same plan', () => {
    const first = planActivation(input({ devices: [on(A), off(B), on(C, 20)], previouslyActivated: held(A, B), availableDeviceLicenses: 5 }));
    const again = planActivation(
      input({
        devices: [on(A), off(B), on(C, 20)],
        previouslyActivated: new Map(first.devices.filter((device) => device.status === 'activated').map((device) => [device.mac, { licenses: device.licenses }])),
        availableDeviceLicenses: 5,
      }),
    );
    expect(again.devices).toEqual(first.devices);
    expect(again.status).toBe(first.status);
  });
});
