import { clock } from '../adapters/clock';
import { logger } from '../adapters/observability';
import { isCarePlusActive } from '../domain/care-plus';
import { forbidden, notFound } from '../errors';
import type { ApiRequest } from '../http/types';
import { getLicense } from '../store/licenses';
import type { InstallationRecord, LicenseRecord } from '../store/records';

export interface InstallationContext {
  installation: InstallationRecord;
  license: LicenseRecord;
}

export const installationNotFound = () => notFound('installation_not_found', 'No such installation.');
export const licenseRevoked = () => forbidden('license_revoked', 'The license of this installation has been revoked.');

/**
 * The installation a signed request speaks for, with its license. The `{installationId}` path
 * parameter must be the caller's own installation; any other answers 404, so nobody learns which
 * installations exist. A revoked license answers 403 license_revoked: revocation is immediate and
 * final, so every installation route refuses it (check-in, push registration, notifications,
 * Smart Connect, health reports).
 */
export async function loadInstallationContext(request: ApiRequest): Promise<InstallationContext> {
  const installation = callerInstallation(request);
  const license = await getLicense(installation.slc);
  if (!license) {
    logger.error('installation refers to a license that does not exist', { installationId: installation.installationId });
    throw new Error('installation without license');
  }
  if (license.status === 'revoked') throw licenseRevoked();
  return { installation, license };
}

/**
 * The installation a signed request speaks for, as authentication read it (an active installation,
 * strongly consistent). The `{installationId}` path parameter must be the caller's own; any other
 * answers 404.
 */
export function callerInstallation(request: ApiRequest): InstallationRecord {
  const requested = request.pathParameters.installationId;
  if (request.caller.role !== 'installation' || !requested || requested !== request.caller.installationId) {
    throw installationNotFound();
  }
  return request.caller.installation;
}

/**
 * Smart Connect, mobile push notifications and the partner health view need an active Care Plus
 * contract (isCarePlusActive: now ≤ validUntil, no grace period); otherwise 403 care_plus_required.
 */
export function requireCarePlus(license: LicenseRecord): void {
  if (!isCarePlusActive(license.carePlusValidUntil, clock.now())) {
    throw forbidden('care_plus_required', 'This feature needs an active Care Plus contract on the license.');
  }
}
