import { describe, expect, it } from 'vitest';
import { rateWindow, retryAfterSeconds } from '../../shared/domain/notifications';

describe('notification rate window', () => {
  it.each([
    ['2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00:59.999Z', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:01:00.000Z', '2026-03-01T10:01:00.000Z'],
    ['2026-03-01T10:01:30.500Z', '2026-03-01T10:01:00.000Z'],
  ])('%s falls in the window starting %s', (now, start) => {
    const window = rateWindow(new Date(now));
    expect(window.windowStart).toBe(Date.parse(start) / 1000);
    expect(window.windowEnd).toBe(window.windowStart + 60);
    expect(window.expiresAt).toBeGreaterThan(window.windowEnd);
  });

  it('tells a refused sender when the next window opens', () => {
    const now = new Date('2026-03-01T10:00:45.200Z');
    expect(retryAfterSeconds(now, rateWindow(now))).toBe(15);
    const edge = new Date('2026-03-01T10:00:59.999Z');
    expect(retryAfterSeconds(edge, rateWindow(edge))).toBe(1);
  });
});
