import * as z from 'zod';

/** Bounds of the contract (§1): names, titles and versions 200 characters, free text 2,000, hostnames 253. */
export const name = z.string().trim().min(1).max(200);
export const freeText = z.string().max(2000);
export const hostname = z.string().min(1).max(253);
export const isoCountry = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO-3166 alpha-2 code such as "DK"');
export const email = z.email().max(254);
export const isoDate = z.iso.date();
export const isoDateTime = z.iso.datetime();
export const productVersion = z.string().regex(/^\d{4} R[123]$/, 'must be "YYYY R1", "YYYY R2" or "YYYY R3"');
export const uuid = z.uuid();
export const identifier = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/);

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});
