import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from '../errors';

/**
 * Opaque, tamper-safe list cursors: the DynamoDB position, bound to the list it came from and
 * signed with a key of the service. A cursor that was altered, or used on another list, is refused.
 */
let cursorKey: Buffer | undefined;

export function setCursorKey(key: Buffer): void {
  cursorKey = key;
}

function key(): Buffer {
  if (!cursorKey) {
    const configured = process.env.CURSOR_KEY ?? process.env.INSTALLATION_KEY;
    if (!configured) throw new Error('CURSOR_KEY is not set');
    cursorKey = createHmac('sha256', Buffer.from(configured, 'base64')).update('list-cursor').digest();
  }
  return cursorKey;
}

const mac = (scope: string, payload: string) => createHmac('sha256', key()).update(`${scope}\n${payload}`).digest();

export function encodeCursor(scope: string, position: Record<string, unknown> | undefined): string | null {
  if (!position) return null;
  const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
  return `${payload}.${mac(scope, payload).toString('base64url')}`;
}

export function decodeCursor(scope: string, cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => badRequest('invalid_cursor', 'The cursor is not one this list returned.');
  const [payload, signature, extra] = cursor.split('.');
  if (!payload || !signature || extra !== undefined || cursor.length > 2048) throw invalid();
  const expected = mac(scope, payload);
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
