import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { secrets } from '../adapters/secrets';
import { badRequest } from '../errors';

/**
 * Opaque list cursors: the DynamoDB position, encrypted and authenticated (AES-256-GCM) with a key
 * derived from the service key of the secrets port, and bound to the list it came from (the list's
 * scope is the additional authenticated data). A client learns nothing of the keys and ids inside;
 * a cursor that was altered, or used on another list, is refused.
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_CURSOR_LENGTH = 2048;

let derived: { from: Buffer; key: Buffer } | undefined;

async function key(): Promise<Buffer> {
  const serviceKey = await secrets().installationKey();
  if (!derived || !derived.from.equals(serviceKey)) {
    derived = { from: serviceKey, key: createHmac('sha256', serviceKey).update('list-cursor-encryption').digest() };
  }
  return derived.key;
}

export async function encodeCursor(scope: string, position: Record<string, unknown> | undefined): Promise<string | null> {
  if (!position) return null;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await key(), iv);
  cipher.setAAD(Buffer.from(scope, 'utf8'));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(position), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

export async function decodeCursor(scope: string, cursor: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (cursor === undefined) return undefined;
  const invalid = () => badRequest('invalid_cursor', 'The cursor is not one this list returned.');
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) throw invalid();
  try {
    const decipher = createDecipheriv('aes-256-gcm', await key(), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(scope, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    const position: unknown = JSON.parse(text);
    if (typeof position !== 'object' || position === null || Array.isArray(position)) throw invalid();
    return position as Record<string, unknown>;
  } catch {
    throw invalid();
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
