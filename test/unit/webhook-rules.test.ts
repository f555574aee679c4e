import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPublicAddress, matchesEventPatterns, retryDelayMs, RETRY_DELAYS_MS } from '../../shared/domain/webhooks';

describe('matchesEventPatterns (API.md §12: patterns with a trailing *)', () => {
  it.each([
    ['license.created', ['license.*'], true],
    ['license.upgraded', ['license.*'], true],
    ['licenses.created', ['license.*'], false],
    ['activation.completed', ['license.*'], false],
    ['activation.completed', ['license.*', 'activation.completed'], true],
    ['activation.completed', ['activation.*'], true],
    ['usage.threshold_reached', ['*'], true],
    ['care_plus.expired', ['care_plus.expiring'], false],
    ['care_plus.expired', [], false],
  ])('%s against %j → %s', (type, patterns, expected) => {
    expect(matchesEventPatterns(type, patterns)).toBe(expected);
  });
});

describe('retryDelayMs (first retry within 30 s, growing backoff for at least 24 h)', () => {
  it('retries first within 30 s, then with growing waits, for at least 24 hours, then stops', () => {
    expect(retryDelayMs(1)).toBeLessThanOrEqual(30_000);
    for (let failed = 2; failed <= RETRY_DELAYS_MS.length; failed++) expect(retryDelayMs(failed)!).toBeGreaterThanOrEqual(retryDelayMs(failed - 1)!);
    const total = RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(retryDelayMs(RETRY_DELAYS_MS.length + 1)).toBeUndefined();
    expect(retryDelayMs(0)).toBeUndefined();
  });
});

describe('isPublicAddress (SSRF: only the public Internet in AWS)', () => {
  it.each([
    ['93.184.215.14', true],
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['172.32.0.1', true],
    ['192.168.1.1', false],
    ['127.0.0.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['::1', false],
    ['::', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:8.8.8.8', true],
    ['::ffff:7f00:1', false],
    ['::ffff:a9fe:a9fe', false],
    ['fd00::1', false],
    ['fe80::1', false],
    ['64:ff9b::a9fe:a9fe', false],
    ['2002:a9fe:a9fe::', false],
    ['not-an-ip', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe('checkWebhookUrl', () => {
  it.each([
    ['https://hooks.example.com/licensing', 'public', true],
    ['https://8.8.8.8/hook', 'public', true],
    ['http://hooks.example.com/licensing', 'public', false],
    ['http://127.0.0.1:8080/hook', 'public', false],
    ['http://127.0.0.1:8080/hook', 'local', true],
    ['http://localhost:8080/hook', 'local', false],
    ['http://10.0.0.1/hook', 'local', false],
    ['https://10.0.0.1/hook', 'public', false],
    ['https://[::1]/hook', 'public', false],
    ['https://169.254.169.254/latest/meta-data', 'public', false],
    ['https://user:pass@hooks.example.com/', 'public', false],
    ['ftp://hooks.example.com/', 'public', false],
    ['not a url', 'public', false],
  ] as const)('%s under %s → %s', (url, policy, ok) => {
    expect(checkWebhookUrl(url, policy).ok).toBe(ok);
  });
});
