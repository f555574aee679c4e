/**
 * Every item key of the single table, in one place. `gsi1` lists children by owner, `gsi2` lists
 * licenses by customer. See docs/DATA-MODEL.md for the access patterns each key serves.
 */
export const INTEGRATION_REPORTS_PARTITION = 'INTEGRATIONS';

export const keys = {
  partner: (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: 'PARTNER' }),
  partnerApiKey: (apiKeySha256: string) => ({ pk: `PARTNERKEY#${apiKeySha256}`, sk: 'PARTNERKEY' }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'CUSTOMER' }),
  catalogVersion: (version: string) => ({ pk: 'CATALOG', sk: `VERSION#${version}` }),
  license: (slc: string) => ({ pk: `LICENSE#${slc}`, sk: 'LICENSE' }),
  /**
   * One of the 256 items holding an SLC's devices (see store/devices.ts), each its own partition
   * key, so that the writes of a large activation spread over DynamoDB partitions.
   */
  deviceGroup: (slc: string, group: string) => ({ pk: `LICENSE#${slc}#DEVICEGROUP#${group}`, sk: 'DEVICEGROUP' }),
  event: (slc: string, at: string, eventId: string) => ({ pk: `LICENSE#${slc}`, sk: `EVENT#${at}#${eventId}` }),
  installation: (installationId: string) => ({ pk: `INSTALLATION#${installationId}`, sk: 'INSTALLATION' }),
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
  /** One generation of the license-signing key (its private key encrypted under the cell's KMS key). */
  signingKey: (generation: number) => ({ pk: SIGNING_KEYS_PARTITION, sk: `${SIGNING_KEY_GENERATION_PREFIX}${String(generation).padStart(4, '0')}` }),
} as const;

/** gsi1: children listed under their owner. */
export const byOwner = {
  partnerCustomers: (partnerId: string) => `PARTNER#${partnerId}#CUSTOMERS`,
  partnerLicenses: (partnerId: string) => `PARTNER#${partnerId}#LICENSES`,
  licenseInstallations: (slc: string) => `LICENSE#${slc}#INSTALLATIONS`,
} as const;

/** gsi2: licenses listed under their customer; installations whose first activation has not finished. */
export const byCustomer = {
  customerLicenses: (customerId: string) => `CUSTOMER#${customerId}#LICENSES`,
  unfinishedInstallations: (slc: string) => `LICENSE#${slc}#UNFINISHED`,
} as const;

export const EVENT_PREFIX = 'EVENT#';
export const CATALOG_VERSION_PREFIX = 'VERSION#';

/** Sort key of customers and licenses on gsi1/gsi2: oldest first, ties broken by id. */
export const createdOrder = (createdAt: string, id: string) => `${createdAt}#${id}`;

export const MOBILE_SERVER_PREFIX = 'MOBILESERVER#';
export const HEALTH_PREFIX = 'HEALTH#';

/** Every generation of the license-signing key lives in this one partition (GET /v1/keys reads it with one Query). */
export const SIGNING_KEYS_PARTITION = 'SIGNING_KEYS';
export const SIGNING_KEY_GENERATION_PREFIX = 'GENERATION#';
