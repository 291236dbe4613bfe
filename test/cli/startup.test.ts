/**
 * What a command loads before it answers. `depwatch --version` and `depwatch db status` only read
 * package.json or a few rows of the store: they must not pay for the HTTP clients, GitHub's client,
 * the logger or the zip reader; an audit of a checkout must not load GitHub's client either. Checked
 * on the compiled CLI in a fresh process, whose every loaded module (ESM imports through a resolve
 * hook, CommonJS through the require cache) is listed at exit.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRecords, OLD_FIXTURES_ALLOWED } from '../fixtures/osv/load.js';
import { ensureBuilt, ROOT } from '../helpers/built.js';

/** Preloaded with --import: prints `LOADED <path>` for every module the process loads. */
const TRACE = `
import { register, createRequire } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
  export async function resolve(specifier, context, next) {
    const result = await next(specifier, context);
    if (result.url.startsWith('file:')) process.stderr.write('LOADED ' + result.url.slice(7) + '\\\\n');
    return result;
  }\`));
const cache = createRequire(process.argv[1]).cache;
process.on('exit', () => { for (const path of Object.keys(cache)) process.stderr.write('LOADED ' + path + '\\n'); });
`;

let dir: string;
let db: string;

function depwatch(...args: string[]): { status: number | null; stdout: string; loaded: string[] } {
  const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(TRACE)}`, join(ROOT, 'dist', 'cli.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    // The fixture advisories are old on purpose (OLD_FIXTURES_ALLOWED): the statuses here are their findings'.
    env: { PATH: process.env.PATH ?? '', DEPWATCH_DB: db, ...OLD_FIXTURES_ALLOWED },
    timeout: 60_000,
  });
  const loaded = [...new Set(result.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7).replace(ROOT + '/', '')))];
  return { status: result.status, stdout: result.stdout, loaded };
}

/** The modules loading one compiled module alone loads (itself included), as `depwatch` lists them. */
function loadedBy(module: string): string[] {
  const script = join(dir, 'load-one.mjs');
  writeFileSync(script, `await import(${JSON.stringify(join(ROOT, 'dist', module))});\n`);
  const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(TRACE)}`, script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  expect(result.status, result.stderr).toBe(0);
  return [...new Set(result.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7).replace(ROOT + '/', '')))];
}

const packagesIn = (loaded: string[]) => [...new Set(loaded.map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1]).filter((p): p is string => p !== undefined))].sort();

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'depwatch-startup-'));
  db = join(dir, 'depwatch.db');
  const records = [...fixtureRecords().values()].filter((r) => r.affected?.some((a) => ['django', 'jinja2'].includes(a.package?.name.toLowerCase() ?? '')));
  writeFileSync(join(dir, 'advisories.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const imported = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'db', 'import', join(dir, 'advisories.jsonl')], { cwd: dir, env: { PATH: process.env.PATH ?? '', DEPWATCH_DB: db }, encoding: 'utf8' });
  expect(imported.status, imported.stderr).toBe(0);
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'requirements.txt'), 'Django==2.1.5\njinja2==2.10\n');
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('start-up of the compiled CLI', () => {
  it('--version prints the version from package.json and loads no package at all', () => {
    const { status, stdout, loaded } = depwatch('--version');
    expect(status).toBe(0);
    expect(stdout).toBe(`${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`);
    expect(packagesIn(loaded)).toEqual([]);
    expect(loaded.filter((p) => p.startsWith('dist/store') || p.startsWith('dist/advisories') || p.startsWith('dist/cli/'))).toEqual(['dist/cli/io.js']);
  });

  it('db status loads the store and the mirror, and nothing that talks to the network or unpacks archives', () => {
    const { status, stdout, loaded } = depwatch('db', 'status');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^\d+ advisories \(\d+ withdrawn\) for 2 packages\n/);
    // Not even the configuration schema (zod): the database path comes from --db or the environment.
    expect(packagesIn(loaded)).toEqual(['better-sqlite3', 'bindings', 'file-uri-to-path']);
    for (const module of ['dist/http.js', 'dist/log.js', 'dist/advisories/osv-api.js', 'dist/python/pypi.js', 'dist/advisories/osv-schema.js', 'dist/advisories/import-sources.js', 'dist/advisories/sync.js']) {
      expect(loaded).not.toContain(module);
    }
  });

  it('db status reads its counts without the mirror itself: no matcher, no version parser, no import code', () => {
    const { status, loaded } = depwatch('db', 'status', '--json');
    expect(status).toBe(0);
    for (const module of ['dist/advisories/mirror.js', 'dist/advisories/match.js', 'dist/python/pep440.js', 'dist/advisories/import-items.js']) {
      expect(loaded).not.toContain(module);
    }
    expect(loaded).toContain('dist/advisories/mirror-status.js');
  });

  it('an offline audit of a checkout loads neither GitHub nor the logger, nor the glob matcher without a path glob', () => {
    const { status, stdout, loaded } = depwatch('audit', '--offline', '--json', '--no-code', 'app');
    expect(status).toBe(1); // django 2.1.5 is vulnerable
    expect(JSON.parse(stdout).findings.length).toBeGreaterThan(0);
    const packages = packagesIn(loaded);
    // Nor the validator (zod) or the HTTP clients: offline, a checkout's audit talks to no service.
    for (const heavy of ['octokit', '@octokit/core', 'pino', 'yauzl', 'ignore', '@slack/bolt', 'web-tree-sitter', 'zod']) expect(packages).not.toContain(heavy);
    for (const module of ['dist/config.js', 'dist/advisories/osv-api.js', 'dist/python/pypi.js']) expect(loaded).not.toContain(module);
    expect(loaded).not.toContain('dist/github/client.js');
    expect(loaded).not.toContain('dist/scan/scan.js');

    // The trace does see a package required on use: an ignore file brings the YAML parser in. Its
    // path glob is matched by our own matcher (glob.ts), never by the `ignore` package.
    writeFileSync(join(dir, 'app', '.depwatch.yml'), 'ignore:\n  - id: PYSEC-2019-13\n    reason: not reachable\n    path: requirements.txt\n');
    const withGlob = depwatch('audit', '--offline', '--json', '--no-code', 'app').loaded;
    expect(packagesIn(withGlob)).toContain('yaml');
    expect(packagesIn(withGlob)).not.toContain('ignore');
  });

  it('an audit of a tree with no YAML, TOML or Python file loads neither the YAML or TOML parser, the Python parser nor the archive reader', () => {
    mkdirSync(join(dir, 'plain'));
    writeFileSync(join(dir, 'plain', 'requirements.txt'), 'Django==2.1.5\n');
    const { status, loaded } = depwatch('audit', '--offline', '--json', 'plain');
    expect(status).toBe(1);
    expect(loaded).toContain('dist/scan/scan.js');
    // Code scanning included, nothing loads the validator (zod) without an ignore file to check.
    for (const unused of ['yaml', 'smol-toml', 'tar-stream', 'web-tree-sitter', 'zod']) expect(packagesIn(loaded)).not.toContain(unused);
    // Only the parsers its files need: requirements, not pyproject.toml's or the lockfiles'.
    expect(loaded).toContain('dist/python/formats/requirements.js');
    for (const parser of ['pyproject', 'uv-lock', 'poetry-lock', 'pipfile-lock', 'pylock', 'lock-lines', 'setup-py']) expect(loaded).not.toContain(`dist/python/formats/${parser}.js`);

    // Loaded on use: the same tree with an ignore file reads it with the YAML parser.
    writeFileSync(join(dir, 'plain', '.depwatch.yml'), 'ignore:\n  - id: PYSEC-2019-13\n    reason: not reachable\n');
    expect(packagesIn(depwatch('audit', '--offline', '--json', 'plain').loaded)).toContain('yaml');
    // And a pyproject.toml brings the TOML parser in, whose findings are read as before.
    writeFileSync(join(dir, 'plain', 'pyproject.toml'), '[project]\nname = "plain"\ndependencies = ["jinja2==2.10"]\n');
    const withToml = depwatch('audit', '--offline', '--json', 'plain');
    expect(packagesIn(withToml.loaded)).toContain('smol-toml');
    expect(withToml.loaded).toContain('dist/python/formats/pyproject.js');
    expect((JSON.parse(withToml.stdout) as { findings: { package: string; file: string }[] }).findings).toContainEqual(expect.objectContaining({ package: 'jinja2', file: 'pyproject.toml' }));
  });

  it('the Python end-of-life rule loads its interpreter readers only for a tree with something for them to read', () => {
    mkdirSync(join(dir, 'interpreter'));
    writeFileSync(join(dir, 'interpreter', 'requirements.txt'), 'Django==2.1.5\n');
    const plain = depwatch('audit', '--offline', '--json', 'interpreter');
    expect(plain.status).toBe(1);
    expect(plain.loaded).not.toContain('dist/python/interpreter.js');
    expect(plain.loaded).not.toContain('dist/python/toml.js');

    // A `.python-version` is one: read, and its end-of-life branch reported as before.
    writeFileSync(join(dir, 'interpreter', '.python-version'), '3.6\n');
    const pinned = depwatch('audit', '--offline', '--json', 'interpreter');
    expect(pinned.loaded).toContain('dist/python/interpreter.js');
    expect((JSON.parse(pinned.stdout) as { findings: { kind: string; file: string }[] }).findings).toContainEqual(expect.objectContaining({ kind: 'python-eol', file: '.python-version' }));
  });

  it('setup.py\'s reader and its grammar (web-tree-sitter) load only for a tree with a setup.py, in an audit and in a fix', () => {
    const audit = depwatch('audit', '--offline', '--json', '--no-code', 'app');
    const fix = depwatch('fix', '--offline', '--dry-run', '--json', 'app');
    expect(fix.status).toBe(1); // a dry run leaves django vulnerable
    for (const { loaded } of [audit, fix]) {
      expect(loaded).not.toContain('dist/python/formats/setup-py.js');
      expect(packagesIn(loaded)).not.toContain('web-tree-sitter');
    }
    // The fixer reads every format through formats/index.ts: importing it loads no grammar.
    expect(fix.loaded).toContain('dist/python/formats/index.js');

    mkdirSync(join(dir, 'packaged'));
    writeFileSync(join(dir, 'packaged', 'setup.py'), 'from setuptools import setup\nsetup(name="packaged", install_requires=["Django==2.1.5"])\n');
    for (const args of [['audit', '--offline', '--json', '--no-code', 'packaged'], ['fix', '--offline', '--dry-run', '--json', 'packaged']]) {
      const { loaded } = depwatch(...args);
      expect(loaded).toContain('dist/python/formats/setup-py.js');
      expect(packagesIn(loaded)).toContain('web-tree-sitter');
    }
  });

  it('the configuration checks the offline data-age setting without loading the offline mirror\'s code', () => {
    const loaded = loadedBy('config.js');
    expect(loaded).toContain('dist/config.js');
    expect(loaded).toContain('dist/advisories/max-data-age.js');
    expect(loaded.filter((p) => p.startsWith('dist/advisories/'))).toEqual(['dist/advisories/max-data-age.js']);
  });

  it('the CycloneDX writer loads only for --cyclonedx, and brings no package with it', () => {
    const json = depwatch('deps', '--json', 'app');
    expect(json.status).toBe(0);
    expect(json.loaded).not.toContain('dist/report/cyclonedx.js');
    const bom = depwatch('deps', '--cyclonedx', 'app');
    expect(bom.status).toBe(0);
    expect((JSON.parse(bom.stdout) as { components: unknown[] }).components).toHaveLength(2);
    expect(bom.loaded).toContain('dist/report/cyclonedx.js');
    expect(packagesIn(bom.loaded)).toEqual(packagesIn(json.loaded));
    expect(depwatch('audit', '--offline', '--json', '--no-code', 'app').loaded).not.toContain('dist/report/cyclonedx.js');
  });

  it('an audit that scans code loads the scanner, still without GitHub or the logger', () => {
    const { loaded } = depwatch('audit', '--offline', '--json', 'app');
    expect(loaded).toContain('dist/scan/scan.js');
    for (const heavy of ['octokit', '@octokit/core', 'pino', '@slack/bolt']) expect(packagesIn(loaded)).not.toContain(heavy);
  });
});
