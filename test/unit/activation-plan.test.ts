import { describe, expect, it } from 'vitest';
import { planActivation, type PlanInput } from '../../shared/domain/activation-plan';

const mac = (n: number) => `00:00:00:00:00:${n.toString(16).padStart(2, '0')}`;
const A = mac(1);
const B = mac(2);
const C = mac(3);
const D = mac(4);
const E = mac(5);

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

const held = (entries: Array<[string, number]>) => new Map(entries.map(([m, licenses]) => [m, { licenses }]));

/** "mac:status[:reason]" per device, for compact expectations. */
const outcome = (plan: ReturnType<typeof planActivation>) =>
  plan.devices.map((device) => [device.mac.slice(-2), device.status === 'activated' ? 'on' : device.reason].join(' '));

describe('planActivation (§5.5)', () => {
  it('activates everything that fits, in request order', () => {
    const plan = planActivation(input({ devices: [{ mac: A, licenses: 2 }, { mac: B, licenses: 3 }, { mac: C, licenses: 1 }] }));
    expect(outcome(plan)).toEqual(['01 on', '02 on', '03 on']);
    expect(plan.allocatedDeviceLicenses).toBe(6);
    expect(plan.activatedDevices).toBe(3);
    expect(plan.released).toEqual([]);
    expect(plan.deactivated).toEqual([]);
  });

  it('keeps previously activated devices first, even when they are listed after new ones', () => {
    const plan = planActivation(
      input({
        devices: [{ mac: A, licenses: 3 }, { mac: B, licenses: 3 }, { mac: C, licenses: 3 }],
        previouslyActivated: held([[C, 3], [B, 3]]),
        availableDeviceLicenses: 7,
      }),
    );
    expect(outcome(plan)).toEqual(['01 insufficient_device_licenses', '02 on', '03 on']);
    expect(plan.allocatedDeviceLicenses).toBe(6);
  });

  it('considers kept devices in request order with their current licenses', () => {
    // B grew from 1 to 6 licenses and no longer fits after A; C still does.
    const plan = planActivation(
      input({
        devices: [{ mac: A, licenses: 4 }, { mac: B, licenses: 6 }, { mac: C, licenses: 2 }],
        previouslyActivated: held([[A, 4], [B, 1], [C, 2]]),
        availableDeviceLicenses: 8,
      }),
    );
    expect(outcome(plan)).toEqual(['01 on', '02 insufficient_device_licenses', '03 on']);
    expect(plan.deactivated).toEqual([B]);
    expect(plan.allocatedDeviceLicenses).toBe(6);
  });

  it('skips a device that is too big and fits a smaller one listed later', () => {
    const plan = planActivation(
      input({ devices: [{ mac: A, licenses: 4 }, { mac: B, licenses: 5 }, { mac: C, licenses: 2 }, { mac: D, licenses: 1 }], availableDeviceLicenses: 7 }),
    );
    expect(outcome(plan)).toEqual(['01 on', '02 insufficient_device_licenses', '03 on', '04 on']);
    expect(plan.allocatedDeviceLicenses).toBe(7);
  });

  it('after the window, keeps activated devices and refuses new and replacement ones', () => {
    const plan = planActivation(
      input({
        devices: [{ mac: A, licenses: 1 }, { mac: E, licenses: 1 }, { mac: B, licenses: 2 }],
        previouslyActivated: held([[A, 1], [B, 2], [C, 1]]),
        withinActivationWindow: false,
        availableDeviceLicenses: 100,
      }),
    );
    expect(outcome(plan)).toEqual(['01 on', '05 activation_period_ended', '02 on']);
    expect(plan.released).toEqual([C]);
    expect(plan.allocatedDeviceLicenses).toBe(3);
  });

  it('after the window, a kept device that no longer fits cannot come back: activation_period_ended', () => {
    const plan = planActivation(
      input({
        devices: [{ mac: A, licenses: 3 }, { mac: B, licenses: 3 }],
        previouslyActivated: held([[A, 1], [B, 1]]),
        withinActivationWindow: false,
        availableDeviceLicenses: 4,
      }),
    );
    expect(outcome(plan)).toEqual(['01 on', '02 activation_period_ended']);
    expect(plan.deactivated).toEqual([B]);
  });

  it('honours the edition device cap, for kept devices too', () => {
    const plan = planActivation(
      input({
        devices: [{ mac: A, licenses: 1 }, { mac: B, licenses: 1 }, { mac: C, licenses: 1 }, { mac: D, licenses: 1 }],
        previouslyActivated: held([[D, 1]]),
        maxActivatedDevices: 2,
        availableDeviceLicenses: 8,
      }),
    );
    expect(outcome(plan)).toEqual(['01 on', '02 edition_device_limit', '03 edition_device_limit', '04 on']);
    expect(plan.activatedDevices).toBe(2);
  });

  it('a cap of 0 (other installations hold the edition maximum) activates nothing', () => {
    const plan = planActivation(input({ devices: [{ mac: A, licenses: 1 }], maxActivatedDevices: 0 }));
    expect(outcome(plan)).toEqual(['01 edition_device_limit']);
    expect(plan.allocatedDeviceLicenses).toBe(0);
  });

  it('reports the cap over missing licenses once the cap is reached', () => {
    // B is skipped for licenses while the cap still has room; once C fills the cap, the cap is what
    // stands in B's way, and re-planning from the resulting state gives the same reason.
    const plan = planActivation(
      input({ devices: [{ mac: A, licenses: 5 }, { mac: B, licenses: 8 }, { mac: C, licenses: 1 }], maxActivatedDevices: 2 }),
    );
    expect(outcome(plan)).toEqual(['01 on', '02 edition_device_limit', '03 on']);
  });

  it('never activates a device another installation of the SLC holds', () => {
    const plan = planActivation(
      input({
        devices: [{ mac: A, licenses: 1 }, { mac: B, licenses: 1 }],
        heldElsewhere: new Set([B]),
        withinActivationWindow: false,
        maxActivatedDevices: 0,
        availableDeviceLicenses: 0,
      }),
    );
    // held elsewhere wins over every other reason
    expect(outcome(plan)).toEqual(['01 activation_period_ended', '02 activated_in_another_installation']);
  });

  it('leaves a new device without room in the device storage not activated, and activates the rest', () => {
    const plan = planActivation(input({ devices: [{ mac: A, licenses: 1 }, { mac: B, licenses: 1 }], withoutRoom: new Set([A]) }));
    expect(outcome(plan)).toEqual(['01 device_capacity_exceeded', '02 on']);
    expect(plan.allocatedDeviceLicenses).toBe(1);
  });

  it.each<[string, Partial<PlanInput>, string]>([
    ['held elsewhere first', { heldElsewhere: new Set([A]), withinActivationWindow: false, maxActivatedDevices: 0, availableDeviceLicenses: 0 }, 'activated_in_another_installation'],
    ['then room in the device storage', { withoutRoom: new Set([A]), withinActivationWindow: false, maxActivatedDevices: 0, availableDeviceLicenses: 0 }, 'device_capacity_exceeded'],
    ['then the window', { withinActivationWindow: false, maxActivatedDevices: 0, availableDeviceLicenses: 0 }, 'activation_period_ended'],
    ['then the cap', { maxActivatedDevices: 0, availableDeviceLicenses: 0 }, 'edition_device_limit'],
    ['then licenses', { availableDeviceLicenses: 0 }, 'insufficient_device_licenses'],
  ])('reason precedence for a new device: %s', (_label, overrides, reason) => {
    const plan = planActivation(input({ devices: [{ mac: A, licenses: 1 }], ...overrides }));
    expect(plan.devices[0]).toEqual({ mac: A, licenses: 1, status: 'not_activated', reason });
  });

  it('counts video push users after the devices', () => {
    const plan = planActivation(
      input({ devices: [{ mac: A, licenses: 3 }, { mac: B, licenses: 4 }], availableDeviceLicenses: 9, videoPushUsers: 5 }),
    );
    expect(outcome(plan)).toEqual(['01 on', '02 on']);
    expect(plan.videoPush).toEqual({ users: 5, licensed: 2 });
    expect(plan.allocatedDeviceLicenses).toBe(9);
  });

  it('licenses every video push user when there is room, and none when there is not', () => {
    expect(planActivation(input({ availableDeviceLicenses: 10, videoPushUsers: 4 })).videoPush).toEqual({ users: 4, licensed: 4 });
    const full = planActivation(input({ devices: [{ mac: A, licenses: 10 }], availableDeviceLicenses: 10, videoPushUsers: 4 }));
    expect(full.videoPush).toEqual({ users: 4, licensed: 0 });
    expect(full.allocatedDeviceLicenses).toBe(10);
  });

  it('video push users do not need the activation window or the device cap', () => {
    const plan = planActivation(input({ withinActivationWindow: false, maxActivatedDevices: 0, videoPushUsers: 3 }));
    expect(plan.videoPush).toEqual({ users: 3, licensed: 3 });
  });

  it('releases previously activated devices no longer listed, sorted', () => {
    const plan = planActivation(
      input({ devices: [{ mac: B, licenses: 1 }], previouslyActivated: held([[E, 1], [B, 1], [A, 2], [C, 1]]) }),
    );
    expect(plan.released).toEqual([A, C, E]);
    expect(outcome(plan)).toEqual(['02 on']);
    expect(plan.allocatedDeviceLicenses).toBe(1);
  });

  it('an empty configuration releases everything and allocates only video push', () => {
    const plan = planActivation(input({ previouslyActivated: held([[A, 1]]), videoPushUsers: 2 }));
    expect(plan).toEqual({
      devices: [],
      released: [A],
      deactivated: [],
      disabled: [],
      status: 'activated',
      videoPush: { users: 2, licensed: 2 },
      allocatedDeviceLicenses: 2,
      activatedDevices: 0,
    });
  });

  it('treats a negative availability or cap as none', () => {
    const plan = planActivation(input({ devices: [{ mac: A, licenses: 1 }], availableDeviceLicenses: -3, videoPushUsers: 1 }));
    expect(outcome(plan)).toEqual(['01 insufficient_device_licenses']);
    expect(plan.allocatedDeviceLicenses).toBe(0);
    expect(planActivation(input({ devices: [{ mac: A, licenses: 1 }], maxActivatedDevices: -1 })).activatedDevices).toBe(0);
  });

  it('refuses a repeated MAC or a device needing fewer than one license', () => {
    expect(() => planActivation(input({ devices: [{ mac: A, licenses: 1 }, { mac: A, licenses: 1 }] }))).toThrow(RangeError);
    expect(() => planActivation(input({ devices: [{ mac: A, licenses: 0 }] }))).toThrow(RangeError);
    expect(() => planActivation(input({ videoPushUsers: -1 }))).toThrow(RangeError);
  });

  it('does not change its inputs', () => {
    const previouslyActivated = held([[A, 1]]);
    const devices = [{ mac: B, licenses: 1 }];
    planActivation(input({ devices, previouslyActivated }));
    expect([...previouslyActivated]).toEqual([[A, { licenses: 1 }]]);
    expect(devices).toEqual([{ mac: B, licenses: 1 }]);
  });
});
