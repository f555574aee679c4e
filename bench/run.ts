import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { activationBench } from './activation';
import { coldStartBench } from './cold-start';
import { eventsBench } from './events';
import { activationCostBench } from './activation-cost';
import { startBenchStack } from './support';
import { throughputBench } from './throughput';
import { dashboardBench, dashboardBundle } from './dashboard';

const quick = process.argv.includes('--quick');
const RESULTS_FILE = '.bench/results.json';
/** `--only activation,cost,events,throughput,cold-start,dashboard` runs some sections; all by default. */
const onlyAt = process.argv.indexOf('--only');
const sections = new Set(onlyAt >= 0 ? process.argv[onlyAt + 1]!.split(',') : ['activation', 'cost', 'events', 'throughput', 'cold-start', 'dashboard']);
const loadAtStart = loadavg().map((value) => Number(value.toFixed(2)));

const results: Record<string, unknown> = { machine: { node: process.version, cpus: cpus().length, loadAverageAtStart: loadAtStart } };
// The in-process sections each get a local stack of their own, in a process of their own when there
// are several: the service's adapters (the store's client, the secrets) are made once per process
// from the environment its stack sets, and a section should not pay for the last one's stream backlog.
const inProcess = ['activation', 'events', 'cost'].filter((section) => sections.has(section));
if (inProcess.length > 1) {
  for (const section of inProcess) {
    execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--only', section, ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
    const { machine: _machine, ...sectionResults } = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
    Object.assign(results, sectionResults);
  }
} else if (inProcess.length === 1) {
  const stack = await startBenchStack();
  try {
    if (sections.has('activation')) {
      results.activation = await activationBench(stack, quick ? { oneDevice: 20, thousandDevices: 3, tenThousandDevices: 1 } : { oneDevice: 200, thousandDevices: 20, tenThousandDevices: 5 });
    }
    // Delay from an activation's commit to its webhook delivery (stream → bus → webhook), bench/events.ts.
    if (sections.has('events')) results.events = await eventsBench(stack, quick ? 20 : 100);
    // Each path against its raw floor, and write units of a one-device activation by the size of the SLC it lands in.
    if (sections.has('cost')) results.activationCost = await activationCostBench(stack, { samples: quick ? 10 : 50, slcSizes: [10, 10_000, 250_000] });
  } finally {
    await stack.stop();
  }
}
if (sections.has('throughput')) results.throughput = await throughputBench({ quick });
if (sections.has('cold-start')) {
  // Init (module load) plus first request of every bundle in a fresh worker of the bundle runtime, next to a bare
  // DynamoDB-client bundle's; the target is a ratio of at most 1.3 (bench/cold-start.ts).
  results.coldStart = await coldStartBench({ runs: quick ? 3 : 7 });
}
if (sections.has('dashboard')) {
  // Time to first render of the Licenses page with 1,000 licenses, then the dashboard's bundle size.
  results.dashboard = { ...(await dashboardBench({ licenses: 1000, runs: quick ? 1 : 5 })), bundle: dashboardBundle() };
}
(results.machine as Record<string, unknown>).loadAverageAtEnd = loadavg().map((value) => Number(value.toFixed(2)));

console.log(JSON.stringify(results, null, 2));
mkdirSync('.bench', { recursive: true });
writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 2));
