/**
 * `depwatch fix` writing a checkout: every file or none, each real file once, named when it cannot
 * be written. In-process, a real SQLite mirror holding the PyPA advisories, --offline.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
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
