/**
 * Product versions and the lifecycle's activation window (API.md §1 and §4 "Product catalog").
 * Pure functions; no I/O.
 */

export type Release = 1 | 2 | 3;

export interface ParsedVersion {
  year: number;
  release: Release;
}

const VERSION_PATTERN = /^(\d{4}) R([123])$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The EULA: an SLC may activate devices for 10 years after the version's general availability. */
export const ACTIVATION_WINDOW_YEARS = 10;

/** "Product versions are strings "YYYY R1", "YYYY R2" or "YYYY R3"." Anything else is undefined. */
export function parseVersion(v: string): ParsedVersion | undefined {
  const match = VERSION_PATTERN.exec(v);
  if (!match) return undefined;
  return { year: Number(match[1]), release: Number(match[2]) as Release };
}

/**
 * "Version order is year, then release." Negative when a is older than b, 0 when equal, positive
 * when newer. Throws a RangeError for a string that is not a version (callers validate first).
 */
export function compareVersions(a: string, b: string): number {
  const left = requireVersion(a);
  const right = requireVersion(b);
  return left.year !== right.year ? left.year - right.year : left.release - right.release;
}

/** True when `version` is `minimum` or later. */
export function isVersionAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

/**
 * "`activationAvailableUntil` is generalAvailability plus 10 years." Calendar arithmetic in UTC;
 * a general availability on 29 February ends on 28 February ten years later (that year has no
 * 29 February unless it is itself a leap year, in which case the date is kept).
 * Throws a RangeError for a string that is not a real `YYYY-MM-DD` date.
 */
export function activationAvailableUntil(generalAvailability: string): string {
  const { year, month, day } = requireDate(generalAvailability);
  const targetYear = year + ACTIVATION_WINDOW_YEARS;
  const lastDayOfMonth = daysInMonth(targetYear, month);
  return formatDate(targetYear, month, Math.min(day, lastDayOfMonth));
}

/**
 * "After the window, already activated devices keep working; new and replacement devices are
 * refused." The last day is inclusive: activation is possible through the end of that UTC day
 * (until 23:59:59.999Z), and refused from 00:00:00.000Z of the next day.
 */
export function isWithinActivationWindow(activationAvailableUntil: string, now: Date): boolean {
  const { year, month, day } = requireDate(activationAvailableUntil);
  return now.getTime() < utcMidnight(year, month, day) + DAY_MS;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isValidDate(date: string): boolean {
  return parseDate(date) !== undefined;
}

function requireVersion(v: string): ParsedVersion {
  const parsed = parseVersion(v);
  if (!parsed) throw new RangeError('not a product version');
  return parsed;
}

function parseDate(date: string): { year: number; month: number; day: number } | undefined {
  const match = DATE_PATTERN.exec(date);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

function requireDate(date: string): { year: number; month: number; day: number } {
  const parsed = parseDate(date);
  if (!parsed) throw new RangeError('not a YYYY-MM-DD date');
  return parsed;
}

/** setUTCFullYear, unlike Date.UTC, keeps years below 100 literal. */
function utcMidnight(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
