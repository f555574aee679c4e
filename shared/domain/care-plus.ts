/**
 * EULA: Smart Connect, mobile push notifications and some Customer Dashboard features need a valid
 * Care Plus contract. It is valid while now ≤ validUntil; there is no grace period.
 */
export function isCarePlusActive(validUntil: string | null | undefined, now: Date): boolean {
  if (!validUntil) return false;
  return now.getTime() <= Date.parse(validUntil);
}
