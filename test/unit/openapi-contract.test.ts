import { describe, expect, it } from 'vitest';
import { contractViolation } from '../support/openapi-contract';

/** The check that replays recorded API test traffic against the document (test/support/api.ts) must be able to fail. */
describe('recorded traffic against the OpenAPI document', () => {
  const customer = {
    customerId: 'c1',
    name: 'Harbour Logistics A/S',
    country: 'DK',
    partnerId: null,
    verification: 'verified',
    verificationReason: null,
    consent: null,
    createdAt: '2026-11-28T10:00:00.000Z',
  };

  it('accepts a response that matches its route and status', () => {
    expect(contractViolation({ method: 'GET', path: '/v1/customers/c1', status: 200, body: customer })).toBeUndefined();
    expect(contractViolation({ method: 'GET', path: '/v1/customers/c1', status: 200, body: { ...customer, later: 'field' } })).toBeUndefined();
    expect(contractViolation({ method: 'DELETE', path: '/v1/installations/i1', status: 204, body: undefined })).toBeUndefined();
    expect(
      contractViolation({ method: 'GET', path: '/v1/licenses/x?limit=5', status: 404, body: { error: { code: 'license_not_found', message: 'No.' } } }),
    ).toBeUndefined();
  });

  it('names a body that does not match, an undocumented status and an undocumented error code', () => {
    expect(contractViolation({ method: 'GET', path: '/v1/customers/c1', status: 200, body: { ...customer, verification: 'maybe' } })).toMatch(
      /GET \/v1\/customers\/\{customerId\} 200: .*verification/,
    );
    expect(contractViolation({ method: 'GET', path: '/v1/customers/c1', status: 200, body: { customerId: 'c1' } })).toMatch(/required/);
    expect(contractViolation({ method: 'GET', path: '/v1/health', status: 201, body: { status: 'ok' } })).toMatch(/not documented/);
    expect(
      contractViolation({ method: 'GET', path: '/v1/licenses/x', status: 404, body: { error: { code: 'customer_not_found', message: 'No.' } } }),
    ).toMatch(/allowed values/);
    expect(contractViolation({ method: 'DELETE', path: '/v1/installations/i1', status: 204, body: { unexpected: true } })).toMatch(/without a body/);
  });

  it('leaves requests that name no route to the route tests', () => {
    expect(contractViolation({ method: 'GET', path: '/v1/nothing-here', status: 404, body: { error: { code: 'route_not_found', message: 'No.' } } })).toBeUndefined();
  });
});
