/**
 * The pull-request part of a sweep: for every watched repository, its open pull requests that change
 * a manifest or lockfile get one review message per watching channel (diff.ts + review.ts, laid out
 * by src/slack/blocks/pr-review.ts), updated in place when the head moves, and marked once merged or
 * closed. Each card, update and mark is written to the Slack outbox with the review's state, in one
 * transaction; the delivery loop posts it and keeps the message ts. Cheap by design, within one GitHub budget:
 *   - one GraphQL query per PULLS_BATCH repositories lists open pull requests with head, base and
 *     the first page of changed paths, and the state of those still tracked (listPullRequests);
 *   - only pull requests whose head moved since their review and whose changed paths include a
 *     manifest or a file one may include (any file outside the folders discovery skips: pip reads
 *     an include of any name), or are not all listed yet, cost more, once per head: the rest of their changed paths, one query per
 *     page (listRemainingFiles; a head found to change no manifest is remembered by the process,
 *     `unchanged`, so it is not paged through again), where they branched off (one compare request each: the head is compared
 *     with that merge base, not with the base branch's tip, which may have moved on since), then
 *     their files there and at the head, TEXTS_BATCH per query (readTexts);
 *   - a pull request that changes a dependency file its base's `.depwatch.yml` excludes, or a file
 *     named like no manifest that one may include (`ci/base.txt`, `deps/base.pip`, any name outside
 *     the folders discovery skips) and its changed manifests do not include at both commits, costs, once per base commit and
 *     sweep, what telling whether the project's manifests include it takes (includes.ts: one tree
 *     listing, then the manifests that can include, not already read);
 *   - what the reviewed files include and the pull request does not change (`-r ci/base.txt`),
 *     read so that each side is what it installs: one query per level of includes for all pull
 *     requests at once, none when nothing is included from outside the changed files. A changed
 *     file named like no manifest is read the same way, through what includes it on each side
 *     (never as a root of its own), so dropping its include reads as removing what it installed;
 *   - cards (PyPI, GitHub, OSV) come from the shared card sources, cached for an hour.
 * A repository whose open pull requests cannot be listed at all is said in the channels watching it
 * (listing-notice.ts: at once when GitHub's answer is lasting, a 403 say, after two sweeps
 * otherwise), once while it lasts, and the notice is edited when it is over.
 * One repository or pull request failing is logged and never stops the others; one that may change
 * a manifest (one listed, or files GitHub did not list) or has a card already gets a card "not
 * reviewed: why" at its head (sayNotReviewed), which its review replaces at a later sweep; many
 * failing at once for one cause (an outage) are named in one message per channel instead
 * (sayAllNotReviewed). A head
 * listed in full that changes no file read as dependencies turns a card of another head (or "not
 * reviewed") into "nothing to review" (sayNothingToReview); a changed `.in` file nothing reads as
 * requirements is named on the card in the audit's notice. A file that could
 * not be read on either side is left out of the diff (never read as added or removed) and named in
 * the review's errors, so the review says it is partial. When a later read may mend it (a failed
 * batch, no answer, 5xx, rate limit) its head is not recorded as reviewed, and the next sweep reads
 * it again; when none can (the file is cut short or binary at that commit) the partial review is
 * the head's review, redone only when the head moves.
 * Each head is reviewed by review-heads.ts (as `depwatch review` reviews one); this part decides
 * which heads are due and what the channels and the pull request are told of each.
 */
import type { Octokit } from 'octokit';
import { errorLine } from '../../error-line.js';
import { redactSecrets } from '../../redact.js';
import { plural } from '../../plural.js';
import { listPullRequests, type OpenPullRequest } from '../../github/pull-requests.js';
import type { Logger } from '../../log.js';
import type { CardSources } from '../../packages/card.js';
import { isManifestPath } from '../../python/discover.js';
import type { OutboundMessage } from '../../store/outbox/types.js';
import type { PullReviewRow, PullReviewState } from '../../store/pull-review-state/types.js';
import { upsertReviewComment } from '../../github/review-comment.js';
import { pullRequestReviewMarkdown } from '../../report/pr-review.js';
import type { WatchStateStore } from '../../store/watch-state/types.js';
import { announceUnlistedPullRequests, type ListingFailure } from './listing-notice.js';
import { announceNotReviewed, type DueNotReviewed, type ListedPulls } from './not-reviewed-notice.js';
import { mayBeIncluded } from './includes.js';
import type { ManifestReads } from '../../workers/jobs/manifest-reads.js';
import { listCutShort, nothingAtHead, reviewHeads, type NotReviewedCause } from './review-heads.js';
import { notReviewed, waitsForData, type DependencyReview } from './review.js';
import type { SubmoduleChange } from './submodules.js';
import { PULL_REQUEST_REVIEW, type PullRequestRef, type PullRequestReviewCard, type PullRequestsNotReviewed } from '../messages.js';

export interface PullRequestReviewOptions {
  /** The reviews posted and the outbox their cards go through (PostgreSQL with DATABASE_URL: shared by replicas). */
  reviews: PullReviewState;
  /** Which repositories are watched, and by which channels (either store). */
  state: WatchStateStore;
  octokit: Octokit;
  cards: () => Promise<CardSources>;
  now: () => Date;
  logger?: Logger;
  /** DEPWATCH_PR_COMMENTS: also keep the review as one comment on the pull request (needs Pull requests: write). */
  comments?: boolean;
  /**
   * Kept by the caller from sweep to sweep: pull requests (`owner/repo#n`) whose head (oid) was
   * found to change nothing to review: no manifest once listed in full, only excluded ones, or only
   * files named like no manifest that nothing at the base includes. Such a head is not paged through
   * or asked about again. Without it, every sweep does that again.
   */
  unchanged?: Map<string, string>;
  /** Where the changed files, what they include and the settings file are parsed (the bot: worker threads, AuditRunner.reads); default: this thread. */
  reads?: ManifestReads;
}

export interface PullRequestReviewResult {
  /** GraphQL requests made to GitHub by this part (cards' requests are the card sources'). */
  githubRequests: number;
  reviewed: string[];
  closed: string[];
  errors: string[];
  /** What was left out by design (open pull requests beyond those listed), for the log. */
  notes: string[];
}

/** Watched default branches, with the channels watching each (branch watches have no pull requests of their own here). */
async function watchedRepos(state: WatchStateStore): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const w of await state.allWatches()) {
    if (w.repo.includes('@')) continue;
    out.set(w.repo, [...(out.get(w.repo) ?? []), w.channel]);
  }
  return out;
}

export async function reviewPullRequests(options: PullRequestReviewOptions): Promise<PullRequestReviewResult> {
  const repos = await watchedRepos(options.state);
  const result: PullRequestReviewResult = { githubRequests: 0, reviewed: [], closed: [], errors: [], notes: [] };
  const unlisted: ListingFailure[] = [];
  const notReviewedThisSweep: NotReviewedPull[] = [];
  const listed = new Map<string, ListedPulls>();
  if (repos.size > 0) await reviewEach(options, repos, result, notReviewedThisSweep, unlisted, listed);
  // Also with nothing watched any more: a message naming pull requests not reviewed is ended.
  await sayAllNotReviewed(options, repos, notReviewedThisSweep, new Set(unlisted.map((u) => u.repo)), listed, result);
  // Also with nothing watched any more: a notice still standing is ended.
  await sayUnlisted(options, repos, unlisted, result);
  return result;
}

/**
 * Fail closed: a repository whose pull requests cannot be listed is said in the channels watching
 * it (listing-notice.ts), not only logged; otherwise none of its pull requests is ever reviewed
 * again, and nobody is told.
 */
async function sayUnlisted(options: PullRequestReviewOptions, repos: ReadonlyMap<string, string[]>, unlisted: readonly ListingFailure[], result: PullRequestReviewResult): Promise<void> {
  try {
    const written = await announceUnlistedPullRequests(options.state, repos, unlisted, options.now());
    if (written > 0) result.notes.push(`${plural(written, 'message')} about pull requests that could not be listed`);
  } catch (err) {
    options.logger?.warn({ err }, 'could not say which repositories\' pull requests could not be listed');
    result.errors.push(`the notice of repositories whose pull requests could not be listed could not be written (${errorLine(err)})`);
  }
}

/**
 * The sweep's pull requests, each reviewed, settled, closed out, or left in `notReviewedThisSweep`
 * (said by the caller); `listed` gets what was listed of each repository (heads, and whether all of them).
 */
async function reviewEach(
  options: PullRequestReviewOptions,
  repos: ReadonlyMap<string, string[]>,
  result: PullRequestReviewResult,
  notReviewedThisSweep: NotReviewedPull[],
  reposNotListed: ListingFailure[],
  listed: Map<string, ListedPulls>,
): Promise<PullRequestReviewResult> {
  const { reviews } = options;
  const refs = [...repos.keys()].map((key) => {
    const [owner = '', repo = ''] = key.split('/');
    return { owner, repo };
  });
  const tracked = await reviews.openNumbers();
  const listing = await listPullRequests(options.octokit, refs, tracked);
  result.githubRequests += listing.requests;
  for (const [repo, message] of listing.errors) {
    result.errors.push(`${repo}: ${message}`);
    reposNotListed.push({ repo, reason: message, lasting: listing.lasting.has(repo) });
  }

  // Which pull requests were merged or closed since, and which need a (new) review: a manifest
  // changed, and the head moved since. The reviews of both are read in one query; each keeps its
  // own, so closing or publishing one reads none again.
  const closing: { repo: string; number: number; state: 'merged' | 'closed' }[] = [];
  const candidates: { repo: string; pull: OpenPullRequest; paths: string[] }[] = [];
  // Pull requests whose changed files GitHub did not list: each gets a card saying so at its head.
  const unlisted: { repo: string; pull: OpenPullRequest }[] = [];
  // Pull requests with a card whose changed files, all listed, include nothing to review: the card
  // of an older head (or "not reviewed") is brought up to date.
  const quiet: { repo: string; pull: OpenPullRequest }[] = [];
  for (const [repo, { open, closed, openNotListed }] of listing.byRepo) {
    const carded = new Set(tracked.get(repo) ?? []);
    listed.set(repo, { heads: new Map(open.map((p) => [p.number, p.headOid])), whole: openNotListed === 0 });
    for (const c of closed) closing.push({ repo, number: c.number, state: c.state });
    if (openNotListed > 0) result.notes.push(`${repo}: ${open.length + openNotListed} open pull requests; only the ${open.length} most recently updated were reviewed`);
    for (const pull of open) {
      if (listCutShort(repo, pull, result.errors)) {
        unlisted.push({ repo, pull });
        continue;
      }
      const paths = pull.paths.filter(isManifestPath);
      // Files GitHub does not list may be manifests: such a pull request is reviewed, as partial.
      // One that changes a file a manifest may include (`ci/base.txt`) is asked about at its base.
      if (paths.length > 0 || pull.paths.some(mayBeIncluded) || pull.filesNotListed > 0 || pull.moreFiles) candidates.push({ repo, pull, paths });
      else if (carded.has(pull.number)) quiet.push({ repo, pull });
    }
  }
  const stored = new Map<string, PullReviewRow>();
  const asked = [...closing, ...[...candidates, ...unlisted, ...quiet].map(({ repo, pull }) => ({ repo, number: pull.number }))];
  for (const row of await reviews.reviewsOf(asked)) stored.set(reviewKey(row.repo, row.number, row.channel), row);
  const knownOf = (repo: string, number: number) => {
    const known = new Map<string, PullReviewRow>();
    for (const channel of repos.get(repo) ?? []) {
      const review = stored.get(reviewKey(repo, number, channel));
      if (review) known.set(channel, review);
    }
    return known;
  };
  /**
   * Fail closed: a pull request that could not be reviewed this time gets a card saying so, when it
   * may change dependencies (`changesDependencies`: a manifest among its listed files, or files GitHub
   * did not list, which may be manifests) or has a card already (which describes an older head). One
   * known to change only code, as far as it was listed in full, is left to the next sweep, said in
   * the log only.
   */
  const unreviewed = (repo: string, pull: OpenPullRequest, known: ReadonlyMap<string, PullReviewRow>, reason: string, changesDependencies: boolean, cause: NotReviewedCause): void => {
    if (!changesDependencies && known.size === 0) return;
    const ref: PullRequestRef = { repo, number: pull.number, title: pull.title, url: pull.url, headSha: pull.headOid, state: 'open' };
    // Said once the sweep has gone through every pull request: many failing for one cause are one message (sayAllNotReviewed).
    notReviewedThisSweep.push({ ref, known, reason: redactSecrets(reason).slice(0, 300), cause });
  };
  /**
   * A head, listed in full, found to change no file read as dependencies: the cards that describe
   * another head or say "not reviewed" are brought up to date ("nothing to review"), so neither an
   * older verdict nor "not reviewed" stands for it; `post`: every channel gets the card, one with
   * none too (it has notes to give: a `.in` file not read as requirements). False when a card could
   * not be written: the head is then not remembered as done, and the next sweep tries again.
   */
  const settle = async (repo: string, pull: OpenPullRequest, known: ReadonlyMap<string, PullReviewRow>, notes: readonly string[] = [], post = false, submodules: readonly SubmoduleChange[] = []): Promise<boolean> => {
    if (!post && ![...known.values()].some((row) => row.headOid !== pull.headOid)) return true;
    const ref: PullRequestRef = { repo, number: pull.number, title: pull.title, url: pull.url, headSha: pull.headOid, state: 'open' };
    try {
      // No dependency file changed, but a submodule moved: the card says it, as caution.
      const review = nothingAtHead(notes, submodules);
      await sayNothingToReview(options, reviews, ref, review, repos.get(repo) ?? [], known, post);
      await followComment(options, reviews, ref, review);
      return true;
    } catch (err) {
      options.logger?.warn({ repo, pull: pull.number, err }, 'could not say a pull request has nothing to review');
      result.errors.push(`${repo}#${pull.number}: its "nothing to review" card could not be written (${errorLine(err)})`);
      return false;
    }
  };
  for (const c of closing) {
    const open = [...stored.values()].filter((r) => r.repo === c.repo && r.number === c.number && r.state === 'open');
    await closeOut(options, reviews, open, c, result);
  }
  // Nothing listed says nothing about dependencies either way: it may change some, so every such
  // pull request gets a card saying so (once while that lasts), which its review replaces.
  for (const { repo, pull } of unlisted) unreviewed(repo, pull, knownOf(repo, pull.number), `${pull.filesListError ?? 'its changed files were not listed'}; whether it changes dependency files is not known`, true, 'unlisted');
  for (const { repo, pull } of quiet) await settle(repo, pull, knownOf(repo, pull.number));
  const unchanged = options.unchanged;
  if (unchanged) {
    // Forget pull requests no longer listed as open (merged, closed, or their repository unwatched).
    const listed = new Set([...listing.byRepo].flatMap(([repo, { open }]) => open.map((p) => `${repo}#${p.number}`)));
    for (const key of unchanged.keys()) if (!listed.has(key) && !listing.errors.has(key.slice(0, key.lastIndexOf('#')))) unchanged.delete(key);
  }
  // The heads to review: those whose cards are not all of this head, but a head found before to
  // change nothing to review (`unchanged`), whose cards are brought up to date all the same.
  const due: { repo: string; pull: OpenPullRequest; paths: string[]; known: Map<string, PullReviewRow> }[] = [];
  for (const { repo, pull, paths } of candidates) {
    const channels = repos.get(repo) ?? [];
    const known = knownOf(repo, pull.number);
    if (channels.every((channel) => known.get(channel)?.headOid === pull.headOid)) continue;
    // A head found to change no dependency file (or only excluded ones) is not read again; a card
    // left of another head, or "not reviewed" at this one (its files not listed at a sweep since),
    // is brought up to date all the same.
    if (unchanged?.get(`${repo}#${pull.number}`) === pull.headOid) {
      await settle(repo, pull, known);
      continue;
    }
    due.push({ repo, pull, paths, known });
  }
  await reviewHeads({ octokit: options.octokit, cards: options.cards, ...(options.reads ? { reads: options.reads } : {}) }, result, due, {
    // A head found to change nothing to review is remembered, so later sweeps do not read it again.
    nothing: async ({ repo, pull, known }, notes, post, submodules) => {
      if (await settle(repo, pull, known, notes, post, submodules)) unchanged?.set(`${repo}#${pull.number}`, pull.headOid);
    },
    notReviewed: ({ repo, pull, known }, reason, changesDependencies, cause) => unreviewed(repo, pull, known, reason, changesDependencies, cause),
    failed: ({ repo, pull, known }, err, changesDependencies) => unreviewed(repo, pull, known, reviewFailed(options, result, repo, pull.number, err), changesDependencies, 'failed'),
    reviewed: async ({ repo, pull, known }, review, final) => {
      const [owner = '', name = ''] = repo.split('/');
      let ref: PullRequestRef = { repo, number: pull.number, title: pull.title, url: pull.url, headSha: pull.headOid, state: 'open' };
      if (options.comments) ref = { ...ref, comment: await comment(options, reviews, owner, name, pull.number, pullRequestReviewMarkdown(ref, review)) };
      // Only what another read may mend leaves the head to be reviewed again (a file not read, package
      // data not there yet); a file cut short or binary at these commits stays so, and the partial
      // review stands until the head moves.
      const waitingSince = waitsForData(review) ? (dataWaitSince(known, pull.headOid) ?? options.now().toISOString()) : null;
      const retry = waitingSince !== null && options.now().getTime() - Date.parse(waitingSince) < DATA_RETRY_MS;
      await publish(options, reviews, ref, review, repos.get(repo) ?? [], known, final && !retry, waitingSince);
      result.reviewed.push(`${repo}#${pull.number}`);
    },
  });
  return result;
}

/** How a message naming many pull requests says each cause. */
const CAUSE_LINE: Record<NotReviewedCause, string> = {
  unlisted: 'GitHub did not list their changed files',
  uncompared: 'GitHub could not say where they branched off',
  includes: 'whether a manifest includes the files they change could not be told',
  failed: 'their review failed',
};

/** A pull request that could not be reviewed at its head this sweep, said once the sweep has gone through them all. */
interface NotReviewedPull {
  ref: PullRequestRef;
  known: ReadonlyMap<string, PullReviewRow>;
  reason: string;
  cause: NotReviewedCause;
}

/**
 * From this many pull requests of one channel that would each get a new "not reviewed" card for the
 * same cause in one sweep, the channel gets one message naming them all instead: that many failing
 * at once is GitHub failing (an outage, a rate limit), not those pull requests, and a card each
 * would flood the channel for one outage. Fewer get a card each, as one failing alone does.
 */
const NOT_REVIEWED_SUMMARY_FROM = 3;

/**
 * Says the pull requests not reviewed this sweep, failing closed either way: a channel that already
 * has a pull request's card has it turned into "not reviewed" at its head (an edit, which floods
 * nothing, and no older verdict stands); a channel with none gets a card of its own, unless
 * NOT_REVIEWED_SUMMARY_FROM or more failed there for the same cause: those are named in one message
 * (PULL_REQUESTS_NOT_REVIEWED). No row is kept for them, so the next sweep tries each again and its
 * review, once made, is posted as its own card; the message is edited once no sweep names any of them
 * in the channel (not-reviewed-notice.ts), so no "not reviewed" stands for pull requests reviewed since.
 */
async function sayAllNotReviewed(
  options: PullRequestReviewOptions,
  repos: ReadonlyMap<string, string[]>,
  pulls: readonly NotReviewedPull[],
  unlistedRepos: ReadonlySet<string>,
  listed: ReadonlyMap<string, ListedPulls>,
  result: PullRequestReviewResult,
): Promise<void> {
  const newIn = new Map<string, Map<NotReviewedCause, NotReviewedPull[]>>();
  for (const pull of pulls) {
    for (const channel of repos.get(pull.ref.repo) ?? []) {
      if (pull.known.has(channel)) continue;
      let byCause = newIn.get(channel);
      if (byCause === undefined) newIn.set(channel, (byCause = new Map()));
      let same = byCause.get(pull.cause);
      if (same === undefined) byCause.set(pull.cause, (same = []));
      same.push(pull); // not a copy per pull request: an outage over thousands stays linear
    }
  }
  const summarised = new Set<string>();
  const summaries: DueNotReviewed[] = [];
  for (const [channel, byCause] of newIn) {
    const causes = [...byCause].filter(([, many]) => many.length >= NOT_REVIEWED_SUMMARY_FROM);
    if (causes.length === 0) continue;
    for (const [, many] of causes) for (const p of many) summarised.add(reviewKey(p.ref.repo, p.ref.number, channel));
    const data: PullRequestsNotReviewed = {
      causes: causes.map(([cause, many]) => ({
        cause: CAUSE_LINE[cause],
        reasons: [...new Set(many.map((p) => p.reason))].slice(0, 3),
        pulls: many.map(({ ref }) => ({ repo: ref.repo, number: ref.number, title: ref.title, url: ref.url, headSha: ref.headSha })),
      })),
    };
    summaries.push({ channel, notice: data });
  }
  for (const { ref, known, reason } of pulls) {
    try {
      const channels = (repos.get(ref.repo) ?? []).filter((channel) => !summarised.has(reviewKey(ref.repo, ref.number, channel)));
      await sayNotReviewed(options, options.reviews, ref, reason, channels, known);
      await followComment(options, options.reviews, ref, notReviewed(reason));
    } catch (err) {
      // Never stops the other pull requests; the next sweep tries again.
      options.logger?.warn({ repo: ref.repo, pull: ref.number, err }, 'could not say a pull request was not reviewed');
      result.errors.push(`${ref.repo}#${ref.number}: its "not reviewed" card could not be written (${errorLine(err)})`);
    }
  }
  // Posted once per channel while it lasts, edited when what it names changes, and once it is over
  // (each reviewed after all, or failing alone on its own card): also when nothing failed this sweep.
  try {
    await announceNotReviewed({ state: options.state, reviews: options.reviews, due: summaries, unlistedRepos, listed, now: options.now() });
    if (summaries.length > 0) result.notes.push(`${summarised.size} "not reviewed" cards said in ${plural(summaries.length, 'message')} naming them instead`);
  } catch (err) {
    options.logger?.warn({ err }, 'could not say which pull requests were not reviewed');
    result.errors.push(`${summaries.length > 0 ? `the message naming ${summarised.size} pull requests not reviewed` : 'the edit of a message naming pull requests not reviewed'} could not be written (${errorLine(err)})`);
  }
}

/** Logs a review that failed and says it in the result; returns why, for the card. */
function reviewFailed(options: PullRequestReviewOptions, result: PullRequestReviewResult, repo: string, number: number, err: unknown): string {
  options.logger?.warn({ repo, pull: number, err }, 'pull request review failed');
  const why = `the dependency review failed (${errorLine(err)})`;
  result.errors.push(`${repo}#${number}: ${why}`);
  return why;
}

/** A stored review's place among those read for the sweep: one per pull request and channel. */
const reviewKey = (repo: string, number: number, channel: string) => `${channel}:${repo}#${number}`;

/** Writes (or leaves alone) the review comment; what the Slack card says about it. */
async function comment(options: PullRequestReviewOptions, reviews: PullReviewState, owner: string, repo: string, number: number, body: string): Promise<{ url: string } | { problem: string }> {
  const key = `${owner}/${repo}`;
  const outcome = await upsertReviewComment(options.octokit, { owner, repo, number }, body, await reviews.comment(key, number));
  if (!outcome.ok) {
    options.logger?.warn({ repo: key, pull: number, problem: outcome.problem }, 'pull request review comment not written');
    return { problem: outcome.problem };
  }
  await reviews.saveComment(key, number, { id: outcome.id, url: outcome.url, body: outcome.body }, options.now());
  return { url: outcome.url };
}

/**
 * Keeps a review comment already on the pull request true of its head when the head is not
 * reviewed ("not reviewed", "nothing to review"): an older head's verdict must not stand on GitHub
 * either. No comment is created for them (the Slack card says it), but for a head that moves a git
 * submodule: a caution, said where the pull request is reviewed as a review's is. One that cannot be
 * written is logged, as a review's is, and the next change of the head writes it again.
 */
async function followComment(options: PullRequestReviewOptions, reviews: PullReviewState, ref: PullRequestRef, review: DependencyReview): Promise<void> {
  if (!options.comments) return;
  if (!review.submodules?.length && (await reviews.comment(ref.repo, ref.number)) === null) return;
  const [owner = '', name = ''] = ref.repo.split('/');
  await comment(options, reviews, owner, name, ref.number, pullRequestReviewMarkdown(ref, review));
}

/** The review card of a pull request in a channel: one Slack message, posted once and then updated. */
const cardKey = (repo: string, number: number, channel: string) => `pr-review:${channel}:${repo}#${number}`;

/**
 * A post of the card when the channel has none yet, else an update of it (named by what it shows:
 * the head reviewed, or the final state). A "not reviewed" update is one per head and reason: a
 * failure that lasts several sweeps adds nothing after the first, one whose reason changes
 * (`reasonChanged`) is a new update, and the review that follows is a new update.
 */
function cardMessage(channel: string, card: PullRequestReviewCard, known: boolean, now: Date, reasonChanged = false): OutboundMessage {
  const key = cardKey(card.ref.repo, card.ref.number, channel);
  const shows = card.review.notReviewed === undefined ? `${card.ref.state}@${now.toISOString()}` : reasonChanged ? `not-reviewed@${now.toISOString()}` : 'not-reviewed';
  return known
    ? { kind: PULL_REQUEST_REVIEW, data: card, channel, op: 'update', messageKey: key, idempotencyKey: `${key}@${card.ref.headSha}:${shows}` }
    : { kind: PULL_REQUEST_REVIEW, data: card, channel, op: 'post', messageKey: key, idempotencyKey: key };
}

/**
 * The card of a pull request that could not be reviewed at its head this time: "not reviewed: why",
 * partial (notReviewed). Its row keeps no head, so the next sweep tries again and its review replaces
 * the card. A channel whose card is already of this head (its review, partial and waiting for another
 * read, or this same card) is left as it is: nothing is written again while the failure lasts.
 */
async function sayNotReviewed(
  options: PullRequestReviewOptions,
  reviews: PullReviewState,
  ref: PullRequestRef,
  reason: string,
  channels: readonly string[],
  known: ReadonlyMap<string, PullReviewRow>,
): Promise<void> {
  const now = options.now();
  const review = notReviewed(reason);
  for (const channel of channels) {
    const before = known.get(channel);
    const shown = before ? (JSON.parse(before.reviewJson) as { ref: PullRequestRef; review: DependencyReview }) : null;
    const sameHead = shown?.ref.headSha === ref.headSha;
    // The same card, or a review of this head: left as it is. A "not reviewed" card of this head
    // whose reason changed says the new one.
    if (sameHead && (shown?.review.notReviewed === undefined || shown.review.notReviewed === reason)) continue;
    const ts = before?.ts ?? '';
    const card = cardMessage(channel, { ref, review, ...(ts ? { ts } : {}) }, before !== undefined, now, sameHead);
    await reviews.save({ repo: ref.repo, number: ref.number, channel, ts, headOid: '', state: ref.state, reviewJson: JSON.stringify({ ref, review }) }, [card], now);
  }
}

/**
 * The card of a head found to change no file read as dependencies, listed in full (`review`:
 * nothingToReview), in each channel whose card is not this head's review (a card of an older head, or
 * "not reviewed"), and with `post` in a channel with no card too. Its row keeps the head: the head is
 * done, and its card is not written again while the head stays.
 */
async function sayNothingToReview(
  options: PullRequestReviewOptions,
  reviews: PullReviewState,
  ref: PullRequestRef,
  review: DependencyReview,
  channels: readonly string[],
  known: ReadonlyMap<string, PullReviewRow>,
  post: boolean,
): Promise<void> {
  const due = channels.filter((channel) => {
    const before = known.get(channel);
    return before ? before.headOid !== ref.headSha : post;
  });
  await publish(options, reviews, ref, review, due, known, true);
}

/**
 * How long a head whose review waits for package data (review.ts waitsForData) is reviewed again at
 * each sweep: an outage of PyPI or OSV is mended within it; a source that never answers for one
 * package (a requirement PyPI does not have) would otherwise cost a compare and the reads at every
 * sweep for as long as the pull request is open. After it the partial review stands, as one whose
 * file is cut short does, until the head moves.
 */
export const DATA_RETRY_MS = 6 * 3_600_000;

/** Since when the reviews of this head have waited for package data, as the channels' rows keep it (the earliest); undefined when none does. */
function dataWaitSince(known: ReadonlyMap<string, PullReviewRow>, head: string): string | undefined {
  let since: string | undefined;
  for (const row of known.values()) {
    try {
      const shown = JSON.parse(row.reviewJson) as { ref?: { headSha?: unknown }; dataWaitSince?: unknown };
      if (shown.ref?.headSha === head && typeof shown.dataWaitSince === 'string' && (since === undefined || shown.dataWaitSince < since)) since = shown.dataWaitSince;
    } catch {
      // A row that cannot be read says nothing of when: this review starts the wait.
    }
  }
  return since;
}

/**
 * Posts or updates the card in each channel; `known`: the channels' reviews as read before the review
 * was made. `final`: every file and all package data was read, or none that was not can be read
 * later (the review then says it is partial), or the data was waited for long enough
 * (DATA_RETRY_MS from `waitingSince`, kept on the row); otherwise the row keeps no head (''), so
 * the next sweep finds the head not yet reviewed and tries again. A card that would say just what
 * it says (tried again while the data stays away) is not edited again.
 */
async function publish(
  options: PullRequestReviewOptions,
  reviews: PullReviewState,
  ref: PullRequestRef,
  review: DependencyReview,
  channels: readonly string[],
  known: ReadonlyMap<string, PullReviewRow>,
  final: boolean,
  waitingSince: string | null = null,
): Promise<void> {
  const now = options.now();
  for (const channel of channels) {
    const before = known.get(channel);
    // ts: only reviews posted before the outbox have one here; newer ones are found by message key.
    const ts = before?.ts ?? '';
    const reviewJson = JSON.stringify({ ref, review, ...(waitingSince !== null ? { dataWaitSince: waitingSince } : {}) });
    const headOid = final ? ref.headSha : '';
    const same = before?.reviewJson === reviewJson;
    if (same && before?.headOid === headOid) continue;
    const card = cardMessage(channel, { ref, review, ...(ts ? { ts } : {}) }, before !== undefined, now);
    await reviews.save({ repo: ref.repo, number: ref.number, channel, ts, headOid, state: ref.state, reviewJson }, same ? [] : [card], now);
  }
}

/** Marks every channel's review of a pull request that was merged or closed (its open ones, `open`), once. */
async function closeOut(
  options: PullRequestReviewOptions,
  reviews: PullReviewState,
  open: readonly PullReviewRow[],
  { repo, number, state }: { repo: string; number: number; state: 'merged' | 'closed' },
  result: PullRequestReviewResult,
): Promise<void> {
  for (const row of open) {
    const { ref, review } = JSON.parse(row.reviewJson) as { ref: PullRequestRef; review: DependencyReview };
    const closedRef = { ...ref, state };
    const now = options.now();
    const card = cardMessage(row.channel, { ref: closedRef, review, ...(row.ts ? { ts: row.ts } : {}) }, true, now);
    await reviews.save({ ...row, state, reviewJson: JSON.stringify({ ref: closedRef, review }) }, [card], now);
  }
  result.closed.push(`${repo}#${number}`);
}
