/**
 * A pinned package the package index answers 404 for (`my-internal-lib==1.0`) is a finding of its
 * own, `not-on-index`: an online audit used to finish clean about it (exit 0, no word) while
 * `depwatch package` called the same name "avoid". With another index configured it is a
 * dependency-confusion risk; without one, a typo or a removed project. A registry that fails is a
 * partial result, never this finding; an offline audit does not ask, and says so.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let osv: FakeOsv;
let pypi: FakePypi;

interface JsonFinding {
  kind: string;
  severity: string;
  package: string | null;
  version: string | null;
  file: string | null;
  line: number | null;
  fix: { text: string };
  details?: Record<string, unknown>;
}

/** Each audit its own database: the PyPI client caches a 404 for an hour. */
const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(mkdtempSync(join(tmpdir(), 'depwatch-noindex-')), 'depwatch.db'), OSV_API_URL: osv.url, PYPI_URL: pypi.url } });

async function auditJson(dir: string, ...flags: string[]) {
  const { out, run } = cli();
  const status = await run('audit', '--no-code', '--json', ...flags, dir);
  const json = JSON.parse(out.stdout) as { findings: JsonFinding[]; partial: boolean; notices: string[]; warnings: string[] };
  return { status, json, stderr: out.stderr, notOnIndex: json.findings.filter((f) => f.kind === 'not-on-index') };
}

beforeAll(async () => {
  osv = await startFakeOsv({ records: [] });
  pypi = await startFakePypi({ projects: [{ name: 'six', releases: [{ version: '1.16.0', uploadTime: '2021-05-05T00:00:00Z' }] }] });
});

afterAll(async () => {
  await Promise.all([osv.close(), pypi.close()]);
});

describe('a pinned package the index does not have', () => {
  it('is a medium finding at its pin: a typo or a removed project when the project names no other index', async () => {
    const dir = writeTree('depwatch-noindex-', { 'requirements.txt': 'six==1.16.0\nmy-internal-lib==1.0\n' });
    const { json, notOnIndex } = await auditJson(dir);
    expect(json.partial).toBe(false);
    expect(notOnIndex).toEqual([
      expect.objectContaining({
        severity: 'medium',
        package: 'my-internal-lib',
        version: '1.0',
        file: 'requirements.txt',
        line: 2,
        details: { risk: 'typo-or-removed', other_indexes: [], direct: true },
      }),
    ]);
    expect(notOnIndex[0]!.fix.text).toBe(
      'my-internal-lib 1.0 is not on the package index (PyPI), and the project configures no other index, so pip could not install it from there: a typo, or a project removed from PyPI. Check the name; a removed project\'s name can be registered again by anyone.',
    );
  });

  it('is dependency confusion when the project configures another index, naming it without its credentials', async () => {
    const dir = writeTree('depwatch-noindex-', { 'requirements.txt': '--extra-index-url https://deploy:s3cret@pypi.internal.example/simple\nsix==1.16.0\nmy-internal-lib==1.0\n' });
    const { notOnIndex } = await auditJson(dir);
    expect(notOnIndex).toHaveLength(1);
    expect(notOnIndex[0]!.details).toEqual({ risk: 'dependency-confusion', other_indexes: ['https://pypi.internal.example/simple'], direct: true });
    expect(notOnIndex[0]!.fix.text).toContain('it probably comes from the other index this project configures (https://pypi.internal.example/simple), and anyone can register the name on PyPI');
    expect(notOnIndex[0]!.fix.text).toContain('(dependency confusion). Reserve the name on PyPI, or make the private index the only one for it (uv `explicit = true` index, pip `--index-url` with no extra index).');
    expect(notOnIndex[0]!.fix.text).not.toContain('s3cret');
  });

  it('names the other indexes as every list in a message is named: "a and b", then "a, b, c and 1 more"', async () => {
    const indexes = ['https://one.example/simple', 'https://two.example/simple', 'https://three.example/simple', 'https://four.example/simple'];
    const textWith = async (n: number) => {
      const dir = writeTree('depwatch-noindex-', { 'requirements.txt': `${indexes.slice(0, n).map((u) => `--extra-index-url ${u}\n`).join('')}my-internal-lib==1.0\n` });
      return (await auditJson(dir)).notOnIndex[0]!.fix.text;
    };
    expect(await textWith(2)).toContain('configures (https://one.example/simple and https://two.example/simple), and anyone');
    expect(await textWith(4)).toContain('configures (https://one.example/simple, https://two.example/simple, https://three.example/simple and 1 more), and anyone');
  });

  it('counts a uv index as another index, and an --index-url naming PyPI itself as none', async () => {
    const uv = writeTree('depwatch-noindex-', {
      'pyproject.toml': '[project]\nname = "app"\nversion = "1"\ndependencies = ["my-internal-lib==1.0"]\n\n[[tool.uv.index]]\nname = "internal"\nurl = "https://pypi.internal.example/simple"\n',
    });
    expect((await auditJson(uv)).notOnIndex.map((f) => f.details?.risk)).toEqual(['dependency-confusion']);

    const pypiItself = writeTree('depwatch-noindex-', { 'requirements.txt': '--index-url https://pypi.org/simple\nmy-internal-lib==1.0\n' });
    expect((await auditJson(pypiItself)).notOnIndex.map((f) => f.details?.risk)).toEqual(['typo-or-removed']);
  });

  it('fails the run at --fail-on medium (exit 1), not at --fail-on high', async () => {
    const missing = writeTree('depwatch-noindex-', { 'requirements.txt': 'six==1.16.0 --hash=sha256:' + '0'.repeat(64) + '\nmy-internal-lib==1.0 --hash=sha256:' + '1'.repeat(64) + '\n' });
    const present = writeTree('depwatch-noindex-', { 'requirements.txt': 'six==1.16.0 --hash=sha256:' + '0'.repeat(64) + '\n' });
    expect((await auditJson(present, '--fail-on', 'medium')).status).toBe(0);
    expect((await auditJson(missing, '--fail-on', 'high')).status).toBe(0);
    const failed = await auditJson(missing, '--fail-on', 'medium');
    expect(failed.status).toBe(1);
    expect(failed.json.findings.filter((f) => f.severity === 'medium').map((f) => f.kind)).toEqual(['not-on-index']);
  });

  it('is not said of a package from a VCS or a URL, which is not installed from the index', async () => {
    const dir = writeTree('depwatch-noindex-', { 'requirements.txt': 'my-internal-lib @ git+https://git.example/lib.git@' + 'a'.repeat(40) + '\nother-lib @ https://files.example/other_lib-1.0-py3-none-any.whl\n' });
    expect((await auditJson(dir)).notOnIndex).toEqual([]);
  });

  it('is not said when the index fails (5xx): the result is partial instead', async () => {
    // A name of its own: the failures stay with it, whatever the client's retries.
    const dir = writeTree('depwatch-noindex-', { 'requirements.txt': 'six==1.16.0\nflaky-internal-lib==1.0\n' });
    pypi.fail({ match: 'flaky-internal-lib', status: 503, times: 1000 });
    const { status, json, stderr, notOnIndex } = await auditJson(dir);
    expect(notOnIndex).toEqual([]);
    expect(json.partial).toBe(true);
    // six was read: only the package the index failed for is said not to be checked.
    expect(json.warnings).toEqual([expect.stringMatching(/^package registry unavailable for flaky-internal-lib \(.*\): whether it is outdated, yanked or not on the index was not checked$/)]);
    expect(stderr).toMatch(/WARNING: package registry unavailable/);
    expect(status).toBe(2);
  }, 30_000);

  it('is not said offline, where the index is not asked: a notice says what was not checked', async () => {
    const dir = writeTree('depwatch-noindex-', { 'requirements.txt': 'my-internal-lib==1.0\n' });
    const db = join(mkdtempSync(join(tmpdir(), 'depwatch-noindex-')), 'depwatch.db');
    expect(await inProcessCli({ env: { DEPWATCH_DB: db, ...UNREACHABLE_SERVICES } }).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
    const offline = inProcessCli({ env: { DEPWATCH_DB: db, ...UNREACHABLE_SERVICES } });
    expect(await offline.run('audit', '--no-code', '--json', '--offline', dir)).toBe(0);
    const json = JSON.parse(offline.out.stdout) as { findings: JsonFinding[]; partial: boolean; notices: string[] };
    expect(json.findings.filter((f) => f.kind === 'not-on-index')).toEqual([]);
    expect(json.partial).toBe(false);
    expect(json.notices).toContain('outdated and yanked releases and packages not on the index were not checked (offline: PyPI was not asked)');
  });

  it('shows in text, Markdown and SARIF (its own rule, depwatch/not-on-index)', async () => {
    const dir = writeTree('depwatch-noindex-', { 'requirements.txt': 'my-internal-lib==1.0\n' });
    const text = cli();
    await text.run('audit', '--no-code', dir);
    expect(text.out.stdout).toContain('not-on-index  my-internal-lib 1.0');

    const markdown = cli();
    await markdown.run('audit', '--no-code', '--markdown', dir);
    expect(markdown.out.stdout).toMatch(/\| not-on-index \| my-internal-lib 1\.0 \|/);

    const sarif = cli();
    await sarif.run('audit', '--no-code', '--sarif', dir);
    const run = JSON.parse(sarif.out.stdout).runs[0];
    const rule = run.tool.driver.rules.find((r: { id: string }) => r.id === 'depwatch/not-on-index');
    expect(rule.help.text).toContain('not on the package index');
    expect(run.results).toContainEqual(expect.objectContaining({ ruleId: 'depwatch/not-on-index', level: 'warning' }));
  });
});

describe('an ignore by kind', () => {
  it('covers the finding of the package it names (id: not-on-index, package:)', async () => {
    const dir = writeTree('depwatch-noindex-', {
      'requirements.txt': 'my-internal-lib==1.0\n',
      '.depwatch.yml': 'ignore:\n  - id: not-on-index\n    package: my-internal-lib\n    reason: the name is reserved on PyPI\n',
    });
    const { out, run } = cli();
    await run('audit', '--no-code', '--json', dir);
    const json = JSON.parse(out.stdout) as { findings: JsonFinding[]; ignored: JsonFinding[] };
    expect(json.findings.filter((f) => f.kind === 'not-on-index')).toEqual([]);
    expect(json.ignored).toEqual([expect.objectContaining({ kind: 'not-on-index', package: 'my-internal-lib' })]);
  });
});
