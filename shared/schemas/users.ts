import * as z from 'zod/mini';
import { email, identifier, name } from './common';

export const userRole = z.enum(['ops', 'partner', 'customer-admin', 'customer-user']);

/** `POST /v1/users` (ops) and `POST /v1/partner/users` (§11). */
export const createUserRequest = z.strictObject({
  email,
  name,
  role: userRole,
  partnerId: z.optional(z.nullable(identifier)),
  customerId: z.optional(z.nullable(identifier)),
});

export const userIdParameter = identifier;
