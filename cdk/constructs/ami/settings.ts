import * as z from 'zod/mini';
import '../../../shared/schemas/english';

/** The cdk.json context key that describes an AMI deployment (separate from the licensing cells). */
export const AMI_CONTEXT_KEY = 'xprotectAmiDeployment';

/** `included`: the AMI carries an Essential+ license (POST /v1/activations/ami). `byol`: the customer's SLC. */
export type AmiLicenseModel = 'included' | 'byol';

/** Shortest prefix a client CIDR may have: a /0 to /7 range is the internet, not a client network. */
export const MIN_CLIENT_PREFIX = 8;

const ipv4Cidr = z
  .string()
  .check(
    z.regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(\d|[12]\d|3[0-2])$/, 'an IPv4 CIDR such as 10.20.0.0/16'),
    z.refine((cidr) => Number(cidr.split('/')[1]) >= MIN_CLIENT_PREFIX, `a client network of /${MIN_CLIENT_PREFIX} or narrower (never 0.0.0.0/0)`),
  );

export const amiDeploymentSettings = z.strictObject({
  licenseModel: z.enum(['included', 'byol']),
  /** The XProtect AMI. Omitted: the stack takes it as the CloudFormation parameter `AmiId`. */
  amiId: z.optional(z.string().check(z.regex(/^ami-[0-9a-f]{8,17}$/, 'an AMI id such as ami-0123456789abcdef0'))),
  /** Omitted: the CloudFormation parameter `InstanceType` (default m6i.xlarge). */
  instanceType: z.optional(z.string().check(z.regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an EC2 instance type such as m6i.xlarge'))),
  /** The network the XProtect clients connect from (over VPN, Direct Connect or peering). */
  clientCidr: ipv4Cidr,
  /** The Cloud Licensing API of the region, e.g. https://licensing.eu-west-1.example.com. */
  licensingEndpoint: z.url({ protocol: /^https$/ }).check(z.maxLength(2048)),
  /** BYOL: the name of an existing Secrets Manager secret holding the SLC; omitted, the stack creates one. */
  slcSecretName: z.optional(z.string().check(z.regex(/^[\w/+=.@-]{1,512}$/))),
  vpcCidr: z._default(z.string().check(z.regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/)), '10.0.0.0/16'),
  rootVolumeGiB: z._default(z.int().check(z.minimum(50), z.maximum(16_384)), 100),
  recordingVolumeGiB: z._default(z.int().check(z.minimum(10), z.maximum(65_536)), 500),
});

export type AmiDeploymentSettingsInput = z.input<typeof amiDeploymentSettings>;
export type AmiDeploymentSettings = z.output<typeof amiDeploymentSettings>;

export function parseAmiDeploymentSettings(value: unknown): AmiDeploymentSettings {
  const result = z.safeParse(amiDeploymentSettings, value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${[AMI_CONTEXT_KEY, ...issue.path.map(String)].join('.')}: ${issue.message}`);
    throw new Error(`AMI deployment settings are not valid:\n  ${problems.join('\n  ')}`);
  }
  if (result.data.licenseModel === 'included' && result.data.slcSecretName) {
    throw new Error(`${AMI_CONTEXT_KEY}.slcSecretName: only a BYOL deployment keeps an SLC`);
  }
  return result.data;
}
