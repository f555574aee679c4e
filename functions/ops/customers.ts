import { notFound } from '../../shared/http/errors';
import type { ApiRequest, RouteImplementation } from '../../shared/http/types';
import { parseWith, withBody } from '../../shared/http/validation';
import { listQuery } from '../../shared/schemas/common';
import { changeCustomerRequest, createCustomerRequest, customerIdParameter, verificationRequest } from '../../shared/schemas/customers';
import { correctCustomer, customersFor, findCustomerFor, recordVerification, registerCustomer, toCustomerView } from '../../shared/use-cases/customers';

/** A malformed customer id names no customer: 404, as for one that does not exist. */
function customerIdOf(request: ApiRequest): string {
  const customerId = customerIdParameter.safeParse(request.pathParameters.customerId);
  if (!customerId.success) throw notFound('customer_not_found', 'No customer has this customerId.');
  return customerId.data;
}

export const customerRoutes = {
  'POST /v1/customers': withBody(createCustomerRequest, async (_request, input) => {
    const customer = await registerCustomer(input, 'ops');
    return { status: 201, body: toCustomerView(customer) };
  }),

  'GET /v1/customers': (async (request) => {
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await customersFor(request.caller, limit, cursor);
    return { status: 200, body: { items: page.items.map(toCustomerView), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,

  'GET /v1/customers/{customerId}': (async (request) => {
    const customer = await findCustomerFor(request.caller, customerIdOf(request));
    return { status: 200, body: toCustomerView(customer) };
  }) satisfies RouteImplementation,

  'PATCH /v1/customers/{customerId}': withBody(changeCustomerRequest, async (request, correction) => {
    const customerId = customerIdOf(request);
    return { status: 200, body: toCustomerView(await correctCustomer(request.caller, customerId, correction)) };
  }),

  'PUT /v1/customers/{customerId}/verification': withBody(verificationRequest, async (request, outcome) => {
    const customerId = customerIdOf(request);
    return { status: 200, body: toCustomerView(await recordVerification(customerId, outcome)) };
  }),
};
