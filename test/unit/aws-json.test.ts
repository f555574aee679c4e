import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AwsServiceError, awsJsonService, type AwsJsonServiceOptions } from '../../shared/adapters/aws-json';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

type Answer = { status: number; body?: string; headers?: Record<string, string> } | Error;

/** A fetch that records what it is sent and answers from the list, one answer per request. */
function fakeFetch(answers: Answer[]) {
  const sent: Sent[] = [];
  const fetch = (async (url: URL, init: RequestInit) => {
    sent.push({ url: String(url), method: init.method!, headers: init.headers as Record<string, string>, body: init.body as string });
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    if (answer instanceof Error) throw answer;
    return new Response(answer.body ?? '', { status: answer.status, headers: answer.headers });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, sent };
}

function kms(answers: Answer[], options: Partial<AwsJsonServiceOptions> = {}) {
  const fake = fakeFetch(answers);
  const delays: number[] = [];
  const call = awsJsonService({
    service: 'kms',
    targetPrefix: 'TrentService',
    endpointEnv: 'AWS_ENDPOINT_URL_KMS',
    env: { AWS_REGION: 'eu-west-1' },
    credentials: async () => CREDENTIALS,
    fetch: fake.fetch,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  return { call, sent: fake.sent, delays };
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256Hex = (data: string) => createHash('sha256').update(data).digest('hex');

/** Signature Version 4 recomputed from the request as sent, following the AWS documentation step by step. */
function expectedSignature(request: Sent, region: string, service: string): string {
  const amzDate = request.headers['x-amz-date']!;
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(request.headers.authorization!)![1]!;
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => `${name}:${request.headers[name]!.trim()}\n`)
    .join('');
  const canonicalRequest = ['POST', new URL(request.url).pathname, '', canonicalHeaders, signedHeaders, sha256Hex(request.body)].join('\n');
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, amzDate.slice(0, 8)), region), service), 'aws4_request');
  return hmac(key, stringToSign).toString('hex');
}

describe('AWS JSON 1.1 client', () => {
  it('posts the input as JSON to the regional endpoint with the target header, signed with Signature Version 4', async () => {
    const { call, sent } = kms([{ status: 200, body: JSON.stringify({ KeyId: 'arn:key', Plaintext: 'AAEC' }) }]);
    const input = { CiphertextBlob: 'Y2lwaGVy', KeyId: 'arn:key', EncryptionContext: { purpose: 'signing', generation: '1' } };
    expect(await call('Decrypt', input)).toEqual({ KeyId: 'arn:key', Plaintext: 'AAEC' });

    expect(sent).toHaveLength(1);
    const [request] = sent as [Sent];
    expect(request.url).toBe('https://kms.eu-west-1.amazonaws.com/');
    expect(request.method).toBe('POST');
    expect(JSON.parse(request.body)).toEqual(input);
    expect(request.headers).toMatchObject({
      host: 'kms.eu-west-1.amazonaws.com',
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'TrentService.Decrypt',
      'x-amz-security-token': 'session-token',
    });
    const authorization = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/eu-west-1\/kms\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      request.headers.authorization!,
    );
    expect(authorization).not.toBeNull();
    expect(authorization![1]).toBe(request.headers['x-amz-date']!.slice(0, 8));
    expect(authorization![2]!.split(';')).toEqual(expect.arrayContaining(['content-type', 'host', 'x-amz-date', 'x-amz-security-token', 'x-amz-target']));
    expect(authorization![3]).toBe(expectedSignature(request, 'eu-west-1', 'kms'));
  });

  it('reads region and endpoint on the first call, not before, and takes the endpoint from the environment when set', async () => {
    const unset = kms([], { env: {} });
    await expect(unset.call('Decrypt', {})).rejects.toThrow('AWS_REGION is not set: no kms endpoint to call');

    const local = kms([{ status: 200, body: '{}' }], { env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:4566' } });
    await local.call('Decrypt', {});
    expect(local.sent[0]!.url).toBe('http://127.0.0.1:4566/');
    expect(local.sent[0]!.headers.host).toBe('127.0.0.1:4566');

    const china = kms([{ status: 200, body: '{}' }], { env: { AWS_REGION: 'cn-north-1' } });
    await china.call('Decrypt', {});
    expect(china.sent[0]!.url).toBe('https://kms.cn-north-1.amazonaws.com.cn/');
  });

  it('retries throttling, 5xx answers and network failures with growing random delays, then answers', async () => {
    const { call, sent, delays } = kms([
      { status: 400, body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }) },
      new TypeError('fetch failed'),
      { status: 200, body: JSON.stringify({ SecretString: 'value' }) },
    ]);
    expect(await call('GetSecretValue', { SecretId: 'ops' })).toEqual({ SecretString: 'value' });
    expect(sent).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeLessThanOrEqual(200);
    expect(delays[1]).toBeLessThanOrEqual(400);

    const unavailable = kms([{ status: 503, body: 'Service Unavailable' }, { status: 500, body: JSON.stringify({ __type: 'KMSInternalException' }) }, { status: 200, body: '{}' }]);
    expect(await unavailable.call('Decrypt', {})).toEqual({});
    expect(unavailable.sent).toHaveLength(3);
  });

  it('gives up after three attempts with an error naming the operation, the AWS error type and the status', async () => {
    const throttled = { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.kms#ThrottlingException', message: 'Rate exceeded' }) };
    const { call, sent } = kms([throttled, throttled, throttled]);
    const error = await call('Decrypt', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ operation: 'Decrypt', type: 'ThrottlingException', status: 400, message: 'Decrypt failed: ThrottlingException (HTTP 400): Rate exceeded' });
    expect(sent).toHaveLength(3);

    const down = kms([new TypeError('fetch failed'), new TypeError('fetch failed'), new TypeError('fetch failed')]);
    await expect(down.call('Decrypt', {})).rejects.toThrow('Decrypt failed: NetworkError: fetch failed');
  });

  it('does not retry a refusal, and reads the error type from the header or the body', async () => {
    const denied = kms([
      {
        status: 400,
        headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/' },
        body: JSON.stringify({ Message: 'User is not authorized to perform kms:Decrypt' }),
      },
    ]);
    await expect(denied.call('Decrypt', {})).rejects.toThrow('Decrypt failed: AccessDeniedException (HTTP 400): User is not authorized to perform kms:Decrypt');
    expect(denied.sent).toHaveLength(1);

    const missing = kms([{ status: 400, body: JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }) }]);
    const error = await missing.call('GetSecretValue', { SecretId: 'nope' }).catch((caught: unknown) => caught as AwsServiceError);
    expect(error.type).toBe('ResourceNotFoundException');
    expect(error.message).toBe("GetSecretValue failed: ResourceNotFoundException (HTTP 400): Secrets Manager can't find the specified secret.");

    const forbidden = kms([{ status: 403, body: '<html>Forbidden</html>' }]);
    await expect(forbidden.call('Decrypt', {})).rejects.toThrow('Decrypt failed: HTTP403 (HTTP 403)');
  });

  it('abandons an attempt that gets no answer in time and retries it', async () => {
    const hanging = (async (_url: URL, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof fetch;
    const { call, delays } = kms([], { fetch: hanging, attemptTimeoutMs: 20, maxAttempts: 2 });
    await expect(call('Decrypt', {})).rejects.toThrow('Decrypt failed: TimeoutError: no answer within 20 ms');
    expect(delays).toHaveLength(1);
  });
});
