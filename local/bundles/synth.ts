import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { buildApp, stackIdFor } from '../../cdk/app';
import { cellsFromContext, PROJECT_ROOT, readCdkJsonContext } from '../../cdk/config';
import { buildDashboard } from '../../scripts/build-dashboard';

/**
 * Synthesizes the CDK app as `cdk synth` does (cdk.json's app, buildApp, with cdk.json's context and
 * the cdk-nag checks) into `outdir`, in a child process so that the CDK library does not stay loaded
 * in the runtime. Resolves to the stack id of the first region in cdk.json. The dashboard is built
 * first: the template's dashboard deployment takes the built files as an asset.
 */
export async function synthesize(outdir: string): Promise<string> {
  await buildDashboard();
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), outdir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const text = output.join('');
  if (code !== 0) throw new Error(`cdk synth failed (exit ${code}):\n${text.trim().slice(-3000)}`);
  const stack = /^stack (\S+)$/m.exec(text)?.[1];
  if (!stack) throw new Error(`cdk synth named no stack:\n${text.slice(-1000)}`);
  return stack;
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const outdir = process.argv[2];
  if (!outdir) throw new Error('usage: synth.ts <outdir>');
  const app = buildApp(new App({ context: readCdkJsonContext(), outdir }));
  const [first] = cellsFromContext(app);
  app.synth();
  console.log(`stack ${stackIdFor(first!.region)}`);
}
