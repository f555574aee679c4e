import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { activationBench } from './activation';
import { coldStartBench } from './cold-start';
import { startBenchStack } from './support';
import { throughputBench } from './throughput';

const quick = process.argv.includes('--quick');
/** `--only activation,throughput,cold-start` runs some sections; all by default. */
const onlyAt = process.argv.indexOf('--only');
const sections = new Set(onlyAt >= 0 ? process.argv[onlyAt + 1]!.split(',') : ['activation', 'throughput', 'cold-start']);
const loadAtStart = loadavg().map((value) => Number(value.toFixed(2)));

const results: Record<string, unknown> = { machine: { node: process.version, cpus: cpus().length, loadAverageAtStart: loadAtStart } };
if (sections.has('activation')) {
  const stack = await startBenchStack();
  try {
    results.activation = await activationBench(stack, quick ? { oneDevice: 20, thousandDevices: 3, tenThousandDevices: 1 } : { oneDevice: 200, thousandDevices: 20, tenThousandDevices: 5 });
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
(results.machine as Record<string, unknown>).loadAverageAtEnd = loadavg().map((value) => Number(value.toFixed(2)));

console.log(JSON.stringify(results, null, 2));
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
