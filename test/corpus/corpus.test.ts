/**
 * The acceptance check of the formats: `depwatch deps --json` on a corpus of real files from
 * well-known projects (test/corpus/files, sources in test/corpus/SOURCES.md) agrees, entry by entry
 * and field by field, with what pip's own parser and each lock format's documented meaning say
 * (test/corpus/expected, written by tools/corpus/*.py, which never read our TypeScript).
 *
 * Every disagreement is listed below with its reason (docs/formats.md explains each decision), so a
 * new disagreement fails the test even while the overall figure stays above the threshold.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectDependencies, depsJson } from '../../src/cli/deps.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const FILES = join(HERE, 'files');
const EXPECTED = join(HERE, 'expected');

const FIELDS = ['name', 'version', 'specifier', 'extras', 'marker', 'source', 'editable', 'kind', 'group', 'direct', 'file', 'line'] as const;
type Field = (typeof FIELDS)[number];

interface Entry {
  /** null in the reference when pip cannot name the requirement without building it. */
  name: string | null;
  version: string | null;
  specifier: string;
  extras: string[];
  marker: string | null;
  source: string;
  editable: boolean;
  kind: string;
  group: string;
  direct: boolean;
  file: string;
  line: number | null;
}

interface ExpectedFile {
  generator: string;
  /** Lines the reference tool itself refuses (pip raises on them). */
  refused: Array<{ file: string; line: number | null }>;
  entries: Entry[];
}

/**
 * The known, documented disagreements (docs/formats.md, "Known disagreements"), as
 * `file:line name: what differs`.
 */
const KNOWN_DISAGREEMENTS = [
  // pip 23.2.1 still reads `>dev` as a legacy (pre-PEP 440) specifier; packaging 22+ and so pip
  // 24.1+ reject the line, as we do (with an error naming the line).
  'celery/requirements/dev.txt:1 pytz: missing',
];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function describeEntry(e: Pick<Entry, 'file' | 'line' | 'name'>): string {
  return `${e.file}:${e.line ?? '-'} ${e.name ?? '(unnamed)'}`;
}

interface Comparison {
  compared: number;
  agreed: number;
  disagreements: string[];
}

/** Pairs each expected entry with ours on (file, line, group) and name, then compares every field. */
function compare(expected: Entry[], ours: Entry[]): Comparison {
  const pool = new Map<string, Entry[]>();
  const slot = (e: Entry) => `${e.file}\u0000${e.line}\u0000${e.group}`;
  for (const d of ours) pool.set(slot(d), [...(pool.get(slot(d)) ?? []), d]);

  const disagreements: string[] = [];
  let agreed = 0;
  for (const e of expected) {
    const candidates = pool.get(slot(e)) ?? [];
    const index = candidates.findIndex((c) => e.name === null || c.name === e.name);
    if (index === -1) {
      disagreements.push(`${describeEntry(e)}: missing`);
      continue;
    }
    const mine = candidates.splice(index, 1)[0]!;
    // pip names a path or unnamed URL only by building it; every other field still counts.
    const fields = FIELDS.filter((f: Field) => !(f === 'name' && e.name === null));
    const differing = fields.filter((f) => !same(mine[f], e[f]));
    if (differing.length === 0) agreed++;
    else disagreements.push(`${describeEntry(e)}: ${differing.map((f) => `${f} ${JSON.stringify(mine[f])} ≠ ${JSON.stringify(e[f])}`).join(', ')}`);
  }
  const extra = [...pool.values()].flat();
  for (const d of extra) disagreements.push(`${describeEntry(d)}: not in the reference`);
  return { compared: expected.length + extra.length, agreed, disagreements };
}

function loadExpected(): Map<string, ExpectedFile> {
  const byFormat = new Map<string, ExpectedFile>();
  for (const name of readdirSync(EXPECTED).filter((f) => f.endsWith('.json')).sort()) {
    byFormat.set(name.replace(/\.json$/, ''), JSON.parse(readFileSync(join(EXPECTED, name), 'utf8')) as ExpectedFile);
  }
  return byFormat;
}

describe('depwatch deps --json on the real-file corpus', async () => {
  const json = depsJson(await collectDependencies(['.'], FILES));
  const ours = json.manifests.flatMap((m) => m.dependencies) as Entry[];
  const expected = loadExpected();
  const allExpected = [...expected.values()].flatMap((f) => f.entries);
  const result = compare(allExpected, ours);
  const percent = (100 * result.agreed) / result.compared;
  console.log(`agreement: ${result.agreed}/${result.compared} entries (${percent.toFixed(2)}%)`);
  for (const d of result.disagreements) console.log(`  disagreement: ${d}`);

  it('covers every format with real files', () => {
    const formats = new Set(json.manifests.map((m) => m.format));
    expect([...formats].sort()).toEqual(['pdm-lock', 'pipfile', 'pipfile-lock', 'poetry-lock', 'pyproject', 'requirements', 'setup-cfg', 'uv-lock']);
    for (const [format, file] of expected) expect(file.entries.length, format).toBeGreaterThan(0);
    expect(result.compared).toBeGreaterThan(600);
  });

  it('agrees with pip and the lock formats on at least 99.5% of entries', () => {
    expect(percent).toBeGreaterThanOrEqual(99.5);
  });

  it('disagrees only where the decision is documented', () => {
    expect(result.disagreements).toEqual(KNOWN_DISAGREEMENTS);
  });

  it('reports an error on every line it does not list, so nothing is dropped silently', () => {
    const missing = result.disagreements.filter((d) => d.endsWith(': missing'));
    for (const d of missing) {
      const [place] = d.split(' ');
      const [file, line] = place!.split(':');
      expect(json.errors.some((e) => e.file === file && String(e.line) === line), d).toBe(true);
    }
  });

  it('refuses the lines pip refuses', () => {
    for (const [, file] of expected) {
      for (const refused of file.refused) {
        expect(json.errors.some((e) => e.file === refused.file && e.line === refused.line), `${refused.file}:${refused.line}`).toBe(true);
      }
    }
  });

  it('lists each file reached through -r / -c once, with constraints marked', () => {
    const paths = json.manifests.map((m) => m.path);
    expect(new Set(paths).size).toBe(paths.length);
    const constraints = ours.filter((d) => d.kind === 'constraint');
    expect(new Set(constraints.map((d) => d.file))).toEqual(new Set(['cpython/Doc/constraints.txt']));
  });
});
