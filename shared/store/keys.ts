/**
 * Every item key of the single table, in one place. `gsi1` lists children by owner, `gsi2` lists
 * licenses by customer, `gsi3` every license and every customer. See docs/DATA-MODEL.md for the access patterns each key serves.
 */
export const INTEGRATION_REPORTS_PARTITION = 'INTEGRATIONS';

/** The width of device groups that sort under shared partition keys (keys.deviceGroup). */
export const QUERIED_DEVICE_GROUP_WIDTH = 4;
/** The partition key of the 4-digit groups whose name starts with `digit`. */
export const deviceGroupShard = (slc: string, digit: string) => `LICENSE#${slc}#DEVICEGROUPS#${digit}`;

export const keys = {
  partner: (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: 'PARTNER' }),
  partnerApiKey: (apiKeySha256: string) => ({ pk: `PARTNERKEY#${apiKeySha256}`, sk: 'PARTNERKEY' }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'CUSTOMER' }),
  catalogVersion: (version: string) => ({ pk: 'CATALOG', sk: `VERSION#${version}` }),
  /** An EULA version of the catalog and its status. */
  eula: (eulaVersion: string) => ({ pk: 'CATALOG', sk: `EULA#${eulaVersion}` }),
  /** Which EULA version is current; every change of the EULA catalog is conditioned on it. */
  eulaCurrent: () => ({ pk: 'CATALOG', sk: 'EULACURRENT' }),
  license: (slc: string) => ({ pk: `LICENSE#${slc}`, sk: 'LICENSE' }),
  /** A license's entry in the license lists (gsi1, gsi2, gsi3), apart from the license so that its counters move no index. */
  licenseListing: (slc: string) => ({ pk: `LICENSE#${slc}`, sk: 'LISTING' }),
  /** That a migration step (store/migrations.ts) has run to completion on this table. */
  migrationStep: (step: string) => ({ pk: 'MIGRATIONS', sk: `STEP#${step}` }),
  /**
   * One of the items holding an SLC's devices (see store/devices.ts). Groups of 2 or 3 hex digits
   * are each their own partition key, so that the writes of a large activation spread over DynamoDB
   * partitions. Groups of 4 digits (65,536 of them) sort under 16 partition keys, one per first
   * digit: the devices list then queries the groups that exist instead of reading 65,536 keys,
   * and the writes still spread over 16 keys.
   */
  deviceGroup: (slc: string, group: string) =>
    group.length === QUERIED_DEVICE_GROUP_WIDTH ? { pk: deviceGroupShard(slc, group[0]!), sk: `DEVICEGROUP#${group}` } : { pk: `LICENSE#${slc}#DEVICEGROUP#${group}`, sk: 'DEVICEGROUP' },
  /** `sequence` orders the events one transaction records at the same time (an activation and the thresholds it reached). */
  event: (slc: string, at: string, sequence: number, eventId: string) => ({ pk: `LICENSE#${slc}`, sk: `EVENT#${at}#${sequence}#${eventId}` }),
  installation: (installationId: string) => ({ pk: `INSTALLATION#${installationId}`, sk: 'INSTALLATION' }),
  /**
   * The claim of one management server on an SLC: which installation its first activation created
   * (§5.1 rev 2: a repeated first activation of that server converges on it). Written with the
   * installation, deleted when it is retired.
   */
  managementServerClaim: (slc: string, managementServerId: string) => ({ pk: `LICENSE#${slc}#MANAGEMENTSERVER#${managementServerId}`, sk: 'MANAGEMENTSERVER' }),
  /** A mobile server of an installation (hostname, notification e-mails); its push devices sort under it. */
  mobileServer: (installationId: string, guid: string) => ({ pk: `INSTALLATION#${installationId}`, sk: `MOBILESERVER#${guid}` }),
  /** How many mobile servers an installation has registered (kept under the cap by conditional writes). */
  mobileServerCount: (installationId: string) => ({ pk: `INSTALLATION#${installationId}`, sk: 'MOBILESERVERS' }),
  pushDevice: (installationId: string, mobileServerGuid: string, deviceGuid: string) => ({
    pk: `INSTALLATION#${installationId}`,
    sk: `MOBILESERVER#${mobileServerGuid}#DEVICE#${deviceGuid}`,
  }),
  notification: (notificationId: string) => ({ pk: `NOTIFICATION#${notificationId}`, sk: 'NOTIFICATION' }),
  /** Notifications sent for one mobile server in one rate-limit window (a counter with a TTL). */
  notificationRate: (installationId: string, mobileServerGuid: string, windowStart: number) => ({
    pk: `NOTIFYRATE#${installationId}#${mobileServerGuid}`,
    sk: `WINDOW#${windowStart}`,
  }),
  healthReport: (installationId: string, at: string, reportId: string) => ({ pk: `INSTALLATION#${installationId}`, sk: `HEALTH#${at}#${reportId}` }),
  smartConnect: (installationId: string) => ({ pk: `INSTALLATION#${installationId}`, sk: 'SMARTCONNECT' }),
  /** A request signature accepted once (replay protection; TTL past the 300-second window). */
  acceptedSignature: (installationId: string, signature: string) => ({ pk: `SIGNATURE#${installationId}#${signature}`, sk: 'SIGNATURE' }),
  idempotency: (scope: string, key: string) => ({ pk: `IDEMPOTENCY#${scope}#${key}`, sk: 'IDEMPOTENCY' }),
  /** A license-issuing request (an Idempotency-Key, an included-license instance) and the SLC it issued. */
  licenseIssueRequest: (requestId: string) => ({ pk: `ISSUEREQUEST#${requestId}`, sk: 'ISSUEREQUEST' }),
  /** The included license of one EC2 instance: which SLC and installation it has (§7). */
  amiInstance: (accountId: string, instanceId: string) => ({ pk: `AMI#${accountId}#${instanceId}`, sk: 'AMI' }),
  /** One item per installation that reports an integration; the statistics count them. */
  integrationReport: (integrationKey: string, installationId: string) => ({
    pk: INTEGRATION_REPORTS_PARTITION,
    sk: `${integrationKey}#${installationId}`,
  }),
  /** A dashboard user (§11), by the user pool's `sub`. */
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'USER' }),
  /** Claims an e-mail address for one user: e-mail addresses are unique (lowercased). */
  userEmail: (email: string) => ({ pk: `USEREMAIL#${email}`, sk: 'USEREMAIL' }),
  /** The result of an offline activation request file, by the SHA-256 of the file (§10). */
  offlineActivation: (fileSha256: string) => ({ pk: `OFFLINE#${fileSha256}`, sk: 'OFFLINE' }),
  /** One generation of the license-signing key (its private key encrypted under the cell's KMS key). */
  signingKey: (generation: number) => ({ pk: SIGNING_KEYS_PARTITION, sk: `${SIGNING_KEY_GENERATION_PREFIX}${String(generation).padStart(4, '0')}` }),
} as const;

/** gsi1: children listed under their owner. */
export const byOwner = {
  partnerCustomers: (partnerId: string) => `PARTNER#${partnerId}#CUSTOMERS`,
  partnerLicenses: (partnerId: string) => `PARTNER#${partnerId}#LICENSES`,
  licenseInstallations: (slc: string) => `LICENSE#${slc}#INSTALLATIONS`,
  /** Every dashboard user (GET /v1/users). */
  allUsers: () => 'USERS',
} as const;

/** gsi2: licenses listed under their customer; installations whose first activation has not finished. */
export const byCustomer = {
  customerLicenses: (customerId: string) => `CUSTOMER#${customerId}#LICENSES`,
  unfinishedInstallations: (slc: string) => `LICENSE#${slc}#UNFINISHED`,
  /** The dashboard users a partner manages: its partner users and its customers' users. */
  partnerUsers: (partnerId: string) => `PARTNER#${partnerId}#USERS`,
} as const;

/** gsi3: every item of a kind, in creation order (ops lists of all licenses and all customers). */
export const byKind = {
  licenses: 'ALL#LICENSES',
  customers: 'ALL#CUSTOMERS',
} as const;

export const EVENT_PREFIX = 'EVENT#';
export const CATALOG_VERSION_PREFIX = 'VERSION#';
export const EULA_PREFIX = 'EULA#';

/** Sort key of customers and licenses on gsi1/gsi2: oldest first, ties broken by id. */
export const createdOrder = (createdAt: string, id: string) => `${createdAt}#${id}`;

export const MOBILE_SERVER_PREFIX = 'MOBILESERVER#';
export const HEALTH_PREFIX = 'HEALTH#';

/** Every generation of the license-signing key lives in this one partition (GET /v1/keys reads it with one Query). */
export const SIGNING_KEYS_PARTITION = 'SIGNING_KEYS';
export const SIGNING_KEY_GENERATION_PREFIX = 'GENERATION#';

/** Partner webhooks and their deliveries (store/webhooks.ts). */
export const webhookKeys = {
  webhook: (partnerId: string, webhookId: string) => ({ pk: `PARTNER#${partnerId}`, sk: `WEBHOOK#${webhookId}` }),
  delivery: (webhookId: string, eventId: string) => ({ pk: `WEBHOOK#${webhookId}`, sk: `DELIVERY#${eventId}` }),
  /** gsi1 partition of the deliveries waiting for an attempt, sorted by when it is due. */
  duePartition: 'WEBHOOK_DELIVERIES#DUE',
} as const;
export const WEBHOOK_PREFIX = 'WEBHOOK#';
export const DELIVERY_PREFIX = 'DELIVERY#';

/** Care Plus reminders (store/care-plus-reminders.ts). */
export const carePlusKeys = {
  /** One item per license with a Care Plus end, sorted by that end: the daily job reads up to 90 days ahead. */
  schedule: (validUntil: string, slc: string) => ({ pk: CARE_PLUS_SCHEDULE_PARTITION, sk: `${validUntil}#${slc}` }),
  /** That a reminder was recorded for a license, a validUntil and a stage (`90`, `30`, `7`, `expired`). */
  reminder: (slc: string, validUntil: string, stage: string) => ({ pk: `LICENSE#${slc}`, sk: `CAREPLUSREMINDER#${validUntil}#${stage}` }),
} as const;
export const CARE_PLUS_SCHEDULE_PARTITION = 'CAREPLUS_SCHEDULE';
