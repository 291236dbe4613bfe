/**
 * The message naming pull requests not reviewed for one cause (an outage), outage after outage, on
 * either store: each outage is a message of its own, posted when it begins and edited once it is
 * over, even when a later outage names the very same pull requests at the very same heads (the
 * outbox drops a post whose idempotency key was used before, so a key naming only the pull
 * requests would leave the second outage unsaid, and its end written over the first one's).
 */
import { describe, expect, it } from 'vitest';
import { announceUnlistedPullRequests } from '../../src/watch/pr-review/listing-notice.js';
import { announceNotReviewed, type DueNotReviewed } from '../../src/watch/pr-review/not-reviewed-notice.js';
import { PULL_REQUESTS_NOT_LISTED, PULL_REQUESTS_NOT_REVIEWED, type PullRequestsNotReviewed } from '../../src/watch/messages.js';
import { dueNotReviewed, lastWordOfEachNotReviewed } from './not-reviewed-helpers.js';
import { storesPerTest, type Dialect } from './two-replicas.js';

const CHANNEL = 'C0NOTREVIEWED2';
const T0 = new Date('2026-03-02T09:00:00.000Z');
const hour = (n: number) => new Date(T0.getTime() + n * 3_600_000);
const reviews = { reviewsOf: async () => [] };
const due = (...pulls: `${number}@${string}`[]) => dueNotReviewed(CHANNEL, ...pulls);
/** What each message posted to the channel last says (its key left out: the tests here name no key). */
const lastWordOfEachMessage = (rows: Parameters<typeof lastWordOfEachNotReviewed>[0]) => lastWordOfEachNotReviewed(rows).map(({ pulls, over }) => ({ pulls, over }));




describe.each<Dialect>(['sqlite', 'postgres'])('the "not reviewed" message, outage after outage, on %s', (dialect) => {
  const stores = storesPerTest(dialect);

  it('posts a second outage over the same pull requests at the same heads as a message of its own, and ends it', async () => {
    const state = await stores.one();
    const sweep = (pulls: DueNotReviewed[], now: Date) => announceNotReviewed({ state, reviews, due: pulls, unlistedRepos: new Set(), listed: new Map(), now });

    await sweep(due('1@h1', '2@h2', '3@h3'), hour(0));
    // The next sweep they fail 2 + 1 for two causes: no cause names 3, so the message is over.
    await sweep([], hour(1));
    // GitHub fails for the same three again, at the same heads: another outage, said again.
    await sweep(due('1@h1', '2@h2', '3@h3'), hour(2));
    expect(lastWordOfEachMessage(await state.outbox.rows({ channel: CHANNEL }))).toEqual([
      { pulls: ['1@h1', '2@h2', '3@h3'], over: true },
      { pulls: ['1@h1', '2@h2', '3@h3'], over: false },
    ]);
    // And its end is said on it, not on the first one.
    await sweep([], hour(3));
    const rows = (await state.outbox.rows({ channel: CHANNEL })).filter((r) => r.kind === PULL_REQUESTS_NOT_REVIEWED);
    expect(rows.map((r) => r.op)).toEqual(['post', 'update', 'post', 'update']);
    expect(rows[3]!.messageKey).toBe(rows[2]!.messageKey);
    expect(rows[2]!.messageKey).not.toBe(rows[0]!.messageKey);
    expect(lastWordOfEachMessage(rows)).toEqual([
      { pulls: ['1@h1', '2@h2', '3@h3'], over: true },
      { pulls: ['1@h1', '2@h2', '3@h3'], over: true },
    ]);
  });

  it('posts a second listing outage of the same repository as a notice of its own, and ends it (its key is when it began)', async () => {
    const state = await stores.one();
    const watchers = new Map([['octo/shop', [CHANNEL]]]);
    const forbidden = [{ repo: 'octo/shop', reason: 'Resource not accessible by integration', lasting: true }];
    for (const [n, failures] of [forbidden, [], forbidden, []].entries()) await announceUnlistedPullRequests(state, watchers, failures, hour(n));
    const rows = (await state.outbox.rows({ channel: CHANNEL })).filter((r) => r.kind === PULL_REQUESTS_NOT_LISTED);
    expect(rows.map((r) => r.op)).toEqual(['post', 'update', 'post', 'update']);
    expect(rows[1]!.messageKey).toBe(rows[0]!.messageKey);
    expect(rows[3]!.messageKey).toBe(rows[2]!.messageKey);
    expect(rows[2]!.messageKey).not.toBe(rows[0]!.messageKey);
  });

  it('says what became of each pull request at the head the message named, and "not known yet" for one the sweep did not reach', async () => {
    const state = await stores.one();
    // As the sweep keeps them: the card's own head in its ref; a "not reviewed" card's row keeps none.
    const card = (number: number, headSha: string, review: { verdict?: string; notReviewed?: string }) => ({ repo: 'octo/shop', number, channel: CHANNEL, ts: '1.0', headOid: review.notReviewed ? '' : headSha, state: 'open' as const, reviewJson: JSON.stringify({ ref: { repo: 'octo/shop', number, headSha }, review }) });
    const cards = [
      card(1, 'a1', { verdict: 'ok' }), // reviewed at the head named
      card(2, 'b0', { verdict: 'ok' }), // a card of an older head: nothing said of b1
      card(3, 'c2', { verdict: 'ok' }), // pushed to since: c1 was never reviewed
      card(5, 'e1', { notReviewed: 'GitHub could not compare its base and head' }),
    ];
    const heads = new Map([[1, 'a1'], [2, 'b1'], [3, 'c2'], [5, 'e1']]);
    const sweep = (pulls: DueNotReviewed[], now: Date) =>
      announceNotReviewed({ state, reviews: { reviewsOf: async () => cards }, due: pulls, unlistedRepos: new Set(), listed: new Map([['octo/shop', { heads, whole: false }]]), now });

    await sweep(due('1@a1', '2@b1', '3@c1', '4@d1', '5@e1'), hour(0));
    await sweep([], hour(1));
    const over = (await state.outbox.rows({ channel: CHANNEL })).filter((r) => r.kind === PULL_REQUESTS_NOT_REVIEWED).at(-1)!.data as PullRequestsNotReviewed;
    expect(over.over?.outcomes.map((o) => `#${o.number} ${o.outcome}`)).toEqual(['#1 reviewed', '#2 unknown', '#3 moved', '#4 unknown', '#5 not-reviewed']);
  });

  it('edits the ended message once a later sweep reviews a pull request it said was not known yet, or still not reviewed, at the head named; then follows it no more', async () => {
    const state = await stores.one();
    const card = (number: number, headSha: string, review: { verdict?: string; notReviewed?: string }) => ({ repo: 'octo/shop', number, channel: CHANNEL, ts: '1.0', headOid: review.notReviewed ? '' : headSha, state: 'open' as const, reviewJson: JSON.stringify({ ref: { repo: 'octo/shop', number, headSha }, review }) });
    let cards = [card(1, 'a1', { notReviewed: 'GitHub could not compare its base and head' })];
    let heads = new Map([[1, 'a1']]); // #2 not reached: only the most recently updated were listed
    const sweep = (pulls: DueNotReviewed[], now: Date) =>
      announceNotReviewed({ state, reviews: { reviewsOf: async () => cards }, due: pulls, unlistedRepos: new Set(), listed: new Map([['octo/shop', { heads, whole: false }]]), now });
    const notReviewedRows = async () => (await state.outbox.rows({ channel: CHANNEL })).filter((r) => r.kind === PULL_REQUESTS_NOT_REVIEWED);
    const outcomes = (row: { data: unknown }) => (row.data as PullRequestsNotReviewed).over?.outcomes.map((o) => `#${o.number} ${o.outcome}`);

    await sweep(due('1@a1', '2@b1'), hour(0));
    await sweep([], hour(1));
    expect(outcomes((await notReviewedRows()).at(-1)!)).toEqual(['#1 not-reviewed', '#2 unknown']);
    // Nothing new learnt: no edit.
    await sweep([], hour(2));
    expect(await notReviewedRows()).toHaveLength(2);

    cards = [card(1, 'a1', { verdict: 'ok' }), card(2, 'b1', { verdict: 'ok' })];
    heads = new Map([[1, 'a1'], [2, 'b1']]);
    await sweep([], hour(3));
    const rows = await notReviewedRows();
    expect(rows.map((r) => r.op)).toEqual(['post', 'update', 'update']);
    expect(rows[2]!.messageKey).toBe(rows[0]!.messageKey);
    expect(outcomes(rows[2]!)).toEqual(['#1 reviewed', '#2 reviewed']);
    // Each settled: followed no more.
    await sweep([], hour(4));
    expect(await notReviewedRows()).toHaveLength(3);
    expect(JSON.parse((await state.pullNotReviewedNotices())!)).toEqual({ notices: [] });
  });

  it('follows an ended message a week at most', async () => {
    const state = await stores.one();
    let heads = new Map<number, string>();
    const sweep = (pulls: DueNotReviewed[], now: Date) => announceNotReviewed({ state, reviews, due: pulls, unlistedRepos: new Set(), listed: new Map([['octo/shop', { heads, whole: false }]]), now });
    await sweep(due('1@a1', '2@b1', '3@c1'), hour(0));
    await sweep([], hour(1));
    heads = new Map([[1, 'a2']]);
    await sweep([], hour(1 + 7 * 24));
    expect((await state.outbox.rows({ channel: CHANNEL })).filter((r) => r.kind === PULL_REQUESTS_NOT_REVIEWED)).toHaveLength(2);
    expect(JSON.parse((await state.pullNotReviewedNotices())!)).toEqual({ notices: [] });
  });

  it('says merged or closed of a pull request no longer open when the sweep listed every open one of its repository', async () => {
    const state = await stores.one();
    const sweep = (pulls: DueNotReviewed[], now: Date) =>
      announceNotReviewed({ state, reviews, due: pulls, unlistedRepos: new Set(), listed: new Map([['octo/shop', { heads: new Map([[1, 'h1'], [2, 'h2']]), whole: true }]]), now });
    await sweep(due('1@h1', '2@h2', '3@h3'), hour(0));
    await sweep([], hour(1));
    const over = (await state.outbox.rows({ channel: CHANNEL })).filter((r) => r.kind === PULL_REQUESTS_NOT_REVIEWED).at(-1)!.data as PullRequestsNotReviewed;
    expect(over.over?.outcomes.map((o) => `#${o.number} ${o.outcome}`)).toEqual(['#1 no-card', '#2 no-card', '#3 closed']);
  });
});
