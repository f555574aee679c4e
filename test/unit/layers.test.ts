import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Layers point one way (ARCHITECTURE.md): domain ← store and adapters ← use cases ← handlers. The
 * store is the only code of the service that speaks to DynamoDB, so that what reaches a use case is
 * a named outcome, never an SDK exception or a raw item.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** What a source file imports: repository paths for relative imports, package names otherwise. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((match) => match[1] ?? match[2]!);
  return specifiers.map((specifier) => (specifier.startsWith('.') ? relative(root, resolve(root, dirname(file), specifier)) : specifier));
}

const DYNAMODB_PACKAGES = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/util-dynamodb', '@aws-sdk/client-dynamodb-streams'];

const violations = (folders: string[], forbidden: (imported: string) => boolean) =>
  folders.flatMap(sourcesUnder).flatMap((file) => importsOf(file).filter(forbidden).map((imported) => `${file} imports ${imported}`));

describe('layers', () => {
  it('finds the imports it checks (the scan itself works)', () => {
    expect(importsOf('shared/store/conditional-write.ts')).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/util-dynamodb', 'shared/store/client']);
    expect(sourcesUnder('shared/store')).toContain('shared/store/conditional-write.ts');
  });

  it('only the store speaks to DynamoDB', () => {
    const outsideStore = (imported: string) => DYNAMODB_PACKAGES.includes(imported);
    expect(violations(['shared/domain', 'shared/adapters', 'shared/use-cases', 'shared/http', 'shared/schemas', 'functions'], outsideStore)).toEqual([]);
  });

  it('the domain imports nothing of the store, the adapters, the use cases or the edge', () => {
    expect(violations(['shared/domain'], (imported) => /^(shared\/(store|adapters|use-cases|http)|functions|local)\b/.test(imported))).toEqual([]);
  });

  it('the store and the adapters import no use case, nothing of the edge and no handler', () => {
    expect(violations(['shared/store', 'shared/adapters'], (imported) => /^(shared\/(use-cases|http)|functions|local)\b/.test(imported))).toEqual([]);
  });

  it('nothing under shared/ imports a handler or the local tooling', () => {
    expect(violations(['shared'], (imported) => /^(functions|local|scripts|bench|test)\//.test(imported))).toEqual([]);
  });
});
