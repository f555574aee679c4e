import { describe, expect, it } from 'vitest';
import { changeEulaStatus, isEulaAccepted, type EulaStatus } from '../../shared/domain/eula-catalog';

describe('changeEulaStatus: exactly one current version', () => {
  it.each([
    // current, version, status, existing → outcome
    ['20250212', '20260101', 'current', undefined, { kind: 'write', entry: { eulaVersion: '20260101', status: 'current' }, previousCurrent: '20250212' }],
    ['20250212', '20260101', 'accepted', undefined, { kind: 'write', entry: { eulaVersion: '20260101', status: 'accepted' }, previousCurrent: null }],
    ['20250212', '20240101', 'retired', 'accepted', { kind: 'write', entry: { eulaVersion: '20240101', status: 'retired' }, previousCurrent: null }],
    ['20250212', '20240101', 'accepted', 'retired', { kind: 'write', entry: { eulaVersion: '20240101', status: 'accepted' }, previousCurrent: null }],
    ['20250212', '20240101', 'current', 'retired', { kind: 'write', entry: { eulaVersion: '20240101', status: 'current' }, previousCurrent: '20250212' }],
    ['20250212', '20240101', 'accepted', 'accepted', { kind: 'unchanged', entry: { eulaVersion: '20240101', status: 'accepted' } }],
    ['20250212', '20250212', 'current', 'current', { kind: 'unchanged', entry: { eulaVersion: '20250212', status: 'current' } }],
    ['20250212', '20250212', 'retired', 'current', { kind: 'refused', code: 'eula_current' }],
    ['20250212', '20250212', 'accepted', 'current', { kind: 'refused', code: 'eula_current' }],
  ] as const)('current %s: %s → %s (was %s)', (current, version, status, existing, outcome) => {
    expect(changeEulaStatus(current, version, status as EulaStatus, existing as EulaStatus | undefined)).toEqual(outcome);
  });
});

describe('isEulaAccepted: an activation accepts a current or accepted version', () => {
  it.each([
    ['20250212', undefined, undefined, true],
    ['20240101', undefined, undefined, false],
    ['20250212', '20260101', 'accepted', true],
    ['20260101', '20260101', 'current', true],
    ['20240101', '20260101', 'retired', false],
    ['19990101', '20260101', undefined, false],
  ] as const)('%s with current %s and entry status %s → %s', (requested, current, status, accepted) => {
    const entry = status ? { eulaVersion: requested, status: status as EulaStatus } : undefined;
    expect(isEulaAccepted(requested, { current, entry }, '20250212')).toBe(accepted);
  });
});
