import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsJsonCall } from '../../shared/adapters/aws-json';
import { awsSecrets, awsSecretsConfigured } from '../../shared/adapters/aws-secrets';
import { secrets, setSecretsProvider } from '../../shared/adapters/secrets';
import { sha256Hex } from '../../shared/crypto';

function fakeSecretsManager(values: Record<string, string>) {
  const reads: string[] = [];
  const source: AwsJsonCall = async (operation, input) => {
    expect(operation).toBe('GetSecretValue');
    const id = input.SecretId as string;
    reads.push(id);
    if (!(id in values)) throw new Error('GetSecretValue failed: ResourceNotFoundException (HTTP 400): Secrets Manager can’t find the specified secret.');
    return { Name: id, SecretString: values[id] };
  };
  return { source, reads, values };
}

describe('Secrets Manager secrets', () => {
  afterEach(() => {
    setSecretsProvider(undefined);
    delete process.env.OPS_TOKEN_SHA256_SECRET_ID;
    delete process.env.INSTALLATION_KEY_SECRET_ID;
  });

  it('reads nothing until a secret is first needed, then caches it for the TTL', async () => {
    const hash = sha256Hex('ops-token');
    const fake = fakeSecretsManager({ ops: hash.toUpperCase() });
    let now = 0;
    const provider = awsSecrets({ opsTokenSecretId: 'ops', installationKeySecretId: 'key', client: fake.source, ttlMs: 1000, now: () => now });
    expect(fake.reads).toEqual([]);

    expect(await provider.opsTokenSha256()).toBe(hash);
    now = 999;
    expect(await provider.opsTokenSha256()).toBe(hash);
    expect(fake.reads).toEqual(['ops']);

    fake.values.ops = sha256Hex('rotated-token');
    now = 1000;
    expect(await provider.opsTokenSha256()).toBe(sha256Hex('rotated-token'));
    expect(fake.reads).toEqual(['ops', 'ops']);
  });

  it('shares one read between concurrent callers', async () => {
    const fake = fakeSecretsManager({ ops: sha256Hex('t') });
    const provider = awsSecrets({ opsTokenSecretId: 'ops', installationKeySecretId: 'key', client: fake.source });
    await Promise.all([provider.opsTokenSha256(), provider.opsTokenSha256(), provider.opsTokenSha256()]);
    expect(fake.reads).toHaveLength(1);
  });

  it('lets no ops token in while the secret holds something other than a SHA-256', async () => {
    const fake = fakeSecretsManager({ ops: 'generatedPlaceholderValue0123456789' });
    const provider = awsSecrets({ opsTokenSecretId: 'ops', installationKeySecretId: 'key', client: fake.source });
    const value = await provider.opsTokenSha256();
    expect(value).not.toMatch(/^[0-9a-f]{64}$/);
  });

  it('decodes the installation key and refuses one shorter than 32 bytes', async () => {
    const key = randomBytes(32);
    const fake = fakeSecretsManager({ good: key.toString('base64'), short: randomBytes(16).toString('base64') });
    const good = awsSecrets({ opsTokenSecretId: 'ops', installationKeySecretId: 'good', client: fake.source });
    expect((await good.installationKey()).equals(key)).toBe(true);
    const short = awsSecrets({ opsTokenSecretId: 'ops', installationKeySecretId: 'short', client: fake.source });
    await expect(short.installationKey()).rejects.toThrow(/32 bytes/);
  });

  it('does not cache a failed read', async () => {
    const fake = fakeSecretsManager({});
    const provider = awsSecrets({ opsTokenSecretId: 'ops', installationKeySecretId: 'key', client: fake.source });
    await expect(provider.opsTokenSha256()).rejects.toThrow();
    fake.values.ops = sha256Hex('t');
    expect(await provider.opsTokenSha256()).toBe(sha256Hex('t'));
  });

  it('is chosen by secrets() when the secret ids are in the environment, and calls Secrets Manager signed', async () => {
    expect(awsSecretsConfigured({})).toBe(false);
    const hash = sha256Hex('token-in-secrets-manager');
    const requests: Array<{ target: string; authorization: string; body: { SecretId: string } }> = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        requests.push({ target: String(request.headers['x-amz-target']), authorization: String(request.headers.authorization), body: JSON.parse(body) });
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ Name: 'ops', SecretString: hash }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        OPS_TOKEN_SHA256_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ops',
        INSTALLATION_KEY_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:key',
      });
      setSecretsProvider(undefined);
      // The environment's OPS_TOKEN (set by the test setup) is not what answers.
      expect(await secrets().opsTokenSha256()).toBe(hash);
      expect(requests).toEqual([
        {
          target: 'secretsmanager.GetSecretValue',
          authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=\S*x-amz-target\S*, Signature=[0-9a-f]{64}$/),
          body: { SecretId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ops' },
        },
      ]);
    } finally {
      process.env = saved;
      server.close();
    }
  });

  it('names the missing variable when a secret id is not set', async () => {
    await expect(
      awsSecrets({ opsTokenSecretId: undefined, installationKeySecretId: 'key', client: fakeSecretsManager({}).source }).opsTokenSha256(),
    ).rejects.toThrow(/OPS_TOKEN_SHA256_SECRET_ID is not set/);
  });
});
