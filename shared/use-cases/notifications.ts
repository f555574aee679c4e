import { randomUUID } from 'node:crypto';
import { clock } from '../adapters/clock';
import { notifier, type DeliveryResult, type NotificationTarget } from '../adapters/notifier';
import { logger } from '../adapters/observability';
import { maskEmail } from '../domain/masking';
import {
  NOTIFICATION_RETENTION_SECONDS,
  NOTIFICATION_WINDOW_SECONDS,
  NOTIFICATIONS_PER_WINDOW,
  rateWindow,
  retryAfterSeconds,
} from '../domain/notifications';
import { ApiError, notFound } from '../errors';
import { getNotification, putNotification, recordDeliveries, takeNotificationQuota } from '../store/notifications';
import { getMobileServerWithDevices } from '../store/push';
import type { NotificationDelivery, NotificationRecord } from '../store/records';
import { requireCarePlus, type InstallationContext } from './installation-context';
import { mobileServerNotFound } from './push';

export interface SentNotification {
  notificationId: string;
  recipients: { devices: number; emails: number };
}

export interface NotificationView {
  notificationId: string;
  createdAt: string;
  deliveries: Array<{ channel: 'push' | 'email'; target: string; status: NotificationDelivery['status'] }>;
}

/**
 * Sends a notification to every push device and e-mail of one mobile server. Needs active Care
 * Plus; counts against the mobile server's rate limit (429 rate_limited once the window is full).
 * The record is written with every delivery pending, then updated with each target's outcome.
 */
export async function sendNotification(
  context: InstallationContext,
  input: { mobileServerGuid: string; title: string; body: string },
): Promise<SentNotification> {
  requireCarePlus(context.license);
  const installationId = context.installation.installationId;
  const found = await getMobileServerWithDevices(installationId, input.mobileServerGuid);
  if (!found) throw mobileServerNotFound();

  const now = clock.now();
  const window = rateWindow(now);
  if (!(await takeNotificationQuota(installationId, input.mobileServerGuid, window, NOTIFICATIONS_PER_WINDOW))) {
    logger.info('notification refused by the rate limit', { installationId, mobileServerGuid: input.mobileServerGuid });
    throw new ApiError(
      429,
      'rate_limited',
      `A mobile server may send at most ${NOTIFICATIONS_PER_WINDOW} notifications per ${NOTIFICATION_WINDOW_SECONDS} seconds; ` +
        `send one summary after ${retryAfterSeconds(now, window)} seconds.`,
    );
  }

  const targets: NotificationTarget[] = [
    ...found.devices.map((device) => ({ channel: 'push' as const, deviceGuid: device.guid, platform: device.platform, pushToken: device.pushToken })),
    ...found.server.emails.map((address) => ({ channel: 'email' as const, address })),
  ];
  const shown = (target: NotificationTarget) => (target.channel === 'push' ? target.deviceGuid : maskEmail(target.address));
  const record: NotificationRecord = {
    notificationId: randomUUID(),
    installationId,
    mobileServerGuid: input.mobileServerGuid,
    createdAt: now.toISOString(),
    deliveries: targets.map((target) => ({ channel: target.channel, target: shown(target), status: 'pending' })),
    expiresAt: Math.floor(now.getTime() / 1000) + NOTIFICATION_RETENTION_SECONDS,
  };
  await putNotification(record);

  let results: DeliveryResult[];
  try {
    results = await notifier().deliver({ notificationId: record.notificationId, title: input.title, body: input.body, targets });
  } catch (error) {
    logger.error('the notifier failed', { notificationId: record.notificationId, reason: error instanceof Error ? error.name : 'unknown' });
    results = targets.map(() => ({ status: 'failed', reason: 'notifier_error' }));
  }
  const deliveries = record.deliveries.map((delivery, index): NotificationDelivery => {
    const result = results[index];
    if (!result) return delivery;
    return { ...delivery, status: result.status, ...(result.reason ? { reason: result.reason } : {}) };
  });
  await recordDeliveries(record.notificationId, deliveries);

  const recipients = { devices: found.devices.length, emails: found.server.emails.length };
  logger.info('notification sent', {
    installationId,
    mobileServerGuid: input.mobileServerGuid,
    notificationId: record.notificationId,
    ...recipients,
    failed: deliveries.filter((delivery) => delivery.status === 'failed').length,
  });
  return { notificationId: record.notificationId, recipients };
}

/** A notification of this installation; another installation's answers 404. */
export async function getNotificationView(context: InstallationContext, notificationId: string): Promise<NotificationView> {
  const record = notificationId.length <= 128 ? await getNotification(notificationId) : undefined;
  if (!record || record.installationId !== context.installation.installationId) {
    throw notFound('notification_not_found', 'No such notification.');
  }
  return {
    notificationId: record.notificationId,
    createdAt: record.createdAt,
    deliveries: record.deliveries.map(({ channel, target, status }) => ({ channel, target, status })),
  };
}
