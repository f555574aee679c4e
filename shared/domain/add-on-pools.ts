/**
 * Add-on pools per SLC (API.md §5.4 rev 2). Pure; no I/O.
 *
 * EULA, XProtect Access: "XProtect Access may only be used with as many doors as you have purchased
 * and registered door licenses for"; XProtect LPR: "with as many cameras as you have purchased and
 * registered LPR camera licenses … purchased and registered for the Product by the Software License
 * Code"; Transact: "as many source connections as you have purchased and registered". The
 * quantities belong to the Software License Code, so they are shared by all its installations,
 * exactly like device licenses. Management Server Failover: "you must purchase an XProtect
 * Management Server Failover license" — one designated pair per SLC.
 */
import { ADD_ON_QUANTITIES, evaluateAddOns, type AddOnEvaluations, type AddOns, type QuantityAddOnName } from './add-ons';
import type { Product } from './products';

/** One pooled quantity, `<add-on>.<quantity>` (e.g. `access.doors`, `lpr.plateLibraries`). */
export type PoolKey = { [N in QuantityAddOnName]: `${N}.${(typeof ADD_ON_QUANTITIES)[N][number]}` }[QuantityAddOnName];

export const POOL_KEYS: readonly PoolKey[] = (Object.keys(ADD_ON_QUANTITIES) as QuantityAddOnName[]).flatMap((name) =>
  ADD_ON_QUANTITIES[name].map((field) => `${name}.${field}` as PoolKey),
);

/** Quantities per pool key; a missing key is 0. */
export type PoolAmounts = Partial<Record<PoolKey, number>>;

/** What one installation holds of the SLC's add-ons. */
export interface HeldAddOns {
  quantities: PoolAmounts;
  /** Whether this installation is the designated failover pair. */
  managementServerFailover: boolean;
}

export const NOTHING_HELD: HeldAddOns = { quantities: {}, managementServerFailover: false };

const amount = (amounts: PoolAmounts, key: PoolKey) => amounts[key] ?? 0;
const split = (key: PoolKey) => key.split('.') as [QuantityAddOnName, string];

/** The entitled quantity of a pool key (entitlements' quantities default to 0). */
export function entitledAmount(entitlements: AddOns, key: PoolKey): number {
  const [name, field] = split(key);
  return ((entitlements[name] ?? {}) as Record<string, number | undefined>)[field] ?? 0;
}

export interface AddOnPoolInput {
  product: Product;
  version: string;
  entitlements: AddOns;
  requested: AddOns;
  /** What all installations of the SLC hold now, this one included. */
  usedBySlc: PoolAmounts;
  /** What this installation holds now. */
  heldByThis: HeldAddOns;
  /** The installation that holds the failover pair, if any. */
  failoverHolder: string | null;
  installationId: string;
}

export interface AddOnPoolPlan {
  /** Each requested add-on's status, `requested` and `licensed` (the quantity this installation holds). */
  evaluations: AddOnEvaluations;
  /** What this installation holds after the activation. */
  held: HeldAddOns;
  /** held − heldByThis per pool key (keys that do not move are left out). */
  delta: PoolAmounts;
  /** How the designated failover pair moves: taken by this installation, released by it, or unchanged. */
  failover: 'take' | 'release' | 'unchanged';
}

/**
 * §5.4 rev 2: "each installation's requested quantity is allocated from what the SLC's entitlement
 * has left after its other installations; `licensed` is the quantity this installation holds …
 * A re-activation keeps what the installation held while it still requests it and releases what it
 * no longer requests". What is left for this installation is entitled − (used by the SLC − held by
 * this one), so what it held and still requests always fits again (an entitlement is never lowered
 * below what installations hold). Statuses follow evaluateAddOns against those pooled quantities
 * (edition, then version, then entitlement). "Management server failover licenses one designated
 * pair: the first installation that requests it holds it (`licensed`), any other installation of
 * the SLC gets `not_licensed` until it is released." Smart Wall and Incident Manager "are per system
 * and not pooled".
 */
export function allocateAddOns(input: AddOnPoolInput): AddOnPoolPlan {
  const pooled: AddOns = { ...input.entitlements };
  for (const name of Object.keys(ADD_ON_QUANTITIES) as QuantityAddOnName[]) {
    const left = Object.fromEntries(
      ADD_ON_QUANTITIES[name].map((field) => {
        const key = `${name}.${field}` as PoolKey;
        const others = amount(input.usedBySlc, key) - amount(input.heldByThis.quantities, key);
        return [field, Math.max(0, entitledAmount(input.entitlements, key) - others)];
      }),
    );
    (pooled as Record<string, unknown>)[name] = left;
  }
  const failoverFree = input.failoverHolder === null || input.failoverHolder === input.installationId;
  pooled.managementServerFailover = input.entitlements.managementServerFailover === true && failoverFree;

  const evaluations = evaluateAddOns(input.product, input.version, pooled, input.requested);
  const quantities: PoolAmounts = {};
  const delta: PoolAmounts = {};
  for (const key of POOL_KEYS) {
    const [name, field] = split(key);
    const licensed = evaluations[name]?.licensed;
    const held = typeof licensed === 'object' ? (licensed[field] ?? 0) : 0;
    if (held > 0) quantities[key] = held;
    const moved = held - amount(input.heldByThis.quantities, key);
    if (moved !== 0) delta[key] = moved;
  }
  const holdsFailover = evaluations.managementServerFailover?.licensed === true;
  const failover =
    holdsFailover === input.heldByThis.managementServerFailover ? 'unchanged' : holdsFailover ? 'take' : 'release';
  return { evaluations, held: { quantities, managementServerFailover: holdsFailover }, delta, failover };
}

/**
 * §4 PATCH: "Going below current usage (… an add-on quantity below what installations hold, or
 * removing management server failover while an installation holds it): 409
 * `entitlement_below_usage`." The pool keys (and `managementServerFailover`) the new entitlements
 * would leave below what is held, in POOL_KEYS order.
 */
export function addOnsBelowUsage(entitlements: AddOns, usedBySlc: PoolAmounts, failoverHeld: boolean): string[] {
  const below: string[] = POOL_KEYS.filter((key) => amount(usedBySlc, key) > entitledAmount(entitlements, key));
  if (failoverHeld && entitlements.managementServerFailover !== true) below.push('managementServerFailover');
  return below;
}

/**
 * The license view's `usage.addOns` (§4 rev 2): "the shape of the entitlement with the quantities
 * that installations hold now". Every quantity add-on the license is entitled to or that is held
 * is shown with all its quantities; flags are not pooled and not shown.
 */
export function addOnUsageView(entitlements: AddOns, usedBySlc: PoolAmounts): Record<string, Record<string, number>> {
  const view: Record<string, Record<string, number>> = {};
  for (const name of Object.keys(ADD_ON_QUANTITIES) as QuantityAddOnName[]) {
    const keys = ADD_ON_QUANTITIES[name].map((field) => `${name}.${field}` as PoolKey);
    if (entitlements[name] === undefined && keys.every((key) => amount(usedBySlc, key) === 0)) continue;
    view[name] = Object.fromEntries(keys.map((key) => [split(key)[1], amount(usedBySlc, key)]));
  }
  return view;
}

/**
 * The statuses of what an installation holds, for a license document issued between activations
 * (the check-in): the quantities and the failover pair it holds, against what it last requested;
 * nothing is allocated anew until it activates again.
 */
export function heldAddOnEvaluations(product: Product, version: string, entitlements: AddOns, requested: AddOns, held: HeldAddOns): AddOnEvaluations {
  const holding: AddOns = { ...entitlements, managementServerFailover: entitlements.managementServerFailover === true && held.managementServerFailover };
  for (const name of Object.keys(ADD_ON_QUANTITIES) as QuantityAddOnName[]) {
    (holding as Record<string, unknown>)[name] = Object.fromEntries(ADD_ON_QUANTITIES[name].map((field) => [field, amount(held.quantities, `${name}.${field}` as PoolKey)]));
  }
  return evaluateAddOns(product, version, holding, requested);
}
