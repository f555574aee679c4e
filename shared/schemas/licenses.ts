import * as z from 'zod/mini';
import { PRODUCTS } from '../domain/products';
import { freeText, identifier, integer, isoDate, isoDateTime, productVersion } from './common';

/** Device-license entitlements and add-on quantities are whole numbers up to a million. */
export const MAX_QUANTITY = 1_000_000;
const quantity = integer(0, MAX_QUANTITY);

export const deviceLicenses = quantity;

/** License `addOns` (API.md §5.4): every part optional, quantities default 0. */
export const addOnEntitlements = z.strictObject({
  access: z.optional(z.strictObject({ doors: z.optional(quantity) })),
  lpr: z.optional(z.strictObject({ cameras: z.optional(quantity), plateLibraries: z.optional(quantity) })),
  transact: z.optional(z.strictObject({ connections: z.optional(quantity) })),
  hospitalAssist: z.optional(z.strictObject({ channels: z.optional(quantity) })),
  interconnect: z.optional(z.strictObject({ cameras: z.optional(quantity) })),
  smartWall: z.optional(z.boolean()),
  incidentManager: z.optional(z.boolean()),
  managementServerFailover: z.optional(z.boolean()),
});

/**
 * The last moment of Care Plus: an ISO-8601 UTC time, or a date meaning the end of that UTC day.
 * Stored and returned as a full UTC time (`2026-12-31T23:59:59.999Z`).
 */
export const carePlusValidUntil = z.pipe(
  z.union([isoDateTime, isoDate]),
  z.transform((value: string) => (value.length === 10 ? `${value}T23:59:59.999Z` : new Date(value).toISOString())),
);

export const issueLicenseRequest = z.strictObject({
  customerId: identifier,
  product: z.enum(PRODUCTS),
  version: productVersion,
  deviceLicenses,
  addOns: z.optional(addOnEntitlements),
  carePlus: z.optional(z.strictObject({ validUntil: carePlusValidUntil })),
});

/** `PATCH /v1/licenses/{slc}`: entitlements and upgrades; at least one field. */
export const changeLicenseRequest = z
  .strictObject({
    deviceLicenses: z.optional(deviceLicenses),
    addOns: z.optional(addOnEntitlements),
    version: z.optional(productVersion),
    product: z.optional(z.enum(PRODUCTS)),
  })
  .check(
    z.refine((body) => Object.values(body).some((value) => value !== undefined), {
      message: 'give deviceLicenses, addOns, version, product or several of them',
    }),
  );

/** `PUT …/care-plus`: a time or date, or null to end Care Plus. */
export const carePlusRequest = z.strictObject({ validUntil: z.nullable(carePlusValidUntil) });

export const revokeLicenseRequest = z.strictObject({
  reason: z.enum(['export_control', 'human_rights', 'eula_breach', 'other']),
  note: z.optional(freeText),
});

/** `eulaAccepted` must be a boolean; `false` is refused by the licensing rule (422), not by the schema. */
export const transferLicenseRequest = z.strictObject({
  toCustomerId: identifier,
  eulaAccepted: z.boolean(),
});
