/** Request and response shapes of the activation API (API.md §5–§6). Responses may carry more fields. */

export interface Device {
  mac: string;
  name?: string;
  kind: 'camera' | 'encoder' | 'multi-sensor' | 'io' | 'other';
  ipAddresses: string[];
  videoChannels: number;
  connection: 'direct' | 'intermediate' | 'vps-driver';
  supportedDeviceList?: { listed: boolean; licenses?: number };
}

export interface AddOnsInUse {
  access?: { doors?: number };
  lpr?: { cameras?: number; plateLibraries?: number };
  transact?: { connections?: number };
  hospitalAssist?: { channels?: number };
  interconnect?: { cameras?: number };
  smartWall?: boolean;
  incidentManager?: boolean;
  managementServerFailover?: boolean;
}

/** §5.1: `slc` on a first activation, `installationId` on a (signed) re-activation. */
export interface ActivationRequest {
  slc?: string;
  installationId?: string;
  eulaVersion: string;
  managementServer: { id: string; hostname: string; failoverPeerId?: string };
  recordingServers?: Array<{ id: string; failover?: boolean }>;
  devices: Device[];
  addOnsInUse?: AddOnsInUse;
  videoPushUsers?: number;
  integrations?: Array<{ manufacturer: string; name: string; version: string }>;
  aws?: { instanceIdentityDocument: string; signature: string };
}

export type AddOnStatus = 'licensed' | 'partially_licensed' | 'not_licensed' | 'not_available_for_edition' | 'not_available_for_version';

export interface CarePlusState {
  active: boolean;
  validUntil: string | null;
}

/** §5.6. */
export interface ActivationResponse {
  installationId: string;
  /** Only in the answer that created the installation. */
  installationSecret?: string;
  status: 'activated' | 'partially_activated';
  devices: Array<{ mac: string; deviceKey: string; licenses: number; status: 'activated' | 'not_activated' | 'disabled'; reason?: string }>;
  released: string[];
  usage: { deviceLicenses: { entitled: number; used: number; available: number }; devices: number };
  videoPush: { users: number; licensed: number };
  addOns: Record<string, { status: AddOnStatus; requested: unknown; licensed: unknown }>;
  carePlus: CarePlusState;
  /** The license document: a JWS (EdDSA) to verify with verifyLicense(). */
  license: string;
}

/** §6 check-in. */
export interface CheckInResponse {
  license: string;
  status: 'activated' | 'partially_activated';
  carePlus: CarePlusState;
}

/** The payload of a license document (§5.6). */
export interface LicenseClaims {
  slc: string;
  installationId: string;
  product: 'corporate' | 'expert' | 'professional-plus' | 'express-plus' | 'essential-plus';
  version: string;
  status: 'activated' | 'partially_activated';
  devices: Array<{ mac: string; deviceKey: string; licenses: number }>;
  addOns: Record<string, { status: AddOnStatus; requested: unknown; licensed: unknown }>;
  carePlus: CarePlusState;
  eulaVersion?: string;
  iat: number;
  exp: number;
}

/** A public key of `GET /v1/keys`. */
export interface PublicJwk {
  kty: string;
  crv?: string;
  x?: string;
  kid?: string;
  alg?: string;
  use?: string;
}

export interface Jwks {
  keys: PublicJwk[];
}
