/**
 * Where the CLI's settings come from: the environment, and a file only when `--dotenv` names one.
 * A `.env` in the current folder is the audited repository's in CI (`cd checkout && depwatch audit .`):
 * read by itself, it let the repository point the gate at its own advisory database or at its own
 * "OSV" and GitHub servers (with the CI's GITHUB_TOKEN).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../helpers/built.js';
import { inProcessCli, writeTree } from '../helpers/cli-in-process.js';

const dirs: string[] = [];
const tree = (files: Record<string, string>) => {
  const dir = writeTree('depwatch-dotenv-', files);
  dirs.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `depwatch db status --json` names the database file the settings chose. */
const dbPathOf = (stdout: string): string => (JSON.parse(stdout) as { path: string }).path;

describe('the installed CLI', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('does not read a .env in the current folder: the audited checkout cannot choose the database', () => {
    const checkout = tree({ '.env': 'DEPWATCH_DB=./evil.db\nOSV_API_URL=http://127.0.0.1:9\n', 'requirements.txt': 'django==2.1.5\n' });
    const data = join(checkout, '..', 'xdg-data');
    const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'db', 'status', '--json'], {
      cwd: checkout,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', XDG_DATA_HOME: data },
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(dbPathOf(result.stdout)).toBe(join(data, 'depwatch', 'depwatch.db'));
  });

  it('reads the file --dotenv names, before the command', () => {
    const ops = tree({ 'ops.env': 'DEPWATCH_DB=./from-ops.db\n' });
    const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), '--dotenv', 'ops.env', 'db', 'status', '--json'], {
      cwd: ops,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(dbPathOf(result.stdout)).toBe(join(ops, 'from-ops.db'));
  });

  it('refuses a missing file with its own line and exit 2 through the installed command (Node does not claim --dotenv)', () => {
    // Named --dotenv, not --env-file: Node claims --env-file even among a script's arguments and
    // stops first with its own message and status 9 (nodejs/node#54232).
    const cwd = tree({});
    const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'depwatch.js'), '--dotenv', 'missing.env', 'db', 'status', '--json'], {
      cwd,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('depwatch: --dotenv missing.env: no such file or directory\n');
  });
});

describe('--dotenv', () => {
  it('sets what the environment does not, relative to the current folder; the environment wins', async () => {
    const cwd = tree({ 'config/ops.env': 'DEPWATCH_DB=/srv/ops.db\nOSV_API_URL=http://127.0.0.1:9\n' });
    const cli = inProcessCli({ cwd });
    expect(await cli.run('--dotenv', 'config/ops.env', 'db', 'status', '--json')).toBe(0);
    expect(dbPathOf(cli.out.stdout)).toBe('/srv/ops.db');

    const overridden = inProcessCli({ cwd, env: { DEPWATCH_DB: '/srv/env.db' } });
    expect(await overridden.run('--dotenv=config/ops.env', 'db', 'status', '--json')).toBe(0);
    expect(dbPathOf(overridden.out.stdout)).toBe('/srv/env.db');
  });

  it('treats a setting left empty in the file as not set', async () => {
    const cwd = tree({ 'ops.env': 'DEPWATCH_DB=\nTZ=\n' });
    const cli = inProcessCli({ cwd, env: { XDG_DATA_HOME: '/srv/data' } });
    expect(await cli.run('--dotenv', 'ops.env', 'db', 'status', '--json')).toBe(0);
    expect(dbPathOf(cli.out.stdout)).toBe('/srv/data/depwatch/depwatch.db');
  });

  it('refuses a file that is not there: one line, exit 2, and the command does not run', async () => {
    const cwd = tree({});
    const cli = inProcessCli({ cwd });
    expect(await cli.run('--dotenv', 'missing.env', 'db', 'status', '--json')).toBe(2);
    expect(cli.out.stdout).toBe('');
    expect(cli.out.stderr).toBe(`depwatch: --dotenv missing.env: no such file or directory\n`);
  });

  it('needs a path', async () => {
    const cli = inProcessCli();
    expect(await cli.run('--dotenv')).toBe(2);
    expect(cli.out.stderr).toBe('depwatch: --dotenv needs a path (depwatch --dotenv PATH <command> ...)\n');
  });
});
