/**
 * What the tests of the "not reviewed" message (pr-review-not-reviewed-*.test.ts) build it from and
 * read it back as: pull requests due for it, and what each message posted to a channel last says.
 */
import type { OutboxRow } from '../../src/store/outbox/types.js';
import type { DueNotReviewed } from '../../src/watch/pr-review/not-reviewed-notice.js';
import { PULL_REQUESTS_NOT_REVIEWED, type PullRequestsNotReviewed } from '../../src/watch/messages.js';

/** The channel's message for these pull requests of octo/shop (number@head), GitHub answering 503 for each. */
export function dueNotReviewed(channel: string, ...pulls: `${number}@${string}`[]): DueNotReviewed[] {
  const named = pulls.map((p) => {
    const [number, headSha] = p.split('@') as [string, string];
    return { repo: 'octo/shop', number: Number(number), title: `Bump #${number}`, url: `https://github.com/octo/shop/pull/${number}`, headSha };
  });
  return [{ channel, notice: { causes: [{ cause: 'GitHub could not compare them', reasons: ['GitHub answered 503'], pulls: named }] } }];
}

/** The "not reviewed" messages posted to the channel, each with what its last row (post or edit) says. */
export function lastWordOfEachNotReviewed(rows: readonly OutboxRow[]): { key: string; pulls: string[]; over: boolean }[] {
  const messages = rows.filter((r) => r.kind === PULL_REQUESTS_NOT_REVIEWED);
  return messages
    .filter((r) => r.op === 'post')
    .map((post) => {
      const data = messages.filter((r) => r.messageKey === post.messageKey).at(-1)!.data as PullRequestsNotReviewed;
      return { key: post.messageKey, pulls: data.causes.flatMap((c) => c.pulls.map((p) => `${p.number}@${p.headSha}`)), over: data.over !== undefined };
    });
}
