import * as z from 'zod';
import { PRODUCTS } from '../domain/products';
import { freeText, identifier, isoDate, isoDateTime, productVersion } from './common';

/** Device-license entitlements and add-on quantities are whole numbers up to a million. */
export const MAX_QUANTITY = 1_000_000;
const quantity = z.number().int().min(0).max(MAX_QUANTITY);

export const deviceLicenses = quantity;

/** License `addOns` (API.md §5.4): every part optional, quantities default 0. */
export const addOnEntitlements = z.strictObject({
  access: z.strictObject({ doors: quantity.optional() }).optional(),
  lpr: z.strictObject({ cameras: quantity.optional(), plateLibraries: quantity.optional() }).optional(),
  transact: z.strictObject({ connections: quantity.optional() }).optional(),
  hospitalAssist: z.strictObject({ channels: quantity.optional() }).optional(),
  interconnect: z.strictObject({ cameras: quantity.optional() }).optional(),
  smartWall: z.boolean().optional(),
  incidentManager: z.boolean().optional(),
  managementServerFailover: z.boolean().optional(),
});

/**
 * The last moment of Care Plus: an ISO-8601 UTC time, or a date meaning the end of that UTC day.
 * Stored and returned as a full UTC time (`2026-12-31T23:59:59.999Z`).
 */
export const carePlusValidUntil = z.union([isoDateTime, isoDate]).transform((value) =>
  value.length === 10 ? `${value}T23:59:59.999Z` : new Date(value).toISOString(),
);

export const issueLicenseRequest = z.strictObject({
  customerId: identifier,
  product: z.enum(PRODUCTS),
  version: productVersion,
  deviceLicenses,
  addOns: addOnEntitlements.optional(),
  carePlus: z.strictObject({ validUntil: carePlusValidUntil }).optional(),
});

export const changeLicenseRequest = z
  .strictObject({ deviceLicenses: deviceLicenses.optional(), addOns: addOnEntitlements.optional() })
  .refine((body) => body.deviceLicenses !== undefined || body.addOns !== undefined, {
    message: 'give deviceLicenses, addOns or both',
  });

/** `PUT …/care-plus`: a time or date, or null to end Care Plus. */
export const carePlusRequest = z.strictObject({ validUntil: carePlusValidUntil.nullable() });

export const revokeLicenseRequest = z.strictObject({
  reason: z.enum(['export_control', 'human_rights', 'eula_breach', 'other']),
  note: freeText.optional(),
});

/** `eulaAccepted` must be a boolean; `false` is refused by the licensing rule (422), not by the schema. */
export const transferLicenseRequest = z.strictObject({
  toCustomerId: identifier,
  eulaAccepted: z.boolean(),
});
