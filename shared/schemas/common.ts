import * as z from 'zod/mini';
import './english';

/** Bounds of the contract (§1): names, titles and versions 200 characters, free text 2,000, hostnames 253. */
export const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
export const freeText = z.string().check(z.maxLength(2000));
export const hostname = z.string().check(z.minLength(1), z.maxLength(253));
export const isoCountry = z.string().check(z.regex(/^[A-Z]{2}$/, 'must be an ISO-3166 alpha-2 code such as "DK"'));
export const email = z.email().check(z.maxLength(254));
export const isoDate = z.iso.date();
export const isoDateTime = z.iso.datetime();
export const productVersion = z.string().check(z.regex(/^\d{4} R[123]$/, 'must be "YYYY R1", "YYYY R2" or "YYYY R3"'));
export const uuid = z.uuid();
export const identifier = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9._:-]+$/));

/** A whole number from `min` to `max`. */
export const integer = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

const listFields = {
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
};

export const listQuery = z.strictObject(listFields);

/** `GET /v1/licenses`: a list with the optional `?customerId=` and `?partnerId=` filters. */
export const licenseListQuery = z.strictObject({ ...listFields, customerId: z.optional(identifier), partnerId: z.optional(identifier) });
