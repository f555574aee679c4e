import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  IdentityDocumentError,
  includedLicenseProductCode,
  loadTrustedCertificates,
  resetTrustedCertificates,
  trustedCertificates,
  verifyIdentityDocument,
  type InstanceIdentity,
} from '../../shared/adapters/identity-document';
import { config } from '../../shared/config';
import { DEVELOPMENT_PRODUCT_CODE, identityDocumentText, signIdentityDocument, signText } from '../support/identity';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

const development = loadTrustedCertificates(read('certs/development-identity.pem'));
const awsRegions = readdirSync(new URL('certs/aws-identity/', root)).filter((name) => name.endsWith('.pem'));
const awsBundle = awsRegions.map((name) => read(`certs/aws-identity/${name}`)).join('\n');
const aws = loadTrustedCertificates(awsBundle);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityDocumentError);
    return (error as Error).message;
  }
  throw new Error('expected an IdentityDocumentError');
}

describe('verifyIdentityDocument with the development certificate', () => {
  it('accepts a genuine document and returns its identity', () => {
    const signed = signIdentityDocument({
      accountId: '123456789012',
      instanceId: 'i-0abc1234def567890',
      region: 'eu-west-1',
      imageId: 'ami-0123456789abcdef0',
      instanceType: 'm6i.xlarge',
      availabilityZone: 'eu-west-1b',
      pendingTime: '2026-11-28T10:00:00Z',
    });
    expect(verifyIdentityDocument(signed.instanceIdentityDocument, signed.signature, development)).toEqual({
      accountId: '123456789012',
      instanceId: 'i-0abc1234def567890',
      region: 'eu-west-1',
      imageId: 'ami-0123456789abcdef0',
      marketplaceProductCodes: [DEVELOPMENT_PRODUCT_CODE],
      pendingTime: '2026-11-28T10:00:00Z',
      instanceType: 'm6i.xlarge',
      availabilityZone: 'eu-west-1b',
    } satisfies InstanceIdentity);
  });

  it('accepts the signature with or without the line breaks the metadata service adds', () => {
    const signed = signIdentityDocument();
    expect(signed.signature).toContain('\n');
    const oneLine = signed.signature.replace(/\n/g, '');
    expect(verifyIdentityDocument(signed.instanceIdentityDocument, oneLine, development).instanceId).toMatch(/^i-/);
  });

  it('reads marketplaceProductCodes null as no product code', () => {
    const signed = signIdentityDocument({}, { noProductCodes: true });
    expect(verifyIdentityDocument(signed.instanceIdentityDocument, signed.signature, development).marketplaceProductCodes).toEqual([]);
  });

  it.each([
    ['a changed account', (text: string) => text.replace(/"accountId" : "\d{12}"/, '"accountId" : "999999999999"')],
    ['a changed instance', (text: string) => text.replace(/"instanceId" : "[^"]+"/, '"instanceId" : "i-0fffffffffffffff0"')],
    ['an added product code', (text: string) => text.replace(`[ "${DEVELOPMENT_PRODUCT_CODE}" ]`, `[ "${DEVELOPMENT_PRODUCT_CODE}", "other" ]`)],
    ['reformatted JSON with the same content', (text: string) => JSON.stringify(JSON.parse(text))],
    ['a trailing newline', (text: string) => `${text}\n`],
  ])('refuses a forged document: %s', (_name, forge) => {
    const signed = signIdentityDocument();
    const forged = forge(signed.instanceIdentityDocument);
    expect(forged).not.toBe(signed.instanceIdentityDocument);
    expect(refusal(() => verifyIdentityDocument(forged, signed.signature, development))).toBe(
      'The instance identity document is not signed by a trusted certificate.',
    );
  });

  it.each([
    ['empty', '', 'The instance identity document is not signed.'],
    ['blank', ' \n ', 'The instance identity document is not signed.'],
    ['not base64', 'this is not a signature!', 'The instance identity document signature is not base64.'],
    ['base64 of garbage', Buffer.from('garbage').toString('base64'), 'The instance identity document is not signed by a trusted certificate.'],
    ['too long', 'A'.repeat(4096), 'The instance identity document signature is too long.'],
  ])('refuses an unsigned or garbage signature: %s', (_name, signature, message) => {
    const signed = signIdentityDocument();
    expect(refusal(() => verifyIdentityDocument(signed.instanceIdentityDocument, signature, development))).toBe(message);
  });

  it('refuses a signature that belongs to another document', () => {
    const first = signIdentityDocument();
    const second = signIdentityDocument();
    expect(refusal(() => verifyIdentityDocument(first.instanceIdentityDocument, second.signature, development))).toMatch(/not signed by a trusted/);
  });

  it('refuses a document signed by another key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signed = signIdentityDocument({}, { key: privateKey });
    expect(refusal(() => verifyIdentityDocument(signed.instanceIdentityDocument, signed.signature, development))).toBe(
      'The instance identity document is not signed by a trusted certificate.',
    );
  });

  it('refuses everything when no certificate is trusted', () => {
    const signed = signIdentityDocument();
    expect(refusal(() => verifyIdentityDocument(signed.instanceIdentityDocument, signed.signature, []))).toMatch(/not signed by a trusted/);
  });

  it('refuses an empty or oversized document', () => {
    expect(refusal(() => verifyIdentityDocument('', signText('x'), development))).toBe('The instance identity document is empty.');
    const huge = 'x'.repeat(17 * 1024);
    expect(refusal(() => verifyIdentityDocument(huge, signText(huge), development))).toBe('The instance identity document is too long.');
  });

  it.each([
    ['not JSON', 'accountId=123456789012', 'The instance identity document is not valid JSON.'],
    ['a JSON array', '["123456789012"]', 'The instance identity document is not a JSON object.'],
    ['no accountId', identityDocumentText({ instanceId: 'i-0abc1234def567890', region: 'eu-west-1' }), 'The instance identity document has no accountId.'],
    ['no instanceId', identityDocumentText({ accountId: '123456789012', region: 'eu-west-1' }), 'The instance identity document has no instanceId.'],
    ['no region', identityDocumentText({ accountId: '123456789012', instanceId: 'i-0abc1234def567890' }), 'The instance identity document has no region.'],
    ['a numeric accountId', identityDocumentText({ accountId: 123456789012, instanceId: 'i-0abc1234def567890', region: 'eu-west-1' }), 'The instance identity document has no accountId.'],
    ['a malformed accountId', identityDocumentText({ accountId: '1234#LICENSE', instanceId: 'i-0abc1234def567890', region: 'eu-west-1' }), 'The instance identity document has a malformed accountId.'],
    ['a malformed instanceId', identityDocumentText({ accountId: '123456789012', instanceId: 'vm-42', region: 'eu-west-1' }), 'The instance identity document has a malformed instanceId.'],
    ['a malformed region', identityDocumentText({ accountId: '123456789012', instanceId: 'i-0abc1234def567890', region: 'Europe' }), 'The instance identity document has a malformed region.'],
    [
      'product codes that are not strings',
      identityDocumentText({ accountId: '123456789012', instanceId: 'i-0abc1234def567890', region: 'eu-west-1', marketplaceProductCodes: 'abc' }),
      'The instance identity document has malformed marketplaceProductCodes.',
    ],
  ])('refuses a signed but malformed document: %s', (_name, text, message) => {
    expect(refusal(() => verifyIdentityDocument(text, signText(text), development))).toBe(message);
  });

  it('checks the signature before it reads the document', () => {
    // Unsigned garbage gets the signature refusal, not a parse error that would reveal parsing.
    expect(refusal(() => verifyIdentityDocument('not json', signText('other text'), development))).toMatch(/not signed by a trusted/);
  });
});

describe('the AWS region certificates', () => {
  it('ship a certificate for each region the stacks target, each naming its source', () => {
    expect(awsRegions).toEqual(expect.arrayContaining(['eu-west-1.pem', 'us-east-1.pem']));
    for (const name of awsRegions) {
      const text = read(`certs/aws-identity/${name}`);
      expect(text).toContain('Source: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/regions-certs.html');
      const [certificate] = loadTrustedCertificates(text);
      expect(certificate!.subject).toContain('O=Amazon Web Services LLC');
      // Self-issued: a transcription error anywhere in the certificate breaks its own signature.
      expect(certificate!.verify(certificate!.publicKey)).toBe(true);
    }
    expect(aws).toHaveLength(awsRegions.length);
  });

  // Regions whose 2024 RSA certificate carries the key that signed the genuine us-east-1 document.
  const SHARED_KEY_REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'eu-north-1'];

  it('verify a genuine AWS-signed document (us-east-1) against each shipped region certificate', () => {
    const document = read('test/fixtures/identity/aws-us-east-1-document.json');
    const signature = read('test/fixtures/identity/aws-us-east-1-signature.txt');
    expect(SHARED_KEY_REGIONS).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1']));
    for (const region of SHARED_KEY_REGIONS) {
      const certificates = loadTrustedCertificates(read(`certs/aws-identity/${region}.pem`));
      expect(verifyIdentityDocument(document, signature, certificates)).toMatchObject({
        accountId: '975050371289',
        instanceId: 'i-0ce4441c840a0a941',
        region: 'us-east-1',
        marketplaceProductCodes: ['4i20ezfza3p7xx2kt2g8weu2u'],
      });
    }
    expect(refusal(() => verifyIdentityDocument(document.replace('t2.micro', 't3.micro'), signature, aws))).toMatch(/not signed by a trusted/);
    expect(refusal(() => verifyIdentityDocument(document, signature, development))).toMatch(/not signed by a trusted/);
  });

  it('do not verify a document signed with the development key', () => {
    const signed = signIdentityDocument({ region: 'eu-west-1' });
    expect(refusal(() => verifyIdentityDocument(signed.instanceIdentityDocument, signed.signature, aws))).toBe(
      'The instance identity document is not signed by a trusted certificate.',
    );
  });

  it('verify when the bundle mixes AWS and development certificates', () => {
    const signed = signIdentityDocument();
    expect(verifyIdentityDocument(signed.instanceIdentityDocument, signed.signature, [...aws, ...development]).accountId).toMatch(/^\d{12}$/);
  });
});

describe('loadTrustedCertificates', () => {
  it('refuses a bundle without certificates', () => {
    expect(() => loadTrustedCertificates('# nothing here\n')).toThrow(/no PEM certificate/);
  });

  it('refuses a corrupt certificate', () => {
    const corrupt = read('certs/aws-identity/eu-west-1.pem').replace('MIIDITCCAoqgAwIBAgIU', 'MIIDITCCAoqgAwIBAgXX');
    expect(() => loadTrustedCertificates(corrupt)).toThrow(/cannot be parsed/);
  });

  it('refuses a certificate without an RSA key', () => {
    const ecCertificate = new X509Certificate(read('test/fixtures/identity/ec-certificate.pem'));
    expect(ecCertificate.publicKey.asymmetricKeyType).toBe('ec');
    expect(() => loadTrustedCertificates(ecCertificate.toString())).toThrow(/does not carry an RSA key/);
  });
});

describe('trustedCertificates', () => {
  const saved = { file: process.env.AWS_IDENTITY_CERTS_FILE, lambda: process.env.AWS_LAMBDA_FUNCTION_NAME };
  afterEach(() => {
    for (const [name, value] of [['AWS_IDENTITY_CERTS_FILE', saved.file], ['AWS_LAMBDA_FUNCTION_NAME', saved.lambda]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetTrustedCertificates();
  });

  it('defaults to the development certificate and caches it', () => {
    delete process.env.AWS_IDENTITY_CERTS_FILE;
    resetTrustedCertificates();
    const first = trustedCertificates();
    expect(first.map((c) => c.fingerprint256)).toEqual(development.map((c) => c.fingerprint256));
    expect(trustedCertificates()).toBe(first);
  });

  it('reads the bundle named by AWS_IDENTITY_CERTS_FILE', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'identity-')), 'bundle.pem');
    writeFileSync(file, awsBundle);
    process.env.AWS_IDENTITY_CERTS_FILE = file;
    resetTrustedCertificates();
    const certificates = trustedCertificates();
    expect(certificates.map((c) => c.fingerprint256)).toEqual(aws.map((c) => c.fingerprint256));
    const signed = signIdentityDocument();
    expect(() => verifyIdentityDocument(signed.instanceIdentityDocument, signed.signature, certificates)).toThrow(IdentityDocumentError);
  });

  it('never falls back to the development certificate inside Lambda', () => {
    delete process.env.AWS_IDENTITY_CERTS_FILE;
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'cloud-licensing-activation';
    resetTrustedCertificates();
    expect(() => trustedCertificates()).toThrow(/AWS_IDENTITY_CERTS_FILE is not set/);
  });
});

describe('includedLicenseProductCode', () => {
  const identity = (codes: string[]): InstanceIdentity => ({
    accountId: '123456789012',
    instanceId: 'i-0abc1234def567890',
    region: 'eu-west-1',
    marketplaceProductCodes: codes,
  });

  it.each([
    [[DEVELOPMENT_PRODUCT_CODE], [DEVELOPMENT_PRODUCT_CODE], true],
    [['byol-code', DEVELOPMENT_PRODUCT_CODE], [DEVELOPMENT_PRODUCT_CODE], true],
    [[DEVELOPMENT_PRODUCT_CODE], ['a', ` ${DEVELOPMENT_PRODUCT_CODE} `], true],
    [['byol-code'], [DEVELOPMENT_PRODUCT_CODE], false],
    [[], [DEVELOPMENT_PRODUCT_CODE], false],
    [[DEVELOPMENT_PRODUCT_CODE], [], false],
    [[''], [''], false],
    [[DEVELOPMENT_PRODUCT_CODE.toUpperCase()], [DEVELOPMENT_PRODUCT_CODE], false],
  ])('codes %j against included %j → %s', (codes, included, expected) => {
    expect(includedLicenseProductCode(identity(codes), included)).toBe(expected);
  });

  it('accepts the development code by default', () => {
    const saved = process.env.AMI_INCLUDED_PRODUCT_CODES;
    delete process.env.AMI_INCLUDED_PRODUCT_CODES;
    try {
      expect(config.amiIncludedProductCodes()).toEqual([DEVELOPMENT_PRODUCT_CODE]);
    } finally {
      if (saved !== undefined) process.env.AMI_INCLUDED_PRODUCT_CODES = saved;
    }
  });
});
