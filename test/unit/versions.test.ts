import { describe, expect, it } from 'vitest';
import {
  activationAvailableUntil,
  compareVersions,
  isValidDate,
  isVersionAtLeast,
  isWithinActivationWindow,
  parseVersion,
} from '../../shared/domain/versions';

describe('parseVersion: "YYYY R1", "YYYY R2" or "YYYY R3"', () => {
  it.each([
    ['2025 R1', { year: 2025, release: 1 }],
    ['2022 R2', { year: 2022, release: 2 }],
    ['2024 R3', { year: 2024, release: 3 }],
  ])('parses %s', (input, expected) => {
    expect(parseVersion(input)).toEqual(expected);
  });

  it.each(['2025 R4', '2025 R0', '2025R1', '2025  R1', ' 2025 R1', '2025 R1 ', '2025 r1', '25 R1', '20250 R1', '2025-R1', '', 'R1'])(
    'rejects %j',
    (input) => {
      expect(parseVersion(input)).toBeUndefined();
    },
  );
});

describe('compareVersions: year, then release', () => {
  it.each([
    ['2025 R1', '2025 R1', 0],
    ['2025 R1', '2025 R2', -1],
    ['2025 R3', '2025 R2', 1],
    ['2024 R3', '2025 R1', -1],
    ['2026 R1', '2025 R3', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it('sorts a list by year then release', () => {
    const sorted = ['2025 R1', '2022 R3', '2024 R2', '2022 R1', '2024 R1'].sort(compareVersions);
    expect(sorted).toEqual(['2022 R1', '2022 R3', '2024 R1', '2024 R2', '2025 R1']);
  });

  it('refuses strings that are not versions', () => {
    expect(() => compareVersions('2025 R4', '2025 R1')).toThrow(RangeError);
    expect(() => compareVersions('2025 R1', 'latest')).toThrow(RangeError);
  });

  it.each([
    ['2022 R2', '2022 R2', true],
    ['2022 R3', '2022 R2', true],
    ['2022 R1', '2022 R2', false],
    ['2021 R3', '2022 R1', false],
  ])('isVersionAtLeast(%s, %s) = %s', (version, minimum, expected) => {
    expect(isVersionAtLeast(version, minimum)).toBe(expected);
  });
});

describe('activationAvailableUntil: general availability plus 10 years', () => {
  it.each([
    ['2025-02-12', '2035-02-12'],
    ['2022-01-01', '2032-01-01'],
    ['2023-12-31', '2033-12-31'],
    ['2024-02-29', '2034-02-28'], // 2034 has no 29 February
    ['2020-02-29', '2030-02-28'],
    ['1998-02-28', '2008-02-28'],
    ['2016-02-29', '2026-02-28'],
    ['0090-06-15', '0100-06-15'], // years below 100 stay literal
  ])('%s → %s', (ga, until) => {
    expect(activationAvailableUntil(ga)).toBe(until);
  });

  it.each(['2025-02-30', '2023-02-29', '2025-13-01', '2025-00-10', '2025-1-1', '20250212', '', '2025-02-12T00:00:00Z'])(
    'refuses %j',
    (input) => {
      expect(isValidDate(input)).toBe(false);
      expect(() => activationAvailableUntil(input)).toThrow(RangeError);
    },
  );
});

describe('isWithinActivationWindow: the last day is inclusive (UTC)', () => {
  const until = '2035-02-12';
  it.each([
    ['the day before', '2035-02-11T12:00:00.000Z', true],
    ['long before', '2025-02-12T00:00:00.000Z', true],
    ['the last day, first millisecond', '2035-02-12T00:00:00.000Z', true],
    ['the last day, midday', '2035-02-12T12:00:00.000Z', true],
    ['the last day, last millisecond', '2035-02-12T23:59:59.999Z', true],
    ['the day after, first millisecond', '2035-02-13T00:00:00.000Z', false],
    ['the day after, midday', '2035-02-13T12:00:00.000Z', false],
    ['years after', '2040-01-01T00:00:00.000Z', false],
  ])('%s (%s) → %s', (_label, now, expected) => {
    expect(isWithinActivationWindow(until, new Date(now))).toBe(expected);
  });

  it('ends on the last day of a month correctly', () => {
    expect(isWithinActivationWindow('2034-02-28', new Date('2034-02-28T23:59:59.999Z'))).toBe(true);
    expect(isWithinActivationWindow('2034-02-28', new Date('2034-03-01T00:00:00.000Z'))).toBe(false);
  });

  it('refuses a malformed date rather than guessing', () => {
    expect(() => isWithinActivationWindow('2035-02-30', new Date())).toThrow(RangeError);
  });
});
