import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api';
import { activationBody, camera } from '../support/licensing';
import { randomAccountId, randomInstanceId, signIdentityDocument } from '../support/identity';

const api = useApi();

async function ensureVersion(version = '2025 R1') {
  await api.ops('PUT', `/v1/catalog/versions/${encodeURIComponent(version)}`, { generalAvailability: '2025-02-12' });
}

function amiActivation(aws: unknown, devices: unknown[] = [camera()], headers: Record<string, string> = { 'x-product-version': '2025 R1' }) {
  const { recordingServers, ...rest } = activationBody(devices);
  return api.request('POST', '/v1/activations/ami', { body: { ...rest, recordingServers, aws }, headers });
}

describe('POST /v1/activations/ami (§7)', () => {
  it('creates an essential-plus ami-included license for the instance and activates', async () => {
    await ensureVersion();
    const accountId = randomAccountId();
    const instanceId = randomInstanceId();
    const aws = signIdentityDocument({ accountId, instanceId, region: 'eu-west-1' });
    const response = await amiActivation(aws, [camera(), camera()]);
    expect(response.status).toBe(201);
    expect(response.body.installationSecret).toEqual(expect.any(String));
    expect(response.body.usage).toEqual({ deviceLicenses: { entitled: 8, used: 2, available: 6 }, devices: 2 });

    const payload = JSON.parse(Buffer.from(response.body.license.split('.')[1], 'base64url').toString());
    const license = await api.ops('GET', `/v1/licenses/${payload.slc}`);
    expect(license.body).toMatchObject({ product: 'essential-plus', channel: 'ami-included', version: '2025 R1', entitlements: { deviceLicenses: 8 } });

    const again = await amiActivation(aws);
    expect([again.status, again.body.error.code]).toEqual([409, 'installation_exists']);

    const credentials = { installationId: response.body.installationId, installationSecret: response.body.installationSecret };
    const reactivated = await api.signed(credentials, 'POST', '/v1/activations', {
      installationId: credentials.installationId,
      ...activationBody(Array.from({ length: 9 }, () => camera())),
      aws,
    });
    expect(reactivated.status).toBe(200);
    expect(reactivated.body.devices.filter((d: any) => d.status === 'activated')).toHaveLength(8);
  });

  it('answers two simultaneous first calls for one instance with one 201 and one 409', async () => {
    await ensureVersion();
    const aws = signIdentityDocument({ accountId: randomAccountId(), instanceId: randomInstanceId() });
    const [a, b] = await Promise.all([amiActivation(aws), amiActivation(aws)]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect([a, b].find((r) => r.status === 409)!.body.error.code).toBe('installation_exists');
  });

  it('refuses forged, unsigned and foreign-signed documents with 401 invalid_identity_document', async () => {
    await ensureVersion();
    const genuine = signIdentityDocument();
    const forged = { ...genuine, instanceIdentityDocument: genuine.instanceIdentityDocument.replace(/"accountId" : "\d+"/, '"accountId" : "111122223333"') };
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = signIdentityDocument({}, { key: privateKey });
    for (const aws of [forged, { ...genuine, signature: 'AAAA' }, foreign]) {
      const response = await amiActivation(aws);
      expect([response.status, response.body.error.code]).toEqual([401, 'invalid_identity_document']);
    }
    const unsigned = await amiActivation({ instanceIdentityDocument: genuine.instanceIdentityDocument });
    expect([unsigned.status, unsigned.body.error.code]).toEqual([400, 'validation_failed']);
  });

  it('refuses an AMI without an included-license product code with 403', async () => {
    await ensureVersion();
    const byol = signIdentityDocument({ marketplaceProductCodes: ['some-byol-code'] });
    const response = await amiActivation(byol);
    expect([response.status, response.body.error.code]).toEqual([403, 'not_an_included_license_ami']);
  });

  it('needs X-Product-Version naming a catalog version, and refuses without changing state', async () => {
    const aws = signIdentityDocument();
    const missing = await amiActivation(aws, [camera()], {});
    expect([missing.status, missing.body.error.code]).toEqual([400, 'validation_failed']);
    const unknown = await amiActivation(aws, [camera()], { 'x-product-version': '2099 R3' });
    expect([unknown.status, unknown.body.error.code]).toEqual([422, 'unknown_product_version']);
    await ensureVersion();
    expect((await amiActivation(aws)).status).toBe(201);
  });
});

describe('BYOL on AWS (§5.1 aws block)', () => {
  it('verifies and records the instance of a BYOL activation', async () => {
    await ensureVersion();
    const { createLicense } = await import('../support/licensing');
    const partner = await api.ops('POST', '/v1/partners', { name: 'Cloud Reseller' });
    const { slc } = await createLicense(api, { partnerId: partner.body.partnerId });
    const accountId = randomAccountId();
    const instanceId = randomInstanceId();
    const aws = signIdentityDocument({ accountId, instanceId, region: 'us-east-1', marketplaceProductCodes: [] });
    const response = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()]), aws } });
    expect(response.status).toBe(201);
    const view = await api.request('GET', `/v1/partner/installations/${response.body.installationId}`, { token: partner.body.apiKey });
    expect(view.body.deployment).toEqual({ type: 'aws-byol', accountId, region: 'us-east-1', instanceId });

    const onPremises = await api.request('POST', '/v1/activations', { body: { slc, ...activationBody([camera()]) } });
    const onPremisesView = await api.request('GET', `/v1/partner/installations/${onPremises.body.installationId}`, { token: partner.body.apiKey });
    expect(onPremisesView.body.deployment).toEqual({ type: 'on-premises' });

    const bad = await api.request('POST', '/v1/activations', {
      body: { slc, ...activationBody([camera()]), aws: { ...aws, signature: aws.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) } },
    });
    expect([bad.status, bad.body.error.code]).toEqual([401, 'invalid_identity_document']);
  });
});
