/**
 * `depwatch audit FILE`, as `pip-audit -r requirements.txt` is run in CI: exactly that manifest (and
 * what it includes), read from its own folder as the audit of that folder reads it, with the same
 * outputs and exit rules; its dependencies only (the code is not scanned, and the output says so). A
 * file Depwatch cannot read as a manifest is one line and exit 2, never a clean report; so is a
 * manifest path that is not there, which never becomes a GitHub repository.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const made: string[] = [];
let db: string;

beforeAll(async () => {
  const data = mkdtempSync(join(tmpdir(), 'depwatch-audit-file-db-'));
  made.push(data);
  db = join(data, 'depwatch.db');
  expect(await inProcessCli({ env: { DEPWATCH_DB: db } }).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const tree = (files: Record<string, string>) => {
  const dir = writeTree('depwatch-audit-file-', files);
  made.push(dir);
  return dir;
};

/** GitHub where nothing listens: a target taken for a repository would fail otherwise than expected. */
const OFFLINE_GITHUB = { ...UNREACHABLE_SERVICES, GITHUB_API_URL: 'http://127.0.0.1:9' };

async function depwatch(cwd: string, ...argv: string[]) {
  const c = inProcessCli({ cwd, env: { DEPWATCH_DB: db, ...OFFLINE_GITHUB } });
  const code = await c.run(...argv);
  return { code, ...c.out };
}

interface AuditJson {
  target: string;
  dependencies: number;
  findings: { kind: string; package: string; file: string }[];
  errors: { file: string; message: string }[];
  notices: string[];
  partial: boolean;
  code: unknown;
}
const json = (stdout: string) => JSON.parse(stdout) as AuditJson;

const CODE_NOT_SCANNED = 'code and configuration were not scanned: a single manifest was audited (its dependencies only); audit its folder (depwatch audit DIR) to scan the code too';

const project = () =>
  tree({
    'requirements/prod.txt': '-r base.txt\nrequests==2.31.0\n',
    'requirements/base.txt': 'django==2.1.5\n',
    'requirements/dev.txt': 'urllib3==1.24.1\n',
    'requirements.txt': 'six==1.16.0\n',
    'app.py': 'import os\nos.system(input())\n',
  });

describe('depwatch audit FILE', () => {
  it('audits that manifest and what it includes, nothing else of its folder, with paths from its folder', async () => {
    const { code, stdout } = await depwatch(project(), 'audit', '--offline', '--json', 'requirements/prod.txt');
    expect(code).toBe(1);
    const result = json(stdout);
    expect(result.target).toBe('requirements/prod.txt');
    expect(result.dependencies).toBe(2);
    expect(result.partial).toBe(false);
    const vulnerable = result.findings.filter((f) => f.kind === 'vulnerability');
    expect(new Set(vulnerable.map((f) => f.package))).toEqual(new Set(['django']));
    expect(new Set(result.findings.map((f) => f.file))).toEqual(new Set(['base.txt', 'prod.txt']));
  });

  it('scans no code, and says so (JSON notices, text); --no-code asked for that and is not told it again', async () => {
    const dir = project();
    const asJson = json((await depwatch(dir, 'audit', '--offline', '--json', 'requirements.txt')).stdout);
    expect(asJson.code).toBeNull();
    expect(asJson.notices).toContain(CODE_NOT_SCANNED);
    const text = await depwatch(dir, 'audit', '--offline', 'requirements.txt');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`note: ${CODE_NOT_SCANNED}`);
    expect(text.stdout).not.toContain('os.system');
    const noCode = json((await depwatch(dir, 'audit', '--offline', '--json', '--no-code', 'requirements.txt')).stdout);
    expect(noCode.notices).not.toContain(CODE_NOT_SCANNED);
  });

  it('an include that leaves the file\'s folder is not followed, as in the audit of that folder: partial, exit 2', async () => {
    const dir = tree({ 'requirements/prod.txt': '-r ../common.txt\nsix==1.16.0\n', 'common.txt': 'django==2.1.5\n' });
    const { code, stdout, stderr } = await depwatch(dir, 'audit', '--offline', '--json', '--fail-on', 'never', 'requirements/prod.txt');
    expect(code).toBe(2);
    const result = json(stdout);
    expect(result.partial).toBe(true);
    expect(result.errors).toEqual([expect.objectContaining({ file: 'prod.txt', message: '../common.txt: leaves the scanned root, not followed' })]);
    expect(stderr).toContain('PARTIAL');
    const folder = json((await depwatch(dir, 'audit', '--offline', '--json', '--fail-on', 'never', 'requirements')).stdout);
    expect(folder.errors).toEqual(result.errors);
  });

  it.each([
    ['pyproject.toml', '[project]\nname = "app"\nversion = "1"\ndependencies = ["django==2.1.5"]\n'],
    ['Pipfile', '[packages]\ndjango = "==2.1.5"\n'],
    ['environment.yml', 'dependencies:\n  - pip:\n    - django==2.1.5\n'],
    ['dev.in', 'django==2.1.5\n'],
    ['constraints.pip', 'django==2.1.5\n'],
  ])('reads %s as its format, beside other manifests it does not read', async (name, text) => {
    const dir = tree({ [`svc/${name}`]: text, 'svc/requirements.txt': 'urllib3==1.24.1\n' });
    const { code, stdout } = await depwatch(dir, 'audit', '--offline', '--json', '--no-code', `svc/${name}`);
    expect(code).toBe(1);
    const result = json(stdout);
    expect(new Set(result.findings.filter((f) => f.kind === 'vulnerability').map((f) => `${f.file} ${f.package}`))).toEqual(new Set([`${name} django`]));
  });

  it('SARIF paths start at the git work tree, as for the folder', async () => {
    const dir = tree({ 'svc/requirements.txt': 'django==2.1.5\n' });
    mkdirSync(join(dir, '.git'));
    const { code, stdout } = await depwatch(dir, 'audit', '--offline', '--sarif', 'svc/requirements.txt');
    expect(code).toBe(1);
    const run = (JSON.parse(stdout) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] }).runs[0]!;
    expect(new Set(run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri))).toEqual(new Set(['svc/requirements.txt']));
  });
});

describe('depwatch audit of a file it cannot audit', () => {
  it.each(['deps.lock', 'notes.md', 'MANIFEST.in'])('%s: one line naming what it reads, exit 2, nothing on stdout', async (name) => {
    const dir = tree({ [name]: 'django==2.1.5\n' });
    const { code, stdout, stderr } = await depwatch(dir, 'audit', '--offline', name);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stderr).toContain(`depwatch audit: ${name}: not a manifest Depwatch reads by its name`);
  });

  it.each([
    ['reqs/requirements.txt', 'no such file: reqs/requirements.txt (to audit the GitHub repository reqs/requirements.txt, use https://github.com/reqs/requirements.txt)'],
    ['services/api/requirements.txt', 'no such file: services/api/requirements.txt'],
    ['requirements-prod.txt', 'no such file: requirements-prod.txt'],
  ])('a manifest path that is not there (%s) is no such file, online too: never a GitHub repository', async (given, line) => {
    const { code, stdout, stderr } = await depwatch(project(), 'audit', given);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: `depwatch audit: ${line}\n` });
  });
});
