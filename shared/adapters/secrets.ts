import { sha256Hex } from '../crypto';
import { awsSecretsConfigured, awsSecretsFromEnv } from './aws-secrets';

/**
 * Where the service's own secrets come from: the ops token (kept only as its SHA-256) and the key
 * from which installation secrets are derived. Locally both come from the environment; in AWS the
 * stack points the functions at Secrets Manager secrets (see aws-secrets.ts).
 */
export interface SecretsProvider {
  opsTokenSha256(): Promise<string>;
  installationKey(): Promise<Buffer>;
}

export const envSecrets = (env: NodeJS.ProcessEnv = process.env): SecretsProvider => ({
  async opsTokenSha256() {
    if (env.OPS_TOKEN_SHA256) return env.OPS_TOKEN_SHA256.toLowerCase();
    if (env.OPS_TOKEN) return sha256Hex(env.OPS_TOKEN);
    throw new Error('OPS_TOKEN or OPS_TOKEN_SHA256 is not set');
  },
  async installationKey() {
    if (!env.INSTALLATION_KEY) throw new Error('INSTALLATION_KEY is not set');
    return Buffer.from(env.INSTALLATION_KEY, 'base64');
  },
});

let provider: SecretsProvider | undefined;

export function secrets(): SecretsProvider {
  provider ??= awsSecretsConfigured() ? awsSecretsFromEnv() : envSecrets();
  return provider;
}

export function setSecretsProvider(replacement: SecretsProvider | undefined): void {
  provider = replacement;
}
