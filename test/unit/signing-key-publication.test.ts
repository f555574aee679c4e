import { describe, expect, it } from 'vitest';
import { DOCUMENT_VALIDITY_MS, PUBLICATION_MARGIN_MS, publishedGenerations } from '../../shared/adapters/envelope-signer';
import { LICENSE_DOCUMENT_VALIDITY_SECONDS } from '../../shared/use-cases/license-document';

const DAY = 24 * 3600_000;
const at = (day: number, extraMs = 0) => new Date(Date.UTC(2026, 0, 1) + day * DAY + extraMs).toISOString();
const generation = (number: number, activatedOnDay: number, extraMs = 0) => ({ generation: number, activatedAt: at(activatedOnDay, extraMs) });

describe('publishedGenerations', () => {
  it('keeps a retired generation at least as long as the documents it signed are valid', () => {
    expect(DOCUMENT_VALIDITY_MS).toBe(LICENSE_DOCUMENT_VALIDITY_SECONDS * 1000);
    expect(PUBLICATION_MARGIN_MS).toBeGreaterThan(0);
  });

  it.each([
    { case: 'no generation yet', records: [], current: 1, now: at(0), expected: [] },
    { case: 'only the current one', records: [generation(1, 0)], current: 1, now: at(400), expected: [1] },
    { case: 'the configured generation is not created yet: the previous one still signs', records: [generation(1, 0)], current: 2, now: at(400), expected: [1] },
    { case: 'rotated yesterday: both', records: [generation(1, 0), generation(2, 100)], current: 2, now: at(101), expected: [2, 1] },
    { case: 'retired 30 days ago: still published (margin)', records: [generation(1, 0), generation(2, 100)], current: 2, now: at(130), expected: [2, 1] },
    { case: 'retired 31 days ago less 1 ms: still published', records: [generation(1, 0), generation(2, 100)], current: 2, now: at(131, -1), expected: [2, 1] },
    { case: 'retired 31 days ago: gone', records: [generation(1, 0), generation(2, 100)], current: 2, now: at(131), expected: [2] },
    {
      case: 'three generations: each retired by the next activation',
      records: [generation(1, 0), generation(2, 50), generation(3, 100)],
      current: 3,
      now: at(110),
      expected: [3, 2],
    },
    {
      case: 'two rotations within a month: all three',
      records: [generation(1, 0), generation(2, 90), generation(3, 100)],
      current: 3,
      now: at(110),
      expected: [3, 2, 1],
    },
    {
      case: 'rolled back to 1 a week ago: 1 first, 2 retired by the rollback',
      records: [generation(1, 120), generation(2, 100)],
      current: 1,
      now: at(127),
      expected: [1, 2],
    },
    { case: 'rolled back to 1 long ago: 2 gone', records: [generation(1, 120), generation(2, 100)], current: 1, now: at(200), expected: [1] },
    {
      case: 'a higher generation nothing followed (setting lowered, not yet used): kept',
      records: [generation(1, 0), generation(2, 100)],
      current: 1,
      now: at(300),
      expected: [1, 2],
    },
    {
      case: 'forward again after a rollback: 1 stays a month from then, although 2 was created long before',
      records: [generation(1, 120), generation(2, 200)],
      current: 2,
      now: at(220),
      expected: [2, 1],
    },
  ])('$case', ({ records, current, now, expected }) => {
    expect(publishedGenerations(records, current, new Date(now))).toEqual(expected);
  });
});
