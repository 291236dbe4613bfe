/**
 * listPullRequests over the loopback GitHub: the first page of a pull request's changed paths in the
 * one listing query, the rest page after page only when asked (listRemainingFiles, GraphQL pageInfo);
 * what GitHub does not list is counted, a page that fails is said; open pull requests beyond those
 * listed are counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FILES_PER_PULL, listPullRequests, listRemainingFiles, MAX_FILE_PAGES, PULLS_PER_REPO, readPullRequest, readTexts, textKey } from '../../src/github/pull-requests.js';
import { ROUTES } from '../fakes/github.js';
import { startWorld, type World } from './helpers.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A pull request on acme/web changing `count` documentation pages and, last in path order, requirements.txt. */
async function pullChanging(count: number) {
  world = await startWorld({ repos: [{ owner: 'acme', name: 'web', files: { 'requirements.txt': 'six==1.16.0\n' } }] });
  const pages = Object.fromEntries(Array.from({ length: count }, (_, i) => [`docs/page-${String(i).padStart(4, '0')}.md`, `page ${i}\n`]));
  world.fake.pushCommit('acme', 'web', { ...pages, 'requirements.txt': 'six==1.17.0\n' }, { branch: 'big' });
  world.fake.openPullRequest('acme', 'web', { number: 3, title: 'Docs and six', head: 'big' });
  return world;
}

describe('listPullRequests', () => {
  it('lists the first hundred changed paths in the one listing query, and counts the rest', async () => {
    const w = await pullChanging(250);
    const { byRepo, requests } = await listPullRequests(w.octokit, [{ owner: 'acme', repo: 'web' }]);
    const [pull] = byRepo.get('acme/web')!.open;
    expect(requests).toBe(1);
    expect(pull!.paths).toHaveLength(FILES_PER_PULL);
    expect(pull!.filesNotListed).toBe(251 - FILES_PER_PULL);
    expect(pull!.moreFiles).not.toBeNull();
  });

  it('lists every changed path past the first hundred when asked, one more query per page', async () => {
    const w = await pullChanging(250);
    const [pull] = (await listPullRequests(w.octokit, [{ owner: 'acme', repo: 'web' }])).byRepo.get('acme/web')!.open;
    const requests = await listRemainingFiles(w.octokit, { owner: 'acme', repo: 'web' }, pull!);
    expect(pull!.paths).toHaveLength(251);
    expect(pull!.paths).toContain('requirements.txt');
    expect(pull).toMatchObject({ filesNotListed: 0, filesListError: null, moreFiles: null });
    expect(requests).toBe(Math.ceil(251 / FILES_PER_PULL) - 1);
    // Asked again, nothing more to read.
    expect(await listRemainingFiles(w.octokit, { owner: 'acme', repo: 'web' }, pull!)).toBe(0);
  });

  it(`counts the files beyond ${MAX_FILE_PAGES} pages instead of taking them as unchanged`, async () => {
    const w = await pullChanging(MAX_FILE_PAGES * FILES_PER_PULL + 40);
    const [pull] = (await listPullRequests(w.octokit, [{ owner: 'acme', repo: 'web' }])).byRepo.get('acme/web')!.open;
    expect(await listRemainingFiles(w.octokit, { owner: 'acme', repo: 'web' }, pull!)).toBe(MAX_FILE_PAGES - 1);
    expect(pull!.paths).toHaveLength(MAX_FILE_PAGES * FILES_PER_PULL);
    expect(pull!.paths).not.toContain('requirements.txt');
    expect(pull!.filesNotListed).toBe(41);
  });

  it('says so when a further page of files fails, rather than stop at the first page', async () => {
    const w = await pullChanging(150);
    w.fake.failRequests({ route: ROUTES.graphql, status: 502, times: 5, matching: 'DepwatchPullFiles' });
    const [pull] = (await listPullRequests(w.octokit, [{ owner: 'acme', repo: 'web' }])).byRepo.get('acme/web')!.open;
    await listRemainingFiles(w.octokit, { owner: 'acme', repo: 'web' }, pull!);
    expect(pull!.paths).toHaveLength(FILES_PER_PULL);
    expect(pull!.filesListError).toMatch(/^GitHub could not list the rest of its changed files: /);
  });

  it('counts the open pull requests beyond those listed', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'web', files: { 'requirements.txt': 'six==1.16.0\n' } }] });
    for (let n = 1; n <= PULLS_PER_REPO + 3; n++) {
      world.fake.pushCommit('acme', 'web', { 'requirements.txt': `six==1.16.${n}\n` }, { branch: `b${n}` });
      world.fake.openPullRequest('acme', 'web', { number: n, title: `Bump ${n}`, head: `b${n}` });
    }
    const listing = (await listPullRequests(world.octokit, [{ owner: 'acme', repo: 'web' }])).byRepo.get('acme/web')!;
    expect(listing.open).toHaveLength(PULLS_PER_REPO);
    expect(listing.openNotListed).toBe(3);
  });
});

describe('readTexts of a root folder', () => {
  it('lists the names at a commit\'s root, each a file or a folder, in the same query as the texts; no text is read as the folder', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'web', files: { 'depwatch.yml': 'ignore: []\n', 'requirements.txt': 'six==1.16.0\n', 'ci/base.txt': 'idna==3.0\n' } }] });
    const oid = world.fake.headSha('acme', 'web');
    const at = { owner: 'acme', repo: 'web', oid };
    const read = await readTexts(world.octokit, [{ ...at, path: '' }, { ...at, path: 'requirements.txt' }]);
    expect(read.requests).toBe(1);
    expect(read.roots.get(textKey({ ...at, path: '' }))).toEqual(expect.arrayContaining([{ name: 'depwatch.yml', file: true }, { name: 'requirements.txt', file: true }, { name: 'ci', file: false }]));
    expect(read.texts.has(textKey({ ...at, path: '' }))).toBe(false);
    expect(read.folders.size).toBe(0);
    expect(read.texts.get(textKey({ ...at, path: 'requirements.txt' }))).toBe('six==1.16.0\n');
  });
});

describe('readPullRequest', () => {
  it('says in words that GitHub gave no data (`{"data": null}` with no errors), never a TypeError', async () => {
    const octokit = { graphql: async () => null } as unknown as Parameters<typeof readPullRequest>[0];
    await expect(readPullRequest(octokit, { owner: 'octo', repo: 'shop' }, 3)).rejects.toThrow(/^GitHub gave no data for octo\/shop#3$/);
  });
});
