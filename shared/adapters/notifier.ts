import { maskEmail } from '../domain/masking';
import type { PushPlatform } from '../store/records';
import { AwsNotifier } from './aws-notifier';

/**
 * The Notifier port: sends one notification to every target of a mobile server. In AWS the
 * AwsNotifier uses SNS mobile push and SES; on one machine (`npm start`, tests) the outbox keeps
 * what would have been sent. `NOTIFIER=aws` selects AWS; unset or `outbox` selects the outbox.
 */
export interface PushTarget {
  channel: 'push';
  deviceGuid: string;
  platform: PushPlatform;
  /** Secret-ish: adapters use it to deliver and never log it. */
  pushToken: string;
}

export interface EmailTarget {
  channel: 'email';
  /** Personal data: adapters use it to deliver and never log it. */
  address: string;
}

export type NotificationTarget = PushTarget | EmailTarget;

export interface OutgoingNotification {
  notificationId: string;
  title: string;
  body: string;
  targets: NotificationTarget[];
}

export interface DeliveryResult {
  status: 'delivered' | 'failed';
  /** For failures: a short code (an error name), never a provider message. */
  reason?: string;
}

export interface Notifier {
  /** Delivers to every target; one result per target, in the order of `targets`. Never rejects for one target's failure. */
  deliver(notification: OutgoingNotification): Promise<DeliveryResult[]>;
}

export interface OutboxMessage {
  notificationId: string;
  channel: 'push' | 'email';
  /** The device GUID for push, the masked address for e-mail. */
  target: string;
  title: string;
  body: string;
  at: string;
}

/**
 * The local outbox: every target counts as delivered, and the messages are kept in memory (the
 * latest `capacity`) with device GUIDs and masked addresses only, for local inspection.
 */
export class OutboxNotifier implements Notifier {
  readonly messages: OutboxMessage[] = [];

  constructor(private readonly capacity = 1000) {}

  async deliver(notification: OutgoingNotification): Promise<DeliveryResult[]> {
    const at = new Date().toISOString();
    for (const target of notification.targets) {
      this.messages.push({
        notificationId: notification.notificationId,
        channel: target.channel,
        target: target.channel === 'push' ? target.deviceGuid : maskEmail(target.address),
        title: notification.title,
        body: notification.body,
        at,
      });
    }
    if (this.messages.length > this.capacity) this.messages.splice(0, this.messages.length - this.capacity);
    return notification.targets.map(() => ({ status: 'delivered' }));
  }
}

let current: Notifier | undefined;

/** The configured notifier, created on first use (no network call at init). */
export function notifier(): Notifier {
  if (!current) {
    const kind = process.env.NOTIFIER ?? 'outbox';
    if (kind === 'outbox') current = new OutboxNotifier();
    else if (kind === 'aws') current = AwsNotifier.fromEnv();
    else throw new Error(`NOTIFIER must be "outbox" or "aws", not "${kind}"`);
  }
  return current;
}

export function setNotifier(replacement: Notifier | undefined): void {
  current = replacement;
}
