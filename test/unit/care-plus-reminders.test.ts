import { describe, expect, it } from 'vitest';
import { carePlusReminderDue } from '../../shared/domain/care-plus';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const inDays = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString();

describe('carePlusReminderDue (API.md §12: 90, 30 and 7 days or fewer left; expired after; the smallest passed)', () => {
  it.each([
    [inDays(120), undefined],
    [inDays(90.01), undefined],
    [inDays(90), { kind: 'expiring', days: 90 }],
    [inDays(45), { kind: 'expiring', days: 90 }],
    [inDays(30), { kind: 'expiring', days: 30 }],
    [inDays(8), { kind: 'expiring', days: 30 }],
    [inDays(7), { kind: 'expiring', days: 7 }],
    // a license first seen with 6 days left gets the 7-day reminder only
    [inDays(6), { kind: 'expiring', days: 7 }],
    [inDays(0), { kind: 'expiring', days: 7 }],
    // no grace period: one millisecond after validUntil it has expired
    [new Date(NOW.getTime() - 1).toISOString(), { kind: 'expired' }],
    [inDays(-400), { kind: 'expired' }],
    ['2026-06-08', { kind: 'expiring', days: 7 }],
    ['not a date', undefined],
  ])('validUntil %s → %j', (validUntil, expected) => {
    expect(carePlusReminderDue(validUntil, NOW)).toEqual(expected);
  });
});
