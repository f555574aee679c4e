import { describe, expect, it } from 'vitest';
import { consentFor } from '../../shared/domain/end-user-consent';

const at = '2026-12-01T10:00:00.000Z';
const whole = { eulaAccepted: true, personalDataConsent: true };

describe('recorded end-user consent (§4 rev 2)', () => {
  it.each([
    ['partner', whole, { kind: 'recorded', consent: { ...whole, recordedAt: at, recordedBy: 'partner' } }],
    ['ops', whole, { kind: 'recorded', consent: { ...whole, recordedAt: at, recordedBy: 'ops' } }],
    ['partner', undefined, { kind: 'refused' }],
    ['partner', null, { kind: 'refused' }],
    ['partner', {}, { kind: 'refused' }],
    ['partner', { eulaAccepted: true }, { kind: 'refused' }],
    ['partner', { eulaAccepted: true, personalDataConsent: false }, { kind: 'refused' }],
    ['partner', { eulaAccepted: false, personalDataConsent: true }, { kind: 'refused' }],
    ['ops', undefined, { kind: 'none' }],
    ['ops', null, { kind: 'none' }],
    ['ops', { eulaAccepted: true, personalDataConsent: false }, { kind: 'refused' }],
    ['ops', { personalDataConsent: true }, { kind: 'refused' }],
  ] as const)('%s with %j', (by, input, expected) => {
    expect(consentFor(input, by, at)).toEqual(expected);
  });
});
