import type { AddOns } from '../../shared/domain/add-ons';
import { describe, expect, it } from 'vitest';
import { addOnsNotAvailable, checkEntitlements, grantedAddOns } from '../../shared/domain/license-entitlements';
import type { Product } from '../../shared/domain/products';

const everyAddOn: AddOns = {
  access: { doors: 4 },
  lpr: { cameras: 2, plateLibraries: 1 },
  transact: { connections: 1 },
  hospitalAssist: { channels: 3 },
  interconnect: { cameras: 10 },
  smartWall: true,
  incidentManager: true,
  managementServerFailover: true,
};

describe('add-on availability by edition (API.md §5.4)', () => {
  it.each<[Product, string[]]>([
    ['corporate', []],
    ['expert', []],
    ['professional-plus', ['smartWall', 'managementServerFailover']],
    ['express-plus', ['smartWall', 'managementServerFailover']],
    ['essential-plus', ['access', 'lpr', 'transact', 'hospitalAssist', 'interconnect', 'smartWall', 'incidentManager', 'managementServerFailover']],
  ])('%s cannot have %j', (product, unavailable) => {
    expect(addOnsNotAvailable(product, everyAddOn)).toEqual(unavailable);
  });

  it.each<[Product, AddOns, string[]]>([
    ['essential-plus', { access: { doors: 1 } }, ['access']],
    ['essential-plus', { lpr: { plateLibraries: 1 } }, ['lpr']],
    ['essential-plus', { incidentManager: true }, ['incidentManager']],
    ['professional-plus', { smartWall: true }, ['smartWall']],
    ['express-plus', { smartWall: true, incidentManager: true }, ['smartWall']],
    ['professional-plus', { managementServerFailover: true }, ['managementServerFailover']],
    ['expert', { smartWall: true, managementServerFailover: true }, []],
    ['professional-plus', { incidentManager: true, access: { doors: 20 } }, []],
  ])('%s with %j: refused %j', (product, addOns, unavailable) => {
    expect(addOnsNotAvailable(product, addOns)).toEqual(unavailable);
  });

  it('takes false flags and zero quantities for no entitlement', () => {
    const nothing: AddOns = { access: { doors: 0 }, lpr: {}, smartWall: false, incidentManager: false, managementServerFailover: false };
    expect(grantedAddOns(nothing)).toEqual([]);
    expect(addOnsNotAvailable('essential-plus', nothing)).toEqual([]);
  });
});

describe('entitlement check at issue and change (API.md §4)', () => {
  it.each<[Product, number, AddOns, string | undefined]>([
    ['essential-plus', 8, {}, undefined],
    ['essential-plus', 9, {}, 'edition_limit'],
    ['essential-plus', 0, {}, undefined],
    ['essential-plus', 9, { smartWall: true }, 'edition_limit'],
    ['essential-plus', 8, { smartWall: true }, 'add_on_not_available'],
    ['express-plus', 500, {}, undefined],
    ['corporate', 100_000, everyAddOn, undefined],
    ['professional-plus', 10, { managementServerFailover: true }, 'add_on_not_available'],
  ])('%s with %d device licenses and %j → %s', (product, deviceLicenses, addOns, code) => {
    expect(checkEntitlements(product, { deviceLicenses, addOns })?.code).toBe(code);
  });
});
