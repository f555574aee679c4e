import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { synthesize } from '../../local/bundles/synth';

let outdir: string | undefined;

/** The `bundles` project synthesizes the app once; each test file then runs its own bundle runtime on it. */
export async function setup(project: TestProject): Promise<void> {
  outdir = mkdtempSync(join(tmpdir(), 'cloud-licensing-test-bundles-'));
  project.provide('bundleAssembly', { outdir, stackName: await synthesize(outdir) });
}

export async function teardown(): Promise<void> {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    bundleAssembly: { outdir: string; stackName: string };
  }
}
