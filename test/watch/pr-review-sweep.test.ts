/**
 * The pull-request part of a sweep, end to end over loopback GitHub, PyPI, OSV and Slack: a pull
 * request that changes requirements gets one review message in the watching channel; a new commit
 * updates it in place; merging marks it; pull requests that change no manifest, once found to
 * change nothing a manifest includes, cost nothing beyond the listing query.
 */
import { afterEach, expect, it } from 'vitest';
import { SqlitePullReviewState } from '../../src/store/pull-review-state/sqlite.js';
import { ROUTES } from '../fakes/github.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { GOODLIB, REQUIREMENTS } from '../packages/world.js';
import { blockText } from '../slack/app-world.js';
import { openTestDb, reviewCardSources, startWorld, type World } from './helpers.js';

const CHANNEL = 'C0PULLS0001';
const OTHER_CHANNEL = 'C0PULLS0002';
let world: World;
let pypi: FakePypi;
afterEach(async () => {
  await world?.close();
  await pypi?.close();
});

it('posts one review per pull request that changes dependencies, updates it on new commits and marks it merged', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS, { name: 'reqeusts', releases: [{ version: '0.0.1', uploadTime: '2026-01-10T00:00:00Z' }] }] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n', 'app.py': 'print(1)\n' } });
  // Branches fork from main.
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\nreqeusts==0.0.1\n', 'app.py': 'print(1)\n' }, { branch: 'deps' });
  world.github.openPullRequest('octo', 'shop', { number: 7, title: 'Bump goodlib', head: 'deps' });
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n', 'app.py': 'print(2)\n' }, { branch: 'code' });
  world.github.openPullRequest('octo', 'shop', { number: 8, title: 'Code only', head: 'code' });

  const cardsDb = openTestDb(world.dbPath);
  const { watch } = world.service({
    pullRequestReviews: {
      cards: reviewCardSources(world, pypi.url, cardsDb),
    },
  });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });

  await watch.sweeps.runNow();
  await watch.delivery.idle();
  const posted = world.slack.messages(CHANNEL);
  expect(posted).toHaveLength(1);
  const first = blockText(posted[0]!.blocks);
  expect(first).toContain('Dependency review: octo/shop #7');
  expect(first).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(first).toMatch(/`reqeusts` added 0\.0\.1: \*caution\*.*looks like \*requests\*/);

  // Nothing moved: the next sweep asks GitHub for the listing only, and posts nothing.
  world.github.resetCounts();
  world.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  const graphqlCalls = world.github.count(ROUTES.graphql);
  expect(world.slack.messages(CHANNEL)).toHaveLength(1);

  // A new commit on the pull request: the same message is updated in place.
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'deps' });
  world.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  expect(world.slack.messages(CHANNEL)).toHaveLength(1);
  const updated = blockText(world.slack.messages(CHANNEL)[0]!.blocks);
  expect(updated).not.toContain('reqeusts');
  expect(updated).toContain('`goodlib` upgraded');

  world.github.setPullRequestState('octo', 'shop', 7, 'MERGED');
  world.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  expect(blockText(world.slack.messages(CHANNEL)[0]!.blocks)).toContain(':twisted_rightwards_arrows: merged');
  expect(world.slack.messages(CHANNEL)).toHaveLength(1);
  // The unchanged sweep: the heads query and the pull-request listing.
  expect(graphqlCalls).toBe(2);
  expect(world.slack.violations).toEqual([]);
});

/** A world with one pull request that changes requirements, reviewed with comments on. */
async function commentingWorld(githubWrite: boolean) {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z', githubWrite });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n' } });
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'deps' });
  world.github.openPullRequest('octo', 'shop', { number: 7, title: 'Bump goodlib @everyone', head: 'deps' });
  const cardsDb = openTestDb(world.dbPath);
  const w = world;
  const cards = reviewCardSources(w, pypi.url, cardsDb);
  const { watch, db } = w.service({ pullRequestReviews: { cards, comments: true } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  return { w, watch, db };
}

it('keeps the review as one comment on the pull request when comments are on: created, edited in place, found again by its marker', async () => {
  const { w, watch, db } = await commentingWorld(true);
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  let comments = w.github.comments('octo', 'shop', 7);
  expect(comments).toHaveLength(1);
  expect(comments[0]!.body.startsWith('<!-- depwatch:review -->')).toBe(true);
  expect(comments[0]!.body).toContain('`goodlib` upgraded `1.1.0` → `1.2.0`: **ok**');
  expect(blockText(w.slack.messages(CHANNEL)[0]!.blocks)).toContain('on the pull request');

  // A new commit: the same comment is edited, not a second one added.
  w.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.1\n' }, { branch: 'deps' });
  w.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  comments = w.github.comments('octo', 'shop', 7);
  expect(comments).toHaveLength(1);
  expect(comments[0]!.updates).toBe(1);
  expect(comments[0]!.body).toContain('`idna` upgraded');

  // The stored id is lost (a fresh database, say): the marker finds the comment again.
  db.prepare('DELETE FROM pull_request_comments').run();
  w.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.2\n' }, { branch: 'deps' });
  w.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  expect(w.github.comments('octo', 'shop', 7)).toHaveLength(1);
  expect(w.github.comments('octo', 'shop', 7)[0]!.updates).toBe(2);
  expect(w.slack.violations).toEqual([]);
});

it('says on the Slack card why it could not comment when the token may only read, and reviews in Slack all the same', async () => {
  const { w, watch } = await commentingWorld(false);
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  expect(w.github.comments('octo', 'shop', 7)).toEqual([]);
  const card = blockText(w.slack.messages(CHANNEL)[0]!.blocks);
  expect(card).toContain('Dependency review: octo/shop #7');
  expect(card).toContain('Not commented on the pull request: GitHub refused the comment (403): the token or App needs Pull requests: Read and write');
});

it('reads the stored reviews once per sweep, not once per pull request and channel', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  for (const name of ['shop', 'api']) {
    world.github.addRepo({ owner: 'octo', name, files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n' } });
    world.github.pushCommit('octo', name, { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'goodlib' });
    world.github.openPullRequest('octo', name, { number: 7, title: 'Bump goodlib', head: 'goodlib' });
    world.github.pushCommit('octo', name, { 'requirements.txt': 'goodlib==1.1.0\nidna==3.1\n' }, { branch: 'idna' });
    world.github.openPullRequest('octo', name, { number: 8, title: 'Bump idna', head: 'idna' });
  }
  const cardsDb = openTestDb(world.dbPath);
  const reviewsDb = openTestDb(world.dbPath);
  const calls: string[] = [];
  // Every call the sweep makes on the review state, by method name (writes included, filtered below).
  const reviews = new Proxy(new SqlitePullReviewState(reviewsDb), {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const { watch } = world.service({ pullReviews: reviews, pullRequestReviews: { cards: reviewCardSources(world, pypi.url, cardsDb) } });
  for (const repo of ['octo/shop', 'octo/api']) {
    for (const channel of [CHANNEL, OTHER_CHANNEL]) watch.store.addWatch({ repo, channel, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  }
  const readsOfSweep = async () => {
    calls.length = 0;
    await watch.sweeps.runNow();
    await watch.delivery.idle();
    return calls.filter((name) => name !== 'save');
  };

  // Four pull requests, each watched by two channels: eight reviews posted, their state read in one query.
  expect(await readsOfSweep()).toEqual(['openNumbers', 'reviewsOf']);
  expect(calls.filter((name) => name === 'save')).toHaveLength(8);
  expect(world.slack.messages(CHANNEL)).toHaveLength(4);
  expect(world.slack.messages(OTHER_CHANNEL)).toHaveLength(4);

  // Nothing moved: the same two reads, and nothing written.
  world.clock.advance(3_600_000);
  expect(await readsOfSweep()).toEqual(['openNumbers', 'reviewsOf']);
  expect(calls).not.toContain('save');

  // Two merged and one closed: their reviews are read with the others, in the same one query.
  world.github.setPullRequestState('octo', 'shop', 7, 'MERGED');
  world.github.setPullRequestState('octo', 'api', 7, 'MERGED');
  world.github.setPullRequestState('octo', 'api', 8, 'CLOSED');
  world.clock.advance(3_600_000);
  expect(await readsOfSweep()).toEqual(['openNumbers', 'reviewsOf']);
  expect(calls.filter((name) => name === 'save')).toHaveLength(6);
  expect(world.slack.violations).toEqual([]);
});

/** One pull request that moves goodlib, watched by one channel; its card's text after each sweep. */
async function reviewingWorld(head: string) {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n' } });
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': head }, { branch: 'deps' });
  world.github.openPullRequest('octo', 'shop', { number: 7, title: 'Bump goodlib', head: 'deps' });
  const w = world;
  const { watch } = w.service({ pullRequestReviews: { cards: reviewCardSources(w, pypi.url, openTestDb(w.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  const sweep = async () => {
    w.clock.advance(3_600_000);
    const result = await watch.sweeps.runNow();
    await watch.delivery.idle();
    expect(w.slack.messages(CHANNEL)).toHaveLength(1);
    return { result, card: blockText(w.slack.messages(CHANNEL)[0]!.blocks) };
  };
  return { w, watch, sweep };
}

it('a manifest too large to read at the head makes the review partial, naming it, not "everything removed"; it is the head\'s review until the head moves', async () => {
  const head = `goodlib==1.2.0\nidna==3.0\n# ${'x'.repeat(200)}\n`;
  const { w, sweep } = await reviewingWorld(head);
  w.github.truncateTextsOver(100);

  const partial = await sweep();
  expect(partial.card).toContain('Partial: head: requirements.txt is too large to read through GraphQL');
  expect(partial.card).not.toContain('removed');
  expect(partial.card).toContain('overall :warning: *caution*');

  // Nothing moved: a blob cut short stays cut short, so the review is not redone (no compare, no
  // texts, no card update), only the listing is asked.
  w.github.resetCounts();
  const updatesBefore = w.slack.callsTo('chat.update').length;
  const again = await sweep();
  expect(w.github.count(ROUTES.compare)).toBe(0);
  // The heads query and the pull-request listing.
  expect(w.github.count(ROUTES.graphql)).toBe(2);
  expect(w.slack.callsTo('chat.update')).toHaveLength(updatesBefore);
  expect(again.card).toBe(partial.card);

  // The head moves: reviewed again.
  w.github.truncateTextsOver(null);
  w.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'deps' });
  const whole = await sweep();
  expect(whole.card).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(whole.card).not.toContain('Partial');
});

it('a failed read of the texts makes the review partial for each file it missed, and it is redone on the next sweep', async () => {
  const { w, sweep } = await reviewingWorld('goodlib==1.2.0\nidna==3.0\n');
  w.github.failRequests({ route: ROUTES.graphql, status: 502, times: 5, matching: 'DepwatchTexts' });

  const partial = await sweep();
  expect(partial.card).toMatch(/Partial: base: requirements\.txt could not be read \(.*\); head: requirements\.txt could not be read/);
  expect(partial.card).toContain('No package changed in the files that were read.');
  expect(partial.card).toContain('overall :warning: *caution*');

  w.github.failRequests(null);
  const whole = await sweep();
  expect(whole.card).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(whole.card).not.toContain('Partial');
});

it('reviews a manifest changed after the first hundred files of a pull request', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n' } });
  const docs = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`docs/page-${String(i).padStart(3, '0')}.md`, `page ${i}\n`]));
  world.github.pushCommit('octo', 'shop', { ...docs, 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'deps' });
  world.github.openPullRequest('octo', 'shop', { number: 7, title: 'Docs, and goodlib', head: 'deps' });
  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });

  await watch.sweeps.runNow();
  await watch.delivery.idle();

  expect(world.slack.messages(CHANNEL)).toHaveLength(1);
  expect(blockText(world.slack.messages(CHANNEL)[0]!.blocks)).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
});

it('pages through the files of large pull requests only when their head moved: an unchanged sweep costs the listing query', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n' } });
  const docs = (n: number) => Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`docs/page-${String(i).padStart(3, '0')}.md`, `page ${i} of ${n}\n`]));
  // Three pull requests of 251 files each that move goodlib after the first page, and one of 250 files that moves none.
  for (const n of [1, 2, 3]) {
    world.github.pushCommit('octo', 'shop', { ...docs(n), 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: `big${n}` });
    world.github.openPullRequest('octo', 'shop', { number: n, title: `Docs ${n}, and goodlib`, head: `big${n}` });
  }
  world.github.pushCommit('octo', 'shop', docs(4), { branch: 'docs' });
  world.github.openPullRequest('octo', 'shop', { number: 4, title: 'Docs only', head: 'docs' });
  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });

  await watch.sweeps.runNow();
  await watch.delivery.idle();
  expect(world.slack.messages(CHANNEL)).toHaveLength(3);
  for (const m of world.slack.messages(CHANNEL)) expect(blockText(m.blocks)).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');

  // Nothing moved: the heads query and the listing, no page of files, no compare.
  for (let i = 0; i < 2; i++) {
    world.github.resetCounts();
    world.clock.advance(3_600_000);
    await watch.sweeps.runNow();
    await watch.delivery.idle();
    expect(world.github.count(ROUTES.graphql)).toBe(2);
    expect(world.github.count(ROUTES.compare)).toBe(0);
  }

  // One head moves: its pages are read again (two more), and only it is reviewed.
  world.github.pushCommit('octo', 'shop', { ...docs(1), 'requirements.txt': 'goodlib==1.2.0\nidna==3.1\n' }, { branch: 'big1' });
  world.github.resetCounts();
  world.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  expect(world.github.count(ROUTES.compare)).toBe(1);
  // Heads, listing, two further pages of files, the texts, and goodlib's GitHub card (its hour-long cache ran out).
  expect(world.github.count(ROUTES.graphql)).toBe(6);
  expect(world.slack.messages(CHANNEL)).toHaveLength(3);
});

it('reviews what the pull request changes since it branched off, not what main changed since', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n' } });
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'deps' });
  // Another pull request moved idna on main after deps branched off.
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.1.0\nidna==3.1\n' });
  world.github.openPullRequest('octo', 'shop', { number: 7, title: 'Bump goodlib', head: 'deps' });
  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });

  await watch.sweeps.runNow();
  await watch.delivery.idle();

  const card = blockText(world.slack.messages(CHANNEL)[0]!.blocks);
  expect(card).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(card).not.toContain('idna');
});

it('says on a card that a pull request changing requirements was not reviewed when GitHub cannot say where it branched off: once while that lasts, then its review replaces it', async () => {
  const { w, sweep } = await reviewingWorld('goodlib==1.2.0\nidna==3.0\n');
  // Code only, as far as anyone can tell without the compare: no card says anything about it.
  w.github.pushCommit('octo', 'shop', { 'app.py': 'print(2)\n' }, { branch: 'code', from: 'main' });
  w.github.openPullRequest('octo', 'shop', { number: 8, title: 'Code only', head: 'code' });
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000 });

  const failed = await sweep();
  expect(failed.card).toContain('Dependency review: octo/shop #7');
  expect(failed.card).toContain('overall :warning: *not reviewed*');
  expect(failed.card).toContain('*Not reviewed*: GitHub could not compare its base and head');
  expect(failed.card).not.toContain('*ok*');

  // Still failing: the card stands as it is, not posted or edited again every sweep.
  const updates = w.slack.callsTo('chat.update').length;
  const again = await sweep();
  expect(again.card).toBe(failed.card);
  expect(w.slack.callsTo('chat.update')).toHaveLength(updates);
  expect(w.slack.callsTo('chat.postMessage')).toHaveLength(1);

  w.github.failRequests(null);
  const reviewed = await sweep();
  expect(reviewed.card).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(reviewed.card).not.toContain('ot reviewed');
  expect(w.slack.callsTo('chat.postMessage')).toHaveLength(1);
});

it('turns a card into "not reviewed" at the new head when the head moves and cannot be reviewed, so an older head\'s verdict is not left standing', async () => {
  const { w, sweep } = await reviewingWorld('goodlib==1.2.0\nidna==3.0\n');
  expect((await sweep()).card).toContain('head `' + w.github.headSha('octo', 'shop', 'deps').slice(0, 7) + '` · overall :white_check_mark: *ok*');

  w.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\nidna==3.1\n' }, { branch: 'deps' });
  const newHead = w.github.headSha('octo', 'shop', 'deps').slice(0, 7);
  w.github.failRequests({ route: ROUTES.compare, status: 502, times: 1000 });
  const failed = await sweep();
  expect(failed.card).toContain(`head \`${newHead}\` · overall :warning: *not reviewed*`);
  expect(failed.card).not.toContain('upgraded');

  w.github.failRequests(null);
  const reviewed = await sweep();
  expect(reviewed.card).toContain(`head \`${newHead}\` · overall :no_entry: *avoid*`);
  expect(reviewed.card).toContain('`idna` upgraded 3.0 → 3.1: *avoid*');
  expect(reviewed.card).not.toContain('ot reviewed');
});

it('says "not reviewed" on the card of a pull request whose changed files GitHub stops listing part-way at a new head', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n' } });
  const docs = (n: number) => Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`docs/page-${String(i).padStart(3, '0')}.md`, `page ${i} of ${n}\n`]));
  world.github.pushCommit('octo', 'shop', { ...docs(1), 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'deps' });
  world.github.openPullRequest('octo', 'shop', { number: 7, title: 'Docs, and goodlib', head: 'deps' });
  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  expect(blockText(world.slack.messages(CHANNEL)[0]!.blocks)).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');

  // The manifest is past the first page of files, and that page of the new head fails.
  world.github.pushCommit('octo', 'shop', { ...docs(2), 'requirements.txt': 'goodlib==1.2.0\nidna==3.1\n' }, { branch: 'deps' });
  world.github.failRequests({ route: ROUTES.graphql, status: 502, times: 1000, matching: 'DepwatchPullFiles' });
  world.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  expect(world.slack.messages(CHANNEL)).toHaveLength(1);
  const card = blockText(world.slack.messages(CHANNEL)[0]!.blocks);
  expect(card).toContain('overall :warning: *not reviewed*');
  expect(card).toContain('*Not reviewed*: GitHub could not list the rest of its changed files');
});

it('leaves out of the review the dependency files the base\'s .depwatch.yml excludes, says so on the card, and reviews nothing when they are all a pull request changes', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  const settings = 'exclude:\n  - path: tests/fixtures/\n    reason: test data for the parsers\n';
  world.github.addRepo({ owner: 'octo', name: 'poet', files: { 'requirements.txt': 'goodlib==1.1.0\n', 'tests/fixtures/old/requirements.txt': 'idna==3.0\n', '.depwatch.yml': settings } });
  world.github.pushCommit('octo', 'poet', { 'tests/fixtures/old/requirements.txt': 'idna==3.1\n' }, { branch: 'fixtures' });
  world.github.openPullRequest('octo', 'poet', { number: 7, title: 'Update a fixture', head: 'fixtures' });
  world.github.pushCommit('octo', 'poet', { 'requirements.txt': 'goodlib==1.2.0\n', 'tests/fixtures/old/requirements.txt': 'idna==3.1\n' }, { branch: 'both' });
  world.github.openPullRequest('octo', 'poet', { number: 8, title: 'Bump goodlib and a fixture', head: 'both' });
  // A pull request cannot hide its own change by excluding it: the base's settings decide.
  world.github.pushCommit('octo', 'poet', { 'requirements.txt': 'goodlib==1.2.0\n', '.depwatch.yml': 'exclude:\n  - path: requirements.txt\n    reason: trust me\n' }, { branch: 'sneaky' });
  world.github.openPullRequest('octo', 'poet', { number: 9, title: 'Innocent', head: 'sneaky' });

  const cardsDb = openTestDb(world.dbPath);
  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, cardsDb) } });
  watch.store.addWatch({ repo: 'octo/poet', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  await watch.delivery.idle();

  const cards = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks));
  expect(cards.map((c) => /Dependency review: octo\/poet #(\d+)/.exec(c)?.[1]).sort()).toEqual(['8', '9']);
  const both = cards.find((c) => c.includes('#8'))!;
  expect(both).toContain('`goodlib` upgraded 1.1.0 → 1.2.0');
  expect(both).not.toContain('idna');
  expect(both).toContain('1 changed dependency file under tests/fixtures/ was not reviewed: excluded by .depwatch.yml at the base (test data for the parsers)');
  expect(both).not.toContain('Partial');
  const sneaky = cards.find((c) => c.includes('#9'))!;
  expect(sneaky).toContain('`goodlib` upgraded 1.1.0 → 1.2.0');
  expect(sneaky).not.toContain('not reviewed');

  // The fixture-only pull request is not read again while its head stays.
  world.github.resetCounts();
  world.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  expect(world.slack.messages(CHANNEL)).toHaveLength(2);
  expect(world.github.count(ROUTES.graphql)).toBe(2);
  expect(world.slack.violations).toEqual([]);
});

it('reads the base\'s .depwatch.yml once for all the pull requests that branched off the same commit, and each shared file once', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  const settings = 'exclude:\n  - path: tests/fixtures/\n    reason: test data for the parsers\n';
  world.github.addRepo({ owner: 'octo', name: 'busy', files: { 'requirements.txt': 'goodlib==1.1.0\n', 'tests/fixtures/old/requirements.txt': 'idna==3.0\n', '.depwatch.yml': settings } });
  const base = world.github.headSha('octo', 'busy');
  // Twenty pull requests off the same commit, each bumping the same root requirements file.
  for (let n = 1; n <= 20; n++) {
    world.github.pushCommit('octo', 'busy', { 'requirements.txt': `goodlib==1.2.0\n# ${n}\n`, 'tests/fixtures/old/requirements.txt': `idna==3.${n}\n` }, { branch: `bump-${n}`, from: 'main' });
    world.github.openPullRequest('octo', 'busy', { number: n, title: `Bump ${n}`, head: `bump-${n}` });
  }

  const cardsDb = openTestDb(world.dbPath);
  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, cardsDb) } });
  watch.store.addWatch({ repo: 'octo/busy', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  world.github.resetCounts();
  await watch.sweeps.runNow();
  await watch.delivery.idle();

  const cards = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks));
  expect(cards).toHaveLength(20);
  for (const card of cards) {
    expect(card).toContain('`goodlib` upgraded 1.1.0 → 1.2.0');
    expect(card).toContain('1 changed dependency file under tests/fixtures/ was not reviewed: excluded by .depwatch.yml at the base (test data for the parsers)');
  }
  const read = (path: string) => world.github.textsRead.filter((t) => t === `octo/busy@${base}:${path}`).length;
  expect(read('.depwatch.yml')).toBe(1);
  expect(read('.depwatch.yaml')).toBe(1);
  expect(read('requirements.txt')).toBe(1);
  expect(read('tests/fixtures/old/requirements.txt')).toBe(1);
  // The 2 settings files and the 2 changed files at the base, once; the 2 changed files at each head.
  expect(world.github.textsRead).toHaveLength(2 + 2 + 20 * 2);
  expect(world.slack.violations).toEqual([]);
});

it('reviews a changed file under an excluded path that a requirements file of the project includes: it changes what the project installs', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  const settings = 'exclude:\n  - path: ci/\n    reason: CI helpers\n  - path: tests/fixtures/\n    reason: test data for the parsers\n';
  world.github.addRepo({
    owner: 'octo',
    name: 'layered',
    files: {
      '.depwatch.yml': settings,
      'requirements.txt': 'goodlib==1.1.0\n-r ci/requirements-base.txt\n',
      'ci/requirements-base.txt': 'idna==3.0\n-r requirements-pins.txt\n',
      'ci/requirements-pins.txt': 'certifi==2024.2.2\n',
      'ci/requirements-lint.txt': 'ruff==0.1.0\n',
      'tests/fixtures/old/requirements.txt': 'idna==2.0\n',
    },
  });
  // Included by the root's requirements through ci/requirements-base.txt: reviewed.
  world.github.pushCommit('octo', 'layered', { 'ci/requirements-pins.txt': 'certifi==2024.7.4\n' }, { branch: 'pins', from: 'main' });
  world.github.openPullRequest('octo', 'layered', { number: 2, title: 'Bump certifi', head: 'pins' });
  // Included by nothing the project installs: left out, as before.
  world.github.pushCommit('octo', 'layered', { 'ci/requirements-lint.txt': 'ruff==0.2.0\n', 'tests/fixtures/old/requirements.txt': 'idna==2.1\n' }, { branch: 'lint', from: 'main' });
  world.github.openPullRequest('octo', 'layered', { number: 3, title: 'Bump ruff', head: 'lint' });
  // Included from the head on, by the change itself: read on the head's side only.
  world.github.pushCommit('octo', 'layered', { 'requirements-dev.txt': '-r ci/requirements-lint.txt\n', 'ci/requirements-lint.txt': 'ruff==0.2.0\n' }, { branch: 'more', from: 'main' });
  world.github.openPullRequest('octo', 'layered', { number: 4, title: 'Install ruff too', head: 'more' });

  const cardsDb = openTestDb(world.dbPath);
  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, cardsDb) } });
  watch.store.addWatch({ repo: 'octo/layered', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  world.github.resetCounts();
  await watch.sweeps.runNow();
  await watch.delivery.idle();

  const cards = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks));
  const card = (n: number) => cards.find((c) => c.includes(`octo/layered #${n}`));
  expect(cards).toHaveLength(2);
  expect(card(2)).toContain('`certifi` upgraded 2024.2.2 → 2024.7.4');
  expect(card(2)).not.toContain('not reviewed');
  expect(card(3)).toBeUndefined();
  // The base installs no ruff (its manifests do not include the file): added, not upgraded.
  expect(card(4)).toMatch(/`ruff` added 0\.2\.0/);
  expect(card(4)).not.toContain('upgraded');
  expect(card(4)).not.toContain('not reviewed');
  expect(cards.filter((c) => c.includes('Partial'))).toEqual([]);
  // The base's files are listed once and its requirements files read once, for both pull requests
  // that need them (#2 and #3; #4 changes the file that includes): the other listing is the sweep's snapshot of main.
  expect(world.github.count(ROUTES.tree)).toBe(2);
  const base = world.github.headSha('octo', 'layered');
  expect(world.github.textsRead.filter((t) => t === `octo/layered@${base}:requirements.txt`)).toHaveLength(1);
  expect(world.github.textsRead.filter((t) => t === `octo/layered@${base}:ci/requirements-base.txt`)).toHaveLength(1);
  expect(world.slack.violations).toEqual([]);
});

it('reads, at both commits, what the changed manifests include and the pull request leaves alone: each side of the diff is what it installs, with no "file not found"', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  const pyproject = (file: string) => `[project]\nname = "shop"\nversion = "1"\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\ndependencies = {file = ["${file}"]}\n`;
  world.github.addRepo({
    owner: 'octo',
    name: 'shop',
    files: {
      'requirements.txt': 'goodlib==1.1.0\n-r ci/base.txt\n',
      'ci/base.txt': 'idna==3.0\n-r pins.txt\n',
      'ci/pins.txt': 'certifi==3.0\n',
      'app/pyproject.toml': pyproject('reqs/runtime.txt'),
      'app/reqs/runtime.txt': 'goodlib==1.1.0\n',
      'app/reqs/next.txt': 'goodlib==1.2.0\n',
    },
  });
  const base = world.github.headSha('octo', 'shop');
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\n-r ci/base.txt\n' }, { branch: 'bump', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 1, title: 'Bump goodlib', head: 'bump' });
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.1.0\n' }, { branch: 'drop', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 2, title: 'Drop the CI pins', head: 'drop' });
  world.github.pushCommit('octo', 'shop', { 'app/pyproject.toml': pyproject('reqs/next.txt') }, { branch: 'next', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 3, title: 'Next runtime', head: 'next' });

  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  world.github.resetCounts();
  await watch.sweeps.runNow();
  await watch.delivery.idle();

  const cards = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks));
  const card = (n: number) => cards.find((c) => c.includes(`octo/shop #${n}`))!;
  expect(cards).toHaveLength(3);
  for (const c of cards) {
    expect(c).not.toContain('file not found');
    expect(c).not.toContain('Partial');
  }
  expect(card(1)).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(card(1)).not.toContain('idna');
  expect(card(1)).toContain('overall :white_check_mark: *ok*');
  // Dropping the include drops what it installed, at every depth.
  expect(card(2)).toContain('*Removed*: `certifi` 3.0, `idna` 3.0');
  expect(card(2)).not.toContain('goodlib');
  // Both dynamic dependencies files are unchanged; the pyproject.toml moves from one to the other.
  expect(card(3)).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(card(3)).toContain('overall :white_check_mark: *ok*');

  // An included file the pull request leaves alone is the same at both commits: read once, at the
  // base, for every pull request that branched off it; nothing is listed for them.
  const read = (path: string) => world.github.textsRead.filter((t) => t.endsWith(`:${path}`));
  expect(read('ci/base.txt')).toEqual([`octo/shop@${base}:ci/base.txt`]);
  expect(read('ci/pins.txt')).toEqual([`octo/shop@${base}:ci/pins.txt`]);
  expect(read('app/reqs/next.txt')).toEqual([`octo/shop@${base}:app/reqs/next.txt`]);
  expect(world.github.count(ROUTES.tree)).toBe(1);

  // Nothing moved: the heads query and the listing only.
  world.github.resetCounts();
  world.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  expect(world.github.count(ROUTES.graphql)).toBe(2);
  expect(world.slack.violations).toEqual([]);
});

it('reviews a pull request that changes only a file a manifest includes under a name no manifest has (a requirements include, a pyproject.toml\'s dynamic dependencies file), and not one that changes a .txt nothing includes', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({
    owner: 'octo',
    name: 'shop',
    files: {
      'requirements.txt': 'idna==3.0\n-r ci/base.txt\n',
      'ci/base.txt': 'certifi==3.0\n',
      'pyproject.toml': '[project]\nname = "shop"\nversion = "1"\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\ndependencies = {file = ["reqs/runtime.txt"]}\n',
      'reqs/runtime.txt': 'goodlib==1.1.0\n',
      'docs/notes.txt': 'hello\n',
    },
  });
  world.github.pushCommit('octo', 'shop', { 'ci/base.txt': 'certifi==3.0\nurllib3==3.0\n' }, { branch: 'ci', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 1, title: 'Add urllib3 to CI', head: 'ci' });
  world.github.pushCommit('octo', 'shop', { 'reqs/runtime.txt': 'goodlib==1.2.0\n' }, { branch: 'runtime', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 2, title: 'Bump goodlib', head: 'runtime' });
  world.github.pushCommit('octo', 'shop', { 'docs/notes.txt': 'hello again\n', 'app.py': 'print(1)\n' }, { branch: 'docs', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 3, title: 'Docs', head: 'docs' });

  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  world.github.resetCounts();
  await watch.sweeps.runNow();
  await watch.delivery.idle();

  const cards = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks));
  const card = (n: number) => cards.find((c) => c.includes(`octo/shop #${n}`));
  expect(cards).toHaveLength(2);
  expect(card(1)).toMatch(/`urllib3` added 3\.0/);
  expect(card(1)).not.toContain('certifi');
  expect(card(2)).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(card(2)).toContain('overall :white_check_mark: *ok*');
  expect(card(3)).toBeUndefined();
  for (const c of cards) expect(c).not.toContain('Partial');
  // The base (all three branched off it) is listed once to tell what its manifests include; the other listing is the sweep's snapshot of main.
  expect(world.github.count(ROUTES.tree)).toBe(2);

  // The pull request that changes nothing included is remembered: not compared or read again.
  world.github.resetCounts();
  world.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  expect(world.github.count(ROUTES.compare)).toBe(0);
  expect(world.github.count(ROUTES.graphql)).toBe(2);
  expect(world.slack.violations).toEqual([]);
});

it('reviews a pull request that bumps a pin in dev.txt compiled by pip-compile from dev.in (names no manifest has, read as the audit reads the pair), and not one that changes a template.in', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  const compiled = (pin: string) => `#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile dev.in\n#\n${pin}\n    # via -r dev.in\n`;
  world.github.addRepo({
    owner: 'octo',
    name: 'shop',
    files: { 'requirements.txt': 'idna==3.0\n', 'dev.in': 'goodlib\n', 'dev.txt': compiled('goodlib==1.1.0'), 'roles/web/templates/template.in': '{{ pkgs }}\n' },
  });
  world.github.pushCommit('octo', 'shop', { 'dev.txt': compiled('goodlib==1.2.0') }, { branch: 'bump', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 1, title: 'Bump goodlib', head: 'bump' });
  world.github.pushCommit('octo', 'shop', { 'roles/web/templates/template.in': '{{ packages }}\n' }, { branch: 'tpl', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 2, title: 'Template', head: 'tpl' });

  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  await watch.delivery.idle();

  const cards = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks));
  expect(cards).toHaveLength(1);
  expect(cards[0]).toContain('octo/shop #1');
  expect(cards[0]).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(cards[0]).not.toContain('Partial');
  expect(world.slack.violations).toEqual([]);
});

it('reviews a pull request that adds a pip-tools pair (dev.in and the dev.txt compiled from it, neither at the base): the pair is told from the head', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  const compiled = (pin: string) => `#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile dev.in\n#\n${pin}\n    # via -r dev.in\n`;
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'idna==3.0\n' } });
  world.github.pushCommit('octo', 'shop', { 'dev.in': 'goodlib\n', 'dev.txt': compiled('goodlib==1.2.0') }, { branch: 'add', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 1, title: 'Add dev deps', head: 'add' });
  world.github.pushCommit('octo', 'shop', { 'notes.in': 'goodlib\n', 'notes.txt': 'goodlib==1.2.0\n' }, { branch: 'notes', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 2, title: 'Notes', head: 'notes' });

  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  await watch.delivery.idle();

  // The second pull request's .txt was not compiled from its .in: not a pair, so neither is read.
  const cards = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks));
  expect(cards).toHaveLength(1);
  expect(cards[0]).toContain('octo/shop #1');
  expect(cards[0]).toContain('`goodlib` added 1.2.0');
  expect(world.slack.violations).toEqual([]);
});

it('follows includes ten levels deep at most, and says what it did not read past that: partial, never "file not found"', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  // requirements.txt → ci/1.txt → … → ci/12.txt: twelve levels.
  const chain = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`ci/${i + 1}.txt`, i < 11 ? `-r ${i + 2}.txt\n` : 'idna==3.0\n']));
  world.github.addRepo({ owner: 'octo', name: 'deep', files: { 'requirements.txt': 'goodlib==1.1.0\n-r ci/1.txt\n', ...chain } });
  world.github.pushCommit('octo', 'deep', { 'requirements.txt': 'goodlib==1.2.0\n-r ci/1.txt\n' }, { branch: 'bump', from: 'main' });
  world.github.openPullRequest('octo', 'deep', { number: 1, title: 'Bump goodlib', head: 'bump' });
  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/deep', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  await watch.delivery.idle();

  const card = blockText(world.slack.messages(CHANNEL)[0]!.blocks);
  expect(card).toContain('`goodlib` upgraded 1.1.0 → 1.2.0');
  expect(card).toContain('base: the reviewed files include more files than a review follows (200 files, 10 levels of includes): 1 more not read (ci/11.txt)');
  expect(card).not.toContain('file not found');
  expect(card).toContain('overall :warning: *caution*');
});

it('says on a partial card, never silently nothing, when the base\'s includes cannot be worked out: deeper than the snapshot limits, or a base file too large to read', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  const deep: Record<string, string> = { 'requirements.txt': 'goodlib==1.1.0\n-r ci/1.txt\n', 'docs/notes.txt': 'hello\n' };
  for (let i = 1; i <= 60; i += 1) deep[`ci/${i}.txt`] = i < 60 ? `-r ${i + 1}.txt\n` : 'idna==3.0\n';
  world.github.addRepo({ owner: 'octo', name: 'deep', files: deep });
  world.github.pushCommit('octo', 'deep', { 'docs/notes.txt': 'hello again\n' }, { branch: 'docs', from: 'main' });
  world.github.openPullRequest('octo', 'deep', { number: 1, title: 'Docs', head: 'docs' });
  world.github.addRepo({ owner: 'octo', name: 'big', files: { 'requirements.txt': 'goodlib==1.1.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.0\n', 'requirements-big.txt': `# ${'x'.repeat(300)}\nidna==3.0\n` } });
  world.github.pushCommit('octo', 'big', { 'ci/base.txt': 'idna==3.7\n' }, { branch: 'ci', from: 'main' });
  world.github.openPullRequest('octo', 'big', { number: 2, title: 'CI', head: 'ci' });
  world.github.truncateTextsOver(200);

  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  for (const repo of ['octo/deep', 'octo/big']) watch.store.addWatch({ repo, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  world.github.resetCounts();
  await watch.sweeps.runNow();
  await watch.delivery.idle();

  const cards = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks));
  const deepCard = cards.find((c) => c.includes('octo/deep #1'));
  const bigCard = cards.find((c) => c.includes('octo/big #2'));
  expect(deepCard).toContain('Partial');
  expect(deepCard).toContain('whether a manifest includes docs/notes.txt could not be told (includes go deeper than 10 levels)');
  expect(bigCard).toContain('Partial');
  expect(bigCard).toMatch(/whether a manifest includes ci\/base\.txt could not be told \(requirements-big\.txt/);
  expect(world.github.count(ROUTES.graphql)).toBeLessThanOrEqual(50);
});

it('takes a .depwatch.yml that cannot be read as the settings file all the same: .depwatch.yaml excludes nothing, and the card says why it is partial', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({
    owner: 'octo',
    name: 'shop',
    files: {
      '.depwatch.yml': `ignore: []\n${'#'.repeat(300)}\n`,
      '.depwatch.yaml': 'exclude:\n  - path: services/\n    reason: not ours\n',
      'services/requirements.txt': 'goodlib==1.1.0\n',
    },
  });
  world.github.pushCommit('octo', 'shop', { 'services/requirements.txt': 'goodlib==1.2.0\n' }, { branch: 'bump', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 1, title: 'Bump', head: 'bump' });
  world.github.truncateTextsOver(200);

  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  await watch.delivery.idle();

  const card = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks)).find((c) => c.includes('octo/shop #1'));
  expect(card).toContain('`goodlib` upgraded 1.1.0 → 1.2.0');
  expect(card).toContain('Partial');
  expect(card).toContain('base: .depwatch.yml');
});

/** Runs one sweep over `repos` (each watched by CHANNEL) and gives each card's text by `repo #n`. */
async function sweepCards(repos: string[]) {
  const { watch } = world.service({ pullRequestReviews: { cards: reviewCardSources(world, pypi.url, openTestDb(world.dbPath)) } });
  for (const repo of repos) watch.store.addWatch({ repo, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  const result = await watch.sweeps.runNow();
  await watch.delivery.idle();
  const cards = world.slack.messages(CHANNEL).map((m) => blockText(m.blocks));
  return { watch, result, cards, card: (ref: string) => cards.find((c) => c.includes(ref)) };
}

it('reads a changed file named like no manifest only on a side whose manifests reach it: dropping its include removes what it installed, adding one adds it, whatever the pull request edits in it', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'drop', files: { 'requirements.txt': 'goodlib==1.1.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.0\n' } });
  // The include dropped and the file edited: the head installs no idna.
  world.github.pushCommit('octo', 'drop', { 'requirements.txt': 'goodlib==1.1.0\n', 'ci/base.txt': 'idna==3.7\n' }, { branch: 'drop', from: 'main' });
  world.github.openPullRequest('octo', 'drop', { number: 1, title: 'Drop the CI file', head: 'drop' });
  // Only the included file edited: an upgrade, as before.
  world.github.pushCommit('octo', 'drop', { 'ci/base.txt': 'idna==3.7\n' }, { branch: 'bump', from: 'main' });
  world.github.openPullRequest('octo', 'drop', { number: 2, title: 'Bump idna', head: 'bump' });
  // Both edited, the include kept.
  world.github.pushCommit('octo', 'drop', { 'requirements.txt': 'goodlib==1.2.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.7\n' }, { branch: 'both', from: 'main' });
  world.github.openPullRequest('octo', 'drop', { number: 3, title: 'Bump both', head: 'both' });

  world.github.addRepo({ owner: 'octo', name: 'add', files: { 'requirements.txt': 'goodlib==1.1.0\n', 'requirements-dev.txt': 'certifi==3.0\n', 'ci/base.txt': 'idna==3.0\n' } });
  // The include added and the file edited: the base installed no idna.
  world.github.pushCommit('octo', 'add', { 'requirements.txt': 'goodlib==1.1.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.7\n' }, { branch: 'add', from: 'main' });
  world.github.openPullRequest('octo', 'add', { number: 1, title: 'Install the CI file', head: 'add' });
  // The include moves from a file the pull request leaves alone to one it changes: still installed, an upgrade.
  world.github.addRepo({ owner: 'octo', name: 'move', files: { 'requirements.txt': 'goodlib==1.1.0\n', 'requirements-dev.txt': 'certifi==3.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.0\n' } });
  world.github.pushCommit('octo', 'move', { 'requirements.txt': 'goodlib==1.1.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.7\n' }, { branch: 'move', from: 'main' });
  world.github.openPullRequest('octo', 'move', { number: 1, title: 'Install the CI file in production too', head: 'move' });

  const { cards, card } = await sweepCards(['octo/drop', 'octo/add', 'octo/move']);
  expect(cards).toHaveLength(5);
  expect(card('octo/drop #1')).toContain('*Removed*: `idna` 3.0');
  expect(card('octo/drop #1')).not.toContain('upgraded');
  expect(card('octo/drop #2')).toContain('`idna` upgraded 3.0 → 3.7');
  expect(card('octo/drop #3')).toContain('`goodlib` upgraded 1.1.0 → 1.2.0');
  expect(card('octo/drop #3')).toContain('`idna` upgraded 3.0 → 3.7');
  expect(card('octo/add #1')).toMatch(/`idna` added 3\.7/);
  expect(card('octo/add #1')).not.toContain('upgraded');
  expect(card('octo/add #1')).not.toContain('certifi');
  expect(card('octo/move #1')).toContain('`idna` upgraded 3.0 → 3.7');
  // The files that lead to the changed one, read only to reach it, add nothing of their own.
  expect(card('octo/move #1')).not.toContain('certifi');
  for (const c of cards) {
    expect(c).not.toContain('file not found');
    expect(c).not.toContain('Partial');
  }
  expect(world.slack.violations).toEqual([]);
});

it('reads a changed manifest under an excluded path only on a side whose manifests reach it: dropping its include removes what it installed, adding one adds it', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  const settings = 'exclude:\n  - path: ci/\n    reason: CI helpers\n';
  world.github.addRepo({ owner: 'octo', name: 'drop', files: { '.depwatch.yml': settings, 'requirements.txt': 'goodlib==1.1.0\n-r ci/requirements-base.txt\n', 'ci/requirements-base.txt': 'idna==3.0\n' } });
  // The include dropped and the file edited: the head installs no idna.
  world.github.pushCommit('octo', 'drop', { 'requirements.txt': 'goodlib==1.1.0\n', 'ci/requirements-base.txt': 'idna==3.7\n' }, { branch: 'drop', from: 'main' });
  world.github.openPullRequest('octo', 'drop', { number: 1, title: 'Drop the CI file', head: 'drop' });
  // Only the included file edited: an upgrade, read through the manifest that includes it.
  world.github.pushCommit('octo', 'drop', { 'ci/requirements-base.txt': 'idna==3.7\n' }, { branch: 'bump', from: 'main' });
  world.github.openPullRequest('octo', 'drop', { number: 2, title: 'Bump idna', head: 'bump' });
  world.github.addRepo({ owner: 'octo', name: 'add', files: { '.depwatch.yml': settings, 'requirements.txt': 'goodlib==1.1.0\n', 'ci/requirements-base.txt': 'idna==3.0\n' } });
  // The include added and the file edited: the base installed no idna.
  world.github.pushCommit('octo', 'add', { 'requirements.txt': 'goodlib==1.1.0\n-r ci/requirements-base.txt\n', 'ci/requirements-base.txt': 'idna==3.7\n' }, { branch: 'add', from: 'main' });
  world.github.openPullRequest('octo', 'add', { number: 1, title: 'Install the CI file', head: 'add' });

  const { cards, card } = await sweepCards(['octo/drop', 'octo/add']);
  expect(cards).toHaveLength(3);
  expect(card('octo/drop #1')).toContain('*Removed*: `idna` 3.0');
  expect(card('octo/drop #1')).not.toContain('upgraded');
  expect(card('octo/drop #2')).toContain('`idna` upgraded 3.0 → 3.7');
  expect(card('octo/add #1')).toMatch(/`idna` added 3\.7/);
  expect(card('octo/add #1')).not.toContain('upgraded');
  for (const c of cards) {
    expect(c).not.toContain('not reviewed');
    expect(c).not.toContain('Partial');
  }
  expect(world.slack.violations).toEqual([]);
});

it('when the base\'s includes cannot be told, posts no card for a pull request that changes only files whose extension marks them as no requirements file (code, docs), and a partial one for a file of any other name', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  const deep: Record<string, string> = { 'requirements.txt': 'goodlib==1.1.0\n-r ci/1.txt\n', 'src/app.py': 'print(1)\n', 'deps/base.pip': 'idna==3.0\n' };
  for (let i = 1; i <= 12; i += 1) deep[`ci/${i}.txt`] = i < 12 ? `-r ${i + 1}.txt\n` : 'idna==3.0\n';
  world.github.addRepo({ owner: 'octo', name: 'deep', files: deep });
  world.github.pushCommit('octo', 'deep', { 'src/app.py': 'print(2)\n', 'README.md': 'hi\n' }, { branch: 'code', from: 'main' });
  world.github.openPullRequest('octo', 'deep', { number: 1, title: 'Code only', head: 'code' });
  world.github.pushCommit('octo', 'deep', { 'src/app.py': 'print(3)\n', 'deps/base.pip': 'idna==3.7\n' }, { branch: 'pip', from: 'main' });
  world.github.openPullRequest('octo', 'deep', { number: 2, title: 'Bump the pip file', head: 'pip' });

  const { watch, cards, card } = await sweepCards(['octo/deep']);
  expect(cards).toHaveLength(1);
  expect(card('octo/deep #1')).toBeUndefined();
  expect(card('octo/deep #2')).toContain('Partial');
  expect(card('octo/deep #2')).toContain('whether a manifest includes deps/base.pip could not be told (includes go deeper than 10 levels); not reviewed');
  expect(card('octo/deep #2')).not.toContain('src/app.py');

  // The code-only head is remembered: not compared or asked about again.
  world.github.resetCounts();
  world.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  expect(world.github.count(ROUTES.compare)).toBe(0);
  expect(world.github.count(ROUTES.tree)).toBe(0);
});

it('a changed included file that cannot be read at one commit is left out of both sides and said once, never read as added or removed', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\n-r ci/base.txt\n', 'ci/base.txt': `idna==3.0\n# ${'x'.repeat(300)}\n` } });
  world.github.pushCommit('octo', 'shop', { 'requirements.txt': 'goodlib==1.2.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.0\n' }, { branch: 'bump', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 1, title: 'Bump', head: 'bump' });
  world.github.truncateTextsOver(200);

  const { card } = await sweepCards(['octo/shop']);
  const text = card('octo/shop #1')!;
  expect(text).toContain('`goodlib` upgraded 1.1.0 → 1.2.0');
  expect(text).not.toContain('idna');
  expect(text.split('ci/base.txt is too large to read through GraphQL')).toHaveLength(2);
  expect(text).toContain('overall :warning: *caution*');
});

it('reviews a pull request that changes only an included file of any name (`-r deps/base.pip`, `-r reqs/common.req`, one with no extension), and not one that changes code nothing includes', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({
    owner: 'octo',
    name: 'shop',
    files: {
      'requirements.txt': 'goodlib==1.1.0\n-r deps/base.pip\n-r reqs/common.req\n-r ci/deps\n',
      'deps/base.pip': 'idna==3.0\n',
      'reqs/common.req': 'certifi==3.0\n',
      'ci/deps': 'urllib3==3.0\n',
      'app.py': 'print(1)\n',
    },
  });
  world.github.pushCommit('octo', 'shop', { 'deps/base.pip': 'idna==3.1\n' }, { branch: 'pip', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 1, title: 'Bump idna', head: 'pip' });
  world.github.pushCommit('octo', 'shop', { 'reqs/common.req': 'certifi==3.1\n' }, { branch: 'req', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 2, title: 'Bump the certifi pin', head: 'req' });
  world.github.pushCommit('octo', 'shop', { 'ci/deps': 'urllib3==3.0\nreqeusts==1.0\n' }, { branch: 'ci', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 3, title: 'CI', head: 'ci' });
  world.github.pushCommit('octo', 'shop', { 'app.py': 'print(2)\n' }, { branch: 'code', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 4, title: 'Code', head: 'code' });

  world.github.resetCounts();
  const { watch, cards, card } = await sweepCards(['octo/shop']);
  expect(cards).toHaveLength(3);
  expect(card('octo/shop #1')).toContain('`idna` upgraded 3.0 → 3.1');
  expect(card('octo/shop #2')).toContain('`certifi` upgraded 3.0 → 3.1');
  expect(card('octo/shop #3')).toMatch(/`reqeusts` added 1\.0/);
  expect(card('octo/shop #4')).toBeUndefined();
  for (const c of cards) expect(c).not.toContain('Partial');
  // The base they all branched off is listed once to tell what its manifests include; the other listing is the sweep's snapshot of main.
  expect(world.github.count(ROUTES.tree)).toBe(2);

  // The code-only head is remembered: not compared or asked about again.
  world.github.resetCounts();
  world.clock.advance(3_600_000);
  await watch.sweeps.runNow();
  expect(world.github.count(ROUTES.compare)).toBe(0);
  expect(world.github.count(ROUTES.tree)).toBe(0);
});

it('says on the card, once and not as partial, that .depwatch.yaml is not read when the base has .depwatch.yml too', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({
    owner: 'octo',
    name: 'shop',
    files: { '.depwatch.yml': 'ignore: []\n', '.depwatch.yaml': 'exclude:\n  - path: services/\n    reason: not ours\n', 'services/requirements.txt': 'goodlib==1.1.0\n' },
  });
  world.github.pushCommit('octo', 'shop', { 'services/requirements.txt': 'goodlib==1.2.0\n' }, { branch: 'bump', from: 'main' });
  world.github.openPullRequest('octo', 'shop', { number: 1, title: 'Bump', head: 'bump' });

  const { card } = await sweepCards(['octo/shop']);
  const text = card('octo/shop #1')!;
  // .depwatch.yaml's exclude does not apply: the file is reviewed.
  expect(text).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(text.split('.depwatch.yaml: not read, because .depwatch.yml is the settings file; merge its entries into .depwatch.yml')).toHaveLength(2);
  expect(text).not.toContain('Partial');
  expect(text).toContain('overall :white_check_mark: *ok*');
});

it('a pull request that adds an include is reviewed through it, and the card is partial when the base\'s other manifests cannot be told about the file', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'big', files: { 'requirements.txt': 'goodlib==1.1.0\n', 'ci/base.txt': 'idna==3.0\n', 'requirements-big.txt': `# ${'x'.repeat(300)}\nidna==3.0\n` } });
  world.github.pushCommit('octo', 'big', { 'requirements.txt': 'goodlib==1.1.0\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.7\n' }, { branch: 'ci', from: 'main' });
  world.github.openPullRequest('octo', 'big', { number: 1, title: 'Install the CI file', head: 'ci' });
  world.github.truncateTextsOver(200);

  const { card } = await sweepCards(['octo/big']);
  const text = card('octo/big #1')!;
  expect(text).toMatch(/`idna` added 3\.7/);
  expect(text).toContain('Partial');
  expect(text).toMatch(/whether the manifests this pull request leaves alone include ci\/base\.txt could not be told \(requirements-big\.txt/);
});
