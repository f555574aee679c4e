import { BlockList, isIP } from 'node:net';

/**
 * API.md §12, partner webhooks (Standard Webhooks). Pure rules: which events a webhook takes, when a
 * failed delivery is tried again, and which URLs and addresses a webhook may reach.
 */

/** `license.*` takes every type that starts with `license.`; any other pattern takes exactly its type. */
export function matchesEventPatterns(type: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => (pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern));
}

/**
 * "the first retry within 30 s of the failed attempt (or of its 10 s timeout), then with growing
 * backoff for at least 24 hours": the schedule the Standard Webhooks specification suggests, 5 s,
 * 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts over 27 h 35 min.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/** The wait before the next attempt after `failedAttempts` failures, or undefined when the delivery has failed for good. */
export function retryDelayMs(failedAttempts: number): number | undefined {
  return failedAttempts >= 1 ? RETRY_DELAYS_MS[failedAttempts - 1] : undefined;
}

/** How long an endpoint has to answer one delivery. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** Address ranges that are not the public Internet (RFC 6890 special-purpose registries), refused in AWS. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address is a public Internet address (an IPv4-mapped IPv6 address is judged as its IPv4 address). */
export function isPublicAddress(address: string): boolean {
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (mapped) {
    if (mapped[1]) return isPublicAddress(mapped[1]);
    const high = parseInt(mapped[2]!, 16);
    const low = parseInt(mapped[3]!, 16);
    return isPublicAddress([high >> 8, high & 255, low >> 8, low & 255].join('.'));
  }
  const family = isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * `public`: https to public addresses only (AWS). `local`: that, and http://127.0.0.1 (npm start),
 * so that a receiver on the same machine can be registered.
 */
export type WebhookUrlPolicy = 'public' | 'local';

export type UrlCheck = { ok: true; url: URL; host: string; loopback: boolean } | { ok: false; reason: string };

/** The checks that need no DNS: scheme, no credentials in the URL, and a literal address's range. */
export function checkWebhookUrl(text: string, policy: WebhookUrlPolicy): UrlCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'is not a URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not carry credentials' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (policy === 'local' && url.protocol === 'http:' && host === '127.0.0.1') return { ok: true, url, host, loopback: true };
  if (url.protocol !== 'https:') return { ok: false, reason: policy === 'local' ? 'must be https, or http://127.0.0.1' : 'must be https' };
  if (isIP(host) !== 0 && !isPublicAddress(host)) return { ok: false, reason: 'must reach a public address' };
  return { ok: true, url, host, loopback: false };
}

/** The metrics the webhook worker emits (the stack alarms on failed deliveries). */
export const WEBHOOK_METRICS = {
  delivered: 'WebhookDeliveries',
  attemptFailed: 'WebhookAttemptsFailed',
  failed: 'WebhookDeliveriesFailed',
} as const;
