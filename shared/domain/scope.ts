/**
 * Whose licenses and customers a caller may list (API.md §4 rev 2 "Lists", §8, §11). Pure; no I/O.
 *
 * A scope is a value, so that every kind of caller plugs in the same way: ops see everything, a
 * partner its own customers and their licenses, a customer user (the dashboard roles
 * `customer-admin` and `customer-user`) its own customer and that customer's licenses.
 */
/** A dashboard user's role (§11); `ops` and `partner` users act with the powers of that credential. */
export type UserRole = 'ops' | 'partner' | 'customer-admin' | 'customer-user';
export type CustomerRole = 'customer-admin' | 'customer-user';

export type Scope = { kind: 'ops' } | { kind: 'partner'; partnerId: string } | { kind: 'customer'; customerId: string };

export interface LicenseFilters {
  customerId?: string;
  partnerId?: string;
}

/**
 * Which index a license list reads, with the filter applied on top of it:
 * - `all`: every license (ops without filters);
 * - `partner`: the licenses of a partner's customers, optionally only one customer's;
 * - `customer`: one customer's licenses, optionally only while they belong to one partner;
 * - `none`: "a filter naming something outside the caller's scope gives an empty list".
 */
export type LicenseListPlan =
  | { source: 'all' }
  | { source: 'partner'; partnerId: string; customerId?: string }
  | { source: 'customer'; customerId: string; partnerId?: string }
  | { source: 'none' };

export function licenseListPlan(scope: Scope, filters: LicenseFilters): LicenseListPlan {
  switch (scope.kind) {
    case 'ops':
      if (filters.customerId !== undefined) return { source: 'customer', customerId: filters.customerId, ...(filters.partnerId !== undefined ? { partnerId: filters.partnerId } : {}) };
      if (filters.partnerId !== undefined) return { source: 'partner', partnerId: filters.partnerId };
      return { source: 'all' };
    case 'partner':
      if (filters.partnerId !== undefined && filters.partnerId !== scope.partnerId) return { source: 'none' };
      if (filters.customerId !== undefined) return { source: 'customer', customerId: filters.customerId, partnerId: scope.partnerId };
      return { source: 'partner', partnerId: scope.partnerId };
    case 'customer':
      if (filters.customerId !== undefined && filters.customerId !== scope.customerId) return { source: 'none' };
      return { source: 'customer', customerId: scope.customerId, ...(filters.partnerId !== undefined ? { partnerId: filters.partnerId } : {}) };
  }
}

/** Which customers a list shows: all (ops), a partner's own, or the caller's own customer alone. */
export type CustomerListPlan = { source: 'all' } | { source: 'partner'; partnerId: string } | { source: 'one'; customerId: string };

export function customerListPlan(scope: Scope): CustomerListPlan {
  switch (scope.kind) {
    case 'ops':
      return { source: 'all' };
    case 'partner':
      return { source: 'partner', partnerId: scope.partnerId };
    case 'customer':
      return { source: 'one', customerId: scope.customerId };
  }
}

/** Whether something owned by `owner` is in the scope (single reads answer 404 outside it). */
export function inScope(scope: Scope, owner: { customerId: string; partnerId: string | null }): boolean {
  switch (scope.kind) {
    case 'ops':
      return true;
    case 'partner':
      return owner.partnerId !== null && owner.partnerId === scope.partnerId;
    case 'customer':
      return owner.customerId === scope.customerId;
  }
}
