/**
 * Runs the process-kill scenario (test/support/process-kills.ts) many times and prints one JSON
 * line per run, then a summary per variant:
 *
 *   npm run kills -- [--runs 20] [--seed N] [--variant api|dynamodb|both]
 *
 * Seeds are N, N+1, … (N random unless given); each variant runs every seed. Exits 1 when a run
 * failed. Each run starts `npm start` twice on ports of its own and a DATA_DIR under the temp folder.
 */
import { parseArgs } from 'node:util';
import { KILL_VARIANTS, runKillScenario, type KillRunResult, type KillVariant } from '../test/support/process-kills';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    seed: { type: 'string' },
    variant: { type: 'string', default: 'both' },
  },
});
const runs = Number(values.runs);
const firstSeed = values.seed === undefined ? Math.floor(Math.random() * 1_000_000) : Number(values.seed);
const variants: readonly KillVariant[] = values.variant === 'both' ? KILL_VARIANTS : [values.variant as KillVariant];
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(firstSeed) || variants.some((variant) => !KILL_VARIANTS.includes(variant))) {
  console.error('usage: npm run kills -- [--runs N] [--seed N] [--variant api|dynamodb|both]');
  process.exit(2);
}

/** Median and maximum (null when no run has the figure). */
function spread(values: Array<number | null>) {
  const sorted = values.filter((value): value is number => value !== null).sort((a, b) => a - b);
  return sorted.length === 0 ? null : { p50: sorted[Math.ceil(sorted.length / 2) - 1]!, max: sorted.at(-1)! };
}

const total = (results: KillRunResult[], figure: (result: KillRunResult) => number) => results.reduce((sum, result) => sum + figure(result), 0);

function summary(variant: KillVariant, results: KillRunResult[], errored: number[]) {
  return {
    summary: variant,
    runs: results.length + errored.length,
    seeds: `${firstSeed}..${firstSeed + runs - 1}`,
    passed: results.filter((result) => result.pass).length,
    failedSeeds: results.filter((result) => !result.pass).map((result) => result.seed),
    /** Seeds whose scenario could not run to the end (npm start not healthy, setup refused). */
    erroredSeeds: errored,
    requests: total(results, (result) => result.requests),
    unanswered: total(results, (result) => result.unanswered),
    unansweredPerRun: spread(results.map((result) => result.unanswered)),
    sentAfterKill: total(results, (result) => result.sentAfterKill),
    fiveXx: total(results, (result) => result.fiveXx),
    retried: total(results, (result) => result.retried),
    lostByDynamoDbLocal: total(results, (result) => result.lostByDynamoDbLocal),
    convergedOnEarlier: total(results, (result) => result.convergedOnEarlier),
    freshAfterEarlier: total(results, (result) => result.freshAfterEarlier),
    excessBeforeRetries: spread(results.map((result) => result.excessBeforeRetries)),
    restartMs: spread(results.map((result) => result.restartMs)),
    retriesMs: spread(results.map((result) => result.retriesMs)),
    /** Runs where ops read the license views before any retry: from the kill until those showed exactly the devices held. */
    opsLookedFirst: results.filter((result) => result.exactWithoutRetriesMs !== undefined).length,
    exactWithoutRetriesMs: spread(results.map((result) => result.exactWithoutRetriesMs ?? null)),
    convergenceMs: spread(results.map((result) => result.convergenceMs)),
    sinceKillMs: spread(results.map((result) => result.sinceKillMs)),
  };
}

const results = new Map<KillVariant, KillRunResult[]>(variants.map((variant) => [variant, []]));
const errors = new Map<KillVariant, number[]>(variants.map((variant) => [variant, []]));
for (let i = 0; i < runs; i++) {
  for (const variant of variants) {
    const seed = firstSeed + i;
    try {
      const result = await runKillScenario({ seed, variant });
      results.get(variant)!.push(result);
      console.log(JSON.stringify(result));
    } catch (error) {
      // The scenario itself could not run (npm start did not come up, setup refused): a failed run.
      errors.get(variant)!.push(seed);
      console.log(JSON.stringify({ seed, variant, pass: false, error: (error as Error).message.slice(0, 2000) }));
      process.exitCode = 1;
    }
  }
}
for (const [variant, list] of results) {
  console.log(JSON.stringify(summary(variant, list, errors.get(variant)!)));
  if (list.some((result) => !result.pass)) process.exitCode = 1;
}
