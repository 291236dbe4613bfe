/**
 * The message naming many pull requests of a channel not reviewed for one cause (an outage:
 * PULL_REQUESTS_NOT_REVIEWED, decided by sweep-part.ts) is one per channel while the outage lasts:
 * posted once, edited when the pull requests it names change, and edited once no sweep names any
 * there, to say what became of each: reviewed after all (its own card), still not reviewed (failing
 * alone: its own "not reviewed" card), merged or closed, or no card. Without that edit the channel
 * keeps a "not reviewed" message about pull requests reviewed long since.
 *
 * The same course as the listing notice (listing-notice.ts): each channel's standing message is
 * kept in the watch state (either store) as this module's JSON text, so the sweep after the outage
 * edits it on any replica, after any restart; the store never reads it. A message whose pull
 * requests' repository could not be listed this sweep is left standing: nothing is known of them.
 *
 * Every replica that starts a sweep runs this after it, so two may decide at once from the same
 * text. As with the listing notice, the messages and the new text are written together, and only
 * over the text they were decided from (changePullNotReviewedNotices): the replica that comes
 * second writes nothing, rather than post a second message to the channel (its own key, of its own
 * time) or edit back one the first has just said was over (whose "over" edit would then never come:
 * its idempotency key is spent). It does not decide again: the first spoke for the same moment, and
 * the next sweep says what still holds.
 */
import type { OutboundMessage } from '../../store/outbox/types.js';
import type { PullReviewState } from '../../store/pull-review-state/types.js';
import type { WatchStateStore } from '../../store/watch-state/types.js';
import { PULL_REQUESTS_NOT_REVIEWED, type NotReviewedOutcome, type PullRequestsNotReviewed } from '../messages.js';

/** A channel's message this sweep would post. */
export interface DueNotReviewed {
  channel: string;
  notice: PullRequestsNotReviewed;
}

/** The text kept from sweep to sweep: each channel's standing message, its key and what it says (`said`). */
interface Kept {
  notices: { channel: string; key: string; said: string; notice: PullRequestsNotReviewed }[];
}

/**
 * Each outage's message is its own: keyed by the channel and when the outage began there, never by
 * the pull requests it names. A later outage over the same pull requests at the same heads is
 * another message, whose post the outbox would drop as a repeat of the first (a used idempotency
 * key), leaving it unsaid while its end edited the first one.
 */
const notReviewedKey = (channel: string, since: string) => `pr-review-not-reviewed:${channel}:${since}`;

/**
 * Posts, edits or ends each channel's message for this sweep: `due`, the messages this sweep would
 * post; `unlistedRepos`, repositories whose pull requests could not be listed this sweep. Returns
 * the messages written.
 */
export async function announceNotReviewed(input: {
  state: WatchStateStore;
  reviews: Pick<PullReviewState, 'reviewsOf'>;
  due: readonly DueNotReviewed[];
  unlistedRepos: ReadonlySet<string>;
  now: Date;
}): Promise<number> {
  const { state, now } = input;
  const read = await state.pullNotReviewedNotices();
  const kept = readKept(read);
  if (input.due.length === 0 && kept.notices.length === 0) return 0;
  const at = now.toISOString();
  const dueIn = new Map(input.due.map((d) => [d.channel, d]));
  const standing = new Map(kept.notices.map((n) => [n.channel, n]));
  const messages: OutboundMessage[] = [];
  const notices: Kept['notices'] = [];
  for (const channel of new Set([...standing.keys(), ...dueIn.keys()])) {
    const open = standing.get(channel);
    const due = dueIn.get(channel);
    if (due) {
      const said = meaning(due.notice);
      if (!open) {
        const key = notReviewedKey(channel, at);
        messages.push({ kind: PULL_REQUESTS_NOT_REVIEWED, data: due.notice, channel, op: 'post', messageKey: key, idempotencyKey: key });
        notices.push({ channel, key, said, notice: due.notice });
      } else if (open.said !== said) {
        messages.push({ kind: PULL_REQUESTS_NOT_REVIEWED, data: due.notice, channel, op: 'update', messageKey: open.key, idempotencyKey: `${open.key}:changed@${at}` });
        notices.push({ channel, key: open.key, said, notice: due.notice });
      } else notices.push(open); // the same pull requests at the same heads: nothing new to say
      continue;
    }
    if (!open) continue;
    const pulls = open.notice.causes.flatMap((c) => c.pulls);
    // Their repository not listed this sweep: whether they were reviewed is not known yet.
    if (pulls.some((p) => input.unlistedRepos.has(p.repo))) {
      notices.push(open);
      continue;
    }
    const over: PullRequestsNotReviewed = { ...open.notice, over: { at, outcomes: await outcomesIn(input.reviews, channel, pulls) } };
    messages.push({ kind: PULL_REQUESTS_NOT_REVIEWED, data: over, channel, op: 'update', messageKey: open.key, idempotencyKey: `${open.key}:over` });
  }
  // Written with what they say, in one transaction: null when another replica recorded first.
  // When they cannot be written, nothing is, and the messages stay as they were.
  return (await state.changePullNotReviewedNotices(read, JSON.stringify({ notices } satisfies Kept), messages, now)) ?? 0;
}

/** What became of each pull request the message named, from the channel's review cards now. */
async function outcomesIn(reviews: Pick<PullReviewState, 'reviewsOf'>, channel: string, pulls: readonly { repo: string; number: number }[]): Promise<NonNullable<PullRequestsNotReviewed['over']>['outcomes']> {
  const rows = new Map((await reviews.reviewsOf(pulls.map((p) => ({ repo: p.repo, number: p.number })))).filter((r) => r.channel === channel).map((r) => [`${r.repo}#${r.number}`, r]));
  return pulls.map((p) => {
    const row = rows.get(`${p.repo}#${p.number}`);
    let outcome: NotReviewedOutcome = 'no-card';
    if (row && row.state !== 'open') outcome = 'closed';
    else if (row) outcome = notReviewedCard(row.reviewJson) ? 'not-reviewed' : 'reviewed';
    return { repo: p.repo, number: p.number, outcome };
  });
}

/** Whether a card's review (its row's `{ ref, review }`) says "not reviewed"; one that cannot be read is not taken for a review made. */
function notReviewedCard(reviewJson: string): boolean {
  try {
    const card = JSON.parse(reviewJson) as { review?: { notReviewed?: unknown } | null } | null;
    const review = card?.review;
    return typeof review !== 'object' || review === null || review.notReviewed !== undefined;
  } catch {
    return true;
  }
}

/** What a message says: the pull requests it names, at their heads (GitHub's words aside, which change from one sweep to the next). */
function meaning(notice: PullRequestsNotReviewed): string {
  return notice.causes
    .flatMap((c) => c.pulls.map((p) => `${c.cause}\t${p.repo}#${p.number}@${p.headSha}`))
    .sort()
    .join('\n');
}

/** The kept text, or nothing kept when it cannot be read (hand-edited, another version): a message then stands as it is. */
function readKept(text: string | null): Kept {
  const empty: Kept = { notices: [] };
  if (text === null) return empty;
  try {
    const parsed = JSON.parse(text) as Partial<Kept> | null;
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.notices)) return empty;
    return { notices: parsed.notices.filter((n) => typeof n?.channel === 'string' && typeof n.key === 'string' && typeof n.said === 'string' && Array.isArray(n.notice?.causes)) };
  } catch {
    return empty;
  }
}
