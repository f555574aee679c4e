import { defineConfig } from 'vitest/config';

/**
 * Two projects: `default` runs every test against the handlers in process; `bundles` runs the HTTP
 * API suite (test/api) once more through the bundle runtime (the synthesized Lambda bundles in
 * worker processes, AWS stand-ins), as `LOCAL_RUNTIME=bundles npm start` serves it.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on CI's two. The integration files
    // spend much of their time waiting on DynamoDB Local and on timers, so two files at once finish
    // the suite sooner on two cores (BENCHMARKS.md, "Test suite time").
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['test/**/*.test.ts', 'client/test/**/*.test.ts', 'cli/test/**/*.test.ts'],
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
