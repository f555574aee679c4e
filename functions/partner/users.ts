import { forbidden } from '../../shared/http/errors';
import type { ApiRequest, RouteImplementation } from '../../shared/http/types';
import { parseWith, withBody } from '../../shared/http/validation';
import { listQuery } from '../../shared/schemas/common';
import { createUserRequest } from '../../shared/schemas/users';
import { createUser, toUserView, usersOfPartner } from '../../shared/use-cases/users';

function partnerIdOf(request: ApiRequest): string {
  if (request.caller.role !== 'partner') throw forbidden('forbidden', 'These credentials are not for this route.');
  return request.caller.partnerId;
}

/** §11: a partner's own users and its customers' users. */
export const partnerUserRoutes = {
  'POST /v1/partner/users': withBody(createUserRequest, async (request, input) => {
    partnerIdOf(request);
    const { user, temporaryPassword } = await createUser(request.caller, input);
    return { status: 201, body: { ...toUserView(user), temporaryPassword } };
  }),

  'GET /v1/partner/users': (async (request) => {
    const partnerId = partnerIdOf(request);
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await usersOfPartner(partnerId, limit, cursor);
    return { status: 200, body: { items: page.items.map(toUserView), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,
};
