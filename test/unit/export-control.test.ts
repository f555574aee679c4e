import { describe, expect, it } from 'vitest';
import { screenCustomer } from '../../shared/domain/export-control';

const defaults = ['CU', 'IR', 'KP', 'SY', 'RU', 'BY'];

describe('export-control screening of customers', () => {
  it.each([
    ['DK', defaults, 'verified', null],
    ['US', defaults, 'verified', null],
    ['IR', defaults, 'rejected', 'export_control'],
    ['KP', defaults, 'rejected', 'export_control'],
    ['BY', defaults, 'rejected', 'export_control'],
    ['RU', ['ru'], 'rejected', 'export_control'],
    ['RU', [], 'verified', null],
    ['DK', ['DK'], 'rejected', 'export_control'],
  ] as const)('%s against %j is %s', (country, list, verification, reason) => {
    expect(screenCustomer(country, list)).toEqual({ verification, verificationReason: reason });
  });
});
