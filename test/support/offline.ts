import { compactDecrypt, exportJWK, generateKeyPair } from 'jose';
import { hmacSha256, sha256Hex } from '../../shared/crypto';
import type { InstallationCredentials } from './api';

/** What an XProtect server keeps while its request file travels: the private half of the file's key. */
export interface RequestFileKeys {
  publicJwk: Record<string, unknown>;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
}

export async function requestFileKeys(curve: 'X25519' | 'P-256' = 'X25519'): Promise<RequestFileKeys> {
  const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: curve, extractable: true });
  return { publicJwk: await exportJWK(publicKey), privateKey };
}

/** An activation request file (§10): unsigned for a first activation, signed with the installation secret for a re-activation. */
export function requestFile(
  body: Record<string, unknown>,
  keys: RequestFileKeys,
  signedBy?: InstallationCredentials,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, unknown> {
  const text = JSON.stringify(body);
  const file: Record<string, unknown> = {
    format: 'cloud-licensing.activation-request.v1',
    createdAt: new Date().toISOString(),
    body: text,
    encryptionKey: keys.publicJwk,
  };
  if (signedBy) {
    file.installationId = signedBy.installationId;
    file.timestamp = timestamp;
    file.signature = hmacSha256(signedBy.installationSecret, `${timestamp}\nPOST\n/v1/activations\n${sha256Hex(text)}`).toString('hex');
  }
  return file;
}

/** Opens the sealed installation secret of a license file with the request file's private key. */
export async function openSecret(licenseFile: { installationSecretJwe: string }, keys: RequestFileKeys): Promise<{ secret: string; header: Record<string, unknown> }> {
  const { plaintext, protectedHeader } = await compactDecrypt(licenseFile.installationSecretJwe, keys.privateKey);
  return { secret: new TextDecoder().decode(plaintext), header: protectedHeader };
}
