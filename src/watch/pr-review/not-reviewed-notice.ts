/**
 * The message naming many pull requests of a channel not reviewed for one cause (an outage:
 * PULL_REQUESTS_NOT_REVIEWED, decided by sweep-part.ts) is one per channel while the outage lasts:
 * posted once, edited when the pull requests it names change, and edited once no sweep names any
 * there, to say what became of each: reviewed after all (its own card), still not reviewed (failing
 * alone: its own "not reviewed" card), merged or closed, or no card. Without that edit the channel
 * keeps a "not reviewed" message about pull requests reviewed long since.
 *
 * The same course as the listing notice (listing-notice.ts), shared with it (channel-notices.ts):
 * each channel's standing message is kept in the watch state (either store) as this module's JSON
 * text, so the sweep after the outage edits it on any replica, after any restart; the store never
 * reads it. A message whose pull requests' repository could not be listed this sweep is left
 * standing: nothing is known of them.
 *
 * Once over, the message is followed while any pull request it names is still not reviewed at the
 * head named, or not known yet (`settling`, kept beside the standing ones): each later sweep that
 * learns what became of one edits the message again (an update of the same message: chat.update of
 * its ts), until each is reviewed, closed, pushed to or has no card, or FOLLOW_ENDED_MS after its
 * end (a pull request left open and failing for days is its own card's to say). Without it, "still
 * not reviewed" and "not known yet" stood for pull requests reviewed the next hour.
 *
 * Every replica that starts a sweep runs this after it, so two may decide at once from the same
 * text. As with the listing notice, the messages and the new text are written together, and only
 * over the text they were decided from (changePullNotReviewedNotices): the replica that comes
 * second writes nothing, rather than post a second message to the channel (its own key, of its own
 * time) or edit back one the first has just said was over (whose "over" edit would then never come:
 * its idempotency key is spent). It does not decide again: the first spoke for the same moment, and
 * the next sweep says what still holds; but the pull requests only its own sweep saw failing are
 * added to the message the first left standing (announceNotReviewed), not left unsaid for a sweep.
 */
import type { PullReviewState } from '../../store/pull-review-state/types.js';
import type { WatchStateStore } from '../../store/watch-state/types.js';
import { PULL_REQUESTS_NOT_REVIEWED, type NotReviewedOutcome, type PullRequestsNotReviewed } from '../messages.js';
import { decideNotices, parseKept, readStanding, type StandingNotice } from './channel-notices.js';

/** A channel's message this sweep would post. */
export interface DueNotReviewed {
  channel: string;
  notice: PullRequestsNotReviewed;
}

/** An ended message still followed: its key, channel and what it last said (with `over`). */
interface SettlingNotice {
  channel: string;
  key: string;
  notice: PullRequestsNotReviewed & { over: NonNullable<PullRequestsNotReviewed['over']> };
}

/** The text kept from sweep to sweep: each channel's standing message (channel-notices.ts), and the ended ones still followed. */
interface Kept {
  notices: StandingNotice<PullRequestsNotReviewed>[];
  settling?: SettlingNotice[];
}

/** How long an ended message is followed for what became of its pull requests. */
const FOLLOW_ENDED_MS = 7 * 24 * 3_600_000;

/** What a later sweep may still change: one not known yet, or still not reviewed at the head named. */
const UNSETTLED: ReadonlySet<NotReviewedOutcome> = new Set(['unknown', 'not-reviewed']);

/**
 * What this sweep listed of a repository whose pull requests it could list: each open pull
 * request's head (by number), and whether those are all of them (`whole`: else only the most
 * recently updated ones were listed, and the rest were not reached).
 */
export interface ListedPulls {
  heads: ReadonlyMap<number, string>;
  whole: boolean;
}

/** Each outage's message is its own: keyed by when it began in the channel (noticeKey), never by the pull requests it names. */
const KEY_PREFIX = 'pr-review-not-reviewed';

interface AnnounceInput {
  state: WatchStateStore;
  reviews: Pick<PullReviewState, 'reviewsOf'>;
  due: readonly DueNotReviewed[];
  unlistedRepos: ReadonlySet<string>;
  /** What the sweep listed, by repository: an outcome is said only of what is known at the head the message named. */
  listed: ReadonlyMap<string, ListedPulls>;
  now: Date;
}

/**
 * Posts, edits or ends each channel's message for this sweep: `due`, the messages this sweep would
 * post; `unlistedRepos`, repositories whose pull requests could not be listed this sweep; `listed`,
 * what it listed of the others. Returns the messages written.
 *
 * A replica that comes second (another wrote over the state it read) does not decide again, but
 * neither does it leave unsaid what only its own sweep saw failing: it adds those pull requests to
 * the message the first one left standing in the channel, once, from the state as it is now (none
 * that has a card of the head named since). It never posts, reopens or ends a message then: the
 * first spoke for the moment, and the next sweep says what still holds.
 */
export async function announceNotReviewed(input: AnnounceInput): Promise<number> {
  return (await decideOnce(input, false)) ?? (await decideOnce(input, true)) ?? 0;
}

/** One decision from the state as read now, written only over that state (null: another replica wrote first). `joining`: the second try (announceNotReviewed). */
async function decideOnce(input: AnnounceInput, joining: boolean): Promise<number | null> {
  const { state, now } = input;
  const read = await state.pullNotReviewedNotices();
  const kept = readKept(read);
  if (input.due.length === 0 && kept.notices.length === 0 && (kept.settling ?? []).length === 0) return 0;
  if (joining && (input.due.length === 0 || kept.notices.length === 0)) return 0;
  const at = now.toISOString();
  const ended: SettlingNotice[] = [];
  const { messages, notices } = await decideNotices({
    kind: PULL_REQUESTS_NOT_REVIEWED,
    keyPrefix: KEY_PREFIX,
    endedAs: 'over',
    standing: kept.notices,
    due: joining ? await joined(input, kept.notices) : new Map(input.due.map((d) => [d.channel, d.notice])),
    meaning,
    end: async (open) => {
      const pulls = open.notice.causes.flatMap((c) => c.pulls);
      // Their repository not listed this sweep: whether they were reviewed is not known yet.
      if (pulls.some((p) => input.unlistedRepos.has(p.repo))) return null;
      const last = { ...open.notice, over: { at, outcomes: await outcomesIn(input.reviews, input.listed, open.channel, pulls) } };
      if (last.over.outcomes.some((o) => UNSETTLED.has(o.outcome))) ended.push({ channel: open.channel, key: open.key, notice: last });
      return last;
    },
    at,
  });
  const settling = [...ended];
  for (const followed of kept.settling ?? []) {
    // Joining, what the first decided of them stands.
    const next = joining ? { edit: null, follow: followed } : await settle(followed, input, now);
    if (next.edit) messages.push({ kind: PULL_REQUESTS_NOT_REVIEWED, data: next.edit.notice, channel: followed.channel, op: 'update', messageKey: followed.key, idempotencyKey: `${followed.key}:settled@${at}` });
    if (next.follow) settling.push(next.follow);
  }
  // Written with what they say, in one transaction: null when another replica recorded first.
  // When they cannot be written, nothing is, and the messages stay as they were.
  if (joining && messages.length === 0) return 0;
  const text = JSON.stringify({ notices, ...(settling.length ? { settling } : {}) } satisfies Kept);
  return state.changePullNotReviewedNotices(read, text, messages, now);
}

/**
 * Each standing message as the second replica would have it: with the pull requests its own sweep
 * saw failing that the message does not name yet (under their cause), but none that has a card of
 * the head named in the channel by now. Every standing message is due (left as it is when nothing
 * is added): a second try ends none.
 */
async function joined(input: AnnounceInput, standing: readonly StandingNotice<PullRequestsNotReviewed>[]): Promise<Map<string, PullRequestsNotReviewed>> {
  const own = new Map(input.due.map((d) => [d.channel, d.notice]));
  const asked = [...own.values()].flatMap((n) => n.causes.flatMap((c) => c.pulls.map((p) => ({ repo: p.repo, number: p.number }))));
  const rows = asked.length ? await input.reviews.reviewsOf(asked) : [];
  const carded = new Set(rows.flatMap((r) => {
    const card = shownOn(r.reviewJson);
    return card.head !== null && !card.notReviewed ? [`${r.channel}\t${r.repo}#${r.number}@${card.head}`] : [];
  }));
  const due = new Map<string, PullRequestsNotReviewed>();
  for (const open of standing) {
    const named = new Set(open.notice.causes.flatMap((c) => c.pulls.map((p) => `${p.repo}#${p.number}`)));
    const causes = open.notice.causes.map((c) => ({ ...c, pulls: [...c.pulls] }));
    for (const cause of own.get(open.channel)?.causes ?? []) {
      const adding = cause.pulls.filter((p) => !named.has(`${p.repo}#${p.number}`) && !carded.has(`${open.channel}\t${p.repo}#${p.number}@${p.headSha}`));
      if (adding.length === 0) continue;
      for (const p of adding) named.add(`${p.repo}#${p.number}`);
      const same = causes.find((c) => c.cause === cause.cause);
      if (same) same.pulls.push(...adding);
      else causes.push({ ...cause, pulls: adding });
    }
    due.set(open.channel, { ...open.notice, causes });
  }
  return due;
}

/**
 * An ended message this sweep may say more of: what became since of each pull request it named as
 * not known yet or still not reviewed (one whose repository this sweep could not list keeps what
 * it said). `edit`: the message again, when any changed; `follow`: it still has one to follow, and
 * is not past FOLLOW_ENDED_MS.
 */
async function settle(
  followed: SettlingNotice,
  input: { reviews: Pick<PullReviewState, 'reviewsOf'>; unlistedRepos: ReadonlySet<string>; listed: ReadonlyMap<string, ListedPulls> },
  now: Date,
): Promise<{ edit: SettlingNotice | null; follow: SettlingNotice | null }> {
  if (now.getTime() - Date.parse(followed.notice.over.at) >= FOLLOW_ENDED_MS) return { edit: null, follow: null };
  const { outcomes } = followed.notice.over;
  const open = outcomes.filter((o) => UNSETTLED.has(o.outcome) && !input.unlistedRepos.has(o.repo));
  const heads = new Map(followed.notice.causes.flatMap((c) => c.pulls.map((p) => [`${p.repo}#${p.number}`, p.headSha] as const)));
  const asked = open.flatMap((o) => {
    const headSha = heads.get(`${o.repo}#${o.number}`);
    return headSha === undefined ? [] : [{ repo: o.repo, number: o.number, headSha }];
  });
  const learnt = new Map((asked.length ? await outcomesIn(input.reviews, input.listed, followed.channel, asked) : []).map((o) => [`${o.repo}#${o.number}`, o.outcome]));
  const changed = outcomes.some((o) => (learnt.get(`${o.repo}#${o.number}`) ?? o.outcome) !== o.outcome);
  const next: SettlingNotice = changed
    ? { ...followed, notice: { ...followed.notice, over: { ...followed.notice.over, outcomes: outcomes.map((o) => ({ ...o, outcome: learnt.get(`${o.repo}#${o.number}`) ?? o.outcome })) } } }
    : followed;
  return { edit: changed ? next : null, follow: next.notice.over.outcomes.some((o) => UNSETTLED.has(o.outcome)) ? next : null };
}

/**
 * What became of each pull request the message named, at the head it named: a card tells only of
 * its own head (one of an older head says nothing of the head named; a newer one, that the head
 * named was pushed over unreviewed), and one the sweep did not reach (past the most recently
 * updated ones listed, or its repository no longer watched) is not known yet, whatever an older
 * card of it says.
 */
async function outcomesIn(reviews: Pick<PullReviewState, 'reviewsOf'>, listed: ReadonlyMap<string, ListedPulls>, channel: string, pulls: readonly { repo: string; number: number; headSha: string }[]): Promise<NonNullable<PullRequestsNotReviewed['over']>['outcomes']> {
  const rows = new Map((await reviews.reviewsOf(pulls.map((p) => ({ repo: p.repo, number: p.number })))).filter((r) => r.channel === channel).map((r) => [`${r.repo}#${r.number}`, r]));
  const outcomeOf = (p: (typeof pulls)[number]): NotReviewedOutcome => {
    const row = rows.get(`${p.repo}#${p.number}`);
    if (row && row.state !== 'open') return 'closed';
    const card = row ? shownOn(row.reviewJson) : null;
    if (card?.head === p.headSha) return card.notReviewed ? 'not-reviewed' : 'reviewed';
    const listing = listed.get(p.repo);
    const head = listing?.heads.get(p.number);
    // Not among the open ones listed: closed when every open one was listed, else not reached.
    if (head === undefined) return listing?.whole ? 'closed' : 'unknown';
    if (head !== p.headSha) return 'moved';
    // At the head named, with no card of it: a card of another head says nothing of this one.
    return row ? 'unknown' : 'no-card';
  };
  return pulls.map((p) => ({ repo: p.repo, number: p.number, outcome: outcomeOf(p) }));
}

/**
 * What a card shows (its row's `{ ref, review }`): the head it is of (a "not reviewed" card's row
 * keeps no head, so the card's own is read) and whether it says "not reviewed". One that cannot be
 * read is of no head, and not taken for a review made.
 */
function shownOn(reviewJson: string): { head: string | null; notReviewed: boolean } {
  try {
    const card = JSON.parse(reviewJson) as { ref?: { headSha?: unknown } | null; review?: { notReviewed?: unknown } | null } | null;
    const head = typeof card?.ref?.headSha === 'string' ? card.ref.headSha : null;
    const review = card?.review;
    return { head, notReviewed: typeof review !== 'object' || review === null || review.notReviewed !== undefined };
  } catch {
    return { head: null, notReviewed: true };
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
  const kept = parseKept(text);
  const settling = Array.isArray(kept?.settling) ? kept.settling.filter(isSettling) : [];
  return { notices: readStanding(kept?.notices, isNotReviewedNotice) ?? [], settling };
}

const isSettling = (n: unknown): n is SettlingNotice => {
  if (typeof n !== 'object' || n === null) return false;
  const { channel, key, notice } = n as Partial<SettlingNotice>;
  return typeof channel === 'string' && typeof key === 'string' && isNotReviewedNotice(notice) && typeof notice.over?.at === 'string' && Array.isArray(notice.over.outcomes);
};

const isNotReviewedNotice = (notice: unknown): notice is PullRequestsNotReviewed => typeof notice === 'object' && notice !== null && Array.isArray((notice as { causes?: unknown }).causes);
