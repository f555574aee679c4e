/**
 * EULA: Smart Connect, mobile push notifications and some Customer Dashboard features need a valid
 * Care Plus contract. It is valid while now ≤ validUntil; there is no grace period.
 */
export function isCarePlusActive(validUntil: string | null | undefined, now: Date): boolean {
  if (!validUntil) return false;
  return now.getTime() <= Date.parse(validUntil);
}

/**
 * API.md §12: the daily job "records `care_plus.expiring` when 90, 30 and 7 days or fewer are left
 * before `validUntil` … and `care_plus.expired` on the first run after it; each at most once per
 * license and `validUntil`. A run that finds several thresholds passed at once records only the
 * smallest." Expired means Care Plus is no longer active (now > validUntil, no grace period).
 */
export const CARE_PLUS_REMINDER_DAYS = [90, 30, 7] as const;

export type CarePlusReminder = { kind: 'expiring'; days: (typeof CARE_PLUS_REMINDER_DAYS)[number] } | { kind: 'expired' };

const DAY_MS = 86_400_000;

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
