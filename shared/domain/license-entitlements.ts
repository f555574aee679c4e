import { availableForEdition, type AddOnName, type AddOns } from './add-ons';
import { editionRules } from './editions';
import type { Product } from './products';

/** EULA edition limits on what an SLC may be issued with (API.md §4, §5.3, §5.4). */

/** Essential+ is limited to 8 devices, so an Essential+ SLC carries at most 8 device licenses. */
export const ESSENTIAL_PLUS_MAX_DEVICE_LICENSES = editionRules('essential-plus').maxDeviceLicensesEntitlement!;

const QUANTITY_ADD_ONS = ['access', 'lpr', 'transact', 'hospitalAssist', 'interconnect'] as const;


/**
 * The add-ons a set of entitlements actually grants: a flag that is true or a quantity above zero.
 * `smartWall: false` or `access: { doors: 0 }` grant nothing and are never refused.
 */
export function grantedAddOns(addOns: AddOns): AddOnName[] {
  const granted: AddOnName[] = [];
  for (const name of QUANTITY_ADD_ONS) {
    const quantities = addOns[name] as Record<string, number | undefined> | undefined;
    if (quantities && Object.values(quantities).some((quantity) => (quantity ?? 0) > 0)) granted.push(name);
  }
  for (const name of ['smartWall', 'incidentManager', 'managementServerFailover'] as const) {
    if (addOns[name] === true) granted.push(name);
  }
  return granted;
}

/** Add-ons in `addOns` that the edition cannot have (§5.4). Version conditions are not checked here. */
export function addOnsNotAvailable(product: Product, addOns: AddOns): AddOnName[] {
  return grantedAddOns(addOns).filter((name) => !availableForEdition(product, name));
}

export type EntitlementRefusal =
  | { code: 'edition_limit'; maxDeviceLicenses: number }
  | { code: 'add_on_not_available'; addOns: AddOnName[] };

/** Checks the entitlements an SLC of `product` is to carry; undefined when the edition allows them. */
export function checkEntitlements(
  product: Product,
  entitlements: { deviceLicenses: number; addOns: AddOns },
): EntitlementRefusal | undefined {
  if (product === 'essential-plus' && entitlements.deviceLicenses > ESSENTIAL_PLUS_MAX_DEVICE_LICENSES) {
    return { code: 'edition_limit', maxDeviceLicenses: ESSENTIAL_PLUS_MAX_DEVICE_LICENSES };
  }
  const unavailable = addOnsNotAvailable(product, entitlements.addOns);
  if (unavailable.length > 0) return { code: 'add_on_not_available', addOns: unavailable };
  return undefined;
}
