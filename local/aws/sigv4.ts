import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Callers } from './calls';

export interface SignedRequest {
  method: string;
  /** The path and query as they came over the wire. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Verification = { ok: true; caller: string; region: string } | { ok: false; type: string; message: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

function dateOf(amzDate: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate ?? '');
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

/**
 * Checks an AWS Signature Version 4 the way AWS does: the access key must be one the runtime gave a
 * function, the credential scope must name this service and region, and the signature recomputed
 * with @smithy/signature-v4 over the signed headers, path, query and body must match.
 */
export async function verifySignature(request: SignedRequest, callers: Callers, service: string, region: string): Promise<Verification> {
  const header = String(request.headers.authorization ?? '');
  const match = AUTHORIZATION.exec(header);
  if (!match) return { ok: false, type: 'MissingAuthenticationTokenException', message: 'Request is missing a valid Signature Version 4 Authorization header.' };
  const [, accessKeyId, , scopeRegion, scopeService, signedHeaders, signature] = match as unknown as string[];
  const caller = callers.find(accessKeyId!);
  if (!caller) return { ok: false, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (scopeService !== service || scopeRegion !== region) {
    return { ok: false, type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region (${region}) and service (${service}).` };
  }
  const signingDate = dateOf(request.headers['x-amz-date'] as string | undefined);
  if (!signingDate) return { ok: false, type: 'IncompleteSignatureException', message: 'X-Amz-Date is missing or malformed.' };

  const url = new URL(request.url, 'http://stand-in');
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] = existing === undefined ? value : [existing, value].flat();
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const [hostname, port] = String(request.headers.host ?? '').split(':');
  const signer = new SignatureV4({
    service,
    region,
    sha256: Sha256,
    applyChecksum: false,
    credentials: {
      accessKeyId: accessKeyId!,
      secretAccessKey: caller.secretAccessKey,
      ...(request.headers['x-amz-security-token'] ? { sessionToken: caller.sessionToken } : {}),
    },
  });
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: hostname!, port: port ? Number(port) : undefined, path: url.pathname, query, headers, body: request.body },
    { signingDate, signingRegion: region, signingService: service },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1];
  if (expected !== signature) {
    return {
      ok: false,
      type: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  if (request.headers['x-amz-security-token'] !== caller.sessionToken) {
    return { ok: false, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  return { ok: true, caller: caller.name, region };
}
