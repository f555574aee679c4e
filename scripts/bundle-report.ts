/**
 * Bundles every Lambda function exactly as the CDK stack does (cdk/bundling.ts), plus a bare
 * `@aws-sdk/client-dynamodb` bundle (a module that only creates a DynamoDBClient) bundled the same
 * way, and reports each bundle's size and module-load time: the time a fresh `node` process takes
 * to import the bundle, with the functions' NODE_OPTIONS, median of several runs.
 *
 *   npx tsx scripts/bundle-report.ts [--runs 9] [--json] [--packages]
 *
 * `--packages` also lists, per bundle, the packages (and the service's own folders) that take the most
 * room in it, from esbuild's metafile: where to look when a bundle grows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { DEPLOYED_BUNDLE_OPTIONS, FUNCTION_NODE_OPTIONS, functionEntry } from '../cdk/bundling';
import { functionNames } from '../shared/http/routes';

export interface BundleFigures {
  name: string;
  /** Size of index.mjs (the source map is not loaded unless an error is mapped). */
  bytes: number;
  /** Median milliseconds a fresh process spends importing the bundle. */
  loadMs: number;
  /** Size of index.mjs gzipped (about what the deployment package adds). */
  gzipBytes: number;
  /** Bytes each package (or folder of the service) contributes to index.mjs, largest first. */
  packages: Array<{ name: string; bytes: number }>;
}

export interface BundleReportOptions {
  /** Fresh processes per bundle; the median is reported. */
  runs?: number;
  keepIn?: string;
}

/** The name of the reference bundle in the report. */
export const BARE_DYNAMODB = 'bare-client-dynamodb';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const BARE_ENTRY = "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const client = new DynamoDBClient({});\n";

/** `@scope/name` or `name` for a file in node_modules, else the first two folders of the path. */
function packageOf(input: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return inModules ? inModules[1]! : input.split('/').slice(0, 2).join('/');
}

async function bundle(outfile: string, entry: { file: string } | { contents: string }): Promise<Array<{ name: string; bytes: number }>> {
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: 'bare-client-dynamodb.ts' } }),
    absWorkingDir: PROJECT_ROOT,
    outfile,
    ...DEPLOYED_BUNDLE_OPTIONS,
    metafile: true,
    logLevel: 'error',
  });
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('.mjs'))![1];
  const packages = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    packages.set(packageOf(input), (packages.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  return [...packages].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Milliseconds one fresh process spends in `import()` of the bundle. The process's stdout and stderr
 * streams are set up before the clock starts, as the Lambda runtime has done before it loads a handler.
 */
function loadOnce(file: string): number {
  const script = `process.stdout; process.stderr; const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
      AWS_REGION: 'eu-west-1',
      POWERTOOLS_SERVICE_NAME: 'cloud-licensing',
      POWERTOOLS_METRICS_NAMESPACE: 'CloudLicensing',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
  });
  if (result.status !== 0) throw new Error(`Loading ${file} failed: ${result.stderr.trim().slice(0, 2000)}`);
  return Number(result.stdout);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * Size and median module-load time of each function's bundle and of the bare DynamoDB client bundle.
 * `keepIn` keeps the bundles in that directory (one folder per name, index.mjs) instead of deleting them.
 */
export async function bundleReport(options: BundleReportOptions = {}): Promise<BundleFigures[]> {
  const runs = Math.max(1, options.runs ?? 9);
  const dir = options.keepIn ?? mkdtempSync(join(tmpdir(), 'cloud-licensing-bundles-'));
  try {
    const files: Array<{ name: string; file: string; packages: BundleFigures['packages'] }> = [];
    const bareFile = join(dir, BARE_DYNAMODB, 'index.mjs');
    files.push({ name: BARE_DYNAMODB, file: bareFile, packages: await bundle(bareFile, { contents: BARE_ENTRY }) });
    for (const name of functionNames) {
      const file = join(dir, name, 'index.mjs');
      files.push({ name, file, packages: await bundle(file, { file: join(PROJECT_ROOT, functionEntry(name)) }) });
    }
    // Round-robin, so that a slow moment of the machine does not land on one bundle only.
    const times = new Map<string, number[]>(files.map((entry) => [entry.name, []]));
    loadOnce(bareFile); // warm the file system cache
    for (let run = 0; run < runs; run++) {
      for (const entry of files) times.get(entry.name)!.push(loadOnce(entry.file));
    }
    return files.map((entry) => {
      const code = readFileSync(entry.file);
      return {
        name: entry.name,
        bytes: code.length,
        loadMs: Math.round(median(times.get(entry.name)!) * 10) / 10,
        gzipBytes: gzipSync(code).length,
        packages: entry.packages,
      };
    });
  } finally {
    if (!options.keepIn) rmSync(dir, { recursive: true, force: true });
  }
}

function formatReport(figures: BundleFigures[]): string {
  const bare = figures.find((entry) => entry.name === BARE_DYNAMODB)!;
  const rows = figures.map((entry) => [
    entry.name,
    `${(entry.bytes / 1024).toFixed(1)} KiB`,
    `${(entry.bytes / bare.bytes).toFixed(2)}×`,
    `${(entry.gzipBytes / 1024).toFixed(1)} KiB`,
    `${entry.loadMs.toFixed(1)} ms`,
    `${(entry.loadMs / bare.loadMs).toFixed(2)}×`,
  ]);
  const header = ['bundle', 'size', 'vs bare', 'gzip', 'load (median)', 'vs bare'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')).join('\n');
}

/** The largest contributors of each bundle, and what each adds over the bare client (`+`: not in it). */
function formatPackages(figures: BundleFigures[], top = 12): string {
  const bare = new Map(figures.find((entry) => entry.name === BARE_DYNAMODB)!.packages.map((entry) => [entry.name, entry.bytes]));
  return figures
    .filter((entry) => entry.name !== BARE_DYNAMODB)
    .map((entry) => {
      const lines = entry.packages.slice(0, top).map((item) => {
        const inBare = bare.get(item.name);
        const extra = inBare === undefined ? '+' : ' ';
        return `  ${extra} ${(item.bytes / 1024).toFixed(1).padStart(7)} KiB  ${item.name}`;
      });
      return [`${entry.name}:`, ...lines].join('\n');
    })
    .join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const figures = await bundleReport({ runs: runsAt >= 0 ? Number(args[runsAt + 1]) : undefined });
  console.log(args.includes('--json') ? JSON.stringify(figures, null, 2) : formatReport(figures));
  if (args.includes('--packages') && !args.includes('--json')) console.log(`\n${formatPackages(figures)}`);
}
