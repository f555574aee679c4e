import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { activationBench } from './activation';
import { coldStartBench } from './cold-start';
import { eventsBench } from './events';
import { activationCostBench } from './activation-cost';
import { startBenchStack } from './support';
import { throughputBench } from './throughput';
import { dashboardBench, dashboardBundle } from './dashboard';

const quick = process.argv.includes('--quick');
/** `--only activation,cost,events,throughput,cold-start,dashboard` runs some sections; all by default. */
const onlyAt = process.argv.indexOf('--only');
const sections = new Set(onlyAt >= 0 ? process.argv[onlyAt + 1]!.split(',') : ['activation', 'cost', 'events', 'throughput', 'cold-start', 'dashboard']);
const loadAtStart = loadavg().map((value) => Number(value.toFixed(2)));

const results: Record<string, unknown> = { machine: { node: process.version, cpus: cpus().length, loadAverageAtStart: loadAtStart } };
// The in-process sections share one local stack: the service's adapters (the store's client among
// them) are made once per process from the environment the first stack sets.
const inProcess = ['activation', 'events', 'cost'].some((section) => sections.has(section)) ? await startBenchStack() : undefined;
try {
  if (inProcess && sections.has('activation')) {
    results.activation = await activationBench(inProcess, quick ? { oneDevice: 20, thousandDevices: 3, tenThousandDevices: 1 } : { oneDevice: 200, thousandDevices: 20, tenThousandDevices: 5 });
  }
  // Delay from an activation's commit to its webhook delivery (stream → bus → webhook), bench/events.ts.
  if (inProcess && sections.has('events')) results.events = await eventsBench(inProcess, quick ? 20 : 100);
  // Each path against its raw floor, and write units of a one-device activation by the size of the SLC it lands in.
  if (inProcess && sections.has('cost')) results.activationCost = await activationCostBench(inProcess, { samples: quick ? 10 : 50, slcSizes: [10, 10_000, 250_000] });
} finally {
  await inProcess?.stop();
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
writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
