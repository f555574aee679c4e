/**
 * EULA: Smart Connect, mobile push notifications and some Customer Dashboard features need a valid
 * Care Plus contract. It is valid while now ≤ validUntil; there is no grace period.
 */
export function isCarePlusActive(validUntil: string | null | undefined, now: Date): boolean {
  if (!validUntil) return false;
  return now.getTime() <= Date.parse(validUntil);
}

const DAY_MS = 24 * 3600 * 1000;
/** The Customer Dashboard warns this long before Care Plus ends (API.md §11). */
export const CARE_PLUS_NOTICE_DAYS = 90;

/**
 * The Care Plus text of the license page (API.md §11): within 90 days of its end "Care Plus expires
 * in N days" (N whole days left, rounded down), with less than 24 hours left "Care Plus expires
 * today", after its end "Care Plus expired"; otherwise nothing.
 */
export function carePlusNotice(validUntil: string | null | undefined, now: Date): string | null {
  if (!validUntil) return null;
  const left = Date.parse(validUntil) - now.getTime();
  if (left < 0) return 'Care Plus expired';
  if (left > CARE_PLUS_NOTICE_DAYS * DAY_MS) return null;
  const days = Math.floor(left / DAY_MS);
  return days === 0 ? 'Care Plus expires today' : `Care Plus expires in ${days} days`;
}
