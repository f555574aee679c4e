import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it } from 'vitest';
import { KMS_MAX_MESSAGE_BYTES, KmsSigner, type KmsCommandSender } from '../../shared/adapters/kms-signer';
import { setSigner, signer, signJws, thumbprint, LocalKeySigner } from '../../shared/adapters/signer';

/** A stand-in for KMS that holds real Ed25519 keys and answers Sign and GetPublicKey as KMS does. */
function fakeKms(keys: Record<string, KeyObject>, options: { keySpec?: string } = {}) {
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  const sender: KmsCommandSender = {
    async send(command) {
      const input = command.input as unknown as Record<string, unknown>;
      calls.push({ name: command.constructor.name, input });
      const privateKey = keys[input.KeyId as string];
      if (!privateKey) throw Object.assign(new Error('Invalid keyId'), { name: 'NotFoundException' });
      if (command instanceof GetPublicKeyCommand) {
        return {
          KeySpec: options.keySpec ?? 'ECC_NIST_EDWARDS25519',
          PublicKey: new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })),
        };
      }
      if (command instanceof SignCommand) {
        if (input.SigningAlgorithm !== 'ED25519_SHA_512' || input.MessageType !== 'RAW') {
          throw Object.assign(new Error('Unsupported signing algorithm'), { name: 'InvalidKeyUsageException' });
        }
        return { Signature: new Uint8Array(sign(null, Buffer.from(input.Message as Uint8Array), privateKey)) };
      }
      throw new Error('unexpected command');
    },
  };
  return { sender, calls };
}

const keyPair = () => generateKeyPairSync('ed25519').privateKey;

function jwkKey(jwk: { x: string }) {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
}

describe('KmsSigner', () => {
  afterEach(() => {
    setSigner(LocalKeySigner.ephemeral());
    delete process.env.KMS_SIGNING_KEY_ID;
  });

  it('signs with ED25519_SHA_512 and MessageType RAW, and the signature verifies against the published JWK', async () => {
    const kms = fakeKms({ 'key-1': keyPair() });
    const kmsSigner = new KmsSigner('key-1', [], kms.sender);
    const message = Buffer.from('header.payload');

    const signature = await kmsSigner.signEd25519(message);
    const [jwk] = await kmsSigner.publicKeys();

    expect(signature).toHaveLength(64);
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwk!.kid).toBe(thumbprint(jwk!.x));
    expect(verify(null, message, jwkKey(jwk!), signature)).toBe(true);
    expect(verify(null, Buffer.from('header.payloaD'), jwkKey(jwk!), signature)).toBe(false);
    const signCall = kms.calls.find((call) => call.name === 'SignCommand')!;
    expect(signCall.input).toMatchObject({ KeyId: 'key-1', MessageType: 'RAW', SigningAlgorithm: 'ED25519_SHA_512' });
  });

  it('produces a JWS whose kid names the published key and whose signature verifies', async () => {
    const kms = fakeKms({ 'key-1': keyPair() });
    const kmsSigner = new KmsSigner('key-1', [], kms.sender);
    const jws = await signJws({ slc: 'M01-XPCO-251-ABC', iat: 1 }, kmsSigner);
    const [headerPart, payloadPart, signaturePart] = jws.split('.');
    const header = JSON.parse(Buffer.from(headerPart!, 'base64url').toString());
    const [jwk] = await kmsSigner.publicKeys();

    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: jwk!.kid });
    expect(verify(null, Buffer.from(`${headerPart}.${payloadPart}`), jwkKey(jwk!), Buffer.from(signaturePart!, 'base64url'))).toBe(true);
  });

  it('reads the public key once per container', async () => {
    const kms = fakeKms({ 'key-1': keyPair() });
    const kmsSigner = new KmsSigner('key-1', [], kms.sender);
    await Promise.all([kmsSigner.keyId(), kmsSigner.publicKeys(), kmsSigner.keyId()]);
    await kmsSigner.publicKeys();
    expect(kms.calls.filter((call) => call.name === 'GetPublicKeyCommand')).toHaveLength(1);
  });

  it('tries GetPublicKey again after a failure instead of caching it', async () => {
    const keys: Record<string, KeyObject> = {};
    const kms = fakeKms(keys);
    const kmsSigner = new KmsSigner('key-1', [], kms.sender);
    await expect(kmsSigner.publicKeys()).rejects.toThrow('Invalid keyId');
    keys['key-1'] = keyPair();
    await expect(kmsSigner.publicKeys()).resolves.toHaveLength(1);
  });

  it('publishes retired keys after the current one, so earlier documents still verify', async () => {
    const old = keyPair();
    const kms = fakeKms({ current: keyPair(), old });
    const kmsSigner = new KmsSigner('current', ['old'], kms.sender);
    const keys = await kmsSigner.publicKeys();
    expect(keys).toHaveLength(2);
    expect(await kmsSigner.keyId()).toBe(keys[0]!.kid);
    const oldSignature = sign(null, Buffer.from('old document'), old);
    expect(verify(null, Buffer.from('old document'), jwkKey(keys[1]!), oldSignature)).toBe(true);
  });

  it('refuses a key that is not Ed25519', async () => {
    const kms = fakeKms({ 'key-1': keyPair() }, { keySpec: 'ECC_NIST_P256' });
    await expect(new KmsSigner('key-1', [], kms.sender).publicKeys()).rejects.toThrow(/ECC_NIST_P256/);
  });

  it('refuses messages over the KMS limit without calling KMS', async () => {
    const kms = fakeKms({ 'key-1': keyPair() });
    const kmsSigner = new KmsSigner('key-1', [], kms.sender);
    expect(kmsSigner.maxMessageBytes).toBe(KMS_MAX_MESSAGE_BYTES);
    await expect(kmsSigner.signEd25519(Buffer.alloc(KMS_MAX_MESSAGE_BYTES))).resolves.toHaveLength(64);
    await expect(kmsSigner.signEd25519(Buffer.alloc(KMS_MAX_MESSAGE_BYTES + 1))).rejects.toThrow(/4096/);
    expect(kms.calls.filter((call) => call.name === 'SignCommand')).toHaveLength(1);
  });

  it('is what signer() chooses when KMS_SIGNING_KEY_ID is set', () => {
    setSigner(undefined);
    process.env.KMS_SIGNING_KEY_ID = 'arn:aws:kms:eu-west-1:111122223333:key/abc';
    expect(signer()).toBeInstanceOf(KmsSigner);
  });
});
