import { CompactEncrypt, importJWK } from 'jose';
import { clock } from '../adapters/clock';
import { secrets } from '../adapters/secrets';
import { constantTimeEqual, hmacSha256, sha256Hex } from '../crypto';
import { deriveInstallationSecret } from '../domain/installation-secret';
import { isSlc } from '../domain/slc';
import { forbidden, notFound, unauthorized } from '../http/errors';
import type { Caller } from '../http/types';
import { parseWith, validationFailed } from '../http/validation';
import { activationRequestSchema, type ActivationConfiguration } from '../schemas/activation';
import { LICENSE_FILE_FORMAT, type ActivationRequestFile } from '../schemas/offline';
import { getInstallation } from '../store/installations';
import { getLicense } from '../store/licenses';
import { getOfflineActivation, putOfflineActivation } from '../store/offline-activations';
import type { LicenseRecord } from '../store/records';
import { activate, type ActivationTarget } from './activate';
import { deploymentOf } from './deployment';
import { callerMaySee } from './visibility';

/** A signed request file may be this old by its timestamp (§10)… */
export const MAX_FILE_AGE_SECONDS = 30 * 24 * 3600;
/** …and this far in the future. */
export const MAX_FILE_FUTURE_SECONDS = 300;

export interface OfflineActivationCommand {
  file: ActivationRequestFile;
  caller: Caller;
  actor: string;
  sourceIp: string;
}

export interface OfflineActivationResult {
  status: 200 | 201;
  licenseFile: Record<string, unknown>;
}

interface ParsedFile {
  target: ActivationTarget;
  configuration: ActivationConfiguration;
  aws: { instanceIdentityDocument: string; signature: string } | undefined;
}

/** The §5.1 request inside the file, and whether the file is signed as a re-activation must be. */
function parseFile(file: ActivationRequestFile): ParsedFile {
  let inner: unknown;
  try {
    inner = JSON.parse(file.body);
  } catch {
    throw validationFailed([{ path: 'body', message: 'must be the JSON text of an activation request' }]);
  }
  const { slc, installationId, aws, ...configuration } = parseWith(activationRequestSchema, inner, 'body');
  if ((slc === undefined) === (installationId === undefined)) {
    throw validationFailed([{ path: 'body', message: 'exactly one of slc and installationId is required' }]);
  }
  if (installationId !== undefined) {
    const missing = (['installationId', 'timestamp', 'signature'] as const).filter((field) => file[field] === undefined);
    if (missing.length > 0) throw validationFailed(missing.map((path) => ({ path, message: 'required for a re-activation' })));
    if (file.installationId !== installationId) throw validationFailed([{ path: 'installationId', message: 'must be the installationId of body' }]);
    return { target: { kind: 'reactivation', installationId }, configuration, aws };
  }
  const extra = (['installationId', 'timestamp', 'signature'] as const).filter((field) => file[field] !== undefined);
  if (extra.length > 0) throw validationFailed(extra.map((path) => ({ path, message: 'only a re-activation is signed' })));
  return { target: { kind: 'first', slc: slc! }, configuration, aws };
}

const licenseNotFound = () => notFound('license_not_found', 'No license has this SLC.');
const installationNotFound = () => notFound('installation_not_found', 'No such installation.');

/** The license the file activates, if the caller may upload for it: 404 for others' licenses, 403 for a customer-user. */
async function licenseFor(caller: Caller, target: ActivationTarget): Promise<LicenseRecord> {
  let license: LicenseRecord | undefined;
  let missing = licenseNotFound;
  if (target.kind === 'reactivation') {
    missing = installationNotFound;
    const installation = await getInstallation(target.installationId);
    license = installation?.status === 'active' ? await getLicense(installation.slc) : undefined;
  } else {
    license = isSlc(target.slc) ? await getLicense(target.slc) : undefined;
  }
  if (!license || !callerMaySee(caller, license)) throw missing();
  if (caller.role === 'customer-user') throw forbidden('forbidden', 'Only a customer-admin uploads offline activations.');
  return license;
}

/** The file's HMAC with the installation secret, over the text a signed POST /v1/activations would carry (§2). */
async function verifyFileSignature(file: ActivationRequestFile, installationId: string): Promise<void> {
  const installation = await getInstallation(installationId);
  if (!installation) throw installationNotFound();
  const secret = deriveInstallationSecret(await secrets().installationKey(), installation.installationId, installation.credentialVersion);
  const expected = hmacSha256(secret, `${file.timestamp}\nPOST\n/v1/activations\n${sha256Hex(file.body)}`).toString('hex');
  if (!constantTimeEqual(expected, file.signature!)) throw unauthorized('invalid_signature', 'The request file signature does not match.');
  const age = clock.now().getTime() / 1000 - file.timestamp!;
  if (age > MAX_FILE_AGE_SECONDS || -age > MAX_FILE_FUTURE_SECONDS) {
    throw unauthorized('stale_request', 'The request file is more than 30 days old, or dated in the future.');
  }
}

/** The same file, whatever order its key's members were written in, has one fingerprint. */
function fingerprintOf(file: ActivationRequestFile): string {
  const key = Object.fromEntries(Object.entries(file.encryptionKey).sort(([a], [b]) => a.localeCompare(b)));
  return sha256Hex(JSON.stringify([file.format, file.body, key, file.installationId ?? null, file.timestamp ?? null, file.signature ?? null]));
}

/**
 * §10: runs the activation a request file carries, exactly as POST /v1/activations would (the
 * uploader's IP as its source, `offline: true` on its event), and answers with the license file.
 * The installation secret of a first activation leaves only as a compact JWE (ECDH-ES, A256GCM)
 * to the file's key. The same file again gets the first answer back without activating again.
 */
export async function activateOffline(command: OfflineActivationCommand): Promise<OfflineActivationResult> {
  const { file } = command;
  const parsed = parseFile(file);
  const license = await licenseFor(command.caller, parsed.target);
  if (parsed.target.kind === 'reactivation') await verifyFileSignature(file, parsed.target.installationId);
  let recipientKey: Awaited<ReturnType<typeof importJWK>>;
  try {
    recipientKey = await importJWK(file.encryptionKey, 'ECDH-ES');
  } catch {
    throw validationFailed([{ path: 'encryptionKey', message: 'is not a valid public key' }]);
  }

  const fileSha256 = fingerprintOf(file);
  const earlier = await getOfflineActivation(fileSha256);
  if (earlier) return { status: earlier.status, licenseFile: earlier.licenseFile };

  const result = await activate({
    target: parsed.target,
    configuration: parsed.configuration,
    deployment: parsed.aws ? deploymentOf('aws-byol', parsed.aws) : undefined,
    actor: command.actor,
    sourceIp: command.sourceIp,
    offline: true,
  });
  const { installationSecret, ...activation } = result.body;
  const installationSecretJwe =
    installationSecret === undefined
      ? undefined
      : await new CompactEncrypt(new TextEncoder().encode(installationSecret)).setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM' }).encrypt(recipientKey);
  const licenseFile = {
    format: LICENSE_FILE_FORMAT,
    installationId: activation.installationId,
    ...(installationSecretJwe ? { installationSecretJwe } : {}),
    activation,
  };
  const stored = await putOfflineActivation({
    fileSha256,
    slc: license.slc,
    status: result.created ? 201 : 200,
    licenseFile,
    createdAt: clock.now().toISOString(),
  });
  return { status: stored.status, licenseFile: stored.licenseFile };
}
