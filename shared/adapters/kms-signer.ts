import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { jwkFromPublicKey, type OkpJwk, type Signer } from './signer';

/** Environment variables that select and configure the KMS signer. */
export const KMS_SIGNING_KEY_ENV = 'KMS_SIGNING_KEY_ID';
/** Comma-separated ids of earlier signing keys whose public keys stay published (key rotation). */
export const KMS_RETIRED_KEYS_ENV = 'KMS_RETIRED_SIGNING_KEY_IDS';

/** KMS Sign accepts at most 4096 bytes with MessageType RAW, and pure Ed25519 cannot be pre-hashed. */
export const KMS_MAX_MESSAGE_BYTES = 4096;

const ED25519_SIGNATURE_BYTES = 64;

/** The part of the KMS client the signer uses; tests pass a fake. */
export interface KmsCommandSender {
  send(command: SignCommand | GetPublicKeyCommand): Promise<{
    Signature?: Uint8Array | undefined;
    PublicKey?: Uint8Array | undefined;
    KeySpec?: string | undefined;
  }>;
}

/**
 * Signs with an asymmetric KMS key of spec ECC_NIST_EDWARDS25519 (algorithm ED25519_SHA_512,
 * MessageType RAW: KMS computes a standard RFC 8032 Ed25519 signature, which verifies as JWS EdDSA).
 * The public keys are read once per container with GetPublicKey and published as OKP JWKs whose
 * `kid` is the RFC 7638 thumbprint, exactly as the local signer does.
 */
export class KmsSigner implements Signer {
  readonly maxMessageBytes = KMS_MAX_MESSAGE_BYTES;
  private client: KmsCommandSender | undefined;
  private keys: Promise<OkpJwk[]> | undefined;

  constructor(
    private readonly signingKeyId: string,
    private readonly retiredKeyIds: readonly string[] = [],
    client?: KmsCommandSender,
  ) {
    this.client = client;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): KmsSigner {
    const keyId = env[KMS_SIGNING_KEY_ENV];
    if (!keyId) throw new Error(`${KMS_SIGNING_KEY_ENV} is not set`);
    const retired = (env[KMS_RETIRED_KEYS_ENV] ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    return new KmsSigner(keyId, retired);
  }

  private kms(): KmsCommandSender {
    // Created on first use: no client, and no network call, at module load.
    this.client ??= new KMSClient({});
    return this.client;
  }

  private async publicKeyOf(keyId: string): Promise<OkpJwk> {
    const output = await this.kms().send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (output.KeySpec !== undefined && output.KeySpec !== 'ECC_NIST_EDWARDS25519') {
      throw new Error(`KMS key ${keyId} has key spec ${output.KeySpec}, not ECC_NIST_EDWARDS25519`);
    }
    if (!output.PublicKey) throw new Error(`KMS returned no public key for ${keyId}`);
    const publicKey = createPublicKey({ key: Buffer.from(output.PublicKey), format: 'der', type: 'spki' });
    if (publicKey.asymmetricKeyType !== 'ed25519') {
      throw new Error(`KMS key ${keyId} is not an Ed25519 key (${publicKey.asymmetricKeyType})`);
    }
    return jwkFromPublicKey(publicKey);
  }

  /** The current key first, then the retired ones; cached, and fetched again after a failure. */
  async publicKeys(): Promise<OkpJwk[]> {
    if (!this.keys) {
      const pending = Promise.all([this.signingKeyId, ...this.retiredKeyIds].map((id) => this.publicKeyOf(id)));
      this.keys = pending;
      pending.catch(() => {
        if (this.keys === pending) this.keys = undefined;
      });
    }
    return this.keys;
  }

  async keyId(): Promise<string> {
    return (await this.publicKeys())[0]!.kid;
  }

  async signEd25519(data: Buffer): Promise<Buffer> {
    if (data.length > KMS_MAX_MESSAGE_BYTES) {
      throw new Error(`KMS signs at most ${KMS_MAX_MESSAGE_BYTES} bytes with Ed25519; the message has ${data.length}`);
    }
    const output = await this.kms().send(
      new SignCommand({
        KeyId: this.signingKeyId,
        Message: data,
        MessageType: 'RAW',
        SigningAlgorithm: 'ED25519_SHA_512',
      }),
    );
    if (!output.Signature || output.Signature.length !== ED25519_SIGNATURE_BYTES) {
      throw new Error(`KMS returned a signature of ${output.Signature?.length ?? 0} bytes; Ed25519 signatures have 64`);
    }
    return Buffer.from(output.Signature);
  }
}
