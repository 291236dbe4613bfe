/**
 * The message naming pull requests not reviewed for one cause (an outage), decided by two replicas
 * sharing one store (two pools on one real PostgreSQL; two connections to one SQLite file): each
 * replica runs the pull-request part after the sweep it started, so two may decide at once from the
 * same kept state. The channel still gets one such message per outage, and the message it has
 * always gets its "over" edit: a replica that read the state before another one changed it writes
 * nothing, as with the notice of pull requests not listed (pr-review-not-listed-replicas.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { WatchStateStore } from '../../src/store/watch-state/types.js';
import { pausedAfterRead, storesPerTest, type Dialect } from './two-replicas.js';
import { dueNotReviewed, lastWordOfEachNotReviewed } from './not-reviewed-helpers.js';
import { announceNotReviewed, type DueNotReviewed } from '../../src/watch/pr-review/not-reviewed-notice.js';
import { PULL_REQUESTS_NOT_REVIEWED } from '../../src/watch/messages.js';

const CHANNEL = 'C0NOTREVIEWED1';
const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
/** No pull request has a card of its own in the channel: each one named is "no card" once it is over. */
const reviews = { reviewsOf: async () => [] };


const due = (...pulls: `${number}@${string}`[]) => dueNotReviewed(CHANNEL, ...pulls);
const lastWordOfEachMessage = lastWordOfEachNotReviewed;
const sweep = (state: WatchStateStore, pulls: DueNotReviewed[], now: Date) => announceNotReviewed({ state, reviews, due: pulls, unlistedRepos: new Set(), listed: new Map(), now });


describe.each<Dialect>(['sqlite', 'postgres'])('the "not reviewed" message with two replicas on %s', (dialect) => {
  const open = storesPerTest(dialect).two;

  it('posts one message when a replica decides from what it read before the other one posted', async () => {
    const [a, b] = await open();
    // b listed a moment before a, when #3 was not open yet: the two name other pull requests.
    const late = pausedAfterRead(b, 'pullNotReviewedNotices');
    const second = sweep(late.store, due('1@h1', '2@h2'), at(40));
    await late.read;
    await sweep(a, due('1@h1', '2@h2', '3@h3'), at(30));
    late.go();
    expect(await second).toBe(0);
    expect(lastWordOfEachMessage(await a.outbox.rows({ channel: CHANNEL }))).toEqual([{ key: expect.any(String), pulls: ['1@h1', '2@h2', '3@h3'], over: false }]);

    // GitHub answers again, both replicas at once: the one message says it is over, once.
    await Promise.all([sweep(a, [], at(3_600_000)), sweep(b, [], at(3_600_010))]);
    const rows = (await b.outbox.rows({ channel: CHANNEL })).filter((r) => r.kind === PULL_REQUESTS_NOT_REVIEWED);
    expect(rows.map((r) => r.op)).toEqual(['post', 'update']);
    expect(lastWordOfEachMessage(rows)).toEqual([{ key: rows[0]!.messageKey, pulls: ['1@h1', '2@h2', '3@h3'], over: true }]);
  });

  it('adds to the one message the pull requests only the replica that came second saw failing, rather than leave them unsaid for a sweep', async () => {
    const [a, b] = await open();
    // b listed a moment after a: #4, #5 and #6 were opened between, and failed in b's sweep; #6 has
    // been reviewed at that head since (by a's sweep), so it is not named.
    const reviewedSix = { repo: 'octo/shop', number: 6, channel: CHANNEL, ts: '1.0', headOid: 'h6', state: 'open' as const, reviewJson: JSON.stringify({ ref: { repo: 'octo/shop', number: 6, headSha: 'h6' }, review: { verdict: 'ok' } }) };
    const late = pausedAfterRead(b, 'pullNotReviewedNotices');
    const second = announceNotReviewed({ state: late.store, reviews: { reviewsOf: async () => [reviewedSix] }, due: due('2@h2', '3@h3', '4@h4', '5@h5', '6@h6'), unlistedRepos: new Set(), listed: new Map(), now: at(40) });
    await late.read;
    await sweep(a, due('1@h1', '2@h2', '3@h3'), at(30));
    late.go();
    expect(await second).toBe(1);
    const rows = (await a.outbox.rows({ channel: CHANNEL })).filter((r) => r.kind === PULL_REQUESTS_NOT_REVIEWED);
    expect(rows.map((r) => r.op)).toEqual(['post', 'update']);
    expect(lastWordOfEachMessage(rows)).toEqual([{ key: rows[0]!.messageKey, pulls: ['1@h1', '2@h2', '3@h3', '4@h4', '5@h5'], over: false }]);
  });

  it('never undoes the "over" edit another replica has just written, so the end of every outage is said', async () => {
    const [a, b] = await open();
    await sweep(a, due('1@h1', '2@h2', '3@h3'), at(0));
    // b read the message standing; a then reviews them all and ends it; b goes on with what its own
    // sweep found a moment earlier (#4 failing too), which would edit the ended message back.
    const late = pausedAfterRead(b, 'pullNotReviewedNotices');
    const stale = sweep(late.store, due('1@h1', '2@h2', '3@h3', '4@h4'), at(3_600_000));
    await late.read;
    await sweep(a, [], at(3_600_010));
    late.go();
    expect(await stale).toBe(0);
    expect(lastWordOfEachMessage(await a.outbox.rows({ channel: CHANNEL }))).toEqual([{ key: expect.any(String), pulls: ['1@h1', '2@h2', '3@h3'], over: true }]);

    // What b saw, if it lasts, is said by the next sweep, and its end too.
    await sweep(b, due('1@h1', '2@h2', '3@h3', '4@h4'), at(7_200_000));
    await sweep(a, [], at(10_800_000));
    expect(lastWordOfEachMessage(await b.outbox.rows({ channel: CHANNEL }))).toEqual([
      { key: expect.any(String), pulls: ['1@h1', '2@h2', '3@h3'], over: true },
      { key: expect.any(String), pulls: ['1@h1', '2@h2', '3@h3', '4@h4'], over: true },
    ]);
  });
});
