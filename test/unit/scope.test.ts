import { describe, expect, it } from 'vitest';
import { customerListPlan, inScope, licenseListPlan, type Scope } from '../../shared/domain/scope';

const ops: Scope = { kind: 'ops' };
const partner: Scope = { kind: 'partner', partnerId: 'p1' };
const customer: Scope = { kind: 'customer', customerId: 'c1' };

describe('licenseListPlan: what each caller lists (§4 rev 2)', () => {
  it.each([
    [ops, {}, { source: 'all' }],
    [ops, { customerId: 'c9' }, { source: 'customer', customerId: 'c9' }],
    [ops, { partnerId: 'p9' }, { source: 'partner', partnerId: 'p9' }],
    [ops, { customerId: 'c9', partnerId: 'p9' }, { source: 'customer', customerId: 'c9', partnerId: 'p9' }],
    [partner, {}, { source: 'partner', partnerId: 'p1' }],
    [partner, { partnerId: 'p1' }, { source: 'partner', partnerId: 'p1' }],
    [partner, { partnerId: 'p2' }, { source: 'none' }],
    [partner, { customerId: 'c1' }, { source: 'customer', customerId: 'c1', partnerId: 'p1' }],
    [partner, { customerId: 'c1', partnerId: 'p2' }, { source: 'none' }],
    [customer, {}, { source: 'customer', customerId: 'c1' }],
    [customer, { customerId: 'c1' }, { source: 'customer', customerId: 'c1' }],
    [customer, { customerId: 'c2' }, { source: 'none' }],
    [customer, { partnerId: 'p1' }, { source: 'customer', customerId: 'c1', partnerId: 'p1' }],
  ] as const)('%j with %j → %j', (scope, filters, plan) => {
    expect(licenseListPlan(scope, filters)).toEqual(plan);
  });
});

describe('customerListPlan and inScope', () => {
  it('lists all, a partner’s own, or the customer alone', () => {
    expect(customerListPlan(ops)).toEqual({ source: 'all' });
    expect(customerListPlan(partner)).toEqual({ source: 'partner', partnerId: 'p1' });
    expect(customerListPlan(customer)).toEqual({ source: 'one', customerId: 'c1' });
  });

  it.each([
    [ops, { customerId: 'c2', partnerId: null }, true],
    [partner, { customerId: 'c2', partnerId: 'p1' }, true],
    [partner, { customerId: 'c2', partnerId: 'p2' }, false],
    [partner, { customerId: 'c2', partnerId: null }, false],
    [customer, { customerId: 'c1', partnerId: 'p1' }, true],
    [customer, { customerId: 'c2', partnerId: 'p1' }, false],
  ] as const)('%j sees %j: %s', (scope, owner, expected) => {
    expect(inScope(scope, owner)).toBe(expected);
  });
});
