import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/github/client.js';
import { GitHubCredentialsError, GitHubServiceError, RateLimitError, rateLimitFromError } from '../../src/github/errors.js';
import { classifyError } from '../../src/slack/errors.js';
import { fetchHeads } from '../../src/github/heads.js';
import { blobLineUrl } from '../../src/github/links.js';
import { takeSnapshot } from '../../src/github/snapshot.js';
import { SourceCache } from '../../src/packages/sources/cache.js';
import { GitHubSource } from '../../src/packages/sources/github.js';
import { openDb } from '../../src/store/db.js';
import { packageVersion } from '../../src/version.js';
import { ROUTES, startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { FAST, startWorld, type World } from './helpers.js';

const FILES = { 'requirements.txt': 'django==4.2.0\n', 'app/requirements-dev.txt': 'pytest==8.0.0\n' };

let world: World | undefined;
let fake: FakeGitHub | undefined;
afterEach(async () => {
  await world?.close();
  await fake?.close();
  world = undefined;
  fake = undefined;
});

describe('createGitHubClient', () => {
  it('authenticates as a GitHub App installation and reads a private repository', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    fake = await startFakeGitHub({
      repos: [{ owner: 'acme', name: 'vault', files: FILES, private: true }],
      app: { appId: '12345', publicKey, installationId: 678 },
    });
    const octokit = await createGitHubClient(
      { apiUrl: fake.url, app: { appId: '12345', privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), installationId: '678' } },
      FAST,
    );
    const db = openDb(':memory:');
    const snap = await takeSnapshot(octokit, db, { owner: 'acme', repo: 'vault' });
    db.close();
    expect(snap.private).toBe(true);
    expect(snap.files.map((f) => f.path)).toEqual(['app/requirements-dev.txt', 'requirements.txt']);
    expect(fake.count(ROUTES.installationToken)).toBe(1);
    expect(fake.requests.filter((r) => r.route !== ROUTES.installationToken).every((r) => r.authenticated)).toBe(true);
  });

  it('refuses an installation id that is not a number', async () => {
    await expect(
      createGitHubClient({ apiUrl: 'http://127.0.0.1:9', app: { appId: '1', privateKey: 'x', installationId: 'abc' } }, FAST),
    ).rejects.toThrow('GITHUB_APP_INSTALLATION_ID: must be the installation number');
  });

  it('says a GitHub App key the signer refuses is a credentials problem for whoever runs Depwatch, not GitHub failing to answer', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    fake = await startFakeGitHub({ repos: [{ owner: 'acme', name: 'vault', files: FILES, private: true }], app: { appId: '12345', publicKey, installationId: 678 } });
    const octokit = await createGitHubClient({ apiUrl: fake.url, app: { appId: '12345', privateKey: 'abc', installationId: '678' } }, FAST);
    const db = openDb(':memory:');
    const failure = await takeSnapshot(octokit, db, { owner: 'acme', repo: 'vault' }).then(() => undefined, (err: unknown) => err);
    db.close();
    expect(failure).toBeInstanceOf(GitHubCredentialsError);
    expect((failure as Error).message).toBe(
      'GitHub App private key (GITHUB_APP_PRIVATE_KEY) cannot sign in to GitHub, so GitHub was not asked: set it to the .pem file GitHub generated for the App (in a .env file in double quotes, or on one line with \\n escapes)',
    );
    expect(classifyError(failure)).toMatchObject({ kind: 'credentials', service: 'GitHub' });
    expect(fake.requests).toEqual([]);
  });

  it('works unauthenticated for public repositories', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'open', files: FILES }] }, FAST, null);
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'open' });
    expect(snap.files).toHaveLength(2);
    expect(world.fake.requests.some((r) => r.authenticated)).toBe(false);
  });

  it('talks to GitHub Enterprise Server under /api/v3 (REST) and /api/graphql', async () => {
    world = await startWorld({ repos: [{ owner: 'team', name: 'svc', files: FILES }], pathPrefix: '/api/v3', htmlUrl: 'https://ghe.example.com' });
    expect(world.fake.url).toMatch(/\/api\/v3$/);
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'team', repo: 'svc' });
    expect(blobLineUrl(snap.htmlUrl, snap.sha, 'requirements.txt', 1)).toBe(`https://ghe.example.com/team/svc/blob/${snap.sha}/requirements.txt#L1`);
    const heads = await fetchHeads(world.octokit, [{ owner: 'team', repo: 'svc' }]);
    expect(heads.get('team/svc')).toMatchObject({ ok: true, oid: snap.sha });
    expect(world.fake.requests.find((r) => r.route === ROUTES.graphql)?.path).toBe('/api/graphql');
  });

  it('says the credentials were rejected, never echoing the token', async () => {
    const badToken = 'ghp_ThisTokenIsWrongAndMustNeverBeShown0001';
    world = await startWorld({ repos: [{ owner: 'acme', name: 'open', files: FILES }] }, FAST, badToken);
    const error = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'open' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubServiceError);
    expect((error as GitHubServiceError).status).toBe(401);
    expect((error as Error).message).toMatch(/^GitHub rejected the configured credentials/);
    expect(JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })).not.toContain('ThisTokenIsWrong');
  });

  it('retries a secondary rate limit with a short retry-after', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'open', files: FILES }] });
    world.fake.setRateLimited({ status: 403, secondary: true, retryAfterSeconds: 2, times: 1 });
    const snap = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'open' });
    expect(snap.files).toHaveLength(2);
    expect(world.fake.requests.filter((r) => r.route === ROUTES.repo).map((r) => r.status)).toEqual([403, 200]);
  });

  it('gives up on a rate limit that stays exhausted after the allowed retries', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'open', files: FILES }] }, { ...FAST, maxRateLimitRetries: 2 });
    world.fake.setRateLimited({ status: 429, retryAfterSeconds: 1 });
    await expect(takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'open' })).rejects.toBeInstanceOf(RateLimitError);
    expect(world.fake.count(ROUTES.repo)).toBe(3);
  });

  it('retries a server error, and a blob that keeps failing costs only that file', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'open', files: FILES }] });
    world.fake.failRequests({ route: ROUTES.repo, status: 502, times: 1 });
    const first = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'open' });
    expect(first.files).toHaveLength(2);
    expect(world.fake.requests.filter((r) => r.route === ROUTES.repo).map((r) => r.status)).toEqual([502, 200]);

    world.fake.pushCommit('acme', 'open', { 'requirements.txt': 'django==5.0.0\n' });
    world.fake.failRequests({ route: ROUTES.blob, status: 500, times: 10 });
    const second = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'open' });
    expect(second.files.map((f) => f.path)).toEqual(['app/requirements-dev.txt']);
    expect(second.errors).toHaveLength(1);
    expect(second.errors[0]!.path).toBe('requirements.txt');
    expect(second.errors[0]!.message).toBe('could not be downloaded from GitHub: HTTP 500 (Server Error)');
  });

  it('spaces GraphQL queries and writes a unit apart, as GitHub asks of integrators (a second in production)', async () => {
    fake = await startFakeGitHub({ repos: [{ owner: 'acme', name: 'shop', files: FILES }] });
    const octokit = await createGitHubClient({ apiUrl: fake.url }, { retries: 0, retryUnitMs: 100 });
    const started = performance.now();
    const finished = await Promise.all(
      [1, 2, 3].map(() =>
        octokit
          .request('POST /graphql', { query: '{ rateLimit { remaining } }' })
          .catch(() => undefined)
          .then(() => performance.now() - started),
      ),
    );
    // Three queries sent at once leave one at a time, 100 ms (one unit) apart: not a second apart,
    // which would take 2 s or more.
    expect(Math.max(...finished)).toBeGreaterThanOrEqual(195);
    expect(Math.max(...finished)).toBeLessThan(1_500);
    expect(fake.count(ROUTES.graphql)).toBe(3);
  });

  it('treats a 403 without rate-limit signs as "cannot see" (an App installation not covering the repository)', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'open', files: FILES }] });
    world.fake.failRequests({ route: ROUTES.repo, status: 403, times: 1 });
    await expect(takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'open' })).rejects.toThrow(
      "I can't see acme/open with the configured GitHub credentials",
    );
    expect(world.fake.count(ROUTES.repo)).toBe(1);
  });
});

describe('the User-Agent sent to GitHub', () => {
  it('names the product and its version, and no web address Depwatch does not own', async () => {
    const agents: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      agents.push(req.headers['user-agent']);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const octokit = await createGitHubClient({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, FAST);
      await octokit.request('GET /rate_limit');
    } finally {
      await new Promise((ok) => server.close(ok));
    }
    expect(agents[0]?.startsWith(`depwatch/${packageVersion()} (Python dependency audit; node/`)).toBe(true);
    expect(agents[0]).not.toMatch(/https?:/);
  });
});

describe('GitHub not reached at all', () => {
  it('is said as a network error, never with an HTTP status GitHub did not send', async () => {
    // A port nothing listens on any more: the connection is refused, as a DNS failure (ENOTFOUND)
    // fails it, before any HTTP answer. octokit reports both as a RequestError with status 500.
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const UNREACHABLE = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((ok) => server.close(ok));
    const octokit = await createGitHubClient({ apiUrl: UNREACHABLE, token: 'ghp_' + 'x'.repeat(36) }, { retries: 0, retryUnitMs: 1 });
    const db = openDb(':memory:');
    const error = await takeSnapshot(octokit, db, { owner: 'acme', repo: 'open' }).catch((e: unknown) => e);
    db.close();
    expect(error).toBeInstanceOf(GitHubServiceError);
    expect((error as Error).message).toMatch(/^GitHub could not be reached for acme\/open: .*ECONNREFUSED/);
    expect((error as Error).message).not.toMatch(/HTTP 500|answered 500/);
    expect((error as GitHubServiceError).status).toBeUndefined();

    const heads = await fetchHeads(octokit, [{ owner: 'acme', repo: 'open' }]);
    const head = heads.get('acme/open');
    expect(head).toMatchObject({ ok: false });
    expect(JSON.stringify(head)).toMatch(/could not reach GitHub for the head lookup: .*ECONNREFUSED/);
    expect(JSON.stringify(head)).not.toMatch(/HTTP 500/);

    const cacheDb = openDb(':memory:');
    const source = new GitHubSource({ octokit, authenticated: true, apiUrl: UNREACHABLE, cache: new SourceCache(cacheDb, { offline: false }) });
    const failed = await source.repository('acme', 'open').catch((e: unknown) => e);
    cacheDb.close();
    expect((failed as Error).message).toMatch(/^GitHub could not be reached for acme\/open: .*ECONNREFUSED/);
    expect((failed as { status?: number }).status).toBeUndefined();
  });
});

describe('rateLimitFromError', () => {
  it('recognises GraphQL RATE_LIMITED answers, which carry no HTTP error status', () => {
    const err = Object.assign(new Error('GraphQL Rate Limit Exceeded'), {
      response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' } },
      data: { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded' }] },
    });
    expect(rateLimitFromError(err)?.resetAt.toISOString()).toBe(new Date(1_900_000_000_000).toISOString());
  });

  it('leaves other failures alone', () => {
    expect(rateLimitFromError(Object.assign(new Error('Not Found'), { status: 404, response: { headers: {} } }))).toBeUndefined();
    expect(rateLimitFromError(Object.assign(new Error('Forbidden'), { status: 403, response: { headers: { 'x-ratelimit-remaining': '4000' } } }))).toBeUndefined();
  });
});
