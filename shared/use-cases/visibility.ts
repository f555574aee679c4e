import type { Caller } from '../http/types';

/**
 * Whether a caller may see a customer's or license's data: ops see everything, a partner only what
 * belongs to it, a customer's dashboard users only their own customer's (§11). Everything else
 * answers 404, as if it did not exist (API.md §1, §8).
 */
export function callerMaySee(caller: Caller, ownerPartnerId: string | null, ownerCustomerId: string): boolean {
  switch (caller.role) {
    case 'ops':
      return true;
    case 'partner':
      return ownerPartnerId !== null && ownerPartnerId === caller.partnerId;
    case 'customer-admin':
    case 'customer-user':
      return ownerCustomerId === caller.customerId;
    default:
      return false;
  }
}
