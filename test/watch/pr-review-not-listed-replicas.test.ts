/**
 * The notice of pull requests that could not be listed, decided by two replicas sharing one store
 * (two pools on one real PostgreSQL; two connections to one SQLite file): each replica runs the
 * pull-request part after the sweep it started, so two may decide at once from the same kept state.
 * The channel still gets one notice per run of failures, and the notice it has always gets its
 * "listed again" edit: a replica that read the state before another one changed it writes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { OutboxRow } from '../../src/store/outbox/types.js';
import { pausedAfterRead, storesPerTest, type Dialect } from './two-replicas.js';
import { announceUnlistedPullRequests, type ListingFailure } from '../../src/watch/pr-review/listing-notice.js';
import { PULL_REQUESTS_NOT_LISTED, type PullRequestsNotListed } from '../../src/watch/messages.js';

const CHANNEL = 'C0NOTLISTED1';
const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const watchers = new Map([
  ['octo/shop', [CHANNEL]],
  ['octo/mill', [CHANNEL]],
]);
const forbidden = (repo: string): ListingFailure => ({ repo, reason: 'Resource not accessible by integration', lasting: true });

/** The notices posted to the channel, each with what its last row (post or edit) says. */
function lastWordOfEachNotice(rows: readonly OutboxRow[]): { key: string; repos: string[]; recovered: boolean }[] {
  const notices = rows.filter((r) => r.kind === PULL_REQUESTS_NOT_LISTED);
  return notices
    .filter((r) => r.op === 'post')
    .map((post) => {
      const last = notices.filter((r) => r.messageKey === post.messageKey).at(-1)!;
      const data = last.data as PullRequestsNotListed;
      return { key: post.messageKey, repos: data.repos.map((r) => r.repo), recovered: data.recoveredAt !== null };
    });
}

describe.each<Dialect>(['sqlite', 'postgres'])('the not-listed notice with two replicas on %s', (dialect) => {
  const open = storesPerTest(dialect).two;

  it('posts one notice when a replica decides from what it read before the other one posted', async () => {
    const [a, b] = await open();
    const late = pausedAfterRead(b, 'pullListingProblems');
    const second = announceUnlistedPullRequests(late.store, watchers, [forbidden('octo/shop')], at(40));
    await late.read;
    await announceUnlistedPullRequests(a, watchers, [forbidden('octo/shop')], at(30));
    late.go();
    await second;
    expect(lastWordOfEachNotice(await a.outbox.rows({ channel: CHANNEL }))).toEqual([{ key: expect.any(String), repos: ['octo/shop'], recovered: false }]);

    // Listed again, both replicas at once: the one notice says so, once.
    await Promise.all([announceUnlistedPullRequests(a, watchers, [], at(3_600_000)), announceUnlistedPullRequests(b, watchers, [], at(3_600_010))]);
    const rows = (await b.outbox.rows({ channel: CHANNEL })).filter((r) => r.kind === PULL_REQUESTS_NOT_LISTED);
    expect(rows.map((r) => r.op)).toEqual(['post', 'update']);
    expect(lastWordOfEachNotice(rows)).toEqual([{ key: rows[0]!.messageKey, repos: ['octo/shop'], recovered: true }]);
  });

  it('never reopens a notice another replica has just ended, so the end of every failure is said', async () => {
    const [a, b] = await open();
    await announceUnlistedPullRequests(a, watchers, [forbidden('octo/shop')], at(0));
    // b read the notice standing; a then finds octo/shop listed again and ends it; b goes on with
    // what its own listing found a moment earlier (octo/mill refused too).
    const late = pausedAfterRead(b, 'pullListingProblems');
    const stale = announceUnlistedPullRequests(late.store, watchers, [forbidden('octo/shop'), forbidden('octo/mill')], at(3_600_000));
    await late.read;
    await announceUnlistedPullRequests(a, watchers, [], at(3_600_010));
    late.go();
    const writtenByStale = await stale;
    expect(lastWordOfEachNotice(await a.outbox.rows({ channel: CHANNEL }))).toEqual([{ key: expect.any(String), repos: ['octo/shop'], recovered: true }]);
    expect(writtenByStale).toBe(0);

    // What b saw, if it lasts, is said by the next sweep, and its end too.
    await announceUnlistedPullRequests(b, watchers, [forbidden('octo/shop'), forbidden('octo/mill')], at(7_200_000));
    await announceUnlistedPullRequests(a, watchers, [], at(10_800_000));
    expect(lastWordOfEachNotice(await b.outbox.rows({ channel: CHANNEL }))).toEqual([
      { key: expect.any(String), repos: ['octo/shop'], recovered: true },
      { key: expect.any(String), repos: ['octo/mill', 'octo/shop'], recovered: true },
    ]);
  });
});
