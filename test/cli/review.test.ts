/**
 * `depwatch review owner/repo#N`: the dependency review the bot posts on a pull request, computed by
 * the same code, printed in full, and a CI gate as the audit is (0 clean, 1 a verdict at or above
 * --fail-on, 2 partial or an error). Real commands in-process, real HTTP to loopback fakes of
 * GitHub, OSV and PyPI.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVIEW_COMMENT_MARKER } from '../../src/report/pr-review.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES } from '../helpers/cli-in-process.js';
import { GOODLIB, GOODLIB_REPO, REQUIREMENTS } from '../packages/world.js';

const TOKEN = 'ghp_' + 'r'.repeat(36);
/** Long enough to be cut short when texts over UNREADABLE_OVER bytes are: GitHub then gives no whole text. */
const LONG_REQUIREMENTS = `goodlib==1.2.0\nidna==3.0\n${'# pinned for the release train\n'.repeat(20)}`;
const UNREADABLE_OVER = 200;

let github: FakeGitHub;
let osv: FakeOsv;
let pypi: FakePypi;
let dbDir: string;

const cli = () =>
  inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), OSV_API_URL: osv.url, PYPI_URL: pypi.url, GITHUB_API_URL: github.url, GITHUB_TOKEN: TOKEN } });

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-review-'));
  osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
  pypi = await startFakePypi({
    projects: [GOODLIB, ...REQUIREMENTS, { name: 'django', releases: [{ version: '2.1.5', uploadTime: '2019-01-04T00:00:00Z' }, { version: '2.2.28', uploadTime: '2022-04-11T00:00:00Z' }] }],
  });
  github = await startFakeGitHub({ tokens: [TOKEN], repos: [GOODLIB_REPO, { owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n', 'app.py': 'print(1)\n' } }] });
  // 1: pins a Django release with known vulnerabilities. 2: moves goodlib to its next release.
  // 3: a long requirements file GitHub cannot give whole (see UNREADABLE_OVER).
  github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\nDjango==2.1.5\n' }, { branch: 'django' });
  github.openPullRequest('octo', 'shop', { number: 1, title: 'Add Django', head: 'django' });
  github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'bump' });
  github.openPullRequest('octo', 'shop', { number: 2, title: 'Bump goodlib', head: 'bump' });
  github.pushCommit('octo', 'shop', { 'requirements.txt': LONG_REQUIREMENTS }, { branch: 'long' });
  github.openPullRequest('octo', 'shop', { number: 3, title: 'Pin for the release train', head: 'long' });
  // 4: installs from an index besides PyPI, which nothing verifies: caution.
  github.pushCommit('octo', 'shop', { 'requirements.txt': '--extra-index-url https://pkgs.example/simple\ngoodlib==1.1.0\nidna==3.0\n' }, { branch: 'index' });
  github.openPullRequest('octo', 'shop', { number: 4, title: 'Our own index', head: 'index' });
  // 5: commits a password into an index URL: a secret, which the audit's gate fails on too.
  github.pushCommit('octo', 'shop', { 'requirements.txt': '--index-url https://deploy:Xk29fLq8Zp3mWv7RtY4u@pkgs.example/simple\ngoodlib==1.1.0\nidna==3.0\n' }, { branch: 'secret-index' });
  github.openPullRequest('octo', 'shop', { number: 5, title: 'Use the private index', head: 'secret-index' });
});

afterAll(async () => {
  await Promise.all([github.close(), osv.close(), pypi.close()]);
  rmSync(dbDir, { recursive: true, force: true });
});

describe('depwatch review', () => {
  it('fails the job (1) on a pull request that pins a vulnerable release, and lists it with its advisories', async () => {
    const { out, run } = cli();
    expect(await run('review', 'octo/shop#1')).toBe(1);
    expect(out.stdout).toContain('Dependency review of octo/shop#1 (open): Add Django');
    expect(out.stdout).toMatch(/✗ django added 2\.1\.5 \[requirements\.txt\]: AVOID/);
    expect(out.stdout).toMatch(/advisories: .*(GHSA|PYSEC)-/);
    expect(out.stdout).not.toContain('PARTIAL');
  });

  it('passes (0) a pull request whose changes are rated below --fail-on, and takes its URL as well', async () => {
    const { out, run } = cli();
    expect(await run('review', 'https://github.com/octo/shop/pull/2/files')).toBe(0);
    expect(out.stdout).toMatch(/goodlib upgraded 1\.1\.0 -> 1\.2\.0 \[requirements\.txt\]: (OK|CAUTION)\n/);
    expect(out.stdout).not.toContain('PARTIAL');
    expect(out.stderr).toBe('');
  });

  it('fails a caution only with --fail-on caution, and an avoid never with --fail-on never', async () => {
    const byDefault = cli();
    expect(await byDefault.run('review', 'octo/shop#4')).toBe(0);
    expect(byDefault.out.stdout).toMatch(/New index URLs \(1\):\n {2}! https:\/\/pkgs\.example\/simple \[requirements\.txt:1\]/);
    expect(await cli().run('review', '--fail-on', 'caution', 'octo/shop#4')).toBe(1);
    expect(await cli().run('review', '--fail-on', 'never', 'octo/shop#1')).toBe(0);
  });

  it('fails (1) a pull request that writes a credential into an index URL, saying so without the credential, in every format', async () => {
    const text = cli();
    expect(await text.run('review', 'octo/shop#5')).toBe(1);
    expect(text.out.stdout).toContain('! https://pkgs.example/simple [requirements.txt:1]: a credential is written into the URL (anyone who can read the repository can use it: remove it, give it through the environment, and change it)');
    const json = cli();
    expect(await json.run('review', '--json', 'octo/shop#5')).toBe(1);
    expect(JSON.parse(json.out.stdout).new_index_urls).toEqual([{ url: 'https://pkgs.example/simple', file: 'requirements.txt', line: 1, credentials: true }]);
    const markdown = cli();
    expect(await markdown.run('review', '--markdown', 'octo/shop#5')).toBe(1);
    for (const out of [text.out, json.out, markdown.out]) expect(out.stdout + out.stderr).not.toContain('Xk29fLq8Zp3mWv7RtY4u');
  });

  it('is partial (2) when a dependency file in the pull request could not be read, and says which', async () => {
    github.truncateTextsOver(UNREADABLE_OVER);
    try {
      const { out, run } = cli();
      expect(await run('review', 'octo/shop#3')).toBe(2);
      expect(out.stdout).toContain('Verdict: CAUTION (partial)');
      expect(out.stdout).toMatch(/PARTIAL: one thing was not read or not rated:\n {2}head: requirements\.txt .+\n/);
      expect(out.stdout).toContain('No package changed in the files that were read.');
      const json = cli();
      expect(await json.run('review', '--json', 'octo/shop#3')).toBe(2);
      expect(JSON.parse(json.out.stdout)).toMatchObject({ partial: true, partial_reasons: [expect.stringMatching(/^head: requirements\.txt /)] });
      expect(json.out.stderr).toMatch(/^depwatch: PARTIAL: head: requirements\.txt .+\n$/);
    } finally {
      github.truncateTextsOver(null);
    }
  });

  it('says in one line that a pull request does not exist (2), and prints nothing else', async () => {
    const { out, run } = cli();
    expect(await run('review', 'octo/shop#99')).toBe(2);
    expect(out.stderr).toBe('depwatch review: octo/shop has no pull request #99\n');
    expect(out.stdout).toBe('');
    const repo = cli();
    expect(await repo.run('review', 'octo/nothing#1')).toBe(2);
    expect(repo.out.stderr).toMatch(/^depwatch review: I can't see octo\/nothing \(Could not resolve to a Repository with the name 'octo\/nothing'\.\): check the name, and that GITHUB_TOKEN may read it\n$/);
  });

  it('refuses what names no pull request in one line, before asking anything', async () => {
    for (const given of ['octo/shop', 'octo/shop#0', 'octo/shop@main#1', 'https://github.com/octo/shop/issues']) {
      const { out, run } = inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'refused.db'), ...UNREACHABLE_SERVICES, GITHUB_API_URL: 'http://127.0.0.1:9' } });
      expect(await run('review', given), given).toBe(2);
      expect(out.stderr.trimEnd().split('\n'), given).toHaveLength(1);
      expect(out.stderr, given).toMatch(/^depwatch review: /);
    }
    // Nothing was opened either: no database was made for a command that could not run.
    expect(existsSync(join(dbDir, 'refused.db'))).toBe(false);
  });

  it('gives the whole review as JSON: the pull request, verdict, partial and why, and each change with its verdict', async () => {
    const { out, run } = cli();
    expect(await run('review', '--json', 'octo/shop#1')).toBe(1);
    const json = JSON.parse(out.stdout);
    expect(Object.keys(json)).toEqual(['pull_request', 'comparison', 'verdict', 'failing', 'partial', 'partial_reasons', 'not_reviewed', 'nothing_to_review', 'changes', 'new_sources', 'new_index_urls', 'submodules', 'notes', 'errors']);
    expect(json.pull_request).toEqual({ repo: 'octo/shop', number: 1, title: 'Add Django', url: `${github.htmlUrl}/octo/shop/pull/1`, state: 'open', head_sha: github.headSha('octo', 'shop', 'django') });
    expect(json).toMatchObject({ comparison: null, verdict: 'avoid', failing: true, partial: false, partial_reasons: [], not_reviewed: null, nothing_to_review: null, errors: [] });
    expect(json.changes).toHaveLength(1);
    const [django] = json.changes;
    expect(Object.keys(django)).toEqual(['name', 'kind', 'from', 'to', 'file', 'detail', 'verdict', 'partial', 'reasons', 'advisories', 'similar_to', 'not_rated']);
    expect(django).toMatchObject({ name: 'django', kind: 'added', from: null, to: '2.1.5', file: 'requirements.txt', verdict: 'avoid', not_rated: null });
    expect(django.advisories.length).toBeGreaterThan(0);
  });

  it('gives the body of the comment on the pull request with --markdown', async () => {
    const { out, run } = cli();
    expect(await run('review', '--markdown', 'octo/shop#1')).toBe(1);
    expect(out.stdout.split('\n')[0]).toBe(REVIEW_COMMENT_MARKER);
    expect(out.stdout).toContain('### Depwatch dependency review: ⛔ avoid');
    expect(out.stdout).toMatch(/- ⛔ `django` added `2\.1\.5`: \*\*avoid\*\*/);
  });
});

describe('depwatch review owner/repo base...head: two refs, as dependency-review-action compares a push', () => {
  it('reviews head\'s changes since it branched off base with the same code, output and exit rules as a pull request', async () => {
    const { out, run } = cli();
    expect(await run('review', 'octo/shop', 'main...django')).toBe(1);
    expect(out.stdout).toContain('Dependency review of octo/shop main...django\n');
    expect(out.stdout).toMatch(/✗ django added 2\.1\.5 \[requirements\.txt\]: AVOID/);
    expect(out.stdout).not.toContain('PARTIAL');
    const bump = cli();
    expect(await bump.run('review', 'octo/shop', 'main...bump')).toBe(0);
    expect(bump.out.stdout).toMatch(/goodlib upgraded 1\.1\.0 -> 1\.2\.0 \[requirements\.txt\]: (OK|CAUTION)\n/);
  });

  it('takes a compare URL, and gives the refs and their commits in JSON instead of a pull request', async () => {
    const { out, run } = cli();
    expect(await run('review', '--json', 'https://github.com/octo/shop/compare/main...django')).toBe(1);
    const json = JSON.parse(out.stdout);
    expect(json.pull_request).toBeNull();
    expect(json.comparison).toEqual({
      repo: 'octo/shop',
      base: 'main',
      head: 'django',
      url: expect.stringMatching(/\/octo\/shop\/compare\/main\.\.\.django$/),
      base_sha: github.headSha('octo', 'shop', 'main'),
      head_sha: github.headSha('octo', 'shop', 'django'),
    });
    expect(json).toMatchObject({ verdict: 'avoid', failing: true, partial: false, changes: [{ name: 'django', kind: 'added', to: '2.1.5' }] });
  });

  it('reads a branch whose name has a slash, given as is or %-escaped in a compare URL', async () => {
    github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'deps/goodlib' });
    for (const args of [['octo/shop', 'main...deps/goodlib'], ['https://github.com/octo/shop/compare/main...deps%2Fgoodlib']]) {
      const { out, run } = cli();
      expect(await run('review', ...args), args.join(' ')).toBe(0);
      expect(out.stdout).toContain('Dependency review of octo/shop main...deps/goodlib\n');
      expect(out.stdout).toMatch(/goodlib upgraded 1\.1\.0 -> 1\.2\.0/);
    }
  });

  it('names itself, not a pull request, where the markdown sends for the whole list', async () => {
    const { out, run } = cli();
    expect(await run('review', '--markdown', 'octo/shop', 'main...django')).toBe(1);
    expect(out.stdout).toMatch(/- ⛔ `django` added `2\.1\.5`: \*\*avoid\*\*/);
    expect(out.stdout).not.toContain('#0');
  });

  it('says nothing to review when head changes no dependency file', async () => {
    const { out, run } = cli();
    expect(await run('review', '--json', 'octo/shop', 'django...django')).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ verdict: 'ok', partial: false, changes: [], nothing_to_review: expect.any(String) });
  });

  it('is not reviewed (2) when GitHub cuts a file listing short: which files changed is not known, never taken as none', async () => {
    const big = await startFakeGitHub({ tokens: [TOKEN], truncateTreesOver: 2, repos: [{ owner: 'octo', name: 'big', files: { 'requirements.txt': 'idna==3.0\n', 'a.py': '', 'b.py': '' } }] });
    try {
      big.pushCommit('octo', 'big', { 'requirements.txt': 'idna==3.0\nDjango==2.1.5\n' }, { branch: 'django' });
      const { out, run } = inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), OSV_API_URL: osv.url, PYPI_URL: pypi.url, GITHUB_API_URL: big.url, GITHUB_TOKEN: TOKEN } });
      expect(await run('review', 'octo/big', 'main...django')).toBe(2);
      expect(out.stdout).toMatch(/Not reviewed: GitHub cut the listing of the files of [0-9a-f]{7} short \(too many files\): which files changed is not known; whether it changes dependency files is not known\./);
    } finally {
      await big.close();
    }
  });

  it('says in one line that a ref is not there (2)', async () => {
    const { out, run } = cli();
    expect(await run('review', 'octo/shop', 'main...no-such-branch')).toBe(2);
    expect(out.stderr).toBe('depwatch review: I can\'t see octo/shop, or it has no branch, tag or commit "no-such-branch": check the names, and that GITHUB_TOKEN may read it\n');
    expect(out.stdout).toBe('');
  });

  it('refuses refs that are not git ref names, or not base...head, in one line before asking anything', async () => {
    const refused = [
      ['octo/shop', 'main..django'],
      ['octo/shop', 'main'],
      ['octo/shop', '...django'],
      ['octo/shop', 'main...--upload-pack=touch'],
      ['octo/shop', '-x...main'],
      ['octo/shop', 'main...feat ure'],
      ['octo/shop', 'main...HEAD@{1}'],
      ['octo/shop', 'main...a^'],
      ['octo/shop', 'main...other:branch'],
      ['octo/shop', 'main...x/.hidden'],
      ['octo/shop', 'main...x.lock'],
      ['octo/shop', 'main...x\u001b[31m'],
      ['octo/shop@main', 'main...django'],
      ['https://github.com/octo/shop/compare/main..django'],
    ];
    for (const args of refused) {
      const { out, run } = inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'refused-refs.db'), ...UNREACHABLE_SERVICES, GITHUB_API_URL: 'http://127.0.0.1:9' } });
      expect(await run('review', ...args), args.join(' ')).toBe(2);
      expect(out.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(out.stderr, args.join(' ')).toMatch(/^depwatch review: /);
      expect(out.stderr, args.join(' ')).not.toContain('\u001b');
    }
    expect(existsSync(join(dbDir, 'refused-refs.db'))).toBe(false);
  });
});
