/**
 * How every function is bundled, in one place: the stack's NodejsFunction and the bundle report
 * (scripts/bundle-report.ts) both build from these settings, so the report measures what deploys.
 *
 * - ESM output for the nodejs24.x runtime, preferring packages' ES module builds (better tree-shaking);
 *   the banner gives CommonJS dependencies bundled into ESM a working `require`.
 * - Minified, with an external source map without sources content (stack traces map back to the
 *   TypeScript; the map is half the size and is read only when NODE_OPTIONS enables source maps).
 * - Nothing is external: the AWS SDK v3 clients are bundled at the versions in package-lock.json
 *   rather than taken from the runtime, so what is tested is what runs, and tree-shaking keeps only
 *   the clients each function uses.
 */
export const BUNDLE_TARGET = 'node24';
export const BUNDLE_MAIN_FIELDS = ['module', 'main'];
export const CREATE_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";
export const BUNDLE_MINIFY = true;
export const BUNDLE_SOURCE_MAP = true;
export const BUNDLE_SOURCES_CONTENT = false;
export const BUNDLE_EXTERNAL_MODULES: string[] = [];
/**
 * The same settings as esbuild build options, for the builds outside CDK that must match a deployed
 * bundle (the bundle report, the cold-start bench's bare client).
 */
export const DEPLOYED_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: BUNDLE_TARGET,
  mainFields: BUNDLE_MAIN_FIELDS,
  banner: { js: CREATE_REQUIRE_BANNER },
  minify: BUNDLE_MINIFY,
  sourcemap: BUNDLE_SOURCE_MAP,
  sourcesContent: BUNDLE_SOURCES_CONTENT,
  external: BUNDLE_EXTERNAL_MODULES,
} as const;
/** Lambda runs the functions with source maps enabled; the bundle report measures the same way. */
export const FUNCTION_NODE_OPTIONS = '--enable-source-maps';

/** The Lambda entry of each function group: functions/<name>/index.ts exporting `handler`. */
export const functionEntry = (name: string): string => `functions/${name}/index.ts`;
