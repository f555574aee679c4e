import { hmacSha256, sha256Hex } from './crypto';

/**
 * Installation request signatures (API.md §2): HMAC-SHA256 with the installation secret over
 * "<timestamp>\n<METHOD>\n<path>\n<hex SHA-256 of the raw body>", path without the query string.
 */
export const signedRequestText = (timestamp: number | string, method: string, path: string, rawBody: string): string =>
  `${timestamp}\n${method.toUpperCase()}\n${path.split('?')[0]}\n${sha256Hex(rawBody)}`;

export const requestSignature = (secret: string | Buffer, timestamp: number | string, method: string, path: string, rawBody: string): string =>
  hmacSha256(secret, signedRequestText(timestamp, method, path, rawBody)).toString('hex');

export interface SignedHeaders {
  'x-installation-id': string;
  'x-timestamp': string;
  'x-signature': string;
}

/**
 * The client side: signs every request afresh. The service accepts a signature once, so two equal
 * requests must not carry the same timestamp: each gets now, or one second past the timestamp this
 * signer last used for the same installation, method, path and body when that is not earlier.
 */
export function createRequestSigner(now: () => number = Date.now) {
  const lastTimestamp = new Map<string, number>();
  return (credentials: { installationId: string; installationSecret: string }, method: string, path: string, rawBody: string): SignedHeaders => {
    const seconds = Math.floor(now() / 1000);
    const request = `${credentials.installationId}\n${signedRequestText('', method, path, rawBody)}`;
    const timestamp = Math.max(seconds, (lastTimestamp.get(request) ?? 0) + 1);
    if (lastTimestamp.size > 10_000) {
      // Entries older than the 300-second window can no longer collide with a fresh timestamp.
      for (const [key, used] of lastTimestamp) if (used < seconds - 300) lastTimestamp.delete(key);
    }
    lastTimestamp.set(request, timestamp);
    return {
      'x-installation-id': credentials.installationId,
      'x-timestamp': String(timestamp),
      'x-signature': requestSignature(credentials.installationSecret, timestamp, method, path, rawBody),
    };
  };
}
