import { clock } from '../adapters/clock';
import { secrets } from '../adapters/secrets';
import { constantTimeEqual, sha256Hex } from '../crypto';
import { requestSignature } from '../request-signing';
import { recordAcceptedSignature } from '../store/request-signatures';
import { findPartnerIdByApiKeyHash } from '../store/partners';
import { getInstallation } from '../store/installations';
import { getUser } from '../store/users';
import { userPool } from '../adapters/user-pool';
import { deriveInstallationSecret } from '../domain/installation-secret';
import { forbidden, unauthorized } from './errors';
import type { Access } from './routes';
import type { ApiRequest, Caller } from './types';

export const MAX_CLOCK_SKEW_SECONDS = 300;
/**
 * How long an accepted signature is remembered past its timestamp: the 300-second window plus as
 * much again for clocks of different instances that disagree. DynamoDB's TTL removes it later still.
 */
const ACCEPTED_SIGNATURE_RETENTION_SECONDS = 2 * MAX_CLOCK_SKEW_SECONDS;

type Incoming = Omit<ApiRequest, 'caller' | 'body'>;

/** A compact JWS: three base64url parts. Ops tokens and partner keys never have this shape. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * A dashboard user (§11): a valid ID token of the cell's user pool whose user still has a record.
 * Role and tenant come from the record, so a deleted user's tokens stop working at once.
 */
async function userCaller(token: string): Promise<Caller> {
  const sub = await userPool()?.verifyIdToken(token);
  const user = sub ? await getUser(sub) : undefined;
  if (user?.role === 'ops') return { role: 'ops', userId: user.userId };
  if (user?.role === 'partner' && user.partnerId) return { role: 'partner', partnerId: user.partnerId, userId: user.userId };
  if ((user?.role === 'customer-admin' || user?.role === 'customer-user') && user.customerId) {
    return { role: user.role, customerId: user.customerId, partnerId: user.managingPartnerId, userId: user.userId };
  }
  throw unauthorized('unauthorized', 'The bearer token is not valid.');
}

async function bearerCaller(token: string): Promise<Caller> {
  if (JWT_SHAPE.test(token)) return userCaller(token);
  const tokenHash = sha256Hex(token);
  if (constantTimeEqual(tokenHash, await secrets().opsTokenSha256())) return { role: 'ops' };
  const partnerId = await findPartnerIdByApiKeyHash(tokenHash);
  if (partnerId) return { role: 'partner', partnerId };
  throw unauthorized('unauthorized', 'The bearer token is not valid.');
}

/**
 * Verifies a signed installation request: HMAC-SHA256 with the installation secret over
 * "<timestamp>\n<METHOD>\n<path>\n<hex SHA-256 of the raw body>", a timestamp within 300 s, and
 * a signature not accepted before (recorded in the table, so across every instance).
 */
async function installationCaller(request: Incoming): Promise<Caller> {
  const installationId = request.headers['x-installation-id'];
  const timestamp = request.headers['x-timestamp'];
  const signature = request.headers['x-signature'];
  if (!installationId || !timestamp || !signature) {
    throw unauthorized('unauthorized', 'Signed requests need X-Installation-Id, X-Timestamp and X-Signature.');
  }
  const installation = installationId.length <= 128 ? await getInstallation(installationId) : undefined;
  if (!installation || installation.status !== 'active') {
    throw unauthorized('unauthorized', 'The installation is not known.');
  }
  const secret = deriveInstallationSecret(await secrets().installationKey(), installation.installationId, installation.credentialVersion);
  const expected = requestSignature(secret, timestamp, request.method, request.path, request.rawBody);
  if (!constantTimeEqual(expected, signature)) throw unauthorized('invalid_signature', 'The request signature does not match.');
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isFinite(seconds) || Math.abs(clock.now().getTime() / 1000 - seconds) > MAX_CLOCK_SKEW_SECONDS) {
    throw unauthorized('stale_request', 'X-Timestamp is more than 300 seconds from the server clock.');
  }
  if ((await recordAcceptedSignature(installation.installationId, expected, seconds + ACCEPTED_SIGNATURE_RETENTION_SECONDS)) === 'replayed') {
    throw unauthorized('replayed_request', 'This signature was accepted once already; sign the request again with a new timestamp.');
  }
  return { role: 'installation', installationId: installation.installationId, installation };
}

function bearerToken(headers: Record<string, string>): string | undefined {
  const value = headers['authorization'];
  if (!value) return undefined;
  const match = /^Bearer\s+(\S{1,8192})\s*$/i.exec(value);
  if (!match) throw unauthorized('unauthorized', 'The Authorization header must be "Bearer <token>".');
  return match[1];
}

export async function authenticate(access: Access, request: Incoming): Promise<Caller> {
  if (access === 'none') return { role: 'anonymous' };
  const signed = request.headers['x-installation-id'] !== undefined || request.headers['x-signature'] !== undefined;
  if (access === 'activation') return signed ? installationCaller(request) : { role: 'anonymous' };

  const token = bearerToken(request.headers);
  const caller = token !== undefined ? await bearerCaller(token) : signed ? await installationCaller(request) : undefined;
  if (!caller) throw unauthorized('unauthorized', 'This route needs credentials.');
  if (caller.role === 'anonymous' || !access.includes(caller.role)) {
    throw forbidden('forbidden', 'These credentials are not for this route.');
  }
  return caller;
}
