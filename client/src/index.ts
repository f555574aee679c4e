export { signRequest, signature, sha256Hex, type InstallationCredentials, type SignedHeaders } from './signing.js';
export { verifyLicense, LicenseVerificationError, type LicenseVerificationCode, type VerifyLicenseOptions } from './license.js';
export {
  createActivationRequest,
  writeActivationRequestFile,
  readLicenseFile,
  ACTIVATION_REQUEST_FORMAT,
  LICENSE_FILE_FORMAT,
  type ActivationRequestFile,
  type LicenseFile,
  type CreatedActivationRequest,
  type OpenedLicenseFile,
} from './offline.js';
export { LicensingClient, type LicensingClientOptions, type ActivationResult } from './client.js';
export { LicensingApiError, readJson, type JsonResponse } from './http.js';
export type * from './types.js';
