import { entitledAmount, POOL_KEYS, type AddOnPoolPlan, type HeldAddOns, type PoolKey } from '../domain/add-on-pools';
import type { AddOns } from '../domain/add-ons';
import type { PooledCounter } from './activations';
import { addOnPoolAttribute } from './licenses';
import type { InstallationRecord } from './records';

/**
 * What an installation holds of its SLC's add-on pools, as flat numbers on the installation item
 * (`heldAddOn:access.doors`, `heldFailover` 0 or 1), written in the same transaction as the license's
 * pool counters (store/activations.ts), so that each counter is always the sum of what the
 * installations hold.
 */
export const heldAddOnAttribute = (key: PoolKey) => `heldAddOn:${key}` as const;
export const HELD_FAILOVER_ATTRIBUTE = 'heldFailover';

/** The installation's holdings attributes for `held`, every pool key included (a release writes 0). */
export function addOnHoldings(held: HeldAddOns): Record<string, number> {
  const holdings: Record<string, number> = Object.fromEntries(POOL_KEYS.map((key) => [heldAddOnAttribute(key), held.quantities[key] ?? 0]));
  holdings[HELD_FAILOVER_ATTRIBUTE] = held.managementServerFailover ? 1 : 0;
  return holdings;
}

/** What a stored installation holds (an installation from before add-on pools holds nothing). */
export function heldAddOnsOf(installation: InstallationRecord | undefined): HeldAddOns {
  if (!installation) return { quantities: {}, managementServerFailover: false };
  const item = installation as unknown as Record<string, unknown>;
  const quantities: HeldAddOns['quantities'] = {};
  for (const key of POOL_KEYS) {
    const held = item[heldAddOnAttribute(key)];
    if (typeof held === 'number' && held > 0) quantities[key] = held;
  }
  return { quantities, managementServerFailover: item[HELD_FAILOVER_ATTRIBUTE] === 1 };
}

/**
 * The license pools an add-on plan moves: one counter per quantity that changes, bounded by the
 * entitlement the plan was made against (the commit also requires the license's terms unchanged,
 * see LicenseCommit.termsAsOf, since these entitlements are nested in `addOns`).
 */
export function addOnPools(plan: AddOnPoolPlan, entitlements: AddOns): PooledCounter[] {
  return POOL_KEYS.filter((key) => (plan.delta[key] ?? 0) !== 0).map((key) => ({
    used: addOnPoolAttribute(key),
    delta: plan.delta[key]!,
    capacity: entitledAmount(entitlements, key),
  }));
}
