/**
 * The pull-request reviews' word on repositories whose open pull requests could not be listed at all
 * (listPullRequests' errors): without it, such a repository's pull requests are never reviewed again
 * and its cards of older heads keep standing, while the channel reads silence as "nothing to review".
 *
 * One notice per channel watching any of them (PULL_REQUESTS_NOT_LISTED), posted once and edited
 * when what it says changes (another repository, or a failure that became lasting) and when every
 * repository it named can be listed again (or is no longer watched there). A repository is said
 * - at once when GitHub's answer is lasting (401, 403, 404, a repository it cannot find or may not
 *   read the pull requests of): asking again will not mend it, someone has to grant access or unwatch;
 * - only once it failed at two consecutive sweeps otherwise (no answer, 5xx, timeouts, rate limits):
 *   one failed sweep between good ones is not worth a message.
 * What the last sweep could not list, and each channel's standing notice, are kept in the watch
 * state (either store) as this module's JSON text: the store never reads it.
 *
 * Every replica that starts a sweep runs this after it, so two may decide at once from the same
 * text. The messages and the new text are written together, and only over the text they were
 * decided from (changePullListingProblems): the replica that comes second writes nothing, rather
 * than post a second notice or reopen one the first has just ended (whose "listed again" edit
 * would then never come: its idempotency key is spent). It does not decide again from the new
 * text either: the first spoke for the same moment, and counting its record as a sweep before
 * would say a passing failure after one sweep. The next sweep says what still holds.
 */
import type { WatchStateStore } from '../../store/watch-state/types.js';
import { PULL_REQUESTS_NOT_LISTED, type PullRequestsNotListed } from '../messages.js';
import { decideNotices, parseKept, readStanding, type StandingNotice } from './channel-notices.js';

/** One repository the sweep could not list the pull requests of. */
export interface ListingFailure {
  repo: string;
  reason: string;
  lasting: boolean;
}

/** The text kept from sweep to sweep. */
interface Kept {
  /** The last sweep's failures, each with since when every sweep failed on it. */
  failing: { repo: string; reason: string; lasting: boolean; since: string }[];
  /** Each channel's notice going on (channel-notices.ts): its message key and what it says (`said`, meaning). */
  notices: StandingNotice<PullRequestsNotListed>[];
}

/** A notice is keyed by its channel and when it began there (noticeKey). */
const KEY_PREFIX = 'pr-not-listed';

/** A reason is GitHub's own line (at most this long in the message and the store). */
const REASON_MAX = 300;

/**
 * Says (or edits, or ends) each channel's notice for this sweep's failures. `watchers`: every watched
 * repository with the channels watching it. Returns the messages written, for the log.
 */
export async function announceUnlistedPullRequests(state: WatchStateStore, watchers: ReadonlyMap<string, readonly string[]>, failures: readonly ListingFailure[], now: Date): Promise<number> {
  const read = await state.pullListingProblems();
  const kept = readKept(read);
  if (failures.length === 0 && kept.failing.length === 0 && kept.notices.length === 0) return 0;
  const at = now.toISOString();
  const before = new Map(kept.failing.map((f) => [f.repo, f]));
  const failing = failures.map((f) => ({ repo: f.repo, reason: f.reason.slice(0, REASON_MAX), lasting: f.lasting, since: before.get(f.repo)?.since ?? at }));
  // Lasting at once; otherwise only when the sweep before failed on it too.
  const due = failing.filter((f) => f.lasting || before.has(f.repo));

  const dueIn = new Map<string, PullRequestsNotListed['repos']>();
  for (const f of due) {
    for (const channel of watchers.get(f.repo) ?? []) {
      let repos = dueIn.get(channel);
      if (repos === undefined) dueIn.set(channel, (repos = []));
      repos.push(f);
    }
  }
  for (const repos of dueIn.values()) repos.sort((a, b) => (a.repo < b.repo ? -1 : a.repo > b.repo ? 1 : 0));
  const { messages, notices } = await decideNotices<PullRequestsNotListed>({
    kind: PULL_REQUESTS_NOT_LISTED,
    keyPrefix: KEY_PREFIX,
    endedAs: 'recovered',
    standing: kept.notices,
    due: new Map([...dueIn].map(([channel, repos]) => [channel, { repos, recoveredAt: null }])),
    meaning,
    // Over: the notice names what it said last, and says it is over.
    end: (open) => {
      const watched = new Set([...watchers].filter(([, channels]) => channels.includes(open.channel)).map(([repo]) => repo));
      const unwatched = open.notice.repos.map((r) => r.repo).filter((repo) => !watched.has(repo));
      return { repos: open.notice.repos, recoveredAt: at, ...(unwatched.length ? { unwatched } : {}) };
    },
    at,
  });
  // Written with what they say, in one transaction: null when another replica recorded first. When
  // they cannot be written, the notices stay as they were and only the failures move on.
  try {
    return (await state.changePullListingProblems(read, JSON.stringify({ failing, notices } satisfies Kept), messages, now)) ?? 0;
  } catch (err) {
    await state.changePullListingProblems(read, JSON.stringify({ failing, notices: kept.notices } satisfies Kept), [], now).catch(() => null);
    throw err;
  }
}

/** What a notice says, without what changes from one sweep to the next of one failure (GitHub's words, request ids). */
function meaning(notice: PullRequestsNotListed): string {
  return notice.repos.map((r) => `${r.repo}:${r.lasting ? 'lasting' : 'failing'}`).join('\n');
}

/** The kept text, or nothing kept when it cannot be read (hand-edited, another version): every failure starts over. */
function readKept(text: string | null): Kept {
  const parsed = parseKept(text);
  const notices = readStanding(parsed?.notices, isNotListedNotice);
  if (!parsed || !Array.isArray(parsed.failing) || notices === null) return { failing: [], notices: [] };
  return { failing: parsed.failing.filter((f): f is Kept['failing'][number] => typeof f?.repo === 'string' && typeof f.since === 'string'), notices };
}

const isNotListedNotice = (notice: unknown): notice is PullRequestsNotListed => typeof notice === 'object' && notice !== null && Array.isArray((notice as { repos?: unknown }).repos);
