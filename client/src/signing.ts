import { createHash, createHmac } from 'node:crypto';

/** What an installation gets from its first activation and signs every later call with. */
export interface InstallationCredentials {
  installationId: string;
  installationSecret: string;
}

export interface SignedHeaders {
  'x-installation-id': string;
  'x-timestamp': string;
  'x-signature': string;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The signature of API.md §2: lowercase hex HMAC-SHA256 with the installation secret over
 * "<timestamp>\n<METHOD>\n<path>\n<hex SHA-256 of the raw body>", path without its query string.
 */
export function signature(secret: string, timestamp: number, method: string, path: string, rawBody: string): string {
  const canonical = `${timestamp}\n${method.toUpperCase()}\n${path.split('?')[0]}\n${sha256Hex(rawBody)}`;
  return createHmac('sha256', secret).update(canonical, 'utf8').digest('hex');
}

/**
 * The headers of one signed request. Sign every attempt afresh: the service accepts a signature
 * once, and a timestamp only within 300 s of its clock.
 */
export function signRequest(
  credentials: InstallationCredentials,
  request: { method: string; path: string; body?: string; timestamp?: number },
): SignedHeaders {
  const timestamp = request.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'x-installation-id': credentials.installationId,
    'x-timestamp': String(timestamp),
    'x-signature': signature(credentials.installationSecret, timestamp, request.method, request.path, request.body ?? ''),
  };
}
