import { createCipheriv, createDecipheriv, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  arn,
  awsJson,
  ServiceError,
  stableId,
  type CellIdentity,
  type PhysicalResource,
  type StandInAnswer,
  type StandInContext,
  type StandInRequest,
  type StandInService,
  type TemplateResource,
} from './service';

/** The canonical form of an encryption context: it is bound to the ciphertext as AES-GCM additional data. */
const contextBytes = (context: Record<string, string>): Buffer =>
  Buffer.from(JSON.stringify(Object.keys(context).sort().map((key) => [key, context[key]])));

const uuidOf = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

/**
 * KMS (AWS JSON 1.1, `TrentService`): the symmetric keys of the template (AWS::KMS::Key) and the two
 * operations the signing functions use, GenerateDataKeyPairWithoutPlaintext (ECC_NIST_EDWARDS25519)
 * and Decrypt. Ciphertexts are AES-256-GCM under the key's material with the encryption context as
 * additional data, and name their key, as KMS ciphertexts do. Key material is kept in `stateFile`
 * (when given), so signing keys stored in a persistent table stay decryptable across restarts.
 */
export class KmsStandIn implements StandInService {
  readonly name = 'KMS';
  readonly signingName = 'kms';
  readonly endpointEnv = 'AWS_ENDPOINT_URL_KMS';
  readonly resourceTypes = ['AWS::KMS::Key'] as const;
  private readonly material = new Map<string, Buffer>();

  constructor(private readonly stateFile?: string) {
    if (stateFile && existsSync(stateFile)) {
      for (const [keyArn, key] of Object.entries(JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, string>)) {
        this.material.set(keyArn, Buffer.from(key, 'base64'));
      }
    }
  }

  provision(resource: TemplateResource, cell: CellIdentity): PhysicalResource {
    const keyId = uuidOf(stableId(resource));
    const keyArn = arn(cell, 'kms', `key/${keyId}`);
    if (!this.material.has(keyArn)) {
      this.material.set(keyArn, randomBytes(32));
      this.save();
    }
    return { ref: keyId, attributes: { Arn: keyArn, KeyId: keyId } };
  }

  async handle(request: StandInRequest, context: StandInContext): Promise<StandInAnswer> {
    const operation = awsJson.operation(request, 'TrentService');
    const input = awsJson.input(request);
    if (operation === 'GenerateDataKeyPairWithoutPlaintext') return awsJson.answer(this.generateDataKeyPair(input, context));
    if (operation === 'Decrypt') return awsJson.answer(this.decrypt(input, context));
    throw new ServiceError('UnsupportedOperationException', `The KMS stand-in does not implement ${operation}.`);
  }

  errorAnswer(error: ServiceError): StandInAnswer {
    return awsJson.error(error);
  }

  private keyArnOf(keyId: unknown, context: StandInContext): string {
    if (typeof keyId !== 'string' || !keyId) throw new ServiceError('ValidationException', 'KeyId is required.');
    const candidate = keyId.startsWith('arn:') ? keyId : arn(context, 'kms', `key/${keyId}`);
    if (!this.material.has(candidate)) throw new ServiceError('NotFoundException', `Key '${candidate}' does not exist`);
    return candidate;
  }

  private encryptionContext(value: unknown): Record<string, string> {
    if (value === undefined) return {};
    if (!value || typeof value !== 'object' || Object.values(value).some((entry) => typeof entry !== 'string')) {
      throw new ServiceError('ValidationException', 'EncryptionContext must map strings to strings.');
    }
    return value as Record<string, string>;
  }

  private conditionKeys(encryptionContext: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(encryptionContext).map(([key, value]) => [`kms:EncryptionContext:${key}`, value]));
  }

  private generateDataKeyPair(input: Record<string, unknown>, context: StandInContext): Record<string, unknown> {
    const keyArn = this.keyArnOf(input.KeyId, context);
    const encryptionContext = this.encryptionContext(input.EncryptionContext);
    const spec = String(input.KeyPairSpec ?? '');
    context.record({
      action: 'kms:GenerateDataKeyPairWithoutPlaintext',
      resource: keyArn,
      context: { ...this.conditionKeys(encryptionContext), 'kms:DataKeyPairSpec': spec },
    });
    if (spec !== 'ECC_NIST_EDWARDS25519') throw new ServiceError('ValidationException', `The KMS stand-in generates ECC_NIST_EDWARDS25519 pairs only, not ${spec}.`);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const plaintext = privateKey.export({ format: 'der', type: 'pkcs8' });
    return {
      KeyId: keyArn,
      KeyPairSpec: spec,
      PublicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      PrivateKeyCiphertextBlob: this.encrypt(keyArn, plaintext, encryptionContext).toString('base64'),
    };
  }

  private decrypt(input: Record<string, unknown>, context: StandInContext): Record<string, unknown> {
    if (typeof input.CiphertextBlob !== 'string') throw new ServiceError('ValidationException', 'CiphertextBlob is required.');
    const blob = Buffer.from(input.CiphertextBlob, 'base64');
    const length = blob.readUInt16BE(0);
    const keyArn = blob.subarray(2, 2 + length).toString('utf8');
    const encryptionContext = this.encryptionContext(input.EncryptionContext);
    context.record({ action: 'kms:Decrypt', resource: keyArn, context: this.conditionKeys(encryptionContext) });
    if (input.KeyId !== undefined && this.keyArnOf(input.KeyId, context) !== keyArn) {
      throw new ServiceError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
    }
    const key = this.material.get(keyArn);
    if (!key) throw new ServiceError('InvalidCiphertextException', 'The ciphertext refers to a key that does not exist.');
    const rest = blob.subarray(2 + length);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, rest.subarray(0, 12));
      decipher.setAAD(contextBytes(encryptionContext));
      decipher.setAuthTag(rest.subarray(12, 28));
      const plaintext = Buffer.concat([decipher.update(rest.subarray(28)), decipher.final()]);
      return { KeyId: keyArn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    } catch {
      throw new ServiceError('InvalidCiphertextException', 'The ciphertext or its encryption context is not valid.');
    }
  }

  private encrypt(keyArn: string, plaintext: Buffer, encryptionContext: Record<string, string>): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.material.get(keyArn)!, iv);
    cipher.setAAD(contextBytes(encryptionContext));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const name = Buffer.from(keyArn, 'utf8');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(name.length);
    return Buffer.concat([length, name, iv, cipher.getAuthTag(), ciphertext]);
  }

  private save(): void {
    if (!this.stateFile) return;
    mkdirSync(dirname(this.stateFile), { recursive: true });
    const state = Object.fromEntries([...this.material].map(([keyArn, key]) => [keyArn, key.toString('base64')]));
    writeFileSync(this.stateFile, JSON.stringify(state), { mode: 0o600 });
  }
}
