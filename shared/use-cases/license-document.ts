import { clock } from '../adapters/clock';
import { signJws } from '../adapters/signer';
import type { AddOnEvaluations } from '../domain/add-ons';
import { isCarePlusActive } from '../domain/care-plus';
import type { LicenseRecord } from '../store/records';

/** License documents are valid for 30 days after issue; installations check in before then. */
export const LICENSE_DOCUMENT_VALIDITY_SECONDS = 30 * 24 * 3600;

export interface InstallationLicenseState {
  installationId: string;
  status: 'activated' | 'partially_activated';
  /** The statuses of the add-ons the installation uses, as its allocation holds them (domain/add-on-pools.ts). */
  addOns: AddOnEvaluations;
  /** The EULA version the installation accepted at its last activation. */
  eulaVersion: string;
  videoPush: { users: number; licensed: number };
  devices: Array<{ mac: string; deviceKey: string; licenses: number }>;
}

export interface LicenseDocumentResult {
  license: string;
  addOns: AddOnEvaluations;
  carePlus: { active: boolean; validUntil: string | null };
}

/** §5.6: the signed license document (JWS, EdDSA) for an installation's current state. */
export async function licenseDocumentFor(license: LicenseRecord, state: InstallationLicenseState): Promise<LicenseDocumentResult> {
  const now = clock.now();
  const { addOns } = state;
  const carePlus = { active: isCarePlusActive(license.carePlusValidUntil, now), validUntil: license.carePlusValidUntil };
  const issuedAt = Math.floor(now.getTime() / 1000);
  const document = await signJws({
    slc: license.slc,
    installationId: state.installationId,
    product: license.product,
    version: license.version,
    status: state.status,
    devices: state.devices,
    videoPush: state.videoPush,
    addOns,
    carePlus,
    eulaVersion: state.eulaVersion,
    iat: issuedAt,
    exp: issuedAt + LICENSE_DOCUMENT_VALIDITY_SECONDS,
  });
  return { license: document, addOns, carePlus };
}
