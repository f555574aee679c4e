import { describe, expect, it } from 'vitest';
import {
  addOnAvailability,
  evaluateAddOns,
  type AddOnAvailability,
  type AddOnName,
  type AddOnStatus,
  type AddOns,
} from '../../shared/domain/add-ons';
import type { Product } from '../../shared/domain/products';

const ALL: AddOns = {
  access: { doors: 100 },
  lpr: { cameras: 100, plateLibraries: 100 },
  transact: { connections: 100 },
  hospitalAssist: { channels: 100 },
  interconnect: { cameras: 100 },
  smartWall: true,
  incidentManager: true,
  managementServerFailover: true,
};

describe('addOnAvailability: edition, then version (§5.4)', () => {
  it.each<[AddOnName, Product, string, AddOnAvailability]>([
    // quantity add-ons: any edition but essential-plus
    ['access', 'corporate', '2020 R1', 'entitlement'],
    ['access', 'expert', '2025 R1', 'entitlement'],
    ['access', 'professional-plus', '2025 R1', 'entitlement'],
    ['access', 'express-plus', '2025 R1', 'entitlement'],
    ['access', 'essential-plus', '2025 R1', 'not_available_for_edition'],
    ['lpr', 'express-plus', '2025 R1', 'entitlement'],
    ['lpr', 'essential-plus', '2025 R1', 'not_available_for_edition'],
    ['transact', 'professional-plus', '2019 R3', 'entitlement'],
    ['transact', 'essential-plus', '2025 R1', 'not_available_for_edition'],
    ['interconnect', 'corporate', '2025 R1', 'entitlement'],
    ['interconnect', 'essential-plus', '2025 R1', 'not_available_for_edition'],
    // hospital assist: also 2024 R1 or later
    ['hospitalAssist', 'corporate', '2024 R1', 'entitlement'],
    ['hospitalAssist', 'express-plus', '2025 R2', 'entitlement'],
    ['hospitalAssist', 'corporate', '2023 R3', 'not_available_for_version'],
    ['hospitalAssist', 'essential-plus', '2023 R3', 'not_available_for_edition'], // edition before version
    ['hospitalAssist', 'essential-plus', '2025 R1', 'not_available_for_edition'],
    // smart wall
    ['smartWall', 'corporate', '2018 R1', 'included'],
    ['smartWall', 'expert', '2025 R1', 'entitlement'],
    ['smartWall', 'professional-plus', '2025 R1', 'not_available_for_edition'],
    ['smartWall', 'express-plus', '2025 R1', 'not_available_for_edition'],
    ['smartWall', 'essential-plus', '2025 R1', 'not_available_for_edition'],
    // incident manager
    ['incidentManager', 'corporate', '2022 R2', 'included'],
    ['incidentManager', 'corporate', '2022 R1', 'not_available_for_version'],
    ['incidentManager', 'expert', '2022 R3', 'entitlement'],
    ['incidentManager', 'expert', '2022 R2', 'not_available_for_version'],
    ['incidentManager', 'professional-plus', '2023 R1', 'entitlement'],
    ['incidentManager', 'professional-plus', '2021 R3', 'not_available_for_version'],
    ['incidentManager', 'express-plus', '2022 R3', 'entitlement'],
    ['incidentManager', 'express-plus', '2022 R2', 'not_available_for_version'],
    ['incidentManager', 'essential-plus', '2025 R1', 'not_available_for_edition'],
    ['incidentManager', 'essential-plus', '2020 R1', 'not_available_for_edition'], // edition before version
    // management server failover
    ['managementServerFailover', 'corporate', '2022 R1', 'entitlement'],
    ['managementServerFailover', 'corporate', '2021 R3', 'not_available_for_version'],
    ['managementServerFailover', 'expert', '2024 R2', 'entitlement'],
    ['managementServerFailover', 'expert', '2021 R1', 'not_available_for_version'],
    ['managementServerFailover', 'professional-plus', '2025 R1', 'not_available_for_edition'],
    ['managementServerFailover', 'express-plus', '2021 R1', 'not_available_for_edition'], // edition before version
    ['managementServerFailover', 'essential-plus', '2025 R1', 'not_available_for_edition'],
  ])('%s on %s %s → %s', (name, product, version, expected) => {
    expect(addOnAvailability(product, version, name)).toBe(expected);
  });
});

describe('evaluateAddOns: quantity add-ons', () => {
  it.each<[string, Product, string, AddOns, AddOns, AddOnName, AddOnStatus, unknown, unknown]>([
    ['within entitlement', 'corporate', '2025 R1', { access: { doors: 10 } }, { access: { doors: 4 } }, 'access', 'licensed', { doors: 4 }, { doors: 4 }],
    ['exactly the entitlement', 'expert', '2025 R1', { access: { doors: 4 } }, { access: { doors: 4 } }, 'access', 'licensed', { doors: 4 }, { doors: 4 }],
    ['above entitlement', 'expert', '2025 R1', { access: { doors: 3 } }, { access: { doors: 4 } }, 'access', 'partially_licensed', { doors: 4 }, { doors: 3 }],
    ['no entitlement', 'expert', '2025 R1', {}, { access: { doors: 4 } }, 'access', 'not_licensed', { doors: 4 }, { doors: 0 }],
    ['entitlement 0', 'expert', '2025 R1', { access: { doors: 0 } }, { access: { doors: 1 } }, 'access', 'not_licensed', { doors: 1 }, { doors: 0 }],
    ['request of 0 without entitlement', 'expert', '2025 R1', {}, { access: { doors: 0 } }, 'access', 'licensed', { doors: 0 }, { doors: 0 }],
    ['missing quantity counts as 0', 'expert', '2025 R1', {}, { access: {} }, 'access', 'licensed', { doors: 0 }, { doors: 0 }],
    ['lpr both within', 'professional-plus', '2025 R1', { lpr: { cameras: 5, plateLibraries: 2 } }, { lpr: { cameras: 2, plateLibraries: 1 } }, 'lpr', 'licensed', { cameras: 2, plateLibraries: 1 }, { cameras: 2, plateLibraries: 1 }],
    ['lpr one above, other licensed', 'professional-plus', '2025 R1', { lpr: { cameras: 1, plateLibraries: 2 } }, { lpr: { cameras: 3, plateLibraries: 1 } }, 'lpr', 'partially_licensed', { cameras: 3, plateLibraries: 1 }, { cameras: 1, plateLibraries: 1 }],
    ['lpr cameras above with 0 entitled, libraries licensed', 'express-plus', '2025 R1', { lpr: { plateLibraries: 2 } }, { lpr: { cameras: 3, plateLibraries: 1 } }, 'lpr', 'partially_licensed', { cameras: 3, plateLibraries: 1 }, { cameras: 0, plateLibraries: 1 }],
    ['lpr above, nothing licensed', 'express-plus', '2025 R1', { lpr: { plateLibraries: 2 } }, { lpr: { cameras: 3 } }, 'lpr', 'not_licensed', { cameras: 3, plateLibraries: 0 }, { cameras: 0, plateLibraries: 0 }],
    ['lpr partial request', 'corporate', '2025 R1', { lpr: { cameras: 4 } }, { lpr: { cameras: 2 } }, 'lpr', 'licensed', { cameras: 2, plateLibraries: 0 }, { cameras: 2, plateLibraries: 0 }],
    ['transact above', 'corporate', '2025 R1', { transact: { connections: 2 } }, { transact: { connections: 5 } }, 'transact', 'partially_licensed', { connections: 5 }, { connections: 2 }],
    ['interconnect within', 'expert', '2025 R1', { interconnect: { cameras: 10 } }, { interconnect: { cameras: 10 } }, 'interconnect', 'licensed', { cameras: 10 }, { cameras: 10 }],
    ['hospital assist 2024 R1', 'corporate', '2024 R1', { hospitalAssist: { channels: 3 } }, { hospitalAssist: { channels: 3 } }, 'hospitalAssist', 'licensed', { channels: 3 }, { channels: 3 }],
    ['hospital assist before 2024 R1, even if entitled', 'corporate', '2023 R3', { hospitalAssist: { channels: 3 } }, { hospitalAssist: { channels: 3 } }, 'hospitalAssist', 'not_available_for_version', { channels: 3 }, { channels: 0 }],
    ['essential-plus, even if entitled', 'essential-plus', '2025 R1', { access: { doors: 10 } }, { access: { doors: 1 } }, 'access', 'not_available_for_edition', { doors: 1 }, { doors: 0 }],
    ['essential-plus, request of 0', 'essential-plus', '2025 R1', {}, { interconnect: { cameras: 0 } }, 'interconnect', 'not_available_for_edition', { cameras: 0 }, { cameras: 0 }],
    ['essential-plus hospital assist old version: edition first', 'essential-plus', '2023 R1', {}, { hospitalAssist: { channels: 1 } }, 'hospitalAssist', 'not_available_for_edition', { channels: 1 }, { channels: 0 }],
  ])('%s', (_label, product, version, entitlements, inUse, name, status, requested, licensed) => {
    expect(evaluateAddOns(product, version, entitlements, inUse)[name]).toEqual({ status, requested, licensed });
  });
});

describe('evaluateAddOns: flag add-ons', () => {
  it.each<[string, Product, string, AddOns, AddOns, AddOnName, AddOnStatus, boolean, boolean]>([
    // smart wall
    ['smart wall included for corporate', 'corporate', '2025 R1', {}, { smartWall: true }, 'smartWall', 'licensed', true, true],
    ['smart wall expert with entitlement', 'expert', '2025 R1', { smartWall: true }, { smartWall: true }, 'smartWall', 'licensed', true, true],
    ['smart wall expert without entitlement', 'expert', '2025 R1', {}, { smartWall: true }, 'smartWall', 'not_licensed', true, false],
    ['smart wall expert, entitlement false', 'expert', '2025 R1', { smartWall: false }, { smartWall: true }, 'smartWall', 'not_licensed', true, false],
    ['smart wall professional-plus', 'professional-plus', '2025 R1', { smartWall: true }, { smartWall: true }, 'smartWall', 'not_available_for_edition', true, false],
    ['smart wall express-plus', 'express-plus', '2025 R1', {}, { smartWall: true }, 'smartWall', 'not_available_for_edition', true, false],
    ['smart wall essential-plus', 'essential-plus', '2025 R1', {}, { smartWall: true }, 'smartWall', 'not_available_for_edition', true, false],
    // incident manager
    ['incident manager corporate 2022 R2, included', 'corporate', '2022 R2', {}, { incidentManager: true }, 'incidentManager', 'licensed', true, true],
    ['incident manager corporate 2022 R1', 'corporate', '2022 R1', { incidentManager: true }, { incidentManager: true }, 'incidentManager', 'not_available_for_version', true, false],
    ['incident manager expert 2022 R3 entitled', 'expert', '2022 R3', { incidentManager: true }, { incidentManager: true }, 'incidentManager', 'licensed', true, true],
    ['incident manager expert 2022 R3 not entitled', 'expert', '2022 R3', {}, { incidentManager: true }, 'incidentManager', 'not_licensed', true, false],
    ['incident manager expert 2022 R2: version before entitlement', 'expert', '2022 R2', {}, { incidentManager: true }, 'incidentManager', 'not_available_for_version', true, false],
    ['incident manager professional-plus 2024 R1 entitled', 'professional-plus', '2024 R1', { incidentManager: true }, { incidentManager: true }, 'incidentManager', 'licensed', true, true],
    ['incident manager express-plus 2023 R1 not entitled', 'express-plus', '2023 R1', {}, { incidentManager: true }, 'incidentManager', 'not_licensed', true, false],
    ['incident manager express-plus 2022 R2 entitled', 'express-plus', '2022 R2', { incidentManager: true }, { incidentManager: true }, 'incidentManager', 'not_available_for_version', true, false],
    ['incident manager essential-plus', 'essential-plus', '2025 R1', { incidentManager: true }, { incidentManager: true }, 'incidentManager', 'not_available_for_edition', true, false],
    // management server failover
    ['failover corporate 2022 R1 entitled', 'corporate', '2022 R1', { managementServerFailover: true }, { managementServerFailover: true }, 'managementServerFailover', 'licensed', true, true],
    ['failover corporate not entitled', 'corporate', '2025 R1', {}, { managementServerFailover: true }, 'managementServerFailover', 'not_licensed', true, false],
    ['failover expert 2021 R3 entitled', 'expert', '2021 R3', { managementServerFailover: true }, { managementServerFailover: true }, 'managementServerFailover', 'not_available_for_version', true, false],
    ['failover expert 2023 R2 entitled', 'expert', '2023 R2', { managementServerFailover: true }, { managementServerFailover: true }, 'managementServerFailover', 'licensed', true, true],
    ['failover professional-plus', 'professional-plus', '2025 R1', { managementServerFailover: true }, { managementServerFailover: true }, 'managementServerFailover', 'not_available_for_edition', true, false],
    ['failover express-plus', 'express-plus', '2025 R1', {}, { managementServerFailover: true }, 'managementServerFailover', 'not_available_for_edition', true, false],
    ['failover essential-plus', 'essential-plus', '2025 R1', {}, { managementServerFailover: true }, 'managementServerFailover', 'not_available_for_edition', true, false],
    // present with false: reported, nothing requested, nothing licensed; edition and version still apply
    ['false, available, not entitled', 'expert', '2025 R1', {}, { smartWall: false }, 'smartWall', 'licensed', false, false],
    ['false, included', 'corporate', '2025 R1', {}, { smartWall: false }, 'smartWall', 'licensed', false, false],
    ['false, entitled', 'corporate', '2025 R1', { managementServerFailover: true }, { managementServerFailover: false }, 'managementServerFailover', 'licensed', false, false],
    ['false, not available for edition', 'essential-plus', '2025 R1', {}, { incidentManager: false }, 'incidentManager', 'not_available_for_edition', false, false],
    ['false, not available for version', 'expert', '2022 R1', {}, { incidentManager: false }, 'incidentManager', 'not_available_for_version', false, false],
  ])('%s', (_label, product, version, entitlements, inUse, name, status, requested, licensed) => {
    expect(evaluateAddOns(product, version, entitlements, inUse)[name]).toEqual({ status, requested, licensed });
  });
});

describe('evaluateAddOns: the result', () => {
  it('has one entry per add-on present in the request, and none for absent ones', () => {
    const result = evaluateAddOns('corporate', '2025 R1', ALL, { access: { doors: 1 }, smartWall: false });
    expect(Object.keys(result)).toEqual(['access', 'smartWall']);
  });

  it('is empty for an empty request', () => {
    expect(evaluateAddOns('corporate', '2025 R1', ALL, {})).toEqual({});
  });

  it('reports every add-on of a full request on a corporate license with everything', () => {
    const inUse: AddOns = {
      access: { doors: 4 },
      lpr: { cameras: 2, plateLibraries: 1 },
      transact: { connections: 1 },
      hospitalAssist: { channels: 3 },
      interconnect: { cameras: 10 },
      smartWall: true,
      incidentManager: true,
      managementServerFailover: true,
    };
    const result = evaluateAddOns('corporate', '2025 R1', ALL, inUse);
    expect(Object.keys(result)).toEqual(['access', 'lpr', 'transact', 'hospitalAssist', 'interconnect', 'smartWall', 'incidentManager', 'managementServerFailover']);
    for (const evaluation of Object.values(result)) {
      expect(evaluation.status).toBe('licensed');
      expect(evaluation.licensed).toEqual(evaluation.requested);
    }
  });

  it('evaluates every add-on of an essential-plus request as not available for the edition', () => {
    const inUse: AddOns = { access: { doors: 1 }, lpr: { cameras: 1 }, transact: {}, hospitalAssist: { channels: 1 }, interconnect: { cameras: 1 }, smartWall: true, incidentManager: true, managementServerFailover: true };
    const statuses = Object.values(evaluateAddOns('essential-plus', '2025 R1', ALL, inUse)).map((evaluation) => evaluation.status);
    expect(statuses).toEqual(Array(8).fill('not_available_for_edition'));
  });

  it('does not change its inputs', () => {
    const entitlements: AddOns = { lpr: { cameras: 1 } };
    const inUse: AddOns = { lpr: { cameras: 3 } };
    evaluateAddOns('expert', '2025 R1', entitlements, inUse);
    expect(entitlements).toEqual({ lpr: { cameras: 1 } });
    expect(inUse).toEqual({ lpr: { cameras: 3 } });
  });
});
