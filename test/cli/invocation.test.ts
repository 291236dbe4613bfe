/**
 * Every way people start the CLI runs it: the package's bin through a node_modules/.bin symlink (what
 * `npm install`, `npm link` and `npx` create), `npm exec` in a project that depends on it, and `npx`
 * in Depwatch's own checkout. npm is kept off the registry (--offline, --no): nothing is downloaded.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ, OLD_FIXTURES_ALLOWED } from '../fixtures/osv/load.js';
import { buildCliIfStale, ROOT, run } from '../helpers/built-cli.js';

const PIPENV = join(ROOT, 'test', 'fixtures', 'manifests', 'pipenv');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let consumer: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  buildCliIfStale();
  // A project that installed depwatch: node_modules/depwatch is the package, .bin/depwatch links to its bin.
  consumer = mkdtempSync(join(tmpdir(), 'depwatch-consumer-'));
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  mkdirSync(join(consumer, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(ROOT, join(consumer, 'node_modules', 'depwatch'), 'dir');
  symlinkSync(join('..', 'depwatch', 'bin', 'depwatch.js'), join(consumer, 'node_modules', '.bin', 'depwatch'));
  const data = mkdtempSync(join(tmpdir(), 'depwatch-invocation-'));
  env = {
    ...process.env,
    TZ: 'UTC',
    DEPWATCH_DB: join(data, 'depwatch.db'),
    XDG_DATA_HOME: join(data, 'xdg'),
    OSV_API_URL: 'http://127.0.0.1:9',
    PYPI_URL: 'http://127.0.0.1:9',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    // The fixture advisories are old on purpose: `check --offline` here answers from them as current.
    ...OLD_FIXTURES_ALLOWED,
  };
}, 300_000);

const npmOffline = ['--offline', '--no', '--'];

describe('the depwatch command, however it is started', () => {
  it('runs through a node_modules/.bin symlink: version, real output and exit statuses', async () => {
    const bin = join(consumer, 'node_modules', '.bin', 'depwatch');
    const version = await run(bin, ['--version'], { cwd: consumer, env });
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });

    const deps = await run(bin, ['deps', '--json', PIPENV], { cwd: consumer, env });
    expect(deps.code).toBe(0);
    expect(JSON.parse(deps.stdout).manifests.map((m: { path: string }) => m.path).sort()).toEqual(['Pipfile', 'Pipfile.lock']);

    const imported = await run(bin, ['db', 'import', ADVISORIES_JSONL_GZ], { cwd: consumer, env });
    expect(imported.stdout).toMatch(/^added 2661, /);
    expect(imported.code).toBe(0);
    const vulnerable = await run(bin, ['check', '--offline', 'django==2.1.5'], { cwd: consumer, env });
    expect(vulnerable.code).toBe(1);
    expect(vulnerable.stdout).toContain('PYSEC-2019-13');

    const usage = await run(bin, ['frobnicate'], { cwd: consumer, env });
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toMatch(/^depwatch: unknown command "frobnicate"/);
  });

  it('runs through `npm exec` in a project that depends on it', async () => {
    const version = await run('npm', ['exec', ...npmOffline, 'depwatch', '--version'], { cwd: consumer, env });
    expect(version.stdout).toBe(`${VERSION}\n`);
    expect(version.code).toBe(0);
    const missing = await run('npm', ['exec', ...npmOffline, 'depwatch', 'deps', join(consumer, 'no-such-dir')], { cwd: consumer, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such-dir: no such file or directory');
  });

  it('runs through `npx` in its own checkout', async () => {
    const deps = await run('npx', [...npmOffline, 'depwatch', 'deps', PIPENV], { cwd: ROOT, env });
    expect(deps.code).toBe(0);
    expect(deps.stdout).toMatch(/dependencies in 2 files/);
  });
});
