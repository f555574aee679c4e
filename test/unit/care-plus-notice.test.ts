import { describe, expect, it } from 'vitest';
import { carePlusNotice } from '../../shared/domain/care-plus';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const validUntil = '2026-12-31T00:00:00.000Z';
const end = Date.parse(validUntil);

/** API.md §11, the license page: the Care Plus text by the time left. */
describe('carePlusNotice', () => {
  it.each([
    ['no Care Plus', null, end, null],
    ['more than 90 days left', validUntil, end - 90 * DAY - 1, null],
    ['exactly 90 days left', validUntil, end - 90 * DAY, 'Care Plus expires in 90 days'],
    ['20 days and some hours left', validUntil, end - 20 * DAY - 5 * HOUR, 'Care Plus expires in 20 days'],
    ['just under 21 days left rounds down', validUntil, end - 21 * DAY + 1, 'Care Plus expires in 20 days'],
    ['one day left', validUntil, end - DAY, 'Care Plus expires in 1 days'],
    ['less than 24 hours left', validUntil, end - 23 * HOUR, 'Care Plus expires today'],
    ['the last instant (now = validUntil is still valid)', validUntil, end, 'Care Plus expires today'],
    ['ended', validUntil, end + 1, 'Care Plus expired'],
    ['a date: valid until its first instant', '2026-12-31', end - 3 * DAY, 'Care Plus expires in 3 days'],
  ] as const)('%s', (_, until, now, expected) => {
    expect(carePlusNotice(until, new Date(now))).toBe(expected);
  });
});
