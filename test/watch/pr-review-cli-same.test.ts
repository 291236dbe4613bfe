/**
 * `depwatch review owner/repo#N` reviews a pull request with the bot's own code (review-heads.ts):
 * the body it prints with --markdown is the comment the sweep keeps on that pull request, word for
 * word, when both ask the same GitHub, PyPI and OSV at the same time and the comment had room.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { inProcessCli } from '../helpers/cli-in-process.js';
import { GOODLIB, GOODLIB_REPO, REQUIREMENTS } from '../packages/world.js';
import { GITHUB_TOKEN, openTestDb, reviewCardSources, startWorld, type World } from './helpers.js';

let world: World;
let pypi: FakePypi;
afterEach(async () => {
  await world?.close();
  await pypi?.close();
});

it('prints with --markdown the comment the sweep keeps on the pull request', async () => {
  // The sweep's clock is now: the cards of both are asked the same day.
  world = await startWorld({ records: [], start: new Date().toISOString(), githubWrite: true });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS, { name: 'reqeusts', releases: [{ version: '0.0.1', uploadTime: '2026-01-10T00:00:00Z' }] }] });
  world.github.addRepo(GOODLIB_REPO);
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n-r ci/base.txt\n', 'ci/base.txt': 'certifi==3.0\n' } });
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nreqeusts==0.0.1\n-r ci/base.txt\n', 'ci/base.txt': 'certifi==3.0\nurllib3==3.0\n' }, { branch: 'deps' });
  world.github.openPullRequest('octo', 'shop', { number: 7, title: 'Bump goodlib', head: 'deps' });
  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)), comments: true } });
  watch.store.addWatch({ repo: 'octo/shop', channel: 'C0PULLS0001', userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  const [comment] = world.github.comments('octo', 'shop', 7);
  expect(comment?.body).toContain('`reqeusts` added');

  const { out, run } = inProcessCli({ env: { DEPWATCH_DB: join(mkdtempSync(join(tmpdir(), 'depwatch-review-cli-')), 'cli.db'), OSV_API_URL: world.osv.url, PYPI_URL: pypi.url, GITHUB_API_URL: world.github.url, GITHUB_TOKEN } });
  await run('review', '--markdown', 'octo/shop#7');
  expect(out.stdout).toBe(`${comment!.body}\n`);
});
