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

/**
 * API.md §12: the daily job "records `care_plus.expiring` when 90, 30 and 7 days or fewer are left
 * before `validUntil` … and `care_plus.expired` on the first run after it; each at most once per
 * license and `validUntil`. A run that finds several thresholds passed at once records only the
 * smallest." Expired means Care Plus is no longer active (now > validUntil, no grace period).
 */
export const CARE_PLUS_REMINDER_DAYS = [90, 30, 7] as const;

export type CarePlusReminder = { kind: 'expiring'; days: (typeof CARE_PLUS_REMINDER_DAYS)[number] } | { kind: 'expired' };

/** The reminder due now for a Care Plus ending at `validUntil`: the smallest threshold passed, or none. */
export function carePlusReminderDue(validUntil: string, now: Date): CarePlusReminder | undefined {
  const end = Date.parse(validUntil);
  if (Number.isNaN(end)) return undefined;
  const left = end - now.getTime();
  if (left < 0) return { kind: 'expired' };
  const days = [...CARE_PLUS_REMINDER_DAYS].reverse().find((threshold) => left <= threshold * DAY_MS);
  return days === undefined ? undefined : { kind: 'expiring', days };
}

/** Names a reminder for its once-only marker: `90`, `30`, `7` or `expired`. */
export const reminderStage = (reminder: CarePlusReminder): string => (reminder.kind === 'expired' ? 'expired' : String(reminder.days));
