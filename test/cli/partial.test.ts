/**
 * Fail closed on what was not read: a manifest that could not be read (not TOML / JSON, binary,
 * over the size cap, not UTF-8, a line that failed to parse) or a folder with no manifests at all
 * makes the audit partial: exit 2 (1 when findings already fail it), and every format says why.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES } from '../../src/python/load.js';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dataDir: string;

const cli = (cwd = process.cwd()) => inProcessCli({ cwd, env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

/** A folder holding these files. */
const project = (files: Record<string, string | Buffer>) => writeTree('depwatch-partial-', files);

interface Reason {
  kind: string;
  file?: string;
  line?: number | null;
  message: string;
}

async function auditJson(dir: string, ...flags: string[]) {
  const c = cli();
  const code = await c.run('audit', '--offline', '--json', ...flags, dir);
  return { code, json: JSON.parse(c.out.stdout) as { partial: boolean; partial_reasons: Reason[]; findings: { kind: string }[]; errors: unknown[] }, stderr: c.out.stderr };
}

const BROKEN_LOCK = '[[package]]\nname = "urllib3"\nversion = "1.24.1"\n<<<<<<< HEAD\n';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-partial-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

describe('a manifest that could not be read makes the audit partial (exit 2)', () => {
  const unreadable: [string, Record<string, string | Buffer>, string, RegExp][] = [
    ['a lockfile that is not valid TOML', { 'pyproject.toml': '[project]\nname = "app"\ndependencies = ["urllib3"]\n', 'poetry.lock': BROKEN_LOCK }, 'poetry.lock', /not valid TOML/],
    ['a broken pyproject.toml', { 'pyproject.toml': '[project\nname = "app"\n' }, 'pyproject.toml', /TOML/],
    ['a Pipfile.lock that is not JSON', { 'Pipfile.lock': '{"_meta": {' }, 'Pipfile.lock', /not valid JSON/],
    // Binary on evidence: NUL bytes on most lines, and on three at least (src/scan/text.ts decodeLines).
    ['a binary file', { 'requirements.txt': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x0a, 0x00, 0x01, 0x0a, 0x00, 0x02, 0x0a, 0x00, 0x03]) }, 'requirements.txt', /binary file/],
    ['a requirement line holding a NUL byte', { 'requirements.txt': Buffer.from('requests==2.31.0\nflask\x00==3.0\n', 'latin1') }, 'requirements.txt', /holds a NUL byte/],
    ['a file over the size cap', { 'requirements.txt': `# ${'x'.repeat(MAX_MANIFEST_BYTES)}\n` }, 'requirements.txt', /over the 5 MB limit/],
    ['a requirement line that is not UTF-8', { 'requirements.txt': Buffer.from('requests==2.31.0\ncaf\xe9==1.0\n', 'latin1') }, 'requirements.txt', /not valid UTF-8/],
    ['a pyproject.toml that is not UTF-8', { 'pyproject.toml': Buffer.from('[project]\nname = "app"\n# caf\xe9\n', 'latin1') }, 'pyproject.toml', /not valid UTF-8 text/],
    ['a line that failed to parse', { 'requirements.txt': 'requests==2.31.0\nflask >= = 2 ((\n' }, 'requirements.txt', /./],
  ];
  for (const [what, files, file, message] of unreadable) {
    it(`${what}: exit 2, partial: true and why`, async () => {
      const { code, json, stderr } = await auditJson(project(files), '--fail-on', 'never');
      expect(code).toBe(2);
      expect(json.partial).toBe(true);
      expect(json.partial_reasons).toContainEqual(expect.objectContaining({ kind: 'unread', file, message: expect.stringMatching(message) }));
      expect(stderr).toMatch(new RegExp(`^depwatch: PARTIAL: ${file.replace('.', '\\.')}`, 'm'));
    });
  }

  it('a folder with no manifests at all: exit 2, never "no known vulnerabilities" alone', async () => {
    const dir = project({ 'README.md': '# nothing here\n', 'src/app.py': 'print(1)\n' });
    const { code, json } = await auditJson(dir);
    expect(code).toBe(2);
    expect(json.partial_reasons).toEqual([{ kind: 'no-manifests', message: expect.stringContaining('no Python manifest or lockfile was found') }]);
    const text = cli();
    expect(await text.run('audit', '--offline', dir)).toBe(2);
    expect(text.out.stdout).toContain('PARTIAL RESULT: not everything was read or checked');
    expect(text.out.stdout).toMatch(/no known vulnerabilities, 0 other findings, [^\n]*\(PARTIAL: not everything was read or checked\)\n$/);
  });

  it('a folder whose only manifest is a pipe: the pipe is named, and no manifest could be read (not "none was found")', async () => {
    const dir = project({ 'README.md': '# a pipe\n' });
    execFileSync('mkfifo', [join(dir, 'requirements.txt')]);
    const { code, json } = await auditJson(dir);
    expect(code).toBe(2);
    expect(json.partial_reasons).toEqual([
      { kind: 'unread', file: 'requirements.txt', line: null, message: 'not a regular file (a pipe, socket, device or folder); not read' },
      { kind: 'no-manifests', message: 'no Python manifest or lockfile could be read: nothing was checked' },
    ]);
  });

  it('no advisory source reached: the summary says vulnerabilities were not checked, never "no known vulnerabilities"', async () => {
    const dir = project({ 'requirements.txt': 'django==2.1.5\n' });
    for (const format of [[], ['--markdown']]) {
      // Online, with OSV unreachable and an empty mirror to stand in for it.
      const c = inProcessCli({ env: { DEPWATCH_DB: join(mkdtempSync(join(tmpdir(), 'depwatch-partial-empty-')), 'empty.db'), ...UNREACHABLE_SERVICES } });
      expect(await c.run('audit', '--no-code', ...format, dir)).toBe(2);
      expect(c.out.stdout).toContain(': 1 dependency, vulnerabilities NOT checked, ');
      expect(c.out.stdout).not.toContain('no known vulnerabilities');
    }
  });

  it('findings that fail the gate still exit 1, and the result still says it is partial', async () => {
    const { code, json } = await auditJson(project({ 'requirements.txt': 'django==2.1.5\n', 'poetry.lock': BROKEN_LOCK }));
    expect(code).toBe(1);
    expect(json.partial).toBe(true);
    expect(json.findings.some((f) => f.kind === 'vulnerability')).toBe(true);
  });

  it('a dependency-groups include cycle is a note too: every group\'s own requirements are still read', async () => {
    const pyproject = '[project]\nname = "app"\nversion = "1"\ndependencies = ["attrs==23.1.0"]\n\n[dependency-groups]\ncyc = ["six==1.16.0", {include-group = "cyc"}]\n';
    const { code, json } = await auditJson(project({ 'pyproject.toml': pyproject }), '--fail-on', 'never');
    expect(json.partial).toBe(false);
    expect(json.partial_reasons).toEqual([]);
    expect(code).toBe(0);
    expect(json.errors).toEqual([
      { file: 'pyproject.toml', line: 7, message: 'dependency-groups include cycle: cyc → cyc (each group is read once; uv and pip refuse such a file, PEP 735: remove the include that closes it)', note: true },
    ]);
  });

  it('an include cycle is a note, not a partial result: each file is still read once', async () => {
    const dir = project({ 'requirements.txt': 'attrs==23.1.0\n-r dev.txt\n', 'dev.txt': '-r requirements.txt\n' });
    const { code, json } = await auditJson(dir, '--fail-on', 'never');
    expect(json.partial).toBe(false);
    expect(json.partial_reasons).toEqual([]);
    expect(code).toBe(0);

    // SARIF says it as JSON's errors[] does: a note at the include line, and the run succeeded.
    const [cycle] = json.errors as { file: string; line: number; message: string; note: boolean }[];
    expect(cycle).toMatchObject({ note: true });
    const sarif = cli();
    await sarif.run('audit', '--offline', '--sarif', '--fail-on', 'never', dir);
    const [invocation] = JSON.parse(sarif.out.stdout).runs[0].invocations;
    expect(invocation.executionSuccessful).toBe(true);
    expect(invocation.toolExecutionNotifications.filter((n: { descriptor: { id: string } }) => n.descriptor.id === 'depwatch/note')).toEqual([
      {
        level: 'note',
        message: { text: `${cycle!.file}:${cycle!.line}: ${cycle!.message}` },
        descriptor: { id: 'depwatch/note' },
        locations: [{ physicalLocation: { artifactLocation: { uri: cycle!.file, uriBaseId: '%SRCROOT%' }, region: { startLine: cycle!.line } } }],
      },
    ]);
  });

  it('says so in SARIF: the invocation did not succeed, with a notification per reason', async () => {
    // What every offline audit says, partial or not: notes (`depwatch/notice`), never reasons.
    const OFFLINE_NOTES = [
      { level: 'note', descriptor: { id: 'depwatch/notice' }, message: { text: expect.stringMatching(/^advisories from the local mirror/) } },
      { level: 'note', descriptor: { id: 'depwatch/notice' }, message: { text: 'outdated and yanked releases and packages not on the index were not checked (offline: PyPI was not asked)' } },
    ];
    const c = cli();
    expect(await c.run('audit', '--offline', '--sarif', '--fail-on', 'never', project({ 'requirements.txt': 'requests==2.31.0\n', 'poetry.lock': BROKEN_LOCK }))).toBe(2);
    const [invocation] = JSON.parse(c.out.stdout).runs[0].invocations;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toEqual([
      {
        level: 'error',
        descriptor: { id: 'depwatch/partial/unread' },
        message: { text: expect.stringMatching(/^poetry\.lock:\d+ not read completely: poetry\.lock is not valid TOML/) },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'poetry.lock', uriBaseId: '%SRCROOT%' }, region: { startLine: expect.any(Number) } } }],
      },
      ...OFFLINE_NOTES,
    ]);
    const complete = cli();
    await complete.run('audit', '--offline', '--sarif', '--fail-on', 'never', project({ 'requirements.txt': 'requests==2.31.0\n' }));
    expect(JSON.parse(complete.out.stdout).runs[0].invocations).toEqual([{ executionSuccessful: true, toolExecutionNotifications: OFFLINE_NOTES }]);
  });

  it('says so in Markdown', async () => {
    const c = cli();
    await c.run('audit', '--offline', '--markdown', '--fail-on', 'never', project({ 'poetry.lock': BROKEN_LOCK }));
    expect(c.out.stdout).toContain('> **Partial result:** not everything was read or checked');
    expect(c.out.stdout).toMatch(/> - poetry\.lock:\d+ not read completely/);
  });
});

describe('a lock entry that cannot be rated makes the audit partial, naming the file, line and package', () => {
  const unrated: [string, Record<string, string>, string, number, RegExp][] = [
    [
      'a Pipfile.lock "version" that is a wildcard',
      { 'Pipfile.lock': '{"_meta": {"pipfile-spec": 6, "requires": {}, "sources": []},\n "default": {"urllib3": {"version": "==1.24.*", "hashes": ["sha256:aa"]}}, "develop": {}}\n' },
      'Pipfile.lock',
      2,
      /entry urllib3: version "==1\.24\.\*" is not an exact pin/,
    ],
    ['a poetry.lock version that is a range', { 'poetry.lock': '[[package]]\nname = "urllib3"\nversion = ">=2.1"\n' }, 'poetry.lock', 1, /package urllib3: version ">=2\.1" is not a PEP 440 version/],
    [
      'a uv.lock release from an index without a version',
      { 'uv.lock': 'version = 1\nrequires-python = ">=3.12"\n\n[[package]]\nname = "jinja2"\nsource = { registry = "https://pypi.org/simple" }\n' },
      'uv.lock',
      4,
      /package jinja2 has no version/,
    ],
  ];
  for (const [what, files, file, line, message] of unrated) {
    it(`${what}: exit 2, partial: true and why`, async () => {
      const dir = project(files);
      const { code, json, stderr } = await auditJson(dir);
      expect(code).toBe(2);
      expect(json.partial).toBe(true);
      expect(json.partial_reasons).toContainEqual(expect.objectContaining({ kind: 'unread', file, line, message: expect.stringMatching(message) }));
      expect(stderr).toMatch(new RegExp(`^depwatch: PARTIAL: ${file.replace('.', '\\.')}:${line}`, 'm'));
      const text = cli();
      expect(await text.run('audit', '--offline', '--no-code', dir)).toBe(2);
      expect(text.out.stdout).toContain('PARTIAL RESULT: not everything was read or checked');
    });
  }
});

describe('a pin whose version is not PEP 440 makes the audit partial where its package has advisories with ranges', () => {
  const REASON = 'flask 0.12-internal is not a PEP 440 version: the 3 advisories for flask with version ranges could not be compared with it';

  it('says so in JSON, text, SARIF and Markdown (exit 2); a package with no advisories stays complete', async () => {
    const dir = project({ 'requirements.txt': 'flask===0.12-internal\n' });
    const { code, json } = await auditJson(dir, '--no-code');
    expect(code).toBe(2);
    expect(json.partial).toBe(true);
    expect(json.partial_reasons).toEqual([{ kind: 'data-source', message: REASON }]);

    const text = cli();
    expect(await text.run('audit', '--offline', '--no-code', dir)).toBe(2);
    expect(text.out.stdout).toContain(`PARTIAL RESULT: not everything was read or checked, so what is missing here may still be there:\n  - ${REASON}\n`);

    const sarif = cli();
    expect(await sarif.run('audit', '--offline', '--no-code', '--sarif', dir)).toBe(2);
    const [invocation] = JSON.parse(sarif.out.stdout).runs[0].invocations;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toContainEqual(expect.objectContaining({ message: { text: REASON } }));

    const markdown = cli();
    await markdown.run('audit', '--offline', '--no-code', '--markdown', dir);
    expect(markdown.out.stdout).toContain(`> - ${REASON}`);

    const unknown = await auditJson(project({ 'requirements.txt': 'nosuchpackage===1.0-custom\n' }), '--no-code', '--fail-on', 'never');
    expect(unknown.json.partial_reasons).toEqual([]);
    expect(unknown.code).toBe(0);
  });
});

describe('an offline audit says what it did not check, without being partial (the user asked for --offline)', () => {
  it('a notice in JSON and a note in text: outdated and yanked releases and packages not on the index were not checked', async () => {
    const dir = project({ 'requirements.txt': 'six==1.16.0\n' });
    const { code, json } = await auditJson(dir, '--no-code');
    expect(code).toBe(0);
    expect(json.partial).toBe(false);
    expect((json as unknown as { notices: string[] }).notices).toContain('outdated and yanked releases and packages not on the index were not checked (offline: PyPI was not asked)');
    const text = cli();
    expect(await text.run('audit', '--offline', '--no-code', dir)).toBe(0);
    expect(text.out.stdout).toContain('note: outdated and yanked releases and packages not on the index were not checked (offline: PyPI was not asked)\n');
    expect(text.out.stdout).not.toContain('PARTIAL');
  });
});

describe('deps says when its list may be incomplete', () => {
  it('exits 2 with partial: true and one line on stderr', async () => {
    const c = cli();
    expect(await c.run('deps', '--json', project({ 'requirements.txt': 'attrs==23.1.0\n', 'poetry.lock': BROKEN_LOCK }))).toBe(2);
    const json = JSON.parse(c.out.stdout);
    expect(json.partial).toBe(true);
    expect(json.partial_reasons[0]).toMatchObject({ kind: 'unread', file: 'poetry.lock' });
    expect(c.out.stderr.trim().split('\n')).toHaveLength(1);
    expect(c.out.stderr).toMatch(/^depwatch deps: PARTIAL: poetry\.lock:\d+ not read completely/);
  });

  it('one stderr line per reason, as audit prints them', async () => {
    const c = cli();
    const dir = project({ 'requirements.txt': 'attrs==23.1.0\n', 'poetry.lock': BROKEN_LOCK, 'Pipfile.lock': '{ not json' });
    expect(await c.run('deps', '--json', dir)).toBe(2);
    const reasons = JSON.parse(c.out.stdout).partial_reasons as Reason[];
    expect(reasons.map((r) => r.file).sort()).toEqual(['Pipfile.lock', 'poetry.lock']);
    const lines = c.out.stderr.split('\n').slice(0, -1);
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => /^depwatch deps: PARTIAL: (\S+?)(?::\d+)? not read completely/.exec(l)?.[1]).sort()).toEqual(['Pipfile.lock', 'poetry.lock']);
    expect(c.out.stderr).not.toContain('more)');
  });
});
