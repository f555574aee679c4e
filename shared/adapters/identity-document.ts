import { X509Certificate, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config } from '../config';

/**
 * Verification of EC2 instance identity documents (API.md §5.1 `aws`, §7).
 *
 * An instance reads its identity document and the base64 RSA-SHA256 signature of that document from
 * the instance metadata service (`/latest/dynamic/instance-identity/document` and `/signature`) and
 * sends both as they are. The signature is checked over the exact document text against a bundle of
 * trusted certificates: the AWS-published per-region "RSA" certificates in a deployed cell
 * (certs/aws-identity/), the development certificate for local runs (certs/development-identity.pem).
 */

export interface InstanceIdentity {
  accountId: string;
  instanceId: string;
  region: string;
  imageId?: string;
  marketplaceProductCodes: string[];
  pendingTime?: string;
  instanceType?: string;
  availabilityZone?: string;
}

/** The document or its signature is refused; the message says why (safe to return to the caller). */
export class IdentityDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityDocumentError';
  }
}

/** Real documents are about 500 bytes; anything far larger is not one. */
export const MAX_DOCUMENT_LENGTH = 16 * 1024;
/** A base64 RSA signature for keys up to 8192 bits, with the line breaks the metadata service adds. */
export const MAX_SIGNATURE_LENGTH = 2048;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const ACCOUNT_ID = /^\d{12}$/;
const INSTANCE_ID = /^i-[0-9a-f]{8,32}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/**
 * Parses a PEM bundle (text around the certificates, such as source comments, is ignored). Every
 * certificate must carry an RSA public key. Validity dates are not checked here or at verification:
 * see docs/DECISIONS.md "AMI and BYOL".
 */
export function loadTrustedCertificates(pemBundle: string): X509Certificate[] {
  const blocks = pemBundle.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error('The identity certificate bundle contains no PEM certificate.');
  return blocks.map((block, index) => {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block);
    } catch (error) {
      throw new Error(`Certificate ${index + 1} of the identity certificate bundle cannot be parsed: ${(error as Error).message}`);
    }
    if (certificate.publicKey.asymmetricKeyType !== 'rsa') {
      throw new Error(`Certificate ${index + 1} of the identity certificate bundle does not carry an RSA key.`);
    }
    return certificate;
  });
}

function decodeSignature(signatureBase64: string): Buffer {
  if (typeof signatureBase64 !== 'string' || signatureBase64.trim() === '') {
    throw new IdentityDocumentError('The instance identity document is not signed.');
  }
  if (signatureBase64.length > MAX_SIGNATURE_LENGTH) {
    throw new IdentityDocumentError('The instance identity document signature is too long.');
  }
  // The metadata service wraps the base64 text at 76 characters; the line breaks are not part of it.
  const compact = signatureBase64.replace(/\s+/g, '');
  if (!BASE64.test(compact)) {
    throw new IdentityDocumentError('The instance identity document signature is not base64.');
  }
  return Buffer.from(compact, 'base64');
}

function signedByTrustedCertificate(document: Buffer, signature: Buffer, trusted: X509Certificate[]): boolean {
  return trusted.some((certificate) => {
    try {
      return verify('RSA-SHA256', document, certificate.publicKey, signature);
    } catch {
      return false;
    }
  });
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
}

function productCodes(value: unknown): string[] {
  // AWS writes `null` when the AMI has no Marketplace product code.
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || value.length > 64 || !value.every((code) => typeof code === 'string' && code.length <= 256)) {
    throw new IdentityDocumentError('The instance identity document has malformed marketplaceProductCodes.');
  }
  return value as string[];
}

function requireField(document: Record<string, unknown>, name: 'accountId' | 'instanceId' | 'region', pattern: RegExp): string {
  const value = document[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new IdentityDocumentError(`The instance identity document has no ${name}.`);
  }
  if (!pattern.test(value)) throw new IdentityDocumentError(`The instance identity document has a malformed ${name}.`);
  return value;
}

/**
 * Verifies the RSA-SHA256 signature over the exact document text (UTF-8 bytes, as the instance
 * metadata service served them) against any of the trusted certificates, and only then reads the
 * document. Throws IdentityDocumentError when the document is unsigned, forged, signed by an
 * untrusted key or malformed.
 */
export function verifyIdentityDocument(document: string, signatureBase64: string, trusted: X509Certificate[]): InstanceIdentity {
  if (typeof document !== 'string' || document.length === 0) {
    throw new IdentityDocumentError('The instance identity document is empty.');
  }
  if (document.length > MAX_DOCUMENT_LENGTH) {
    throw new IdentityDocumentError('The instance identity document is too long.');
  }
  const signature = decodeSignature(signatureBase64);
  if (!signedByTrustedCertificate(Buffer.from(document, 'utf8'), signature, trusted)) {
    throw new IdentityDocumentError('The instance identity document is not signed by a trusted certificate.');
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new IdentityDocumentError('The instance identity document is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new IdentityDocumentError('The instance identity document is not a JSON object.');
  }
  const fields = parsed as Record<string, unknown>;
  const identity: InstanceIdentity = {
    accountId: requireField(fields, 'accountId', ACCOUNT_ID),
    instanceId: requireField(fields, 'instanceId', INSTANCE_ID),
    region: requireField(fields, 'region', REGION),
    marketplaceProductCodes: productCodes(fields.marketplaceProductCodes),
  };
  const imageId = optionalString(fields.imageId);
  const pendingTime = optionalString(fields.pendingTime);
  const instanceType = optionalString(fields.instanceType);
  const availabilityZone = optionalString(fields.availabilityZone);
  if (imageId) identity.imageId = imageId;
  if (pendingTime) identity.pendingTime = pendingTime;
  if (instanceType) identity.instanceType = instanceType;
  if (availabilityZone) identity.availabilityZone = availabilityZone;
  return identity;
}

/** True when one of the instance's Marketplace product codes is an included-license AMI's code. */
export function includedLicenseProductCode(identity: InstanceIdentity, includedCodes: string[]): boolean {
  const included = new Set(includedCodes.map((code) => code.trim()).filter(Boolean));
  return identity.marketplaceProductCodes.some((code) => included.has(code));
}

/** Where the development certificate lives in a checkout (not in a Lambda bundle). */
export function developmentCertificatePath(): string {
  return fileURLToPath(new URL('../../certs/development-identity.pem', import.meta.url));
}

let cached: { file: string; certificates: X509Certificate[] } | undefined;

/**
 * The trusted certificates: the PEM bundle named by AWS_IDENTITY_CERTS_FILE (relative paths from the
 * working directory), or the shipped development certificate when it is unset. Loaded on first use
 * and kept for the life of the process. Inside Lambda an unset AWS_IDENTITY_CERTS_FILE is a
 * configuration error: the development certificate's private key is public, so it is never a
 * silent fallback there.
 */
export function trustedCertificates(): X509Certificate[] {
  const configured = config.awsIdentityCertsFile();
  if (!configured && process.env.AWS_LAMBDA_FUNCTION_NAME) {
    throw new Error('AWS_IDENTITY_CERTS_FILE is not set; a deployed function never trusts the development certificate.');
  }
  const file = configured ? (isAbsolute(configured) ? configured : resolve(process.cwd(), configured)) : developmentCertificatePath();
  if (cached?.file !== file) cached = { file, certificates: loadTrustedCertificates(readFileSync(file, 'utf8')) };
  return cached.certificates;
}

/** Forgets the loaded certificates, so that the next call reads AWS_IDENTITY_CERTS_FILE again (tests). */
export function resetTrustedCertificates(): void {
  cached = undefined;
}
