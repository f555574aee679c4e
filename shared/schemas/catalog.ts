import * as z from 'zod/mini';
import { isoDate, productVersion } from './common';

/** The `{version}` path parameter, already URL-decoded ("2025 R1"). */
export const versionParameter = productVersion;

/** `PUT /v1/catalog/versions/{version}`. */
export const putCatalogVersionRequest = z.strictObject({ generalAvailability: isoDate });

/** The `{eulaVersion}` path parameter: an EULA version such as `20250212` (letters, digits, `.`, `_`, `-`; at most 200). */
export const eulaVersionParameter = z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, ".", "_" or "-"'));

/** `PUT /v1/catalog/eulas/{eulaVersion}`. */
export const putEulaRequest = z.strictObject({ status: z.enum(['current', 'accepted', 'retired']) });
