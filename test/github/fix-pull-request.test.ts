import { afterEach, describe, expect, it } from 'vitest';
import { djangoPinFinding } from './helpers.js';
import { createGitHubClient, type Octokit } from '../../src/github/client.js';
import { FixPullRequestError, getPullState, openFixPullRequest } from '../../src/github/fix-pull-request.js';
import { planFixes } from '../../src/fix/plan.js';
import { gitBlobSha } from '../../src/github/snapshot.js';
import { GitHubServiceError } from '../../src/github/errors.js';
import { fixBody, fixBranchName, fixTitle } from '../../src/fix/pull-request/text.js';
import { ROUTES, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';

const FAST = { retryUnitMs: 1, maxRateLimitWaitSeconds: 1 };
/** Looks again for a pull request just opened by another click without waiting seconds. */
const QUICK = { refindDelaysMs: [0, 20, 40] };
const REQUIREMENTS = '# web\r\ndjango==2.1.5  # pinned\r\nsix==1.16.0\r\n';
const FILES = { 'requirements.txt': REQUIREMENTS, 'README.md': '# app\n', 'poetry.lock': '' };

const finding = djangoPinFinding(2);

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setUp(token: string, writeTokens: string[]) {
  fake = await startFakeGitHub({ repos: [{ owner: 'acme', name: 'web', files: FILES, branches: { 'Release/1.x': FILES } }], tokens: ['writer', 'reader'], writeTokens });
  const octokit = await createGitHubClient({ apiUrl: fake.url, token }, FAST);
  const plan = planFixes({ findings: [finding], ignored: [] }, [{ path: 'requirements.txt', format: 'requirements', text: REQUIREMENTS }]);
  const auditedSha = fake.headSha('acme', 'web');
  const input = {
    owner: 'acme',
    repo: 'web',
    base: 'main',
    auditedSha,
    branch: fixBranchName(plan, 'main'),
    title: fixTitle(plan),
    body: fixBody({ plan, findings: [finding], repo: 'acme/web', auditedSha, slackLink: 'https://slack.example/archives/C1/p1' }),
    files: new Map([...plan.newTexts].map(([path, text]) => [path, { bytes: Buffer.from(text, 'utf8'), mode: '100644' as const, auditedBlob: gitBlobSha(Buffer.from(FILES[path as 'requirements.txt'], 'utf8')) }])),
  };
  return { octokit, plan, input, fake };
}

describe('openFixPullRequest', () => {
  it('pushes one commit on depwatch/fix-<package>-<version>-<hash>-on-<base> from the audited commit and opens the PR', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    const pr = await openFixPullRequest(octokit, input, QUICK);

    expect(input.branch).toBe('depwatch/fix-django-2.1.11-cc068d9d-on-main');
    expect(pr).toEqual({ number: 1, url: 'https://github.com/acme/web/pull/1', state: 'open', created: true });
    const files = fake.branchFiles('acme', 'web', 'depwatch/fix-django-2.1.11-cc068d9d-on-main')!;
    expect(files['requirements.txt']).toBe('# web\r\ndjango==2.1.11  # pinned\r\nsix==1.16.0\r\n');
    // Everything else is the audited tree, untouched.
    expect(files['README.md']).toBe('# app\n');
    expect(fake.commitParent(fake.headSha('acme', 'web', 'depwatch/fix-django-2.1.11-cc068d9d-on-main'))).toBe(input.auditedSha);
    const [pull] = fake.pulls('acme', 'web');
    expect(pull).toMatchObject({ head: 'depwatch/fix-django-2.1.11-cc068d9d-on-main', base: 'main', title: 'Upgrade django to 2.1.11 (security fix)' });
    expect(pull!.body).toContain('| django | 2.1.5 | 2.1.11 | PYSEC-2019-13 (high) |');
    expect(pull!.body).toContain('[this Slack thread](https://slack.example/archives/C1/p1)');
  });

  it('builds from the audited commit even when the branch moved since', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    fake.pushCommit('acme', 'web', { 'NEWS.md': 'later\n' });
    await openFixPullRequest(octokit, input, QUICK);
    const files = fake.branchFiles('acme', 'web', input.branch)!;
    expect(files['NEWS.md']).toBeUndefined();
    expect(fake.commitParent(fake.headSha('acme', 'web', input.branch))).toBe(input.auditedSha);
  });

  it('refuses in one line when the base moved since the audit and a file it rewrites changed there', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    fake.pushCommit('acme', 'web', { 'requirements.txt': 'django==3.2.0\n' });
    fake.resetCounts();
    const error = await openFixPullRequest(octokit, input, QUICK).catch((e: unknown) => e);
    expect(error).toMatchObject({ problem: 'stale', message: 'main moved since this audit and requirements.txt changed: run /audit again.' });
    expect(fake.count(ROUTES.createBlob) + fake.count(ROUTES.createRef) + fake.count(ROUTES.createPull)).toBe(0);
    expect(fake.pulls('acme', 'web')).toEqual([]);
  });

  it('finds the changed file by walking the tree when GitHub would not list it whole', async () => {
    fake = await startFakeGitHub({ repos: [{ owner: 'acme', name: 'web', files: { 'a/b.txt': 'x\n', 'a/c.txt': 'y\n', 'deploy/requirements.txt': REQUIREMENTS } }], tokens: ['writer'], writeTokens: ['writer'], truncateTreesOver: 1 });
    const octokit = await createGitHubClient({ apiUrl: fake.url, token: 'writer' }, FAST);
    const auditedSha = fake.headSha('acme', 'web');
    const files = new Map([['deploy/requirements.txt', { bytes: Buffer.from('django==2.1.11\n'), mode: '100644' as const, auditedBlob: gitBlobSha(Buffer.from(REQUIREMENTS)) }]]);
    const input = { owner: 'acme', repo: 'web', base: 'main', auditedSha, branch: 'depwatch/fix-django-2.1.11-cc068d9d-on-main', title: 't', body: 'b', files };
    fake.pushCommit('acme', 'web', { 'a/b.txt': 'z\n' });
    expect(await openFixPullRequest(octokit, input, QUICK)).toMatchObject({ created: true });
    fake.deleteBranch('acme', 'web', input.branch);
    fake.setPullState('acme', 'web', 1, 'closed');
    fake.pushCommit('acme', 'web', { 'deploy/requirements.txt': 'django==3.2.0\n' });
    expect(await openFixPullRequest(octokit, input, QUICK).catch((e: unknown) => e)).toMatchObject({ problem: 'stale', message: expect.stringContaining('deploy/requirements.txt changed') });
  });

  it('pressing twice links the pull request already opened, without a second push', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    await openFixPullRequest(octokit, input, QUICK);
    fake.resetCounts();
    const again = await openFixPullRequest(octokit, input, QUICK);
    expect(again).toMatchObject({ number: 1, created: false, state: 'open', headSha: fake.headSha('acme', 'web', input.branch), builtFrom: input.auditedSha });
    expect(fake.pulls('acme', 'web')).toHaveLength(1);
    expect(fake.count(ROUTES.createRef)).toBe(0);
    // The head from the pull request list, its parent from one commit lookup: no other request.
    expect([fake.count(ROUTES.listPulls), fake.count(ROUTES.commit), fake.count(ROUTES.getPull)]).toEqual([1, 1, 0]);
  });

  it('links the open pull request all the same when its head commit cannot be read, naming no commit it was built from', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    await openFixPullRequest(octokit, input, QUICK);
    fake.failRequests({ route: ROUTES.commit, status: 503, times: 10 });
    const again = await openFixPullRequest(octokit, input, QUICK);
    expect(again).toMatchObject({ number: 1, created: false, headSha: fake.headSha('acme', 'web', input.branch) });
    expect(again.builtFrom).toBeUndefined();
  });

  it('links the pull request of a click that pushed the same branch first, never telling this one to delete it', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    // Two replicas pressing at once: both find no pull request, one creates the branch first.
    const [a, b] = await Promise.all([openFixPullRequest(octokit, input, { refindDelaysMs: [0, 500, 1000, 2000] }), openFixPullRequest(octokit, input, { refindDelaysMs: [0, 500, 1000, 2000] })]);
    expect(fake.pulls('acme', 'web')).toHaveLength(1);
    expect([a.number, b.number]).toEqual([1, 1]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect([a, b].find((p) => !p.created)).toMatchObject({ builtFrom: input.auditedSha });
  });

  it('opens a new pull request once the last one from the branch was closed unmerged and its branch deleted', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    const first = await openFixPullRequest(octokit, input, QUICK);
    fake.setPullState('acme', 'web', first.number, 'closed');
    fake.deleteBranch('acme', 'web', input.branch);
    const again = await openFixPullRequest(octokit, input, QUICK);
    expect(again).toMatchObject({ number: 2, created: true, state: 'open' });
  });

  it('says the branch is still there when the last pull request from it was closed without merging', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    const first = await openFixPullRequest(octokit, input, QUICK);
    fake.setPullState('acme', 'web', first.number, 'closed');
    const error = await openFixPullRequest(octokit, input, QUICK).catch((e: unknown) => e);
    expect(error).toMatchObject({ problem: 'branch-exists' });
    expect((error as Error).message).toContain('without an open pull request');
  });

  it('gives a release branch its own fix pull request, never the one into main', async () => {
    const { octokit, input, plan, fake } = await setUp('writer', ['writer']);
    const intoMain = await openFixPullRequest(octokit, input, QUICK);
    const release = { ...input, base: 'Release/1.x', auditedSha: fake.headSha('acme', 'web', 'Release/1.x'), branch: fixBranchName(plan, 'Release/1.x') };
    const intoRelease = await openFixPullRequest(octokit, release, QUICK);
    expect(release.branch).toBe('depwatch/fix-django-2.1.11-cc068d9d-on-release-1.x');
    expect(intoRelease).toMatchObject({ created: true });
    expect(intoRelease.number).not.toBe(intoMain.number);
    expect(fake.pulls('acme', 'web').map((p) => [p.head, p.base])).toEqual([
      ['depwatch/fix-django-2.1.11-cc068d9d-on-main', 'main'],
      ['depwatch/fix-django-2.1.11-cc068d9d-on-release-1.x', 'Release/1.x'],
    ]);
  });

  it('does not take an open pull request from the branch that now goes into another base', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    const first = await openFixPullRequest(octokit, input, QUICK);
    fake.setPullBase('acme', 'web', first.number, 'Release/1.x');
    const error = await openFixPullRequest(octokit, input, QUICK).catch((e: unknown) => e);
    expect(error).toMatchObject({ problem: 'branch-exists' });
  });

  it('reports the pull request state once it is merged or closed', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    const pr = await openFixPullRequest(octokit, input, QUICK);
    fake.setPullState('acme', 'web', pr.number, 'merged');
    expect(await getPullState(octokit, 'acme', 'web', pr.number)).toBe('merged');
    fake.setPullState('acme', 'web', pr.number, 'closed');
    expect(await getPullState(octokit, 'acme', 'web', pr.number)).toBe('closed');
  });

  it('names the missing permission when the token may only read (403)', async () => {
    const { octokit, input } = await setUp('reader', ['writer']);
    const error = await openFixPullRequest(octokit, input, QUICK).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FixPullRequestError);
    expect((error as FixPullRequestError).problem).toBe('no-permission');
    expect((error as Error).message).toContain('"Contents: Read and write"');
    expect((error as Error).message).not.toContain('reader');
  });

  it('says which step GitHub failed (5xx), as a GitHub failure', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    fake.failRequests({ route: ROUTES.createPull, status: 503, times: 10 });
    const error = await openFixPullRequest(octokit, input, QUICK).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubServiceError);
    expect(error).toMatchObject({ status: 503, message: expect.stringContaining('GitHub failed the pull request creation for acme/web (HTTP 503') });
  });

  it('throws a fault of its own (an answer of another shape) as it is, never as GitHub failing', async () => {
    const { input } = await setUp('writer', ['writer']);
    const answers: Record<string, unknown> = {
      [ROUTES.listPulls]: [],
      [ROUTES.branch]: { commit: { sha: input.auditedSha } },
      [ROUTES.commit]: {},
      [ROUTES.createBlob]: { sha: 'b'.repeat(40) },
    };
    const octokit = { request: async (route: string) => ({ data: answers[route] }) } as unknown as Octokit;
    const error = await openFixPullRequest(octokit, input, QUICK).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(GitHubServiceError);
  });

  it('says GitHub could not be reached when a request gets no answer', async () => {
    const { input } = await setUp('writer', ['writer']);
    // What octokit throws when fetch fails: a RequestError with status 500 and no response.
    const noAnswer = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { name: 'HttpError', status: 500 });
    const octokit = { request: async () => Promise.reject(noAnswer) } as unknown as Octokit;
    const error = await openFixPullRequest(octokit, input, QUICK).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubServiceError);
    expect((error as Error).message).toBe('GitHub could not be reached for acme/web: connect ECONNREFUSED 127.0.0.1:443');
  });

  it('says so when the branch already exists without a pull request (422)', async () => {
    const { octokit, input, fake } = await setUp('writer', ['writer']);
    fake.pushCommit('acme', 'web', { 'x.txt': 'x\n' }, { branch: input.branch });
    const error = await openFixPullRequest(octokit, input, QUICK).catch((e: unknown) => e);
    expect(error).toMatchObject({ problem: 'branch-exists' });
    expect((error as Error).message).toContain('depwatch/fix-django-2.1.11-cc068d9d-on-main already exists');
  });
});

describe('fixBranchName', () => {
  const move = (pkg: string, to: string) => ({ package: pkg, from: '0', to, advisories: [], status: 'fixed' as const });
  const plan = (fixes: ReturnType<typeof move>[], files: string[]) => ({ fixes, newTexts: new Map(files.map((f) => [f, ''])) });

  it('names several moves by what they change, never by the audit: the same edits give the same branch in any order', () => {
    const one = fixBranchName(plan([move('django', '2.1.11'), move('six', '1.17.0')], ['requirements.txt', 'setup.cfg']), 'main');
    const again = fixBranchName(plan([move('six', '1.17.0'), move('Django', '2.1.11')], ['setup.cfg', 'requirements.txt']), 'main');
    expect(one).toMatch(/^depwatch\/fix-2-packages-[0-9a-f]{8}-on-main$/);
    expect(again).toBe(one);
  });

  it('names one move readably and by its files: the same release in one more file is another branch', () => {
    const one = fixBranchName(plan([move('requests', '2.20.0')], ['requirements.txt']), 'main');
    expect(one).toMatch(/^depwatch\/fix-requests-2\.20\.0-[0-9a-f]{8}-on-main$/);
    expect(fixBranchName(plan([move('Requests', '2.20.0')], ['requirements.txt']), 'main')).toBe(one);
    const twoFiles = fixBranchName(plan([move('requests', '2.20.0')], ['requirements.txt', 'api/requirements.txt']), 'main');
    expect(twoFiles).toMatch(/^depwatch\/fix-requests-2\.20\.0-[0-9a-f]{8}-on-main$/);
    expect(twoFiles).not.toBe(one);
  });

  it('gives other edits (another version, another file) and another base another branch', () => {
    const base = fixBranchName(plan([move('django', '2.1.11'), move('six', '1.17.0')], ['requirements.txt']), 'main');
    expect(fixBranchName(plan([move('django', '2.2.0'), move('six', '1.17.0')], ['requirements.txt']), 'main')).not.toBe(base);
    expect(fixBranchName(plan([move('django', '2.1.11'), move('six', '1.17.0')], ['requirements.txt', 'requirements-dev.txt']), 'main')).not.toBe(base);
    expect(fixBranchName(plan([move('django', '2.1.11'), move('six', '1.17.0')], ['requirements.txt']), 'Release/1.x')).toMatch(/-on-release-1\.x$/);
  });
});

describe('fixBody', () => {
  const plan = planFixes({ findings: [finding], ignored: [] }, [{ path: 'requirements.txt', format: 'requirements', text: REQUIREMENTS }]);
  const body = (extra: Partial<Parameters<typeof fixBody>[0]> = {}) => fixBody({ plan, findings: [finding], repo: 'acme/web', auditedSha: 'a'.repeat(40), slackLink: null, ...extra });

  it('says "Not checked" first when the audit behind it is partial, naming files but never quoting them', () => {
    const text = body({
      notChecked: [
        { kind: 'unread', file: 'poetry.lock', line: 7, message: 'not valid TOML: `<!channel>` | injected' },
        { kind: 'data-source', message: 'recorded from the last sweep; files not read then are not known' },
      ],
    });
    expect(text).toContain(
      '## Not checked\n\nThe audit behind this pull request is partial: what it could not read or check may hold more vulnerable releases than the ones fixed here.\n\n- `poetry.lock:7` not read completely\n- recorded from the last sweep; files not read then are not known\n\n## Fixes',
    );
    expect(text).not.toContain('injected');
    expect(body()).not.toContain('Not checked');
  });

  it('calls an unrated advisory "not rated", not "(unknown)"', () => {
    const text = body({ findings: [{ ...finding, severity: 'unknown' }] });
    expect(text).toContain('| django | 2.1.5 | 2.1.11 | PYSEC-2019-13 (not rated) |');
    expect(text).not.toContain('(unknown)');
  });

  it('lists the recompile of a hashed compiled file under "Still to do" as required, saying why, with its command as code and the file named once', () => {
    const header = '#\r\n# This file is autogenerated by pip-compile with Python 3.11\r\n#\r\n#    pip-compile --generate-hashes requirements.in\r\n#\r\n';
    const compiled = `${header}django==2.1.5 \\\r\n    --hash=sha256:aaaa\r\nsix==1.16.0 \\\r\n    --hash=sha256:bbbb\r\n`;
    const hashed = planFixes({ findings: [finding], ignored: [] }, [
      { path: 'requirements.in', format: 'requirements', text: 'django\r\nsix\r\n' },
      { path: 'requirements.txt', format: 'requirements', text: compiled },
    ]);
    const text = body({ plan: hashed });
    const command = 'pip-compile --generate-hashes --upgrade-package django==2.1.11 requirements.in';
    expect(text).toContain(
      `- required, in \`.\`: \`${command}\` (regenerates \`requirements.txt\`: compiled from requirements.in and edited in place, which removed the old releases' hashes: pip refuses to install it until it is recompiled)`,
    );
    expect(text).toContain(`- \`requirements.txt\`: the hashes of the old releases were removed: django 2.1.5 (line 6, 1). Re-hash the file with \`${command}\`;`);
    expect(text).not.toContain('\\`');
  });

  it('names the place of each pin it left alone', () => {
    const ignored = { ...finding, id: 'PYSEC-2019-14', ignoredBy: { id: 'PYSEC-2019-14', reason: 'not reachable', until: null, source: '.depwatch.yml' } };
    const withIgnored = planFixes({ findings: [], ignored: [ignored] }, [{ path: 'requirements.txt', format: 'requirements', text: REQUIREMENTS }]);
    expect(body({ plan: withIgnored })).toContain('- django 2.1.5 at `requirements.txt:2` (PYSEC-2019-14): ignored (.depwatch.yml): not reachable');
  });
});
