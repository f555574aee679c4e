import type { AddOns } from '../domain/add-ons';
import type { Channel, Product, RevocationReason } from '../domain/products';
import type { RecordedConsent } from '../domain/end-user-consent';
import type { VerificationReason } from '../domain/export-control';
import type { PoolKey } from '../domain/add-on-pools';
import type { DeviceGroupWidth } from '../domain/device-key';

/**
 * The stored shape of each aggregate root. Counters that conditional writes compare live as flat
 * numbers (DynamoDB conditions cannot do arithmetic, so writers compare against precomputed bounds).
 */
export interface CustomerRecord {
  customerId: string;
  name: string;
  country: string;
  partnerId: string | null;
  verification: 'verified' | 'rejected';
  verificationReason: null | VerificationReason;
  contacts: Array<{ name: string; email: string; phone?: string }>;
  /** The end user's recorded consent (absent on customers registered before consent was recorded). */
  consent?: RecordedConsent | null;
  /** The last screening outcome ops recorded (PUT …/verification), with its reason and note. */
  screening?: { verification: 'verified' | 'rejected'; reason: VerificationReason; note: string | null; at: string };
  /** Bumped by every change; changes are conditioned on it (absent = never changed). */
  revision?: number;
  createdAt: string;
  updatedAt?: string;
}

/**
 * The add-on quantities an SLC's installations hold, one flat counter per pool key on the license
 * item (`usedAddOn:access.doors`), so that a commit can check and move each in its own condition.
 */
export type AddOnPoolCounters = { [K in PoolKey as `usedAddOn:${K}`]?: number };

export interface LicenseRecord extends AddOnPoolCounters {
  slc: string;
  customerId: string;
  partnerId: string | null;
  product: Product;
  version: string;
  channel: Channel;
  status: 'active' | 'revoked';
  revocation: null | { reason: RevocationReason; note: string | null; at: string };
  entitledDeviceLicenses: number;
  addOns: AddOns;
  carePlusValidUntil: string | null;
  /** Device licenses in use across all installations (devices plus video push users). */
  usedDeviceLicenses: number;
  /** Devices activated across all installations. */
  activatedDevices: number;
  /** Installations that are not retired. */
  installationCount: number;
  /** The installation that holds the SLC's one management server failover pair (absent or null: none). */
  failoverInstallationId?: string | null;
  /** Secret from which device keys are derived; never leaves the service. */
  deviceKeySalt: string;
  /** Hex digits of the SLC's device-group names, chosen at issue (absent: 2, issued before it was chosen). */
  deviceGroupWidth?: DeviceGroupWidth;
  /**
   * Set while its device groups are being split from one width to another (widenDeviceGroups):
   * nothing commits on the license meanwhile, and activations answer 503.
   */
  deviceGroupsWidening?: { from: DeviceGroupWidth; to: DeviceGroupWidth };
  /** `ami-included` licenses: the instance they belong to. */
  aws?: { accountId: string; instanceId: string; region: string };
  /** Last day (`YYYY-MM-DD`) new devices may be activated; copied from the catalog at issue. */
  activationAvailableUntil: string;
  createdAt: string;
  /** Last change of the license's own terms; usage counters move without touching it. */
  updatedAt: string;
}

/** A product version of the catalog (item `CATALOG` / `VERSION#<version>`). */
export interface CatalogVersionRecord {
  version: string;
  generalAvailability: string;
  activationAvailableUntil: string;
  updatedAt: string;
}

export type Deployment =
  | { type: 'on-premises' }
  | { type: 'aws-byol'; accountId: string; region: string; instanceId: string }
  | { type: 'aws-ami-included'; accountId: string; region: string; instanceId: string };

export interface InstallationRecord {
  installationId: string;
  slc: string;
  /**
   * The customer that owned the license at the installation's last activation: lets the customer be
   * read together with the license. The license's `customerId` is the truth (a transfer changes it);
   * absent on installations stored before it was kept.
   */
  customerId?: string;
  /**
   * The license's version at the installation's last activation: lets the catalogs of that version
   * be read together with the license. The license's `version` is the truth (an upgrade changes it);
   * absent on installations stored before it was kept.
   */
  licenseVersion?: string;
  status: 'active' | 'retired';
  credentialVersion: number;
  /** Device licenses this installation holds (its devices plus its video push users). */
  allocatedDeviceLicenses: number;
  /** Devices this installation has activated. */
  activatedDevices: number;
  /** Devices the installation reported disabled at its last activation (registered, not licensed). */
  disabledDevices?: number;
  /**
   * The device groups (store/devices.ts) that may hold its devices: every group it holds a device
   * in is listed, so its devices are read from these alone. Grown before devices are written,
   * narrowed once an activation has written them.
   */
  deviceGroups: string[];
  /** Bumped by every committed plan; conditional writes compare it. */
  revision: number;
  /** Set while an activation writes this installation's devices; see use-cases/activate.ts. */
  lease: null | { owner: string; until: number };
  managementServer: { id: string; hostname: string; failoverPeerId?: string } | null;
  recordingServers: Array<{ id: string; failover: boolean }>;
  videoPush: { users: number; licensed: number };
  /** The add-ons the installation last reported in use; statuses are evaluated against the license each time. */
  addOnsInUse: AddOns;
  /** Outcome of the last activation: every device and video push user licensed, or not. */
  activationStatus: 'activated' | 'partially_activated';
  integrations: Array<{ manufacturer: string; name: string; version: string }>;
  deployment: Deployment;
  lastActivation: null | { at: string; sourceIp: string; eulaVersion: string };
  lastSeenAt: string | null;
  /**
   * When the installation first made a signed request that verified (so its secret had arrived);
   * null until then, when a repeated first activation of its management server converges on it
   * (§5.1 rev 2). Absent on installations stored before it was kept: they count as signed.
   */
  firstSignedRequestAt?: string | null;
  /** The management server id whose claim (keys.managementServerClaim) this installation holds; deleted with it when retired. */
  managementServerClaim?: string | null;
  createdAt: string;
}

export interface DeviceRecord {
  slc: string;
  mac: string;
  deviceKey: string;
  /** The installation that holds the device; null once released. */
  installationId: string | null;
  /** The installation that last held it (kept after release for the devices list). */
  lastInstallationId: string;
  /** `disabled`: registered by its installation (lastInstallationId) but not licensed (§5.1 `enabled: false`). */
  status: 'activated' | 'released' | 'disabled';
  /** A device registered disabled that was never activated (enabling it later is a new activation). */
  neverActivated?: boolean;
  licenses: number;
  registrations: number;
  deletions: number;
  firstActivatedAt: string;
  lastChangedAt: string;
}

/** A mobile server of an installation (item `INSTALLATION#<id>` / `MOBILESERVER#<guid>`). */
export interface MobileServerRecord {
  installationId: string;
  guid: string;
  hostname: string | null;
  /** Notification e-mail addresses (personal data: never logged, returned masked, erasable). */
  emails: string[];
  /** Push devices registered under this mobile server; conditional writes keep it under the cap. */
  deviceCount: number;
  createdAt: string;
  updatedAt: string;
}

export type PushPlatform = 'ios' | 'android' | 'web';

/** A push device of a mobile server (item `INSTALLATION#<id>` / `MOBILESERVER#<guid>#DEVICE#<guid>`). */
export interface PushDeviceRecord {
  installationId: string;
  mobileServerGuid: string;
  guid: string;
  platform: PushPlatform;
  /** Secret-ish: never logged, never returned. */
  pushToken: string;
  createdAt: string;
  updatedAt: string;
}

export interface NotificationDelivery {
  channel: 'push' | 'email';
  /** The device GUID for push; the masked address for e-mail (a full address is never stored here). */
  target: string;
  status: 'delivered' | 'failed' | 'pending';
  /** Why a delivery failed (an error name, never a provider message). */
  reason?: string;
}

/** A notification sent for a mobile server (item `NOTIFICATION#<id>` / `NOTIFICATION`, with a TTL). */
export interface NotificationRecord {
  notificationId: string;
  installationId: string;
  mobileServerGuid: string;
  createdAt: string;
  deliveries: NotificationDelivery[];
  expiresAt: number;
}

/** A health report an installation sent with consent (item `INSTALLATION#<id>` / `HEALTH#<at>#<id>`, with a TTL). */
export interface HealthReportRecord {
  installationId: string;
  reportId: string;
  at: string;
  status: 'ok' | 'degraded' | 'error';
  errors: Array<{ source: string; message: string }>;
  sourceIp: string;
  expiresAt: number;
}

/** Where Smart Connect reaches an installation (item `INSTALLATION#<id>` / `SMARTCONNECT`). */
export interface SmartConnectRecord {
  installationId: string;
  publicAddress: string;
  port: number;
  updatedAt: string;
}

/**
 * One generation of the license-signing key (item `SIGNING_KEYS` / `GENERATION#<nnnn>`): an Ed25519
 * key pair from KMS GenerateDataKeyPairWithoutPlaintext. Only the public key is in the clear.
 */
export interface SigningKeyRecord {
  generation: number;
  /** RFC 7638 thumbprint of the public key: the `kid` of the documents this generation signs. */
  kid: string;
  /** The Ed25519 public key, base64url (the JWK's `x`). */
  x: string;
  /** The PKCS#8 private key as KMS encrypted it (base64); only KMS Decrypt with the cell's key opens it. */
  encryptedPrivateKey: string;
  /** ARN of the symmetric KMS key that encrypted it. */
  kmsKeyArn: string;
  createdAt: string;
  /** When this generation last became the one that signs: its creation, or its return after a rollback. */
  activatedAt: string;
}
