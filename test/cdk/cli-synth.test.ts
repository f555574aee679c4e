import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AMI_DEPLOYMENT_STACK_ID, stackIdFor } from '../../cdk/app';
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
      expect(Object.values(template.Resources).filter((resource: any) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Runtime === 'nodejs24.x')).toHaveLength(8); // five route groups, three workers
    }
    // Without its context, the app has no AMI deployment.
    expect(existsSync(join(outdir, `${AMI_DEPLOYMENT_STACK_ID}.template.json`))).toBe(false);
  }, 300_000);

  it('synthesizes the XProtect AMI deployment stack when the xprotectAmiDeployment context is given on the command line', () => {
    const amiOut = join(outdir, 'ami');
    const settings = { licenseModel: 'byol', clientCidr: '10.20.0.0/16', licensingEndpoint: 'https://licensing.eu-west-1.example.com' };
    const result = spawnSync(
      'npx',
      ['cdk', 'synth', AMI_DEPLOYMENT_STACK_ID, '--quiet', '--no-notices', '-o', amiOut, '-c', `xprotectAmiDeployment=${JSON.stringify(settings)}`],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        env: { ...process.env, AWS_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' },
        timeout: 280_000,
      },
    );
    expect(result.status, `${result.stdout}\n${result.stderr}`.slice(-4000)).toBe(0);
    const template = JSON.parse(readFileSync(join(amiOut, `${AMI_DEPLOYMENT_STACK_ID}.template.json`), 'utf8'));
    const resources = Object.values(template.Resources) as Array<{ Type: string; Properties: any }>;
    expect(resources.filter((resource) => resource.Type === 'AWS::EC2::Instance')).toHaveLength(1);
    const ingress = resources.flatMap((resource) => (resource.Type === 'AWS::EC2::SecurityGroup' ? resource.Properties.SecurityGroupIngress ?? [] : []));
    expect(ingress.length).toBeGreaterThan(0);
    expect(ingress.every((rule: any) => rule.CidrIp === settings.clientCidr)).toBe(true);
    // The AMI id was not given: it is a parameter of the stack.
    expect(template.Parameters.AmiId.Type).toBe('AWS::EC2::Image::Id');
    const manifest = JSON.parse(readFileSync(join(amiOut, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts[AMI_DEPLOYMENT_STACK_ID].environment).toMatch(/\/eu-west-1$/);
  }, 300_000);
});
