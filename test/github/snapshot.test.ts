import { afterEach, describe, expect, it } from 'vitest';
import { BlobCache } from '../../src/github/blob-cache.js';
import { RateLimitError, RefNotFoundError, RepoNotFoundError } from '../../src/github/errors.js';
import { blobLineUrl } from '../../src/github/links.js';
import { gitBlobSha, snapshotErrors, snapshotSource, takeSnapshot, treeOfSnapshot } from '../../src/github/snapshot.js';
import { runHere } from '../../src/workers/audit-runner.js';
import { auditFileSource, readTree } from '../../src/audit/run.js';
import type { AdvisorySource } from '../../src/advisories/types.js';
import { memorySource } from '../../src/python/files.js';
import { loadManifests } from '../../src/python/load.js';
import { reachedFrom } from '../../src/python/includes.js';
import { settingsExcludes } from '../../src/audit/tree-excludes.js';
import { fileBytes, gitBlobShaOf, ROUTES, submoduleAt, symlinkTo } from '../fakes/github.js';
import { fixture, startWorld, type World } from './helpers.js';

/** An advisory source that knows nothing: for tests of what is read, not what is found. */
const NO_ADVISORIES: AdvisorySource = { kind: 'api', affecting: async () => new Map(), forPackage: async () => [] };

/** A monorepo-shaped project built from real manifests of well-known projects (see SOURCES.md). */
const PROJECT: Record<string, string> = {
  'pyproject.toml': fixture('flask/pyproject.toml'),
  'requirements/dev.txt': fixture('flask/requirements/dev.txt'),
  'services/api/requirements.txt': fixture('django/tests/requirements/py3.txt'),
  'services/worker/deep/er/still/Pipfile': fixture('requests/Pipfile'),
  'services/worker/deep/er/still/Pipfile.lock': fixture('pipenv/Pipfile.lock'),
  // The same content twice: one blob, fetched once.
  'services/copy/requirements.txt': fixture('django/tests/requirements/py3.txt'),
  '.github/workflows/run-tests.yml': fixture('requests/.github/workflows/run-tests.yml'),
  '.python-version': '3.12\n',
  'Dockerfile': 'FROM python:3.12-slim\n',
  'README.md': '# demo\n',
  'src/demo/__init__.py': '',
  // Other people's manifests: never read.
  'web/node_modules/some-pkg/requirements.txt': 'evil==6.6.6\n',
  '.venv/lib/python3.12/site-packages/x/pyproject.toml': '[project]\nname = "x"\n',
};

// A Dockerfile is a manifest by its name (its pip installs: src/python/formats/dockerfile.ts), read for its Python too.
const MANIFESTS = [
  'Dockerfile',
  'pyproject.toml',
  'requirements/dev.txt',
  'services/api/requirements.txt',
  'services/copy/requirements.txt',
  'services/worker/deep/er/still/Pipfile',
  'services/worker/deep/er/still/Pipfile.lock',
];
const CONTEXT = ['.github/workflows/run-tests.yml', '.python-version'];

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('takeSnapshot', () => {
  it('reads the manifests and interpreter files at HEAD, at every depth, and nothing from node_modules or virtualenvs', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });

    expect(snap.owner).toBe('acme');
    expect(snap.repo).toBe('shop');
    expect(snap.ref).toBe('main');
    expect(snap.defaultBranch).toBe('main');
    expect(snap.sha).toBe(world.fake.headSha('acme', 'shop'));
    expect(snap.htmlUrl).toBe('https://github.com/acme/shop');
    expect(snap.private).toBe(false);
    expect(snap.errors).toEqual([]);
    expect(snap.files.filter((f) => f.kind === 'manifest').map((f) => f.path)).toEqual(MANIFESTS);
    expect(snap.files.filter((f) => f.kind === 'interpreter').map((f) => f.path)).toEqual(CONTEXT);
    for (const file of snap.files) {
      expect(file.text).toBe(PROJECT[file.path]);
      expect(file.sha).toBe(gitBlobShaOf(PROJECT[file.path]!));
    }

    const distinctBlobs = new Set(snap.files.map((f) => f.sha)).size;
    expect(distinctBlobs).toBe(snap.files.length - 1);
    expect(world.fake.count(ROUTES.blob)).toBe(distinctBlobs);
    expect(world.fake.count(ROUTES.tree)).toBe(1);
    expect(snap.stats).toEqual({ requests: 3 + distinctBlobs, treeRequests: 1, blobsFetched: distinctBlobs, blobsCached: 0, truncated: false });
    expect(blobLineUrl(snap.htmlUrl, snap.sha, 'requirements/dev.txt', 4)).toBe(`https://github.com/acme/shop/blob/${snap.sha}/requirements/dev.txt#L4`);
  });

  it('fetches no blob at all for a second snapshot of an unchanged repository', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }] });
    const first = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });
    world.fake.resetCounts();

    const second = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });
    expect(world.fake.count(ROUTES.blob)).toBe(0);
    expect(world.fake.totalRequests()).toBe(3);
    expect(second.stats).toMatchObject({ requests: 3, blobsFetched: 0, blobsCached: first.files.length });
    expect(second.files).toEqual(first.files);
  });

  it('fetches only the changed blob after a push', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }] });
    const before = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });
    const changed = `${PROJECT['requirements/dev.txt']}django==4.2.1\n`;
    const pushed = world.fake.pushCommit('acme', 'shop', { 'requirements/dev.txt': changed, 'README.md': '# changed\n' });
    world.fake.resetCounts();

    const after = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });
    expect(after.sha).toBe(pushed);
    expect(after.sha).not.toBe(before.sha);
    expect(world.fake.count(ROUTES.blob)).toBe(1);
    expect(world.fake.requests.filter((r) => r.route === ROUTES.blob).map((r) => r.path.split('/').at(-1))).toEqual([gitBlobShaOf(changed)]);
    expect(after.stats).toMatchObject({ blobsFetched: 1, blobsCached: before.files.length - 1 });
    expect(after.files.find((f) => f.path === 'requirements/dev.txt')?.text).toBe(changed);
  });

  it('reads PEP 751 lock files (pylock.toml, pylock.<name>.toml) from a repository as a local tree does, and nothing that only looks like one', async () => {
    const lock = 'lock-version = "1.0"\ncreated-by = "uv"\n\n[[packages]]\nname = "django"\nversion = "2.1.5"\nwheels = [{ url = "https://files.example/django.whl", hashes = { sha256 = "00" } }]\n';
    world = await startWorld({
      repos: [{ owner: 'acme', name: 'locked', files: { 'pylock.toml': lock, 'deploy/pylock.prod.toml': lock, 'pylock.a.b.toml': lock, 'mypylock.toml': lock, 'README.md': '# x\n' } }],
    });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'locked' });
    expect(snap.files.filter((f) => f.kind === 'manifest').map((f) => f.path)).toEqual(['deploy/pylock.prod.toml', 'pylock.toml']);
    const loaded = await loadManifests(snapshotSource(snap));
    expect(loaded.manifests.map((m) => [m.path, m.format, m.dependencies.map((d) => `${d.name}==${d.version}:${d.line}`)])).toEqual([
      ['deploy/pylock.prod.toml', 'pylock', ['django==2.1.5:4']],
      ['pylock.toml', 'pylock', ['django==2.1.5:4']],
    ]);
  });

  it('shares cached blobs between repositories, since a sha names the content', async () => {
    world = await startWorld({
      repos: [
        { owner: 'acme', name: 'one', files: { 'requirements.txt': 'requests==2.31.0\n' } },
        { owner: 'acme', name: 'two', files: { 'requirements.txt': 'requests==2.31.0\n', 'uv.lock': 'version = 1\n' } },
      ],
    });
    await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'one' });
    const two = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'two' });
    expect(two.stats).toMatchObject({ blobsFetched: 1, blobsCached: 1 });
    expect(world.fake.count(ROUTES.blob)).toBe(2);
  });

  it('walks a truncated tree level by level and finds the same files, skipping ignored directories', async () => {
    const complete = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }] });
    const expected = await takeSnapshot(complete.octokit, complete.db, { owner: 'acme', repo: 'shop' });
    await complete.close();

    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }], truncateTreesOver: 4 });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });
    expect(snap.stats.truncated).toBe(true);
    expect(snap.files).toEqual(expected.files);
    expect(snap.errors).toEqual([]);
    // Directories listed: the root plus every directory not inside node_modules or .venv.
    const dirs = new Set<string>();
    for (const path of Object.keys(PROJECT)) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    const walkable = [...dirs].filter((d) => !d.split('/').some((p) => p === 'node_modules' || p === '.venv'));
    // One truncated recursive call, then one listing for the root and one per walkable directory.
    expect(snap.stats.treeRequests).toBe(1 + 1 + walkable.length);
    expect(world.fake.requests.filter((r) => r.route === ROUTES.tree).length).toBe(snap.stats.treeRequests);
  });

  it('stops walking a huge truncated tree at the request bound and says what was not read', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }], truncateTreesOver: 4 });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' }, { maxTreeRequests: 3 });
    expect(snap.stats.treeRequests).toBe(3);
    expect(snap.errors).toHaveLength(1);
    expect(snap.errors[0]!.path).toBeNull();
    expect(snap.errors[0]!.message).toMatch(/too large to list completely: \d+ director(y was|ies were) not read/);
    // What the two listings reached (the root and one directory) is still read.
    expect(snap.files.map((f) => f.path)).toContain('pyproject.toml');
  });

  it('reads the branch asked for, slashes and all', async () => {
    world = await startWorld({
      repos: [{ owner: 'acme', name: 'shop', files: PROJECT, branches: { 'release/1.x': { 'requirements.txt': 'django==3.2.0\n' } } }],
    });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop', branch: 'release/1.x' });
    expect(snap.ref).toBe('release/1.x');
    expect(snap.defaultBranch).toBe('main');
    expect(snap.sha).toBe(world.fake.headSha('acme', 'shop', 'release/1.x'));
    expect(snap.files.map((f) => [f.path, f.text])).toEqual([['requirements.txt', 'django==3.2.0\n']]);
  });

  it('names a missing branch clearly', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }] });
    const attempt = takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop', branch: 'nope' });
    await expect(attempt).rejects.toBeInstanceOf(RefNotFoundError);
    await expect(takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop', branch: 'nope' })).rejects.toThrow(
      'acme/shop has no branch, tag or commit named "nope"',
    );
  });

  it('says it cannot see an unknown repository', async () => {
    world = await startWorld({ repos: [] });
    const attempt = takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'ghost' });
    await expect(attempt).rejects.toBeInstanceOf(RepoNotFoundError);
    await expect(takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'ghost' })).rejects.toThrow(
      "I can't see acme/ghost with the configured GitHub credentials",
    );
  });

  it('sees a private repository only with the token', async () => {
    const repos = [{ owner: 'acme', name: 'secret', files: { 'requirements.txt': 'flask==2.0.0\n' }, private: true }];
    world = await startWorld({ repos });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'secret' });
    expect(snap.private).toBe(true);
    expect(snap.files).toHaveLength(1);
    await world.close();

    world = await startWorld({ repos }, undefined, null);
    await expect(takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'secret' })).rejects.toThrow(
      "I can't see acme/secret with the configured GitHub credentials",
    );
  });

  it('skips blobs over the size limit with a recorded error and reads the rest', async () => {
    const big = `${'package==1.0.0\n'.repeat(200)}`;
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: { 'requirements.txt': 'a==1\n', 'requirements-big.txt': big } }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' }, { maxBlobBytes: 1024 });
    expect(snap.files.map((f) => f.path)).toEqual(['requirements.txt']);
    expect(snap.errors).toEqual([{ path: 'requirements-big.txt', message: 'skipped: 2.9 KB is over the 1 KB limit' }]);
    expect(world.fake.count(ROUTES.blob)).toBe(1);
  });

  it('a file with a line that is not UTF-8, or a stray NUL, is read as the same file checked out: the same lines read and refused, each time', async () => {
    const files = {
      'requirements.txt': Buffer.from('requests==2.19.0\n# caf\xe9\ncaf\xe9==1.0\ndjango==2.1.5 # \uFFFD\n', 'latin1'),
      'constraints/dev.txt': Buffer.concat([Buffer.from('six==1.16.0 # '), Buffer.from('\uFFFD'), Buffer.from('\nid\0na==3.7\nattrs==23.1.0\n')]),
      'requirements-dev.txt': Buffer.from('-r constraints/dev.txt\n'),
      'pyproject.toml': Buffer.from('[project]\nname = "x"\n# caf\xe9\n', 'latin1'),
    };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'latin', files: Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, fileBytes(bytes)])) }] });
    const checkedOut = await loadManifests(memorySource(files));
    expect(checkedOut.errors.map((e) => `${e.file}:${e.line ?? '-'} ${e.message}`)).toEqual([
      'pyproject.toml:- not valid UTF-8 text; not read',
      'requirements.txt:3 not valid UTF-8; not read',
      'constraints/dev.txt:2 holds a NUL byte; not read',
    ]);
    for (const round of ['fetched', 'again']) {
      const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'latin' });
      expect(snap.errors, round).toEqual([]);
      expect(await loadManifests(snapshotSource(snap)), round).toEqual(checkedOut);
    }
  });

  it("a requirements file's coding line decides its encoding as in a checkout: pip's codec for a requirements file, UTF-8 still for the rest", async () => {
    const latin1 = (text: string) => Buffer.from(text, 'latin1');
    const files = {
      'requirements.txt': latin1('# -*- coding: latin-1 -*-\nrequests==2.19.0  # caf\xe9\n-r r\xe9qs.txt\n'),
      'r\u00e9qs.txt': latin1('django==2.1.5\n'),
      'requirements-dev.txt': latin1('# coding: utf-7\nsix==1.16.0\n'),
      'constraints.txt': latin1('#!/usr/bin/env pip\n# vim: set fileencoding=cp1252 :\nidna==3.7  # \x80\n'),
      'pyproject.toml': latin1('# -*- coding: latin-1 -*-\n[project]\nname = "caf\xe9"\n'),
    };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'latin', files: Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, fileBytes(bytes)])) }] });
    const checkedOut = await loadManifests(memorySource(files));
    expect(checkedOut.manifests.flatMap((m) => m.dependencies.map((d) => `${m.path} ${d.name}`)).sort()).toEqual(['constraints.txt idna', 'requirements.txt requests', 'r\u00e9qs.txt django']);
    expect(checkedOut.errors.map((e) => `${e.file}:${e.line ?? '-'} ${e.message}`)).toEqual([
      'pyproject.toml:- not valid UTF-8 text; not read',
      'requirements-dev.txt:1 its coding line declares the encoding utf-7, which Depwatch cannot decode as pip does; not read',
    ]);
    for (const round of ['fetched', 'again']) {
      const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'latin' });
      expect(snap.errors, round).toEqual([]);
      expect(await loadManifests(snapshotSource(snap)), round).toEqual(checkedOut);
    }
  });

  it('a blob cached as UTF-8 text before coding lines were honoured is downloaded again, not read as UTF-8', async () => {
    const bytes = Buffer.from('# coding: utf-7\nsix==1.16.0\n');
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: { 'requirements.txt': fileBytes(bytes) } }] });
    new BlobCache(world.db).put({ sha: gitBlobShaOf(bytes), size: bytes.length, text: bytes.toString() });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });
    expect(snap.stats.blobsCached).toBe(0);
    expect((await loadManifests(snapshotSource(snap))).errors.map((e) => `${e.file}:${e.line} ${e.message}`)).toEqual([
      'requirements.txt:1 its coding line declares the encoding utf-7, which Depwatch cannot decode as pip does; not read',
    ]);
  });

  it('reports binary files instead of passing garbage on; a one-line file whose NUL is in its comment is text', async () => {
    const files = { 'requirements.txt': 'a==1\n', 'constraints.txt': 'x\u0000y\n'.repeat(3), 'requirements-dev.txt': 'six==1.16.0  # \u0000\n' };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });
    expect(snap.files.map((f) => f.path)).toEqual(['requirements-dev.txt', 'requirements.txt']);
    expect(snap.errors).toEqual([{ path: 'constraints.txt', message: 'is not a text file' }]);
  });

  it('reads a manifest saved as UTF-16 with a byte order mark, as pip and a checkout read it', async () => {
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('django==2.1.5\r\nsix==1.16.0\r\n', 'utf16le')]);
    const utf16be = Buffer.from(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('attrs==23.1.0\n', 'utf16le').swap16()]));
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: { 'requirements.txt': fileBytes(utf16le), 'constraints.txt': fileBytes(utf16be) } }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });
    expect(snap.errors).toEqual([]);
    expect(Object.fromEntries(snap.files.map((f) => [f.path, f.text]))).toEqual({ 'constraints.txt': 'attrs==23.1.0\n', 'requirements.txt': 'django==2.1.5\r\nsix==1.16.0\r\n' });
  });

  it('never reads a symbolic link (mode 120000) as a manifest: one inside is followed, one out or to a link is reported', async () => {
    const files = {
      'requirements/prod.txt': 'django==4.2.1\n',
      'requirements.txt': symlinkTo('requirements/prod.txt'),
      'requirements-dev.txt': symlinkTo('../../etc/passwd'),
      Pipfile: symlinkTo('/etc/passwd'),
      'requirements-test.txt': symlinkTo('requirements.txt'),
      'docs/requirements.txt': symlinkTo('../nowhere.txt'),
      '.python-version': symlinkTo('/home/ci/.python-version'),
    };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });

    expect(snap.files.map((f) => [f.path, f.text])).toEqual([
      ['requirements.txt', 'django==4.2.1\n'],
      ['requirements/prod.txt', 'django==4.2.1\n'],
    ]);
    // The link's content lives in the file it names: that is where a change to it must go.
    expect(snap.files.map((f) => [f.path, f.storedAt, f.mode])).toEqual([
      ['requirements.txt', 'requirements/prod.txt', '100644'],
      ['requirements/prod.txt', 'requirements/prod.txt', '100644'],
    ]);
    expect(snap.errors).toEqual([
      { path: '.python-version', message: 'is a symbolic link that leads outside the repository; not followed' },
      { path: 'Pipfile', message: 'is a symbolic link that leads outside the repository; not followed' },
      { path: 'docs/requirements.txt', message: 'is a symbolic link to nowhere.txt, which is not a file in the repository; not followed' },
      { path: 'requirements-dev.txt', message: 'is a symbolic link that leads outside the repository; not followed' },
      { path: 'requirements-test.txt', message: 'is a symbolic link to another symbolic link (requirements.txt); not followed' },
    ]);
    expect(snap.links).toEqual(['.python-version', 'Pipfile', 'docs/requirements.txt', 'requirements-dev.txt', 'requirements-test.txt', 'requirements.txt']);
  });

  it('refuses an include through a symbolic link of the repository, naming the link', async () => {
    const files = {
      'requirements.txt': 'flask==3.0.0\n-r etcdir/passwd\n-r base.txt\n',
      etcdir: symlinkTo('/etc'),
      'base.txt': symlinkTo('/etc/passwd'),
    };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });
    expect(snap.errors).toEqual([]);
    const load = await loadManifests(snapshotSource(snap));
    expect(load.manifests.flatMap((m) => m.dependencies.map((d) => d.name))).toEqual(['flask']);
    expect(load.errors).toEqual([
      { file: 'etcdir/passwd', line: null, message: 'etcdir is a symbolic link in the repository; links are not followed there (included by requirements.txt:2)', includedBy: { file: 'requirements.txt', line: 2 } },
      { file: 'base.txt', line: null, message: 'base.txt is a symbolic link in the repository; links are not followed there (included by requirements.txt:3)', includedBy: { file: 'requirements.txt', line: 3 } },
    ]);
  });

  it('fails with RateLimitError carrying the reset time when the limit is far away', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }] });
    const resetAt = new Date(Math.floor(Date.now() / 1000 + 3600) * 1000);
    world.fake.setRateLimited({ status: 403, resetAt });
    const error = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).resetAt.toISOString()).toBe(resetAt.toISOString());
    expect((error as RateLimitError).message).toMatch(/rate limit is exhausted until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    // Not retried: waiting an hour inside a Slack command helps nobody.
    expect(world.fake.count(ROUTES.repo)).toBe(1);
  });

  it('reads a 429 with retry-after as a rate limit too', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }] });
    world.fake.setRateLimited({ status: 429, retryAfterSeconds: 900, secondary: true });
    const before = Date.now();
    const error = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    const wait = (error as RateLimitError).resetAt.getTime() - before;
    expect(wait).toBeGreaterThanOrEqual(899_000);
    expect(wait).toBeLessThan(905_000);
  });

  it('sits out a short rate-limit wait and carries on', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }] });
    world.fake.setRateLimited({ status: 403, resetAt: new Date(), times: 1 });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' });
    expect(snap.files).toHaveLength(MANIFESTS.length + CONTEXT.length);
    expect(world.fake.requests.filter((r) => r.route === ROUTES.repo).map((r) => r.status)).toEqual([403, 200]);
  });

  it('stops fetching blobs when the limit runs out midway, keeping what was fetched for next time', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: PROJECT }], rateLimit: 5 });
    await expect(takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'shop' }, { concurrency: 1 })).rejects.toBeInstanceOf(RateLimitError);
    expect(new BlobCache(world.db).count()).toBe(2);
  });
});

describe('takeSnapshot of a repository whose .depwatch.yml excludes its test fixtures', () => {
  const SETTINGS = 'exclude:\n  - path: tests/fixtures/\n    reason: test data\n';
  /** Shaped like python-poetry/poetry: fixtures the project does not install, and one it does (included). */
  const FILES = {
    '.depwatch.yml': SETTINGS,
    'requirements.txt': 'six==1.16.0\n-r tests/fixtures/shared/requirements.txt\n',
    // Included by the root's requirements (and on from there): what pip installs, read all the same.
    'tests/fixtures/shared/requirements.txt': 'idna==3.0\n-r ../deeper/requirements.txt\n',
    'tests/fixtures/deeper/requirements.txt': 'attrs==21.0.0\n',
    'tests/fixtures/broken/poetry.lock': '[[package]\nname = "broken\n',
    'tests/fixtures/old/requirements.txt': 'django==2.1.5\n',
    'tests/fixtures/old/Dockerfile': 'FROM python:2.7\n',
    'tests/fixtures/linked/requirements.txt': symlinkTo('../old/requirements.txt'),
  };
  const NOT_DOWNLOADED = ['tests/fixtures/broken/poetry.lock', 'tests/fixtures/linked/requirements.txt', 'tests/fixtures/old/Dockerfile', 'tests/fixtures/old/requirements.txt'];
  const blobsAsked = () => world!.fake.requests.filter((r) => r.route === ROUTES.blob).map((r) => r.path.slice(r.path.lastIndexOf('/') + 1));
  /** What the audit makes of a tree: manifests read, problems, and the exclusion notice's counts. */
  const readOf = async (source: Parameters<typeof readTree>[0]) => {
    const tree = await readTree(source);
    return { read: tree.load.manifests.map((m) => m.path).sort(), errors: tree.load.errors, exclusions: tree.exclusions, unmatched: tree.unmatched };
  };

  it('never asks GitHub for the excluded files\' blobs, yet downloads those a read manifest includes; the audit counts what was left out as before', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'poet', files: FILES }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'poet' });

    expect(snap.files.map((f) => f.path)).toEqual(['.depwatch.yml', 'requirements.txt', 'tests/fixtures/deeper/requirements.txt', 'tests/fixtures/shared/requirements.txt']);
    expect(snap.excluded.map((e) => e.path)).toEqual(NOT_DOWNLOADED);
    expect(snap.errors).toEqual([]);
    const asked = blobsAsked();
    expect(asked.sort()).toEqual(snap.files.map((f) => f.sha).sort());
    for (const path of NOT_DOWNLOADED) expect(asked).not.toContain(gitBlobShaOf(typeof FILES[path as keyof typeof FILES] === 'string' ? (FILES[path as keyof typeof FILES] as string) : '../old/requirements.txt'));

    // The same as an audit of every file's content (what the snapshot held before it left them out).
    const whole = memorySource({ ...Object.fromEntries(Object.entries(FILES).filter(([, v]) => typeof v === 'string')), 'tests/fixtures/linked/requirements.txt': 'django==2.1.5\n' } as Record<string, string>);
    const fromSnapshot = await readOf(snapshotSource(snap));
    expect(fromSnapshot).toEqual(await readOf(whole));
    // The Dockerfile counts by its name: whether it installs anything with pip is not known unread.
    expect(fromSnapshot.exclusions).toEqual([{ path: 'tests/fixtures/', reason: 'test data', source: '.depwatch.yml', manifests: 4 }]);
    expect(fromSnapshot.read).toEqual(['requirements.txt', 'tests/fixtures/deeper/requirements.txt', 'tests/fixtures/shared/requirements.txt']);

    // A changed fixture costs nothing either.
    world.fake.pushCommit('acme', 'poet', { 'tests/fixtures/old/requirements.txt': 'django==2.2.0\n' });
    world.fake.resetCounts();
    await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'poet' });
    expect(world.fake.count(ROUTES.blob)).toBe(0);
  });

  it('excludes nothing, and downloads everything, when the settings do not parse, are too large, or are a link (in the tree or out, as a checkout); root files are never excluded', async () => {
    const cases: { settings: string | ReturnType<typeof symlinkTo>; extra?: Record<string, string>; maxBlobBytes?: number; excluded: string[] }[] = [
      { settings: 'exclude: [unclosed\n', excluded: [] },
      { settings: SETTINGS + '#'.repeat(400), maxBlobBytes: 300, excluded: [] },
      { settings: symlinkTo('/etc/depwatch.yml'), excluded: [] },
      // A link to a file of the tree is not followed either: a checkout's audit and `depwatch scan` do not.
      { settings: symlinkTo('config/depwatch.yml'), extra: { 'config/depwatch.yml': SETTINGS }, excluded: [] },
      // `*.txt` names the root's requirements too, which stays read.
      { settings: 'exclude:\n  - path: "*.txt"\n    reason: text\n', excluded: ['tests/fixtures/linked/requirements.txt', 'tests/fixtures/old/requirements.txt'] },
    ];
    for (const { settings, extra, maxBlobBytes, excluded } of cases) {
      await world?.close();
      world = await startWorld({ repos: [{ owner: 'acme', name: 'poet', files: { ...FILES, ...extra, '.depwatch.yml': settings } }] });
      const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'poet' }, maxBlobBytes ? { maxBlobBytes } : {});
      expect(snap.excluded.map((e) => e.path)).toEqual(excluded);
      if (typeof settings !== 'string') {
        expect(snap.errors).toEqual([{ path: '.depwatch.yml', message: '.depwatch.yml is a symbolic link; not followed (the settings are read only from a file of the tree itself)' }]);
        expect(snap.files.map((f) => f.path)).not.toContain('.depwatch.yml');
      }
      expect(snap.files.map((f) => f.path)).toContain('requirements.txt');
      expect(snap.files.some((f) => excluded.includes(f.path))).toBe(false);
      if (excluded.length === 0) expect(snap.files.map((f) => f.path)).toEqual(expect.arrayContaining(['tests/fixtures/broken/poetry.lock', 'tests/fixtures/old/requirements.txt', 'tests/fixtures/old/Dockerfile']));
    }
  });
});

describe('takeSnapshot of files that manifests include under names discovery does not read', () => {
  /** What the loader makes of a tree, whole: every manifest with its dependencies and includes, and every problem. */
  const loadOf = async (source: Parameters<typeof readTree>[0]) => {
    const tree = await readTree(source);
    return {
      manifests: tree.load.manifests.map((m) => ({ path: m.path, format: m.format, includes: m.includes, dependencies: m.dependencies.map((d) => `${d.name}==${d.version}:${d.group}:${d.file}:${d.line}`) })).sort((a, b) => a.path.localeCompare(b.path)),
      errors: tree.load.errors,
      notices: tree.load.notices,
    };
  };
  const blobsAsked = () => world!.fake.requests.filter((r) => r.route === ROUTES.blob).length;

  const CASES: { name: string; files: Record<string, string>; included: string[] }[] = [
    { name: 'a requirements file with -r ci/base.txt', files: { 'requirements.txt': 'six==1.16.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.0\n' }, included: ['ci/base.txt'] },
    {
      name: "a pyproject.toml's setuptools dynamic dependencies files",
      files: {
        'pyproject.toml': '[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies", "optional-dependencies"]\n[tool.setuptools.dynamic]\ndependencies = {file = ["reqs/base.txt"]}\n[tool.setuptools.dynamic.optional-dependencies]\ntest = {file = ["reqs/test.txt"]}\n',
        'reqs/base.txt': 'idna==3.0\n',
        'reqs/test.txt': 'pytest==8.0.0\n',
      },
      included: ['reqs/base.txt', 'reqs/test.txt'],
    },
    {
      name: "a pyproject.toml's hatch-requirements-txt files",
      files: {
        'pyproject.toml': '[build-system]\nrequires = ["hatchling", "hatch-requirements-txt"]\nbuild-backend = "hatchling.build"\n[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n[tool.hatch.metadata.hooks.requirements_txt]\nfiles = ["deps/prod.txt"]\n',
        'deps/prod.txt': 'attrs==21.0.0\n',
      },
      included: ['deps/prod.txt'],
    },
    { name: 'a setup.cfg with install_requires = file: reqs.txt', files: { 'setup.cfg': '[metadata]\nname = x\n[options]\ninstall_requires = file: reqs.txt\n', 'reqs.txt': 'idna==3.0\n' }, included: ['reqs.txt'] },
    {
      // Its file is named like a manifest, so only `exclude:` keeps it from being downloaded by name.
      name: 'a setup.py whose install_requires reads an excluded requirements file',
      files: {
        '.depwatch.yml': 'exclude:\n  - path: ci/\n    reason: CI only\n',
        'setup.py': 'from setuptools import setup\n\nsetup(\n    name="x",\n    install_requires=open("ci/requirements.txt").read().splitlines(),\n)\n',
        'ci/requirements.txt': 'idna==3.0\n',
      },
      included: ['ci/requirements.txt'],
    },
    { name: 'a chain -r a.txt, then -r b.txt', files: { 'requirements.txt': '-r a.txt\n', 'a.txt': 'six==1.16.0\n-r b.txt\n', 'b.txt': 'idna==3.0\n' }, included: ['a.txt', 'b.txt'] },
  ];

  for (const { name, files, included } of CASES) {
    it(`reads what ${name} includes from GitHub exactly as from the same tree checked out, and once cached asks for no blob`, async () => {
      world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files: { ...files, 'README.md': '# x\n', 'notes.txt': 'not included\n' } }] });
      const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });

      expect(snap.errors).toEqual([]);
      expect(snap.files.map((f) => f.path)).toEqual(Object.keys(files).sort());
      expect(snap.files.filter((f) => included.includes(f.path)).map((f) => f.kind)).toEqual(included.map(() => 'manifest'));
      const fromGitHub = await loadOf(snapshotSource(snap));
      expect(fromGitHub).toEqual(await loadOf(memorySource(files)));
      expect(fromGitHub.errors).toEqual([]);
      expect(fromGitHub.manifests.map((m) => m.path)).toEqual(expect.arrayContaining(included));
      // Each file's blob once, nothing that no manifest includes.
      expect(blobsAsked()).toBe(Object.keys(files).length);
      expect(snap.stats.requests).toBe(3 + Object.keys(files).length);

      world.fake.resetCounts();
      const again = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
      expect(again.files).toEqual(snap.files);
      expect(world.fake.totalRequests()).toBe(3);
    });
  }

  it('downloads a .in named like anything (dev.in) with the .txt beside it, reads both and what the input includes when that .txt was compiled from it, and never downloads a lone template.in or MANIFEST.in', async () => {
    const compiled = '#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile dev.in\n#\ndjango==2.1.5\n    # via -r dev.in\n';
    const files = {
      'dev.in': 'django>=2\n-r shared.txt\n',
      'dev.txt': compiled,
      'shared.txt': 'six==1.16.0\n',
      'roles/web/templates/template.in': '{{ packages }}\n',
      'MANIFEST.in': 'include README\n',
      'Makefile.in': 'all:\n',
      'Makefile.txt': compiled,
      // A page template beside a hand-written page: both downloaded to tell, neither read.
      'docs/page.in': 'Hello {{ name }}\n',
      'docs/page.txt': 'Hello\n',
    };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
    expect(snap.errors).toEqual([]);
    expect(snap.files.map((f) => f.path)).toEqual(['dev.in', 'dev.txt', 'docs/page.in', 'docs/page.txt', 'shared.txt']);
    const fromGitHub = await loadOf(snapshotSource(snap));
    expect(fromGitHub).toEqual(await loadOf(memorySource(files)));
    expect(fromGitHub.errors).toEqual([]);
    expect(fromGitHub.manifests.map((m) => m.path)).toEqual(['dev.in', 'dev.txt', 'shared.txt']);
    // The lone template is listed for the loader, never downloaded: its notice is a checkout's.
    expect(snap.passedOver).toEqual(['roles/web/templates/template.in']);
    expect(fromGitHub.notices).toEqual([expect.stringMatching(/^docs\/page\.in, roles\/web\/templates\/template\.in: not read as requirements /)]);
  });

  it('names the .in files it did not read in the audit of the snapshot, as a checkout does, in the CLI and in the tree-audit job; well-known templates and excluded ones are not named', async () => {
    const files = {
      'requirements.txt': 'six==1.16.0\n',
      'dev.in': 'django==1.11\n',
      'deps/test.in': 'pytest\n',
      'MANIFEST.in': 'include README\n',
      'Makefile.in': 'all:\n',
      'src/config.h.in': '#undef X\n',
      'app.service.in': '[Unit]\n',
      'fixtures/skip.in': 'x\n',
      '.depwatch.yml': 'exclude:\n  - path: fixtures/\n    reason: test data\n',
    };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
    expect(snap.passedOver).toEqual(['deps/test.in', 'dev.in']);
    // Listed, never downloaded.
    expect(snap.files.map((f) => f.path)).toEqual(['.depwatch.yml', 'requirements.txt']);
    const notice = 'deps/test.in, dev.in: not read as requirements (a .in file is read when its name says requirements/constraints/reqs, when a pip-compile output beside it names it, or when a manifest includes it; to read one, include it from a requirements file, as `-r deps/test.in`, or rename it)';
    const options = { target: 'acme/inc@x', advisories: NO_ADVISORIES, registry: null, now: new Date('2026-01-01T00:00:00Z') };
    const fromCli = await auditFileSource(snapshotSource(snap), options);
    expect(fromCli.notices).toContain(notice);
    expect(fromCli.partial).toBe(false);
    const { result: fromJob } = await runHere.auditTree({ ...treeOfSnapshot(snap), target: 'acme/inc@x', now: options.now }, { advisories: NO_ADVISORIES, registry: null });
    expect(fromJob.notices).toEqual(fromCli.notices);
    expect(fromJob.notices.filter((n) => n.includes('not read as requirements'))).toEqual([notice]);
  });

  it('follows a chain a wave of blob requests a level, each blob once even when included twice', async () => {
    const files = { 'requirements.txt': '-r a.txt\n-r b.txt\n', 'a.txt': '-r b.txt\n-r c.txt\n', 'b.txt': 'idna==3.0\n', 'c.txt': '-r b.txt\nsix==1.16.0\n' };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
    expect(snap.files.map((f) => f.path)).toEqual(['a.txt', 'b.txt', 'c.txt', 'requirements.txt']);
    expect(blobsAsked()).toBe(4);
    expect(await loadOf(snapshotSource(snap))).toEqual(await loadOf(memorySource(files)));
  });

  it('leaves an include the tree does not have as "file not found", as a checkout does, and asks for nothing more', async () => {
    const files = { 'requirements.txt': 'six==1.16.0\n-r ci/missing.txt\n', 'setup.cfg': '[options]\ninstall_requires = file: gone.txt\n' };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
    expect(snap.errors).toEqual([]);
    expect(snap.stats.requests).toBe(3 + 2);
    const fromGitHub = await loadOf(snapshotSource(snap));
    expect(fromGitHub).toEqual(await loadOf(memorySource(files)));
    expect(fromGitHub.errors.map((e) => `${e.file}: ${e.message}`)).toEqual(['ci/missing.txt: file not found (included by requirements.txt:2)', 'gone.txt: file not found (included by setup.cfg:2)']);
  });

  describe('an include that is in the tree but could not be downloaded', () => {
    /** Two includes, each reached by a different manifest; ci/ is excluded (its include is still read, as pip reads it). */
    const FILES = {
      '.depwatch.yml': 'exclude:\n  - path: ci/\n    reason: CI only\n',
      'requirements.txt': 'six==1.16.0\n-r base.txt\n',
      'base.txt': 'idna==3.0\n',
      'setup.cfg': '[metadata]\nname = x\n[options]\ninstall_requires = file: ci/reqs.txt\n',
      'ci/reqs.txt': 'attrs==21.0.0\n',
    };
    const noAdvisories: AdvisorySource = { kind: 'api', affecting: async () => new Map(), forPackage: async () => [] };
    /** The audit as the CLI makes it of a snapshot: the loader's problems and the snapshot's, each said once. */
    const auditOf = async (snap: Awaited<ReturnType<typeof takeSnapshot>>) =>
      auditFileSource(snapshotSource(snap), {
        target: 'acme/inc',
        advisories: noAdvisories,
        registry: null,
        now: new Date('2026-12-01T00:00:00Z'),
        extraErrors: snapshotErrors(snap),
      });
    const lines = (result: { errors: { file: string; message: string }[] }) => result.errors.map((e) => `${e.file}: ${e.message}`);

    it('is complete when GitHub hands everything over (the tree the cases below break)', async () => {
      world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files: FILES }] });
      const result = await auditOf(await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' }));
      expect(result.partial).toBe(false);
      expect(result.dependencies).toBe(3);
    });

    const FAILURES = [
      { include: 'base.txt', includer: 'requirements.txt:2', status: 500, body: undefined, said: 'HTTP 500 (Server Error)', stillRead: ['attrs', 'six'], mayPass: true },
      {
        include: 'ci/reqs.txt',
        includer: 'setup.cfg:4',
        status: 403,
        body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/git/blobs#get-a-blob' },
        said: 'HTTP 403 (Resource not accessible by integration)',
        stillRead: ['idna', 'six'],
        mayPass: false,
      },
      // The bot's credentials expired or were rotated mid-sweep: about the bot, not the repository.
      { include: 'base.txt', includer: 'requirements.txt:2', status: 401, body: { message: 'Bad credentials' }, said: 'HTTP 401 (Bad credentials)', stillRead: ['attrs', 'six'], mayPass: true },
    ];
    for (const { include, includer, status, body, said, stillRead, mayPass } of FAILURES) {
      it(`says GitHub's ${status} for ${include} once, as "could not be downloaded", never "file not found"; the audit is partial and reads the rest`, async () => {
        world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files: FILES }] });
        world.fake.failRequests({ route: ROUTES.blob, status, times: 100, pathContains: gitBlobShaOf(FILES[include as keyof typeof FILES]), ...(body ? { body } : {}) });
        const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
        const line = `could not be downloaded from GitHub: ${said}`;
        // A download GitHub failed (5xx) may succeed next time: a sweep checks such a repository
        // again, and so may one refused for the bot's credentials (401). A 403 is its lasting answer:
        // not transient, so it waits for a push.
        const transient = mayPass ? { transient: true } : {};
        expect(snap.errors).toEqual([{ path: include, message: line, ...transient }]);

        const result = await auditOf(snap);
        expect(result.partial).toBe(true);
        // Said once, in the loader's words, which name the include too.
        expect(lines(result)).toEqual([`${include}: ${line} (included by ${includer})`]);
        expect(result.partialReasons).toEqual([expect.objectContaining({ file: include, message: `${line} (included by ${includer})` })]);
        expect(result.partialReasons?.map((r) => r.transient === true)).toEqual([mayPass]);
        expect(result.dependencies).toBe(stillRead.length);
        const read = (await readTree(snapshotSource(snap))).load.manifests.flatMap((m) => m.dependencies.map((d) => d.name));
        expect(read.sort()).toEqual(stillRead);
      });
    }

    it('says an include over the blob size limit is skipped, and one in a folder a truncated tree walk did not list or skips is not read, rather than "file not found"; one missing from a folder listed whole is not found', async () => {
      const big = { 'requirements.txt': 'six==1.16.0\n-r big.txt\n', 'big.txt': `${'idna==3.0\n'.repeat(200)}` };
      world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files: big }] });
      const tooBig = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' }, { maxBlobBytes: 1024 });
      expect(lines(await auditOf(tooBig))).toEqual(['big.txt: skipped: 2 KB is over the 1 KB limit (included by requirements.txt:2)']);
      await world.close();

      // The recursive listing comes back truncated, and the walk lists a/ whole, stops at its bound
      // before zdeep/ and never enters node_modules/: only what a/ lacks is known to be missing.
      const walked = {
        'requirements.txt': 'six==1.16.0\n-r a/missing.txt\n-r zdeep/ci/base.txt\n-r node_modules/pkg/req.txt\n',
        'a/present.txt': 'attrs==21.0.0\n',
        'zdeep/ci/base.txt': 'idna==3.0\n',
        'node_modules/pkg/req.txt': 'idna==3.0\n',
      };
      world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files: walked }], truncateTreesOver: 1 });
      const cut = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' }, { maxTreeRequests: 3 });
      const result = await auditOf(cut);
      expect(result.partial).toBe(true);
      expect(lines(result).sort()).toEqual([
        '(tree): the repository is too large to list completely: 1 directory was not read (zdeep)',
        'a/missing.txt: file not found (included by requirements.txt:2)',
        'node_modules/pkg/req.txt: is in node_modules, a folder the snapshot does not walk when GitHub truncates the tree listing (node_modules is skipped); not read (included by requirements.txt:4)',
        'zdeep/ci/base.txt: is in zdeep, a folder the snapshot did not list (the repository is too large to list completely); not read (included by requirements.txt:3)',
      ]);
    });
  });

  it('stops at its bounds on levels and files with one problem line naming what was not downloaded', async () => {
    const files = { 'requirements.txt': '-r a.txt\n-r x.txt\n', 'a.txt': '-r b.txt\n', 'b.txt': '-r c.txt\n', 'c.txt': 'idna==3.0\n', 'x.txt': 'six==1.16.0\n' };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files }] });
    const deep = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' }, { maxIncludeLevels: 2 });
    expect(deep.files.map((f) => f.path)).toEqual(['a.txt', 'b.txt', 'requirements.txt', 'x.txt']);
    expect(deep.errors).toEqual([{ path: null, message: 'manifests include more files than a snapshot follows (200 files, 2 levels of includes): 1 more was not downloaded (c.txt)' }]);
    expect(deep.unfollowed).toEqual(['c.txt']);
    // Refused naming the limit, never taken for a file the commit does not have.
    expect((await loadOf(snapshotSource(deep))).errors).toEqual([
      { file: 'c.txt', line: null, message: "is included past the snapshot's limit on included files and was not downloaded; not read (included by b.txt:1)", includedBy: { file: 'b.txt', line: 1 } },
    ]);

    const many = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' }, { maxIncludedFiles: 1 });
    expect(many.files.map((f) => f.path)).toEqual(['a.txt', 'requirements.txt']);
    expect(many.errors).toEqual([{ path: null, message: 'manifests include more files than a snapshot follows (1 files, 10 levels of includes): 2 more were not downloaded (b.txt, x.txt)' }]);
  });
});

describe('what the snapshot hands to its reads (a worker copies every text it is given)', () => {
  it('asks what the manifests include once per wave of downloads, and about pip-tools inputs only when the tree has a pair', async () => {
    const roots: string[][] = [];
    const reads = { settingsExcludes, reachedFrom: (texts: Readonly<Record<string, string>>, from: readonly string[], options?: Parameters<typeof reachedFrom>[2]) => (roots.push([...from]), reachedFrom(texts, from, options)) };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'plain', files: { 'requirements.txt': 'six==1.16.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.0\n', 'pyproject.toml': '[project]\nname = "x"\n' } }, { owner: 'acme', name: 'pairs', files: { 'dev.in': 'django\n', 'dev.txt': '#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile dev.in\n#\ndjango==4.2\n' } }] });
    const plain = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'plain' }, { reads });
    expect(plain.files.map((f) => f.path)).toEqual(['ci/base.txt', 'pyproject.toml', 'requirements.txt']);
    // The manifests, then the file they included, once each: no call for pip-tools inputs it has none of.
    expect(roots).toEqual([['pyproject.toml', 'requirements.txt'], ['ci/base.txt']]);

    roots.length = 0;
    await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'pairs' }, { reads });
    expect(roots).toContainEqual(['dev.in', 'dev.txt']);
  });
});

describe('settings files named nearly right, and folders named as settings files', () => {
  const MISNAMED = 'depwatch.yml: not read as settings; the settings file is named .depwatch.yml or .depwatch.yaml (a leading dot, lower case)';
  const FOLDER = '.depwatch.yaml: a folder, not a settings file; nothing in it is read as settings (write the settings in a file of that name)';
  const files = {
    'requirements.txt': 'six==1.16.0\n',
    'depwatch.yml': 'ignore:\n  - id: PYSEC-2019-132\n    reason: not reachable\n',
    '.depwatch.yaml/ignores.yml': 'ignore: []\n',
    'docs/depwatch.yml': 'not at the root: no note\n',
  };
  const options = { target: 'acme/inc@x', advisories: NO_ADVISORIES, registry: null, now: new Date('2026-01-01T00:00:00Z') };
  const notesOf = (result: { notes: { message: string }[] }) => result.notes.map((n) => n.message);

  for (const walked of [false, true]) {
    it(`says them for a GitHub snapshot as for a checkout, in the CLI and in the tree-audit job, without downloading them${walked ? ' (a truncated tree, walked)' : ''}`, async () => {
      world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files }], ...(walked ? { truncateTreesOver: 1 } : {}) });
      const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
      expect(snap.stats.truncated).toBe(walked);
      expect(snap.files.map((f) => f.path)).toEqual(['requirements.txt']);
      expect(snap.stats.blobsFetched).toBe(1);
      expect(snap.misnamedSettings).toEqual(['depwatch.yml']);
      expect(snap.settingsFolders).toEqual(['.depwatch.yaml']);

      const fromCheckout = await auditFileSource(memorySource(files), options);
      expect(notesOf(fromCheckout)).toEqual([FOLDER, MISNAMED]);
      const fromCli = await auditFileSource(snapshotSource(snap), options);
      expect(notesOf(fromCli)).toEqual(notesOf(fromCheckout));
      const { result: fromJob } = await runHere.auditTree({ ...treeOfSnapshot(snap), target: 'acme/inc@x', now: options.now }, { advisories: NO_ADVISORIES, registry: null });
      expect(notesOf(fromJob)).toEqual(notesOf(fromCheckout));
      // Notes, not problems: nothing is hidden by a file that is not read.
      expect(fromJob.partial).toBe(false);
      expect(fromJob.errors).toEqual([]);
    });
  }

  it('keeps no near-miss name when the tree has its settings file, which is read and applied', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files: { 'requirements.txt': 'six==1.16.0\n', '.depwatch.yml': 'ignore: []\n', '.Depwatch.yml': 'ignore: []\n' } }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
    expect(snap.misnamedSettings).toEqual([]);
    expect(snap.settingsFolders).toEqual([]);
    expect(notesOf(await auditFileSource(snapshotSource(snap), options))).toEqual([]);
  });

  it('refuses a read of a near-miss name in the words of the snapshot, never as a file that is not there', async () => {
    const source = memorySource({ 'requirements.txt': '-r depwatch.yml\n' }, { misnamedSettings: ['depwatch.yml'] });
    expect(await source.list()).toEqual(['depwatch.yml', 'requirements.txt']);
    await expect(source.read('depwatch.yml')).rejects.toThrow('is not the settings file by its name and was not downloaded; not read');
  });
});

describe('gitBlobSha', () => {
  it('is git hash-object', () => {
    // `printf 'hello\n' | git hash-object --stdin`
    expect(gitBlobSha(Buffer.from('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(gitBlobSha(new Uint8Array())).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });
});

describe('BlobCache', () => {
  it('prunes blobs no snapshot has used since a date', async () => {
    world = await startWorld();
    const cache = new BlobCache(world.db);
    cache.put({ sha: 'a'.repeat(40), size: 1, text: 'a' }, new Date('2024-01-01T00:00:00Z'));
    cache.put({ sha: 'b'.repeat(40), size: 1, text: 'b' }, new Date('2024-01-01T00:00:00Z'));
    cache.getMany(['b'.repeat(40)], new Date('2024-06-01T00:00:00Z'));
    expect(cache.prune(new Date('2024-03-01T00:00:00Z'))).toBe(1);
    expect([...cache.getMany(['a'.repeat(40), 'b'.repeat(40)]).keys()]).toEqual(['b'.repeat(40)]);
  });
});

describe('git submodules (tree entries of type commit, mode 160000)', () => {
  const LIB = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  const TOOLS = '0f1e2d3c4b5a69788796a5b4c3d2e1f001234567';
  const files = {
    'requirements.txt': 'six==1.16.0\n-r vendor/lib/requirements.txt\n',
    'vendor/lib': submoduleAt(LIB),
    'tools/lint': submoduleAt(TOOLS),
    'web/node_modules/dep': submoduleAt(TOOLS),
  };
  const NOTICE =
    'tools/lint (at 0f1e2d3), vendor/lib (at a1b2c3d): git submodules, other repositories whose files were not audited (GitHub lists a submodule as a commit of another repository, not as files; audit or watch those repositories on their own)';
  const IN_LIB = 'vendor/lib/requirements.txt: is in vendor/lib, a git submodule (another repository, at a1b2c3d) whose files a snapshot does not have; not read (included by requirements.txt:2)';
  const options = { target: 'acme/inc@x', advisories: NO_ADVISORIES, registry: null, now: new Date('2026-01-01T00:00:00Z') };

  for (const walked of [false, true]) {
    it(`lists them with their commits, and the audit names them in one notice and refuses an include inside one saying why, in the CLI and in the tree-audit job${walked ? ' (a truncated tree, walked)' : ''}`, async () => {
      world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files }], ...(walked ? { truncateTreesOver: 1 } : {}) });
      const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
      expect(snap.stats.truncated).toBe(walked);
      expect(snap.errors).toEqual([]);
      // Not under node_modules: that folder is not the project's.
      expect(snap.submodules).toEqual([
        { path: 'tools/lint', commit: TOOLS },
        { path: 'vendor/lib', commit: LIB },
      ]);

      const fromCli = await auditFileSource(snapshotSource(snap), options);
      expect(fromCli.notices.filter((n) => n.includes('submodule'))).toEqual([NOTICE]);
      expect(fromCli.errors.map((e) => `${e.file}: ${e.message}`)).toEqual([IN_LIB]);
      // The include is a file not read: partial, as any include that is not read.
      expect(fromCli.partial).toBe(true);
      const { result: fromJob } = await runHere.auditTree({ ...treeOfSnapshot(snap), target: 'acme/inc@x', now: options.now }, { advisories: NO_ADVISORIES, registry: null });
      expect(fromJob.notices).toEqual(fromCli.notices);
      expect(fromJob.errors).toEqual(fromCli.errors);
    });
  }

  it('leaves out of the notice a submodule exclude: keeps out, and a snapshot taken before submodules were kept audits as it did', async () => {
    const excluding = { 'requirements.txt': 'six==1.16.0\n', 'vendor/lib': submoduleAt(LIB), 'tools/lint': submoduleAt(TOOLS), '.depwatch.yml': 'exclude:\n  - path: vendor/\n    reason: third party\n' };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files: excluding }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
    const audited = await auditFileSource(snapshotSource(snap), options);
    expect(audited.notices.filter((n) => n.includes('submodule'))).toEqual([
      'tools/lint (at 0f1e2d3): a git submodule, another repository whose files were not audited (GitHub lists a submodule as a commit of another repository, not as files; audit or watch that repository on its own)',
    ]);
    expect(audited.partial).toBe(false);

    const { submodules: _absent, ...before } = snap;
    const old = await auditFileSource(snapshotSource(before), options);
    expect(old.notices.filter((n) => n.includes('submodule'))).toEqual([]);
    expect(old.partial).toBe(false);
  });
});

describe('folders named like manifests', () => {
  it('are kept from the listing and named in the audit as for a checkout, in the CLI and in the tree-audit job', async () => {
    const files = { 'setup.py': 'from setuptools import setup\nsetup(name="x", install_requires=["attrs==23.1.0"])\n', 'requirements.txt/README.md': '# notes\n', 'api/pyproject.toml/x.py': '' };
    world = await startWorld({ repos: [{ owner: 'acme', name: 'inc', files }] });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'inc' });
    expect(snap.manifestFolders).toEqual(['api/pyproject.toml', 'requirements.txt']);
    const options = { target: 'acme/inc@x', advisories: NO_ADVISORIES, registry: null, now: new Date('2026-01-01T00:00:00Z') };
    const fromCheckout = await auditFileSource(memorySource(files), options);
    const notice = 'api/pyproject.toml, requirements.txt: are folders, not read as manifests (the files in them are read by their own names)';
    expect(fromCheckout.notices).toContain(notice);
    const fromCli = await auditFileSource(snapshotSource(snap), options);
    expect(fromCli.notices).toEqual(fromCheckout.notices);
    const { result: fromJob } = await runHere.auditTree({ ...treeOfSnapshot(snap), target: 'acme/inc@x', now: options.now }, { advisories: NO_ADVISORIES, registry: null });
    expect(fromJob.notices).toEqual(fromCheckout.notices);
    expect(fromJob.partial).toBe(false);
  });
});
