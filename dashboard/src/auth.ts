import { dashboardConfig } from './config';

/**
 * Sign-in against the cell's user pool (Amazon Cognito's JSON API; the local stand-in speaks the
 * same): USER_PASSWORD_AUTH, and the NEW_PASSWORD_REQUIRED challenge of a first sign-in. The ID
 * token is kept in this tab's session storage only and sent as a bearer token; no cookies.
 */
export type SignInResult = { kind: 'signed-in'; idToken: string } | { kind: 'new-password-required'; session: string; email: string };

export class SignInError extends Error {}

async function userPool(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { userPool: pool } = await dashboardConfig();
  const response = await fetch(pool.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
    body: JSON.stringify({ ...input, ClientId: pool.clientId }),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const type = String(body.__type ?? '');
    if (/NotAuthorized|UserNotFound|InvalidPassword|PasswordResetRequired/.test(type)) {
      throw new SignInError(type.includes('InvalidPassword') && operation === 'RespondToAuthChallenge'
        ? 'The new password does not meet the password policy.'
        : 'The email or password is not correct.');
    }
    throw new SignInError('Sign-in is not available right now. Try again shortly.');
  }
  return body;
}

const idTokenOf = (body: Record<string, unknown>): string => {
  const result = body.AuthenticationResult as { IdToken?: string } | undefined;
  if (!result?.IdToken) throw new SignInError('Sign-in did not complete.');
  return result.IdToken;
};

export async function signIn(email: string, password: string): Promise<SignInResult> {
  const body = await userPool('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } });
  if (body.ChallengeName === 'NEW_PASSWORD_REQUIRED') return { kind: 'new-password-required', session: String(body.Session), email };
  if (body.ChallengeName) throw new SignInError('This account needs a sign-in step the dashboard does not offer.');
  return { kind: 'signed-in', idToken: idTokenOf(body) };
}

export async function setNewPassword(email: string, session: string, newPassword: string): Promise<string> {
  const body = await userPool('RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: session,
    ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword },
  });
  return idTokenOf(body);
}

const TOKEN_KEY = 'cloud-licensing.idToken';

export const storedToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token: string | null): void => {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
};
