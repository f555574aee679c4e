import { notFound } from '../../shared/http/errors';
import type { RouteImplementation } from '../../shared/http/types';
import { parseWith, withBody } from '../../shared/http/validation';
import { listQuery } from '../../shared/schemas/common';
import { createUserRequest, userIdParameter } from '../../shared/schemas/users';
import { createUser, deleteUser, toUserView, usersOfCell, whoAmI } from '../../shared/use-cases/users';

/** §11: dashboard users, created and listed by ops; deleted by ops or the partner that manages them. */
export const userRoutes = {
  'GET /v1/me': (async (request) => ({ status: 200, body: await whoAmI(request.caller) })) satisfies RouteImplementation,

  'POST /v1/users': withBody(createUserRequest, async (request, input) => {
    const { user, temporaryPassword } = await createUser(request.caller, input);
    return { status: 201, body: { ...toUserView(user), temporaryPassword } };
  }),

  'GET /v1/users': (async (request) => {
    const { limit, cursor } = parseWith(listQuery, request.query, 'query');
    const page = await usersOfCell(limit, cursor);
    return { status: 200, body: { items: page.items.map(toUserView), nextCursor: page.nextCursor } };
  }) satisfies RouteImplementation,

  'DELETE /v1/users/{userId}': (async (request) => {
    const userId = userIdParameter.safeParse(request.pathParameters.userId);
    if (!userId.success) throw notFound('user_not_found', 'No user has this userId.');
    await deleteUser(request.caller, userId.data);
    return { status: 204 };
  }) satisfies RouteImplementation,
};
