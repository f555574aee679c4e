/**
 * Export-control screening of a customer at registration: a customer in a sanctioned country is
 * rejected with reason `export_control`; everyone else is verified.
 */
export interface Screening {
  verification: 'verified' | 'rejected';
  verificationReason: null | 'export_control';
}

export function screenCustomer(country: string, sanctionedCountries: readonly string[]): Screening {
  const sanctioned = sanctionedCountries.some((code) => code.toUpperCase() === country.toUpperCase());
  return sanctioned ? { verification: 'rejected', verificationReason: 'export_control' } : { verification: 'verified', verificationReason: null };
}
