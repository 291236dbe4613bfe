/**
 * `exclude:` in `.depwatch.yml`, through the CLI as users and CI run it (in-process, offline, a real
 * SQLite mirror of the PyPA advisories): a tree shaped like python-poetry/poetry's, whose test
 * fixtures hold a broken lockfile and a vulnerable pin, audits partial forever without it; with
 * `tests/fixtures/` excluded it audits complete, on the root's findings only, and every output says
 * what was not read, where and why. Bad entries are noted one by one; a whole-tree exclude is refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

// Built at run time so this file does not read as a leaked token.
const TOKEN = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';

let dataDir: string;
const cli = (cwd: string) => inProcessCli({ cwd, env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

async function run(dir: string, ...args: string[]) {
  const c = cli(dir);
  const code = await c.run(...args);
  return { code, stdout: c.out.stdout, stderr: c.out.stderr };
}
const audit = (dir: string, ...flags: string[]) => run(dir, 'audit', '--offline', ...flags, '.');

/** poetry's shape: the project's own lock at the root (a vulnerable pin), fixtures beside the tests. */
const POETRY_LIKE = {
  'pyproject.toml': '[project]\nname = "app"\nversion = "1.0"\ndependencies = ["urllib3"]\n',
  'poetry.lock': '[[package]]\nname = "urllib3"\nversion = "1.24.1"\ndescription = ""\noptional = false\npython-versions = "*"\n\n[metadata]\nlock-version = "2.0"\npython-versions = "*"\ncontent-hash = "x"\n',
  '.gitignore': '.env\n*.env\n',
  // A lockfile the parser tests feed on: deliberately not valid TOML.
  'tests/fixtures/invalid_lock/poetry.lock': '[[package]\nname = "broken\n',
  // An old project the tests audit: a vulnerable pin that is not the project's.
  'tests/fixtures/old/requirements.txt': 'django==2.1.5\n',
  // Test data with a credential-shaped string: not the project's code either.
  'tests/fixtures/old/settings.py': `GITHUB_TOKEN = "${TOKEN}"\n`,
};

const REASON = 'test data for the lockfile parsers, not our dependencies';
const EXCLUDE_FIXTURES = `exclude:\n  - path: tests/fixtures/\n    reason: ${REASON}\n`;
const NOTICE = `3 files under tests/fixtures/ were not scanned (2 manifests among them, not read either): excluded by .depwatch.yml (${REASON})`;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-exclude-db-'));
  expect((await run(dataDir, 'db', 'import', ADVISORIES_JSONL_GZ)).code).toBe(0);
});

describe('a tree like poetry, without exclude:', () => {
  it('is partial for ever: the broken fixture is not read (exit 2 even when findings do not fail the gate), and the fixtures hold findings', async () => {
    const dir = writeTree('depwatch-exclude-', POETRY_LIKE);
    const { code, stdout } = await audit(dir, '--json', '--fail-on', 'never');
    expect(code).toBe(2);
    const json = JSON.parse(stdout);
    expect(json.partial).toBe(true);
    expect(json.partial_reasons).toEqual([expect.objectContaining({ kind: 'unread', file: 'tests/fixtures/invalid_lock/poetry.lock' })]);
    expect(json.vulnerable_packages.map((p: { package: string }) => p.package).sort()).toEqual(['django', 'urllib3']);
    expect(json.code.findings.map((f: { file: string }) => f.file)).toContain('tests/fixtures/old/settings.py');
    expect(json.excluded).toEqual([]);
  });
});

describe('a tree like poetry, with tests/fixtures/ excluded', () => {
  const dir = () => writeTree('depwatch-exclude-', { ...POETRY_LIKE, '.depwatch.yml': EXCLUDE_FIXTURES });

  it('audits complete: exit 0 when the findings do not fail the gate, exit 1 on the root lock\'s vulnerability alone', async () => {
    const tree = dir();
    expect((await audit(tree, '--fail-on', 'never')).code).toBe(0);
    const { code, stdout } = await audit(tree, '--json');
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.partial).toBe(false);
    expect(json.partial_reasons).toEqual([]);
    expect(json.vulnerable_packages.map((p: { package: string }) => p.package)).toEqual(['urllib3']);
    const files: string[] = [...json.findings, ...json.code.findings].map((f: { file: string }) => f.file);
    expect(files).toContain('poetry.lock');
    expect(files.filter((f) => f.startsWith('tests/'))).toEqual([]);
    expect(stdout).not.toContain('tests/fixtures/old/settings.py');
  });

  it('JSON says it once: one notice naming the path, the count and the reason, the same in excluded[], and no copy among the scan\'s notes', async () => {
    const json = JSON.parse((await audit(dir(), '--json')).stdout);
    expect(json.notices.filter((n: string) => n.includes('excluded by'))).toEqual([NOTICE]);
    expect(json.excluded).toEqual([{ path: 'tests/fixtures/', reason: REASON, source: '.depwatch.yml', manifests: 2, files: 3 }]);
    expect(json.code.notes).toEqual([]);
    expect(json.notes).toEqual([]);
  });

  it('text: one "note:" line with the path, the count and the reason', async () => {
    const { stdout } = await audit(dir());
    expect(stdout.split('\n').filter((l) => l.includes('excluded by'))).toEqual([`note: ${NOTICE}`]);
    expect(stdout).not.toContain('PARTIAL');
  });

  it('Markdown and SARIF say it too (SARIF as a note: the run stays successful)', async () => {
    const markdown = (await audit(dir(), '--markdown')).stdout;
    expect(markdown).toContain(`- ${NOTICE}`);
    const sarif = JSON.parse((await audit(dir(), '--sarif')).stdout);
    const [invocation] = sarif.runs[0].invocations;
    expect(invocation.executionSuccessful).toBe(true);
    // Among the notices every offline audit has (the mirror's age, PyPI not asked), each `depwatch/notice`.
    expect(invocation.toolExecutionNotifications).toEqual([
      { level: 'note', message: { text: expect.stringMatching(/^advisories from the local mirror/) }, descriptor: { id: 'depwatch/notice' } },
      { level: 'note', message: { text: 'outdated and yanked releases and packages not on the index were not checked (offline: PyPI was not asked)' }, descriptor: { id: 'depwatch/notice' } },
      { level: 'note', message: { text: NOTICE }, descriptor: { id: 'depwatch/excluded' } },
    ]);
  });

  it('--no-code counts the manifests the audit did not read', async () => {
    const { code, stdout } = await audit(dir(), '--no-code', '--fail-on', 'never');
    expect(code).toBe(0);
    expect(stdout).toContain(`note: 2 manifests under tests/fixtures/ were not read: excluded by .depwatch.yml (${REASON})`);
  });

  it('deps lists the root\'s manifests only, complete (exit 0), and says what it did not read', async () => {
    const { code, stdout } = await run(dir(), 'deps', '--json', '.');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.manifests.map((m: { path: string }) => m.path).sort()).toEqual(['poetry.lock', 'pyproject.toml']);
    expect(json.partial).toBe(false);
    expect(json.notices).toEqual([`2 manifests under tests/fixtures/ were not read: excluded by .depwatch.yml (${REASON})`]);
    const text = await run(dir(), 'deps', '.');
    expect(text.stdout).toContain(`note: 2 manifests under tests/fixtures/ were not read: excluded by .depwatch.yml (${REASON})`);
  });

  it('scan does not read the fixtures (the credential in them is not reported) and its notes say how many files it left', async () => {
    const { code, stdout } = await run(dir(), 'scan', '--json', '.');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.findings).toEqual([]);
    expect(json.stats.files).toBe(4); // pyproject.toml, poetry.lock, .gitignore, .depwatch.yml
    expect(json.notes).toEqual([
      {
        kind: 'excluded',
        message: `3 files under tests/fixtures/ were not scanned: excluded by .depwatch.yml (${REASON})`,
        excluded: { path: 'tests/fixtures/', reason: REASON, source: '.depwatch.yml', files: 3 },
      },
    ]);
    const text = await run(dir(), 'scan', '.');
    expect(text.stdout).toContain(`3 files under tests/fixtures/ were not scanned: excluded by .depwatch.yml (${REASON})`);
  });

  it('fix plans only from what was audited: the excluded old Django pin is left as it is', async () => {
    const tree = writeTree('depwatch-exclude-fix-', { 'requirements.txt': 'urllib3==1.24.1\n', 'tests/fixtures/old/requirements.txt': 'django==2.1.5\n', '.depwatch.yml': EXCLUDE_FIXTURES });
    const { stdout } = await run(tree, 'fix', '--dry-run', '--offline', '.');
    expect(stdout).toContain('+++ b/requirements.txt');
    expect(stdout).not.toContain('tests/fixtures');
  });
});

describe('an excluded folder that a root manifest includes (-r)', () => {
  const TREE = {
    '.depwatch.yml': EXCLUDE_FIXTURES,
    'requirements.txt': '-r tests/fixtures/requirements.txt\n',
    'tests/fixtures/requirements.txt': 'django==2.1.5\n',
    'tests/fixtures/data.json': '{}\n',
  };

  it('the audit reads the included file, reports its findings, and does not say it was not read', async () => {
    const dir = writeTree('depwatch-exclude-', TREE);
    const { stdout } = await audit(dir, '--json', '--no-code', '--fail-on', 'never');
    const json = JSON.parse(stdout);
    expect(json.findings.map((f: { file: string }) => f.file)).toContain('tests/fixtures/requirements.txt');
    expect(json.excluded).toEqual([]);
    expect(json.notices.filter((n: string) => n.includes('tests/fixtures/'))).toEqual([]);
    const deps = await run(dir, 'deps', '--json', '.');
    expect(deps.stdout).not.toMatch(/not read/);
  });

  it('with the code scan: the files the scan skipped are "not scanned", and no manifest is said "not read"', async () => {
    const dir = writeTree('depwatch-exclude-', TREE);
    const { stdout } = await audit(dir, '--json', '--fail-on', 'never');
    const json = JSON.parse(stdout);
    expect(json.findings.map((f: { file: string }) => f.file)).toContain('tests/fixtures/requirements.txt');
    expect(json.notices.filter((n: string) => n.includes('tests/fixtures/'))).toEqual([`2 files under tests/fixtures/ were not scanned: excluded by .depwatch.yml (${REASON})`]);
    expect(json.excluded).toEqual([{ path: 'tests/fixtures/', reason: REASON, source: '.depwatch.yml', manifests: 0, files: 2 }]);
  });
});

describe('bad exclude entries', () => {
  it('each gives one note and the good entries still apply', async () => {
    const settings = [
      'exclude:',
      '  - path: docs/',
      '  - reason: no path given',
      '  - path: 12',
      '    reason: a number is not a glob',
      `  - path: ${'a'.repeat(501)}`,
      '    reason: too long',
      '  - path: tests/fixtures/',
      `    reason: ${REASON}`,
      '',
    ].join('\n');
    const dir = writeTree('depwatch-exclude-bad-', { ...POETRY_LIKE, '.depwatch.yml': settings });
    const { code, stdout } = await audit(dir, '--json', '--fail-on', 'never');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.notes).toEqual([
      { kind: 'invalid', message: '.depwatch.yml: exclude entry 1: `reason` is missing: say why these files are not part of the project; not applied' },
      { kind: 'invalid', message: '.depwatch.yml: exclude entry 2: `path` is missing: the files not to read (a .gitignore-syntax glob, such as tests/fixtures/); not applied' },
      { kind: 'invalid', message: '.depwatch.yml: exclude entry 3: `path` must be text: the files not to read (a .gitignore-syntax glob, such as tests/fixtures/); not applied' },
      { kind: 'invalid', message: '.depwatch.yml: exclude entry 4: `path` is 501 characters, over the limit of 500; not applied' },
    ]);
    expect(json.notices).toContain(NOTICE);
    expect(json.partial).toBe(false);
  });
});

describe('an exclude entry that keeps nothing out', () => {
  it('is said once, in the audit and in deps: a typo, a renamed folder or another case (paths are case-sensitive)', async () => {
    const settings = `exclude:\n  - path: Tests/Fixtures/\n    reason: fixtures\n  - path: tests/fixtures/\n    reason: ${REASON}\n  - path: tests/fixtures/old/\n    reason: already excluded above\n`;
    const dir = writeTree('depwatch-exclude-unmatched-', { ...POETRY_LIKE, '.depwatch.yml': settings });
    const { stdout } = await audit(dir, '--json', '--fail-on', 'never');
    const json = JSON.parse(stdout);
    expect(json.notes).toEqual([
      { kind: 'stale', message: '.depwatch.yml: exclude "Tests/Fixtures/" matches nothing not already excluded (paths are case-sensitive); fix the path or remove the entry' },
      { kind: 'stale', message: '.depwatch.yml: exclude "tests/fixtures/old/" matches nothing not already excluded (paths are case-sensitive); fix the path or remove the entry' },
    ]);
    expect(json.notices).toContain(NOTICE);
    const deps = await run(dir, 'deps', '--json', '.');
    expect(JSON.parse(deps.stdout).notices.filter((n: string) => n.includes('matches nothing'))).toHaveLength(2);
  });
});

describe('an exclude of the whole tree', () => {
  for (const glob of ['"*"', '/', '"**"', '.depwatch.yml', '"*/"']) {
    it(`(${glob}) is refused with a note and changes nothing: the audit reads every file, as partial as before`, async () => {
      const dir = writeTree('depwatch-exclude-all-', { ...POETRY_LIKE, '.depwatch.yml': `exclude:\n  - path: ${glob}\n    reason: hide it all\n` });
      const { code, stdout } = await audit(dir, '--json', '--fail-on', 'never');
      expect(code).toBe(2);
      const json = JSON.parse(stdout);
      expect(json.notes).toEqual([{ kind: 'invalid', message: expect.stringMatching(/^\.depwatch\.yml: exclude entry 1: ".+" would exclude (the whole tree|\.depwatch\.yml itself)/) }]);
      expect(json.excluded).toEqual([]);
      expect(json.partial_reasons).toEqual([expect.objectContaining({ file: 'tests/fixtures/invalid_lock/poetry.lock' })]);
      expect(json.vulnerable_packages.map((p: { package: string }) => p.package).sort()).toEqual(['django', 'urllib3']);
    });
  }
});
