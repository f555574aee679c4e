import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EnvelopeSigner, SIGNING_KEY_GENERATION_ENV } from './envelope-signer';

export interface OkpJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  use: 'sig';
  alg: 'EdDSA';
}

/**
 * Signs license documents with Ed25519 (pure, any message size). A local key file, or in AWS a key
 * kept encrypted under KMS (envelope-signer.ts); both publish their public keys as JWKs.
 */
export interface Signer {
  keyId(): Promise<string>;
  signEd25519(data: Buffer): Promise<Buffer>;
  publicKeys(): Promise<OkpJwk[]>;
}

/** RFC 7638 thumbprint of an Ed25519 public key, used as its `kid`. */
export function thumbprint(x: string): string {
  return createHash('sha256').update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x })).digest('base64url');
}

export function jwkFromPublicKey(publicKey: KeyObject): OkpJwk {
  const { x } = publicKey.export({ format: 'jwk' }) as { x: string };
  return { kty: 'OKP', crv: 'Ed25519', x, kid: thumbprint(x), use: 'sig', alg: 'EdDSA' };
}

export class LocalKeySigner implements Signer {
  private readonly jwk: OkpJwk;

  constructor(private readonly privateKey: KeyObject) {
    this.jwk = jwkFromPublicKey(createPublicKey(privateKey));
  }

  /** Loads the key from a PKCS#8 PEM file, creating the file on first use. */
  static fromFile(path: string): LocalKeySigner {
    if (!existsSync(path)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    }
    return new LocalKeySigner(createPrivateKey(readFileSync(path)));
  }

  static ephemeral(): LocalKeySigner {
    return new LocalKeySigner(generateKeyPairSync('ed25519').privateKey);
  }

  async keyId(): Promise<string> {
    return this.jwk.kid;
  }

  async signEd25519(data: Buffer): Promise<Buffer> {
    return sign(null, data, this.privateKey);
  }

  async publicKeys(): Promise<OkpJwk[]> {
    return [this.jwk];
  }
}

let current: Signer | undefined;

export function signer(): Signer {
  if (!current) {
    if (process.env[SIGNING_KEY_GENERATION_ENV]) current = EnvelopeSigner.fromEnv();
    else if (process.env.SIGNING_KEY_FILE) current = LocalKeySigner.fromFile(process.env.SIGNING_KEY_FILE);
    else throw new Error(`No signer configured: set SIGNING_KEY_FILE or ${SIGNING_KEY_GENERATION_ENV}`);
  }
  return current;
}

export function setSigner(replacement: Signer | undefined): void {
  current = replacement;
}

/** A compact JWS (alg EdDSA) over the JSON payload. */
export async function signJws(payload: Record<string, unknown>, with_: Signer = signer()): Promise<string> {
  const header = { alg: 'EdDSA', typ: 'JWT', kid: await with_.keyId() };
  const signingInput = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = await with_.signEd25519(Buffer.from(signingInput));
  return `${signingInput}.${signature.toString('base64url')}`;
}
