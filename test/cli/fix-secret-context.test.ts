/**
 * `depwatch fix --dry-run` prints a patch for `git apply` or `patch -p1` (docs/cli-contract.md) and
 * never a credential. Masking the whole diff broke the first promise: with `--extra-index-url
 * https://user:s3cr3tpass@…` on line 2 and the pin on line 4, the context line was printed masked,
 * matched nothing in the file, and `git apply --check` refused the patch. A context line holding a
 * credential is now left out of its hunk; where that cannot give a hunk git takes (the credential is
 * on the changed line, or right after it), the line is masked and stderr and JSON say the patch
 * does not apply to that file as printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixDiff } from '../../src/fix/diff.js';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const SECRET = 's3cr3tpass';
const INDEX = `--extra-index-url https://user:${SECRET}@pypi.internal.example/simple`;

let dbDir: string;
const cli = (stdoutIsTTY = false) => {
  const c = inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });
  if (!stdoutIsTTY) return c;
  // The same command line, its stdout a terminal.
  return { ...c, run: async (...argv: string[]) => (await import('../../src/cli.js')).runCli(argv, { stdout: (t) => void (c.out.stdout += t), stderr: (t) => void (c.out.stderr += t), isTTY: false, stdoutIsTTY: true, cwd: process.cwd(), env: { TZ: 'UTC', DEPWATCH_DB: join(dbDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } }) };
};

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-fix-secret-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

/** A git repository holding these files, committed. */
function gitRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'depwatch-fix-secret-git-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q');
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'base');
  return dir;
}

/** Whether `git apply --check` takes the patch in that repository (and, if so, applies it). */
function gitApplies(dir: string, patch: string): boolean {
  try {
    execFileSync('git', ['apply', '--check', '-'], { cwd: dir, input: patch, stdio: ['pipe', 'pipe', 'pipe'] });
    execFileSync('git', ['apply', '-'], { cwd: dir, input: patch, stdio: ['pipe', 'pipe', 'pipe'] });
    return true;
  } catch {
    return false;
  }
}

describe('fix --dry-run with a credential near the pin', () => {
  const original = `# deps\n${INDEX}\nflask==2.3.3\ndjango==2.1.5\nsix==1.16.0\nrequests==2.31.0\nidna==3.7\n`;

  it('prints a patch that git apply takes, without the credential, and says nothing is wrong with it', async () => {
    const dir = writeTree('depwatch-fix-secret-', { 'requirements.txt': original });
    const { out, run } = cli();
    expect(await run('fix', '--dry-run', '--offline', dir)).toBe(1);
    expect(out.stdout).not.toContain(SECRET);
    expect(out.stdout).not.toContain('pypi.internal.example');
    expect(out.stdout).toMatch(/^@@ -3,5 \+3,5 @@\n flask==2\.3\.3\n-django==2\.1\.5\n\+django==[\d.]+\n six==1\.16\.0\n/m);
    expect(out.stderr).not.toContain('does not apply');
    const repo = gitRepo({ 'requirements.txt': original });
    expect(gitApplies(repo, out.stdout)).toBe(true);
    expect(readFileSync(join(repo, 'requirements.txt'), 'utf8')).toMatch(new RegExp(`^# deps\\n${INDEX.replace(/[.?+/]/g, '\\$&')}\\nflask==2\\.3\\.3\\ndjango==(?!2\\.1\\.5)[\\d.]+\\n`));

    // --json: the same patch in `diff`, and no diff_not_applicable.
    const json = cli();
    expect(await json.run('fix', '--dry-run', '--json', '--offline', dir)).toBe(1);
    const parsed = JSON.parse(json.out.stdout);
    expect(parsed.diff).toBe(out.stdout);
    expect(parsed.diff_not_applicable).toBeUndefined();
  });

  it('masks a credential on the changed line, and says on stderr and in JSON that the patch does not apply as printed', async () => {
    const text = `# deps\ndjango==2.1.5 ${INDEX.replace('--extra-index-url', '--index-url')}\nsix==1.16.0\n`;
    const dir = writeTree('depwatch-fix-secret-', { 'requirements.txt': text });
    const { out, run } = cli();
    await run('fix', '--dry-run', '--offline', dir);
    expect(out.stdout + out.stderr).not.toContain(SECRET);
    expect(out.stderr).toContain('depwatch fix: the patch for requirements.txt shows a line holding a credential masked');
    const json = cli();
    await json.run('fix', '--dry-run', '--json', '--offline', dir);
    expect(json.out.stdout).not.toContain(SECRET);
    expect(JSON.parse(json.out.stdout).diff_not_applicable).toEqual([{ file: 'requirements.txt', reason: expect.stringContaining('does not apply to that file as printed') }]);
  });

  it('shows a control character of a context line as an escape on a terminal, and keeps it in a pipe', async () => {
    const text = `# \u001b[2Jdeps\ndjango==2.1.5\n`;
    const dir = writeTree('depwatch-fix-secret-', { 'requirements.txt': text });
    const terminal = cli(true);
    await terminal.run('fix', '--dry-run', '--offline', dir);
    expect(terminal.out.stdout).toContain(' # \\e[2Jdeps\n');
    expect(terminal.out.stdout).not.toContain('\u001b');
    const piped = cli();
    await piped.run('fix', '--dry-run', '--offline', dir);
    expect(piped.out.stdout).toContain(' # \u001b[2Jdeps\n');
  });
});

describe('fixDiff', () => {
  const file = (before: string, after: string) => new Map([['requirements.txt', { before, after }]]);
  const lines = (n: number, at: Record<number, string>) => Array.from({ length: n }, (_, i) => at[i + 1] ?? `pkg${i + 1}==1.0`).join('\n') + '\n';

  it.each([
    ['two lines above the change', { 2: INDEX }, 4],
    ['right above the change', { 3: INDEX }, 4],
    ['two lines below the change', { 6: INDEX }, 4],
    ['between two changes, a line from each', { 5: INDEX }, [3, 7]],
    ['on the first line, the change on the second', { 1: INDEX }, 2],
    ['above a change on the last line', { 8: INDEX }, 10],
  ] as const)('leaves out a context line holding a credential %s, and the patch applies', (_, secretAt, changed) => {
    const before = lines(10, secretAt);
    const changes = (Array.isArray(changed) ? changed : [changed]) as number[];
    const after = lines(10, { ...secretAt, ...Object.fromEntries(changes.map((n) => [n, `pkg${n}==2.0`])) });
    const diff = fixDiff(file(before, after));
    expect(diff.text).not.toContain(SECRET);
    expect(diff.unappliable).toEqual([]);
    const repo = gitRepo({ 'requirements.txt': before });
    expect(gitApplies(repo, diff.text)).toBe(true);
    expect(readFileSync(join(repo, 'requirements.txt'), 'utf8')).toBe(after);
  });

  it('masks one right below a change with more of the file after it (git needs that line), and says so', () => {
    const before = lines(10, { 5: INDEX });
    const after = lines(10, { 5: INDEX, 4: 'pkg4==2.0' });
    const diff = fixDiff(file(before, after));
    expect(diff.text).not.toContain(SECRET);
    expect(diff.text).toContain(' --extra-index-url https://pypi.internal.example/simple\n');
    expect(diff.unappliable).toEqual(['requirements.txt']);
  });

  it('leaves a diff without credentials as jsdiff made it', () => {
    const diff = fixDiff(file(lines(10, {}), lines(10, { 4: 'pkg4==2.0' })));
    expect(diff.text).toBe('--- a/requirements.txt\n+++ b/requirements.txt\n@@ -1,7 +1,7 @@\n pkg1==1.0\n pkg2==1.0\n pkg3==1.0\n-pkg4==1.0\n+pkg4==2.0\n pkg5==1.0\n pkg6==1.0\n pkg7==1.0\n');
  });
});
