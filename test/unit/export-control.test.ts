import { describe, expect, it } from 'vitest';
import { recordedScreening, rescreenForCountry, screenCustomer } from '../../shared/domain/export-control';

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

describe('re-screening on a new country (PATCH, rev 2)', () => {
  const verified = { verification: 'verified', verificationReason: null } as const;
  const exportControl = { verification: 'rejected', verificationReason: 'export_control' } as const;
  const hit = { verification: 'rejected', verificationReason: 'screening_hit' } as const;
  const manual = { verification: 'rejected', verificationReason: 'manual' } as const;
  it.each([
    ['verified, to a sanctioned country', verified, 'IR', exportControl],
    ['verified, to another free country', verified, 'SE', verified],
    ['rejected for export control, to a free country', exportControl, 'DK', verified],
    ['rejected for export control, to another sanctioned country', exportControl, 'KP', exportControl],
    ['rejected on a screening hit, to a free country', hit, 'DK', hit],
    ['rejected manually, to a free country', manual, 'DK', manual],
    ['rejected manually, to a sanctioned country', manual, 'SY', exportControl],
  ] as const)('%s', (_case, current, country, expected) => {
    expect(rescreenForCountry(current, country, defaults)).toEqual(expected);
  });
});

describe('a screening outcome recorded by ops', () => {
  it.each([
    ['rejected', 'screening_hit', { verification: 'rejected', verificationReason: 'screening_hit' }],
    ['rejected', 'manual', { verification: 'rejected', verificationReason: 'manual' }],
    ['rejected', 'export_control', { verification: 'rejected', verificationReason: 'export_control' }],
    ['verified', 'manual', { verification: 'verified', verificationReason: null }],
    ['verified', 'export_control', { verification: 'verified', verificationReason: null }],
  ] as const)('%s for %s', (verification, reason, expected) => {
    expect(recordedScreening({ verification, reason })).toEqual(expected);
  });
});
