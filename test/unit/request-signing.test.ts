import { describe, expect, it } from 'vitest';
import { hmacSha256, sha256Hex } from '../../shared/crypto';
import { createRequestSigner, requestSignature } from '../../shared/request-signing';

const credentials = { installationId: 'inst-1', installationSecret: 'secret-1' };

describe('installation request signatures (API.md §2)', () => {
  it('sign "<timestamp>\\n<METHOD>\\n<path>\\n<hex SHA-256 of the body>" with the secret, path without its query', () => {
    const expected = hmacSha256('secret-1', `1700000000\nPOST\n/v1/activations\n${sha256Hex('{"a":1}')}`).toString('hex');
    expect(requestSignature('secret-1', 1700000000, 'post', '/v1/activations?x=1', '{"a":1}')).toBe(expected);
  });

  it('a client never signs the same request twice with the same timestamp', () => {
    const now = 1_700_000_000_500;
    const sign = createRequestSigner(() => now);
    const first = sign(credentials, 'GET', '/v1/installations/inst-1/license', '');
    const second = sign(credentials, 'GET', '/v1/installations/inst-1/license', '');
    const other = sign(credentials, 'GET', '/v1/installations/inst-1/smart-connect', '');
    const otherInstallation = sign({ ...credentials, installationId: 'inst-2' }, 'GET', '/v1/installations/inst-1/license', '');
    expect(first['x-timestamp']).toBe('1700000000');
    expect(second['x-timestamp']).toBe('1700000001');
    expect(second['x-signature']).not.toBe(first['x-signature']);
    expect(other['x-timestamp']).toBe('1700000000');
    expect(otherInstallation['x-timestamp']).toBe('1700000000');
  });

  it('uses the clock again once it has passed the last timestamp used', () => {
    let now = 1_700_000_000_000;
    const sign = createRequestSigner(() => now);
    sign(credentials, 'GET', '/p', '');
    now += 10_000;
    expect(sign(credentials, 'GET', '/p', '')['x-timestamp']).toBe('1700000010');
  });
});
