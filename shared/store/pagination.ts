import { createHmac, timingSafeEqual } from 'node:crypto';
import { secrets } from '../adapters/secrets';
import { badRequest } from '../http/errors';

/**
 * Opaque, tamper-safe list cursors: the DynamoDB position, bound to the list it came from and
 * signed with a key derived from the installation key. The key comes through the secrets port
 * (Secrets Manager in AWS, the environment locally), as every secret of the service does.
 * A cursor that was altered, or used on another list, is refused.
 */
async function mac(scope: string, payload: string): Promise<Buffer> {
  const key = createHmac('sha256', await secrets().installationKey()).update('list-cursor').digest();
  return createHmac('sha256', key).update(`${scope}\n${payload}`).digest();
}

export async function encodeCursor(scope: string, position: Record<string, unknown> | undefined): Promise<string | null> {
  if (!position) return null;
  const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
  return `${payload}.${(await mac(scope, payload)).toString('base64url')}`;
}

export async function decodeCursor(scope: string, cursor: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (cursor === undefined) return undefined;
  const invalid = () => badRequest('invalid_cursor', 'The cursor is not one this list returned.');
  const [payload, signature, extra] = cursor.split('.');
  if (!payload || !signature || extra !== undefined || cursor.length > 2048) throw invalid();
  const expected = await mac(scope, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid();
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
