import { clock } from '../adapters/clock';
import { userPool, type UserPool } from '../adapters/user-pool';
import { conflict, forbidden, notFound, unprocessable, ApiError } from '../http/errors';
import { validationFailed } from '../http/validation';
import type { UserRole } from '../domain/scope';
import type { Caller } from '../http/types';
import { getCustomer } from '../store/customers';
import type { Page } from '../store/pagination';
import { getPartner } from '../store/partners';
import { deleteUserRecord, findUserIdByEmail, getUser, listAllUsers, listPartnerUsers, putNewUser, type UserRecord } from '../store/users';

export interface UserView {
  userId: string;
  email: string;
  name: string;
  role: UserRole;
  partnerId: string | null;
  customerId: string | null;
}

export const toUserView = (user: UserRecord): UserView => ({
  userId: user.userId,
  email: user.email,
  name: user.name,
  role: user.role,
  partnerId: user.partnerId,
  customerId: user.customerId,
});

export interface NewUserInput {
  email: string;
  name: string;
  role: UserRole;
  partnerId?: string | null;
  customerId?: string | null;
}

function requirePool(): UserPool {
  const pool = userPool();
  if (!pool) throw new ApiError(503, 'service_unavailable', 'This cell has no user pool configured.');
  return pool;
}

const userNotFound = () => notFound('user_not_found', 'No user has this userId.');

/** The tenant a new user belongs to, checked against the caller's scope (§11). */
async function tenantOf(caller: Caller, input: NewUserInput): Promise<Pick<UserRecord, 'partnerId' | 'customerId' | 'managingPartnerId'>> {
  const callerPartner = caller.role === 'partner' ? caller.partnerId : undefined;
  if (callerPartner !== undefined && input.role === 'ops') throw forbidden('forbidden', 'A partner cannot create ops users.');
  if (input.role === 'ops') return { partnerId: null, customerId: null, managingPartnerId: null };
  if (input.role === 'partner') {
    const partnerId = input.partnerId ?? callerPartner;
    if (!partnerId) throw validationFailed([{ path: 'partnerId', message: 'a partner user needs a partnerId' }]);
    if (callerPartner !== undefined && partnerId !== callerPartner) throw forbidden('forbidden', 'A partner creates users of its own partner only.');
    if (!(await getPartner(partnerId))) throw unprocessable('partner_not_found', 'No partner has this partnerId.');
    return { partnerId, customerId: null, managingPartnerId: partnerId };
  }
  if (callerPartner !== undefined && input.partnerId && input.partnerId !== callerPartner) {
    throw forbidden('forbidden', 'A partner creates users of its own customers only.');
  }
  if (!input.customerId) throw validationFailed([{ path: 'customerId', message: 'a customer user needs a customerId' }]);
  const customer = await getCustomer(input.customerId);
  if (!customer || (callerPartner !== undefined && customer.partnerId !== callerPartner)) {
    throw unprocessable('customer_not_found', 'No customer has this customerId.');
  }
  return { partnerId: null, customerId: customer.customerId, managingPartnerId: customer.partnerId };
}

/**
 * Creates a dashboard user: the sign-in in the user pool (invitation with a temporary password),
 * then the user record and its e-mail claim in one transaction. A creation interrupted between the
 * two leaves a pool user without a record; the next creation for that address replaces it.
 */
export async function createUser(caller: Caller, input: NewUserInput): Promise<{ user: UserRecord; temporaryPassword: string | null }> {
  const tenant = await tenantOf(caller, input);
  const email = input.email.toLowerCase();
  const emailTaken = () => conflict('user_exists', 'A user with this e-mail address already exists.');
  if (await findUserIdByEmail(email)) throw emailTaken();

  const pool = requirePool();
  let created = await pool.createUser(email, input.name);
  if (created === 'exists') {
    // No record claims the address, so the pool user is left from an interrupted creation.
    await pool.deleteUser(email);
    created = await pool.createUser(email, input.name);
    if (created === 'exists') throw emailTaken();
  }
  const user: UserRecord = { userId: created.sub, email, name: input.name, role: input.role, ...tenant, createdAt: clock.now().toISOString() };
  if ((await putNewUser(user)) === 'email_taken') {
    await pool.deleteUser(created.sub);
    throw emailTaken();
  }
  return { user, temporaryPassword: created.temporaryPassword };
}

/** Who the caller is, for the dashboard to show what its role may do (the API decides regardless). */
export async function whoAmI(caller: Caller): Promise<{ role: string; userId: string | null; name: string | null; email: string | null; partnerId: string | null; customerId: string | null }> {
  const userId = 'userId' in caller && caller.userId ? caller.userId : null;
  const user = userId ? await getUser(userId) : undefined;
  return {
    role: caller.role,
    userId,
    name: user?.name ?? null,
    email: user?.email ?? null,
    partnerId: caller.role === 'partner' ? caller.partnerId : caller.role === 'customer-admin' || caller.role === 'customer-user' ? caller.partnerId : null,
    customerId: caller.role === 'customer-admin' || caller.role === 'customer-user' ? caller.customerId : null,
  };
}

export const usersOfCell = (limit: number, cursor?: string): Promise<Page<UserRecord>> => listAllUsers(limit, cursor);
export const usersOfPartner = (partnerId: string, limit: number, cursor?: string): Promise<Page<UserRecord>> =>
  listPartnerUsers(partnerId, limit, cursor);

/** Deletes a user (ops, or the partner that manages it): the record first, so its tokens stop working at once. */
export async function deleteUser(caller: Caller, userId: string): Promise<void> {
  const user = await getUser(userId);
  if (!user) throw userNotFound();
  if (caller.role === 'partner' && user.managingPartnerId !== caller.partnerId) throw userNotFound();
  if ((await deleteUserRecord(user)) === 'not_found') throw userNotFound();
  await requirePool().deleteUser(user.userId);
}
