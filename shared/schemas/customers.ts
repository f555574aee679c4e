import * as z from 'zod/mini';
import { email, freeText, identifier, isoCountry, name } from './common';

export const MAX_CONTACTS = 20;

export const contact = z.strictObject({
  name,
  email,
  phone: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(50))),
});

const contacts = z.array(contact).check(z.minLength(1), z.maxLength(MAX_CONTACTS));

/**
 * `endUserConsent`: the two acceptances must be booleans when given; a missing one or `false` is
 * refused by the licensing rule (422 consent_required), not by the schema.
 */
export const endUserConsent = z.optional(
  z.nullable(z.strictObject({ eulaAccepted: z.optional(z.boolean()), personalDataConsent: z.optional(z.boolean()) })),
);

const customerFields = { name, country: isoCountry, contacts, endUserConsent };

/** `POST /v1/customers` (ops). */
export const createCustomerRequest = z.strictObject({
  ...customerFields,
  partnerId: z.optional(z.nullable(identifier)),
});

/** `POST /v1/partner/customers`: the partner is the caller, so the body has no `partnerId`. */
export const createPartnerCustomerRequest = z.strictObject(customerFields);

/** `PATCH /v1/customers/{customerId}`: corrects end-user data; at least one field. */
export const changeCustomerRequest = z
  .strictObject({ name: z.optional(name), country: z.optional(isoCountry), contacts: z.optional(contacts) })
  .check(
    z.refine((body) => body.name !== undefined || body.country !== undefined || body.contacts !== undefined, {
      message: 'give name, country, contacts or several of them',
    }),
  );

/** `PUT /v1/customers/{customerId}/verification` (ops): the outcome of a screening done outside the service. */
export const verificationRequest = z.strictObject({
  verification: z.enum(['verified', 'rejected']),
  reason: z.enum(['export_control', 'screening_hit', 'manual']),
  note: z.optional(freeText),
});

export const customerIdParameter = identifier;
