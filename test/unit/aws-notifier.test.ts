import { CreatePlatformEndpointCommand, EndpointDisabledException, PublishCommand } from '@aws-sdk/client-sns';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { AwsNotifier, parsePlatformApplications, pushMessage, type CommandSender } from '../../shared/adapters/aws-notifier';
import type { OutgoingNotification } from '../../shared/adapters/notifier';

const IOS_APP = 'arn:aws:sns:eu-west-1:123456789012:app/APNS/xprotect-mobile';
const ANDROID_APP = 'arn:aws:sns:eu-west-1:123456789012:app/GCM/xprotect-mobile';

/** Records every command; `respond` gives the result, or an Error to throw. */
function fakeClient(respond: (command: object) => unknown = () => ({})): CommandSender & { commands: object[] } {
  const commands: object[] = [];
  return {
    commands,
    async send(command: object) {
      commands.push(command);
      const result = respond(command);
      if (result instanceof Error) throw result;
      return result;
    },
  };
}

const endpointFor = (command: object) =>
  command instanceof CreatePlatformEndpointCommand ? { EndpointArn: `arn:aws:sns:eu-west-1:123456789012:endpoint/${command.input.Token}` } : { MessageId: 'm' };

const notification = (targets: OutgoingNotification['targets']): OutgoingNotification => ({
  notificationId: 'n-1',
  title: 'Motion',
  body: 'Motion at the gate',
  targets,
});

describe('AwsNotifier', () => {
  it('creates a platform endpoint for each device token and publishes to it', async () => {
    const sns = fakeClient(endpointFor);
    const ses = fakeClient();
    const notifier = new AwsNotifier({ sns, ses, platformApplications: { ios: IOS_APP, android: ANDROID_APP }, fromAddress: 'alerts@licensing.example' });
    const results = await notifier.deliver(
      notification([
        { channel: 'push', deviceGuid: 'd1', platform: 'ios', pushToken: 'apns-token' },
        { channel: 'push', deviceGuid: 'd2', platform: 'android', pushToken: 'fcm-token' },
      ]),
    );
    expect(results).toEqual([{ status: 'delivered' }, { status: 'delivered' }]);
    const creates = sns.commands.filter((c): c is CreatePlatformEndpointCommand => c instanceof CreatePlatformEndpointCommand);
    expect(creates.map((c) => c.input).sort((x, y) => x.Token!.localeCompare(y.Token!))).toEqual([
      { PlatformApplicationArn: IOS_APP, Token: 'apns-token' },
      { PlatformApplicationArn: ANDROID_APP, Token: 'fcm-token' },
    ]);
    const publishes = sns.commands.filter((c): c is PublishCommand => c instanceof PublishCommand);
    expect(publishes.map((c) => c.input.TargetArn).sort()).toEqual([
      'arn:aws:sns:eu-west-1:123456789012:endpoint/apns-token',
      'arn:aws:sns:eu-west-1:123456789012:endpoint/fcm-token',
    ]);
    for (const publish of publishes) {
      expect(publish.input.MessageStructure).toBe('json');
      expect(publish.input.Message).toBe(pushMessage('Motion', 'Motion at the gate'));
    }
    expect(ses.commands).toEqual([]);
  });

  it('builds APNs and FCM v1 payloads', () => {
    const message = JSON.parse(pushMessage('Door', 'Forced open'));
    expect(message.default).toBe('Forced open');
    expect(JSON.parse(message.APNS)).toEqual({ aps: { alert: { title: 'Door', body: 'Forced open' }, sound: 'default' } });
    expect(message.APNS_SANDBOX).toBe(message.APNS);
    expect(JSON.parse(message.GCM)).toEqual({ fcmV1Message: { message: { notification: { title: 'Door', body: 'Forced open' } } } });
  });

  it('sends one SES e-mail per address from the configured sender', async () => {
    const ses = fakeClient(() => ({ MessageId: 'e' }));
    const notifier = new AwsNotifier({ sns: fakeClient(), ses, platformApplications: {}, fromAddress: 'alerts@licensing.example', configurationSetName: 'cl' });
    const results = await notifier.deliver(
      notification([
        { channel: 'email', address: 'a@example.com' },
        { channel: 'email', address: 'b@example.com' },
      ]),
    );
    expect(results).toEqual([{ status: 'delivered' }, { status: 'delivered' }]);
    const sent = ses.commands.map((c) => (c as SendEmailCommand).input);
    expect(sent.map((input) => input.Destination?.ToAddresses)).toEqual(expect.arrayContaining([['a@example.com'], ['b@example.com']]));
    for (const input of sent) {
      expect(input.FromEmailAddress).toBe('alerts@licensing.example');
      expect(input.ConfigurationSetName).toBe('cl');
      expect(input.Content?.Simple?.Subject?.Data).toBe('Motion');
      expect(input.Content?.Simple?.Body?.Text?.Data).toBe('Motion at the gate');
    }
  });

  it('reports each target on its own: a failure does not stop the others', async () => {
    const sns = fakeClient((command) =>
      command instanceof PublishCommand && command.input.TargetArn?.endsWith('/disabled-token')
        ? new EndpointDisabledException({ message: 'Endpoint is disabled: disabled-token', $metadata: {} })
        : endpointFor(command),
    );
    const ses = fakeClient(() => Object.assign(new Error('Email address is not verified: x@example.com'), { name: 'MessageRejected' }));
    const notifier = new AwsNotifier({ sns, ses, platformApplications: { ios: IOS_APP }, fromAddress: 'alerts@licensing.example' });
    const results = await notifier.deliver(
      notification([
        { channel: 'push', deviceGuid: 'd1', platform: 'ios', pushToken: 'disabled-token' },
        { channel: 'push', deviceGuid: 'd2', platform: 'ios', pushToken: 'good-token' },
        { channel: 'push', deviceGuid: 'd3', platform: 'web', pushToken: 'web-token' },
        { channel: 'email', address: 'x@example.com' },
      ]),
    );
    expect(results).toEqual([
      { status: 'failed', reason: 'EndpointDisabledException' },
      { status: 'delivered' },
      { status: 'failed', reason: 'platform_not_configured' },
      { status: 'failed', reason: 'MessageRejected' },
    ]);
    expect(sns.commands.some((c) => c instanceof CreatePlatformEndpointCommand && c.input.Token === 'web-token')).toBe(false);
  });

  it('fails e-mail targets when no sender is configured', async () => {
    const ses = fakeClient();
    const notifier = new AwsNotifier({ sns: fakeClient(), ses, platformApplications: {} });
    expect(await notifier.deliver(notification([{ channel: 'email', address: 'a@example.com' }]))).toEqual([
      { status: 'failed', reason: 'email_not_configured' },
    ]);
    expect(ses.commands).toEqual([]);
  });

  it('delivers to a web token through the platform application configured for web', async () => {
    const sns = fakeClient(endpointFor);
    const notifier = new AwsNotifier({ sns, ses: fakeClient(), platformApplications: { web: ANDROID_APP } });
    expect(await notifier.deliver(notification([{ channel: 'push', deviceGuid: 'w', platform: 'web', pushToken: 'web-token' }]))).toEqual([
      { status: 'delivered' },
    ]);
    expect((sns.commands[0] as CreatePlatformEndpointCommand).input.PlatformApplicationArn).toBe(ANDROID_APP);
  });

  it('keeps at most the configured number of deliveries in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const ses: CommandSender = {
      async send() {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return {};
      },
    };
    const notifier = new AwsNotifier({ sns: fakeClient(), ses, platformApplications: {}, fromAddress: 'a@licensing.example', concurrency: 3 });
    const targets = Array.from({ length: 12 }, (_, i) => ({ channel: 'email' as const, address: `u${i}@example.com` }));
    expect((await notifier.deliver(notification(targets))).every((r) => r.status === 'delivered')).toBe(true);
    expect(peak).toBe(3);
  });
});

describe('parsePlatformApplications', () => {
  it('reads the per-platform ARNs', () => {
    expect(parsePlatformApplications(JSON.stringify({ ios: IOS_APP, android: ANDROID_APP }))).toEqual({ ios: IOS_APP, android: ANDROID_APP });
    expect(parsePlatformApplications(undefined)).toEqual({});
    expect(parsePlatformApplications('')).toEqual({});
  });

  it.each([
    ['not JSON', '{ios:'],
    ['an array', '[]'],
    ['an unknown platform', JSON.stringify({ windows: IOS_APP })],
    ['a topic ARN', JSON.stringify({ ios: 'arn:aws:sns:eu-west-1:123456789012:alerts' })],
  ])('refuses %s', (_label, value) => {
    expect(() => parsePlatformApplications(value)).toThrow(/SNS_PLATFORM_APPLICATIONS/);
  });
});
