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
 */
import type { Octokit } from 'octokit';
import { applyExcludes, CONFIG_FILES, excluder, misnamedSettingsNotes, settingsFolderNotes, settingsTooLarge, unreadSettingsNotes, type Excluder } from '../../audit/exclude.js';
import { errorLine } from '../../error-line.js';
import { redactSecrets } from '../../redact.js';
import { plural } from '../../plural.js';
import { listPullRequests, listRemainingFiles, mergeBase, readTexts, textKey, type FolderEntry, type OpenPullRequest, type TextRequest } from '../../github/pull-requests.js';
import type { Logger } from '../../log.js';
import type { CardSources } from '../../packages/card.js';
import { isCompiledFrom, isManifestPath, isUndecidedInput, pipToolsPairs } from '../../python/discover.js';
import { passedOverInputsNotice } from '../../python/load.js';
import type { OutboundMessage } from '../../store/outbox/types.js';
import type { PullReviewRow, PullReviewState } from '../../store/pull-review-state/types.js';
import { upsertReviewComment } from '../../github/review-comment.js';
import { pullRequestReviewMarkdown } from '../../report/pr-review.js';
import type { WatchStateStore } from '../../store/watch-state/types.js';
import { MAX_INCLUDED_FILES, MAX_INCLUDE_LEVELS } from '../../python/includes.js';
import { announceUnlistedPullRequests, type ListingFailure } from './listing-notice.js';
import { announceNotReviewed, type DueNotReviewed, type ListedPulls } from './not-reviewed-notice.js';
import { includedAt, includingRoots, mayBeIncluded, mayBeRequirements, rootsReaching, type IncludedFiles } from './includes.js';
import { readsHere, type ManifestReads } from '../../workers/jobs/manifest-reads.js';
import { nothingToReview, notReviewed, reviewDependencies, type DependencyReview } from './review.js';
import { GITMODULES, submoduleChanges, withSubmodules, type SubmoduleChange } from './submodules.js';
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
  const reads = options.reads ?? readsHere;
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
      const review = withSubmodules(nothingToReview(NOTHING_TO_REVIEW, notes), submodules);
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
  const due: { repo: string; pull: OpenPullRequest; paths: string[]; known: Map<string, PullReviewRow>; baseOid: string }[] = [];
  for (const candidate of candidates) {
    const { repo, pull } = candidate;
    let { paths } = candidate;
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
    const [owner = '', name = ''] = repo.split('/');
    if (pull.moreFiles) {
      // The rest of the changed files, only now that the pull request is to be reviewed.
      result.githubRequests += await listRemainingFiles(options.octokit, { owner, repo: name }, pull);
      if (listCutShort(repo, pull, result.errors)) {
        // Those not listed may be manifests.
        unreviewed(repo, pull, known, pull.filesListError ?? 'the rest of its changed files were not listed', true, 'unlisted');
        continue;
      }
      paths = pull.paths.filter(isManifestPath);
      if (paths.length === 0 && !pull.paths.some(mayBeIncluded) && pull.filesNotListed === 0) {
        if (await settle(repo, pull, known)) unchanged?.set(`${repo}#${pull.number}`, pull.headOid);
        continue;
      }
    }
    result.githubRequests++;
    const branchedOff = await mergeBase(options.octokit, { owner, repo: name }, pull.baseOid, pull.headOid);
    // Without the merge base the base branch's tip would show its own later changes as the pull
    // request's: left for the next sweep.
    if ('error' in branchedOff) {
      result.errors.push(`${repo}#${pull.number}: ${branchedOff.error}; not reviewed this time`);
      unreviewed(repo, pull, known, branchedOff.error, paths.length > 0 || pull.filesNotListed > 0, 'uncompared');
      continue;
    }
    due.push({ repo, pull, paths, known, baseOid: branchedOff.sha });
  }
  if (due.length === 0) return result;

  // Each text once: pull requests that branched off the same commit share its settings file (and
  // any dependency file they both change), which would otherwise fill batches with repeats.
  const wanted = new Map<string, TextRequest>();
  const want = (request: TextRequest) => wanted.set(textKey(request), request);
  for (const { repo, pull, paths, baseOid } of due) {
    const [owner = '', name = ''] = repo.split('/');
    // The settings where the pull request branched off: what `exclude:` leaves out of its review (see settingsAt).
    for (const path of CONFIG_FILES) want({ owner, repo: name, oid: baseOid, path });
    // And its root folder's names, in the same queries: a file named nearly as the settings file is said (see settingsAt).
    want({ owner, repo: name, oid: baseOid, path: '' });
    for (const path of paths) {
      want({ owner, repo: name, oid: baseOid, path });
      want({ owner, repo: name, oid: pull.headOid, path });
    }
    // The submodules at each side, when it changes a path that may be one (named like no manifest,
    // outside the folders discovery skips; `.gitmodules` itself is such a path): which moved, by
    // `.gitmodules` and by the tree (the folders holding such paths, listed: a gitlink is there).
    if (pull.paths.some(mayBeIncluded)) {
      for (const oid of [baseOid, pull.headOid]) {
        want({ owner, repo: name, oid, path: GITMODULES });
        for (const folder of gitlinkFolders(pull.paths).listed) want({ owner, repo: name, oid, path: folder });
      }
    }
  }
  const { texts, failed, permanent, folders, roots, requests, errors } = await readTexts(options.octokit, [...wanted.values()]);
  result.githubRequests += requests;
  for (const e of errors) result.errors.push(e);

  // Parsed once per commit for this sweep only: the next one reads the settings again.
  const settings = new Map<string, Promise<Settings>>();
  const includes = new Map<string, Promise<IncludedFiles>>();
  const ready: Ready[] = [];
  for (const { repo, pull, paths: changed, known, baseOid } of due) {
    try {
      const [owner = '', name = ''] = repo.split('/');
      const at = `${repo}@${baseOid}`;
      if (!settings.has(at)) settings.set(at, settingsAt({ texts, failed, folders, roots }, { owner, repo: name, oid: baseOid }, reads));
      const { excludedBy, source, unread: settingsUnread, notes: settingsNotes } = await settings.get(at)!;
      // A changed file that a manifest of the project includes is part of what the project
      // installs, as the audit reads it: reviewed, whether `exclude:` keeps its path out or its name
      // is not a manifest's (`-r ci/base.txt`, `-r deps/base.pip`). Included through the files the
      // pull request changes (it may add or drop the include), or at the base.
      let included: (path: string) => boolean = () => false;
      let untold: string | null = null;
      // The changed files reviewed only when a manifest includes them whose inclusion needed the
      // base's other manifests, and those manifests (left alone by the pull request) that lead to
      // them: read as roots on both sides.
      let askedBase: string[] = [];
      let through: string[] = [];
      // Changed halves of a pip-tools pair (dev.in and the dev.txt compiled from it): manifests the
      // audit reads on their own, not through an include, so reviewed as roots on both sides.
      let pairRoots: string[] = [];
      const submodules = submodulesMoved({ owner, repo: name, pull, baseOid }, { texts, failed, roots });
      const excludedChanged = changed.filter((path) => excludedBy(path) !== null);
      const unnamedChanged = pull.paths.filter(mayBeIncluded);
      // Files named like no manifest, and manifests under an excluded path: never roots of their
      // own. A side reads one only when its own (not excluded) manifests reach it, so a pull request
      // that drops or adds the include removes or adds what it installs, whatever it edits in it.
      const onlyIfIncluded = [...unnamedChanged, ...excludedChanged];
      if (onlyIfIncluded.length > 0) {
        const starts = includingRoots(changed, excludedBy);
        const reachedAt = async (oid: string) => {
          const changedTexts = Object.fromEntries(changed.flatMap((path) => {
            const text = texts.get(textKey({ owner, repo: name, oid, path }));
            return typeof text === 'string' ? [[path, text]] : [];
          }));
          const reached = await reads.reachedFrom(changedTexts, starts);
          return new Set([...reached.read, ...reached.missing]);
        };
        const viaHead = await reachedAt(pull.headOid);
        const viaBaseChanges = await reachedAt(baseOid);
        // A file that the changed manifests reach on both sides needs nothing more. One they reach on
        // one side only (the pull request adds or drops the include) or on neither may be installed
        // through the manifests the pull request leaves alone: the base is asked.
        askedBase = onlyIfIncluded.filter((path) => !(viaHead.has(path) && viaBaseChanges.has(path)));
        let viaBase = new Set<string>();
        if (askedBase.length > 0) {
          if (!includes.has(at)) {
            includes.set(at, includedAt(options.octokit, { owner, repo: name, oid: baseOid }, excludedBy, texts, reads.reachedFrom).then((r) => {
              result.githubRequests += r.requests;
              if ('texts' in r) for (const [key, text] of r.texts) texts.set(key, text);
              return r;
            }));
          }
          const reach = await includes.get(at)!;
          if ('unknown' in reach && reach.recoverable) {
            const why = `whether a manifest includes the files it changes could not be told (${reach.unknown})`;
            result.errors.push(`${repo}#${pull.number}: ${why}; not reviewed this time`);
            unreviewed(repo, pull, known, why, changed.some((path) => excludedBy(path) === null), 'includes');
            continue;
          }
          if ('unknown' in reach) untold = reach.unknown;
          else {
            viaBase = reach.included;
            // Their includers are read, never the files themselves as roots: a side reads such a file
            // only when its own manifests reach it, so dropping an include removes what it installed.
            // Sets: a repository may have thousands of roots (pip-tools pairs), a pull request thousands of files.
            const changedPaths = new Set(pull.paths);
            const isRoot = new Set(reach.roots);
            through = rootsReaching(reach, askedBase.filter((path) => viaBase.has(path))).filter((path) => !changedPaths.has(path));
            pairRoots = askedBase.filter((path) => viaBase.has(path) && isRoot.has(path));
          }
        }
        // A pip-tools pair the pull request adds (`dev.in` and the `dev.txt` compiled from it, neither
        // at the base): its `.txt` read at the head tells, as discovery tells from a checkout.
        const isPairRoot = new Set(pairRoots);
        const headPairs = [...pipToolsPairs(pull.paths)].filter(([input, compiled]) => !isPairRoot.has(compiled) && excludedBy(input) === null && excludedBy(compiled) === null);
        if (headPairs.length > 0) {
          await readMore(options, result, headPairs.map(([, compiled]) => ({ owner, repo: name, oid: pull.headOid, path: compiled })), { texts, failed, permanent });
          for (const [input, compiled] of headPairs) {
            const text = texts.get(textKey({ owner, repo: name, oid: pull.headOid, path: compiled }));
            if (typeof text !== 'string' || !isCompiledFrom(text, input)) continue;
            for (const path of [input, compiled]) {
              if (!isPairRoot.has(path)) pairRoots.push(path);
              isPairRoot.add(path);
            }
          }
        }
        included = (path) => viaHead.has(path) || viaBaseChanges.has(path) || viaBase.has(path) || isPairRoot.has(path);
      }
      // An excluded manifest that is included is reviewed, but through its includers (above), never as a root.
      const { counts } = applyExcludes(changed, (path) => (included(path) ? null : excludedBy(path)));
      const paths = [...changed.filter((path) => excludedBy(path) === null), ...pairRoots];
      const excludeNotes = [...counts].map(([rule, n]) => `${plural(n, 'changed dependency file')} under ${rule.path} ${n === 1 ? 'was' : 'were'} not reviewed: excluded by ${source} at the base (${rule.reason})${untold ? `; whether a manifest includes ${n === 1 ? 'it' : 'them'} could not be told (${untold})` : ''}`);
      // Fail closed: a changed file that the base may include, when the base's includes could not be
      // worked out, is said on the card (partial), never passed over as one no manifest includes —
      // unless its extension marks it as no requirements file (`src/app.py`, `README.md`), else
      // every code-only pull request of such a repository would be partial; an excluded manifest is
      // said with its exclude note. One the changed manifests reach on one side only is reviewed,
      // and the line says the other side may install it too.
      const untoldOf = (files: string[]) => `${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}`;
      const isExcludedChanged = new Set(excludedChanged);
      const notReached = untold ? askedBase.filter((path) => !included(path) && !isExcludedChanged.has(path) && mayBeRequirements(path)) : [];
      const oneSided = untold ? askedBase.filter(included) : [];
      const untoldLines = [
        ...(settingsUnread ? [`base: ${settingsUnread}`] : []),
        ...submodules.untold,
        ...(notReached.length > 0 ? [`whether a manifest includes ${untoldOf(notReached)} could not be told (${untold}); not reviewed`] : []),
        ...(oneSided.length > 0 ? [`whether the manifests this pull request leaves alone include ${untoldOf(oneSided)} could not be told (${untold})`] : []),
      ];
      // `.in` files it changes that nothing reads as requirements (no compiled `.txt` beside them
      // says pip-compile wrote it from them, no manifest includes them): said in the audit's one
      // notice, not partial (most are templates), but never passed over unseen, since one may be a
      // pip-tools input compiled only in CI. One the base's includes could not tell is said above.
      const untoldPaths = new Set(notReached);
      const inputsNotice = passedOverInputsNotice(pull.paths.filter((path) => isUndecidedInput(path) && excludedBy(path) === null && !included(path) && !untoldPaths.has(path)));
      const inputNotes = inputsNotice === null ? [] : [inputsNotice];
      if (paths.length === 0 && through.length === 0 && pull.filesNotListed === 0 && untoldLines.length === 0) {
        // Every dependency file it changes is one the project says is not its own (or it changes
        // none, only files no manifest includes): nothing to review. A card is brought up to date,
        // and one is posted to say a `.in` file was not read.
        if (excludeNotes.length > 0) result.notes.push(`${repo}#${pull.number}: ${excludeNotes.join('; ')}; no review`);
        if (await settle(repo, pull, known, [...excludeNotes, ...inputNotes], inputNotes.length > 0 || submodules.changes.length > 0, submodules.changes)) unchanged?.set(`${repo}#${pull.number}`, pull.headOid);
        continue;
      }
      const notes = [...settingsNotes, ...excludeNotes, ...inputNotes];
      ready.push({ repo, owner, name, pull, known, baseOid, paths, through, notes, untold: untoldLines, submodules: submodules.changes, sides: { base: emptySide(), head: emptySide() } });
    } catch (err) {
      unreviewed(repo, pull, known, reviewFailed(options, result, repo, pull.number, err), changed.length > 0, 'failed');
    }
  }
  if (ready.length === 0) return result;

  // The manifests the pull request leaves alone that lead to a changed included file: the same at
  // both commits, read at the base (mostly read already, telling what the base includes), and at
  // the head too when GitHub did not list every changed file (one of them may be among those).
  const throughReads = ready.flatMap((r) => r.through.flatMap((path) => [r.baseOid, ...(r.pull.filesNotListed > 0 ? [r.pull.headOid] : [])].map((oid) => ({ owner: r.owner, repo: r.name, oid, path }))));
  // A changed pip-tools pair file is read as a root at each side's own commit (named like no
  // manifest, it was not read with the changed manifests).
  const pairReads = ready.flatMap((r) => r.paths.filter((path) => !isManifestPath(path)).flatMap((path) => [r.baseOid, r.pull.headOid].map((oid) => ({ owner: r.owner, repo: r.name, oid, path }))));
  await readMore(options, result, [...throughReads, ...pairReads], { texts, failed, permanent });

  // What the reviewed files include and the pull request does not change (`-r ci/base.txt`, a
  // dynamic dependencies file), a level of includes a query for all pull requests at once, so each
  // side of a diff is what it installs. An included file the pull request does not change is the
  // same at both commits: read once, at the base. A changed file named like no manifest is read
  // here too, at each side's own commit, and only on a side whose manifests reach it.
  for (const r of ready) for (const label of SIDES) Object.assign(r.sides[label].roots, rootTexts(r, label, texts, failed, permanent));
  for (let level = 0; ; level++) {
    const asked: { side: SideRead; path: string; key: string; label: 'base' | 'head' }[] = [];
    for (const r of ready) {
      const sameAtBoth = (path: string) => r.pull.filesNotListed === 0 && !r.pull.paths.includes(path);
      for (const label of SIDES) {
        const side = r.sides[label];
        const next = (await reads.includesToRead(side.roots, side.included)).filter((path) => !side.tried.has(path));
        for (const path of next) {
          side.tried.add(path);
          if (level >= MAX_INCLUDE_LEVELS || side.tried.size > MAX_INCLUDED_FILES) side.cut.push(path);
          else asked.push({ side, path, label, key: textKey({ owner: r.owner, repo: r.name, oid: label === 'head' && !sameAtBoth(path) ? r.pull.headOid : r.baseOid, path }) });
        }
      }
    }
    if (asked.length === 0) break;
    await readMore(options, result, asked.map(({ key }) => parseTextKey(key)), { texts, failed, permanent });
    for (const { side, path, key, label } of asked) {
      const text = texts.get(key);
      const why = failed.get(key);
      if (typeof text === 'string') side.included[path] = text;
      else if (why !== undefined) {
        side.unread.push(path);
        side.problems.push({ message: `${label}: ${path} ${why}`, recoverable: !permanent.has(key) });
      }
      // null: not at that commit, which the loader says ("file not found"), as the audit would.
    }
  }

  // A file that could not be read on one side is left out of both (never read as added or removed):
  // a changed included file is read at each side's commit, so one side may have it and not the other.
  for (const { sides } of ready) {
    const unreadAnywhere = new Set(SIDES.flatMap((label) => sides[label].unread));
    for (const label of SIDES) {
      for (const path of unreadAnywhere) {
        delete sides[label].included[path];
        if (!sides[label].unread.includes(path)) sides[label].unread.push(path);
      }
    }
  }

  for (const { repo, owner, name, pull, known, baseOid, paths, notes, untold, submodules, sides } of ready) {
    try {
      const unread = paths.flatMap((path) =>
        SIDES.flatMap((label) => {
          const key = textKey({ owner, repo: name, oid: label === 'base' ? baseOid : pull.headOid, path });
          const why = failed.get(key);
          return why ? [{ path, message: `${label}: ${path} ${why}`, recoverable: !permanent.has(key) }] : [];
        }),
      );
      for (const label of SIDES) for (const p of sides[label].problems) unread.push({ path: '', ...p });
      const diff = await reads.diffDependencies({
        base: sides.base.roots,
        head: sides.head.roots,
        included: Object.fromEntries(SIDES.map((label) => [label, { texts: sides[label].included, unread: [...sides[label].unread, ...sides[label].cut] }])),
      });
      for (const u of unread) diff.errors.push(u.message);
      for (const label of SIDES) {
        const cut = sides[label].cut;
        if (cut.length > 0) diff.errors.push(`${label}: the reviewed files include more files than a review follows (${MAX_INCLUDED_FILES} files, ${MAX_INCLUDE_LEVELS} levels of includes): ${cut.length} more not read (${cut.slice(0, 5).join(', ')}${cut.length > 5 ? ', …' : ''})`);
      }
      for (const e of untold) diff.errors.push(e);
      if (pull.filesNotListed > 0) diff.errors.push(`GitHub did not list ${pull.filesNotListed} of its ${pull.paths.length + pull.filesNotListed} changed files; dependency files among them are not in this review`);
      const reviewed = await reviewDependencies(diff, await options.cards());
      const review: DependencyReview = withSubmodules(notes.length ? { ...reviewed, notes } : reviewed, submodules);
      let ref: PullRequestRef = { repo, number: pull.number, title: pull.title, url: pull.url, headSha: pull.headOid, state: 'open' };
      if (options.comments) ref = { ...ref, comment: await comment(options, reviews, owner, name, pull.number, pullRequestReviewMarkdown(ref, review)) };
      // Only what another read may mend leaves the head to be reviewed again; a file cut short or
      // binary at these commits stays so, and the partial review stands until the head moves.
      await publish(options, reviews, ref, review, repos.get(repo) ?? [], known, !unread.some((u) => u.recoverable));
      result.reviewed.push(`${repo}#${pull.number}`);
    } catch (err) {
      // It was found to have dependencies to review.
      unreviewed(repo, pull, known, reviewFailed(options, result, repo, pull.number, err), true, 'failed');
    }
  }
  return result;
}

const SIDES = ['base', 'head'] as const;

/** One side of a review being read: its reviewed files, what they include, and what could not be read. */
interface SideRead {
  roots: Record<string, string>;
  included: Record<string, string>;
  /** Included paths asked for (each once). */
  tried: Set<string>;
  /** Included files that could not be read (`problems` says why), and those past the bounds (`cut`). */
  unread: string[];
  problems: { message: string; recoverable: boolean }[];
  cut: string[];
}
const emptySide = (): SideRead => ({ roots: {}, included: {}, tried: new Set(), unread: [], problems: [], cut: [] });

/** A pull request whose reviewed files are known, being read before its diff. */
interface Ready {
  repo: string;
  owner: string;
  name: string;
  pull: OpenPullRequest;
  known: Map<string, PullReviewRow>;
  baseOid: string;
  /** The git submodules it moves, adds or removes (submodules.ts): said on the card. */
  submodules: SubmoduleChange[];
  paths: string[];
  /**
   * Manifests the pull request does not change that lead to a changed file named like no manifest
   * (or under an excluded path) it reviews: read as roots on both sides, so each side reads that file
   * only through them (or through the changed manifests), never as a root of its own.
   */
  through: string[];
  notes: string[];
  /** Changed files that may be installed but whose review could not be told (the base's includes not worked out): said on the card, partial. */
  untold: string[];
  sides: Record<'base' | 'head', SideRead>;
}

/**
 * A side's roots: the reviewed files' texts at its commit, and the unchanged manifests that lead to
 * a changed included file (`through`, the same at both commits unless GitHub did not list every
 * changed file), but those that could not be read on either side: left out of both, and a `through`
 * one said as the side's problem (a reviewed file's is said with the others, by the caller).
 */
function rootTexts(r: Ready, label: 'base' | 'head', texts: ReadonlyMap<string, string | null>, failed: ReadonlyMap<string, string>, permanent: ReadonlySet<string>): Record<string, string> {
  const keyAt = (path: string, oid: string) => textKey({ owner: r.owner, repo: r.name, oid, path });
  const oidOf = (side: 'base' | 'head') => (side === 'base' ? r.baseOid : r.pull.headOid);
  const throughOid = (side: 'base' | 'head') => (side === 'head' && r.pull.filesNotListed > 0 ? r.pull.headOid : r.baseOid);
  const out: Record<string, string> = {};
  for (const path of r.paths) {
    if (SIDES.some((l) => failed.has(keyAt(path, oidOf(l))))) continue;
    const text = texts.get(keyAt(path, oidOf(label)));
    if (typeof text === 'string') out[path] = text;
  }
  for (const path of r.through) {
    // Said once, by the first side whose read failed (both sides read the base's text when the listing is whole).
    const unreadOn = SIDES.find((l) => failed.has(keyAt(path, throughOid(l))));
    if (unreadOn !== undefined) {
      const key = keyAt(path, throughOid(unreadOn));
      const side = r.sides[label];
      if (unreadOn === label) side.problems.push({ message: `${label}: ${path} ${failed.get(key)}`, recoverable: !permanent.has(key) });
      side.unread.push(path);
      continue;
    }
    const text = texts.get(keyAt(path, throughOid(label)));
    if (typeof text === 'string') out[path] = text;
  }
  return out;
}

/** Reads the texts not read yet into the sweep's maps (each once), counting the requests. */
async function readMore(
  options: PullRequestReviewOptions,
  result: PullRequestReviewResult,
  requests: readonly TextRequest[],
  into: { texts: Map<string, string | null>; failed: Map<string, string>; permanent: Set<string> },
): Promise<void> {
  const wanted = new Map<string, TextRequest>();
  for (const request of requests) {
    const key = textKey(request);
    if (!into.texts.has(key) && !into.failed.has(key)) wanted.set(key, request);
  }
  if (wanted.size === 0) return;
  const read = await readTexts(options.octokit, [...wanted.values()]);
  result.githubRequests += read.requests;
  for (const e of read.errors) result.errors.push(e);
  for (const [key, text] of read.texts) into.texts.set(key, text);
  for (const [key, why] of read.failed) into.failed.set(key, why);
  for (const key of read.permanent) into.permanent.add(key);
}

/** A textKey taken apart again (`owner/repo@oid:path`; the oid is hex, so the first `@` and `:` after it split it). */
function parseTextKey(key: string): TextRequest {
  const at = key.indexOf('@');
  const colon = key.indexOf(':', at);
  const [owner = '', repo = ''] = key.slice(0, at).split('/');
  return { owner, repo, oid: key.slice(at + 1, colon), path: key.slice(colon + 1) };
}

/** Why a pull request was not reviewed this sweep, as a cause many may share (GitHub failing at one step for all of them). */
type NotReviewedCause = 'unlisted' | 'uncompared' | 'includes' | 'failed';

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

/**
 * The `exclude:` of the repository's `.depwatch.yml` at a commit, from the texts read. The base's
 * (where the pull request branched off), never the head's: a pull request must not be able to
 * leave its own changes out of its review by adding an exclude (that change is itself in the diff
 * people review). A settings file that could not be read excludes nothing: every file is reviewed.
 * `notes`: the other settings file when there are both, which nothing reads (unreadSettingsNotes),
 * a settings name that is a folder (settingsFolderNotes), and, when there is no settings file, a
 * root file named nearly as one (`depwatch.yml`, `.Depwatch.yaml`: misnamedSettingsNotes, from the
 * base's root folder read with the texts), said on the card as the audit and `/audit` say them, so
 * whoever wrote it learns nothing in it is applied. A root folder that could not be listed says no
 * such note (the review does not depend on it: nothing there is read as settings either way).
 */
async function settingsAt(
  read: { texts: ReadonlyMap<string, string | null>; failed: ReadonlyMap<string, string>; folders: ReadonlySet<string>; roots: ReadonlyMap<string, readonly { name: string; file: boolean }[]> },
  at: { owner: string; repo: string; oid: string },
  reads: Pick<ManifestReads, 'parseExcludes'>,
): Promise<Settings> {
  const { texts, failed } = read;
  const isFolder = (path: string) => read.folders.has(textKey({ ...at, path }));
  // Whether each settings file is there: read, or there but not read (a file not at the commit reads
  // as null). A folder of that name is no settings file, as in a checkout: the other name may be.
  const present = CONFIG_FILES.filter((path) => {
    const key = textKey({ ...at, path });
    return !isFolder(path) && (failed.has(key) || typeof texts.get(key) === 'string');
  });
  // The root's files, as a checkout's root paths: a settings file among them means no near miss is said.
  const rootFiles = (read.roots.get(textKey({ ...at, path: '' })) ?? []).filter((entry) => entry.file).map((entry) => entry.name);
  const notes = [...(await settingsFolderNotes([], async (path) => isFolder(path))), ...unreadSettingsNotes(present), ...misnamedSettingsNotes([...rootFiles, ...present])].map((note) => note.message);
  // The first settings file there is the settings file, read or not (configFileOf): one that could
  // not be read excludes nothing and is said, never replaced by the other.
  const path = present[0];
  if (path === undefined) return { excludedBy: excluder([]), source: '', notes };
  const key = textKey({ ...at, path });
  const why = failed.get(key);
  if (why !== undefined) return { excludedBy: excluder([]), source: path, unread: `${path} ${why}; nothing is excluded from this review`, notes };
  const text = texts.get(key)!;
  // Over the settings files' limit: never parsed (seconds for a few MB), and said as one not read.
  const tooLarge = settingsTooLarge(Buffer.byteLength(text, 'utf8'));
  if (tooLarge !== null) return { excludedBy: excluder([]), source: path, unread: `${path} is ${tooLarge}; nothing is excluded from this review`, notes };
  return { excludedBy: excluder((await reads.parseExcludes(text, path)).excludes), source: path, notes };
}

interface Settings {
  excludedBy: Excluder;
  source: string;
  /** The settings file could not be read: said on the card, partial. */
  unread?: string;
  notes: string[];
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

/** Why a card says "nothing to review". */
const NOTHING_TO_REVIEW = 'this head changes no file read as dependencies';

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
 * Posts or updates the card in each channel; `known`: the channels' reviews as read before the review
 * was made. `final`: every file was read, or none that was not can be read later (the review then
 * says it is partial); otherwise the row keeps no head (''), so the next sweep finds the head not yet
 * reviewed and tries again.
 */
async function publish(
  options: PullRequestReviewOptions,
  reviews: PullReviewState,
  ref: PullRequestRef,
  review: DependencyReview,
  channels: readonly string[],
  known: ReadonlyMap<string, PullReviewRow>,
  final: boolean,
): Promise<void> {
  const now = options.now();
  for (const channel of channels) {
    const before = known.get(channel);
    // ts: only reviews posted before the outbox have one here; newer ones are found by message key.
    const ts = before?.ts ?? '';
    const card = cardMessage(channel, { ref, review, ...(ts ? { ts } : {}) }, before !== undefined, now);
    await reviews.save({ repo: ref.repo, number: ref.number, channel, ts, headOid: final ? ref.headSha : '', state: ref.state, reviewJson: JSON.stringify({ ref, review }) }, [card], now);
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

/**
 * Whether a failure cut the pull request's list of changed files short (then it is said, and the
 * pull request is read again next sweep rather than reviewed on half of its files).
 */
function listCutShort(repo: string, pull: OpenPullRequest, errors: string[]): boolean {
  if (!pull.filesListError) return false;
  errors.push(`${repo}#${pull.number}: ${pull.filesListError}; not reviewed this time`);
  return true;
}

/**
 * The submodules a pull request moves, by the `.gitmodules` read at each side (asked for with its
 * texts when it changes a path that may be one); `untold`: a side's `.gitmodules` that could not be
 * read, said (partial) rather than taken as "no submodule".
 */
function submodulesMoved(
  at: { owner: string; repo: string; pull: OpenPullRequest; baseOid: string },
  read: { texts: ReadonlyMap<string, string | null>; failed: ReadonlyMap<string, string>; roots: ReadonlyMap<string, readonly FolderEntry[]> },
): { changes: SubmoduleChange[]; untold: string[] } {
  if (!at.pull.paths.some(mayBeIncluded)) return { changes: [], untold: [] };
  const untold: string[] = [];
  const { listed, notListed } = gitlinkFolders(at.pull.paths);
  if (notListed > 0) untold.push(`the changed files of ${notListed} more folders were not looked at; whether one is a git submodule (a gitlink \`.gitmodules\` does not name) could not be told`);
  /** The side's gitlinks among the folders listed; the folders that could not be listed, said in `untold`. */
  const gitlinksAt = (label: 'base' | 'head', oid: string): { links: Map<string, string>; unlisted: Set<string> } => {
    const links = new Map<string, string>();
    const unlisted = new Set<string>();
    for (const folder of listed) {
      const key = textKey({ owner: at.owner, repo: at.repo, oid, path: folder });
      const entries = read.roots.get(key);
      if (entries === undefined) {
        unlisted.add(folder);
        untold.push(`${label}: the folder ${folder === '' ? '(the root)' : folder} ${read.failed.get(key) ?? 'could not be listed'}; whether this pull request moves a git submodule there could not be told`);
        continue;
      }
      for (const e of entries) if (e.submodule !== undefined) links.set(`${folder}${e.name}`, e.submodule);
    }
    return { links, unlisted };
  };
  /** The side's text, null when it has none, undefined when it could not be read (said in `untold`). */
  const side = (label: 'base' | 'head', oid: string): string | null | undefined => {
    const key = textKey({ owner: at.owner, repo: at.repo, oid, path: GITMODULES });
    const why = read.failed.get(key);
    if (why === undefined) return read.texts.get(key) ?? null;
    untold.push(`${label}: ${GITMODULES} ${why}; whether this pull request moves a git submodule could not be told`);
    return undefined;
  };
  const base = side('base', at.baseOid);
  const head = side('head', at.pull.headOid);
  const baseLinks = gitlinksAt('base', at.baseOid);
  const headLinks = gitlinksAt('head', at.pull.headOid);
  // A side not read is taken to name what the other names: a changed submodule there is said as
  // moved (the review is partial, saying why), never as added or removed on a guess.
  const filled = (mine: { links: Map<string, string>; unlisted: Set<string> }, other: { links: Map<string, string> }) => {
    if (mine.unlisted.size === 0) return mine.links;
    const links = new Map(mine.links);
    for (const [path, commit] of other.links) if (mine.unlisted.has(folderOf(path)) && !links.has(path)) links.set(path, commit);
    return links;
  };
  const gitlinks = { base: filled(baseLinks, headLinks), head: filled(headLinks, baseLinks) };
  return { changes: submoduleChanges(at.pull.paths, base === undefined ? (head ?? null) : base, head === undefined ? (base ?? null) : head, gitlinks), untold };
}

/** Folders listed per pull request to find its gitlinks: a pull request of code touches a few; past this, the rest are said not looked at. */
const MAX_GITLINK_FOLDERS = 50;

/** The folder a path is in, as a folder request names it: `''` (the root) or `a/b/`. */
const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);

/**
 * The folders (as folder requests: `''`, `src/`) holding the changed paths that may be a submodule
 * (mayBeIncluded), at most MAX_GITLINK_FOLDERS of them, and how many more there were.
 */
function gitlinkFolders(paths: readonly string[]): { listed: string[]; notListed: number } {
  const folders = [...new Set(paths.filter(mayBeIncluded).map(folderOf))];
  return { listed: folders.slice(0, MAX_GITLINK_FOLDERS), notListed: Math.max(0, folders.length - MAX_GITLINK_FOLDERS) };
}
