/**
 * `depwatch fix` writing a checkout: every file or none, each real file once, named when it cannot
 * be written. In-process, a real SQLite mirror holding the PyPA advisories, --offline.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { BIN, buildCliIfStale, run as runProgram } from '../helpers/built-cli.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dbDir: string;

const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });
const project = (files: Record<string, string>) => writeTree('depwatch-fix-writes-', files);

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-fix-writes-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
}, 120_000);

describe('depwatch fix: one real file reached by two paths', () => {
  const linked = () => {
    const dir = project({ 'requirements/base.txt': 'django==2.1.5\n' });
    symlinkSync('requirements/base.txt', join(dir, 'requirements.txt'));
    return dir;
  };

  it('is rewritten once, under its own path, and nothing vulnerable is left (exit 0)', async () => {
    const dir = linked();
    const { out, run } = cli();
    expect(await run('fix', '--offline', dir)).toBe(0);
    expect(out.stdout).toMatch(/^Rewrote 1 requirement in 1 file:\n  requirements\/base\.txt:1  django ==2\.1\.5 → ==/);
    expect(out.stdout).not.toMatch(/Not written/);
    expect(out.stdout).toMatch(/Nothing vulnerable is left\.\nWritten: requirements\/base\.txt\n$/);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toMatch(/^django==2\.2\.\d+\n$/);
  });

  it('--dry-run prints one patch, which git apply accepts', async () => {
    const dir = linked();
    const { out, run } = cli();
    expect(await run('fix', '--dry-run', '--offline', dir)).toBe(1);
    expect(out.stdout.match(/^--- a\//gm)).toEqual(['--- a/']);
    expect(out.stdout).toMatch(/^--- a\/requirements\/base\.txt\n/);
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', input: out.stdout });
    if (git('init', '-q').status !== 0) return; // no git here: the patch's shape was checked above
    git('add', '-A');
    expect(git('apply', '--check', '-').stderr).toBe('');
  });
});

describe('depwatch fix: a fix one of whose files cannot be written', () => {
  // The pin moved and the constraint that allows it widened, or neither: one without the other
  // leaves a project that no longer installs, and a second run would find nothing to fix.
  const constrained = () => project({ 'requirements.txt': '-c c/constraints.txt\ndjango==2.1.5\n', 'c/constraints.txt': 'django<2.2\n' });

  it('writes nothing, names the file, says the release is not fixed, and exits 2', async () => {
    const dir = constrained();
    chmodSync(join(dir, 'c', 'constraints.txt'), 0o444);
    const { out, run } = cli();
    expect(await run('fix', '--offline', dir)).toBe(2);
    expect(out.stdout).toMatch(/^Did not rewrite 2 requirements in 2 files \(not written: see below\):\n/);
    expect(out.stdout).not.toMatch(/Rewrote/);
    expect(out.stdout).toMatch(/Not written:\n  c\/constraints\.txt: read-only \(mode 0444\); not written .*\n  requirements\.txt: not written, because c\/constraints\.txt could not be/);
    expect(out.stdout).toMatch(/0 fixed, 0 waiting for a lock command, 0 not moved, 1 not written; 0 left alone\. 1 vulnerable release still installed\./);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toBe('-c c/constraints.txt\ndjango==2.1.5\n');

    const json = cli();
    expect(await json.run('fix', '--json', '--offline', dir)).toBe(2);
    expect(JSON.parse(json.out.stdout)).toMatchObject({
      fixes: [{ package: 'django', status: 'not-written' }],
      written: [],
      still_vulnerable: 1,
      partial: true,
      partial_reasons: [
        { kind: 'not-written', file: 'c/constraints.txt' },
        { kind: 'not-written', file: 'requirements.txt' },
      ],
    });
    // Nothing half-done: the audit still finds the release, and a fix once the file is writable does it all.
    chmodSync(join(dir, 'c', 'constraints.txt'), 0o644);
    const again = cli();
    expect(await again.run('fix', '--offline', dir)).toBe(0);
    expect(again.out.stdout).toMatch(/^Rewrote 2 requirements in 2 files:/);
  });

  const asRoot = process.getuid?.() === 0;
  const canDrop = process.platform !== 'win32' && (!asRoot || spawnSync('setpriv', ['--version']).status === 0);

  it.skipIf(!canDrop)('a folder that takes no new file is named, never the temporary file', async () => {
    buildCliIfStale();
    const dir = constrained();
    chmodSync(dir, 0o755);
    if (asRoot) for (const p of ['', 'c', 'requirements.txt', 'c/constraints.txt']) chownSync(join(dir, p), 65534, 65534);
    chmodSync(join(dir, 'c'), 0o555);
    const args = [BIN, 'fix', '--json', '--offline', '--db', join(dbDir, 'depwatch.db'), dir];
    const [command, argv] = asRoot ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, ...args]] : [process.execPath, args];
    chmodSync(dbDir, 0o755);
    chmodSync(join(dbDir, 'depwatch.db'), 0o644);
    const ran = await runProgram(command, argv, { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, DEPWATCH_MAX_DATA_AGE_DAYS: '36500' } });
    expect(ran.code).toBe(2);
    const json = JSON.parse(ran.stdout);
    expect(json.errors).toEqual([
      { file: 'c/constraints.txt', line: null, message: 'c/constraints.txt: cannot be written: its folder does not take a new file (permission denied); not written' },
      { file: 'requirements.txt', line: null, message: 'requirements.txt: not written, because c/constraints.txt could not be (depwatch fix writes all of its files or none)' },
    ]);
    expect(ran.stdout).not.toMatch(/\.tmp/);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toBe('-c c/constraints.txt\ndjango==2.1.5\n');
    expect(readdirSync(dir).sort()).toEqual(['c', 'requirements.txt']);
  }, 120_000);
});
