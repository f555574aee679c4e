import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cdk/config';
import { runSmoke } from '../../scripts/smoke';
import { BUNDLE_RUNTIME, functionLogs, useApi } from '../support/api';
import { TEST_OPS_TOKEN } from '../support/setup';

const api = useApi();

/** The smoke test picks the newest open catalog version; a fresh cell has none, so the test defines one. */
async function catalogVersion(): Promise<void> {
  const answer = await api.ops('PUT', `/v1/catalog/versions/${encodeURIComponent('2026 R1')}`, { generalAvailability: '2026-02-10' });
  expect(answer.status).toBe(200);
}

describe(`npm run smoke (API.md §14), ${BUNDLE_RUNTIME ? 'bundle runtime' : 'embedded runtime'}`, () => {
  it('passes every check against a working cell and leaves its license revoked', async () => {
    await catalogVersion();
    const result = await runSmoke({ url: api.url, opsToken: TEST_OPS_TOKEN, print: () => undefined });
    expect(result.lines.filter((line) => !line.startsWith('ok'))).toEqual(['8 passed, 0 failed']);
    const slc = /^ok {3}revoke: (\S+) revoked$/m.exec(result.lines.join('\n'))?.[1];
    expect((await api.ops('GET', `/v1/licenses/${slc}`)).body.status).toBe('revoked');
  });

  it('exits 0 from the command line when all pass, 1 on a wrong ops token, 2 without its options', async () => {
    // Asynchronously: the embedded runtime answers from this process.
    const run = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn('npm', ['run', '--silent', 'smoke', '--', ...args], { cwd: PROJECT_ROOT });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (status) => resolve({ status, stdout, stderr }));
      });
    const passing = await run('--url', api.url, '--ops-token', TEST_OPS_TOKEN);
    expect(passing.status, passing.stdout + passing.stderr).toBe(0);
    expect(passing.stdout.trim().split('\n').at(-1)).toBe('8 passed, 0 failed');
    const refused = await run('--url', api.url, '--ops-token', 'not-the-token');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/^FAIL throw-away customer: expected 201, got HTTP 401 unauthorized/m);
    expect(refused.stdout.trim().split('\n').at(-1)).toMatch(/^\d passed, [1-9] failed$/);
    expect((await run('--url', api.url)).status).toBe(2);
  }, 240_000);

  it.runIf(BUNDLE_RUNTIME)('reports a clear failure against a cell whose installation key secret is missing, with a log line naming it', async () => {
    const runtime = api.bundles!;
    const secretArn = runtime.secretArns.INSTALLATION_KEY_SECRET_ID!;
    // Fresh execution environments, so that no installation key is cached from earlier requests.
    for (const fn of runtime.functions.values()) await fn.pool.stop();
    runtime.standIns.services.secretsManager.remove(secretArn);
    functionLogs.length = 0;
    const result = await runSmoke({ url: api.url, opsToken: TEST_OPS_TOKEN, print: () => undefined });
    expect(result.failed).toBeGreaterThan(0);
    expect(result.lines).toContain('ok   health');
    expect(result.lines.join('\n')).toMatch(/^FAIL first activation: expected 201, got HTTP 500 internal_error: The service could not complete the request\.$/m);
    expect(result.lines.at(-1)).toMatch(/^\d passed, [1-9] failed$/);
    const errors = functionLogs.map(({ line }) => line).filter((line) => line.includes('"level":"ERROR"'));
    expect(
      errors.some((line) => line.includes('"failure":"A secret the function reads does not exist: GetSecretValue failed: ResourceNotFoundException (HTTP 400)"') && line.includes('"cause":"secret_not_found"')),
    ).toBe(true);
    expect(errors.join('\n')).not.toMatch(/\\n\s+at |"stack"/);
  });
});
