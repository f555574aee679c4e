/**
 * Health reports (API.md §6, §8): an installation sends them only with the customer's consent,
 * and partners see them only under an active Care Plus contract.
 */

/** Reports are kept 30 days, then DynamoDB's TTL removes them. */
export const HEALTH_REPORT_RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * Consent is given only by `consent: true` in a JSON object; false, missing or any other value
 * is no consent. (A body that is not an object at all is malformed rather than unconsented.)
 */
export function hasHealthConsent(body: Record<string, unknown>): boolean {
  return body.consent === true;
}

export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
