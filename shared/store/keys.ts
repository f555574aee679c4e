/**
 * Every item key of the single table, in one place. `gsi1` lists children by owner, `gsi2` lists
 * licenses by customer. See docs/DATA-MODEL.md for the access patterns each key serves.
 */
export const keys = {
  partner: (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: 'PARTNER' }),
  partnerApiKey: (apiKeySha256: string) => ({ pk: `PARTNERKEY#${apiKeySha256}`, sk: 'PARTNERKEY' }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'CUSTOMER' }),
  catalogVersion: (version: string) => ({ pk: 'CATALOG', sk: `VERSION#${version}` }),
  license: (slc: string) => ({ pk: `LICENSE#${slc}`, sk: 'LICENSE' }),
  device: (slc: string, mac: string) => ({ pk: `LICENSE#${slc}`, sk: `DEVICE#${mac}` }),
  event: (slc: string, at: string, eventId: string) => ({ pk: `LICENSE#${slc}`, sk: `EVENT#${at}#${eventId}` }),
  installation: (installationId: string) => ({ pk: `INSTALLATION#${installationId}`, sk: 'INSTALLATION' }),
  idempotency: (scope: string, key: string) => ({ pk: `IDEMPOTENCY#${scope}#${key}`, sk: 'IDEMPOTENCY' }),
} as const;

/** gsi1: children listed under their owner. */
export const byOwner = {
  partnerCustomers: (partnerId: string) => `PARTNER#${partnerId}#CUSTOMERS`,
  partnerLicenses: (partnerId: string) => `PARTNER#${partnerId}#LICENSES`,
  licenseInstallations: (slc: string) => `LICENSE#${slc}#INSTALLATIONS`,
  installationDevices: (installationId: string) => `INSTALLATION#${installationId}#DEVICES`,
} as const;

/** gsi2: licenses listed under their customer. */
export const byCustomer = {
  customerLicenses: (customerId: string) => `CUSTOMER#${customerId}#LICENSES`,
} as const;

export const EVENT_PREFIX = 'EVENT#';
export const DEVICE_PREFIX = 'DEVICE#';
