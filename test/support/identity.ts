import { createPrivateKey, randomBytes, randomInt, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { InstanceIdentity } from '../../shared/adapters/identity-document';

/**
 * Signs EC2 instance identity documents with the development key, whose certificate
 * (certs/development-identity.pem) the service trusts when AWS_IDENTITY_CERTS_FILE is unset.
 */

/** The included-license product code the service accepts by default (shared/config.ts). */
export const DEVELOPMENT_PRODUCT_CODE = 'dev-essential-plus-included';

export const DEVELOPMENT_KEY_FILE = new URL('../fixtures/identity/development-key.pem', import.meta.url);

let developmentKey: KeyObject | undefined;

export function developmentSigningKey(): KeyObject {
  developmentKey ??= createPrivateKey(readFileSync(DEVELOPMENT_KEY_FILE));
  return developmentKey;
}

export interface SignOptions {
  /** Sign with this key instead of the development key (a document from an untrusted signer). */
  key?: KeyObject;
  /** Fields added to (or, with null, overriding) the document, e.g. `{ billingProducts: ['bp-6ba54002'] }`. */
  extraFields?: Record<string, unknown>;
  /** `marketplaceProductCodes: null`, as AWS writes it for an AMI without a product code. */
  noProductCodes?: boolean;
}

export interface SignedIdentityDocument {
  instanceIdentityDocument: string;
  signature: string;
}

export const randomAccountId = (): string => String(randomInt(100_000, 1_000_000)) + String(randomInt(100_000, 1_000_000));
export const randomInstanceId = (): string => `i-${randomBytes(9).toString('hex').slice(0, 17)}`;

/**
 * The document text in the layout the instance metadata service serves it: two-space indent,
 * `"key" : value`, no trailing newline.
 */
export function identityDocumentText(fields: Record<string, unknown>): string {
  const lines = Object.entries(fields).map(([key, value]) => {
    const rendered = Array.isArray(value)
      ? value.length === 0
        ? '[ ]'
        : `[ ${value.map((item) => JSON.stringify(item)).join(', ')} ]`
      : JSON.stringify(value);
    return `  ${JSON.stringify(key)} : ${rendered}`;
  });
  return `{\n${lines.join(',\n')}\n}`;
}

/** Base64 RSA-SHA256 over the exact text, wrapped at 76 characters as the metadata service does. */
export function signText(text: string, key: KeyObject = developmentSigningKey()): string {
  const signature = sign('RSA-SHA256', Buffer.from(text, 'utf8'), key).toString('base64');
  return signature.match(/.{1,76}/g)!.join('\n');
}

/**
 * A realistic identity document for the given identity (missing fields get fresh random values:
 * a new account and instance on every call unless given) and its signature. The default product
 * code is the development included-license code; pass `marketplaceProductCodes: []` for a BYOL AMI.
 * accountId must be 12 digits, instanceId `i-` and 8–32 hex digits, or the service refuses it.
 */
export function signIdentityDocument(identity: Partial<InstanceIdentity> = {}, options: SignOptions = {}): SignedIdentityDocument {
  const region = identity.region ?? 'eu-west-1';
  const fields: Record<string, unknown> = {
    accountId: identity.accountId ?? randomAccountId(),
    architecture: 'x86_64',
    availabilityZone: identity.availabilityZone ?? `${region}a`,
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: options.noProductCodes ? null : (identity.marketplaceProductCodes ?? [DEVELOPMENT_PRODUCT_CODE]),
    imageId: identity.imageId ?? `ami-${randomBytes(9).toString('hex').slice(0, 17)}`,
    instanceId: identity.instanceId ?? randomInstanceId(),
    instanceType: identity.instanceType ?? 'm6i.xlarge',
    kernelId: null,
    pendingTime: identity.pendingTime ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    privateIp: `10.0.${randomInt(0, 256)}.${randomInt(1, 255)}`,
    ramdiskId: null,
    region,
    version: '2017-09-30',
    ...options.extraFields,
  };
  const instanceIdentityDocument = identityDocumentText(fields);
  return { instanceIdentityDocument, signature: signText(instanceIdentityDocument, options.key) };
}
