import * as z from 'zod';
import { email, freeText, hostname, name, uuid } from './common';

/** RFC 4122 GUIDs in paths; stored and returned lowercase. */
export const guid = uuid.transform((value) => value.toLowerCase());

export const installationPath = z.object({ installationId: z.string().min(1).max(128) });

export const mobileServerPath = z.object({
  installationId: z.string().min(1).max(128),
  mobileServerGuid: guid,
});

export const pushDevicePath = z.object({
  installationId: z.string().min(1).max(128),
  mobileServerGuid: guid,
  deviceGuid: guid,
});

export const putMobileServerRequest = z.strictObject({ hostname: hostname.optional() });

export const pushPlatform = z.enum(['ios', 'android', 'web']);

/** APNs, FCM and web registration tokens: printable ASCII without spaces, at most 2,000 characters. */
export const pushToken = z
  .string()
  .min(1)
  .max(2000)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const putPushDeviceRequest = z.strictObject({ platform: pushPlatform, pushToken });

export const MAX_NOTIFICATION_EMAILS = 100;

export const putEmailsRequest = z.strictObject({
  emails: z.array(email).max(MAX_NOTIFICATION_EMAILS),
});

export const sendNotificationRequest = z.strictObject({
  mobileServerGuid: guid,
  title: name,
  body: freeText.min(1),
});

/** Smart Connect: the address (hostname or IP) and port the management server is reached at. */
export const putSmartConnectRequest = z.strictObject({
  publicAddress: hostname,
  port: z.number().int().min(1).max(65535),
});

export const MAX_HEALTH_ERRORS = 100;

export const healthReportRequest = z.strictObject({
  consent: z.literal(true),
  status: z.enum(['ok', 'degraded', 'error']),
  errors: z
    .array(z.strictObject({ source: name, message: freeText }))
    .max(MAX_HEALTH_ERRORS)
    .default([]),
});
