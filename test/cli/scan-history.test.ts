/**
 * `depwatch scan --history DIR` on real git repositories built here: a secret committed and deleted
 * is found at the commit that added it, one still in the working tree is said once, binary changes
 * are passed over, and whatever was not read (a shallow clone, no repository, no git, a change over
 * the size limit, the time limit) makes the result partial. git runs with a home and no system
 * configuration of the test's own, so the machine's settings play no part.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanHistory } from '../../src/scan/history/scan-history.js';
import { inProcessCli } from '../helpers/cli-in-process.js';

const TOKEN = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
const OTHER_TOKEN = 'ghp_' + 'Zq8wX2vB7nM4kL9pR3tY6uI1oE5aS0dFgH2j';
const KEY = { DEPWATCH_FINGERPRINT_KEY: 'k'.repeat(64) };

const scratch = mkdtempSync(join(tmpdir(), 'depwatch-history-'));
const home = join(scratch, 'home');
mkdirSync(home);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What git runs with, in the tests and in depwatch: no system or global configuration of this machine. */
const GIT_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: join(home, 'none'), TZ: 'UTC' };

let repos = 0;
function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: { ...GIT_ENV, GIT_AUTHOR_DATE: '2024-05-06T07:08:09Z', GIT_COMMITTER_DATE: '2024-05-06T07:08:09Z' }, encoding: 'utf8' });
}

/** A fresh repository; each step writes (or, with null, deletes) files and commits them with its message. */
function repo(steps: { message: string; files: Record<string, string | Buffer | null> }[]): string {
  const dir = join(scratch, `repo${repos++}`);
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  for (const step of steps) {
    for (const [path, content] of Object.entries(step.files)) {
      if (content === null) rmSync(join(dir, path));
      else {
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
    }
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '--allow-empty', '-m', step.message);
  }
  return dir;
}

async function scan(dir: string, ...args: string[]) {
  const cli = inProcessCli({ cwd: dir, env: { ...GIT_ENV, ...KEY } });
  const code = await cli.run('scan', '--history', ...args, '.');
  return { code, ...cli.out };
}

async function scanJson(dir: string, ...args: string[]) {
  const run = await scan(dir, '--json', ...args);
  return { ...run, json: JSON.parse(run.stdout) };
}

const GITIGNORE = { '.gitignore': '.env\n*.env\n' };

beforeAll(() => {
  expect(git(scratch, '--version')).toMatch(/^git version /);
});

describe('depwatch scan --history', () => {
  it('finds a token committed and deleted later, at the commit and line that added it, never printing it', async () => {
    const dir = repo([
      { message: 'start', files: { ...GITIGNORE, 'app/settings.py': 'DEBUG = False\n' } },
      { message: 'add the deploy token', files: { 'app/settings.py': `DEBUG = False\nGITHUB_TOKEN = "${TOKEN}"\n` } },
      { message: 'remove the token', files: { 'app/settings.py': 'import os\nDEBUG = False\nGITHUB_TOKEN = os.environ["GITHUB_TOKEN"]\n' } },
    ]);
    const added = git(dir, 'rev-parse', 'HEAD~1').trim();
    const { code, json, stdout, stderr } = await scanJson(dir);
    expect(code).toBe(1);
    expect(stdout + stderr).not.toContain(TOKEN.slice(4));
    expect(json.findings).toEqual([
      expect.objectContaining({
        kind: 'secret',
        rule: 'secret-github-token',
        file: 'app/settings.py',
        line: 2,
        column: 17,
        secret: { kind: 'GitHub token', fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) },
        commit: { sha: added, author_date: '2024-05-06T07:08:09+00:00', subject: 'add the deploy token', file: 'app/settings.py', line: 2 },
        in_working_tree: false,
      }),
    ]);
    expect(json.history).toMatchObject({ commits: 3, partial: false, unread: [] });
    expect(json.partial).toBe(false);

    const text = await scan(dir);
    expect(text.stdout).toContain('CRITICAL app/settings.py:2:17  secret-github-token');
    expect(text.stdout).toContain(`in the history only (the working tree scan did not find it): added by commit ${added.slice(0, 12)} (2024-05-06, "add the deploy token")`);
    expect(text.stdout).toContain('history: 3 commits read.');
    expect(text.stdout).not.toContain(TOKEN.slice(4));
  });

  it('says a token still in the working tree once: the working tree finding, with the commit that first added it', async () => {
    const dir = repo([
      { message: 'first', files: { ...GITIGNORE, 'deploy.yml': `token: ${TOKEN}\n` } },
      { message: 'move it down', files: { 'deploy.yml': `name: app\ntoken: ${TOKEN}\n` } },
      { message: 'copy it', files: { 'ci/other.yml': `# again\ntoken: ${TOKEN}\n` } },
    ]);
    const first = git(dir, 'rev-list', '--max-parents=0', 'HEAD').trim();
    const { json } = await scanJson(dir);
    const secrets = json.findings.filter((f: { kind: string }) => f.kind === 'secret');
    // Two places in the working tree, one secret: the working tree's findings both link the same first commit.
    expect(secrets.map((f: { file: string; line: number; in_working_tree: boolean; commit: { sha: string; file: string; line: number } }) => [f.file, f.line, f.in_working_tree, f.commit.sha, f.commit.file, f.commit.line])).toEqual([
      ['ci/other.yml', 2, true, first, 'deploy.yml', 1],
      ['deploy.yml', 2, true, first, 'deploy.yml', 1],
    ]);
    const text = await scan(dir);
    expect(text.stdout.match(new RegExp(`first committed in ${first.slice(0, 12)} \\(2024-05-06, "first"\\) at deploy\\.yml:1\\n`, 'g'))).toHaveLength(2);
    expect(text.stdout).not.toContain('in the history only');
  });

  it("reads the same whatever the repository's own git settings say, and runs none of its programs", async () => {
    const dir = repo([
      { message: 'first', files: { ...GITIGNORE, '.gitattributes': '*.yml diff=conv\n', 'a.yml': `token: ${TOKEN}\n` } },
      { message: 'gone', files: { 'a.yml': null } },
    ]);
    const marker = join(scratch, `ran${repos}`);
    for (const [key, value] of [
      ['log.showRoot', 'false'],
      ['diff.noprefix', 'true'],
      ['diff.mnemonicPrefix', 'true'],
      ['color.ui', 'always'],
      ['log.showSignature', 'true'],
      ['diff.external', `touch ${marker}`],
      ['diff.conv.textconv', `touch ${marker}; cat`],
      ['core.pager', `touch ${marker}; cat`],
      ['gpg.program', `touch ${marker}`],
    ]) git(dir, 'config', key!, value!);
    const { json } = await scanJson(dir);
    expect(json.findings.map((f: { file: string; line: number; commit: { subject: string } }) => [f.file, f.line, f.commit.subject])).toEqual([['a.yml', 1, 'first']]);
    expect(existsSync(marker)).toBe(false);
  });

  it('in a folder inside a checkout, reads the history of that folder only, with paths relative to it', async () => {
    const dir = repo([
      { message: 'both', files: { ...GITIGNORE, 'svc/.gitignore': '.env\n*.env\n', 'svc/b.yml': `token: ${OTHER_TOKEN}\n`, 'other/a.yml': `token: ${TOKEN}\n` } },
      { message: 'drop both', files: { 'svc/b.yml': null, 'other/a.yml': null } },
    ]);
    const { json } = await scanJson(join(dir, 'svc'));
    expect(json.findings.map((f: { file: string; commit: { file: string } }) => [f.file, f.commit.file])).toEqual([['b.yml', 'b.yml']]);
  });

  it("reads a merge's own changes: a secret written while resolving a conflict is found at the merge", async () => {
    const dir = repo([{ message: 'base', files: { ...GITIGNORE, 'f.txt': 'a\nb\nc\n' } }]);
    git(dir, 'checkout', '-q', '-b', 'side');
    writeFileSync(join(dir, 'f.txt'), 'a\nb-side\nc\n');
    git(dir, 'commit', '-q', '-am', 'side');
    git(dir, 'checkout', '-q', 'main');
    writeFileSync(join(dir, 'f.txt'), 'a\nb-main\nc\n');
    git(dir, 'commit', '-q', '-am', 'main');
    expect(() => git(dir, 'merge', '-q', 'side')).toThrow(); // a conflict
    writeFileSync(join(dir, 'f.txt'), `a\ntoken: ${TOKEN}\nc\n`);
    git(dir, 'commit', '-q', '-am', 'merge side');
    writeFileSync(join(dir, 'f.txt'), 'a\nb\nc\n');
    git(dir, 'commit', '-q', '-am', 'clean up');
    const { json } = await scanJson(dir);
    expect(json.findings.map((f: { file: string; line: number; commit: { subject: string } }) => [f.file, f.line, f.commit.subject])).toEqual([['f.txt', 2, 'merge side']]);
  });

  it('passes over binary changes, saying so, without making the result partial', async () => {
    const binary = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), Buffer.from(TOKEN), Buffer.alloc(64)]);
    const dir = repo([{ message: 'logo', files: { ...GITIGNORE, 'logo.png': binary, 'conf.json': Buffer.concat([Buffer.from('x = 1\n\0\0\0'), Buffer.alloc(32)]) } }]);
    const { code, json } = await scanJson(dir);
    expect(json.history.binary_changes).toBe(2);
    expect(json.history.notes).toEqual([{ kind: 'binary', message: expect.stringMatching(/^2 binary file changes passed over .*named like source or settings: conf\.json \([0-9a-f]{12}\)$/) }]);
    expect(json.history.partial).toBe(false);
    expect(code).toBe(0);
  });

  it('reads the content of a change git calls binary only by .gitattributes, as the working tree scan reads such a file', async () => {
    const dir = repo([
      { message: 'hide it', files: { ...GITIGNORE, '.gitattributes': '*.yml -diff\n', 'deploy.yml': `name: app\ntoken: ${TOKEN}\n` } },
      { message: 'gone', files: { 'deploy.yml': null } },
    ]);
    const first = git(dir, 'rev-list', '--max-parents=0', 'HEAD').trim();
    const { code, json } = await scanJson(dir);
    expect(json.findings.map((f: { file: string; line: number; commit: { sha: string } }) => [f.file, f.line, f.commit.sha])).toEqual([['deploy.yml', 2, first]]);
    expect(json.history.notes).toEqual([{ kind: 'binary', message: '1 change git reports binary (a .gitattributes says so) is text: read whole and scanned, as the working tree scan reads such a file' }]);
    expect(code).toBe(1);
  });

  it('is partial for a shallow clone: the history before its graft was not read', async () => {
    const origin = repo([
      { message: 'old secret', files: { ...GITIGNORE, 'a.yml': `token: ${OTHER_TOKEN}\n` } },
      { message: 'gone', files: { 'a.yml': 'token: none\n' } },
      { message: 'later', files: { 'b.txt': 'b\n' } },
    ]);
    const clone = join(scratch, `shallow${repos++}`);
    git(scratch, 'clone', '-q', '--depth', '1', `file://${origin}`, clone);
    const { code, json, stderr } = await scanJson(clone);
    expect(json.history.unread).toEqual([{ kind: 'shallow', message: expect.stringContaining('a shallow clone: the history before its graft commit was not scanned') }]);
    expect(json.partial).toBe(true);
    expect(json.findings.filter((f: { kind: string }) => f.kind === 'secret')).toEqual([]);
    expect(code).toBe(2);
    expect(stderr).toBe('depwatch scan: PARTIAL: history before the shallow clone\'s graft not scanned; see "history.unread"\n');
  });

  it('in a folder that is not a repository: the working tree is scanned, the history is not, one line says so, exit 2', async () => {
    const dir = join(scratch, `plain${repos++}`);
    mkdirSync(dir);
    writeFileSync(join(dir, '.gitignore'), '.env\n');
    const { code, stdout, stderr } = await scan(dir);
    expect(code).toBe(2);
    expect(stderr).toBe('depwatch scan: PARTIAL: history not scanned (not a git repository); see the lists above\n');
    expect(stdout).toContain('History:\n  not a git repository (or any of its parents); the history was not scanned\n');
  });

  it('without git on PATH: partial, one line', async () => {
    const dir = repo([{ message: 'x', files: GITIGNORE }]);
    const cli = inProcessCli({ cwd: dir, env: { ...GIT_ENV, PATH: join(scratch, 'no-bin') } });
    expect(await cli.run('scan', '--history', '.')).toBe(2);
    expect(cli.out.stderr).toBe('depwatch scan: PARTIAL: history not scanned (git could not be run); see the lists above\n');
  });

  it('shows a hostile file name and commit subject safely in text (no raw control characters), exactly in JSON', async () => {
    const name = 'evil\n\x1b[2Jname.yml';
    const subject = 'CLEAN \x1b[2J\x1b[32mall good\r';
    const dir = repo([
      { message: subject, files: { ...GITIGNORE, [name]: `token: ${TOKEN}\n` } },
      { message: 'gone', files: { [name]: null } },
    ]);
    const { json } = await scanJson(dir);
    const finding = json.findings.find((f: { kind: string }) => f.kind === 'secret');
    expect(finding.file).toBe(name);
    expect(finding.commit.subject).toContain('CLEAN \x1b[2J\x1b[32mall good');
    const { stdout } = await scan(dir);
    expect(stdout).not.toMatch(/[\x1b\r]/);
    expect(stdout).toContain('evil\\n\\e[2Jname.yml:1:8');
    expect(stdout).toContain('"CLEAN \\e[2J\\e[32mall good');
  });

  it("applies .depwatch.yml ignores (by rule and path) and inline markers to the history's findings", async () => {
    const dir = repo([
      { message: 'fixture', files: { ...GITIGNORE, 'tests/fixtures/ci.yml': `token: ${TOKEN}\n`, 'tools/run.sh': `export TOKEN=${OTHER_TOKEN} # depwatch: ignore[secret-github-token]\n` } },
      { message: 'drop them', files: { 'tests/fixtures/ci.yml': null, 'tools/run.sh': null } },
      { message: 'settings', files: { '.depwatch.yml': 'ignore:\n  - id: secret-github-token\n    path: tests/fixtures/\n    reason: revoked test token\n' } },
    ]);
    const { code, json } = await scanJson(dir);
    expect(json.findings.filter((f: { kind: string }) => f.kind === 'secret')).toEqual([]);
    expect(json.ignored.map((f: { file: string; ignored_by: { source: string } }) => [f.file, f.ignored_by.source])).toEqual([
      ['tools/run.sh', 'inline'],
      ['tests/fixtures/ci.yml', '.depwatch.yml'],
    ]);
    // It matches nothing in the working tree, but is no stale ignore: the history needs it.
    expect(json.notes).toEqual([]);
    expect(code).toBe(0);
  });

  it("keeps the paths an exclude: of .depwatch.yml names out of the history too, saying how many changes (a deletion adds nothing, so it is not one)", async () => {
    const dir = repo([
      { message: 'vendored', files: { ...GITIGNORE, 'third/lib.yml': `token: ${TOKEN}\n`, 'app.yml': `token: ${OTHER_TOKEN}\n` } },
      { message: 'drop', files: { 'third/lib.yml': null, 'app.yml': null } },
      { message: 'settings', files: { '.depwatch.yml': 'exclude:\n  - path: third/\n    reason: a vendored copy\n' } },
    ]);
    const { json } = await scanJson(dir);
    expect(json.findings.map((f: { file: string }) => f.file)).toEqual(['app.yml']);
    expect(json.history.notes).toEqual([{ kind: 'excluded', message: '1 file change under third/ not scanned (exclude: in .depwatch.yml)' }]);
    expect(json.history.partial).toBe(false);
  });

  it('--since REF reads only the commits after it, --max-commits N only the newest N (said, not partial); a bad REF is one line', async () => {
    const dir = repo([
      { message: 'old', files: { ...GITIGNORE, 'a.yml': `token: ${TOKEN}\n` } },
      { message: 'drop', files: { 'a.yml': null } },
      { message: 'new', files: { 'b.yml': `token: ${OTHER_TOKEN}\n` } },
      { message: 'drop too', files: { 'b.yml': null } },
    ]);
    const since = await scanJson(dir, '--since', 'HEAD~2');
    expect(since.json.findings.map((f: { file: string }) => f.file)).toEqual(['b.yml']);
    expect(since.json.history).toMatchObject({ commits: 2, partial: false });
    const newest = await scanJson(dir, '--max-commits', '3');
    expect(newest.json.findings.map((f: { file: string }) => f.file)).toEqual(['b.yml']);
    expect(newest.json.history.notes).toEqual([{ kind: 'limited', message: '--max-commits 3: the newest 3 of 4 commits were read; the 1 older were not' }]);
    expect(newest.code).toBe(1);
    const bad = await scan(dir, '--since', 'no-such-branch');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('depwatch scan: --since: "no-such-branch" names no commit in this repository\n');
    const option = await scan(dir, '--since=--all');
    expect(option.stderr).toContain('--since: "--all" is not a commit');
    const cli = inProcessCli({ cwd: dir, env: GIT_ENV });
    expect(await cli.run('scan', '--max-commits', '3', '.')).toBe(2);
    expect(cli.out.stderr).toContain('--max-commits goes with --history');
  });

  it('a file change over the size limit, more secrets than are listed, and the time limit make the result partial', async () => {
    const dir = repo([
      { message: 'big', files: { ...GITIGNORE, 'data.txt': `token: ${TOKEN}\n` + 'x'.repeat(50_000) + '\n' } },
      { message: 'small', files: { 'b.yml': `token: ${OTHER_TOKEN}\n` } },
    ]);
    const options = { dir, env: GIT_ENV, fingerprintKey: 'k'.repeat(64) };
    const big = await scanHistory({ ...options, maxFileBytes: 10_000 });
    expect(big.unread).toEqual([{ kind: 'too-large', message: expect.stringMatching(/^data\.txt in [0-9a-f]{12}: 49 KB of added lines, over the 10 KB limit; the lines after it were not scanned$/) }]);
    expect(big.partial).toBe(true);
    // What came before the limit is still read.
    expect(big.findings.map((f) => f.file).sort()).toEqual(['b.yml', 'data.txt']);
    const few = await scanHistory({ ...options, maxSecrets: 1 });
    expect(few.findings).toHaveLength(1);
    expect(few.unread).toEqual([{ kind: 'truncated', message: 'more than 1 different secrets found in the history: 1 more sighting not listed' }]);
    // A git whose log never ends: stopped at the limit.
    const bin = join(scratch, 'slow-git');
    mkdirSync(bin);
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { env: GIT_ENV, encoding: 'utf8' }).trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\ncase " $* " in *" log "*) exec sleep 30;; *) exec ${realGit} "$@";; esac\n`, { mode: 0o755 });
    const slow = await scanHistory({ ...options, env: { ...GIT_ENV, PATH: `${bin}:${GIT_ENV.PATH}` }, timeLimitMs: 300 });
    expect(slow.unread.map((u) => u.kind)).toEqual(['time-limit']);
    expect(slow.partial).toBe(true);
  });
});
