import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stackIdFor } from '../../cdk/app';
import { CONTEXT_KEY, PROJECT_ROOT, readCdkJsonContext } from '../../cdk/config';

const outdir = mkdtempSync(join(tmpdir(), 'cloud-licensing-cli-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('npx cdk synth', () => {
  it('synthesizes every region with the real CLI (bundling with the local esbuild, cdk-nag on) and exits 0', () => {
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', outdir], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      // No instance metadata or telemetry lookups: the synth needs no AWS account.
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' },
      timeout: 280_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`.slice(-4000)).toBe(0);
    const regions = Object.keys((readCdkJsonContext()[CONTEXT_KEY] as { regions: object }).regions);
    for (const region of regions) {
      const templateFile = join(outdir, `${stackIdFor(region)}.template.json`);
      expect(existsSync(templateFile), templateFile).toBe(true);
      const template = JSON.parse(readFileSync(templateFile, 'utf8'));
      expect(Object.values(template.Resources).filter((resource: any) => resource.Type === 'AWS::Lambda::Function')).toHaveLength(5);
    }
  }, 300_000);
});
