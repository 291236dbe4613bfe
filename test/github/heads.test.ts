import { afterEach, describe, expect, it } from 'vitest';
import { buildHeadsQuery, fetchHeads, headKey } from '../../src/github/heads.js';
import { ROUTES } from '../fakes/github.js';
import { startWorld, type World } from './helpers.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('fetchHeads', () => {
  it('asks one GraphQL query per 250 repositories (or the batch size asked for) and reports a missing one without stopping the rest', async () => {
    const repos = Array.from({ length: 249 }, (_, i) => ({ owner: i % 2 ? 'acme' : 'Umbrella-Corp', name: `svc-${i}`, files: { 'requirements.txt': `pkg${i}==1.0\n` } }));
    world = await startWorld({ repos });
    const refs = [...repos.slice(0, 137).map((r) => ({ owner: r.owner, repo: r.name })), { owner: 'acme', repo: 'ghost' }, ...repos.slice(137).map((r) => ({ owner: r.owner, repo: r.name }))];
    expect(refs).toHaveLength(250);

    const heads = await fetchHeads(world.octokit, refs);
    expect(world.fake.count(ROUTES.graphql)).toBe(1);
    expect(world.fake.totalRequests()).toBe(1);
    expect(await fetchHeads(world.octokit, refs, { batchSize: 100 })).toEqual(heads);
    expect(world.fake.count(ROUTES.graphql)).toBe(1 + 3);
    expect(heads.size).toBe(250);
    expect(heads.get('acme/ghost')).toEqual({ ok: false, reason: 'not-found', message: "I can't see acme/ghost with the configured GitHub credentials" });
    for (const repo of repos) {
      expect(heads.get(`${repo.owner}/${repo.name}`)).toEqual({ ok: true, oid: world.fake.headSha(repo.owner, repo.name), branch: 'main', isPrivate: false });
    }
  });

  it('follows pushes, reads named branches, and reports a missing branch', async () => {
    world = await startWorld({
      repos: [
        { owner: 'acme', name: 'shop', files: { 'uv.lock': 'version = 1\n' }, branches: { 'release/2.x': { 'uv.lock': 'version = 1\n# old\n' } } },
        { owner: 'acme', name: 'vault', files: { 'uv.lock': 'version = 1\n' }, private: true, defaultBranch: 'trunk' },
      ],
    });
    const before = await fetchHeads(world.octokit, [{ owner: 'acme', repo: 'shop' }]);
    const pushed = world.fake.pushCommit('acme', 'shop', { 'uv.lock': 'version = 1\n# new\n' });
    const refs = [
      { owner: 'acme', repo: 'shop' },
      { owner: 'acme', repo: 'shop', branch: 'release/2.x' },
      { owner: 'acme', repo: 'shop', branch: 'gone' },
      { owner: 'acme', repo: 'vault' },
    ];
    const after = await fetchHeads(world.octokit, refs);

    expect(after.get('acme/shop')).toEqual({ ok: true, oid: pushed, branch: 'main', isPrivate: false });
    expect(pushed).not.toBe((before.get('acme/shop') as { oid: string }).oid);
    expect(after.get('acme/shop@release/2.x')).toEqual({ ok: true, oid: world.fake.headSha('acme', 'shop', 'release/2.x'), branch: 'release/2.x', isPrivate: false });
    expect(after.get(headKey({ owner: 'acme', repo: 'shop', branch: 'gone' }))).toEqual({ ok: false, reason: 'no-branch', message: 'acme/shop has no branch named "gone"' });
    expect(after.get('acme/vault')).toEqual({ ok: true, oid: world.fake.headSha('acme', 'vault'), branch: 'trunk', isPrivate: true });
    expect(world.fake.count(ROUTES.graphql)).toBe(2);
  });

  it('stops asking once rate limited and marks every repository with the reset time', async () => {
    const repos = Array.from({ length: 150 }, (_, i) => ({ owner: 'acme', name: `r${i}`, files: {} }));
    world = await startWorld({ repos });
    const resetAt = new Date(Math.floor(Date.now() / 1000 + 1800) * 1000);
    world.fake.setRateLimited({ status: 403, resetAt });
    const heads = await fetchHeads(world.octokit, repos.map((r) => ({ owner: r.owner, repo: r.name })));
    expect(world.fake.count(ROUTES.graphql)).toBe(1);
    expect(heads.size).toBe(150);
    for (const head of heads.values()) {
      expect(head).toMatchObject({ ok: false, reason: 'rate-limited', resetAt });
    }
  });

  it('reports a whole batch as failed when GitHub rejects the credentials, without the token', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: {} }] }, undefined, 'ghp_wrongwrongwrongwrongwrongwrongwrong');
    const heads = await fetchHeads(world.octokit, [{ owner: 'acme', repo: 'shop' }]);
    const head = heads.get('acme/shop');
    expect(head).toMatchObject({ ok: false, reason: 'failed' });
    expect((head as { message: string }).message).toMatch(/rejected the configured credentials/);
    expect((head as { message: string }).message).not.toContain('ghp_wrong');
  });

  it('says no credentials are configured when none were sent (GraphQL answers 401 to anyone anonymous)', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'shop', files: {} }] }, undefined, null);
    const head = (await fetchHeads(world.octokit, [{ owner: 'acme', repo: 'shop' }])).get('acme/shop');
    expect(head).toMatchObject({ ok: false, reason: 'failed' });
    expect((head as { message: string }).message).toBe('GitHub wants credentials and none are configured (401): set GITHUB_TOKEN, or the GitHub App settings');
  });
});

describe('buildHeadsQuery', () => {
  it('passes names as variables, never inside the query text', () => {
    const { query, variables } = buildHeadsQuery([
      { owner: 'acme', repo: 'shop' },
      { owner: 'evil', repo: 'x") { id } #', branch: 'main' },
    ]);
    expect(query).not.toContain('acme');
    expect(query).not.toContain('evil');
    expect(query).toContain('r0: repository(owner: $o0, name: $n0)');
    expect(query).toContain('r1: repository(owner: $o1, name: $n1)');
    expect(query).toContain('ref(qualifiedName: $q1)');
    expect(variables).toEqual({ o0: 'acme', n0: 'shop', o1: 'evil', n1: 'x") { id } #', q1: 'refs/heads/main' });
  });
});
