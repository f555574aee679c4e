import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planActivation, type ActivationPlan, type PlanInput } from '../../shared/domain/activation-plan';

/** A small pool of MACs so requests, held devices and devices held elsewhere overlap often. */
const POOL = Array.from({ length: 14 }, (_, i) => `00:1b:00:00:00:${i.toString(16).padStart(2, '0')}`);
const mac = fc.constantFrom(...POOL);

const planInput: fc.Arbitrary<PlanInput> = fc
  .record({
    devices: fc.uniqueArray(fc.record({ mac, licenses: fc.integer({ min: 1, max: 6 }) }), {
      selector: (device) => device.mac,
      maxLength: POOL.length,
    }),
    held: fc.uniqueArray(fc.tuple(mac, fc.integer({ min: 1, max: 6 })), { selector: ([m]) => m, maxLength: POOL.length }),
    elsewhere: fc.uniqueArray(mac, { maxLength: 5 }),
    full: fc.uniqueArray(mac, { maxLength: 4 }),
    availableDeviceLicenses: fc.integer({ min: 0, max: 40 }),
    maxActivatedDevices: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
    withinActivationWindow: fc.boolean(),
    videoPushUsers: fc.integer({ min: 0, max: 12 }),
  })
  .map(({ devices, held, elsewhere, full, ...rest }) => {
    // In the store a device has one holder: devices held elsewhere are not held here.
    const heldElsewhere = new Set(elsewhere.filter((m) => !held.some(([h]) => h === m)));
    // Only a device its group does not have yet can find the group full.
    const withoutRoom = new Set(full.filter((m) => !held.some(([h]) => h === m) && !heldElsewhere.has(m)));
    return { devices, previouslyActivated: new Map(held.map(([m, licenses]) => [m, { licenses }])), heldElsewhere, withoutRoom, ...rest };
  });

const activatedOf = (plan: ActivationPlan) => plan.devices.filter((device) => device.status === 'activated');

describe('planActivation properties (§5.5)', () => {
  it('never allocates more than is available, and the allocation adds up', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const plan = planActivation(input);
        const deviceLicenses = activatedOf(plan).reduce((sum, device) => sum + device.licenses, 0);
        expect(plan.allocatedDeviceLicenses).toBeLessThanOrEqual(input.availableDeviceLicenses);
        expect(plan.allocatedDeviceLicenses).toBe(deviceLicenses + plan.videoPush.licensed);
        expect(plan.videoPush.users).toBe(input.videoPushUsers);
        expect(plan.videoPush.licensed).toBeGreaterThanOrEqual(0);
        expect(plan.videoPush.licensed).toBeLessThanOrEqual(input.videoPushUsers);
      }),
      { numRuns: 500 },
    );
  });

  it('never activates more devices than the cap', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const plan = planActivation(input);
        expect(plan.activatedDevices).toBe(activatedOf(plan).length);
        if (input.maxActivatedDevices !== null) expect(plan.activatedDevices).toBeLessThanOrEqual(input.maxActivatedDevices);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps request order and covers every requested device exactly once, with its licenses', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const plan = planActivation(input);
        expect(plan.devices.map(({ mac: m, licenses }) => ({ mac: m, licenses }))).toEqual(input.devices);
        for (const device of plan.devices) {
          if (device.status === 'activated') expect(device.reason).toBeUndefined();
          else expect(device.reason).toBeDefined();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never activates a device held elsewhere, nor one without room, nor a new device after the window', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        for (const device of activatedOf(planActivation(input))) {
          expect(input.heldElsewhere.has(device.mac)).toBe(false);
          expect(input.withoutRoom!.has(device.mac)).toBe(false);
          if (!input.withinActivationWindow) expect(input.previouslyActivated.has(device.mac)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives each not-activated device a reason that holds in the resulting state', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const plan = planActivation(input);
        const left = input.availableDeviceLicenses - (plan.allocatedDeviceLicenses - plan.videoPush.licensed);
        for (const device of plan.devices) {
          if (device.reason === 'activated_in_another_installation') expect(input.heldElsewhere.has(device.mac)).toBe(true);
          if (device.reason === 'device_capacity_exceeded') expect(input.withoutRoom!.has(device.mac)).toBe(true);
          if (device.reason === 'activation_period_ended') expect(input.withinActivationWindow).toBe(false);
          if (device.reason === 'edition_device_limit') expect(plan.activatedDevices).toBe(input.maxActivatedDevices);
          if (device.reason === 'insufficient_device_licenses') expect(device.licenses).toBeGreaterThan(left);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is a no-op when re-planned against the state it leaves', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const plan = planActivation(input);
        const previouslyActivated = new Map(activatedOf(plan).map((device) => [device.mac, { licenses: device.licenses }]));
        const again = planActivation({ ...input, previouslyActivated });
        expect(again).toEqual({ ...plan, released: [], deactivated: [] });
      }),
      { numRuns: 500 },
    );
  });

  it('releases exactly the held devices no longer requested, sorted', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const plan = planActivation(input);
        const requested = new Set(input.devices.map((device) => device.mac));
        for (const released of plan.released) expect(requested.has(released)).toBe(false);
        const expected = [...input.previouslyActivated.keys()].filter((m) => !requested.has(m));
        expect(plan.released).toEqual([...expected].sort());
        expect(plan.deactivated).toEqual(
          plan.devices.filter((d) => d.status === 'not_activated' && input.previouslyActivated.has(d.mac)).map((d) => d.mac),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every held device when everything still fits', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        const kept = input.devices.filter((device) => input.previouslyActivated.has(device.mac));
        const keptLicenses = kept.reduce((sum, device) => sum + device.licenses, 0);
        fc.pre(keptLicenses <= input.availableDeviceLicenses);
        fc.pre(input.maxActivatedDevices === null || kept.length <= input.maxActivatedDevices);
        const plan = planActivation(input);
        for (const device of plan.devices) {
          if (input.previouslyActivated.has(device.mac)) expect(device.status).toBe('activated');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(planInput, (input) => {
        expect(planActivation(input)).toEqual(planActivation(input));
      }),
      { numRuns: 200 },
    );
  });
});
