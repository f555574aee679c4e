import { inScope, type Scope } from '../domain/scope';
import type { Caller } from '../http/types';

/** The scope of a caller's reads (domain/scope.ts); callers that read no tenant data have none. */
export function scopeOf(caller: Caller): Scope | undefined {
  if (caller.role === 'ops') return { kind: 'ops' };
  if (caller.role === 'partner') return { kind: 'partner', partnerId: caller.partnerId };
  if (caller.role === 'customer-admin' || caller.role === 'customer-user') return { kind: 'customer', customerId: caller.customerId };
  return undefined;
}

/**
 * Whether a caller may see a customer's or license's data: ops see everything, a partner only what
 * belongs to it, a customer's dashboard users only their own customer's (§11). Everything else
 * answers 404, as if it did not exist (API.md §1, §8).
 */
export function callerMaySee(caller: Caller, owner: { customerId: string; partnerId: string | null }): boolean {
  const scope = scopeOf(caller);
  return scope !== undefined && inScope(scope, owner);
}
