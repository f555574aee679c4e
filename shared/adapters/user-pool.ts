import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { awsJsonService, AwsServiceError, type AwsJsonCall } from './aws-json';

/**
 * The identity port: the cell's user pool (Amazon Cognito in AWS, the local stand-in under
 * `npm start`). It creates and deletes sign-ins and verifies the pool's ID tokens; the role and
 * tenant of a user are never read from the token, only from the user record in the table.
 */
export interface UserPool {
  /**
   * Creates a sign-in for an e-mail address with a temporary password that must be changed at the
   * first sign-in. Resolves to the pool's `sub` of the user and the temporary password when the
   * caller is to hand it over (local), or null when the pool e-mailed the invitation (AWS).
   */
  createUser(email: string, name: string): Promise<{ sub: string; temporaryPassword: string | null } | 'exists'>;
  /** Deletes the sign-in (its refresh tokens with it). A user already gone is not an error. */
  deleteUser(sub: string): Promise<void>;
  /** The `sub` of a valid ID token of this pool's app client, or undefined for any other token. */
  verifyIdToken(token: string): Promise<string | undefined>;
}

export const USER_POOL_ENV = {
  poolId: 'USER_POOL_ID',
  clientId: 'USER_POOL_CLIENT_ID',
  /** Set for the local stand-in (its issuer is not Cognito's regional URL). */
  issuer: 'USER_POOL_ISSUER',
  /** `generate`: the service sets the temporary password and returns it (npm start); unset: Cognito e-mails the invitation. */
  temporaryPasswords: 'USER_POOL_TEMPORARY_PASSWORDS',
  endpoint: 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
} as const;

/** A temporary password that satisfies Cognito's default policy (upper, lower, digit, symbol, 8+). */
export function temporaryPassword(): string {
  return `Tmp-${randomBytes(9).toString('base64url')}-7a`;
}

export interface CognitoUserPoolOptions {
  userPoolId: string;
  clientId: string;
  issuer: string;
  generateTemporaryPasswords: boolean;
  client: AwsJsonCall;
  jwks?: JWTVerifyGetKey;
}

export function cognitoUserPool(options: CognitoUserPoolOptions): UserPool {
  const jwks = options.jwks ?? createRemoteJWKSet(new URL(`${options.issuer}/.well-known/jwks.json`));
  return {
    async createUser(email, name) {
      const password = options.generateTemporaryPasswords ? temporaryPassword() : undefined;
      try {
        const answer = await options.client('AdminCreateUser', {
          UserPoolId: options.userPoolId,
          Username: email,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: name },
          ],
          ...(password ? { TemporaryPassword: password, MessageAction: 'SUPPRESS' } : { DesiredDeliveryMediums: ['EMAIL'] }),
        });
        const user = answer.User as { Username: string; Attributes?: Array<{ Name: string; Value: string }> };
        const sub = user.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? user.Username;
        return { sub, temporaryPassword: password ?? null };
      } catch (error) {
        if (error instanceof AwsServiceError && error.type === 'UsernameExistsException') return 'exists';
        throw error;
      }
    },
    async deleteUser(sub) {
      try {
        await options.client('AdminDeleteUser', { UserPoolId: options.userPoolId, Username: sub });
      } catch (error) {
        if (error instanceof AwsServiceError && error.type === 'UserNotFoundException') return;
        throw error;
      }
    },
    async verifyIdToken(token) {
      try {
        const { payload } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.clientId,
          algorithms: ['RS256'],
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        return payload.token_use === 'id' && typeof payload.sub === 'string' ? payload.sub : undefined;
      } catch (error) {
        // A token that is not one of ours (bad signature, other issuer or client, expired,
        // malformed) is simply not valid; an unreachable JWKS is the service's failure.
        if (error instanceof joseErrors.JOSEError && !(error instanceof joseErrors.JWKSTimeout)) return undefined;
        throw error;
      }
    },
  };
}

/** The pool named by the environment (the stack sets it in AWS, local/stack.ts under npm start). */
export function userPoolFromEnv(env: NodeJS.ProcessEnv = process.env): UserPool | undefined {
  const userPoolId = env[USER_POOL_ENV.poolId];
  const clientId = env[USER_POOL_ENV.clientId];
  if (!userPoolId || !clientId) return undefined;
  const region = env.AWS_REGION ?? '';
  const local = Boolean(env[USER_POOL_ENV.endpoint]) && !env.AWS_ACCESS_KEY_ID;
  return cognitoUserPool({
    userPoolId,
    clientId,
    issuer: env[USER_POOL_ENV.issuer] || `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`,
    generateTemporaryPasswords: env[USER_POOL_ENV.temporaryPasswords] === 'generate',
    client: awsJsonService({
      service: 'cognito-idp',
      targetPrefix: 'AWSCognitoIdentityProviderService',
      endpointEnv: USER_POOL_ENV.endpoint,
      env,
      ...(local ? { credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }) } : {}),
    }),
  });
}

let pool: UserPool | undefined | null = null;

/** The module-scope pool; undefined when this cell has none configured (then no ID token is valid). */
export function userPool(): UserPool | undefined {
  if (pool === null) pool = userPoolFromEnv();
  return pool;
}

export function setUserPool(replacement: UserPool | undefined | null): void {
  pool = replacement;
}
