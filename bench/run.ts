import { mkdirSync, writeFileSync } from 'node:fs';
import { activationBench } from './activation';
import { startBenchStack } from './support';

const quick = process.argv.includes('--quick');
const stack = await startBenchStack();
try {
  const results = {
    machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
    activation: await activationBench(stack, quick ? { oneDevice: 20, thousandDevices: 3 } : { oneDevice: 200, thousandDevices: 20 }),
  };
  console.log(JSON.stringify(results, null, 2));
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
} finally {
  await stack.stop();
}
