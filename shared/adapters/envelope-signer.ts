import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { store } from '../store/client';
import type { SigningKeyRecord } from '../store/records';
import { createSigningKey, listSigningKeys, markSigningKeyActivated } from '../store/signing-keys';
import { awsJsonService, type AwsJsonCall } from './aws-json';
import { clock } from './clock';
import { jwkFromPublicKey, thumbprint, type OkpJwk, type Signer } from './signer';

/** The generation of the signing key this function signs with (cdk.json `signingKeyGeneration`). */
export const SIGNING_KEY_GENERATION_ENV = 'SIGNING_KEY_GENERATION';
/** The symmetric KMS key that encrypts the signing keys; set only for the functions that sign. */
export const SIGNING_KMS_KEY_ENV = 'SIGNING_KMS_KEY_ID';

/** The `purpose` entry of the encryption context; IAM conditions in the stack require it. */
export const SIGNING_KEY_PURPOSE = 'cloud-licensing-license-signing';
/** KMS data key pair spec of the signing keys: plain Ed25519, which JWS `EdDSA` verifiers accept. */
export const SIGNING_KEY_PAIR_SPEC = 'ECC_NIST_EDWARDS25519';

/** License documents are valid 30 days after issue (shared/use-cases/license-document.ts). */
export const DOCUMENT_VALIDITY_MS = 30 * 24 * 3600_000;
/** Beyond that, a retired generation stays published one more day: clock skew, requests in flight, caches. */
export const PUBLICATION_MARGIN_MS = 24 * 3600_000;
/** How long GET /v1/keys reuses the key set it read from the table. */
export const PUBLIC_KEYS_CACHE_MS = 60_000;

export const MAX_SIGNING_KEY_GENERATION = 9999;

export interface EnvelopeSignerOptions {
  /** The generation to sign with (1–9999). */
  generation: number;
  /** The symmetric KMS key (ARN); without it the signer only publishes public keys. */
  kmsKeyId?: string;
  /** KMS's JSON API (GenerateDataKeyPairWithoutPlaintext, Decrypt); tests pass a fake. */
  kms?: AwsJsonCall;
}

/**
 * Which generations GET /v1/keys publishes: the configured one first, then the others, newest first.
 * Another generation is retired when a generation is activated after it (created, or taken back after
 * a rollback); it stays published until its last documents have expired, DOCUMENT_VALIDITY_MS plus
 * PUBLICATION_MARGIN_MS after that. A generation nothing has followed may still be signing and stays.
 */
export function publishedGenerations(
  records: ReadonlyArray<Pick<SigningKeyRecord, 'generation' | 'activatedAt'>>,
  current: number,
  now: Date,
): number[] {
  const window = DOCUMENT_VALIDITY_MS + PUBLICATION_MARGIN_MS;
  const published = records.filter((record) => {
    if (record.generation === current) return true;
    const retiredAt = records
      .filter((other) => other.activatedAt > record.activatedAt)
      .map((other) => other.activatedAt)
      .sort()[0];
    return retiredAt === undefined || now.getTime() < Date.parse(retiredAt) + window;
  });
  return published
    .map((record) => record.generation)
    .sort((a, b) => (a === current ? -1 : b === current ? 1 : b - a));
}

const jwkOf = (x: string): OkpJwk => ({ kty: 'OKP', crv: 'Ed25519', x, kid: thumbprint(x), use: 'sig', alg: 'EdDSA' });

/**
 * Signs license documents in AWS with envelope encryption: the Ed25519 key pair is a KMS data key
 * pair (GenerateDataKeyPairWithoutPlaintext under the cell's symmetric key); the table keeps its
 * public key and the private key as KMS encrypted it. A function that signs decrypts the private key
 * once per container (KMS Decrypt, cached in module scope) and signs in-process with node:crypto —
 * pure Ed25519 over the whole signing input, whatever its size. The first function that needs a
 * generation the table does not have creates it (conditional put: the first writer wins, the others
 * take the winner's). Public keys are read from the table, so publishing them needs no KMS call.
 */
export class EnvelopeSigner implements Signer {
  readonly generation: number;
  private readonly kmsKeyId: string | undefined;
  private client: AwsJsonCall | undefined;
  private key: Promise<{ kid: string; privateKey: KeyObject }> | undefined;
  private published: { keys: OkpJwk[]; until: number } | undefined;

  constructor(options: EnvelopeSignerOptions) {
    if (!Number.isInteger(options.generation) || options.generation < 1 || options.generation > MAX_SIGNING_KEY_GENERATION) {
      throw new Error(`The signing key generation must be an integer from 1 to ${MAX_SIGNING_KEY_GENERATION}`);
    }
    this.generation = options.generation;
    this.kmsKeyId = options.kmsKeyId;
    this.client = options.kms;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): EnvelopeSigner {
    const generation = env[SIGNING_KEY_GENERATION_ENV];
    if (!generation || !/^\d+$/.test(generation)) throw new Error(`${SIGNING_KEY_GENERATION_ENV} must be a generation number`);
    return new EnvelopeSigner({ generation: Number(generation), kmsKeyId: env[SIGNING_KMS_KEY_ENV] || undefined });
  }

  async keyId(): Promise<string> {
    return (await this.signingKey()).kid;
  }

  async signEd25519(data: Buffer): Promise<Buffer> {
    return sign(null, data, (await this.signingKey()).privateKey);
  }

  /** The published keys (see publishedGenerations), read from the table and reused for a minute. */
  async publicKeys(): Promise<OkpJwk[]> {
    const now = clock.now();
    if (this.published && now.getTime() < this.published.until) return this.published.keys;
    const records = await listSigningKeys();
    const byGeneration = new Map(records.map((record) => [record.generation, record]));
    const keys = publishedGenerations(records, this.generation, now).map((generation) => jwkOf(byGeneration.get(generation)!.x));
    // Until the configured generation exists, read again every time, so that it shows as soon as it is created.
    this.published = byGeneration.has(this.generation) ? { keys, until: now.getTime() + PUBLIC_KEYS_CACHE_MS } : undefined;
    return keys;
  }

  /** The decrypted signing key of this container: loaded once, and again after a failure. */
  private signingKey(): Promise<{ kid: string; privateKey: KeyObject }> {
    if (!this.key) {
      const pending = this.load();
      this.key = pending;
      pending.catch(() => {
        if (this.key === pending) this.key = undefined;
      });
    }
    return this.key;
  }

  private kms(): AwsJsonCall {
    if (!this.kmsKeyId) throw new Error(`${SIGNING_KMS_KEY_ENV} is not set: this function publishes signing keys but does not sign`);
    // Created on first use: no client, and no network call, at module load.
    this.client ??= awsJsonService({ service: 'kms', targetPrefix: 'TrentService', endpointEnv: 'AWS_ENDPOINT_URL_KMS' });
    return this.client;
  }

  private encryptionContext(generation: number): Record<string, string> {
    return { purpose: SIGNING_KEY_PURPOSE, table: store().tableName, generation: String(generation) };
  }

  private async load(): Promise<{ kid: string; privateKey: KeyObject }> {
    this.kms();
    const now = clock.now().toISOString();
    const records = await listSigningKeys();
    let record = records.find((candidate) => candidate.generation === this.generation);
    if (!record) {
      const created = await this.generate(now);
      if (await createSigningKey(created)) {
        record = created;
        await this.log('Created a signing key generation', { generation: this.generation, kid: created.kid });
      } else {
        // Another container created this generation first: use theirs.
        record = (await listSigningKeys()).find((candidate) => candidate.generation === this.generation);
        if (!record) throw new Error(`Signing key generation ${this.generation} was neither created nor found`);
      }
    } else if (records.some((other) => other.generation !== this.generation && other.activatedAt > record!.activatedAt)) {
      // The setting went back to this generation: it signs again, so the one that followed it is retired now.
      await markSigningKeyActivated(this.generation, record.activatedAt, now);
      await this.log('Signing key generation is current again', { generation: this.generation });
    }
    this.published = undefined;
    return { kid: thumbprint(record.x), privateKey: await this.decrypt(record) };
  }

  /**
   * Logs a change of generation. The logger is imported here rather than at the top: signer.ts, and
   * with it this file, is imported before the environment that configures the logger may be set.
   */
  private async log(message: string, fields: Record<string, unknown>): Promise<void> {
    const { logger } = await import('./observability');
    logger.info(message, fields);
  }

  private async generate(now: string): Promise<SigningKeyRecord> {
    const output = await this.kms()('GenerateDataKeyPairWithoutPlaintext', {
      KeyId: this.kmsKeyId,
      KeyPairSpec: SIGNING_KEY_PAIR_SPEC,
      EncryptionContext: this.encryptionContext(this.generation),
    });
    const { PublicKey, PrivateKeyCiphertextBlob, KeyId } = output;
    if (typeof PublicKey !== 'string' || typeof PrivateKeyCiphertextBlob !== 'string' || typeof KeyId !== 'string') {
      throw new Error('KMS returned an incomplete data key pair');
    }
    const publicKey = createPublicKey({ key: Buffer.from(PublicKey, 'base64'), format: 'der', type: 'spki' });
    if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`KMS returned a ${publicKey.asymmetricKeyType} key pair, not Ed25519`);
    const { x, kid } = jwkFromPublicKey(publicKey);
    return {
      generation: this.generation,
      kid,
      x,
      encryptedPrivateKey: PrivateKeyCiphertextBlob,
      kmsKeyArn: KeyId,
      createdAt: now,
      activatedAt: now,
    };
  }

  private async decrypt(record: SigningKeyRecord): Promise<KeyObject> {
    if (this.kmsKeyId!.startsWith('arn:') && this.kmsKeyId !== record.kmsKeyArn) {
      throw new Error(
        `Signing key generation ${record.generation} is encrypted under another KMS key; raise the signing key generation to sign with the configured key`,
      );
    }
    const { Plaintext } = await this.kms()('Decrypt', {
      CiphertextBlob: record.encryptedPrivateKey,
      KeyId: record.kmsKeyArn,
      EncryptionContext: this.encryptionContext(record.generation),
    });
    if (typeof Plaintext !== 'string') throw new Error('KMS returned no plaintext for the signing key');
    const der = Buffer.from(Plaintext, 'base64');
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } finally {
      der.fill(0);
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`Signing key generation ${record.generation} is not an Ed25519 key`);
    // The published public key must be this private key's, or every document would fail to verify.
    if (jwkFromPublicKey(createPublicKey(privateKey)).x !== record.x) {
      throw new Error(`The stored public key of signing key generation ${record.generation} does not match its private key`);
    }
    return privateKey;
  }
}
