import { randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock';
import { notifier } from '../adapters/notifier';
import { logger } from '../adapters/observability';
import { carePlusReminderDue, reminderStage, type CarePlusReminder } from '../domain/care-plus';
import { carePlusEndingBy, recordReminder } from '../store/care-plus-reminders';
import { getCustomer } from '../store/customers';
import { getLicense } from '../store/licenses';
import type { LicenseRecord } from '../store/records';
import { listPartnerUsers } from '../store/users';

/** The largest threshold: licenses ending later than this have nothing due. */
const LOOKAHEAD_MS = 90 * 86_400_000;

export interface ReminderRun {
  /** Licenses with a Care Plus validUntil that the run checked. */
  licenses: number;
  /** Reminders this run recorded (a concurrent run's are not counted twice). */
  reminders: number;
}

/** The e-mail addresses of the partner's own dashboard users (role `partner`), not of its customers' users. */
async function partnerUserEmails(partnerId: string): Promise<string[]> {
  const emails: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listPartnerUsers(partnerId, 100, cursor);
    emails.push(...page.items.filter((user) => user.role === 'partner' && user.partnerId === partnerId).map((user) => user.email));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return emails;
}

/**
 * Whom a reminder e-mails (§12): "the customer's contacts and the partner's users", each address
 * once (user e-mails are stored lower-case; contact addresses are compared lower-case too).
 */
async function recipientsOf(license: LicenseRecord): Promise<string[]> {
  const customer = await getCustomer(license.customerId);
  const contacts = (customer?.contacts ?? []).map((contact) => contact.email);
  const users = license.partnerId ? await partnerUserEmails(license.partnerId) : [];
  const unique = new Map<string, string>();
  for (const address of [...contacts, ...users]) if (!unique.has(address.toLowerCase())) unique.set(address.toLowerCase(), address);
  return [...unique.values()];
}

function message(license: LicenseRecord, reminder: CarePlusReminder, validUntil: string): { title: string; body: string } {
  if (reminder.kind === 'expired') {
    return {
      title: `Care Plus has expired for ${license.slc}`,
      body: `Care Plus of license ${license.slc} ended at ${validUntil}. Mobile push notifications and Smart Connect are switched off until it is renewed.`,
    };
  }
  return {
    title: `Care Plus ends within ${reminder.days} days for ${license.slc}`,
    body: `Care Plus of license ${license.slc} ends at ${validUntil}. Without it, mobile push notifications and Smart Connect stop at once (there is no grace period). Renew it with your partner.`,
  };
}

/** Records and sends the reminder due for one license, if any; true when this run recorded it. */
async function remind(slc: string, validUntil: string, now: Date): Promise<{ checked: boolean; recorded: boolean }> {
  const license = await getLicense(slc);
  if (!license || license.status !== 'active' || license.carePlusValidUntil !== validUntil) return { checked: false, recorded: false };
  const reminder = carePlusReminderDue(validUntil, now);
  if (!reminder) return { checked: true, recorded: false };
  const recipients = await recipientsOf(license);
  const outcome = await recordReminder({
    slc,
    validUntil,
    stage: reminderStage(reminder),
    event: {
      at: now.toISOString(),
      type: reminder.kind === 'expired' ? 'care_plus.expired' : 'care_plus.expiring',
      actor: 'service',
      sourceIp: 'internal',
      details: { ...(reminder.kind === 'expiring' ? { days: reminder.days } : {}), validUntil, recipients: recipients.length },
    },
  });
  if (outcome !== 'recorded') return { checked: true, recorded: false };
  // Only the run that recorded the reminder sends it: at most once per license, validUntil and stage.
  if (recipients.length > 0) {
    const { title, body } = message(license, reminder, validUntil);
    const results = await notifier().deliver({
      notificationId: randomUUID(),
      title,
      body,
      targets: recipients.map((address) => ({ channel: 'email' as const, address })),
    });
    const failed = results.filter((result) => result.status === 'failed').length;
    if (failed > 0) logger.warn('care plus reminder e-mails not all sent', { slc, stage: reminderStage(reminder), failed });
  }
  return { checked: true, recorded: true };
}

/**
 * §12: the daily Care Plus reminder job. Reads the licenses whose Care Plus ends within 90 days (or
 * has ended without its `expired` reminder yet) and records the reminder due for each, the smallest
 * threshold passed, each at most once per license and validUntil (safe to run twice at once).
 */
export async function runCarePlusReminders(): Promise<ReminderRun> {
  const now = clock.now();
  const run: ReminderRun = { licenses: 0, reminders: 0 };
  for await (const page of carePlusEndingBy(new Date(now.getTime() + LOOKAHEAD_MS).toISOString())) {
    for (const entry of page) {
      const { checked, recorded } = await remind(entry.slc, entry.validUntil, now);
      if (checked) run.licenses++;
      if (recorded) run.reminders++;
    }
  }
  logger.info('care plus reminders', { ...run });
  return run;
}
