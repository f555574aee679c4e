import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { Construct } from 'constructs';
import { MAX_SIGNING_KEY_GENERATION } from '../shared/adapters/envelope-signer';
import '../shared/schemas/english';

/** The repository root: NodejsFunction bundles from here and reads package-lock.json here. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The cdk.json context key under which the deployment is described. */
export const CONTEXT_KEY = 'cloudLicensing';

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const countryCode = z.string().check(z.regex(/^[A-Z]{2}$/, 'an ISO-3166 alpha-2 code in capitals'));
const platformApplication = z
  .string()
  .check(z.regex(/^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:app\/)?(APNS|APNS_SANDBOX|GCM)\/[\w.-]{1,256}$/, 'an SNS platform application ARN or "<platform>/<name>"'));

const throttling = z.strictObject({
  rateLimit: z.int().check(z.positive()),
  burstLimit: z.int().check(z.positive()),
});

const regionSettings = z.strictObject({
  /** ISO-3166 alpha-2 codes refused at customer screening (SANCTIONED_COUNTRIES). */
  sanctionedCountries: z.array(countryCode).check(z.minLength(1)),
  /** AWS Marketplace product codes of the AMIs that include an Essential+ license. */
  amiIncludedProductCodes: z.array(z.string().check(z.regex(/^[a-z0-9]{1,64}$/))),
  /** PEM files (relative to the repository) of the regions whose EC2 identity documents this cell accepts. */
  identityCertificates: z.array(z.string().check(z.regex(/^[\w./-]+\.pem$/))).check(z.minLength(1)),
  /** SNS mobile push platform applications, created outside the stack with the APNs/FCM credentials. */
  snsPlatformApplications: z.strictObject({ ios: platformApplication, android: platformApplication }),
  /** The verified SES identity (domain or address) that notification e-mails are sent from. */
  sesIdentity: z.string().check(z.minLength(3), z.maxLength(253)),
  sesFromAddress: z.email(),
  sesConfigurationSet: z.optional(z.string().check(z.regex(/^[\w-]{1,64}$/))),
  /** Who the alarms e-mail. */
  alarmEmail: z.email(),
  /**
   * The generation of the license-signing key (README, "Rotate the signing key"). Raising it makes the
   * functions create and sign with a new key; earlier generations stay published until their documents expire.
   */
  signingKeyGeneration: z._default(z.int().check(z.minimum(1), z.maximum(MAX_SIGNING_KEY_GENERATION)), 1),
  throttling: z.optional(throttling),
});

const deploymentSettings = z.strictObject({
  eulaVersion: z.string().check(z.regex(/^\d{8}$/)),
  logRetentionDays: z.number().check(z.refine((days) => (RETENTION_DAYS as readonly number[]).includes(days), 'a CloudWatch Logs retention period')),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
  throttling,
  regions: z
    .record(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region name')), regionSettings)
    .check(z.refine((regions) => Object.keys(regions).length > 0, 'at least one region')),
});

export type RegionSettings = z.output<typeof regionSettings>;
export type DeploymentSettings = z.output<typeof deploymentSettings>;

/** One region's settings with the deployment-wide ones folded in. */
export interface CellSettings extends Omit<RegionSettings, 'throttling'> {
  region: string;
  eulaVersion: string;
  logRetentionDays: number;
  logLevel: DeploymentSettings['logLevel'];
  throttling: z.output<typeof throttling>;
}

export function parseDeploymentSettings(value: unknown): DeploymentSettings {
  const result = z.safeParse(deploymentSettings, value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${[CONTEXT_KEY, ...issue.path.map(String)].join('.')}: ${issue.message}`);
    throw new Error(`cdk.json context is not valid:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/** The settings of every region in the app's context, in the order cdk.json lists them. */
export function cellsFromContext(scope: Construct): CellSettings[] {
  const settings = parseDeploymentSettings(scope.node.tryGetContext(CONTEXT_KEY));
  // Without its certificates a cell would fall back to the development certificate: refuse to build it.
  const missing = Object.entries(settings.regions).flatMap(([region, cell]) =>
    cell.identityCertificates.filter((file) => !existsSync(join(PROJECT_ROOT, file))).map((file) => `${region}: ${file}`),
  );
  if (missing.length > 0) throw new Error(`cdk.json names identity certificates that do not exist:\n  ${missing.join('\n  ')}`);
  return Object.entries(settings.regions).map(([region, cell]) => ({
    ...cell,
    region,
    eulaVersion: settings.eulaVersion,
    logRetentionDays: settings.logRetentionDays,
    logLevel: settings.logLevel,
    throttling: cell.throttling ?? settings.throttling,
  }));
}

/** The context of cdk.json, for building the app outside the CDK CLI (tests, scripts). */
export function readCdkJsonContext(path = join(PROJECT_ROOT, 'cdk.json')): Record<string, unknown> {
  return (JSON.parse(readFileSync(path, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}
