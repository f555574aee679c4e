import { awsJsonService, type AwsJsonCall } from './aws-json';
import { logger } from './observability';
import type { SecretsProvider } from './secrets';

/** Environment variables that point the functions at their secrets in Secrets Manager. */
export const OPS_TOKEN_SECRET_ENV = 'OPS_TOKEN_SHA256_SECRET_ID';
export const INSTALLATION_KEY_SECRET_ENV = 'INSTALLATION_KEY_SECRET_ID';

/**
 * How long a fetched secret is trusted before it is read again. After the ops token's hash is
 * replaced, every warm function uses the new one within this time (README, "Rotate the ops token").
 */
export const SECRET_CACHE_TTL_MS = 5 * 60_000;

/** Never equal to a hex SHA-256, so a secret that holds no hash lets no ops token in. */
const NO_OPS_TOKEN = 'ops-token-not-configured';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const MIN_INSTALLATION_KEY_BYTES = 32;

export interface AwsSecretsOptions {
  opsTokenSecretId: string | undefined;
  installationKeySecretId: string | undefined;
  /** Secrets Manager's JSON API (GetSecretValue); tests pass a fake. */
  client?: AwsJsonCall;
  ttlMs?: number;
  now?: () => number;
}

/** True when the environment names the secrets in Secrets Manager. */
export function awsSecretsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env[OPS_TOKEN_SECRET_ENV] || env[INSTALLATION_KEY_SECRET_ENV]);
}

/**
 * Secrets read from Secrets Manager on first use (never at import), cached in module scope for
 * SECRET_CACHE_TTL_MS. The ops-token secret holds the lowercase hex SHA-256 of the ops token; the
 * installation-key secret holds at least 32 bytes, base64-encoded (a generated alphanumeric string
 * of 64 characters is valid base64 and decodes to 48 bytes).
 */
export function awsSecrets(options: AwsSecretsOptions): SecretsProvider {
  const ttlMs = options.ttlMs ?? SECRET_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  let client = options.client;
  const cache = new Map<string, { value: string; fetchedAt: number } | { pending: Promise<string> }>();

  const read = async (secretId: string | undefined, variable: string): Promise<string> => {
    if (!secretId) throw new Error(`${variable} is not set`);
    const cached = cache.get(secretId);
    if (cached && 'pending' in cached) return cached.pending;
    if (cached && now() - cached.fetchedAt < ttlMs) return cached.value;
    const pending = (async () => {
      client ??= awsJsonService({ service: 'secretsmanager', targetPrefix: 'secretsmanager', endpointEnv: 'AWS_ENDPOINT_URL_SECRETS_MANAGER' });
      const { SecretString } = await client('GetSecretValue', { SecretId: secretId });
      if (typeof SecretString !== 'string') throw new Error(`The secret named by ${variable} has no string value`);
      return SecretString.trim();
    })();
    cache.set(secretId, { pending });
    try {
      const value = await pending;
      cache.set(secretId, { value, fetchedAt: now() });
      return value;
    } catch (error) {
      // A failed read is not cached: the next request tries again (a stale value, if any, is dropped).
      cache.delete(secretId);
      throw error;
    }
  };

  return {
    async opsTokenSha256() {
      const value = await read(options.opsTokenSecretId, OPS_TOKEN_SECRET_ENV);
      if (HEX_SHA256.test(value)) return value.toLowerCase();
      logger.warn('The ops token secret does not hold a SHA-256; ops tokens are refused until it does');
      return NO_OPS_TOKEN;
    },
    async installationKey() {
      const value = await read(options.installationKeySecretId, INSTALLATION_KEY_SECRET_ENV);
      const key = Buffer.from(value, 'base64');
      if (key.length < MIN_INSTALLATION_KEY_BYTES) {
        throw new Error(`The installation key secret must hold at least ${MIN_INSTALLATION_KEY_BYTES} bytes, base64-encoded`);
      }
      return key;
    },
  };
}

export const awsSecretsFromEnv = (env: NodeJS.ProcessEnv = process.env): SecretsProvider =>
  awsSecrets({ opsTokenSecretId: env[OPS_TOKEN_SECRET_ENV], installationKeySecretId: env[INSTALLATION_KEY_SECRET_ENV] });
