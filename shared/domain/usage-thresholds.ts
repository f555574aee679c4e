/**
 * API.md §12: "`usage.threshold_reached` when an activation makes the device licenses used reach
 * 80 % and 100 % of the entitlement (`details: { "percent": 80|100, "used", "entitled" }`), once per
 * crossing upwards; one activation crossing both records both, 80 first, each with the `used` and
 * `entitled` after that activation."
 */
export const USAGE_THRESHOLDS = [80, 100] as const;

export type UsageThreshold = (typeof USAGE_THRESHOLDS)[number];

export interface ThresholdReached {
  percent: UsageThreshold;
  used: number;
  entitled: number;
}

/** Whether `used` of `entitled` is at or above `percent` (integer arithmetic: no rounding at the edge). */
const atOrAbove = (used: number, entitled: number, percent: number) => used * 100 >= percent * entitled;

/**
 * The thresholds one change of usage crosses upwards, lowest first: reached after it and not before
 * it. A license without device licenses has no share to reach; going down crosses nothing.
 */
export function thresholdsCrossed(usedBefore: number, usedAfter: number, entitled: number): ThresholdReached[] {
  if (entitled <= 0 || usedAfter <= usedBefore) return [];
  return USAGE_THRESHOLDS.filter((percent) => !atOrAbove(usedBefore, entitled, percent) && atOrAbove(usedAfter, entitled, percent)).map(
    (percent) => ({ percent, used: usedAfter, entitled }),
  );
}
