import { createCipheriv, createDecipheriv, createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, resetClock, setClock } from '../../shared/adapters/clock';
import type { AwsJsonCall } from '../../shared/adapters/aws-json';
import { EnvelopeSigner, SIGNING_KEY_GENERATION_ENV, SIGNING_KEY_PURPOSE, SIGNING_KMS_KEY_ENV } from '../../shared/adapters/envelope-signer';
import { LocalKeySigner, setSigner, signer, signJws, thumbprint, type OkpJwk } from '../../shared/adapters/signer';
import { store } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';
import { listSigningKeys } from '../../shared/store/signing-keys';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const DAY = 24 * 3600_000;
const START = '2026-03-01T08:00:00.000Z';

const kmsError = (operation: string, type: string, message: string) => new Error(`${operation} failed: ${type} (HTTP 400): ${message}`);
const additionalData = (context: Record<string, string> | undefined) => Buffer.from(JSON.stringify(Object.entries(context ?? {}).sort()));

/**
 * A stand-in for KMS with one symmetric key (AES-256-GCM; the encryption context is the additional
 * authenticated data, as in KMS). GenerateDataKeyPairWithoutPlaintext really generates an Ed25519 pair
 * and returns the public key (DER SPKI) and the encrypted PKCS#8 private key; Decrypt opens it only
 * with the same key and encryption context. Fakes made from one `masterKey` are containers of one cell.
 */
function fakeKms(masterKey: Buffer, options: { generateBarrier?: { parties: number; arrived: number; release?: () => void; done: Promise<void> } } = {}) {
  const calls: Array<{ name: string; input: Record<string, any> }> = [];
  const generated: KeyObject[] = [];
  const sender: AwsJsonCall = async (name, input: Record<string, any>) => {
    calls.push({ name, input });
    if (name === 'GenerateDataKeyPairWithoutPlaintext') {
      if (input.KeyId !== KEY_ARN) throw kmsError(name, 'NotFoundException', 'unknown key');
      if (input.KeyPairSpec !== 'ECC_NIST_EDWARDS25519') throw kmsError(name, 'ValidationException', 'unexpected key pair spec');
      const barrier = options.generateBarrier;
      if (barrier) {
        barrier.arrived += 1;
        if (barrier.arrived === barrier.parties) barrier.release!();
        await barrier.done;
      }
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      generated.push(privateKey);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
      cipher.setAAD(additionalData(input.EncryptionContext));
      const encrypted = Buffer.concat([cipher.update(privateKey.export({ format: 'der', type: 'pkcs8' })), cipher.final()]);
      return {
        KeyId: KEY_ARN,
        KeyPairSpec: input.KeyPairSpec,
        PublicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
        PrivateKeyCiphertextBlob: Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64'),
      };
    }
    if (name === 'Decrypt') {
      if (input.KeyId !== KEY_ARN) throw kmsError(name, 'IncorrectKeyException', 'wrong key');
      const blob = Buffer.from(input.CiphertextBlob as string, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', masterKey, blob.subarray(0, 12));
      decipher.setAuthTag(blob.subarray(12, 28));
      decipher.setAAD(additionalData(input.EncryptionContext));
      try {
        return { KeyId: KEY_ARN, Plaintext: Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('base64') };
      } catch {
        throw kmsError(name, 'InvalidCiphertextException', 'the ciphertext or its encryption context is not valid');
      }
    }
    throw new Error(`unexpected KMS operation ${name}`);
  };
  const count = (name: string) => calls.filter((call) => call.name === name).length;
  return { sender, calls, generated, count };
}

/** A KMS that must not be called: GET /v1/keys runs without any KMS permission. */
const noKms: AwsJsonCall = async () => {
  throw new Error('KMS must not be called to publish keys');
};

const signingFunction = (generation: number, kms: AwsJsonCall) => new EnvelopeSigner({ generation, kmsKeyId: KEY_ARN, kms });
const publicFunction = (generation: number) => new EnvelopeSigner({ generation, kms: noKms });

function parts(jws: string) {
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  return { header: JSON.parse(Buffer.from(header, 'base64url').toString()), signingInput: `${header}.${payload}`, signature: Buffer.from(signature, 'base64url') };
}

/** Verifies a compact JWS as a relying party does: pick the JWK by kid, pure Ed25519 over the signing input. */
function verifies(jws: string, published: OkpJwk[]): boolean {
  const { header, signingInput, signature } = parts(jws);
  const jwk = published.find((candidate) => candidate.kid === header.kid);
  if (!jwk || header.alg !== 'EdDSA') return false;
  return verify(null, Buffer.from(signingInput), createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }), signature);
}

function licenseWithDevices(count: number) {
  return {
    slc: 'M01-XPCO-251-7KQ2M4T9XW3PZA8D',
    installationId: 'c7a4d1c2-8f5e-4f3a-9a39-1d2c3b4a5f60',
    product: 'corporate',
    version: '2025 R1',
    status: 'activated',
    devices: Array.from({ length: count }, (_, index) => ({
      mac: `00:11:${[(index >> 16) & 255, (index >> 8) & 255, index & 255, 1].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`,
      deviceKey: `DK-${index.toString(36).toUpperCase().padStart(6, '0')}-ABCDEF-GHJKMN-PQRSTV`,
      licenses: 1 + (index % 3),
    })),
    iat: 1,
    exp: 2,
  };
}

async function clearSigningKeys(): Promise<void> {
  const { client, tableName } = store();
  for (const record of await listSigningKeys()) {
    await client.send(new DeleteCommand({ TableName: tableName, Key: keys.signingKey(record.generation) }));
  }
}

let clock: ReturnType<typeof fixedClock>;
let masterKey: Buffer;

beforeEach(async () => {
  await clearSigningKeys();
  clock = fixedClock(START);
  setClock(clock);
  masterKey = randomBytes(32);
});

afterEach(() => {
  resetClock();
  setSigner(LocalKeySigner.ephemeral());
});

describe('EnvelopeSigner', () => {
  it('does nothing until first used: no KMS call and no table read when it is made', async () => {
    const kms = fakeKms(masterKey);
    signingFunction(1, kms.sender);
    expect(kms.calls).toEqual([]);
    expect(await listSigningKeys()).toEqual([]);
  });

  it('creates the generation on first use: public key and KMS-encrypted private key in the table, nothing in the clear', async () => {
    const kms = fakeKms(masterKey);
    const activation = signingFunction(1, kms.sender);
    const kid = await activation.keyId();

    expect(kms.count('GenerateDataKeyPairWithoutPlaintext')).toBe(1);
    expect(kms.count('Decrypt')).toBe(1);
    const context = { purpose: SIGNING_KEY_PURPOSE, table: process.env.TABLE_NAME, generation: '1' };
    expect(kms.calls.map((call) => call.input.EncryptionContext)).toEqual([context, context]);
    expect(kms.calls[0]!.input).toMatchObject({ KeyId: KEY_ARN, KeyPairSpec: 'ECC_NIST_EDWARDS25519' });

    const { client, tableName } = store();
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { pk: 'SIGNING_KEYS', sk: 'GENERATION#0001' } }));
    const publicJwk = createPublicKey(kms.generated[0]!).export({ format: 'jwk' }) as { x: string };
    expect(Item).toMatchObject({ generation: 1, kid, x: publicJwk.x, kmsKeyArn: KEY_ARN, createdAt: START, activatedAt: START });
    expect(kid).toBe(thumbprint(publicJwk.x));
    const privateDer = kms.generated[0]!.export({ format: 'der', type: 'pkcs8' });
    const privateJwk = kms.generated[0]!.export({ format: 'jwk' }) as { d: string };
    const stored = JSON.stringify(Item);
    expect(stored).not.toContain(privateDer.toString('base64'));
    expect(stored).not.toContain(privateDer.subarray(-32).toString('base64'));
    expect(stored).not.toContain(privateJwk.d);
  });

  it('reuses the stored generation from a second container: same kid, no new key, one Decrypt per container', async () => {
    const first = fakeKms(masterKey);
    const kid = await signingFunction(1, first.sender).keyId();
    const second = fakeKms(masterKey);
    const installation = signingFunction(1, second.sender);

    await Promise.all([installation.keyId(), installation.signEd25519(Buffer.from('a')), installation.keyId()]);
    await installation.signEd25519(Buffer.from('b'));
    expect(await installation.keyId()).toBe(kid);
    expect(second.count('GenerateDataKeyPairWithoutPlaintext')).toBe(0);
    expect(second.count('Decrypt')).toBe(1);
    expect(await listSigningKeys()).toHaveLength(1);
  });

  it('signs a license document of 10,000 devices (over 1 MB) that verifies against the published JWK', async () => {
    const kms = fakeKms(masterKey);
    const activation = signingFunction(1, kms.sender);
    const jws = await signJws(licenseWithDevices(10_000), activation);

    const { header, signingInput } = parts(jws);
    expect(Buffer.byteLength(signingInput)).toBeGreaterThan(1_000_000);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: await activation.keyId() });
    const published = await publicFunction(1).publicKeys();
    expect(published).toEqual([{ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: header.kid, use: 'sig', alg: 'EdDSA' }]);
    expect(verifies(jws, published)).toBe(true);
    // One device given more licenses: the signature no longer verifies.
    const [headerPart, payloadPart, signaturePart] = jws.split('.') as [string, string, string];
    const raised = Buffer.from(payloadPart, 'base64url').toString().replace('"licenses":1', '"licenses":3');
    const forged = `${headerPart}.${Buffer.from(raised).toString('base64url')}.${signaturePart}`;
    expect(forged).not.toBe(jws);
    expect(verifies(forged, published)).toBe(false);
  });

  it('makes one key when two containers use a new generation at the same time; both sign with it', async () => {
    let release!: () => void;
    const barrier = { parties: 2, arrived: 0, release: undefined as undefined | (() => void), done: new Promise<void>((resolve) => (release = resolve)) };
    barrier.release = release;
    const a = fakeKms(masterKey, { generateBarrier: barrier });
    const b = fakeKms(masterKey, { generateBarrier: barrier });
    const [signerA, signerB] = [signingFunction(1, a.sender), signingFunction(1, b.sender)];

    const [kidA, kidB] = await Promise.all([signerA.keyId(), signerB.keyId()]);
    expect(a.count('GenerateDataKeyPairWithoutPlaintext') + b.count('GenerateDataKeyPairWithoutPlaintext')).toBe(2);
    expect(kidA).toBe(kidB);
    const stored = await listSigningKeys();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.kid).toBe(kidA);
    const published = await publicFunction(1).publicKeys();
    expect(verifies(await signJws({ from: 'a' }, signerA), published)).toBe(true);
    expect(verifies(await signJws({ from: 'b' }, signerB), published)).toBe(true);
  });

  it('rotates: a new generation is created on first use and the previous one stays published until its documents expire', async () => {
    const before = await signJws({ document: 'generation 1' }, signingFunction(1, fakeKms(masterKey).sender));
    clock.advance(10 * DAY);
    const rotated = signingFunction(2, fakeKms(masterKey).sender);
    const after = await signJws({ document: 'generation 2' }, rotated);
    expect(parts(after).header.kid).not.toBe(parts(before).header.kid);
    expect((await listSigningKeys()).map((record) => record.generation)).toEqual([1, 2]);

    const published = await publicFunction(2).publicKeys();
    expect(published.map((jwk) => jwk.kid)).toEqual([parts(after).header.kid, parts(before).header.kid]);
    expect(verifies(before, published)).toBe(true);
    expect(verifies(after, published)).toBe(true);
    // The signing functions publish the same set (GET /v1/keys could be served by any of them).
    expect(await rotated.publicKeys()).toEqual(published);

    clock.advance(31 * DAY - 1);
    expect((await publicFunction(2).publicKeys()).map((jwk) => jwk.kid)).toEqual([parts(after).header.kid, parts(before).header.kid]);
    clock.advance(1);
    const later = await publicFunction(2).publicKeys();
    expect(later.map((jwk) => jwk.kid)).toEqual([parts(after).header.kid]);
    expect(verifies(before, later)).toBe(false);
  });

  it('keeps publishing the previous generation while the configured one does not exist yet, and shows the new one at once', async () => {
    const before = await signJws({ document: 'generation 1' }, signingFunction(1, fakeKms(masterKey).sender));
    const keysFunction = publicFunction(2);
    expect((await keysFunction.publicKeys()).map((jwk) => jwk.kid)).toEqual([parts(before).header.kid]);
    const after = await signJws({ document: 'generation 2' }, signingFunction(2, fakeKms(masterKey).sender));
    // No minute-long cache while the configured generation was missing.
    expect((await keysFunction.publicKeys()).map((jwk) => jwk.kid)).toEqual([parts(after).header.kid, parts(before).header.kid]);
  });

  it('takes a generation back after a rollback and retires the one that followed it from then on', async () => {
    const first = await signJws({ n: 1 }, signingFunction(1, fakeKms(masterKey).sender));
    clock.advance(40 * DAY);
    const second = await signJws({ n: 2 }, signingFunction(2, fakeKms(masterKey).sender));
    clock.advance(1 * DAY);
    const again = await signJws({ n: 3 }, signingFunction(1, fakeKms(masterKey).sender));
    expect(parts(again).header.kid).toBe(parts(first).header.kid);
    const records = await listSigningKeys();
    expect(records.find((record) => record.generation === 1)!.activatedAt).toBe(clock.now().toISOString());

    const published = await publicFunction(1).publicKeys();
    expect(published.map((jwk) => jwk.kid)).toEqual([parts(first).header.kid, parts(second).header.kid]);
    expect([first, second, again].every((jws) => verifies(jws, published))).toBe(true);
    clock.advance(31 * DAY);
    expect((await publicFunction(1).publicKeys()).map((jwk) => jwk.kid)).toEqual([parts(first).header.kid]);
  });

  it('serves the public keys without KMS, and a function without the KMS key refuses to sign', async () => {
    await signingFunction(1, fakeKms(masterKey).sender).keyId();
    const keysFunction = publicFunction(1);
    await expect(keysFunction.publicKeys()).resolves.toHaveLength(1);
    await expect(keysFunction.signEd25519(Buffer.from('x'))).rejects.toThrow(/does not sign/);
    await expect(keysFunction.keyId()).rejects.toThrow(/does not sign/);
  });

  it('binds the encrypted key to its cell and generation: a copied item does not decrypt, and a failure is not cached', async () => {
    await signingFunction(1, fakeKms(masterKey).sender).keyId();
    const [original] = await listSigningKeys();
    const { client, tableName } = store();
    // The generation 1 ciphertext copied to generation 2: KMS refuses it, the encryption context names generation 2.
    await client.send(new PutCommand({ TableName: tableName, Item: { ...keys.signingKey(2), type: 'signing_key', ...original!, generation: 2 } }));
    const kms = fakeKms(masterKey);
    const copied = signingFunction(2, kms.sender);
    await expect(copied.keyId()).rejects.toThrow(/encryption context is not valid/);
    await expect(copied.keyId()).rejects.toThrow(/encryption context is not valid/);
    expect(kms.count('Decrypt')).toBe(2);

    // Another cell's KMS key cannot open it either.
    const otherCell = fakeKms(randomBytes(32));
    await expect(signingFunction(1, otherCell.sender).keyId()).rejects.toThrow(/not valid/);
  });

  it('refuses to sign when the stored public key is not the private key’s', async () => {
    await signingFunction(1, fakeKms(masterKey).sender).keyId();
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as { x: string };
    const { client, tableName } = store();
    await client.send(
      new UpdateCommand({ TableName: tableName, Key: keys.signingKey(1), UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': other.x } }),
    );
    await expect(signingFunction(1, fakeKms(masterKey).sender).signEd25519(Buffer.from('x'))).rejects.toThrow(/does not match/);
  });

  it('refuses a generation encrypted under another KMS key than the configured one', async () => {
    await signingFunction(1, fakeKms(masterKey).sender).keyId();
    const elsewhere = new EnvelopeSigner({ generation: 1, kmsKeyId: KEY_ARN.replace(/key\/.*/, 'key/another'), kms: fakeKms(masterKey).sender });
    await expect(elsewhere.keyId()).rejects.toThrow(/another KMS key/);
  });

  it('is what signer() chooses when SIGNING_KEY_GENERATION is set, with the KMS key only where it is given', () => {
    try {
      setSigner(undefined);
      process.env[SIGNING_KEY_GENERATION_ENV] = '3';
      process.env[SIGNING_KMS_KEY_ENV] = KEY_ARN;
      const chosen = signer();
      expect(chosen).toBeInstanceOf(EnvelopeSigner);
      expect((chosen as EnvelopeSigner).generation).toBe(3);
      expect(() => EnvelopeSigner.fromEnv({ [SIGNING_KEY_GENERATION_ENV]: 'two' })).toThrow(/generation number/);
      expect(() => EnvelopeSigner.fromEnv({ [SIGNING_KEY_GENERATION_ENV]: '0' })).toThrow(/1 to 9999/);
    } finally {
      delete process.env[SIGNING_KEY_GENERATION_ENV];
      delete process.env[SIGNING_KMS_KEY_ENV];
    }
  });
});
