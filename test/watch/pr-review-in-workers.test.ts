/**
 * The pull-request part of a sweep with the bot's runner (worker threads): the changed files, what
 * they include, the base's settings and what its manifests include are parsed off the main thread,
 * and the cards are exactly those of a sweep that parses them here.
 */
import { afterAll, afterEach, expect, it } from 'vitest';
import { createAuditWorkerPool, runInWorkers, type AuditRunner } from '../../src/workers/audit-runner.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { GOODLIB, REQUIREMENTS } from '../packages/world.js';
import { blockText } from '../slack/app-world.js';
import { openTestDb, reviewCardSources, startWorld, type World } from './helpers.js';

const CHANNEL = 'C0PULLS0001';
const pool = createAuditWorkerPool({ size: 1 });
let world: World | undefined;
let pypi: FakePypi | undefined;
afterEach(async () => {
  await world?.close();
  await pypi?.close();
});
afterAll(() => pool.close());

/** The cards one sweep posts for pull requests that drop, add and edit includes, and one that changes an excluded file a setup.py reads. */
async function reviewCards(runner?: AuditRunner): Promise<string[]> {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'drop', files: { 'requirements.txt': 'goodlib==1.1.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.0\n' } });
  world.github.pushCommit('octo', 'drop', { 'requirements.txt': 'goodlib==1.1.0\n', 'ci/base.txt': 'idna==3.7\n' }, { branch: 'drop', from: 'main' });
  world.github.openPullRequest('octo', 'drop', { number: 1, title: 'Drop the CI file', head: 'drop' });
  world.github.pushCommit('octo', 'drop', { 'ci/base.txt': 'idna==3.7\n' }, { branch: 'bump', from: 'main' });
  world.github.openPullRequest('octo', 'drop', { number: 2, title: 'Bump idna', head: 'bump' });
  const setupPy = 'from setuptools import setup\nsetup(name="x", install_requires=open("ci/requirements.txt").read().splitlines())\n';
  world.github.addRepo({ owner: 'octo', name: 'setup', files: { '.depwatch.yml': 'exclude:\n  - path: ci/\n    reason: CI only\n', 'setup.py': setupPy, 'ci/requirements.txt': 'goodlib==1.1.0\n' } });
  world.github.pushCommit('octo', 'setup', { 'ci/requirements.txt': 'goodlib==1.2.0\nidna==3.7\n' }, { branch: 'bump', from: 'main' });
  world.github.openPullRequest('octo', 'setup', { number: 1, title: 'Bump goodlib', head: 'bump' });

  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) }, ...(runner ? { runner } : {}) });
  for (const repo of ['octo/drop', 'octo/setup']) watch.store.addWatch({ repo, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  const cards = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks)).sort();
  await world.close();
  await pypi.close();
  world = undefined;
  pypi = undefined;
  return cards;
}

it('reviews pull requests with the manifests parsed in worker threads exactly as when parsed on this thread', async () => {
  const here = await reviewCards();
  const inWorkers = await reviewCards(runInWorkers(pool));
  expect(inWorkers).toEqual(here);
  expect(here).toHaveLength(3);
  expect(here.find((c) => c.includes('octo/drop #1'))).toContain('*Removed*: `idna` 3.0');
  expect(here.find((c) => c.includes('octo/setup #1'))).toContain('`goodlib` upgraded 1.1.0 → 1.2.0');
});
