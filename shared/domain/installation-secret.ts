import { hmacSha256 } from '../crypto';

/**
 * An installation's secret is derived from a service key, the installation id and the credential
 * version; the table never holds it. Resetting credentials bumps the version, so the old secret
 * stops working.
 */
export function deriveInstallationSecret(serviceKey: Buffer, installationId: string, credentialVersion: number): string {
  return hmacSha256(serviceKey, `installation-secret\n${installationId}\n${credentialVersion}`).toString('base64url');
}
