import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addOnsBelowUsage, addOnUsageView, allocateAddOns, NOTHING_HELD, type AddOnPoolInput } from '../../shared/domain/add-on-pools';

const base = (overrides: Partial<AddOnPoolInput>): AddOnPoolInput => ({
  product: 'corporate',
  version: '2025 R1',
  entitlements: { access: { doors: 4 }, lpr: { cameras: 3, plateLibraries: 1 }, managementServerFailover: true },
  requested: {},
  usedBySlc: {},
  heldByThis: NOTHING_HELD,
  failoverHolder: null,
  installationId: 'me',
  ...overrides,
});

describe('allocateAddOns: quantities pooled per SLC (§5.4 rev 2)', () => {
  it.each<[string, Partial<AddOnPoolInput>, Record<string, unknown>, Record<string, number>, Record<string, number>]>([
    ['all of a free pool', { requested: { access: { doors: 4 } } }, { access: { status: 'licensed', requested: { doors: 4 }, licensed: { doors: 4 } } }, { 'access.doors': 4 }, { 'access.doors': 4 }],
    [
      'what the other installations left',
      { requested: { access: { doors: 4 } }, usedBySlc: { 'access.doors': 3 } },
      { access: { status: 'partially_licensed', requested: { doors: 4 }, licensed: { doors: 1 } } },
      { 'access.doors': 1 },
      { 'access.doors': 1 },
    ],
    [
      'nothing left: not_licensed',
      { requested: { access: { doors: 2 } }, usedBySlc: { 'access.doors': 4 } },
      { access: { status: 'not_licensed', requested: { doors: 2 }, licensed: { doors: 0 } } },
      {},
      {},
    ],
    [
      'keeps what it held while it still requests it',
      { requested: { access: { doors: 3 } }, usedBySlc: { 'access.doors': 4 }, heldByThis: { quantities: { 'access.doors': 3 }, managementServerFailover: false } },
      { access: { status: 'licensed', requested: { doors: 3 }, licensed: { doors: 3 } } },
      { 'access.doors': 3 },
      {},
    ],
    [
      'releases what it no longer requests',
      { requested: { access: { doors: 1 } }, usedBySlc: { 'access.doors': 4, 'lpr.cameras': 2 }, heldByThis: { quantities: { 'access.doors': 3, 'lpr.cameras': 2 }, managementServerFailover: false } },
      { access: { status: 'licensed', requested: { doors: 1 }, licensed: { doors: 1 } } },
      { 'access.doors': 1 },
      { 'access.doors': -2, 'lpr.cameras': -2 },
    ],
    [
      'each quantity of an add-on on its own',
      { requested: { lpr: { cameras: 3, plateLibraries: 2 } }, usedBySlc: { 'lpr.cameras': 1 } },
      { lpr: { status: 'partially_licensed', requested: { cameras: 3, plateLibraries: 2 }, licensed: { cameras: 2, plateLibraries: 1 } } },
      { 'lpr.cameras': 2, 'lpr.plateLibraries': 1 },
      { 'lpr.cameras': 2, 'lpr.plateLibraries': 1 },
    ],
    [
      'not available for the edition holds nothing',
      { product: 'essential-plus', requested: { access: { doors: 2 } }, heldByThis: { quantities: { 'access.doors': 2 }, managementServerFailover: false }, usedBySlc: { 'access.doors': 2 } },
      { access: { status: 'not_available_for_edition', requested: { doors: 2 }, licensed: { doors: 0 } } },
      {},
      { 'access.doors': -2 },
    ],
    [
      'not available for the version holds nothing',
      { version: '2023 R3', entitlements: { hospitalAssist: { channels: 5 } }, requested: { hospitalAssist: { channels: 2 } } },
      { hospitalAssist: { status: 'not_available_for_version', requested: { channels: 2 }, licensed: { channels: 0 } } },
      {},
      {},
    ],
  ])('%s', (_case, overrides, evaluations, held, delta) => {
    const plan = allocateAddOns(base(overrides));
    expect(plan.evaluations).toEqual(evaluations);
    expect(plan.held.quantities).toEqual(held);
    expect(plan.delta).toEqual(delta);
  });

  it('does not pool Smart Wall and Incident Manager', () => {
    const plan = allocateAddOns(base({ requested: { smartWall: true, incidentManager: true } }));
    expect(plan.evaluations).toEqual({
      smartWall: { status: 'licensed', requested: true, licensed: true },
      incidentManager: { status: 'licensed', requested: true, licensed: true },
    });
    expect(plan.delta).toEqual({});
  });
});

describe('allocateAddOns: one designated failover pair', () => {
  it.each<[string, Partial<AddOnPoolInput>, string, boolean, string]>([
    ['the first installation that requests it holds it', { requested: { managementServerFailover: true } }, 'licensed', true, 'take'],
    ['another installation holds it: not_licensed', { requested: { managementServerFailover: true }, failoverHolder: 'other' }, 'not_licensed', false, 'unchanged'],
    ['the holder keeps it', { requested: { managementServerFailover: true }, failoverHolder: 'me', heldByThis: { quantities: {}, managementServerFailover: true } }, 'licensed', true, 'unchanged'],
    ['the holder no longer requesting it releases it', { requested: { managementServerFailover: false }, failoverHolder: 'me', heldByThis: { quantities: {}, managementServerFailover: true } }, 'licensed', false, 'release'],
    ['without the entitlement: not_licensed', { entitlements: {}, requested: { managementServerFailover: true } }, 'not_licensed', false, 'unchanged'],
    ['expert before 2022 R1: not available for the version', { product: 'expert', version: '2021 R3', requested: { managementServerFailover: true } }, 'not_available_for_version', false, 'unchanged'],
  ])('%s', (_case, overrides, status, holds, failover) => {
    const plan = allocateAddOns(base(overrides));
    expect(plan.evaluations.managementServerFailover?.status).toBe(status);
    expect(plan.held.managementServerFailover).toBe(holds);
    expect(plan.failover).toBe(failover);
  });

  it('releases the pair when the add-on is left out of the request', () => {
    const plan = allocateAddOns(base({ failoverHolder: 'me', heldByThis: { quantities: {}, managementServerFailover: true } }));
    expect(plan.failover).toBe('release');
  });
});

describe('allocateAddOns: installations in any order never hold more than the entitlement', () => {
  it('holds for every sequence of requests and re-activations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 8 })), { maxLength: 40 }), (doors, requests) => {
        const held = new Map<number, number>();
        for (const [installation, requested] of requests) {
          const used = [...held.values()].reduce((sum, value) => sum + value, 0);
          const plan = allocateAddOns(
            base({
              entitlements: { access: { doors } },
              requested: { access: { doors: requested } },
              usedBySlc: { 'access.doors': used },
              heldByThis: { quantities: { 'access.doors': held.get(installation) ?? 0 }, managementServerFailover: false },
              installationId: String(installation),
            }),
          );
          const before = held.get(installation) ?? 0;
          const after = plan.held.quantities['access.doors'] ?? 0;
          expect(after - before).toBe(plan.delta['access.doors'] ?? 0);
          // Kept while still requested: never less than min(requested, what it held).
          expect(after).toBeGreaterThanOrEqual(Math.min(requested, before));
          expect(after).toBeLessThanOrEqual(requested);
          held.set(installation, after);
          expect([...held.values()].reduce((sum, value) => sum + value, 0)).toBeLessThanOrEqual(doors);
        }
      }),
    );
  });
});

describe('addOnsBelowUsage and addOnUsageView', () => {
  it.each([
    [{ access: { doors: 3 } }, { 'access.doors': 3 }, false, []],
    [{ access: { doors: 2 } }, { 'access.doors': 3 }, false, ['access.doors']],
    [{}, { 'lpr.plateLibraries': 1 }, false, ['lpr.plateLibraries']],
    [{ managementServerFailover: false }, {}, true, ['managementServerFailover']],
    [{ managementServerFailover: true }, {}, true, []],
  ] as const)('%j with %j held (failover %s) → %j', (entitlements, used, failover, below) => {
    expect(addOnsBelowUsage(entitlements, used, failover)).toEqual(below);
  });

  it('shows the quantities held in the shape of the entitlement', () => {
    expect(addOnUsageView({ access: { doors: 4 }, lpr: { cameras: 2 }, smartWall: true }, { 'access.doors': 3 })).toEqual({
      access: { doors: 3 },
      lpr: { cameras: 0, plateLibraries: 0 },
    });
    expect(addOnUsageView({}, { 'transact.connections': 1 })).toEqual({ transact: { connections: 1 } });
  });
});
