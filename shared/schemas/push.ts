import * as z from 'zod/mini';
import { email, freeText, hostname, integer, name, uuid } from './common';

/** RFC 4122 GUIDs in paths; stored and returned lowercase. */
export const guid = z.pipe(uuid, z.transform((value: string) => value.toLowerCase()));

const installationId = z.string().check(z.minLength(1), z.maxLength(128));

export const mobileServerPath = z.object({
  installationId,
  mobileServerGuid: guid,
});

export const pushDevicePath = z.object({
  installationId,
  mobileServerGuid: guid,
  deviceGuid: guid,
});

export const putMobileServerRequest = z.strictObject({ hostname: z.optional(hostname) });

export const pushPlatform = z.enum(['ios', 'android', 'web']);

/** APNs, FCM and web registration tokens: printable ASCII without spaces, at most 2,000 characters. */
export const pushToken = z
  .string()
  .check(z.minLength(1), z.maxLength(2000), z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'));

export const putPushDeviceRequest = z.strictObject({ platform: pushPlatform, pushToken });

export const MAX_NOTIFICATION_EMAILS = 100;

export const putEmailsRequest = z.strictObject({
  emails: z.array(email).check(z.maxLength(MAX_NOTIFICATION_EMAILS)),
});

export const sendNotificationRequest = z.strictObject({
  mobileServerGuid: guid,
  title: name,
  body: freeText.check(z.minLength(1)),
});

/** Smart Connect: the address (hostname or IP) and port the management server is reached at. */
export const putSmartConnectRequest = z.strictObject({
  publicAddress: hostname,
  port: integer(1, 65535),
});

export const MAX_HEALTH_ERRORS = 100;

export const healthReportRequest = z.strictObject({
  consent: z.literal(true),
  status: z.enum(['ok', 'degraded', 'error']),
  errors: z._default(z.array(z.strictObject({ source: name, message: freeText })).check(z.maxLength(MAX_HEALTH_ERRORS)), []),
});
