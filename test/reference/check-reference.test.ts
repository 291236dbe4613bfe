/**
 * `depwatch check --offline --json` against an independent reference: every case of
 * test/reference/cases.json (built by tools/reference/osv_reference.py on pypa/packaging 21.3,
 * implementing test/fixtures/osv/README.md "Matching semantics") must come out the same.
 *
 * Our JSON merges records whose ids or aliases overlap into one entry; the reference lists one result
 * per record. So the comparison recovers record ids from each entry's `ids`, and checks that the
 * entry's `fixed_versions` is the union of its records' and its `aliases` cover theirs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/python/pep440.js';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli } from '../helpers/cli-in-process.js';

interface ReferenceMatch {
  advisory_id: string;
  aliases: string[];
  fixed_versions: string[];
}

interface ReferenceCase {
  category: string;
  name: string;
  version: string;
  matches: ReferenceMatch[];
}

interface CheckEntry {
  id: string;
  aliases: string[];
  fixed_versions: string[];
  withdrawn: boolean;
  ids: string[];
}

interface CheckResult {
  name: string;
  version: string;
  vulnerabilities: CheckEntry[];
}

// REFERENCE_CASES=<file> checks another set in the same format (a held-back one, another seed).
const CASES_FILE = process.env['REFERENCE_CASES'] ?? join(import.meta.dirname, 'cases.json');
const isCommittedSet = process.env['REFERENCE_CASES'] === undefined;
const reference = JSON.parse(readFileSync(CASES_FILE, 'utf8')) as { packaging: string; cases: ReferenceCase[] };
const cases = reference.cases;

let dir: string;

const cli = () => inProcessCli({ cwd: dir, env: { DEPWATCH_DB: join(dir, 'mirror.db') } });

/** Every record id the CLI reported (each merged entry lists its records in `ids`), in plain string order like the reference. */
function recordIds(entries: CheckEntry[]): string[] {
  return entries.flatMap((entry) => entry.ids).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

let results: CheckResult[] = [];
let exitCode = -1;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'depwatch-reference-'));
  const importer = cli();
  expect(await importer.run('db', 'import', ADVISORIES_JSONL_GZ), importer.out.stderr).toBe(0);
  expect(importer.out.stdout).toContain('added 2661');

  const check = cli();
  exitCode = await check.run('check', '--offline', '--json', ...cases.map((c) => `${c.name}==${c.version}`));
  // Nothing on stderr but the releases whose version is not PEP 440 and whose package has advisories
  // with ranges: those could not be compared with them (partial; the ids still agree below).
  const stderrLines = check.out.stderr.split('\n').filter((line) => line !== '');
  expect(stderrLines.filter((line) => !/^depwatch: WARNING: \S+ \S+ is not a PEP 440 version: the \d+ advisor(?:y|ies) for \S+ with version ranges could not be compared with it$/.test(line))).toEqual([]);
  results = (JSON.parse(check.out.stdout) as { results: CheckResult[] }).results;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('depwatch check --offline --json against the pypa/packaging reference', () => {
  it.runIf(isCommittedSet)('has a reference in every category the acceptance test names', () => {
    expect(reference.packaging).toBe('21.3');
    const categories = new Set(cases.map((c) => c.category));
    for (const wanted of [
      'boundary-introduced',
      'boundary-fixed',
      'versions-list',
      'versions-list-spelling',
      'name-normalisation',
      'pre-release',
      'post-release',
      'local-release',
      'epoch',
      'withdrawn',
      'non-pep440-listed',
    ]) {
      expect(categories, wanted).toContain(wanted);
    }
    expect(cases.length).toBeGreaterThanOrEqual(600);
    // Both answers occur often enough for agreement to mean something.
    expect(cases.filter((c) => c.matches.length > 0).length).toBeGreaterThan(300);
    expect(cases.filter((c) => c.matches.length === 0).length).toBeGreaterThan(100);
  });

  it('answers every case, in input order, with the name and version as given', () => {
    expect(results.map((r) => [r.name, r.version])).toEqual(cases.map((c) => [c.name, c.version]));
    expect(exitCode).toBe(cases.some((c) => c.matches.length > 0) ? 1 : 0);
  });

  it('reports exactly the reference advisory ids for every case', () => {
    const disagreements: string[] = [];
    cases.forEach((c, i) => {
      const got = recordIds(results[i]?.vulnerabilities ?? []);
      const want = c.matches.map((m) => m.advisory_id);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        disagreements.push(`${c.category} ${c.name}==${c.version}: got [${got.join(', ')}], reference [${want.join(', ')}]`);
      }
    });
    expect(disagreements).toEqual([]);
  });

  it("merges records' fixed versions and aliases without losing any", () => {
    const problems: string[] = [];
    cases.forEach((c, i) => {
      const byId = new Map(c.matches.map((m) => [m.advisory_id, m]));
      for (const entry of results[i]?.vulnerabilities ?? []) {
        const merged = entry.ids.map((id) => byId.get(id)).filter((m): m is ReferenceMatch => m !== undefined);
        const wantFixed = [...new Set(merged.flatMap((m) => m.fixed_versions))].sort((a, b) => compareVersions(a, b) || (a < b ? -1 : 1));
        if (JSON.stringify(entry.fixed_versions) !== JSON.stringify(wantFixed)) {
          problems.push(`${c.name}==${c.version} ${entry.id}: fixed ${JSON.stringify(entry.fixed_versions)}, reference ${JSON.stringify(wantFixed)}`);
        }
        const known = new Set([entry.id, ...entry.aliases]);
        for (const m of merged) {
          for (const id of [m.advisory_id, ...m.aliases]) if (!known.has(id)) problems.push(`${c.name}==${c.version} ${entry.id}: lost ${id}`);
        }
        if (!entry.ids.includes(entry.id) || entry.withdrawn) problems.push(`${c.name}==${c.version} ${entry.id}: bad entry`);
      }
    });
    expect(problems).toEqual([]);
  });

  it('never reports a withdrawn record, even for its exact affected versions', () => {
    const withdrawnCases = cases.map((c, i) => ({ c, r: results[i] })).filter(({ c }) => c.category === 'withdrawn');
    if (isCommittedSet) expect(withdrawnCases.length).toBeGreaterThan(20);
    const withdrawnIds = new Set(['PYSEC-2019-144', 'PYSEC-2020-221', 'PYSEC-2021-13', 'PYSEC-2021-125', 'PYSEC-2022-15', 'PYSEC-2022-43055', 'PYSEC-2022-43059', 'PYSEC-2023-73', 'PYSEC-2023-101', 'PYSEC-2023-141']);
    for (const { r } of withdrawnCases) for (const v of r?.vulnerabilities ?? []) for (const id of v.ids) expect(withdrawnIds).not.toContain(id);
  });
});
