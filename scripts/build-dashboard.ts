import { build } from 'vite';
import { fileURLToPath } from 'node:url';

/** Builds the Customer Dashboard into dashboard/dist (offline: everything comes from node_modules). */
export async function buildDashboard(): Promise<void> {
  await build({ configFile: fileURLToPath(new URL('../dashboard/vite.config.ts', import.meta.url)), logLevel: 'warn' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  await buildDashboard();
  console.log(`Customer Dashboard built into dashboard/dist in ${Math.round(performance.now() - started)} ms`);
}
