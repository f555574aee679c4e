/**
 * Recorded end-user consent (API.md §4 rev 2). Pure; no I/O.
 *
 * EULA, opening note: "If you are a Milestone Dealer, systems integrator or are otherwise installing
 * this Product on behalf of a third-party, you shall ensure that you have their acceptance of this
 * End-user License Agreement and their consent to provide end-user personal data for registration
 * with Milestone Systems".
 */
export interface EndUserConsentInput {
  eulaAccepted?: boolean;
  personalDataConsent?: boolean;
}

export interface RecordedConsent {
  eulaAccepted: true;
  personalDataConsent: true;
  recordedAt: string;
  recordedBy: 'ops' | 'partner';
}

export type ConsentOutcome = { kind: 'recorded'; consent: RecordedConsent } | { kind: 'none' } | { kind: 'refused' };

/**
 * A partner registering an end user must bring both acceptances ("missing, or either value not
 * `true`, is 422 `consent_required`"). Ops may leave consent out (then none is recorded); consent
 * that ops do give must be whole too, since half a consent is no consent to record.
 */
export function consentFor(input: EndUserConsentInput | null | undefined, by: 'ops' | 'partner', at: string): ConsentOutcome {
  if (input === undefined || input === null) return by === 'partner' ? { kind: 'refused' } : { kind: 'none' };
  if (input.eulaAccepted !== true || input.personalDataConsent !== true) return { kind: 'refused' };
  return { kind: 'recorded', consent: { eulaAccepted: true, personalDataConsent: true, recordedAt: at, recordedBy: by } };
}
