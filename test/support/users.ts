import { expect } from 'vitest';
import { USER_POOL_ENV } from '../../shared/adapters/user-pool';
import type { Api } from './api';

/** One call of the user pool's JSON API, as the dashboard makes it (no AWS credentials: these are public operations). */
export async function userPoolCall(operation: string, input: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const response = await fetch(process.env[USER_POOL_ENV.endpoint]!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: await response.json() };
}

/** Signs in with the temporary password, sets a new one, and returns the ID token. */
export async function firstSignIn(email: string, temporaryPassword: string, newPassword = 'Changed-Passw0rd!'): Promise<string> {
  const clientId = process.env[USER_POOL_ENV.clientId]!;
  const challenge = await userPoolCall('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: clientId,
    AuthParameters: { USERNAME: email, PASSWORD: temporaryPassword },
  });
  expect(challenge.body.ChallengeName, JSON.stringify(challenge.body)).toBe('NEW_PASSWORD_REQUIRED');
  const answer = await userPoolCall('RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    ClientId: clientId,
    Session: challenge.body.Session,
    ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.AuthenticationResult.IdToken as string;
}

let userCounter = 0;

/** A unique e-mail address for this test run (the user pool is shared by every test file). */
export const uniqueEmail = (label: string) => `${label}-${process.pid}-${Date.now().toString(36)}-${userCounter++}@example.com`;

/** Creates a user through the API (ops token unless another is given) and signs it in: its ID token. */
export async function signedInUser(api: Api, body: Record<string, unknown>, token?: string): Promise<{ user: any; idToken: string }> {
  const email = uniqueEmail(String(body.role));
  const response = token
    ? await api.request('POST', '/v1/partner/users', { token, body: { email, name: 'Dashboard User', ...body } })
    : await api.ops('POST', '/v1/users', { email, name: 'Dashboard User', ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { user: response.body, idToken: await firstSignIn(email, response.body.temporaryPassword) };
}
