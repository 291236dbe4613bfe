/**
 * A path someone gave that cannot be used gets one line in people's words, the way a missing file
 * is said everywhere ("no such file or directory"), never the system's code (`ENOENT`, `EISDIR:
 * illegal operation on a directory, read`) or SQLite's "unable to open database file". A dotenv
 * file that is not text is refused: read as one, it gave no settings and the command ran without
 * the ones meant.
 */
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const folder = () => writeTree('depwatch-path-errors-', { 'requirements.txt': 'attrs==23.1.0\n' });
const cli = (cwd: string) => inProcessCli({ cwd, env: { DEPWATCH_DB: join(cwd, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

describe('paths that cannot be used', () => {
  it('db import of a missing file: no such file or directory', async () => {
    const dir = folder();
    const c = cli(dir);
    expect(await c.run('db', 'import', join(dir, 'nonexistent.zip'))).toBe(2);
    expect(c.out.stderr).toBe(`depwatch db import: cannot read ${join(dir, 'nonexistent.zip')}: no such file or directory; nothing was imported\n`);
  });

  it('--dotenv naming a directory: it is a directory', async () => {
    const dir = folder();
    const c = cli(dir);
    expect(await c.run('--dotenv', dir, 'db', 'status')).toBe(2);
    expect(c.out.stderr).toBe(`depwatch: --dotenv ${dir}: is a directory, not a file\n`);
  });

  it('--db naming a directory: it is a directory, for reading and for importing alike', async () => {
    const dir = folder();
    for (const argv of [['db', 'status', '--db', dir], ['db', 'import', '--db', dir, join(dir, 'requirements.txt')], ['audit', '--offline', '--db', dir, dir]]) {
      const c = cli(dir);
      expect(await c.run(...argv)).toBe(2);
      expect(c.out.stderr).toMatch(new RegExp(`^depwatch \\w+: the database ${dir} \\(from --db\\) is a directory: give the path of a database file \\(created if it does not exist\\)\\n$`));
    }
  });

  it('DEPWATCH_DB under a regular file: names the variable and the file in the way, not EEXIST', async () => {
    const dir = folder();
    const file = join(dir, 'requirements.txt');
    for (const path of [join(file, 'x.db'), join(file, 'deeper', 'x.db')]) {
      const c = inProcessCli({ cwd: dir, env: { DEPWATCH_DB: path, ...UNREACHABLE_SERVICES } });
      expect(await c.run('db', 'import', file)).toBe(2);
      expect(c.out.stderr).toBe(`depwatch db: the database ${path} (from DEPWATCH_DB) cannot be created: ${file} is a file, not a folder\n`);
    }
    // --db says the same of itself.
    const c = cli(dir);
    expect(await c.run('db', 'import', '--db', join(file, 'x.db'), file)).toBe(2);
    expect(c.out.stderr).toBe(`depwatch db: the database ${join(file, 'x.db')} (from --db) cannot be created: ${file} is a file, not a folder\n`);
  });

  it('deps of a symbolic link in a loop: says so, not "no such file"', async () => {
    const dir = folder();
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    const c = cli(dir);
    expect(await c.run('deps', 'loop-a')).toBe(2);
    expect(c.out.stderr).toBe('depwatch deps: loop-a: a symbolic link in a loop (it leads back to itself)\n');
  });

  it('audit, scan and fix of a symbolic link in a loop: the same, not "no such directory"', async () => {
    const dir = folder();
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    for (const argv of [['audit', '--offline', 'loop-a'], ['scan', 'loop-a'], ['fix', 'loop-a']]) {
      const c = cli(dir);
      expect(await c.run(...argv)).toBe(2);
      expect(c.out.stderr).toBe(`depwatch ${argv[0]}: loop-a: a symbolic link in a loop (it leads back to itself)\n`);
    }
  });
});

describe('a --dotenv file that is not text', () => {
  it('with NUL bytes (a binary file): refused with one line, exit 2, the command does not run', async () => {
    const dir = writeTree('depwatch-path-errors-', { 'settings.env': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x41, 0x3d, 0x31]) });
    const c = cli(dir);
    expect(await c.run('--dotenv', 'settings.env', 'db', 'status', '--json')).toBe(2);
    expect(c.out.stdout).toBe('');
    expect(c.out.stderr).toBe('depwatch: --dotenv settings.env: not a text file (it holds NUL bytes); give a file of NAME=value lines\n');
  });

  it('not UTF-8: refused the same way', async () => {
    const dir = writeTree('depwatch-path-errors-', { 'settings.env': Buffer.from('DEPWATCH_DB=caf\xe9.db\n', 'latin1') });
    const c = cli(dir);
    expect(await c.run('--dotenv', 'settings.env', 'db', 'status', '--json')).toBe(2);
    expect(c.out.stderr).toBe('depwatch: --dotenv settings.env: not a text file (it is not UTF-8); give a file of NAME=value lines\n');
  });

  it('a UTF-8 file with a byte-order mark and accents is read', async () => {
    const dir = writeTree('depwatch-path-errors-', { 'settings.env': '\ufeffDEPWATCH_DB=./café.db\n' });
    const c = inProcessCli({ cwd: dir, env: { ...UNREACHABLE_SERVICES } });
    expect(await c.run('--dotenv', 'settings.env', 'db', 'status', '--json')).toBe(0);
    expect((JSON.parse(c.out.stdout) as { path: string }).path).toBe(join(dir, 'café.db'));
  });
});
