import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWK } from 'jose';
import type { Jwks, LicenseClaims } from './types.js';

export type LicenseVerificationCode = 'malformed' | 'missing_kid' | 'unknown_kid' | 'invalid_signature' | 'expired' | 'invalid_claims';

/** Why a license document was not accepted. */
export class LicenseVerificationError extends Error {
  constructor(
    readonly code: LicenseVerificationCode,
    message: string,
  ) {
    super(message);
    this.name = 'LicenseVerificationError';
  }
}

export interface VerifyLicenseOptions {
  /** The time to check `exp` against (default: now). */
  currentDate?: Date;
  /** Refuse a document issued to another installation. */
  installationId?: string;
}

const PRODUCTS = new Set(['corporate', 'expert', 'professional-plus', 'express-plus', 'essential-plus']);
const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

function claimsProblem(payload: Record<string, unknown>): string | undefined {
  for (const field of ['slc', 'installationId', 'version'] as const) if (!isString(payload[field])) return `${field} is not a string`;
  if (!PRODUCTS.has(payload.product as string)) return 'product is not an edition';
  if (payload.status !== 'activated' && payload.status !== 'partially_activated') return 'status is not an activation status';
  if (!Number.isInteger(payload.iat) || !Number.isInteger(payload.exp)) return 'iat and exp must be whole seconds';
  const devices = payload.devices;
  if (!Array.isArray(devices)) return 'devices is not a list';
  for (const device of devices as Array<Record<string, unknown>>) {
    if (!isString(device?.mac) || !isString(device.deviceKey) || !isCount(device.licenses)) return 'a device lacks mac, deviceKey or licenses';
  }
  const carePlus = payload.carePlus as Record<string, unknown> | undefined;
  if (typeof carePlus?.active !== 'boolean' || !(carePlus.validUntil === null || isString(carePlus.validUntil))) return 'carePlus is malformed';
  if (typeof payload.addOns !== 'object' || payload.addOns === null) return 'addOns is not an object';
  return undefined;
}

/**
 * Verifies a license document offline against a JWKS (the body of `GET /v1/keys`, fetched
 * earlier): compact JWS with alg EdDSA, a `kid` naming one of the keys, a valid signature, an
 * `exp` in the future, and claims of the documented types. Returns the typed claims.
 */
export async function verifyLicense(jws: string, jwks: Jwks, options: VerifyLicenseOptions = {}): Promise<LicenseClaims> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(jws).kid;
  } catch {
    throw new LicenseVerificationError('malformed', 'The license document is not a compact JWS.');
  }
  if (!kid) throw new LicenseVerificationError('missing_kid', 'The license document names no key (kid).');
  if (!jwks.keys.some((key) => key.kid === kid)) {
    throw new LicenseVerificationError('unknown_kid', `No published key has kid ${kid}.`);
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(jws, createLocalJWKSet({ keys: jwks.keys as JWK[] }), {
      algorithms: ['EdDSA'],
      currentDate: options.currentDate,
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new LicenseVerificationError('expired', 'The license document has expired (exp).');
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw new LicenseVerificationError('invalid_signature', 'The license document signature does not verify.');
    }
    if (error instanceof errors.JWTClaimValidationFailed) throw new LicenseVerificationError('invalid_claims', error.message);
    throw new LicenseVerificationError('malformed', (error as Error).message);
  }
  const problem = claimsProblem(payload);
  if (problem) throw new LicenseVerificationError('invalid_claims', `The license document claims are malformed: ${problem}.`);
  if (options.installationId !== undefined && payload.installationId !== options.installationId) {
    throw new LicenseVerificationError('invalid_claims', 'The license document is for another installation.');
  }
  return payload as unknown as LicenseClaims;
}
