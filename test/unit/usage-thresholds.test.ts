import { describe, expect, it } from 'vitest';
import { thresholdsCrossed } from '../../shared/domain/usage-thresholds';

describe('thresholdsCrossed (API.md §12: 80 % and 100 %, once per upward crossing, 80 first)', () => {
  it.each([
    // before, after, entitled, percents reached
    [0, 7, 10, []],
    [0, 8, 10, [80]],
    [7, 8, 10, [80]],
    [8, 9, 10, []],
    [9, 10, 10, [100]],
    [0, 10, 10, [80, 100]],
    [5, 10, 10, [80, 100]],
    [10, 10, 10, []],
    [10, 8, 10, []],
    [9, 7, 10, []],
    // exact arithmetic at the edge: 4 of 5 is 80 %, 79 of 99 is not
    [3, 4, 5, [80]],
    [78, 79, 99, []],
    [79, 80, 99, [80]],
    [98, 99, 99, [100]],
    [0, 1, 1, [80, 100]],
    // nothing to reach without an entitlement
    [0, 0, 0, []],
    [0, 3, 0, []],
  ])('%i → %i of %i reaches %j', (before, after, entitled, percents) => {
    expect(thresholdsCrossed(before, after, entitled).map((reached) => reached.percent)).toEqual(percents);
  });

  it('reports the usage after the change with each threshold', () => {
    expect(thresholdsCrossed(2, 20, 20)).toEqual([
      { percent: 80, used: 20, entitled: 20 },
      { percent: 100, used: 20, entitled: 20 },
    ]);
  });

  it('reaches a threshold again after usage fell below it', () => {
    expect(thresholdsCrossed(8, 6, 10)).toEqual([]);
    expect(thresholdsCrossed(6, 8, 10).map((reached) => reached.percent)).toEqual([80]);
  });
});
