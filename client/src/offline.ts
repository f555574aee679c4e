import { readFile, writeFile } from 'node:fs/promises';
import { compactDecrypt, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { signature, type InstallationCredentials } from './signing.js';
import type { ActivationRequest, ActivationResponse } from './types.js';

export const ACTIVATION_REQUEST_FORMAT = 'cloud-licensing.activation-request.v1';
export const LICENSE_FILE_FORMAT = 'cloud-licensing.license-file.v1';

/** §10: what an offline server writes and a person carries to a machine with a network. */
export interface ActivationRequestFile {
  format: typeof ACTIVATION_REQUEST_FORMAT;
  createdAt: string;
  /** The raw JSON text of a §5.1 request body. */
  body: string;
  encryptionKey: JWK;
  installationId?: string;
  timestamp?: number;
  signature?: string;
}

/** §10: the answer carried back. */
export interface LicenseFile {
  format: typeof LICENSE_FILE_FORMAT;
  installationId: string;
  installationSecretJwe?: string;
  activation: Omit<ActivationResponse, 'installationSecret'>;
}

export interface CreatedActivationRequest {
  file: ActivationRequestFile;
  /** The X25519 private key that decrypts the installation secret of the license file: keep it on the server. */
  privateKey: JWK;
}

/**
 * Builds an activation request file: a fresh X25519 key pair (its public half goes in the file),
 * and for a re-activation (`credentials` given) the §2 signature over POST /v1/activations.
 */
export async function createActivationRequest(
  request: ActivationRequest,
  options: { credentials?: InstallationCredentials; now?: Date } = {},
): Promise<CreatedActivationRequest> {
  const now = options.now ?? new Date();
  const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  const credentials = options.credentials;
  const bodyObject = credentials ? { ...request, slc: undefined, installationId: credentials.installationId } : request;
  const body = JSON.stringify(bodyObject);
  const file: ActivationRequestFile = {
    format: ACTIVATION_REQUEST_FORMAT,
    createdAt: now.toISOString(),
    body,
    encryptionKey: await exportJWK(publicKey),
  };
  if (credentials) {
    const timestamp = Math.floor(now.getTime() / 1000);
    Object.assign(file, {
      installationId: credentials.installationId,
      timestamp,
      signature: signature(credentials.installationSecret, timestamp, 'POST', '/v1/activations', body),
    });
  }
  return { file, privateKey: await exportJWK(privateKey) };
}

/** Writes the request file; the private key goes to `keyPath` (readable by the owner only) when given. */
export async function writeActivationRequestFile(
  path: string,
  request: ActivationRequest,
  options: { credentials?: InstallationCredentials; now?: Date; keyPath?: string } = {},
): Promise<CreatedActivationRequest> {
  const created = await createActivationRequest(request, options);
  await writeFile(path, `${JSON.stringify(created.file, null, 2)}\n`);
  if (options.keyPath) await writeFile(options.keyPath, `${JSON.stringify(created.privateKey)}\n`, { mode: 0o600 });
  return created;
}

export interface OpenedLicenseFile {
  installationId: string;
  /** Present when the file answers a first activation: decrypted with the request's private key. */
  installationSecret?: string;
  activation: LicenseFile['activation'];
}

/** Reads a license file (a path, its text or its parsed JSON) and decrypts its installation secret (JWE ECDH-ES, A256GCM). */
export async function readLicenseFile(source: string | LicenseFile, privateKey: JWK): Promise<OpenedLicenseFile> {
  const file: LicenseFile =
    typeof source === 'string' ? JSON.parse(source.trimStart().startsWith('{') ? source : await readFile(source, 'utf8')) : source;
  if (file.format !== LICENSE_FILE_FORMAT) throw new Error(`Not a license file (format ${JSON.stringify(file.format)}).`);
  const opened: OpenedLicenseFile = { installationId: file.installationId, activation: file.activation };
  if (file.installationSecretJwe) {
    const key = await importJWK(privateKey, 'ECDH-ES');
    const { plaintext } = await compactDecrypt(file.installationSecretJwe, key, {
      keyManagementAlgorithms: ['ECDH-ES'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    opened.installationSecret = new TextDecoder().decode(plaintext);
  }
  return opened;
}

