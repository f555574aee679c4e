import { CreatePlatformEndpointCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { PushPlatform } from '../store/records';
import { logger } from './observability';
import type { DeliveryResult, EmailTarget, Notifier, NotificationTarget, OutgoingNotification, PushTarget } from './notifier';

/** The one method of an AWS SDK v3 client the adapter uses; tests inject a fake. */
export interface CommandSender {
  send(command: object): Promise<unknown>;
}

export interface AwsNotifierOptions {
  sns: CommandSender;
  ses: CommandSender;
  /** SNS platform application ARN per push platform (`web` tokens are FCM web tokens, sent through the app given for `web`). */
  platformApplications: Partial<Record<PushPlatform, string>>;
  /** Verified SES sender identity. */
  fromAddress?: string;
  configurationSetName?: string;
  /** Deliveries in flight at once. */
  concurrency?: number;
}

const PLATFORMS: readonly PushPlatform[] = ['ios', 'android', 'web'];

/** Reads `SNS_PLATFORM_APPLICATIONS` (`{"ios": "<arn>", "android": "<arn>", "web": "<arn>"}`, each optional). */
export function parsePlatformApplications(value: string | undefined): Partial<Record<PushPlatform, string>> {
  if (!value) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error('SNS_PLATFORM_APPLICATIONS is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('SNS_PLATFORM_APPLICATIONS must be a JSON object');
  const result: Partial<Record<PushPlatform, string>> = {};
  for (const [platform, arn] of Object.entries(parsed)) {
    if (!PLATFORMS.includes(platform as PushPlatform)) throw new Error(`SNS_PLATFORM_APPLICATIONS has an unknown platform "${platform}"`);
    if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:app\/(APNS|APNS_SANDBOX|GCM)\/.+$/.test(arn)) {
      throw new Error(`SNS_PLATFORM_APPLICATIONS.${platform} is not an SNS platform application ARN`);
    }
    result[platform as PushPlatform] = arn;
  }
  return result;
}

/** The SNS message with a payload for each push service (APNs and FCM HTTP v1). */
export function pushMessage(title: string, body: string): string {
  const apns = JSON.stringify({ aps: { alert: { title, body }, sound: 'default' } });
  return JSON.stringify({
    default: body,
    APNS: apns,
    APNS_SANDBOX: apns,
    GCM: JSON.stringify({ fcmV1Message: { message: { notification: { title, body } } } }),
  });
}

/** A failure as a short code: the error's name only (provider messages can echo a token or an address). */
function reasonOf(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  return /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) ? name : 'delivery_error';
}

/**
 * Notifier for AWS: device tokens through SNS mobile push (CreatePlatformEndpoint, which returns
 * the existing endpoint for a known token, then Publish to it), e-mail through SES v2 SendEmail,
 * one message per recipient so that recipients never see each other. The region is the
 * function's own (one cell per region); `delivered` means the provider accepted the message.
 */
export class AwsNotifier implements Notifier {
  constructor(private readonly options: AwsNotifierOptions) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): AwsNotifier {
    return new AwsNotifier({
      sns: new SNSClient({ maxAttempts: 3 }),
      ses: new SESv2Client({ maxAttempts: 3 }),
      platformApplications: parsePlatformApplications(env.SNS_PLATFORM_APPLICATIONS),
      fromAddress: env.SES_FROM_ADDRESS || undefined,
      configurationSetName: env.SES_CONFIGURATION_SET || undefined,
    });
  }

  async deliver(notification: OutgoingNotification): Promise<DeliveryResult[]> {
    const results: DeliveryResult[] = new Array(notification.targets.length);
    let next = 0;
    const worker = async () => {
      while (next < notification.targets.length) {
        const index = next++;
        results[index] = await this.deliverOne(notification, notification.targets[index]!);
      }
    };
    const workers = Math.min(this.options.concurrency ?? 8, notification.targets.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return results;
  }

  private async deliverOne(notification: OutgoingNotification, target: NotificationTarget): Promise<DeliveryResult> {
    try {
      return target.channel === 'push' ? await this.push(notification, target) : await this.email(notification, target);
    } catch (error) {
      const reason = reasonOf(error);
      logger.warn('notification delivery failed', {
        notificationId: notification.notificationId,
        channel: target.channel,
        ...(target.channel === 'push' ? { deviceGuid: target.deviceGuid, platform: target.platform } : {}),
        reason,
      });
      return { status: 'failed', reason };
    }
  }

  private async push(notification: OutgoingNotification, target: PushTarget): Promise<DeliveryResult> {
    const application = this.options.platformApplications[target.platform];
    if (!application) {
      logger.warn('no SNS platform application for push platform', { notificationId: notification.notificationId, platform: target.platform });
      return { status: 'failed', reason: 'platform_not_configured' };
    }
    const endpoint = (await this.options.sns.send(
      new CreatePlatformEndpointCommand({ PlatformApplicationArn: application, Token: target.pushToken }),
    )) as { EndpointArn?: string };
    if (!endpoint.EndpointArn) return { status: 'failed', reason: 'no_endpoint' };
    await this.options.sns.send(
      new PublishCommand({ TargetArn: endpoint.EndpointArn, MessageStructure: 'json', Message: pushMessage(notification.title, notification.body) }),
    );
    return { status: 'delivered' };
  }

  private async email(notification: OutgoingNotification, target: EmailTarget): Promise<DeliveryResult> {
    if (!this.options.fromAddress) {
      logger.warn('SES_FROM_ADDRESS is not set; e-mail notifications cannot be sent', { notificationId: notification.notificationId });
      return { status: 'failed', reason: 'email_not_configured' };
    }
    await this.options.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.options.fromAddress,
        Destination: { ToAddresses: [target.address] },
        Content: {
          Simple: {
            Subject: { Data: notification.title, Charset: 'UTF-8' },
            Body: { Text: { Data: notification.body, Charset: 'UTF-8' } },
          },
        },
        ...(this.options.configurationSetName ? { ConfigurationSetName: this.options.configurationSetName } : {}),
      }),
    );
    return { status: 'delivered' };
  }
}
