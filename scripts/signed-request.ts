/**
 * Sends a request signed as an installation (API.md §2), for trying the installation routes by hand:
 *
 *   npx tsx scripts/signed-request.ts <installationId> <installationSecret> <METHOD> <path> [body.json]
 *
 * BASE names the API (default http://127.0.0.1:$PORT, PORT defaulting to 3000 as for npm start).
 */
import { readFileSync } from 'node:fs';
import { hmacSha256, sha256Hex } from '../shared/crypto';

const [installationId, secret, method, path, bodyFile] = process.argv.slice(2);
if (!installationId || !secret || !method || !path) {
  console.error('usage: signed-request.ts <installationId> <installationSecret> <METHOD> <path> [body.json]');
  process.exit(2);
}
const base = process.env.BASE ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const body = bodyFile ? readFileSync(bodyFile === '-' ? 0 : bodyFile, 'utf8') : '';
const timestamp = Math.floor(Date.now() / 1000);
const signature = hmacSha256(secret, `${timestamp}\n${method.toUpperCase()}\n${path.split('?')[0]}\n${sha256Hex(body)}`).toString('hex');
const response = await fetch(`${base}${path}`, {
  method: method.toUpperCase(),
  headers: {
    'x-installation-id': installationId,
    'x-timestamp': String(timestamp),
    'x-signature': signature,
    ...(body ? { 'content-type': 'application/json' } : {}),
  },
  body: body || undefined,
});
console.log(response.status, await response.text());
