/**
 * setup.py end to end, through the CLI as users and CI run it (in-process, offline, a real mirror):
 * read without being run, its literal pins listed and audited at their lines, anything computed a
 * partial result naming the line (unless `exclude:` names the file), a requirements file it opens
 * followed, and `fix` leaving its pins to the user.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dbDir: string;

const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

const project = (files: Record<string, string>) => writeTree('depwatch-setup-py-', files);

/** django 2.1.5 (vulnerable in the fixture advisories) pinned on line 5. */
const LITERAL_SETUP_PY = [
  'from setuptools import setup',
  '',
  'setup(',
  '    name="app",',
  '    install_requires=["django==2.1.5", "six>=1.10"],',
  ')',
  '',
].join('\n');

/**
 * install_requires computed when setup.py runs (line 6), from the requirements file beside it by a
 * helper that names no file: the common case an `exclude:` of setup.py is for.
 */
const COMPUTED_TREE = {
  'setup.py': [
    'from setuptools import setup',
    'from app.build import read_requirements',
    '',
    'setup(',
    '    name="app",',
    '    install_requires=read_requirements("base"),',
    ')',
    '',
  ].join('\n'),
  'requirements.txt': 'six==1.16.0\n',
};

interface AuditJson {
  partial: boolean;
  partial_reasons: { kind: string; file?: string; line?: number | null; message: string }[];
  findings: { kind: string; package?: string; file?: string; line?: number | null }[];
  notices: string[];
}

async function audit(dir: string): Promise<{ code: number; json: AuditJson }> {
  const c = cli();
  const code = await c.run('audit', '--offline', '--json', '--no-code', dir);
  return { code, json: JSON.parse(c.out.stdout) as AuditJson };
}

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-setup-py-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

describe('a folder whose only manifest is setup.py', () => {
  it('deps lists it as setup-py with its pins at their lines, complete', async () => {
    const c = cli();
    expect(await c.run('deps', '--json', project({ 'setup.py': LITERAL_SETUP_PY }))).toBe(0);
    const json = JSON.parse(c.out.stdout);
    expect(json.partial).toBe(false);
    expect(json.manifests).toEqual([
      expect.objectContaining({
        path: 'setup.py',
        format: 'setup-py',
        dependencies: [
          expect.objectContaining({ name: 'django', specifier: '==2.1.5', version: '2.1.5', group: 'main', file: 'setup.py', line: 5 }),
          expect.objectContaining({ name: 'six', specifier: '>=1.10', version: null, group: 'main', file: 'setup.py', line: 5 }),
        ],
      }),
    ]);
  });

  it('audit finds the vulnerable pin at its line in setup.py, and the result is complete', async () => {
    const { code, json } = await audit(project({ 'setup.py': LITERAL_SETUP_PY }));
    expect(code).toBe(1);
    expect(json.partial).toBe(false);
    expect(json.partial_reasons).toEqual([]);
    expect(json.findings).toContainEqual(expect.objectContaining({ kind: 'vulnerability', package: 'django', file: 'setup.py', line: 5 }));
  });

  it('a computed install_requires makes the audit partial (exit 2), naming setup.py and its line', async () => {
    const { code, json } = await audit(project(COMPUTED_TREE));
    expect(code).toBe(2);
    expect(json.partial).toBe(true);
    expect(json.partial_reasons).toEqual([
      expect.objectContaining({ kind: 'unread', file: 'setup.py', line: 6, message: expect.stringContaining('install_requires is computed when setup.py runs') }),
    ]);
    expect(json.findings.filter((f) => f.kind === 'vulnerability')).toEqual([]);
  });

  it('excluded by name in .depwatch.yml, it is not read: the same folder is complete (exit 0), with the notice saying so', async () => {
    const settings = 'exclude:\n  - path: /setup.py\n    reason: install_requires is read from requirements.txt\n';
    const { code, json } = await audit(project({ ...COMPUTED_TREE, '.depwatch.yml': settings }));
    expect(code).toBe(0);
    expect(json.partial).toBe(false);
    expect(json.partial_reasons).toEqual([]);
    expect(json.notices).toContain('1 manifest matching /setup.py was not read: excluded by .depwatch.yml (install_requires is read from requirements.txt)');
  });

  it("with a pyproject.toml leaving its dependencies to setup.py: partial at setup.py's line alone, and complete once exclude: names setup.py", async () => {
    const pyproject = '[project]\nname = "app"\nversion = "1"\ndynamic = ["dependencies"]\n';
    const partial = await audit(project({ ...COMPUTED_TREE, 'pyproject.toml': pyproject }));
    expect(partial.code).toBe(2);
    expect(partial.json.partial_reasons.map((r) => `${r.file}:${r.line}`)).toEqual(['setup.py:6']);

    const settings = 'exclude:\n  - path: /setup.py\n    reason: install_requires is read from requirements.txt\n';
    const excluded = await audit(project({ ...COMPUTED_TREE, 'pyproject.toml': pyproject, '.depwatch.yml': settings }));
    expect(excluded.code).toBe(0);
    expect(excluded.json.partial_reasons).toEqual([]);
    expect(excluded.json.notices).toContain('1 manifest matching /setup.py was not read: excluded by .depwatch.yml (install_requires is read from requirements.txt)');
  });

  it('one that reads requirements.txt with open() follows it: listed as its include, its pins audited there', async () => {
    const setupPy = 'from setuptools import setup\nwith open("requirements.txt") as f:\n    required = f.read().splitlines()\nsetup(name="app", install_requires=required)\n';
    const dir = project({ 'setup.py': setupPy, 'requirements.txt': '# web\ndjango==2.1.5\n' });
    const c = cli();
    expect(await c.run('deps', '--json', dir)).toBe(0);
    const manifests = JSON.parse(c.out.stdout).manifests as { path: string; format: string; includes: string[] }[];
    expect(manifests.find((m) => m.path === 'setup.py')).toEqual(expect.objectContaining({ format: 'setup-py', includes: ['requirements.txt'] }));

    const { code, json } = await audit(dir);
    expect(code).toBe(1);
    expect(json.partial_reasons).toEqual([]);
    expect(json.findings).toContainEqual(expect.objectContaining({ kind: 'vulnerability', package: 'django', file: 'requirements.txt', line: 2 }));
  });
});

describe('fix and setup.py', () => {
  it('leaves a vulnerable pin in setup.py alone (unsupported-format), writes nothing, and exits 1: it is still vulnerable', async () => {
    const dir = project({ 'setup.py': LITERAL_SETUP_PY });
    const c = cli();
    expect(await c.run('fix', '--offline', '--json', dir)).toBe(1);
    const json = JSON.parse(c.out.stdout);
    expect(json.left_alone).toEqual([
      expect.objectContaining({ kind: 'unsupported-format', package: 'django', version: '2.1.5', file: 'setup.py', line: 5, reason: expect.stringContaining('setup.py is not rewritten by depwatch fix') }),
    ]);
    expect(json.still_vulnerable).toBe(1);
    expect(json.partial).toBe(false);
    expect(readFileSync(join(dir, 'setup.py'), 'utf8')).toBe(LITERAL_SETUP_PY);
  });

  it('rewrites the requirements file a setup.py reads, not setup.py', async () => {
    const setupPy = 'from setuptools import setup\nsetup(name="app", install_requires=open("requirements.txt").read().splitlines())\n';
    const dir = project({ 'setup.py': setupPy, 'requirements.txt': 'django==2.1.5\n' });
    const c = cli();
    expect(await c.run('fix', '--offline', dir)).toBe(0);
    expect(c.out.stdout).toMatch(/Written: requirements\.txt\n$/);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toMatch(/^django==(?!2\.1\.5\n)[\d.]+\n$/);
    expect(readFileSync(join(dir, 'setup.py'), 'utf8')).toBe(setupPy);
  });
});
