/**
 * Sends a request signed as an installation (API.md §2), for trying the installation routes by hand:
 *
 *   npx tsx scripts/signed-request.ts <installationId> <installationSecret> <METHOD> <path> [body.json]
 *
 * BASE names the API (default http://127.0.0.1:$PORT, PORT defaulting to 3000 as for npm start). Every run signs afresh with the current time;
 * the service accepts a signature once, so when the same request was sent within the same second
 * (401 replayed_request) it is signed again one second later and sent once more.
 */
import { readFileSync } from 'node:fs';
import { createRequestSigner } from '../shared/request-signing';

const [installationId, installationSecret, method, path, bodyFile] = process.argv.slice(2);
if (!installationId || !installationSecret || !method || !path) {
  console.error('usage: signed-request.ts <installationId> <installationSecret> <METHOD> <path> [body.json]');
  process.exit(2);
}
const base = process.env.BASE ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const body = bodyFile ? readFileSync(bodyFile === '-' ? 0 : bodyFile, 'utf8') : '';
const sign = createRequestSigner();

for (let attempt = 1; ; attempt++) {
  const response = await fetch(`${base}${path}`, {
    method: method.toUpperCase(),
    headers: { ...sign({ installationId, installationSecret }, method, path, body), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body || undefined,
  });
  const text = await response.text();
  if (response.status === 401 && attempt < 3 && text.includes('"replayed_request"')) continue;
  console.log(response.status, text);
  break;
}
