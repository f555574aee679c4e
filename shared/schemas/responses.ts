import * as z from 'zod/mini';
import { PRODUCTS } from '../domain/products';

/**
 * Response bodies of the API (API.md §4–§9), for the OpenAPI document and for checking recorded
 * API test traffic against it. Objects are open (`z.object`): a client must accept fields added
 * later; every field named here is required and typed.
 */

const text = z.string();
const time = z.string();
const count = z.int().check(z.minimum(0));
const list = <T extends z.core.SomeType>(item: T) => z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });

export const errorResponse = z.object({
  error: z.object({
    code: z.string().check(z.regex(/^[a-z][a-z0-9_]*$/)),
    message: z.string(),
    details: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  }),
});

export const healthResponse = z.object({ status: z.literal('ok') });

export const jwkResponse = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: text,
  kid: text,
  use: z.optional(z.literal('sig')),
  alg: z.literal('EdDSA'),
});
export const keysResponse = z.object({ keys: z.array(jwkResponse) });

export const openApiDocument = z.object({ openapi: z.string(), info: z.object({ title: text, version: text }), paths: z.record(z.string(), z.unknown()) });

export const partnerCreatedResponse = z.object({ partnerId: text, name: text, apiKey: text });

export const customerView = z.object({
  customerId: text,
  name: text,
  country: text,
  partnerId: z.nullable(text),
  verification: z.enum(['verified', 'rejected']),
  verificationReason: z.nullable(z.enum(['export_control', 'screening_hit', 'manual'])),
  consent: z.nullable(z.object({ eulaAccepted: z.literal(true), personalDataConsent: z.literal(true), recordedAt: time, recordedBy: z.enum(['ops', 'partner']) })),
  createdAt: time,
});
export const customerList = list(customerView);

export const personalDataResponse = z.object({
  customerId: text,
  contacts: z.array(z.object({ name: text, email: text, phone: z.optional(text) })),
  notificationEmails: z.array(z.object({ slc: text, installationId: text, mobileServerGuid: text, emails: z.array(text) })),
});

export const catalogVersionView = z.object({ version: text, generalAvailability: text, activationAvailableUntil: text });
export const catalogVersionList = list(catalogVersionView);

export const eulaView = z.object({ eulaVersion: text, status: z.enum(['current', 'accepted', 'retired']) });
export const eulaList = list(eulaView);

const quantities = z.record(z.string(), z.union([count, z.boolean()]));
const addOnQuantities = z.record(z.string(), z.union([quantities, z.boolean()]));

export const licenseView = z.object({
  slc: text,
  customerId: text,
  partnerId: z.nullable(text),
  product: z.enum(PRODUCTS),
  version: text,
  channel: z.enum(['byol', 'ami-included']),
  status: z.enum(['active', 'revoked']),
  revocation: z.nullable(z.object({ reason: text, note: z.nullable(text), at: time })),
  entitlements: z.object({ deviceLicenses: count, addOns: addOnQuantities }),
  carePlus: z.object({ validUntil: z.nullable(time), active: z.boolean() }),
  usage: z.object({ deviceLicenses: count, devices: count, installations: count }),
  activationAvailableUntil: text,
  createdAt: time,
});
export const licenseList = list(licenseView);

export const licenseDeviceView = z.object({
  mac: text,
  deviceKey: text,
  installationId: text,
  status: z.enum(['activated', 'released', 'disabled']),
  licenses: count,
  registrations: count,
  deletions: count,
  firstActivatedAt: time,
  lastChangedAt: time,
});
export const licenseDeviceList = list(licenseDeviceView);

export const auditEvent = z.object({
  eventId: text,
  at: time,
  type: text,
  actor: text,
  sourceIp: text,
  details: z.record(z.string(), z.unknown()),
});
export const auditEventList = list(auditEvent);

/** §4 rev 2: `GET /v1/licenses/{slc}/installations`. */
export const licenseInstallationList = list(
  z.object({
    installationId: text,
    status: z.enum(['active', 'retired']),
    deployment: z.enum(['on-premises', 'aws-byol', 'aws-ami-included']),
    managementServer: z.object({ id: text, hostname: text }),
    recordingServers: z.array(z.object({ id: text, failover: z.boolean() })),
    devices: z.object({ activated: count, disabled: count }),
    lastActivation: z.nullable(z.object({ at: time, sourceIp: text })),
    lastSeenAt: z.nullable(time),
  }),
);

export const credentialsResponse = z.object({ installationId: text, installationSecret: text });

export const integrationStatistics = z.object({
  items: z.array(z.object({ manufacturer: text, name: text, version: text, installations: count })),
});

const carePlusState = z.object({ active: z.boolean(), validUntil: z.nullable(time) });
const addOnStatus = z.object({
  status: z.enum(['licensed', 'partially_licensed', 'not_licensed', 'not_available_for_edition', 'not_available_for_version']),
  requested: z.unknown(),
  licensed: z.unknown(),
});

/** §5.6: the answer to a first activation (201, with the secret) or a re-activation (200). */
export const activationResponse = z.object({
  installationId: text,
  installationSecret: z.optional(text),
  status: z.enum(['activated', 'partially_activated']),
  devices: z.array(
    z.object({
      mac: text,
      deviceKey: text,
      licenses: count,
      status: z.enum(['activated', 'not_activated', 'disabled']),
      reason: z.optional(text),
    }),
  ),
  released: z.array(text),
  usage: z.object({ deviceLicenses: z.object({ entitled: count, used: count, available: count }), devices: count }),
  videoPush: z.object({ users: count, licensed: count }),
  addOns: z.record(z.string(), addOnStatus),
  carePlus: carePlusState,
  license: text,
});

/** §10: the license file an offline activation answers with (the §5.6 response without the secret). */
export const licenseFile = z.object({
  format: z.literal('cloud-licensing.license-file.v1'),
  installationId: text,
  installationSecretJwe: z.optional(text),
  activation: z.omit(activationResponse, { installationSecret: true }),
});

export const checkInResponse = z.object({
  license: text,
  status: z.enum(['activated', 'partially_activated']),
  carePlus: carePlusState,
});

export const mobileServerView = z.object({
  guid: text,
  hostname: z.nullable(text),
  devices: z.array(z.object({ guid: text, platform: z.enum(['ios', 'android', 'web']) })),
  emails: z.array(text),
});

export const notificationSentResponse = z.object({ notificationId: text, recipients: z.object({ devices: count, emails: count }) });
export const notificationView = z.object({
  notificationId: text,
  createdAt: time,
  deliveries: z.array(z.object({ channel: z.enum(['push', 'email']), target: text, status: z.enum(['delivered', 'failed', 'pending']) })),
});

export const smartConnectView = z.object({ publicAddress: text, port: z.int(), updatedAt: time });

export const healthReportReceived = z.object({ reportId: text, receivedAt: time });
export const healthReportList = list(
  z.object({ reportId: text, at: time, status: z.enum(['ok', 'degraded', 'error']), errors: z.array(z.object({ source: text, message: text })) }),
);

export const partnerInstallationView = z.object({
  installationId: text,
  slc: text,
  managementServer: z.object({ id: text, hostname: text }),
  recordingServers: z.array(z.object({ id: text, failover: z.boolean() })),
  devices: z.array(z.object({ mac: text, deviceKey: text, licenses: count, status: text })),
  lastActivation: z.nullable(z.object({ at: time, sourceIp: text })),
  lastSeenAt: z.nullable(time),
});

/** §12: partner webhooks, their deliveries, and the Care Plus reminder job. */
const webhookFields = { webhookId: text, url: text, events: z.array(text), createdAt: time };
export const webhookView = z.object(webhookFields);
export const webhookCreated = z.object({ ...webhookFields, secret: text });
export const webhookList = list(webhookView);
export const webhookDeliveryList = list(
  z.object({
    eventId: text,
    type: text,
    status: z.enum(['delivered', 'pending', 'failed']),
    attempts: count,
    lastStatusCode: z.nullable(z.int()),
  }),
);
export const reminderRun = z.object({ licenses: count, reminders: count });

/** §11: dashboard users. */
const userRole = z.enum(['ops', 'partner', 'customer-admin', 'customer-user']);
const userFields = { userId: text, email: text, name: text, role: userRole, partnerId: z.nullable(text), customerId: z.nullable(text) };
export const userView = z.object(userFields);
export const userCreated = z.object({ ...userFields, temporaryPassword: z.nullable(text) });
export const userList = list(userView);
export const meView = z.object({
  role: userRole,
  userId: z.nullable(text),
  name: z.nullable(text),
  email: z.nullable(text),
  partnerId: z.nullable(text),
  customerId: z.nullable(text),
});
