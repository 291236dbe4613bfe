/**
 * The review of pull requests at their heads, from their changed files to a DependencyReview each
 * (review.ts): the one way a pull request is reviewed, by the sweep (sweep-part.ts, which posts and
 * keeps the cards) and by `depwatch review` (src/cli/review.ts, which prints it). For each head:
 *   - the rest of its changed paths when the listing did not give them all (listRemainingFiles);
 *   - where it branched off (one compare request): the head is compared with that merge base, not
 *     with the base branch's tip, which may have moved on since;
 *   - its changed dependency files there and at the head, with the base's settings file (what
 *     `exclude:` leaves out) and root folder, TEXTS_BATCH per query, each text once for all heads;
 *   - whether the project's manifests include a changed file named like no manifest (includes.ts),
 *     once per base commit;
 *   - what the reviewed files include and the pull request does not change, a level of includes a
 *     query for all heads at once, so each side is what it installs;
 *   - the diff (diff.ts) and the cards (review.ts).
 * A file that could not be read on either side is left out of the diff (never read as added or
 * removed) and named in the review's errors, so the review says it is partial; `final` tells the
 * caller whether a later read may mend it (a failed batch, no answer, 5xx, rate limit) or none can
 * (the file is cut short or binary at that commit). What comes of each head is handed to the
 * caller's sink, in the order it is known: reviewed, nothing to review (no file read as
 * dependencies, or only excluded ones), not reviewed this time (why), or failed.
 */
import type { Octokit } from 'octokit';
import { applyExcludes, CONFIG_FILES, excluder, misnamedSettingsNotes, settingsFolderNotes, settingsTooLarge, unreadSettingsNotes, type Excluder } from '../../audit/exclude.js';
import { plural } from '../../plural.js';
import { listRemainingFiles, mergeBase, readTexts, textKey, type FolderEntry, type OpenPullRequest, type TextRequest } from '../../github/pull-requests.js';
import type { CardSources } from '../../packages/card.js';
import { isCompiledFrom, isManifestPath, isUndecidedInput, pipToolsPairs } from '../../python/discover.js';
import { passedOverInputsNotice } from '../../python/load.js';
import { MAX_INCLUDED_FILES, MAX_INCLUDE_LEVELS } from '../../python/includes.js';
import { includedAt, includingRoots, mayBeIncluded, mayBeRequirements, rootsReaching, type IncludedFiles } from './includes.js';
import { readsHere, type ManifestReads } from '../../workers/jobs/manifest-reads.js';
import { nothingToReview, reviewDependencies, type DependencyReview } from './review.js';
import { GITMODULES, submoduleChanges, withSubmodules, type SubmoduleChange } from './submodules.js';

export interface HeadReviewContext {
  octokit: Octokit;
  cards: () => Promise<CardSources>;
  /** Where the changed files, what they include and the settings file are parsed (the bot: worker threads); default: this thread. */
  reads?: ManifestReads;
}

/** What the review counts and says beside the heads' own outcomes: GitHub requests, failures of reads shared by heads, notes for the log. */
export interface ReviewTally {
  githubRequests: number;
  errors: string[];
  notes: string[];
}

/** A pull request to review at its head: `paths`, its changed paths named like manifests (as far as listed). */
export interface HeadToReview {
  repo: string;
  pull: OpenPullRequest;
  paths: string[];
}

/** Why a pull request was not reviewed this time, as a cause many may share (GitHub failing at one step for all of them). */
export type NotReviewedCause = 'unlisted' | 'uncompared' | 'includes' | 'failed';

/** What comes of each head, told as soon as it is known. */
export interface ReviewSink<T extends HeadToReview> {
  /** Its review; `final`: no file left unread can be read later (a partial review still says what it missed). */
  reviewed(head: T, review: DependencyReview, final: boolean): Promise<void>;
  /**
   * It changes no file read as dependencies (or only ones the base's `exclude:` leaves out): `notes`
   * say what is said all the same, `post` whether they are worth a card of their own, `submodules`
   * the git submodules it moves (a caution even so).
   */
  nothing(head: T, notes: string[], post: boolean, submodules: SubmoduleChange[]): Promise<void>;
  /** It could not be reviewed this time (why); `changesDependencies`: it may change dependency files. */
  notReviewed(head: T, reason: string, changesDependencies: boolean, cause: NotReviewedCause): void;
  /** Its review failed (an exception, never expected); `changesDependencies` as above. */
  failed(head: T, err: unknown, changesDependencies: boolean): void;
}

/** Why a review says "nothing to review". */
const NOTHING_TO_REVIEW = 'this head changes no file read as dependencies';

/** The review of a head that changes no file read as dependencies (ReviewSink.nothing): not partial, but a moved submodule is caution. */
export function nothingAtHead(notes: readonly string[], submodules: readonly SubmoduleChange[]): DependencyReview {
  return withSubmodules(nothingToReview(NOTHING_TO_REVIEW, notes), submodules);
}

/** Reviews each head (see the top of this file), telling `sink` what came of it; shared reads are counted and said in `tally`. */
export async function reviewHeads<T extends HeadToReview>(ctx: HeadReviewContext, tally: ReviewTally, heads: readonly T[], sink: ReviewSink<T>): Promise<void> {
  const reads = ctx.reads ?? readsHere;
  const due: { head: T; repo: string; pull: OpenPullRequest; paths: string[]; baseOid: string }[] = [];
  for (const head of heads) {
    const { repo, pull } = head;
    let { paths } = head;
    const [owner = '', name = ''] = repo.split('/');
    if (pull.moreFiles) {
      // The rest of the changed files, only now that the pull request is to be reviewed.
      tally.githubRequests += await listRemainingFiles(ctx.octokit, { owner, repo: name }, pull);
      if (listCutShort(repo, pull, tally.errors)) {
        // Those not listed may be manifests.
        sink.notReviewed(head, pull.filesListError ?? 'the rest of its changed files were not listed', true, 'unlisted');
        continue;
      }
      paths = pull.paths.filter(isManifestPath);
      if (paths.length === 0 && !pull.paths.some(mayBeIncluded) && pull.filesNotListed === 0) {
        await sink.nothing(head, [], false, []);
        continue;
      }
    }
    tally.githubRequests++;
    const branchedOff = await mergeBase(ctx.octokit, { owner, repo: name }, pull.baseOid, pull.headOid);
    // Without the merge base the base branch's tip would show its own later changes as the pull
    // request's: left for the next sweep.
    if ('error' in branchedOff) {
      tally.errors.push(`${repo}#${pull.number}: ${branchedOff.error}; not reviewed this time`);
      sink.notReviewed(head, branchedOff.error, paths.length > 0 || pull.filesNotListed > 0, 'uncompared');
      continue;
    }
    due.push({ head, repo, pull, paths, baseOid: branchedOff.sha });
  }
  if (due.length === 0) return;

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
  const { texts, failed, permanent, folders, roots, requests, errors } = await readTexts(ctx.octokit, [...wanted.values()]);
  tally.githubRequests += requests;
  for (const e of errors) tally.errors.push(e);

  // Parsed once per commit for this sweep only: the next one reads the settings again.
  const settings = new Map<string, Promise<Settings>>();
  const includes = new Map<string, Promise<IncludedFiles>>();
  const ready: Ready<T>[] = [];
  for (const { head, repo, pull, paths: changed, baseOid } of due) {
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
            includes.set(at, includedAt(ctx.octokit, { owner, repo: name, oid: baseOid }, excludedBy, texts, reads.reachedFrom).then((r) => {
              tally.githubRequests += r.requests;
              if ('texts' in r) for (const [key, text] of r.texts) texts.set(key, text);
              return r;
            }));
          }
          const reach = await includes.get(at)!;
          if ('unknown' in reach && reach.recoverable) {
            const why = `whether a manifest includes the files it changes could not be told (${reach.unknown})`;
            tally.errors.push(`${repo}#${pull.number}: ${why}; not reviewed this time`);
            sink.notReviewed(head, why, changed.some((path) => excludedBy(path) === null), 'includes');
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
          await readMore(ctx, tally, headPairs.map(([, compiled]) => ({ owner, repo: name, oid: pull.headOid, path: compiled })), { texts, failed, permanent });
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
        if (excludeNotes.length > 0) tally.notes.push(`${repo}#${pull.number}: ${excludeNotes.join('; ')}; no review`);
        await sink.nothing(head, [...excludeNotes, ...inputNotes], inputNotes.length > 0 || submodules.changes.length > 0, submodules.changes);
        continue;
      }
      const notes = [...settingsNotes, ...excludeNotes, ...inputNotes];
      ready.push({ head, repo, owner, name, pull, baseOid, paths, through, notes, untold: untoldLines, submodules: submodules.changes, sides: { base: emptySide(), head: emptySide() } });
    } catch (err) {
      sink.failed(head, err, changed.length > 0);
    }
  }
  if (ready.length === 0) return;

  // The manifests the pull request leaves alone that lead to a changed included file: the same at
  // both commits, read at the base (mostly read already, telling what the base includes), and at
  // the head too when GitHub did not list every changed file (one of them may be among those).
  const throughReads = ready.flatMap((r) => r.through.flatMap((path) => [r.baseOid, ...(r.pull.filesNotListed > 0 ? [r.pull.headOid] : [])].map((oid) => ({ owner: r.owner, repo: r.name, oid, path }))));
  // A changed pip-tools pair file is read as a root at each side's own commit (named like no
  // manifest, it was not read with the changed manifests).
  const pairReads = ready.flatMap((r) => r.paths.filter((path) => !isManifestPath(path)).flatMap((path) => [r.baseOid, r.pull.headOid].map((oid) => ({ owner: r.owner, repo: r.name, oid, path }))));
  await readMore(ctx, tally, [...throughReads, ...pairReads], { texts, failed, permanent });

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
    await readMore(ctx, tally, asked.map(({ key }) => parseTextKey(key)), { texts, failed, permanent });
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

  for (const { head, owner, name, pull, baseOid, paths, notes, untold, submodules, sides } of ready) {
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
      const reviewed = await reviewDependencies(diff, await ctx.cards());
      const review: DependencyReview = withSubmodules(notes.length ? { ...reviewed, notes } : reviewed, submodules);
      // Only what another read may mend leaves the head to be reviewed again; a file cut short or
      // binary at these commits stays so, and the partial review stands until the head moves.
      await sink.reviewed(head, review, !unread.some((u) => u.recoverable));
    } catch (err) {
      // It was found to have dependencies to review.
      sink.failed(head, err, true);
    }
  }
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
interface Ready<T> {
  /** The caller's own, handed back with what came of it. */
  head: T;
  repo: string;
  owner: string;
  name: string;
  pull: OpenPullRequest;
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
function rootTexts<T>(r: Ready<T>, label: 'base' | 'head', texts: ReadonlyMap<string, string | null>, failed: ReadonlyMap<string, string>, permanent: ReadonlySet<string>): Record<string, string> {
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
  ctx: Pick<HeadReviewContext, 'octokit'>,
  tally: ReviewTally,
  requests: readonly TextRequest[],
  into: { texts: Map<string, string | null>; failed: Map<string, string>; permanent: Set<string> },
): Promise<void> {
  const wanted = new Map<string, TextRequest>();
  for (const request of requests) {
    const key = textKey(request);
    if (!into.texts.has(key) && !into.failed.has(key)) wanted.set(key, request);
  }
  if (wanted.size === 0) return;
  const read = await readTexts(ctx.octokit, [...wanted.values()]);
  tally.githubRequests += read.requests;
  for (const e of read.errors) tally.errors.push(e);
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

/**
/**
 * Whether a failure cut the pull request's list of changed files short (then it is said, and the
 * pull request is read again next sweep rather than reviewed on half of its files).
 */
export function listCutShort(repo: string, pull: OpenPullRequest, errors: string[]): boolean {
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
