import * as z from 'zod/mini';
import { identifier, integer } from './common';

export const ACTIVATION_REQUEST_FORMAT = 'cloud-licensing.activation-request.v1';
export const LICENSE_FILE_FORMAT = 'cloud-licensing.license-file.v1';

/** A public key the installation secret is sealed to: X25519 or P-256, never a private key (`d` is refused). */
export const encryptionKey = z.union([
  z.strictObject({
    kty: z.literal('OKP'),
    crv: z.literal('X25519'),
    x: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
    kid: z.optional(z.string().check(z.maxLength(200))),
    use: z.optional(z.literal('enc')),
    alg: z.optional(z.literal('ECDH-ES')),
  }),
  z.strictObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
    y: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
    kid: z.optional(z.string().check(z.maxLength(200))),
    use: z.optional(z.literal('enc')),
    alg: z.optional(z.literal('ECDH-ES')),
  }),
]);

/** The activation request file (§10). */
export const activationRequestFile = z.strictObject({
  format: z.literal(ACTIVATION_REQUEST_FORMAT),
  createdAt: z.string().check(z.maxLength(200)),
  body: z.string().check(z.minLength(2), z.maxLength(6 * 1024 * 1024)),
  encryptionKey,
  installationId: z.optional(identifier),
  timestamp: z.optional(integer(0, 1e12)),
  signature: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be lowercase hex HMAC-SHA256'))),
});

export type ActivationRequestFile = z.output<typeof activationRequestFile>;
