/**
 * Settings read from the environment at call time (API.md §3 lists the local defaults; the CDK
 * stack sets the same variables per region from cdk.json).
 */
const list = (value: string | undefined, fallback: string): string[] =>
  (value ?? fallback)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

export const config = {
  eulaVersion: (): string => process.env.EULA_VERSION ?? '20250212',
  sanctionedCountries: (): string[] => list(process.env.SANCTIONED_COUNTRIES, 'CU,IR,KP,SY,RU,BY').map((c) => c.toUpperCase()),
  /** The default is the development code that scripts/sign-identity-document.ts and the tests sign with. */
  amiIncludedProductCodes: (): string[] => list(process.env.AMI_INCLUDED_PRODUCT_CODES, 'dev-essential-plus-included'),
  awsIdentityCertsFile: (): string | undefined => process.env.AWS_IDENTITY_CERTS_FILE || undefined,
};
