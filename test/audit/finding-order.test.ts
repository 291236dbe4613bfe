import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareFindings, KIND_ORDER, sortFindings, UNKNOWN_AS_LEVELS, type Finding, type Severity } from '../../src/audit/findings.js';
import { installedPackages } from '../../src/audit/context.js';
import { memorySource } from '../../src/python/files.js';
import { loadManifests } from '../../src/python/load.js';
import { compareCodeUnits, compareText, ordersByCodeUnits } from '../../src/text-order.js';

const finding = (over: Partial<Finding>): Finding => ({
  kind: 'unpinned',
  severity: 'low',
  package: null,
  version: null,
  file: null,
  line: null,
  fix: { version: null, text: '' },
  ...over,
});

const order = (findings: Finding[]) => [...findings].sort((a, b) => compareFindings(a, b)).map((f) => f.package ?? f.file);

describe('the order of findings', () => {
  it('puts the most severe first, then ties as localeCompare ordered them on an English machine', () => {
    const findings = [
      finding({ package: 'zope', severity: 'high' }),
      finding({ package: 'aiohttp' }),
      finding({ package: 'django-x' }),
      finding({ package: 'celery' }),
      finding({ file: 'requirements.txt' }),
      finding({ file: 'requirements_test.txt' }),
      finding({ file: 'Requirements/dev.txt' }),
    ];
    // Findings about a file (no package) before those about a package; among files `_` before `.`,
    // punctuation before letters, and case only when nothing else differs.
    expect(order(findings)).toEqual(['zope', 'requirements_test.txt', 'requirements.txt', 'Requirements/dev.txt', 'aiohttp', 'celery', 'django-x']);
  });

  it('is the same under any locale (by the locale, da_DK put aa… after z…)', () => {
    const script = `
      import { compareFindings } from ${JSON.stringify(join(import.meta.dirname, '../../src/audit/findings.ts'))};
      const f = (p) => ({ kind: 'unpinned', severity: 'low', package: p, version: null, file: null, line: null, fix: { version: null, text: '' } });
      console.log(['zeep', 'aafire', 'yarl', 'idna', 'Été'].map(f).sort((a, b) => compareFindings(a, b)).map((x) => x.package).join(' '));`;
    for (const locale of ['da_DK.UTF-8', 'lt_LT.UTF-8', 'C.UTF-8']) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, LANG: locale, LC_ALL: locale },
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim(), locale).toBe('aafire Été idna yarl zeep');
    }
  });
});

describe('sortFindings', () => {
  let seed = 7;
  const pick = <T>(items: readonly T[]): T => items[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % items.length]!;
  const severities: Severity[] = ['critical', 'high', 'medium', 'low', 'info', 'unknown'];
  const randomFindings = (count: number, packages: readonly (string | null)[], ids: readonly (string | undefined)[], scores: readonly (number | null)[]) =>
    Array.from({ length: count }, () =>
      finding({ kind: pick(KIND_ORDER), severity: pick(severities), cvss: pick(scores), package: pick(packages), id: pick(ids), file: pick([null, 'a.txt', 'B.txt', 'b/c.txt']), line: pick([null, 1, 2, 10]) }),
    );
  const byCompareFindings = (findings: Finding[], unknownAs: (typeof UNKNOWN_AS_LEVELS)[number]) => [...findings].sort((a, b) => compareFindings(a, b, unknownAs));

  it('puts findings in the order compareFindings does, ties kept in their order, for every way of counting unrated ones', () => {
    const normalized = ['django', 'django-x', 'aiohttp', 'a', 'a-1', '1a', 'tensorflow-gpu', null];
    const anyNames = [...normalized, 'Django', 'zope_x', 'zope.x', 'Été', 'e\u0301t', ''];
    const upperIds = ['PYSEC-2021-1', 'PYSEC-2021-10', 'GHSA-X', 'CVE-2020-9', 'MAL-1', undefined];
    const anyIds = [...upperIds, 'GHSA-abcd-ef01', 'ghsa-ABCD', 'pysec-2021-1'];
    const scores = [null, 9.8, 7.5, 7.5, 0, 10, 5.3];
    for (const [packages, ids] of [[normalized, upperIds], [anyNames, upperIds], [normalized, anyIds], [anyNames, anyIds]] as const) {
      for (const unknownAs of UNKNOWN_AS_LEVELS) {
        const findings = randomFindings(400, packages, ids, scores);
        const expected = byCompareFindings(findings, unknownAs);
        const sorted = sortFindings(findings, unknownAs);
        expect(sorted).toBe(findings); // in place
        // The same objects in the same places, equal ones included (a stable sort's order).
        expect(sorted.every((f, i) => f === expected[i])).toBe(true);
      }
    }
  });

  it('leaves scores that are not numbers (no order at all) to compareFindings', () => {
    const findings = randomFindings(50, ['a', 'b'], ['X-1', 'X-2'], [null, Number.NaN, 5, Number.POSITIVE_INFINITY]);
    const expected = byCompareFindings(findings, 'high');
    expect(sortFindings(findings, 'high').every((f, i) => f === expected[i])).toBe(true);
  });
});

describe('ordersByCodeUnits', () => {
  it('says texts sort natively in compareText order only when they do', () => {
    let seed = 3;
    const pick = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (const alphabet of ['abz09-', 'ABZ09-', 'aAbB09-', 'ab_.-09', 'ab09-é']) {
      for (let round = 0; round < 200; round++) {
        const texts = Array.from({ length: 6 }, () => Array.from({ length: pick(6) }, () => alphabet[pick(alphabet.length)]).join(''));
        if (ordersByCodeUnits(texts)) expect([...texts].sort(), texts.join(' ')).toEqual([...texts].sort(compareText));
      }
    }
    expect(ordersByCodeUnits(['django', 'tensorflow-gpu', 'a1', ''])).toBe(true);
    expect(ordersByCodeUnits(['PYSEC-2021-1', 'GHSA-X', 'CVE-1'])).toBe(true);
    // Cases mixed (`Z` before `a` by code unit, after it case-blind), and `_` (after letters by code unit, before digits by collation).
    expect(ordersByCodeUnits(['abc', 'ABD'])).toBe(false);
    expect(ordersByCodeUnits(['a_b', 'a1'])).toBe(false);
  });
});

describe("a package's primary place", () => {
  it('is, among entries of one kind, the file localeCompare put first (what path-scoped ignores match)', async () => {
    const tree = memorySource({ 'requirements.txt': 'flask==3.0.0\n\n\n\n\n\nurllib3==1.24.1\n', 'requirements_test.txt': 'pytest==8.0.0\n\nurllib3==1.24.1\n' });
    const { manifests } = await loadManifests(tree);
    const urllib3 = installedPackages(manifests.flatMap((m) => m.dependencies)).find((p) => p.name === 'urllib3');
    expect(urllib3!.primary).toMatchObject({ file: 'requirements_test.txt', line: 3 });
  });
});

describe('compareText', () => {
  it('orders as an English collator does, for printable ASCII and anything else', () => {
    const collator = new Intl.Collator('en');
    const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
    const pool = [...ascii, 'é', 'É', 'e\u0301', '\t', 'ß', '😀', 'Ａ'];
    let seed = 11;
    const pick = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const text = () => Array.from({ length: pick(7) }, () => (pick(4) === 0 ? pool[pick(pool.length)] : 'aAbB_-./09 '[pick(11)])).join('');
    const pairs: [string, string][] = ascii.flatMap((a) => ascii.map((b): [string, string] => [a, b]));
    for (let i = 0; i < 20_000; i++) pairs.push([text(), text()]);
    for (const [a, b] of pairs) expect(Math.sign(compareText(a, b)), `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(Math.sign(collator.compare(a, b)));
  });
});

describe('compareCodeUnits', () => {
  it('orders as < and a plain sort() do, by UTF-16 code unit, not as people read names', () => {
    const words = ['b', 'a_b', 'Z', 'é', 'a-b', 'a', 'z', '10', '9'];
    expect([...words].sort(compareCodeUnits)).toEqual([...words].sort());
    expect([...words].sort(compareCodeUnits)).toEqual(['10', '9', 'Z', 'a', 'a-b', 'a_b', 'b', 'z', 'é']);
    expect(compareCodeUnits('x', 'x')).toBe(0);
  });
});
