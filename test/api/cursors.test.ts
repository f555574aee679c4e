import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../shared/store/pagination';
import { useApi } from '../support/api';
import { seedLicense } from '../support/seed';

/** List cursors are encrypted, not just signed: nothing of the position inside can be read. */
const api = useApi();

describe('list cursors', () => {
  it('reveal nothing of the keys and ids they carry, and still lead to the next page', async () => {
    const license = await seedLicense();
    for (const validUntil of ['2030-01-01', '2031-01-01', '2032-01-01']) {
      expect((await api.ops('PUT', `/v1/licenses/${license.slc}/care-plus`, { validUntil })).status).toBe(200);
    }
    const first = await api.ops('GET', `/v1/licenses/${license.slc}/events?limit=1`);
    expect(first.status).toBe(200);
    const cursor: string = first.body.nextCursor;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const bytes = Buffer.from(cursor, 'base64url').toString('latin1');
    for (const plain of ['LICENSE#', 'EVENT#', license.slc, '"pk"', '"sk"', license.slc.slice(-8)]) expect(bytes).not.toContain(plain);

    const second = await api.ops('GET', `/v1/licenses/${license.slc}/events?limit=1&cursor=${cursor}`);
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0]).not.toEqual(first.body.items[0]);
  });

  it('an altered cursor, or one of another list, is 400 invalid_cursor', async () => {
    const cursor = (await encodeCursor('list-a', { pk: 'P', sk: 'S' }))!;
    expect(await decodeCursor('list-a', cursor)).toEqual({ pk: 'P', sk: 'S' });
    const altered = `${cursor.slice(0, 20)}${cursor[20] === 'A' ? 'B' : 'A'}${cursor.slice(21)}`;
    for (const [scope, given] of [['list-a', altered], ['list-b', cursor], ['list-a', 'not.a.cursor'], ['list-a', 'AAAA']] as const) {
      await expect(decodeCursor(scope, given)).rejects.toMatchObject({ status: 400, code: 'invalid_cursor' });
    }
  });

  it('two cursors of the same position differ (a fresh nonce each time)', async () => {
    expect(await encodeCursor('list-a', { pk: 'P' })).not.toBe(await encodeCursor('list-a', { pk: 'P' }));
  });
});
