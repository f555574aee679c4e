/**
 * Export-control screening of customers (API.md §4). Pure; no I/O.
 *
 * EULA, "Export control": "Milestone shall not be obliged to license and provide any Milestone
 * Products if it would be prohibited pursuant to applicable sanctions or export control laws or
 * regulations." EULA, "End-user Data": "the license cannot be granted to you unless and until the
 * required data is provided … and Milestone is able to verify you as the End-user and licensee of
 * the Product in accordance with the Milestone verification and screening policy."
 */
export type VerificationReason = 'export_control' | 'screening_hit' | 'manual';

export interface Screening {
  verification: 'verified' | 'rejected';
  verificationReason: null | VerificationReason;
}

/** At registration: a customer in a sanctioned country is rejected with reason `export_control`; everyone else is verified. */
export function screenCustomer(country: string, sanctionedCountries: readonly string[]): Screening {
  const sanctioned = sanctionedCountries.some((code) => code.toUpperCase() === country.toUpperCase());
  return sanctioned ? { verification: 'rejected', verificationReason: 'export_control' } : { verification: 'verified', verificationReason: null };
}

/**
 * PATCH with a new country (§4 rev 2): "a sanctioned country makes it `rejected` with
 * `export_control`; a customer rejected only for export control whose new country is not sanctioned
 * becomes `verified` with `verificationReason: null`." A customer rejected for another reason
 * (`screening_hit`, `manual`: an outcome ops recorded) stays rejected: a new address does not undo
 * a screening done outside the service. A verified customer in a country that is not sanctioned
 * stays verified.
 */
export function rescreenForCountry(current: Screening, newCountry: string, sanctionedCountries: readonly string[]): Screening {
  const screened = screenCustomer(newCountry, sanctionedCountries);
  if (screened.verification === 'rejected') return screened;
  if (current.verification === 'rejected' && current.verificationReason === 'export_control') return screened;
  return { verification: current.verification, verificationReason: current.verificationReason };
}

/**
 * `PUT /v1/customers/{id}/verification` (§4 rev 2): "the outcome of a screening done outside the
 * service". A rejection carries its reason; a verification clears it (`verificationReason: null`,
 * as a re-screened customer that becomes verified has), the reason given being kept with the
 * recorded outcome only.
 */
export function recordedScreening(outcome: { verification: 'verified' | 'rejected'; reason: VerificationReason }): Screening {
  return outcome.verification === 'rejected'
    ? { verification: 'rejected', verificationReason: outcome.reason }
    : { verification: 'verified', verificationReason: null };
}
