/**
 * Commands that only read the database work on a mirror this user may read but not write: one
 * kept in a read-only folder (SQLite cannot make the WAL's -shm beside it). They read a copy in
 * memory; the file is left exactly as it was. Run as an unprivileged user (root may write
 * anything): directly when the tests are not run as root, through setpriv when they are.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { BIN, buildCliIfStale, run } from '../helpers/built-cli.js';
import { inProcessCli, UNREACHABLE_SERVICES } from '../helpers/cli-in-process.js';

const asRoot = process.getuid?.() === 0;
const setpriv = spawnSync('setpriv', ['--version']).status === 0;
const canDrop = process.platform !== 'win32' && (!asRoot || setpriv);

/** argv running `depwatch ARGS` as this user, or as nobody when this is root. */
const unprivileged = (args: string[]): [string, string[]] =>
  asRoot ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];

let base: string;
let dbDir: string;
let db: string;
let project: string;

beforeAll(async () => {
  if (!canDrop) return;
  buildCliIfStale();
  base = mkdtempSync(join(tmpdir(), 'depwatch-ro-db-'));
  chmodSync(base, 0o755);
  dbDir = join(base, 'mirror');
  mkdirSync(dbDir);
  db = join(dbDir, 'depwatch.db');
  expect(await inProcessCli({ env: { DEPWATCH_DB: db, ...UNREACHABLE_SERVICES } }).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
  project = join(base, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'requirements.txt'), 'django==2.1.5\n');
  chmodSync(db, 0o444);
  chmodSync(dbDir, 0o555);
}, 120_000);

describe.skipIf(!canDrop)('a mirror in a folder this user may not write', () => {
  it('is read by audit and fix --dry-run, and left as it was', async () => {
    const before = readFileSync(db);
    const env = { PATH: process.env.PATH ?? '', HOME: base, DEPWATCH_MAX_DATA_AGE_DAYS: '36500' };
    for (const args of [
      ['audit', '--offline', '--db', db, project],
      ['fix', '--dry-run', '--offline', '--db', db, project],
    ]) {
      const [command, argv] = unprivileged(args);
      const ran = await run(command, argv, { cwd: base, env });
      expect(ran.stderr).not.toMatch(/database/);
      expect(ran.code).toBe(1); // django 2.1.5 is vulnerable: read from the mirror
      expect(ran.stdout + ran.stderr).toMatch(/django/i);
    }
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(readdirSync(dbDir)).toEqual(['depwatch.db']);
  }, 120_000);
});
