/**
 * `depwatch fix FILE`: the fix of what `depwatch audit FILE` audits. That manifest and its includes,
 * from its folder, are rewritten; the folder's other manifests are not read, so not touched. A file
 * it cannot read as a manifest is one line and exit 2, as for the audit.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dbDir: string;

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-fix-file-db-'));
  expect(await inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'depwatch.db') } }).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

async function depwatch(cwd: string, ...argv: string[]) {
  const c = inProcessCli({ cwd, env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });
  const code = await c.run(...argv);
  return { code, ...c.out };
}

describe('depwatch fix FILE', () => {
  it('rewrites that manifest and what it includes, paths from its folder; another manifest beside it is left as it was', async () => {
    const dir = writeTree('depwatch-fix-file-', {
      'requirements/prod.txt': '-r base.txt\nsix==1.16.0\n',
      'requirements/base.txt': 'django==2.1.5\n',
      'requirements/dev.txt': 'django==2.1.5\n',
    });
    const { code, stdout } = await depwatch(dir, 'fix', '--json', '--offline', 'requirements/prod.txt');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ written: ['base.txt'], changes: [{ file: 'base.txt', line: 1, package: 'django', from_version: '2.1.5' }] });
    expect(readFileSync(join(dir, 'requirements/base.txt'), 'utf8')).not.toBe('django==2.1.5\n');
    expect(readFileSync(join(dir, 'requirements/dev.txt'), 'utf8')).toBe('django==2.1.5\n');
  });

  it('a file it cannot read as a manifest: one line, exit 2, nothing written', async () => {
    const dir = writeTree('depwatch-fix-file-', { 'deps.lock': 'django==2.1.5\n' });
    const { code, stdout, stderr } = await depwatch(dir, 'fix', '--offline', 'deps.lock');
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^depwatch fix: deps\.lock: not a manifest Depwatch reads by its name \(.*\n$/);
    expect(readFileSync(join(dir, 'deps.lock'), 'utf8')).toBe('django==2.1.5\n');
  });

  it('a manifest path that is not there: no such file', async () => {
    const dir = writeTree('depwatch-fix-file-', {});
    expect(await depwatch(dir, 'fix', '--offline', 'requirements/prod.txt')).toEqual({ code: 2, stdout: '', stderr: 'depwatch fix: no such file: requirements/prod.txt\n' });
  });
});
