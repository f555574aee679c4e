import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AwsNotifier, type CommandSender } from '../../shared/adapters/aws-notifier';
import { setNotifier } from '../../shared/adapters/notifier';
import { logger } from '../../shared/adapters/observability';
import { useApi, type InstallationCredentials } from '../support/api';
import { seedCustomer, seedInstallation, seedLicense } from '../support/seed';

// The logger reads its level when it is created, and the Lambda middleware restores that level on
// every invocation; so the level is set before any module of the service loads.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

const api = useApi();

/** Everything the in-process handlers write to stdout and stderr while this file runs. */
let captured = '';
const originals = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };

beforeAll(() => {
  logger.setLogLevel('DEBUG');
  const tap =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = tap(originals.stdout) as typeof process.stdout.write;
  process.stderr.write = tap(originals.stderr) as typeof process.stderr.write;
});

afterAll(() => {
  process.stdout.write = originals.stdout;
  process.stderr.write = originals.stderr;
  logger.setLogLevel('SILENT');
  setNotifier(undefined);
});

const EMAILS = ['watch.commander@northwind.example', 'Night.Guard+alerts@contoso.example'];
const TOKENS = [`apns-${randomUUID()}`, `fcm-${randomUUID()}-token`, `web-${randomUUID()}`];

async function exercise(installation: InstallationCredentials) {
  const guid = randomUUID();
  const base = `/v1/installations/${installation.installationId}/mobile-servers/${guid}`;
  expect((await api.signed(installation, 'PUT', base, { hostname: 'mobile-01' })).status).toBe(200);
  const platforms = ['ios', 'android', 'web'] as const;
  for (const [index, token] of TOKENS.entries()) {
    expect((await api.signed(installation, 'PUT', `${base}/devices/${randomUUID()}`, { platform: platforms[index], pushToken: token })).status).toBe(200);
  }
  expect((await api.signed(installation, 'PUT', `${base}/emails`, { emails: EMAILS })).status).toBe(200);
  // Refused input that carries the secrets must not leak them either.
  expect((await api.signed(installation, 'PUT', `${base}/emails`, { emails: [...EMAILS, 'broken@'] })).status).toBe(400);
  expect((await api.signed(installation, 'PUT', `${base}/devices/${randomUUID()}`, { platform: 'tv', pushToken: TOKENS[0] })).status).toBe(400);
  const sent = await api.signed(installation, 'POST', `/v1/installations/${installation.installationId}/notifications`, {
    mobileServerGuid: guid,
    title: 'Motion',
    body: `Contact ${EMAILS[0]}`,
  });
  expect(sent.status).toBe(202);
  expect((await api.signed(installation, 'GET', `/v1/installations/${installation.installationId}/notifications/${sent.body.notificationId}`)).status).toBe(200);
  return { guid, base };
}

describe('logs never carry an e-mail address or a push token', () => {
  it('through registration, notification (outbox and AWS adapters), export and erasure', async () => {
    const customer = await seedCustomer({ contacts: [{ name: 'Ida', email: 'ida.contact@northwind.example' }] });
    const license = await seedLicense({ customerId: customer.customerId, carePlusValidUntil: new Date(Date.now() + 86_400_000).toISOString() });
    const installation = await seedInstallation(license);

    setNotifier(undefined); // the local outbox
    await exercise(installation);

    // The AWS adapter with providers that fail and echo the token or the address in their messages.
    const echoing: CommandSender = {
      async send(command: object) {
        const input = (command as { input: Record<string, unknown> }).input;
        throw Object.assign(new Error(`Invalid parameter: ${JSON.stringify(input)}`), { name: 'InvalidParameterException' });
      },
    };
    setNotifier(new AwsNotifier({ sns: echoing, ses: echoing, platformApplications: { ios: 'arn:aws:sns:eu-west-1:123456789012:app/APNS/x', android: 'arn:aws:sns:eu-west-1:123456789012:app/GCM/x' }, fromAddress: 'alerts@licensing.example' }));
    const { base } = await exercise(installation);

    expect((await api.ops('GET', `/v1/customers/${customer.customerId}/personal-data`)).status).toBe(200);
    expect((await api.ops('DELETE', `/v1/customers/${customer.customerId}/personal-data`)).status).toBe(204);
    expect((await api.signed(installation, 'DELETE', base)).status).toBe(204);

    // The capture saw the handlers' logs (debug level included), so the check below means something.
    expect(captured).toContain('"message":"notification sent"');
    expect(captured).toContain('"message":"notification delivery failed"');
    expect(captured).toContain('"message":"personal data erased"');
    expect(captured).toContain('"message":"request"');

    const lower = captured.toLowerCase();
    for (const secret of [...EMAILS, ...TOKENS, 'ida.contact@northwind.example']) {
      expect(lower, secret).not.toContain(secret.toLowerCase());
    }
    expect(captured).not.toMatch(/[A-Za-z0-9._%+-]+@(northwind|contoso)\.example/);
  });
});
