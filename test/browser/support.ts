import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { dashboardAssets, DASHBOARD_DIST } from '../../local/dashboard-assets';
import { USER_POOL_ENV } from '../../shared/adapters/user-pool';
import { useApi, type Api } from '../support/api';
import { CHROMIUM, CHROMIUM_ARGS } from './support-chromium';

export { CHROMIUM, CHROMIUM_ARGS };
export const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** The API and the built dashboard on one origin (as `npm start` serves them), and a browser. */
export function useDashboard(): { api: Api; browser: () => Browser } {
  if (!existsSync(`${DASHBOARD_DIST}/index.html`)) throw new Error('The dashboard is not built: npm run build:dashboard (npm test does it first)');
  const api = useApi({
    assets: () => dashboardAssets({ userPool: { endpoint: process.env[USER_POOL_ENV.endpoint]!, clientId: process.env[USER_POOL_ENV.clientId]! } }),
  });
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return { api, browser: () => browser! };
}

/** A fresh tab; CSP is bypassed only so that the test can inject axe-core. */
export async function newPage(browser: Browser, api: Api): Promise<Page> {
  const context = await browser.newContext({ baseURL: api.url, bypassCSP: true, acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  return page;
}

/** Signs in through the page; with `newPassword` the first-sign-in challenge is answered too. */
export async function signInThroughPage(page: Page, email: string, password: string, newPassword?: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (newPassword) {
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Set password' }).click();
  }
  await expect.poll(() => page.getByRole('navigation').count(), { timeout: 15_000 }).toBe(1);
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core in the page: the violations of impact serious or critical (there must be none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run();
    return result.violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

/** The text of each row of a named table, cells joined by " | ". */
export async function tableRows(page: Page, name: string): Promise<string[]> {
  const table = page.getByRole('table', { name });
  await table.waitFor();
  return table.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('td'), (cell: { textContent: string | null }) => (cell.textContent ?? '').trim()).join(' | ')),
  );
}
