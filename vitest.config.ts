import { defineConfig } from 'vitest/config';

/**
 * Files that put the machine under load or hold real-time deadlines (the simulated Lambda timeout,
 * leases, process restarts): they run one at a time after every other file, with nothing beside them.
 */
const ALONE = [
  'test/integration/activation-scale.test.ts',
  'test/integration/activation-concurrency.test.ts',
  'test/integration/activation-settle.test.ts',
  'test/integration/device-groups.test.ts',
  'test/integration/local-start.test.ts',
  'test/integration/process-kills.test.ts',
];

/**
 * Three projects: `default` runs every test against the handlers in process, `alone` the files
 * above in the same way, after all the others; `bundles` runs the HTTP API suite (test/api) once
 * more through the bundle runtime (the synthesized Lambda bundles in worker processes, AWS
 * stand-ins), as `LOCAL_RUNTIME=bundles npm start` serves it.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on CI's two. Most files spend much of
    // their time waiting on DynamoDB Local and on timers, so two at a time finish sooner; the files
    // that load the machine on purpose run after them, alone (BENCHMARKS.md, "Test suite time").
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['test/**/*.test.ts', 'client/test/**/*.test.ts', 'cli/test/**/*.test.ts'],
          exclude: ALONE,
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: ALONE,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'bundles',
          include: ['test/api/**/*.test.ts'],
          // These files change the service from inside the test process for every test (a fixed
          // clock, a captured logger, a replaced notifier), which cannot reach the workers; single
          // tests elsewhere are marked `inProcess` (test/support/api.ts).
          exclude: [
            'test/api/logs.test.ts',
            'test/api/push-logs.test.ts',
            'test/api/error-logs.test.ts',
            'test/api/push-care-plus.test.ts',
            'test/api/push-health.test.ts',
          ],
          globalSetup: ['test/support/global-setup.ts', 'test/support/bundles-setup.ts'],
          setupFiles: ['test/support/setup.ts'],
          env: { API_RUNTIME: 'bundles' },
        },
      },
    ],
  },
});
