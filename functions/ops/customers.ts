import { notFound } from '../../shared/http/errors';
import type { RouteImplementation } from '../../shared/http/types';
import { withBody } from '../../shared/http/validation';
import { createCustomerRequest, customerIdParameter } from '../../shared/schemas/customers';
import { findCustomerFor, registerCustomer, toCustomerView } from '../../shared/use-cases/customers';

export const customerRoutes = {
  'POST /v1/customers': withBody(createCustomerRequest, async (request, input) => {
    const customer = await registerCustomer(input);
    return { status: 201, body: toCustomerView(customer) };
  }),

  'GET /v1/customers/{customerId}': (async (request) => {
    const customerId = customerIdParameter.safeParse(request.pathParameters.customerId);
    if (!customerId.success) throw notFound('customer_not_found', 'No customer has this customerId.');
    const customer = await findCustomerFor(request.caller, customerId.data);
    return { status: 200, body: toCustomerView(customer) };
  }) satisfies RouteImplementation,
};
