/**
 * The command line as users and CI scripts run it: real commands in-process, real HTTP to loopback
 * fakes of GitHub, OSV and PyPI, a real SQLite file.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, submoduleAt, type FakeGitHub } from '../fakes/github.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { ADVISORIES_JSONL_GZ, fixtureRecords } from '../fixtures/osv/load.js';
import { inProcessCli } from '../helpers/cli-in-process.js';
import { cyclonedxSchemaErrors } from '../helpers/cyclonedx-schema.js';

const MANIFESTS = join(import.meta.dirname, '..', 'fixtures', 'manifests');
const TOKEN = 'ghp_' + 'x'.repeat(36);

/** Its pins live in files whose names discovery does not read: only the includes lead to them. */
const LAYERED: Record<string, string> = {
  'requirements.txt': 'requests==2.19.1\n-r ci/base.txt\n',
  'ci/base.txt': 'Django==2.1.5\n',
  'pyproject.toml': '[project]\nname = "layered"\nversion = "1"\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\ndependencies = {file = ["reqs/runtime.txt"]}\n',
  'reqs/runtime.txt': 'requests==2.19.1\n',
};

let github: FakeGitHub;
let osv: FakeOsv;
let pypi: FakePypi;
let dbDir: string;

const cli = (env: Record<string, string> = {}, cwd = process.cwd()) =>
  inProcessCli({
    cwd,
    env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), OSV_API_URL: osv.url, PYPI_URL: pypi.url, GITHUB_API_URL: github.url, GITHUB_TOKEN: TOKEN, ...env },
  });

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-cli-'));
  osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
  pypi = await startFakePypi({
    projects: [
      { name: 'django', releases: [{ version: '2.1.5', uploadTime: '2019-01-04T00:00:00Z' }, { version: '2.2.28', uploadTime: '2022-04-11T00:00:00Z' }] },
      { name: 'requests', releases: [{ version: '2.19.1', uploadTime: '2018-06-14T00:00:00Z' }, { version: '2.32.3', uploadTime: '2024-05-29T00:00:00Z' }] },
      // A release from before PEP 440 that PyPI still serves: check asks PyPI about it too.
      { name: 'flask', releases: [{ version: '0.12-internal', uploadTime: '2017-01-01T00:00:00Z' }] },
    ],
  });
  github = await startFakeGitHub({
    tokens: [TOKEN],
    repos: [
      {
        owner: 'octo',
        name: 'app',
        files: {
          'requirements.txt': 'Django==2.1.5\nrequests==2.19.1\n',
          'docs/requirements.txt': 'sphinx>=7\n',
          'plugins/setup.py': 'from setuptools import setup\n\nsetup(\n    name="app-plugins",\n    install_requires=["Django==2.1.5"],\n)\n',
          'node_modules/x/requirements.txt': 'evil==1.0\n',
          'README.md': '# app\n',
        },
      },
      { owner: 'octo', name: 'layered', files: LAYERED },
      // A superproject: its Python is in a submodule, another repository a snapshot never has.
      { owner: 'octo', name: 'meta', files: { 'README.md': '# meta\n', 'services/api': submoduleAt('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678') } },
    ],
  });
  // The advisory mirror that every --offline command here reads: the PyPA fixture, imported as `db import` does.
  const mirror = cli();
  if ((await mirror.run('db', 'import', ADVISORIES_JSONL_GZ)) !== 0) throw new Error(`importing the fixture mirror failed: ${mirror.out.stderr}`);
});

afterAll(async () => {
  await Promise.all([github.close(), osv.close(), pypi.close()]);
});

describe('depwatch deps', () => {
  it('prints the contract JSON for a directory, with paths relative to it', async () => {
    const { out, run } = cli();
    expect(await run('deps', '--json', join(MANIFESTS, 'pipenv'))).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.manifests.map((m: { path: string; format: string }) => `${m.path}:${m.format}`).sort()).toEqual(['Pipfile.lock:pipfile-lock', 'Pipfile:pipfile']);
    const lock = json.manifests.find((m: { path: string }) => m.path === 'Pipfile.lock');
    expect(Object.keys(lock.dependencies[0]).slice(0, 12)).toEqual(['name', 'version', 'specifier', 'extras', 'marker', 'source', 'editable', 'kind', 'group', 'direct', 'file', 'line']);
    expect(json.errors).toEqual([]);
  });

  it('reads a file given directly and reports its includes as given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depwatch-deps-'));
    writeFileSync(join(dir, 'base.txt'), 'attrs==23.1.0\n');
    writeFileSync(join(dir, 'dev.txt'), '-r base.txt\npytest>=8 ; python_version >= "3.9"\n');
    const { out, run } = cli({}, dir);
    expect(await run('deps', '--json', 'dev.txt')).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.manifests.map((m: { path: string; includes: string[] }) => [m.path, m.includes])).toEqual([
      ['dev.txt', ['base.txt']],
      ['base.txt', []],
    ]);
    expect(json.manifests[0].dependencies[0]).toMatchObject({ name: 'pytest', specifier: '>=8', marker: 'python_version >= "3.9"', line: 2 });
  });

  it('lists the same name from two folders as two files, each under the folder given, in either order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depwatch-deps-'));
    mkdirSync(join(dir, 'two', 'a'), { recursive: true });
    mkdirSync(join(dir, 'two', 'b'), { recursive: true });
    writeFileSync(join(dir, 'two', 'a', 'requirements.txt'), 'attrs==23.1.0\n');
    writeFileSync(join(dir, 'two', 'b', 'requirements.txt'), 'six==1.16.0\n');
    for (const args of [['two/a', 'two/b'], ['two/b', 'two/a']]) {
      const { out, run } = cli({}, dir);
      expect(await run('deps', '--json', ...args)).toBe(0);
      const json = JSON.parse(out.stdout);
      expect(json.partial).toBe(false);
      const listed = json.manifests.map((m: { path: string; dependencies: { name: string; file: string }[] }) => [m.path, m.dependencies.map((d) => `${d.name}@${d.file}`)]);
      expect(listed.sort()).toEqual([
        ['two/a/requirements.txt', ['attrs@two/a/requirements.txt']],
        ['two/b/requirements.txt', ['six@two/b/requirements.txt']],
      ]);
    }
  });

  it('lists a file reached twice (through its folder and by name) once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depwatch-deps-'));
    mkdirSync(join(dir, 'two', 'a'), { recursive: true });
    writeFileSync(join(dir, 'two', 'a', 'requirements.txt'), 'attrs==23.1.0\n');
    for (const args of [['two/a', 'two/a/requirements.txt'], ['two/a/requirements.txt', './two/a'], ['two/a', join(dir, 'two/a/requirements.txt')]]) {
      const { out, run } = cli({}, dir);
      expect(await run('deps', '--json', ...args)).toBe(0);
      expect(JSON.parse(out.stdout).manifests.map((m: { path: string }) => m.path)).toEqual(['two/a/requirements.txt']);
    }
  });

  it('reports a file given by its absolute path as given, with its includes beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depwatch-deps-'));
    mkdirSync(join(dir, 'requirements'));
    writeFileSync(join(dir, 'base.txt'), 'attrs==23.1.0\n');
    writeFileSync(join(dir, 'requirements', 'dev.txt'), '-r ../base.txt\npytest==8.0.0\n');
    const given = join(dir, 'requirements', 'dev.txt');
    const { out, run } = cli({}, dir);
    expect(await run('deps', '--json', given)).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.manifests.map((m: { path: string; includes: string[] }) => [m.path, m.includes])).toEqual([
      [given, [join(dir, 'base.txt')]],
      [join(dir, 'base.txt'), []],
    ]);
    expect(json.manifests[0].dependencies[0].file).toBe(given);
    // Relative, the same files keep the names given (normalised): -r ../base.txt reaches base.txt.
    const rel = cli({}, dir);
    expect(await rel.run('deps', '--json', 'requirements/dev.txt')).toBe(0);
    expect(JSON.parse(rel.out.stdout).manifests.map((m: { path: string }) => m.path)).toEqual(['requirements/dev.txt', 'base.txt']);
  });

  it('exits 2 with one clear line for a path that does not exist or a bad flag', async () => {
    const { out, run } = cli();
    expect(await run('deps', '/nonexistent/dir')).toBe(2);
    expect(out.stderr).toBe('depwatch deps: /nonexistent/dir: no such file or directory\n');
    const bad = cli();
    expect(await bad.run('deps', '--frobnicate', '.')).toBe(2);
    expect(bad.out.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('depwatch db and check', () => {
  it('refuses --offline on an empty mirror, then imports the advisories and answers from them', async () => {
    const empty = cli({ DEPWATCH_DB: join(dbDir, 'empty.db') });
    expect(await empty.run('check', '--offline', 'django==2.1.5')).toBe(2);
    expect(empty.out.stderr).toMatch(/--offline needs the local advisory mirror, and it is empty: run `depwatch db sync`/);

    // A database of its own: the shared one holds the mirror beforeAll imported.
    const own = { DEPWATCH_DB: join(dbDir, 'imported.db') };
    const imp = cli(own);
    expect(await imp.run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
    expect(imp.out.stdout).toMatch(/^added 2661, updated 0, unchanged 0, rejected 0/);

    const status = cli(own);
    expect(await status.run('db', 'status', '--json')).toBe(0);
    expect(JSON.parse(status.out.stdout)).toMatchObject({ records: 2661, withdrawn: 10, packages: 664 });

    const check = cli(own);
    expect(await check.run('check', '--offline', '--json', 'Django==2.1.5', 'flask==3.0.3', 'cherrypy==2.0.0-final')).toBe(1);
    const { results } = JSON.parse(check.out.stdout);
    expect(results.map((r: { name: string; version: string }) => `${r.name}==${r.version}`)).toEqual(['Django==2.1.5', 'flask==3.0.3', 'cherrypy==2.0.0-final']);
    expect(results[0].vulnerabilities.find((v: { id: string }) => v.id === 'PYSEC-2019-13')).toMatchObject({
      aliases: ['CVE-2019-14234', 'GHSA-6r97-cj55-9hrq'],
      fixed_versions: ['1.11.23', '2.1.11', '2.2.4'],
      withdrawn: false,
    });
    expect(results[1].vulnerabilities).toEqual([]);
    expect(results[2].vulnerabilities.length).toBeGreaterThan(0); // matched through an explicit versions list
  });

  it('asks the OSV API when the mirror is not fresh, and gives the same answer', async () => {
    const fresh = cli({ DEPWATCH_DB: join(dbDir, 'api.db') });
    const before = osv.counts.querybatch;
    expect(await fresh.run('check', '--json', 'django==2.1.5')).toBe(1);
    expect(osv.counts.querybatch).toBe(before + 1);
    const offline = cli();
    await offline.run('check', '--offline', '--json', 'django==2.1.5');
    const ids = (o: string) => JSON.parse(o).results[0].vulnerabilities.map((v: { id: string }) => v.id);
    expect(ids(fresh.out.stdout)).toEqual(ids(offline.out.stdout));
  });

  it('is partial when the advisories\' ratings could not be looked up (still exit 1: findings fail it first)', async () => {
    // OSV answers everything but its record lookups, where the ratings of unrated advisories come from.
    const proxy = createServer((req, res) => {
      if ((req.url ?? '').startsWith('/v1/vulns/')) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        void fetch(osv.url + (req.url ?? '/'), { method: req.method ?? 'GET', headers: { 'content-type': 'application/json' }, ...(body.length ? { body } : {}) })
          .then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(Buffer.from(await r.arrayBuffer())))
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const c = cli({ DEPWATCH_DB: join(dbDir, 'ratings-down.db'), OSV_API_URL: url });
      expect(await c.run('check', '--json', 'django==2.1.5')).toBe(1);
      const json = JSON.parse(c.out.stdout);
      expect(json.partial).toBe(true);
      expect(json.warnings).toEqual([expect.stringMatching(/^advisory ratings unavailable \(.*\): unrated advisories were not looked up/)]);
      expect(json.partial_reasons).toEqual([{ kind: 'data-source', message: json.warnings[0] }]);
    } finally {
      await new Promise((ok) => proxy.close(ok));
    }
  });

  it('does not answer "no known vulnerabilities" for a version that is not PEP 440: the advisories with ranges could not be compared (partial, exit 2)', async () => {
    const json = cli();
    expect(await json.run('check', '--offline', '--json', 'flask==0.12-internal', 'django==2.1.5.', 'django==garbage', 'nosuchpackage==1.0-custom')).toBe(2);
    const doc = JSON.parse(json.out.stdout);
    expect(doc.results.map((r: { vulnerabilities: unknown[] }) => r.vulnerabilities)).toEqual([[], [], [], []]);
    expect(doc.partial).toBe(true);
    expect(doc.partial_reasons).toEqual([
      { kind: 'data-source', message: 'flask 0.12-internal is not a PEP 440 version: the 3 advisories for flask with version ranges could not be compared with it' },
      { kind: 'data-source', message: expect.stringMatching(/^django 2\.1\.5\. is not a PEP 440 version: the \d+ advisories for django with version ranges could not be compared with it$/) },
      { kind: 'data-source', message: expect.stringMatching(/^django garbage is not a PEP 440 version: the \d+ advisories for django with version ranges/) },
    ]);
    expect(doc.warnings).toEqual(doc.partial_reasons.map((r: { message: string }) => r.message));

    const text = cli();
    expect(await text.run('check', '--offline', 'flask==0.12-internal', 'nosuchpackage==1.0-custom')).toBe(2);
    expect(text.out.stdout).toContain('flask 0.12-internal: unknown: not a PEP 440 version (see PARTIAL RESULT below)\n');
    expect(text.out.stdout).toContain('nosuchpackage 1.0-custom: no known vulnerabilities\n'); // no advisories: nothing left open
    expect(text.out.stdout).toContain('PARTIAL RESULT');
    expect(text.out.stdout).toContain('  - flask 0.12-internal is not a PEP 440 version: the 3 advisories for flask with version ranges could not be compared with it\n');

    // Through the OSV API the same.
    const api = cli({ DEPWATCH_DB: join(dbDir, 'api-legacy.db') });
    expect(await api.run('check', '--json', 'flask==0.12-internal')).toBe(2);
    expect(JSON.parse(api.out.stdout).partial_reasons).toEqual([doc.partial_reasons[0]]);
  });

  it('rejects what is not name==version', async () => {
    const { out, run } = cli();
    expect(await run('check', 'django')).toBe(2);
    expect(out.stderr).toMatch(/"django": expected name==version/);
  });

  it('refuses name and version the wrong way round in one line, saying what was meant, rather than check a project called 2.1.5', async () => {
    const { out, run } = cli();
    expect(await run('check', '--offline', '--json', '2.1.5==django')).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe('depwatch check: "2.1.5==django" is not name==version: "django" is not a version and "2.1.5" is one; did you mean django==2.1.5?\n');
    // A name that starts with digits is still a name.
    for (const arg of ['2to3==1.0', 'django==2.1.5']) {
      const ok = cli();
      expect([0, 1], `${arg}: ${ok.out.stderr}`).toContain(await ok.run('check', '--offline', arg));
    }
  });

  it('refuses what pip would not take as one exact version, in one line, rather than answer for nothing', async () => {
    for (const arg of ['django==2.1.*', 'django==2.1.5;python_version>"3"', 'django==2.1.5 --hash=sha256:abc', 'django==2.1.5,<3', 'django==>2.1']) {
      const { out, run } = cli();
      expect(await run('check', '--offline', arg), arg).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.split('\n')).toHaveLength(2); // one line
      expect(out.stderr).toContain(`"${arg}"`);
      expect(out.stderr).toMatch(/not one exact version; expected name==version with one exact version, such as django==2\.1\.5/);
    }
    // Still accepted: PEP 440 in any spelling, === , spaces around the operator, and PyPI's pre-PEP 440 releases.
    for (const arg of ['Django==2.1.5', 'django === 2.1.5', 'django==v2.1.5', 'django==2.1.5+local.1', 'cherrypy==2.0.0-final', 'pkg==2013-07-19T09:11:08+0000']) {
      const { out, run } = cli();
      expect([0, 1], `${arg}: ${out.stderr}`).toContain(await run('check', '--offline', arg));
    }
  });
});

describe('depwatch audit', () => {
  it('audits a GitHub repository through the API, skipping node_modules, with links to the exact lines', async () => {
    const { out, run } = cli();
    expect(await run('audit', '--markdown', 'octo/app')).toBe(1);
    expect(out.stdout).toMatch(/^## Depwatch audit of `octo\/app@[0-9a-f]{40}`/);
    expect(out.stdout).toMatch(/\[requirements\.txt:1\]\(https?:\/\/[^)]+\/octo\/app\/blob\/[0-9a-f]{40}\/requirements\.txt#L1\)/);
    expect(out.stdout).toContain('[PYSEC-2019-13](https://osv.dev/vulnerability/PYSEC-2019-13)');
    expect(out.stdout).not.toContain('evil');
    // A setup.py in the snapshot is discovered, fetched and read (never run), its pin linked at its line.
    expect(out.stdout).toMatch(/\[plugins\/setup\.py:5\]\(https?:\/\/[^)]+\/octo\/app\/blob\/[0-9a-f]{40}\/plugins\/setup\.py#L5\)/);
    expect(out.stdout).not.toContain('PARTIAL');

    const json = cli();
    expect(await json.run('audit', '--json', 'octo/app')).toBe(1);
    const result = JSON.parse(json.out.stdout);
    expect(result.partial_reasons).toEqual([]);
    expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'vulnerability', package: 'django', file: 'plugins/setup.py', line: 5 }));
  });

  it('writes a GitHub repository as a CycloneDX BOM: the repository at its commit, its releases where they are written, their vulnerabilities', async () => {
    const { out, run } = cli();
    expect(await run('audit', '--cyclonedx', 'octo/app')).toBe(1);
    expect(cyclonedxSchemaErrors(out.stdout)).toEqual([]);
    const bom = JSON.parse(out.stdout);
    expect(bom.metadata.component).toEqual({ type: 'application', 'bom-ref': 'depwatch:project', name: 'octo/app', version: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const django = bom.components.find((c: { 'bom-ref': string }) => c['bom-ref'] === 'pkg:pypi/django@2.1.5');
    expect(django.evidence.occurrences.map((o: { location: string; line: number }) => `${o.location}:${o.line}`)).toEqual(['plugins/setup.py:5', 'requirements.txt:1']);
    expect(bom.components.find((c: { name: string }) => c.name === 'sphinx')).toMatchObject({ 'bom-ref': 'pkg:pypi/sphinx', properties: [{ name: 'depwatch:resolved', value: 'false' }, { name: 'depwatch:specifier', value: '>=7' }] });
    expect(bom.components.some((c: { name: string }) => c.name === 'evil')).toBe(false);
    const vulnerability = bom.vulnerabilities.find((v: { id: string }) => v.id === 'PYSEC-2019-13');
    expect(vulnerability.affects).toEqual([{ ref: 'pkg:pypi/django@2.1.5', versions: [{ version: '2.1.5', status: 'affected' }] }]);
    expect(bom.metadata.properties).toContainEqual({ name: 'depwatch:advisory_source', value: 'api' });
  });

  it('a GitHub repository of submodules alone: partial (exit 2, no manifests) and the notice names each submodule at its commit', async () => {
    const { out, run } = cli();
    expect(await run('audit', '--json', '--no-code', 'octo/meta')).toBe(2);
    const result = JSON.parse(out.stdout);
    expect(result.partial).toBe(true);
    expect(result.partial_reasons).toEqual([expect.objectContaining({ kind: 'no-manifests' })]);
    expect(result.notices).toContainEqual(expect.stringMatching(/^services\/api \(at a1b2c3d\): a git submodule, another repository whose files were not audited/));
  });

  it('reads from GitHub the files that manifests include under names discovery does not read, finding what a checkout finds', async () => {
    const fromGitHub = cli();
    expect(await fromGitHub.run('audit', '--json', 'octo/layered')).toBe(1);
    const remote = JSON.parse(fromGitHub.out.stdout);
    expect(remote.partial_reasons).toEqual([]);
    expect(remote.findings).toContainEqual(expect.objectContaining({ kind: 'vulnerability', package: 'django', file: 'ci/base.txt', line: 1 }));

    const dir = mkdtempSync(join(tmpdir(), 'depwatch-layered-'));
    for (const [path, text] of Object.entries(LAYERED)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const checkout = cli();
    expect(await checkout.run('audit', '--json', dir)).toBe(1);
    const local = JSON.parse(checkout.out.stdout);
    const where = (findings: { kind: string; package: string; id?: string; file: string; line: number }[]) => findings.map((f) => `${f.kind} ${f.package} ${f.id ?? ''} ${f.file}:${f.line}`).sort();
    expect(where(remote.findings)).toEqual(where(local.findings));
    expect(remote.dependencies).toBe(local.dependencies);
    expect(remote.errors).toEqual(local.errors);
  });

  it('writes SARIF 2.1.0 with security-severity, and honours --fail-on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depwatch-audit-'));
    writeFileSync(join(dir, 'requirements.txt'), 'requests==2.19.1\nsphinx>=7\n');
    const sarif = cli();
    expect(await sarif.run('audit', '--sarif', '--offline', dir)).toBe(1);
    const doc = JSON.parse(sarif.out.stdout);
    expect(doc.version).toBe('2.1.0');
    const result = doc.runs[0].results.find((r: { ruleId: string }) => r.ruleId.startsWith('PYSEC'));
    expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'requirements.txt', uriBaseId: '%SRCROOT%' }, region: { startLine: 1 } });
    const rule = doc.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === result.ruleId);
    // PyPA's records for requests 2.19.1 carry no rating: no invented score (test/cli/unrated.test.ts).
    expect(rule.properties).toMatchObject({ rated: false });
    expect(rule.properties).not.toHaveProperty('security-severity');
    const unpinned = doc.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'depwatch/unpinned');
    expect(unpinned.properties['security-severity']).toMatch(/^\d+\.\d$/);

    expect(await cli().run('audit', '--offline', '--fail-on', 'never', dir)).toBe(0);
    const json = cli();
    expect(await json.run('audit', '--json', '--offline', '--fail-on', 'critical', dir)).toBe(0);
    const parsed = JSON.parse(json.out.stdout);
    expect(parsed.findings.some((f: { kind: string }) => f.kind === 'unpinned')).toBe(true);
    expect(parsed.findings.every((f: { fix: { text: string } }) => f.fix.text.length > 10)).toBe(true);
  });

  it('says which repository it cannot see, without a stack trace or the token', async () => {
    const { out, run } = cli();
    expect(await run('audit', 'octo/missing')).toBe(2);
    expect(out.stderr).toBe("depwatch audit: I can't see octo/missing with the configured GitHub credentials\n");
    expect(out.stderr).not.toContain(TOKEN);
  });

  it('keeps going with a partial result when PyPI is down, and says so on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depwatch-audit-'));
    writeFileSync(join(dir, 'requirements.txt'), 'requests==2.19.1\n');
    const { out, run } = cli({ PYPI_URL: 'http://127.0.0.1:9' });
    expect(await run('audit', '--json', dir)).toBe(1);
    expect(JSON.parse(out.stdout).partial).toBe(true);
    expect(out.stderr).toMatch(/WARNING: package registry unavailable/);
  });
});

it('the README documents every command the CLI has', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  for (const cmd of ['depwatch deps', 'depwatch audit', 'depwatch check', 'depwatch db sync', 'depwatch db import', 'depwatch db status']) expect(readme).toContain(cmd);
});
