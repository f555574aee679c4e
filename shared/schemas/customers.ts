import * as z from 'zod/mini';
import { email, identifier, isoCountry, name } from './common';

export const MAX_CONTACTS = 20;

export const contact = z.strictObject({
  name,
  email,
  phone: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(50))),
});

const customerFields = {
  name,
  country: isoCountry,
  contacts: z.array(contact).check(z.minLength(1), z.maxLength(MAX_CONTACTS)),
};

/** `POST /v1/customers` (ops). */
export const createCustomerRequest = z.strictObject({
  ...customerFields,
  partnerId: z.optional(z.nullable(identifier)),
});

/** `POST /v1/partner/customers`: the partner is the caller, so the body has no `partnerId`. */
export const createPartnerCustomerRequest = z.strictObject(customerFields);

export const customerIdParameter = identifier;
