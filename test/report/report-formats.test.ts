/**
 * What a Python developer reads: the text, Markdown, JSON and SARIF reports of one real-shaped audit
 * (Django 2.1.5 pinned in a Pipfile and locked in Pipfile.lock, real PyPA advisories, a broken line).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { fileFinding, type Finding } from '../../src/audit/findings.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { ReportOptions } from '../../src/report/interface.js';
import { renderSarif } from '../../src/report/sarif.js';
import type { CodeFinding, ScanResult } from '../../src/scan/types.js';
import { shorten } from '../../src/report/shorten.js';
import { renderText } from '../../src/report/text.js';
import { packageVersion } from '../../src/version.js';
import { project, realMirror, registryOf, release } from '../audit/helpers.js';

const now = new Date('2026-11-28T12:00:00Z');
const LONG = 'x'.repeat(5000);

let result: AuditResult;
beforeAll(async () => {
  result = await auditFileSource(
    memorySource({
      'Pipfile': '[packages]\ndjango = "==2.1.5"\npyyaml = "==5.3.1"\n',
      'Pipfile.lock': JSON.stringify(
        { _meta: { sources: [] }, default: { django: { version: '==2.1.5' }, pyyaml: { version: '==5.3.1' } }, develop: {} },
        null,
        2,
      ),
      'requirements.txt': `flask>=2 ; python_version < "2" and ${LONG}\n`,
    }),
    {
      target: 'app',
      advisories: await realMirror(),
      registry: registryOf([
        project('django', [release('2.1.5', '2019-01-04T00:00:00Z'), release('2.2.28', '2022-04-11T00:00:00Z')]),
        project('pyyaml', [release('5.3.1', '2020-03-18T00:00:00Z'), release('5.4', '2021-01-20T00:00:00Z')]),
        project('flask', [release('2.3.3', '2023-08-21T00:00:00Z')]),
      ]),
      now,
    },
  );
});

const django = () => result.findings.filter((f) => f.kind === 'vulnerability' && f.package === 'django');

describe('the text report', () => {
  it('groups vulnerabilities by package: one upgrade, both places, then every advisory worst first with its link', () => {
    const text = renderText(result, {});
    const n = django().length;
    expect(n).toBeGreaterThan(5);
    const block = text.slice(text.indexOf('  django 2.1.5'), text.indexOf('\n\n', text.indexOf('  django 2.1.5')));
    const lines = block.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `  django 2.1.5 → 2.2.28 clears ${n} advisories`,
      expect.stringMatching(/^ {4}at Pipfile:2; locked in Pipfile\.lock:\d+$/),
      '    fix: set `django = "==2.2.28"` in Pipfile:2, then run `pipenv upgrade django`.',
    ]);
    // Each advisory once, in report order (worst first), with a description and its OSV page.
    for (const f of django()) expect(block).toContain(`https://osv.dev/vulnerability/${f.id}`);
    const order = django().map((f) => block.indexOf(`${f.id} (`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(block).toContain('were subject to SQL injection.');
    expect(block).not.toContain('An issue was discovered in Django');
    // The package is reported once, not once per advisory.
    expect(text.split('django 2.1.5 →').length - 1).toBe(1);
  });

  it('counts in correct plurals', async () => {
    const text = renderText(result, {});
    expect(text).toMatch(/pyyaml 5\.3\.1 → 5\.4 clears 1 advisory\n/);
    expect(text).toMatch(/^VULNERABLE PACKAGES \(2\)$/m);
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^app: 2 dependencies, \d+ vulnerabilities in 2 packages \(\d+ not rated, treated as high\), \d+ other findings \(PARTIAL: not everything was read or checked\)$/);
    const one = { ...result, dependencies: 1, findings: result.findings.filter((f) => f.kind === 'no-hashes').slice(0, 1), errors: [], ignored: [], notes: [], partial: false, partialReasons: [] };
    expect(renderText(one, {}).trimEnd().split('\n').at(-1)).toBe('app: 1 dependency, no known vulnerabilities, 1 other finding');
    const single = await auditFileSource(memorySource({ 'requirements.txt': 'six==1.16.0\n' }), { target: 'one', advisories: await realMirror(), registry: null, now });
    expect(single.findings.find((f) => f.kind === 'no-hashes')?.fix.text).toMatch(/^1 of 1 pin in requirements\.txt has no --hash: /);
  });

  it('shortens a long problem line, keeping its place and start', () => {
    const problem = renderText(result, {}).split('\n').find((l) => l.startsWith('problem:'))!;
    expect(problem).toMatch(/^problem: requirements\.txt:1: Invalid marker: .*…$/);
    expect(problem.length).toBeLessThanOrEqual(200 + 'problem: '.length);
    // The message itself quotes at most 200 characters of the marker (quoted-input.ts), and says how long it was.
    expect(result.errors[0]!.message).toMatch(/^Invalid marker: '.{200}…' \(\d[\d,]+ characters\): /);
  });
});

describe('the Markdown report', () => {
  it('gives each vulnerable package a heading, its places, its fix, and a table of advisories', () => {
    const md = renderMarkdown(result, { fileUrl: (file, line) => `https://github.com/o/r/blob/abc/${file}${line ? `#L${line}` : ''}` });
    expect(md).toContain(`### Vulnerable packages (2)`);
    expect(md).toMatch(new RegExp(`#### [🔴🟠🟡🔵⚪] django 2\\.1\\.5 → 2\\.2\\.28 clears ${django().length} advisories\\n`));
    expect(md).toMatch(/At \[Pipfile:2\]\(https:\/\/github\.com\/o\/r\/blob\/abc\/Pipfile#L2\); locked in \[Pipfile\.lock:\d+\]\(https:\/\/github\.com\/o\/r\/blob\/abc\/Pipfile\.lock#L\d+\)\./);
    expect(md).toContain('**Fix:** set `django = "==2.2.28"` in [Pipfile:2](https://github.com/o/r/blob/abc/Pipfile#L2), then run `pipenv upgrade django`.');
    expect(md).toContain('| [PYSEC-2019-13](https://osv.dev/vulnerability/PYSEC-2019-13) (');
  });

  it('escapes a fix outside its code spans only, so `<5` shows as written in the table', () => {
    const outdated = {
      kind: 'outdated' as const,
      severity: 'info' as const,
      package: 'django',
      version: '4.2',
      file: 'requirements.txt',
      line: 3,
      fix: { version: null, text: 'the constraint `<5` in a|b <x> excludes 5.1; see `a|b`' },
    };
    const md = renderMarkdown({ ...result, findings: [outdated], errors: [], ignored: [], notes: [] }, {});
    const row = md.split('\n').find((l) => l.startsWith('| outdated |'))!;
    expect(row).toContain('| the constraint `<5` in a\\|b &lt;x> excludes 5.1; see `a\\|b` |');
    expect(row).not.toContain('`&lt;5`');
  });

  it('escapes a pipe in a file name in table cells, code spans included, and only there', () => {
    /** A GFM table row's cells: split at each pipe not escaped by a backslash (as GFM does, even in code spans). */
    const cells = (row: string) => row.replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/);
    const noLock = fileFinding({ kind: 'no-lockfile', severity: 'low', file: 'a|b`c.py', line: 1, text: 'Lock it.' });
    const code: ScanResult = {
      findings: [{ kind: 'code', rule: 'py-eval-exec', severity: 'high', confidence: 'high', file: 'x|y.py', line: 2, column: 5, message: 'eval() of input.', fix: 'Do not.' }],
      ignored: [],
      skipped: [],
      notes: [],
      stats: { files: 1, textFiles: 1, pythonFiles: 1, binaryFiles: 0, bytes: 1 },
      fingerprintScope: 'run',
      rules: [{ id: 'py-eval-exec', kind: 'code', title: 'eval', help: 'Help.' }],
      partial: false,
    };
    const md = renderMarkdown({ ...result, findings: [noLock], ignored: [], notes: [], code, errors: [{ file: 'p|q.txt', line: 1, message: 'bad' }] }, {});
    const lines = md.split('\n');
    const row = lines.find((l) => l.startsWith('| no-lockfile |'))!;
    expect(row).toContain('| `` a\\|b`c.py:1 `` |');
    expect(cells(row)).toHaveLength(4);
    const codeRow = lines.find((l) => l.includes('py-eval-exec'))!;
    expect(codeRow).toContain('| `x\\|y.py:2` col 5 |');
    expect(cells(codeRow)).toHaveLength(4);
    // Outside a table a code span shows what it holds: no backslash.
    expect(lines).toContain('- problem in `p|q.txt:1`: bad');
  });

  it('a fix text of 100,000 backtick runs is written in one pass, every character kept', () => {
    // Each opening run used to search the cell's runs from the first for its closing one
    // (quadratic in the runs of a cell); paired single backticks are code spans that read as given.
    const text = 'x`'.repeat(50_000);
    const noLock = fileFinding({ kind: 'no-lockfile', severity: 'low', file: 'requirements.txt', line: 1, text });
    const md = renderMarkdown({ ...result, findings: [noLock], ignored: [], notes: [] }, {});
    expect(md.split('\n').find((l) => l.startsWith('| no-lockfile |'))).toContain(`| ${text} |`);
  });

  it('shortens a long problem line', () => {
    const line = renderMarkdown(result, {}).split('\n').find((l) => l.startsWith('- problem in'))!;
    expect(line).toMatch(/^- problem in `requirements\.txt:1`: Invalid marker: .*…$/);
    expect(line.length).toBeLessThan(260);
  });
});

describe('the JSON report (additions only)', () => {
  it('keeps every contract field and adds locations, structured fix advice and vulnerable_packages', () => {
    const json = JSON.parse(renderJson(result, {}));
    const first = json.findings.find((f: { package: string; kind: string }) => f.package === 'django' && f.kind === 'vulnerability');
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['kind', 'severity', 'package', 'version', 'file', 'line', 'id', 'aliases', 'summary', 'fixed_versions', 'fix']));
    expect(first.fix).toMatchObject({ version: '2.2.28', text: expect.stringMatching(/^Upgrade django 2\.1\.5 to 2\.2\.28 /) });
    expect(first.fix.advice).toEqual({
      from: '2.1.5',
      to: '2.2.28',
      constraints: [{ file: 'Pipfile', line: 2, specifier: '==2.1.5', admits_fix: false, pin: true }],
      edits: [{ file: 'Pipfile', line: 2, write: 'django = "==2.2.28"' }],
      commands: [{ run: 'pipenv upgrade django', dir: '.' }],
      transitive: false,
    });
    expect(first.locations).toEqual([
      { file: 'Pipfile', line: 2, role: 'pin', specifier: '==2.1.5' },
      { file: 'Pipfile.lock', line: expect.any(Number), role: 'lock' },
    ]);
    expect(json.vulnerable_packages.map((p: { headline: string }) => p.headline)).toEqual([
      expect.stringMatching(/^django 2\.1\.5 → 2\.2\.28 clears \d+ advisories$/),
      'pyyaml 5.3.1 → 5.4 clears 1 advisory',
    ]);
    expect(json.vulnerable_packages[0]).toMatchObject({ package: 'django', version: '2.1.5', advisories: django().map((f) => f.id), locations: first.locations });
  });
});

describe('the SARIF report', () => {
  it('points at the pin and lists the lock entry as a related location', () => {
    const sarif = JSON.parse(renderSarif(result, {}));
    const hit = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'PYSEC-2019-13');
    expect(hit.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'Pipfile' }, region: { startLine: 2 } });
    expect(hit.relatedLocations).toEqual([{ id: 1, physicalLocation: { artifactLocation: { uri: 'Pipfile.lock' }, region: { startLine: expect.any(Number) } }, message: { text: 'locked here' } }]);
    expect(hit.message.text).toMatch(/^django 2\.1\.5: Due to an error in shallow key transformation, .* SQL injection\. \(not rated by the source; treated as high\) Upgrade django/);
  });
});

describe('the SARIF tool', () => {
  it('names Depwatch with the version `depwatch --version` prints, and no home page it does not have', () => {
    const driver = JSON.parse(renderSarif(result, {})).runs[0].tool.driver;
    expect(driver).toMatchObject({ name: 'depwatch', version: packageVersion() });
    expect(driver).not.toHaveProperty('informationUri');
  });
});

describe('SARIF kind rules and fingerprints', () => {
  const sarifOf = (findings: Finding[]) =>
    JSON.parse(
      renderSarif({ ...result, findings, ignored: [], warnings: [], partial: false, partialReasons: [], code: undefined }, {}),
    ).runs[0];
  const eol = (severity: 'high' | 'low', file: string) => fileFinding({ kind: 'python-eol', severity, file, line: 1, text: `Move ${file} off Python 3.8.` });

  it('gives file-level findings in different files different fingerprints; advisories keep theirs', () => {
    const run = sarifOf([
      fileFinding({ kind: 'no-lockfile', severity: 'low', file: 'api/pyproject.toml', text: 'Lock it.' }),
      fileFinding({ kind: 'no-lockfile', severity: 'low', file: 'web/pyproject.toml', text: 'Lock it.' }),
      { ...django()[0]!, file: 'elsewhere.txt' },
    ]);
    const prints = run.results.map((r: { partialFingerprints: { depwatchFinding: string } }) => r.partialFingerprints.depwatchFinding);
    expect(prints[0]).not.toBe(prints[1]);
    expect(prints[2]).toBe(['vulnerability', django()[0]!.id, 'django', '2.1.5'].join('|'));
  });

  it('gives each index line of a file its own fingerprint, by its index, so an alert and its dismissal stay with the index when lines come and go', () => {
    const index = (line: number, url: string) => fileFinding({ kind: 'extra-index-url', severity: 'medium', file: 'requirements.txt', line, text: `An extra index at line ${line}.`, details: { url, option: 'extra-index-url' } });
    const prints = (findings: Finding[]) => sarifOf(findings).results.map((r: { partialFingerprints: { depwatchFinding: string } }) => r.partialFingerprints.depwatchFinding);
    const before = prints([index(1, 'https://a.example/simple'), index(4, 'https://b.example/simple')]);
    expect(before).toEqual(['extra-index-url||||requirements.txt|https://a.example/simple', 'extra-index-url||||requirements.txt|https://b.example/simple']);
    // A new index line above both: the others keep theirs, the new one gets its own.
    const after = prints([index(1, 'https://new.example/simple'), index(2, 'https://a.example/simple'), index(5, 'https://b.example/simple')]);
    expect(after.slice(1)).toEqual(before);
    expect(after[0]).toBe('extra-index-url||||requirements.txt|https://new.example/simple');
    // The same index on two lines: told apart by order.
    expect(prints([index(1, 'https://a.example/simple'), index(3, 'https://a.example/simple')])[1]).toBe('extra-index-url||||requirements.txt|https://a.example/simple|2');
  });

  it('one rule per kind with generic help and a severity no lower than any of its results; each result carries its own', () => {
    const run = sarifOf([eol('high', 'Dockerfile'), eol('low', '.python-version')]);
    expect(run.tool.driver.rules).toHaveLength(1);
    const rule = run.tool.driver.rules[0];
    expect(rule.id).toBe('depwatch/python-eol');
    expect(rule.help.text).not.toContain('Dockerfile');
    expect(rule.properties['security-severity']).toBe('8.0');
    const low = run.results.find((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0]!.physicalLocation.artifactLocation.uri === '.python-version');
    expect(low).toMatchObject({ ruleId: 'depwatch/python-eol', level: 'note', properties: { severity: 'low', 'security-severity': '3.0' } });
    expect(run.results[0]).toMatchObject({ level: 'error', properties: { severity: 'high', 'security-severity': '8.0' } });
  });
});

describe('shorten', () => {
  it('keeps short text, and cuts long text at a word with an ellipsis', () => {
    expect(shorten('fine as it is')).toBe('fine as it is');
    expect(shorten(`${'word '.repeat(100)}`, 40)).toBe('word word word word word word word word…');
    expect(shorten('a\nmulti-line\n\nmessage', 200)).toBe('a multi-line message');
  });
});

describe('SARIF artifact locations', () => {
  const codeFinding = (file: string, extra: Partial<CodeFinding> = {}): CodeFinding => ({
    kind: 'code',
    rule: 'py-eval-exec',
    severity: 'high',
    confidence: 'high',
    file,
    line: 2,
    column: 5,
    message: 'eval() of input.',
    fix: 'Do not.',
    ...extra,
  });
  const scanOf = (findings: CodeFinding[], fingerprintScope: ScanResult['fingerprintScope'] = 'run'): ScanResult => ({
    findings,
    ignored: [],
    skipped: [],
    notes: [],
    stats: { files: 1, textFiles: 1, pythonFiles: 1, binaryFiles: 0, bytes: 1 },
    fingerprintScope,
    rules: [...new Set(findings.map((f) => f.rule))].map((id) => ({ id, kind: 'code' as const, title: id, help: 'Help.' })),
    partial: false,
  });
  const runOf = (findings: Finding[], code: CodeFinding[] = [], options: ReportOptions = {}) =>
    JSON.parse(renderSarif({ ...result, findings, ignored: [], warnings: [], partial: false, partialReasons: [], code: scanOf(code) }, options)).runs[0];
  const uris = (run: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }) =>
    run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);

  it('are URI references: each path segment percent-encoded (UTF-8), the / between them kept; fingerprints keep the path as text', () => {
    const run = runOf(
      [fileFinding({ kind: 'no-lockfile', severity: 'low', file: 'app dir/conf ig.py', text: 'Lock it.' })],
      [codeFinding('app dir/ünï/vïews.py'), codeFinding('a|b`c.py'), codeFinding('odd/100%#?[x]{y}^\\.py')],
    );
    expect(uris(run)).toEqual(['app%20dir/conf%20ig.py', 'app%20dir/%C3%BCn%C3%AF/v%C3%AFews.py', 'a%7Cb%60c.py', 'odd/100%25%23%3F%5Bx%5D%7By%7D%5E%5C.py']);
    // Each is a valid relative reference that decodes back to the path.
    for (const uri of uris(run)) expect(uri).toMatch(/^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})+$/);
    expect(uris(run).map(decodeURIComponent)).toEqual(['app dir/conf ig.py', 'app dir/ünï/vïews.py', 'a|b`c.py', 'odd/100%#?[x]{y}^\\.py']);
    expect(run.results[0].partialFingerprints.depwatchFinding).toBe('no-lockfile||||app dir/conf ig.py');
    expect(run.results[1].partialFingerprints.depwatchCode).toBe('py-eval-exec|app dir/ünï/vïews.py|');
    expect(run.results[2].partialFingerprints.depwatchCode).toBe('py-eval-exec|a|b`c.py|');
  });

  it('gives a secret no partial fingerprint when its fingerprint is per run, and says so in the run; keyed ones keep theirs', () => {
    const secret = codeFinding('ci/deploy.yml', { kind: 'secret', rule: 'secret-github-token', severity: 'critical', secret: { kind: 'GitHub token', fingerprint: '3734ae98c1abe309' } });
    const perRun = JSON.parse(renderSarif({ ...result, findings: [], ignored: [], warnings: [], partial: false, partialReasons: [], code: scanOf([secret, codeFinding('app/views.py')], 'run') }, {})).runs[0];
    const [secretResult, evalResult] = perRun.results;
    expect(secretResult.ruleId).toBe('secret-github-token');
    expect(secretResult.partialFingerprints).toBeUndefined();
    expect(JSON.stringify(secretResult.partialFingerprints ?? {})).not.toContain('3734ae98c1abe309');
    expect(evalResult.partialFingerprints).toEqual({ depwatchCode: 'py-eval-exec|app/views.py|' });
    expect(perRun.properties).toEqual({ fingerprintScope: 'run', fingerprintNote: expect.stringContaining('DEPWATCH_FINGERPRINT_KEY') });

    const keyed = JSON.parse(renderSarif({ ...result, findings: [], ignored: [], warnings: [], partial: false, partialReasons: [], code: scanOf([secret], 'installation') }, {})).runs[0];
    expect(keyed.results[0].partialFingerprints).toEqual({ depwatchCode: 'secret-github-token|ci/deploy.yml|3734ae98c1abe309' });
    expect(keyed.properties).toEqual({ fingerprintScope: 'installation' });
  });

  it('encodes related locations and partial-result notifications too', () => {
    const pinned = { ...django()[0]!, file: 'sp ace/Pipfile', locations: [{ file: 'sp ace/Pipfile', line: 2, role: 'pin' as const }, { file: 'sp ace/Pipfile.lock', line: 9, role: 'lock' as const }] };
    const run = JSON.parse(
      renderSarif(
        { ...result, findings: [pinned], ignored: [], warnings: [], partial: true, partialReasons: [{ kind: 'unread', file: 'x y/requirements.txt', line: 3, message: 'could not be read' }], code: undefined },
        {},
      ),
    ).runs[0];
    expect(uris(run)).toEqual(['sp%20ace/Pipfile']);
    expect(run.results[0].relatedLocations[0].physicalLocation.artifactLocation.uri).toBe('sp%20ace/Pipfile.lock');
    expect(run.invocations[0].toolExecutionNotifications[0].locations[0].physicalLocation.artifactLocation.uri).toBe('x%20y/requirements.txt');
  });
});

describe('SARIF paths from a source root', () => {
  const run = (options: ReportOptions) =>
    JSON.parse(
      renderSarif(
        { ...result, findings: [{ ...django()[0]!, file: 'Pipfile', locations: [{ file: 'Pipfile', line: 2, role: 'pin' as const }, { file: 'Pipfile.lock', line: 9, role: 'lock' as const }] }], ignored: [], warnings: [], partial: false, partialReasons: [], code: undefined },
        options,
      ),
    ).runs[0];

  it('prefixes each path with the way from the source root, names the root by uriBaseId, and gives its file URI in originalUriBaseIds', () => {
    const r = run({ sourceRoot: { uri: 'file:///home/me/mono%20repo/', prefix: 'svc dir/api/' } });
    expect(r.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///home/me/mono%20repo/' } });
    expect(r.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'svc%20dir/api/Pipfile', uriBaseId: '%SRCROOT%' });
    expect(r.results[0].relatedLocations[0].physicalLocation.artifactLocation).toEqual({ uri: 'svc%20dir/api/Pipfile.lock', uriBaseId: '%SRCROOT%' });
    // Fingerprints are the audited folder's paths, as before.
    expect(r.results[0].partialFingerprints.depwatchFinding).toBe(['vulnerability', django()[0]!.id, 'django', '2.1.5'].join('|'));
  });

  it('without one (a GitHub repository: paths already from its root), no base and no prefix', () => {
    const r = run({});
    expect(r.originalUriBaseIds).toBeUndefined();
    expect(r.results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'Pipfile' });
  });
});
