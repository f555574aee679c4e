import { clock } from '../../shared/adapters/clock';
import { forbidden } from '../../shared/http/errors';
import type { ApiRequest, RouteImplementation } from '../../shared/http/types';
import { parseWith, withBody } from '../../shared/http/validation';
import { listQuery } from '../../shared/schemas/common';
import { createPartnerCustomerRequest } from '../../shared/schemas/customers';
import { customersOfPartner, registerCustomer, toCustomerView } from '../../shared/use-cases/customers';
import { licenseViews } from '../../shared/use-cases/license-view';
import { licensesOfPartner } from '../../shared/use-cases/licenses';

function partnerIdOf(request: ApiRequest): string {
  if (request.caller.role !== 'partner') throw forbidden('forbidden', 'These credentials are not for this route.');
  return request.caller.partnerId;
}

/** §8: a partner lists and registers only its own customers, and lists only its own licenses. */
export const partnerCustomerRoutes = {
  'GET /v1/partner/customers': (async (request) => {
    const partnerId = partnerIdOf(request);
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await customersOfPartner(partnerId, limit, cursor);
    return { status: 200, body: { items: page.items.map(toCustomerView), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,

  'POST /v1/partner/customers': withBody(createPartnerCustomerRequest, async (request, input) => {
    const partnerId = partnerIdOf(request);
    const customer = await registerCustomer({ ...input, partnerId }, 'partner');
    return { status: 201, body: toCustomerView(customer) };
  }),

  'GET /v1/partner/licenses': (async (request) => {
    const partnerId = partnerIdOf(request);
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await licensesOfPartner(partnerId, limit, cursor);
    return { status: 200, body: { items: await licenseViews(page.items, clock.now()), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,
};
