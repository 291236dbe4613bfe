/**
 * A parallel scan's workers start from their own entry (src/workers/scan-entry.ts), which loads the
 * code scanner only: the audit worker's entry loads every job (manifest parsers, matching,
 * rematching), about 90 ms of CPU at each worker's start that a scan part never uses.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { SCAN_WORKER_ENTRY } from '../../src/workers/entry-url.js';

const ROOT = join(import.meta.dirname, '../..');

/** Every source module `file` loads at start (static imports, not `import type`), transitively. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+'(\.[^']+)';/gms)) {
    staticImports(join(dirname(file), m[1]!.replace(/\.js$/, '.ts')), seen);
  }
  for (const m of text.matchAll(/^import\s+'(\.[^']+)';/gm)) staticImports(join(dirname(file), m[1]!.replace(/\.js$/, '.ts')), seen);
  return seen;
}

it("a scan worker's entry serves the directory part and loads none of the audit's jobs", () => {
  const entry = SCAN_WORKER_ENTRY.pathname;
  const loaded = [...staticImports(entry)].map((f) => relative(ROOT, f));
  expect(loaded).toContain('src/workers/jobs/scan-directory-part.ts');
  expect(loaded).toContain('src/scan/scan.ts');
  expect(loaded.filter((f) => f.startsWith('src/workers/jobs/') && f !== 'src/workers/jobs/scan-directory-part.ts')).toEqual([]);
});
