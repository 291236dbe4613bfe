/**
 * A watched repository whose open pull requests GitHub will not list is said in the channels
 * watching it, not only logged: at once, with what to do, when GitHub's answer is lasting (403: the
 * App may not read its pull requests), only after two consecutive sweeps when it may pass (502).
 * Said once while it lasts, and the notice is edited once the pull requests can be listed again.
 */
import { afterEach, expect, it } from 'vitest';
import { ROUTES } from '../fakes/github.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { GOODLIB, REQUIREMENTS } from '../packages/world.js';
import { blockText } from '../slack/app-world.js';
import { openTestDb, reviewCardSources, startWorld, type World } from './helpers.js';

const CHANNEL = 'C0NOTLISTED1';
const OTHER_CHANNEL = 'C0NOTLISTED2';
const FORBIDDEN = { type: 'FORBIDDEN', message: 'Resource not accessible by integration' };
let world: World;
let pypi: FakePypi;
afterEach(async () => {
  await world?.close();
  await pypi?.close();
});

/** octo/shop (watched by both channels) and octo/mill (CHANNEL only), each with one pull request bumping goodlib. */
async function watchedWorld() {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  for (const name of ['shop', 'mill']) {
    world.github.addRepo({ owner: 'octo', name, files: { 'requirements.txt': 'goodlib==1.1.0\nidna==3.0\n' } });
    world.github.pushCommit('octo', name, { 'requirements.txt': 'goodlib==1.2.0\nidna==3.0\n' }, { branch: 'deps', from: 'main' });
    world.github.openPullRequest('octo', name, { number: 1, title: 'Bump goodlib', head: 'deps' });
  }
  const w = world;
  const { watch } = w.service({ pullRequestReviews: { cards: reviewCardSources(w, pypi.url, openTestDb(w.dbPath)) } });
  for (const repo of ['octo/shop', 'octo/mill']) watch.store.addWatch({ repo, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  watch.store.addWatch({ repo: 'octo/shop', channel: OTHER_CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  const sweep = async () => {
    w.clock.advance(3_600_000);
    await watch.sweeps.runNow();
    await watch.delivery.idle();
  };
  const said = (channel: string) => w.slack.messages(channel).map((m) => ({ text: m.text, blocks: blockText(m.blocks) }));
  const notices = (channel: string) => said(channel).filter((m) => m.text.includes('could not be listed') || m.blocks.includes('listed again'));
  const posts = () => w.slack.callsTo('chat.postMessage').length;
  return { w, sweep, said, notices, posts };
}

it('says a 403 on one repository at once in each channel watching it, with what to do; says nothing more while it lasts; edits the notice once it is over', async () => {
  const { w, sweep, said, notices, posts } = await watchedWorld();
  w.github.failPullRequestListing('octo', 'shop', FORBIDDEN);

  await sweep();
  for (const channel of [CHANNEL, OTHER_CHANNEL]) {
    const [notice, ...more] = notices(channel);
    expect(more).toHaveLength(0);
    expect(notice!.text).toContain('the open pull requests of octo/shop could not be listed, so none of them is reviewed');
    expect(notice!.blocks).toContain('Resource not accessible by integration');
    expect(notice!.blocks).toContain('*Pull requests: Read* on this repository');
    expect(notice!.blocks).toContain('/audit unwatch octo/shop');
    expect(notice!.blocks).not.toContain('octo/mill');
  }
  // octo/mill is listed and reviewed as usual.
  expect(said(CHANNEL).some((m) => m.blocks.includes('`goodlib` upgraded 1.1.0 → 1.2.0'))).toBe(true);

  // Still refused: nothing more is posted or edited.
  const before = { posts: posts(), updates: w.slack.callsTo('chat.update').length };
  await sweep();
  expect(posts()).toBe(before.posts);
  expect(w.slack.callsTo('chat.update')).toHaveLength(before.updates);

  // Access granted: the notice says it is over, and octo/shop's pull request is reviewed.
  w.github.failPullRequestListing('octo', 'shop', null);
  await sweep();
  for (const channel of [CHANNEL, OTHER_CHANNEL]) {
    const [notice, ...more] = notices(channel);
    expect(more).toHaveLength(0);
    expect(notice!.text).toContain('the pull requests of octo/shop could be listed again');
    expect(notice!.blocks).not.toContain('could not be listed');
  }
  expect(said(OTHER_CHANNEL).some((m) => m.blocks.includes('`goodlib` upgraded 1.1.0 → 1.2.0'))).toBe(true);
});

it('says nothing of one sweep GitHub answered 502 to, and says two consecutive ones', async () => {
  const { w, sweep, notices } = await watchedWorld();
  // One sweep fails (the listing and its one retry), the next lists.
  w.github.failRequests({ route: ROUTES.graphql, status: 502, times: 2, matching: 'DepwatchPulls' });
  await sweep();
  w.github.failRequests(null);
  await sweep();
  w.github.failRequests({ route: ROUTES.graphql, status: 502, times: 2, matching: 'DepwatchPulls' });
  await sweep();
  expect(notices(CHANNEL)).toHaveLength(0);
  expect(notices(OTHER_CHANNEL)).toHaveLength(0);

  // The sweep after fails too: two in a row are said.
  w.github.failRequests({ route: ROUTES.graphql, status: 502, times: 2, matching: 'DepwatchPulls' });
  await sweep();
  const [notice] = notices(CHANNEL);
  expect(notice!.text).toContain('the open pull requests of 2 repositories could not be listed');
  expect(notice!.blocks).toContain('*octo/mill*: GitHub has failed to list its pull requests at every sweep since');
  expect(notice!.blocks).toContain('*octo/shop*');
  expect(notice!.blocks).toContain('GitHub could not list pull requests: HTTP 502');
  expect(notice!.blocks).not.toContain('Pull requests: Read');
  const [other] = notices(OTHER_CHANNEL);
  expect(other!.text).toContain('the open pull requests of octo/shop could not be listed');
});

it('edits the notice when what fails changes: a repository that fails for good joins one failing for a while', async () => {
  const { w, sweep, notices, posts } = await watchedWorld();
  const outage = { type: 'SERVICE_UNAVAILABLE', message: 'Loading the pull requests of this repository timed out.' };
  w.github.failPullRequestListing('octo', 'mill', outage);
  await sweep();
  expect(notices(CHANNEL)).toHaveLength(0);
  await sweep();
  expect(notices(CHANNEL)[0]!.text).toContain('the open pull requests of octo/mill could not be listed');
  const postsBefore = posts();

  w.github.failPullRequestListing('octo', 'shop', FORBIDDEN);
  await sweep();
  const [notice, ...more] = notices(CHANNEL);
  expect(more).toHaveLength(0);
  expect(notice!.text).toContain('the open pull requests of 2 repositories could not be listed');
  expect(notice!.blocks).toContain('/audit unwatch octo/shop');
  expect(notice!.blocks).toContain('*octo/mill*: GitHub has failed to list its pull requests');
  // The other channel watches octo/shop only: its own notice, posted now.
  expect(notices(OTHER_CHANNEL)[0]!.text).toContain('the open pull requests of octo/shop could not be listed');
  expect(posts()).toBe(postsBefore + 1);
});
