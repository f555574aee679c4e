import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { DASHBOARD_DIST } from '../local/dashboard-assets';
import { buildDashboard } from '../scripts/build-dashboard';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/browser/support-chromium';
import { call, round, startBenchStack } from './support';

const kib = (bytes: number) => round(bytes / 1024);

/** The built dashboard's files: bytes and gzip bytes of the JavaScript and CSS the first page loads. */
export function dashboardBundle(): { files: Array<{ file: string; kib: number; gzipKib: number }>; totalKib: number; totalGzipKib: number } {
  const dir = join(DASHBOARD_DIST, 'assets');
  const files = readdirSync(dir)
    .filter((file) => /\.(js|css)$/.test(file))
    .map((file) => {
      const content = readFileSync(join(dir, file));
      return { file, bytes: content.length, gzip: gzipSync(content, { level: 9 }).length };
    });
  return {
    files: files.map(({ file, bytes, gzip }) => ({ file, kib: kib(bytes), gzipKib: kib(gzip) })),
    totalKib: kib(files.reduce((sum, f) => sum + f.bytes, 0)),
    totalGzipKib: kib(files.reduce((sum, f) => sum + f.gzip, 0)),
  };
}

async function userPoolCall(endpoint: string, operation: string, input: Record<string, unknown>) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
    body: JSON.stringify(input),
  });
  return (await response.json()) as Record<string, any>;
}

/**
 * Time to first render of the Licenses page with `licenses` licenses, signed in as ops: from the
 * navigation to the first rows on screen, and to every row on screen. The floor is the API's own
 * part, the same pages of GET /v1/licenses fetched from Node in the same run.
 */
export async function dashboardBench(options: { licenses: number; runs: number }) {
  await buildDashboard();
  const stack = await startBenchStack();
  try {
    const customer = await call(stack, 'POST', '/v1/customers', { name: 'Bench Customer', country: 'DK', contacts: [{ name: 'Bench', email: 'bench@example.com' }] }, stack.opsToken);
    await call(stack, 'PUT', '/v1/catalog/versions/2025%20R1', { generalAvailability: '2025-02-12' }, stack.opsToken);
    const validUntil = new Date(Date.now() + 200 * 24 * 3600 * 1000).toISOString();
    for (let created = 0; created < options.licenses; created += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, options.licenses - created) }, () =>
          call(stack, 'POST', '/v1/licenses', { customerId: customer.body.customerId, product: 'corporate', version: '2025 R1', deviceLicenses: 50, carePlus: { validUntil } }, stack.opsToken),
        ),
      );
    }
    const email = `bench-${Date.now()}@example.com`;
    const user = await call(stack, 'POST', '/v1/users', { email, name: 'Bench Ops', role: 'ops' }, stack.opsToken);
    const { userPool } = stack;
    const challenge = await userPoolCall(userPool.endpoint, 'InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: userPool.clientId, AuthParameters: { USERNAME: email, PASSWORD: user.body.temporaryPassword } });
    const signedIn = await userPoolCall(userPool.endpoint, 'RespondToAuthChallenge', {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      ClientId: userPool.clientId,
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: email, NEW_PASSWORD: 'Bench-Passw0rd!' },
    });
    const idToken = signedIn.AuthenticationResult.IdToken as string;

    const floor: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const started = performance.now();
      let cursor: string | null = null;
      let count = 0;
      do {
        const page = await call(stack, 'GET', `/v1/licenses?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, idToken);
        count += page.body.items.length;
        cursor = page.body.nextCursor;
      } while (cursor);
      if (count !== options.licenses) throw new Error(`listed ${count} licenses, expected ${options.licenses}`);
      floor.push(performance.now() - started);
    }

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const firstRows: number[] = [];
    const allRows: number[] = [];
    try {
      for (let run = 0; run < options.runs; run++) {
        const context = await browser.newContext({ baseURL: stack.apiUrl });
        await context.addInitScript((token) => sessionStorage.setItem('cloud-licensing.idToken', token), idToken);
        const page = await context.newPage();
        const started = performance.now();
        await page.goto('/#/licenses');
        await page.waitForSelector('table tbody tr a', { timeout: 60_000 });
        firstRows.push(performance.now() - started);
        await page.waitForFunction((expected) => (globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } } }).document.querySelectorAll('table tbody tr').length === expected, options.licenses, { timeout: 120_000, polling: 50 });
        allRows.push(performance.now() - started);
        await context.close();
      }
    } finally {
      await browser.close();
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    return {
      licenses: options.licenses,
      runs: options.runs,
      apiFloorMs: round(median(floor)),
      firstRowsMs: round(median(firstRows)),
      allRowsMs: round(median(allRows)),
      allRowsOverFloor: round(median(allRows) / median(floor), 2),
    };
  } finally {
    await stack.stop();
  }
}
