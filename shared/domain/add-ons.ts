/**
 * Add-ons in use and what the license grants of them (API.md §5.4). Pure functions; no I/O.
 */
import type { Product } from './products';
import { isVersionAtLeast } from './versions';

export type AddOnName =
  | 'access'
  | 'lpr'
  | 'transact'
  | 'hospitalAssist'
  | 'interconnect'
  | 'smartWall'
  | 'incidentManager'
  | 'managementServerFailover';

/** Response order of the add-ons. */
export const ADD_ON_NAMES: readonly AddOnName[] = [
  'access',
  'lpr',
  'transact',
  'hospitalAssist',
  'interconnect',
  'smartWall',
  'incidentManager',
  'managementServerFailover',
];

export type QuantityAddOnName = 'access' | 'lpr' | 'transact' | 'hospitalAssist' | 'interconnect';
export type FlagAddOnName = Exclude<AddOnName, QuantityAddOnName>;

/** The quantities each quantity add-on is measured in. */
export const ADD_ON_QUANTITIES = {
  access: ['doors'],
  lpr: ['cameras', 'plateLibraries'],
  transact: ['connections'],
  hospitalAssist: ['channels'],
  interconnect: ['cameras'],
} as const satisfies Record<QuantityAddOnName, readonly string[]>;

/**
 * Add-ons by name with their quantities or flags: what a license is entitled to (its `addOns`,
 * API.md §5.4) and what an installation reports in use (`addOnsInUse`) have the same shape.
 * Every part is optional; a missing quantity is 0.
 */
export interface AddOns {
  access?: { doors?: number };
  lpr?: { cameras?: number; plateLibraries?: number };
  transact?: { connections?: number };
  hospitalAssist?: { channels?: number };
  interconnect?: { cameras?: number };
  smartWall?: boolean;
  incidentManager?: boolean;
  managementServerFailover?: boolean;
}

export type AddOnStatus = 'licensed' | 'partially_licensed' | 'not_licensed' | 'not_available_for_edition' | 'not_available_for_version';

export type AddOnQuantities = Record<string, number>;

export interface AddOnEvaluation {
  status: AddOnStatus;
  /** The request's value: every quantity of the add-on (missing ones as 0), or the flag. */
  requested: AddOnQuantities | boolean;
  /** The licensed quantities (each min(requested, entitled)), or whether the flag is licensed. */
  licensed: AddOnQuantities | boolean;
}

export type AddOnEvaluations = Partial<Record<AddOnName, AddOnEvaluation>>;

/**
 * How the edition and version of a license relate to an add-on, before entitlements:
 * `included` (no entitlement needed), `entitlement` (available; the license must grant it), or why
 * it is not available.
 */
export type AddOnAvailability = 'included' | 'entitlement' | 'not_available_for_edition' | 'not_available_for_version';

const QUANTITY_EDITIONS: readonly Product[] = ['corporate', 'expert', 'professional-plus', 'express-plus'];

/** The edition check, then the version check, of one add-on (§5.4, "checked in this order"). */
/** Whether an edition can have the add-on at all, in any version (the edition part of §5.4). */
export function availableForEdition(product: Product, name: AddOnName): boolean {
  switch (name) {
    case 'access':
    case 'lpr':
    case 'transact':
    case 'interconnect':
    case 'hospitalAssist':
      return QUANTITY_EDITIONS.includes(product);
    case 'smartWall':
    case 'managementServerFailover':
      return product === 'corporate' || product === 'expert';
    case 'incidentManager':
      return product !== 'essential-plus';
  }
}

export function addOnAvailability(product: Product, version: string, name: AddOnName): AddOnAvailability {
  if (!availableForEdition(product, name)) return 'not_available_for_edition';
  switch (name) {
    // "access (doors), lpr (cameras, plate libraries), transact (connections), hospital assist
    // (channels), interconnect (cameras): any edition but essential-plus; quantity up to the
    // entitlement. Hospital assist needs version 2024 R1 or later."
    case 'access':
    case 'lpr':
    case 'transact':
    case 'interconnect':
      return 'entitlement';
    case 'hospitalAssist':
      return isVersionAtLeast(version, '2024 R1') ? 'entitlement' : 'not_available_for_version';

    // "smart wall: included for corporate; expert needs the `smartWall` entitlement; other
    // editions: not available."
    case 'smartWall':
      return product === 'corporate' ? 'included' : 'entitlement';

    // "incident manager: included for corporate 2022 R2 or later; expert, professional-plus and
    // express-plus 2022 R3 or later need the `incidentManager` entitlement; essential-plus: not
    // available."
    case 'incidentManager':
      if (product === 'corporate') return isVersionAtLeast(version, '2022 R2') ? 'included' : 'not_available_for_version';
      return isVersionAtLeast(version, '2022 R3') ? 'entitlement' : 'not_available_for_version';

    // "management server failover: corporate and expert 2022 R1 or later with the
    // `managementServerFailover` entitlement (which covers the primary and the secondary server)."
    case 'managementServerFailover':
      return isVersionAtLeast(version, '2022 R1') ? 'entitlement' : 'not_available_for_version';
  }
}

/**
 * One evaluation per add-on present in `inUse`, in ADD_ON_NAMES order. "Each add-on in `addOnsInUse`
 * gets a status in the response (checked in this order: edition, then version, then entitlement):
 * `licensed`, `partially_licensed` (quantity above entitlement; the licensed quantity is given),
 * `not_licensed`, `not_available_for_edition`, `not_available_for_version`."
 *
 * Quantity add-ons: every quantity within the entitlement (including requests of 0) → licensed;
 * some quantity above it → partially_licensed when any quantity is licensed, else not_licensed.
 * Flag add-ons: `true` → licensed when included or entitled, else not_licensed; `false` (present
 * but not in use) passes the entitlement check like a quantity of 0 → licensed, licensed false;
 * the edition and version checks still apply to it.
 */
export function evaluateAddOns(
  product: Product,
  version: string,
  entitlements: AddOns,
  inUse: AddOns,
): AddOnEvaluations {
  const result: AddOnEvaluations = {};
  for (const name of ADD_ON_NAMES) {
    const value = inUse[name];
    if (value === undefined) continue;
    const availability = addOnAvailability(product, version, name);
    result[name] = isQuantityAddOn(name)
      ? evaluateQuantities(name, availability, value as Record<string, number | undefined>, entitlements)
      : evaluateFlag(name, availability, value === true, entitlements);
  }
  return result;
}

function isQuantityAddOn(name: AddOnName): name is QuantityAddOnName {
  return name in ADD_ON_QUANTITIES;
}

function evaluateQuantities(
  name: QuantityAddOnName,
  availability: AddOnAvailability,
  value: Record<string, number | undefined>,
  entitlements: AddOns,
): AddOnEvaluation {
  const fields = ADD_ON_QUANTITIES[name];
  const requested: AddOnQuantities = Object.fromEntries(fields.map((field) => [field, value[field] ?? 0]));
  if (availability === 'not_available_for_edition' || availability === 'not_available_for_version') {
    return { status: availability, requested, licensed: Object.fromEntries(fields.map((field) => [field, 0])) };
  }
  const entitled = (entitlements[name] ?? {}) as Record<string, number | undefined>;
  const licensed: AddOnQuantities = Object.fromEntries(
    fields.map((field) => [field, Math.min(requested[field]!, entitled[field] ?? 0)]),
  );
  const allWithin = fields.every((field) => requested[field]! <= (entitled[field] ?? 0));
  const anyLicensed = fields.some((field) => licensed[field]! > 0);
  const status: AddOnStatus = allWithin ? 'licensed' : anyLicensed ? 'partially_licensed' : 'not_licensed';
  return { status, requested, licensed };
}

function evaluateFlag(
  name: FlagAddOnName,
  availability: AddOnAvailability,
  requested: boolean,
  entitlements: AddOns,
): AddOnEvaluation {
  switch (availability) {
    case 'not_available_for_edition':
    case 'not_available_for_version':
      return { status: availability, requested, licensed: false };
    case 'included':
      return { status: 'licensed', requested, licensed: requested };
    case 'entitlement': {
      if (!requested) return { status: 'licensed', requested, licensed: false };
      const entitled = entitlements[name] === true;
      return { status: entitled ? 'licensed' : 'not_licensed', requested, licensed: entitled };
    }
  }
}
