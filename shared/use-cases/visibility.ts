import type { Caller } from '../http/types';

/**
 * Whether a caller may see a customer's or license's data: ops see everything, a partner only what
 * belongs to it. Everything else answers 404, as if it did not exist (API.md §1, §8).
 */
export function callerMaySee(caller: Caller, ownerPartnerId: string | null): boolean {
  if (caller.role === 'ops') return true;
  if (caller.role === 'partner') return ownerPartnerId !== null && ownerPartnerId === caller.partnerId;
  return false;
}
