/**
 * What every lockfile test starts with: the real fixture files, the reader under test bound to
 * its file name, finding an entry by name, and the discovery check (which paths the format claims).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Dependency, ExtractResult, ManifestFormat, ManifestFormatModule } from '../../src/python/types.js';

/** A file under test/fixtures/manifests (real files from public projects, see SOURCES.md there). */
export const fixture = (path: string): string => readFileSync(new URL(`../fixtures/manifests/${path}`, import.meta.url), 'utf8');

/** The format's `extract`, as the loader calls it for a file with the given path. */
export const extractorFor =
  (module: ManifestFormatModule, file: string) =>
  (text: string): ExtractResult =>
    module.extract(text, { file });

/** The entry called `name`; fails with the names there are when it is missing. */
export function byName(deps: Dependency[], name: string): Dependency {
  const found = deps.find((d) => d.name === name);
  if (found === undefined) throw new Error(`no ${name} in ${deps.map((d) => d.name).join(', ')}`);
  return found;
}

/** The test that a format claims its files wherever they are, and nothing else. */
export function itClaimsItsFiles(module: ManifestFormatModule, format: ManifestFormat, paths: { claimed: string[]; refused: string[] }): void {
  it(`claims ${paths.claimed[0]} files wherever they are, and nothing else`, () => {
    expect(module.format).toBe(format);
    for (const path of paths.claimed) expect(module.matches(path), path).toBe(true);
    for (const path of paths.refused) expect(module.matches(path), path).toBe(false);
  });
}
