/**
 * GitHub failing for every pull request at once (an outage: every compare answers 502) is one
 * message per channel naming the pull requests not reviewed, not a "not reviewed" card for each;
 * none of them passes, and the sweep after GitHub recovers reviews each on a card of its own. One
 * pull request failing alone still gets its own card.
 */
import { afterEach, expect, it } from 'vitest';
import { ROUTES } from '../fakes/github.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { GOODLIB, REQUIREMENTS } from '../packages/world.js';
import { blockText } from '../slack/app-world.js';
import { openTestDb, reviewCardSources, startWorld, type World } from './helpers.js';

const CHANNEL = 'C0OUTAGE001';
const OTHER_CHANNEL = 'C0OUTAGE002';
let world: World;
let pypi: FakePypi;
afterEach(async () => {
  await world?.close();
  await pypi?.close();
});

/** Two watched repositories with `pulls` open pull requests each, every one bumping goodlib; octo/shop also watched by OTHER_CHANNEL. */
async function busyWorld(pulls: number) {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  for (const name of ['shop', 'mill']) {
    world.github.addRepo({ owner: 'octo', name, files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n' } });
    for (let n = 1; n <= pulls; n++) {
      world.github.pushCommit('octo', name, { 'requirements.txt': `goodlib==1.2.0\nidna==3.0\n# ${n}\n` }, { branch: `deps-${n}`, from: 'main' });
      world.github.openPullRequest('octo', name, { number: n, title: `Bump goodlib (${n})`, head: `deps-${n}` });
    }
  }
  const w = world;
  const start = () => w.service({ pullRequestReviews: { cards: reviewCardSources(w, pypi.url, openTestDb(w.dbPath)) } });
  let { watch, db } = start();
  for (const repo of ['octo/shop', 'octo/mill']) watch.store.addWatch({ repo, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  watch.store.addWatch({ repo: 'octo/shop', channel: OTHER_CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  const sweep = async () => {
    w.clock.advance(3_600_000);
    const result = await watch.sweeps.runNow();
    await watch.delivery.idle();
    return { result, messages: (channel: string) => w.slack.messages(channel).map((m) => ({ text: m.text, blocks: blockText(m.blocks) })) };
  };
  /** The process stops and another starts over the same database: nothing it kept in memory is left. */
  const restart = async () => {
    await watch.stop();
    db.close();
    ({ watch, db } = start());
  };
  return { w, sweep, restart };
}

it('says an outage over many pull requests in one message per channel, naming them all, then reviews each on its own card once GitHub is back', async () => {
  const { w, sweep } = await busyWorld(3);
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000 });

  const outage = await sweep();
  const said = outage.messages(CHANNEL);
  expect(said).toHaveLength(1);
  const summary = said[0]!.blocks;
  expect(summary).toContain('Dependency reviews: 6 pull requests in 2 repositories not reviewed');
  expect(summary).toContain('*GitHub could not say where they branched off*');
  for (const ref of ['octo/shop #1', 'octo/shop #2', 'octo/shop #3', 'octo/mill #1', 'octo/mill #2', 'octo/mill #3']) expect(summary).toContain(ref);
  expect(summary).toContain('GitHub could not compare its base and head');
  expect(summary).toContain('tried again at the next sweep');
  expect(summary).not.toContain('*ok*');
  expect(said[0]!.text).toContain('not reviewed (partial)');
  // The other channel watches octo/shop only: its three pull requests, in one message of its own.
  const other = outage.messages(OTHER_CHANNEL);
  expect(other).toHaveLength(1);
  expect(other[0]!.blocks).toContain('Dependency reviews: 3 pull requests in 1 repository not reviewed');
  expect(other[0]!.blocks).not.toContain('octo/mill');

  // Still failing: nothing more is said.
  const posts = w.slack.callsTo('chat.postMessage').length;
  await sweep();
  expect(w.slack.callsTo('chat.postMessage')).toHaveLength(posts);

  // GitHub is back: each pull request is reviewed, on its own card.
  w.github.failRequests(null);
  const recovered = await sweep();
  const cards = recovered.messages(CHANNEL).slice(1);
  expect(cards).toHaveLength(6);
  for (const card of cards) {
    expect(card.blocks).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
    expect(card.blocks).not.toContain('ot reviewed');
  }
  expect(recovered.messages(OTHER_CHANNEL)).toHaveLength(4);
  expect(w.slack.violations).toEqual([]);
});

it('still gives one pull request failing alone a "not reviewed" card of its own', async () => {
  const { w, sweep } = await busyWorld(1);
  // Only octo/mill's compare fails.
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000, pathContains: '/octo/mill/' });

  const { messages } = await sweep();
  const cards = messages(CHANNEL);
  expect(cards).toHaveLength(2);
  const mill = cards.find((c) => c.blocks.includes('Dependency review: octo/mill #1'))!;
  expect(mill.blocks).toContain('overall :warning: *not reviewed*');
  expect(mill.blocks).toContain('*Not reviewed*: GitHub could not compare its base and head');
  expect(cards.find((c) => c.blocks.includes('Dependency review: octo/shop #1'))!.blocks).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(cards.some((c) => c.blocks.includes('Dependency reviews:'))).toBe(false);
});

it('turns cards already posted into "not reviewed" at their new heads during an outage (an edit each, no older verdict left standing) and posts nothing new for them', async () => {
  const { w, sweep } = await busyWorld(3);
  expect((await sweep()).messages(CHANNEL)).toHaveLength(6);
  const posts = w.slack.callsTo('chat.postMessage').length;

  for (const name of ['shop', 'mill']) for (let n = 1; n <= 3; n++) w.github.pushCommit('octo', name, { 'requirements.txt': `goodlib==1.2.0\nidna==3.1\n# ${n}\n` }, { branch: `deps-${n}` });
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000 });
  const outage = await sweep();
  expect(w.slack.callsTo('chat.postMessage')).toHaveLength(posts);
  for (const card of outage.messages(CHANNEL)) {
    expect(card.blocks).toContain('overall :warning: *not reviewed*');
    expect(card.blocks).not.toContain('upgraded');
  }
});

it('edits the message naming pull requests not reviewed once GitHub is back, across a restart, to say each was reviewed after all', async () => {
  const { w, sweep, restart } = await busyWorld(3);
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000 });
  await sweep();
  const summaryOf = (channel: string) => w.slack.messages(channel).map((m) => ({ text: m.text, blocks: blockText(m.blocks) })).find((m) => m.blocks.includes('Dependency reviews:'))!;
  expect(summaryOf(CHANNEL).blocks).toContain('6 pull requests in 2 repositories not reviewed');

  await restart();
  w.github.failRequests(null);
  await sweep();
  for (const channel of [CHANNEL, OTHER_CHANNEL]) {
    const summary = summaryOf(channel);
    expect(summary.text).toContain('reviewed after all');
    expect(summary.blocks).not.toContain('tried again at the next sweep');
    expect(summary.blocks).toContain('each on its own card');
    expect(summary.blocks).toContain('octo/shop #1');
  }
  expect(summaryOf(CHANNEL).blocks).toContain('Dependency reviews: 6 pull requests in 2 repositories reviewed after all');
  // Said once: a further sweep edits nothing more.
  const updates = w.slack.callsTo('chat.update').length;
  await sweep();
  expect(w.slack.callsTo('chat.update')).toHaveLength(updates);
  expect(w.slack.violations).toEqual([]);
});

it('says, at the head it named, which pull requests still failed on their own once the outage is over, and which were pushed to since, rather than that they were reviewed', async () => {
  const { w, sweep } = await busyWorld(3);
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000 });
  await sweep();
  // GitHub is back, but octo/mill's pull request #2 keeps failing alone at the head named (GitHub
  // cannot compare it): it gets its own "not reviewed" card. octo/shop's #3 is pushed to and
  // reviewed at its new head: the head named was never reviewed.
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000, pathContains: `...${w.github.headSha('octo', 'mill', 'deps-2')}` });
  w.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.1\n# 3\n' }, { branch: 'deps-3' });
  await sweep();
  const summary = w.slack.messages(CHANNEL).map((m) => ({ text: m.text, blocks: blockText(m.blocks) })).find((m) => m.blocks.includes('Dependency reviews:'))!;
  expect(summary.blocks).toContain('4 of 6 pull requests in 2 repositories reviewed after all');
  expect(summary.text).toContain('(1 still not reviewed, 1 pushed to since)');
  expect(summary.blocks).toMatch(/octo\/mill #2[^\n]*still not reviewed/);
  expect(summary.blocks).toMatch(/octo\/shop #3[^\n]*pushed to since/);
});

it('edits the ended message again when a pull request it said was still not reviewed is reviewed at the head it named, and then no more', async () => {
  const { w, sweep } = await busyWorld(3);
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000 });
  await sweep();
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000, pathContains: `...${w.github.headSha('octo', 'mill', 'deps-2')}` });
  await sweep();
  const summary = () => w.slack.messages(CHANNEL).find((m) => blockText(m.blocks).includes('Dependency reviews:'))!;
  expect(summary().text).toContain('5 of 6 pull requests in 2 repositories reviewed after all (1 still not reviewed)');

  // GitHub compares it too now: its own card turns into its review, and the message says so, on its own ts.
  w.github.failRequests(null);
  const updates = w.slack.callsTo('chat.update').length;
  await sweep();
  const edits = w.slack.callsTo('chat.update').slice(updates).filter((c) => c.params.ts === summary().ts);
  expect(edits).toHaveLength(1);
  expect(summary().text).toBe('Dependency reviews: 6 pull requests in 2 repositories reviewed after all, each on its own card.');
  expect(blockText(summary().blocks)).toMatch(/octo\/mill #2[^\n]*reviewed, on its own card/);
  // Settled: a further sweep edits it no more.
  const settled = w.slack.callsTo('chat.update').length;
  await sweep();
  expect(w.slack.callsTo('chat.update').slice(settled).filter((c) => c.params.ts === summary().ts)).toEqual([]);
  expect(w.slack.violations).toEqual([]);
});

it('edits the one message, rather than posting another, when a pull request is opened while the outage lasts', async () => {
  const { w, sweep } = await busyWorld(3);
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000 });
  await sweep();
  const posts = w.slack.callsTo('chat.postMessage').length;
  w.github.pushCommit('octo', 'mill', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n# 4\n' }, { branch: 'deps-4', from: 'main' });
  w.github.openPullRequest('octo', 'mill', { number: 4, title: 'Bump goodlib (4)', head: 'deps-4' });
  await sweep();
  expect(w.slack.callsTo('chat.postMessage')).toHaveLength(posts);
  const summaries = w.slack.messages(CHANNEL).map((m) => blockText(m.blocks)).filter((b) => b.includes('Dependency reviews:'));
  expect(summaries).toHaveLength(1);
  expect(summaries[0]).toContain('7 pull requests in 2 repositories not reviewed');
  expect(summaries[0]).toContain('octo/mill #4');
});
