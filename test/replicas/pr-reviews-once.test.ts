/**
 * Pull-request reviews on two replicas sharing one real PostgreSQL: whichever replica runs a sweep,
 * a pull request that changes dependencies gets one review message per channel, updated in place
 * by the other replica's sweep when its head moves and marked once when merged — never posted twice.
 */
import { afterEach, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { PostgresPullReviewState } from '../../src/store/pull-review-state/postgres.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { closeReplicaParts } from '../helpers/replicas.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { GOODLIB, REQUIREMENTS } from '../packages/world.js';
import { blockText } from '../slack/app-world.js';
import { openTestDb, reviewCardSources, startWorld, tempDbPath, type World } from '../watch/helpers.js';

const CHANNEL = 'C0PULLS0001';
let world: World | undefined;
let pypi: FakePypi | undefined;
let database: TestDatabase | undefined;
const localDbs: Db[] = [];
afterEach(async () => {
  await pypi?.close();
  await closeReplicaParts({ world, localDbs, database });
  world = undefined;
  pypi = undefined;
  database = undefined;
});

it('posts a pull request review once and lets the other replica update and mark it', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  const w = world;
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  database = await createTestDatabase();
  w.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n' } });
  w.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'deps' });
  w.github.openPullRequest('octo', 'shop', { number: 7, title: 'Bump goodlib', head: 'deps' });

  /** A replica: its own SQLite file (caches, cards), the watch state and the reviews in PostgreSQL. */
  const replica = async () => {
    const local = openTestDb(tempDbPath());
    localDbs.push(local);
    const pool = await database!.open({ max: 4 });
    const state = new PostgresWatchState(pool);
    const cards = reviewCardSources(w, pypi!.url, local, state);
    return w.service({ db: local, state, pullReviews: new PostgresPullReviewState(pool), pullRequestReviews: { cards } }).watch;
  };
  const [a, b] = [await replica(), await replica()];
  await a.state.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });

  await a.sweeps.runNow();
  await Promise.all([a.delivery.idle(), b.delivery.idle()]);
  expect(w.slack.messages(CHANNEL)).toHaveLength(1);
  const ts = w.slack.messages(CHANNEL)[0]!.ts;
  expect(blockText(w.slack.messages(CHANNEL)[0]!.blocks)).toContain('`goodlib` upgraded 1.1.0 → 1.2.0');

  // B's sweep knows A posted it: nothing moved, nothing posted.
  w.clock.advance(3_600_000);
  await b.sweeps.runNow();
  await Promise.all([a.delivery.idle(), b.delivery.idle()]);
  expect(w.slack.messages(CHANNEL)).toHaveLength(1);

  // A new commit: B updates A's message in place.
  w.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.1\n' }, { branch: 'deps' });
  w.clock.advance(3_600_000);
  await b.sweeps.runNow();
  await Promise.all([a.delivery.idle(), b.delivery.idle()]);
  expect(w.slack.messages(CHANNEL).map((m) => m.ts)).toEqual([ts]);
  expect(blockText(w.slack.messages(CHANNEL)[0]!.blocks)).toContain('`idna` upgraded 3.0 → 3.1');

  // Merged: marked once, whichever replica sees it first; the other has nothing left to mark.
  w.github.setPullRequestState('octo', 'shop', 7, 'MERGED');
  w.clock.advance(3_600_000);
  await a.sweeps.runNow();
  await b.sweeps.runNow();
  await Promise.all([a.delivery.idle(), b.delivery.idle()]);
  expect(w.slack.messages(CHANNEL).map((m) => m.ts)).toEqual([ts]);
  expect(blockText(w.slack.messages(CHANNEL)[0]!.blocks)).toContain(':twisted_rightwards_arrows: merged');
  expect(w.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === CHANNEL)).toHaveLength(1);
  expect(w.slack.violations).toEqual([]);
});
