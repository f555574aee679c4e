import * as z from 'zod/mini';
import { isoDate, productVersion } from './common';

/** The `{version}` path parameter, already URL-decoded ("2025 R1"). */
export const versionParameter = productVersion;

/** `PUT /v1/catalog/versions/{version}`. */
export const putCatalogVersionRequest = z.strictObject({ generalAvailability: isoDate });
