import * as z from 'zod';
import { email, identifier, isoCountry, name } from './common';

export const MAX_CONTACTS = 20;

export const contact = z.strictObject({
  name,
  email,
  phone: z.string().trim().min(1).max(50).optional(),
});

const customerFields = {
  name,
  country: isoCountry,
  contacts: z.array(contact).min(1).max(MAX_CONTACTS),
};

/** `POST /v1/customers` (ops). */
export const createCustomerRequest = z.strictObject({
  ...customerFields,
  partnerId: identifier.nullable().optional(),
});

/** `POST /v1/partner/customers`: the partner is the caller, so the body has no `partnerId`. */
export const createPartnerCustomerRequest = z.strictObject(customerFields);

export const customerIdParameter = identifier;
