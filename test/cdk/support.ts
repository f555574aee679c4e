import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../cdk/app';
import { readCdkJsonContext } from '../../cdk/config';

export interface BuiltApp {
  app: App;
  outdir: string;
  cleanup(): void;
}

/**
 * The app as `npx cdk synth` builds it: cdk.json's context (optionally changed), every region's
 * stack, the cdk-nag packs registered. Bundling runs with the local esbuild.
 */
export function buildTestApp(changeContext: (context: Record<string, any>) => void = () => undefined): BuiltApp {
  const context = structuredClone(readCdkJsonContext()) as Record<string, any>;
  changeContext(context);
  const outdir = mkdtempSync(join(tmpdir(), 'cloud-licensing-cdk-'));
  const app = buildApp(new App({ context, outdir }));
  return { app, outdir, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}
