/**
 * A sweep over every watched repository: which ones moved (one GraphQL query per 250 repositories),
 * a snapshot and full audit of those only (bounded concurrency) and of those whose last audit a
 * source failing left partial (PyPI or GitHub not reached: checked again until it is complete), and
 * for the others a re-match of their stored installed packages against refreshed advisories with
 * no GitHub request at all: only
 * of the packages whose advisories changed since the repository's last match, when the advisory
 * source keeps a change log (the mirror; see rematch-plan.ts), and none when nothing changed. Each
 * repository's findings are diffed against what was open: new, still open, fixed (and by which commit).
 *
 * One bad repository never stops the sweep: its error is recorded on its state and in the result,
 * and its stored findings are left as they were (a failure is not a fix).
 */
import type { RepoIgnoreLookup } from '../store/audit-state/types.js';
import type { Octokit } from 'octokit';
import type { PackageRegistry } from '../audit/audit.js';
import { findingKey, KIND_ORDER, type Finding } from '../audit/findings.js';
import type { IgnoreRule } from '../audit/ignores.js';
import { excluder, type Exclusion } from '../audit/exclude.js';
import { notReached, unreadFiles } from '../audit/partial.js';
import { loggedText, LOGGED_REASONS_MAX } from '../audit/partial-log.js';
import type { AdvisorySource, OsvRecord } from '../advisories/types.js';
import { errorLine } from '../error-line.js';
import { fetchHeads, HEADS_BATCH_SIZE, headKey, type HeadResult } from '../github/heads.js';
import type { RepoRef } from '../github/repo-ref.js';
import { snapshotErrors, takeSnapshot, treeOfSnapshot, type SnapshotOptions } from '../github/snapshot.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { PopularName } from '../packages/typosquat/popularity.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import type { FindingRow, RepoStateRow, StoredPackage } from '../store/watches.js';
import { runHere, type AuditRunner } from '../workers/audit-runner.js';
import type { CommitRef } from '../github/commit-scan.js';
import type { ScanResult } from '../scan/types.js';
import type { SeenCommit } from './secret-alerts.js';
import { ignoredReason } from './closed-reasons.js';
import { announceSettingsProblems, settingsProblems } from './settings-notices.js';
import { needsRecheck, repoPartialReasons, sweepProblemsOf } from './partial-state.js';
import { currentAdvisoryMark, encodeMark, ignoresFingerprint, inPlan, lastFullMatch, planRematch, type RematchPlan } from './rematch-plan.js';

export { packageUsesOf, storedPackagesOf } from './packages.js';

export const VULNERABILITY_KINDS: ReadonlySet<string> = new Set(['vulnerability', 'malicious']);
/** The kinds made from the registry's answers: a registry not reached found none of them, which is no fix. */
const REGISTRY_KINDS = new Set(['outdated', 'yanked', 'not-on-index']);
const ALL_KINDS: readonly string[] = KIND_ORDER;

export interface SweepOptions {
  /** Watched repositories, their state and findings: SQLite, or PostgreSQL shared by replicas. */
  state: WatchStateStore;
  octokit: Octokit;
  /** The database holding GitHub's blob cache (usually the same one as the store's). */
  db: Db;
  /** A source, or a function giving one per sweep (so a mirror that went stale is swapped for the API). */
  advisories: AdvisorySource | (() => AdvisorySource);
  registry: PackageRegistry | null;
  now: () => Date;
  /** Changed repositories audited at once. */
  concurrency?: number;
  /** Brings the advisory data up to date first (a mirror delta sync); failures are reported, not fatal. */
  refreshAdvisories?: () => Promise<void>;
  snapshot?: SnapshotOptions;
  /** Ignores kept outside the tree per repository (the Slack Ignore… modal's): read once per sweep. */
  repoIgnores?: () => Promise<RepoIgnoreLookup>;
  /** Where parsing, matching and rules run (the bot: worker threads); default: this thread. */
  runner?: AuditRunner;
  logger?: Logger;
  /** Names the typosquat rule treats as popular beyond the shipped list (every package watched repositories use). */
  knownNames?: () => Promise<PopularName[]>;
  /** Runs after the repositories are swept (the pull-request reviews, pr-review/sweep-part.ts); its failure is logged, never the sweep's. */
  afterSweep?: () => Promise<void>;
  /** Told when each sweep ends, however it ends (the bot's metrics). */
  onSweepEnd?: (end: SweepEnd) => void;
  /**
   * Code scanning of each newly audited commit (src/github/commit-scan.ts) and what to do with the
   * result (record secrets, alert new ones: secret-alerts.ts). Absent: dependencies only.
   */
  codeScan?: {
    scan: (commit: CommitRef, ignores: IgnoreRule[], now: Date) => Promise<ScanResult>;
    /** Returns how many secrets were seen for the first time. */
    record: (commit: SeenCommit, scan: ScanResult, now: Date) => Promise<number>;
  };
  /** Only these repositories, those of them still watched (a batch job's share of a sweep: src/jobs/sweep-batches.ts); default: every watched one. */
  repos?: readonly string[];
  /**
   * False: no vulnerability finding is closed, and no advisory mark is kept to build on. For a batch
   * whose replica's advisory data is older than its sweep's and could not be synced
   * (src/jobs/sweep-batches.ts): what it finds is real, what it no longer finds may only be missing.
   */
  mayCloseAdvisories?: boolean;
  /** Unchanged repositories audited again for a transient reason, at most (RECHECKS_PER_SWEEP by default; a batch's share of it). */
  maxRechecks?: number;
}

/**
 * How many unchanged repositories a sweep audits again because their last audit was partial for a
 * reason that may pass (needsRecheck), at most. Each costs what an audit does (the repository,
 * commit and tree requests, the archive when its scan is not cached; unchanged blobs come from the
 * blob cache): about 4 requests, so 25 is about 100 requests an hour, 2% of a token's 5,000, on
 * top of the heads queries that keep unchanged repositories flat (4 for 1,000). During a PyPI
 * outage every repository audited in it would otherwise be audited again on every sweep, and a
 * blob GitHub keeps failing would cost its repository a full audit each time; bounded, the least
 * recently tried go first (an audit that is still partial, or a re-check that fails, moves its
 * repository to the back), so all get their turn: 100 such repositories within 4 sweeps.
 */
export const RECHECKS_PER_SWEEP = 25;

/**
 * The repositories this sweep may audit again although they did not move, the least recently
 * tried first (lastTried). One whose head moved meanwhile is audited anyway and takes its slot: rare, and
 * it only makes the bound lower that sweep.
 */
export function rechecksAllowed(states: ReadonlyMap<string, Pick<RepoStateRow, 'auditedSha' | 'auditedAt' | 'errorAt' | 'partialReasons'>>, max: number): Set<string> {
  const due = [...states].filter(([, s]) => s.auditedSha && needsRecheck(s.partialReasons)).map(([key, s]) => [key, lastTried(s)] as const);
  due.sort(([a, x], [b, y]) => x.localeCompare(y) || a.localeCompare(b));
  return new Set(due.slice(0, Math.max(0, max)).map(([key]) => key));
}

/**
 * When a sweep last tried the repository: its last audit stored, or its last failure (markError;
 * cleared by the next audit stored). A re-check that throws stores no audit, and by audit time
 * alone it would stay first in line every sweep: a few repositories that keep failing would use
 * the whole bound, and a batch's small share of it (rechecksShare) for good.
 */
function lastTried(s: Pick<RepoStateRow, 'auditedAt' | 'errorAt'>): string {
  const audited = s.auditedAt ?? '';
  const failed = s.errorAt ?? '';
  return failed > audited ? failed : audited;
}

export interface SweepEnd {
  seconds: number;
  /** partial: a repository or a data source failed; failed: the sweep itself threw. */
  outcome: 'complete' | 'partial' | 'failed';
}

export interface SweepFailure {
  repo: string;
  message: string;
}

export interface SweepResult {
  startedAt: Date;
  finishedAt: Date;
  repos: number;
  /**
   * Repositories audited in full: their HEAD moved, they were never audited, or their last audit was
   * partial because a source was not reached (partial-state.ts needsRecheck).
   */
  audited: string[];
  /** Repositories re-matched against advisories without a GitHub request (wholly or in part). */
  rematched: number;
  /** Unchanged repositories none of whose packages had an advisory change: nothing to re-match. */
  upToDate: number;
  failed: SweepFailure[];
  added: FindingRow[];
  fixed: FindingRow[];
  /**
   * Closed without being fixed, `closedReason` says why: findings only files `exclude:` now keeps out
   * held (no longer checked), and findings an ignore now covers (still there, accepted).
   */
  excluded: FindingRow[];
  stillOpen: number;
  /** Data sources that failed: the sweep is partial, and nothing was marked fixed on their account. */
  warnings: string[];
  /** Hardcoded secrets and code findings at high or critical seen for the first time (their alerts are in the outbox). */
  newSecrets: number;
  /**
   * Repositories this sweep left partial, by the kind of reason (RepoPartialReason['kind']: one
   * repository counts once under each kind it has): audited with a source down, a file not read,
   * code not scanned; re-matched with advisories not looked up (`advisories`). For the log: an
   * outage must not read as a clean sweep there. Absent from a batch of an older replica.
   */
  partialRepos: Record<string, number>;
}

/** Counts a repository left partial under each kind of its reasons, once per kind. */
function countPartial(result: SweepResult, kinds: Iterable<string>): void {
  for (const kind of new Set(kinds)) result.partialRepos[kind] = (result.partialRepos[kind] ?? 0) + 1;
}

/**
 * The summary a finished sweep (or batch) logs: its counts, the repositories it left partial by
 * reason kind, and its warnings (a source down), short and without secrets.
 */
export function sweepLogFields(result: SweepResult): Record<string, unknown> {
  const warnings = result.warnings.slice(0, LOGGED_REASONS_MAX).map((w) => loggedText(w));
  return {
    repos: result.repos,
    audited: result.audited.length,
    rematched: result.rematched,
    upToDate: result.upToDate,
    failed: result.failed.length,
    added: result.added.length,
    fixed: result.fixed.length,
    excluded: result.excluded.length,
    partial: Object.keys(result.partialRepos).length > 0 || result.warnings.length > 0 || result.failed.length > 0,
    partialRepos: result.partialRepos,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(result.warnings.length > warnings.length ? { warningsMore: result.warnings.length - warnings.length } : {}),
  };
}

/** `owner/repo[@branch]` (a store key) → RepoRef. */
export function refOfKey(key: string): RepoRef {
  const at = key.indexOf('@');
  const base = at >= 0 ? key.slice(0, at) : key;
  const [owner = '', repo = ''] = base.split('/');
  return at >= 0 ? { owner, repo, branch: key.slice(at + 1) } : { owner, repo };
}

/** Runs at most `n` of the functions given to it at once, in the order given. */
function limiter(n: number): (fn: () => Promise<void>) => Promise<void> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

type ResolvedOptions = Omit<SweepOptions, 'advisories' | 'repoIgnores'> & { advisories: AdvisorySource; repoIgnores?: RepoIgnoreLookup; mayCloseAdvisory: (f: Finding) => boolean };

/**
 * Whether a vulnerability finding missing from this sweep's matches may be marked fixed: not when
 * the sweep may close none (its data is behind its starter's), nor when its advisory is one the
 * data does not hold at all (found by newer data: another replica's mirror, the OSV API). The ids
 * kept open that way are collected, to be said once per sweep.
 */
function advisoryCloser(options: Pick<SweepOptions, 'mayCloseAdvisories'> & { advisories: AdvisorySource }): { mayClose: (f: Finding) => boolean; unknown: Set<string> } {
  const unknown = new Set<string>();
  const mayClose = (f: Finding): boolean => {
    if (!VULNERABILITY_KINDS.has(f.kind)) return true;
    if (options.mayCloseAdvisories === false) return false;
    if (!f.id || options.advisories.holds?.(f.id) !== false) return true;
    unknown.add(f.id);
    return false;
  };
  return { mayClose, unknown };
}

export async function sweep(input: SweepOptions): Promise<SweepResult> {
  const { repoIgnores: readRepoIgnores, ...rest } = input;
  const advisories = typeof input.advisories === 'function' ? input.advisories() : input.advisories;
  const closer = advisoryCloser({ advisories, ...(input.mayCloseAdvisories === false ? { mayCloseAdvisories: false } : {}) });
  const options: ResolvedOptions = { ...rest, advisories, mayCloseAdvisory: closer.mayClose };
  const startedAt = options.now();
  const log = options.logger?.child({ component: 'sweep' });
  const { state: store } = options;
  const repos = selectRepos(await store.watchedRepos(), options.repos);
  const result: SweepResult = { startedAt, finishedAt: startedAt, repos: repos.length, audited: [], rematched: 0, upToDate: 0, failed: [], added: [], fixed: [], excluded: [], stillOpen: 0, warnings: [], newSecrets: 0, partialRepos: {} };
  if (repos.length === 0) return result;
  // One read for every repository of the sweep, not one query each.
  if (readRepoIgnores) options.repoIgnores = await readRepoIgnores();

  if (options.refreshAdvisories) {
    try {
      await options.refreshAdvisories();
    } catch (err) {
      result.warnings.push(`advisory refresh failed (${errorLine(err)}); matched against the data already held`);
    }
  }

  // Read before anything is matched: a change written meanwhile is reported again next time.
  const advisoryMark = currentAdvisoryMark(options.advisories);
  const refs = [...repos].map((key) => ({ key, ref: refOfKey(key) }));
  const states = await store.repoStates(repos);
  const rechecks = rechecksAllowed(states, options.maxRechecks ?? RECHECKS_PER_SWEEP);
  const changes = memoisedChanges(options.advisories);
  /** Repositories not yet baselined whose audit this sweep could not reach the advisories for. */
  let waitingBaselines = 0;
  const rematches: Promise<void>[] = [];
  const audits = limiter(Math.max(1, options.concurrency ?? 8));
  const pending: Promise<void>[] = [];
  // Heads come 250 repositories per GraphQL query (octokit paces those a second apart); audits of
  // the repositories that moved and the re-match of those that did not start as soon as their batch
  // answers, so they overlap the remaining head queries instead of waiting for the last one.
  for (let start = 0; start < refs.length; start += HEADS_BATCH_SIZE) {
    const batch = refs.slice(start, start + HEADS_BATCH_SIZE);
    const unchanged: UnchangedRepo[] = [];
    const heads = await fetchHeads(options.octokit, batch.map((b) => b.ref));
    for (const { key, ref } of batch) {
      const head = heads.get(headKey(ref));
      const state = states.get(key);
      if (!head || !head.ok) {
        const message = head?.message ?? `no answer from GitHub for ${key}`;
        await store.markError(key, message, options.now());
        result.failed.push({ repo: key, message });
        continue;
      }
      // Unchanged, and its last audit either complete or partial for reasons that give the same
      // answer again: re-matched. One whose last audit a source failing left partial (PyPI, GitHub
      // not reached) is audited again like one that moved, or it would stay partial until it does;
      // at most RECHECKS_PER_SWEEP of them, the others are re-matched and wait for a later sweep.
      // One not yet baselined (no audit so far reached its advisories) is audited again too: a
      // re-match would store what it finds as new, and its baseline is what the channels are told.
      if (state?.auditedSha && state.baselineAt && state.auditedSha === head.oid && !rechecks.has(key)) {
        unchanged.push({ key, state, head });
        continue;
      }
      pending.push(
        audits(async () => {
          try {
            const diff = await auditRepository(options, key, ref, state, advisoryMark);
            result.audited.push(key);
            collect(result, diff);
            result.newSecrets += diff.newSecrets;
            countPartial(result, diff.partialKinds);
            if (diff.baselineWaits) waitingBaselines++;
          } catch (err) {
            const message = errorLine(err);
            log?.warn({ repo: key, err: message }, 'sweep: repository failed');
            await store.markError(key, message, options.now());
            result.failed.push({ repo: key, message });
          }
        }),
      );
    }
    rematches.push(
      rematch(options, unchanged, result, advisoryMark, changes).catch((err: unknown) =>
        warnOnce(result, `re-matching failed (${errorLine(err)}): unchanged repositories were not re-checked`),
      ),
    );
  }
  await Promise.all([...pending, ...rematches]);
  if (waitingBaselines > 0) result.warnings.push(baselineWaiting(waitingBaselines));
  if (closer.unknown.size > 0) {
    const ids = [...closer.unknown].sort();
    log?.warn({ advisories: ids }, "sweep: findings of advisories this replica's advisory data does not hold were left open");
    result.warnings.push(`not in this replica's advisory data (older than the data that found them), left open: ${ids.join(', ')}`);
  }

  if (options.afterSweep) await options.afterSweep().catch((err: unknown) => log?.error({ err }, 'after-sweep work failed'));
  result.finishedAt = options.now();
  // A batch of a sweep shared through the queue (`repos` given) is not the sweep: its starter logs that.
  log?.info(sweepLogFields(result), options.repos ? 'sweep batch finished' : 'sweep finished');
  return result;
}

function selectRepos(watched: string[], only: readonly string[] | undefined): string[] {
  if (only === undefined) return watched;
  const set = new Set(watched);
  return only.filter((repo) => set.has(repo));
}

function collect(result: SweepResult, diff: { added: FindingRow[]; fixed: FindingRow[]; excluded?: FindingRow[]; stillOpen: FindingRow[] }): void {
  for (const f of diff.added) result.added.push(f);
  for (const f of diff.fixed) result.fixed.push(f);
  for (const e of diff.excluded ?? []) result.excluded.push(e);
  result.stillOpen += diff.stillOpen.length;
}

async function auditRepository(options: ResolvedOptions, key: string, ref: RepoRef, state: RepoStateRow | undefined, advisoryMark: string | null) {
  const snapshot = await takeSnapshot(options.octokit, options.db, ref, { concurrency: 4, reads: (options.runner ?? runHere).reads, ...options.snapshot, ...(options.logger ? { logger: options.logger } : {}) });
  const now = options.now();
  const repoIgnores = options.repoIgnores?.(key) ?? [];
  // The archive downloads and is scanned while the manifests are audited.
  const scanning = options.codeScan?.scan({ owner: snapshot.owner, repo: snapshot.repo, sha: snapshot.sha }, repoIgnores, now);
  const { result: audit, packages: readPackages, treeIgnores, readFiles } = await (options.runner ?? runHere).auditTree(
    {
      ...treeOfSnapshot(snapshot),
      target: `${snapshot.owner}/${snapshot.repo}@${snapshot.sha}`,
      now,
      extraErrors: snapshotErrors(snapshot),
      extraIgnores: repoIgnores,
      forWatching: true,
      ...(options.knownNames ? { knownNames: await options.knownNames() } : {}),
    },
    { advisories: options.advisories, registry: options.registry },
  );
  // What the audit did not read, it cannot vouch for: those files' findings stay open, and their
  // last known packages are kept for the re-matching of unchanged repositories.
  const unread = unreadFiles(audit.errors);
  const read = new Set(readFiles ?? []);
  const packages = keepUnreadPackages(readPackages ?? [], state?.packages ?? [], (file) => (unread === null ? !read.has(file) : unread.has(file)));

  // A source that failed found nothing, which must not read as "fixed": leave those kinds alone.
  const kinds = new Set(ALL_KINDS);
  if (notReached(audit, 'advisories')) for (const k of VULNERABILITY_KINDS) kinds.delete(k);
  if (notReached(audit, 'registry')) for (const k of REGISTRY_KINDS) kinds.delete(k);
  // The scan ran meanwhile; whether it checked everything is stored with the audit (a failure to
  // scan is still the repository's failure once the audit is stored, as it was).
  const scanned = scanning && (await scanning.then((result) => ({ result }), (error: unknown) => ({ error })));

  const display = ref.branch ? `${snapshot.owner}/${snapshot.repo}@${ref.branch}` : `${snapshot.owner}/${snapshot.repo}`;
  // Before the audit is recorded: should recording fail, the next sweep audits this commit again and
  // the notice, already written, is not written twice (its key names what it says).
  await announceSettingsProblems({
    state: options.state,
    repo: key,
    notice: { repo: display, repoUrl: snapshot.htmlUrl, sha: snapshot.sha, private: snapshot.private },
    problems: settingsProblems(audit.notes),
    now,
  });

  const partialReasons = repoPartialReasons(audit, scanned || undefined);
  // The baseline is the first audit that reads the advisories: one that could not reach them stored
  // no vulnerability, and taking it as the baseline would alert all of them at the next sweep.
  const advisoriesRead = kinds.has('vulnerability');
  const baseline = !state?.baselineAt;
  // A baseline that read the advisories: those published or modified since the watch was made alert.
  const newSinceWatched = baseline && advisoriesRead ? await advisoriesSinceWatched(options, key, audit.findings) : undefined;
  const diff = await options.state.recordAudit({
    repo: key,
    display,
    htmlUrl: snapshot.htmlUrl,
    private: snapshot.private,
    sha: snapshot.sha,
    packages,
    ignores: treeIgnores ?? [],
    dependencies: audit.dependencies,
    now,
    // An audit that warned of anything (a source down, ratings not looked up), or matched with data
    // older than its sweep's, is not a match to build on: without a mark, the next sweep re-matches
    // the repository in full.
    advisoriesMark:
      advisoryMark === null || audit.warnings.length > 0 || options.mayCloseAdvisories === false
        ? null
        : encodeMark({ advisories: advisoryMark, ignores: ignoresFingerprint([...(treeIgnores ?? []), ...repoIgnores], now), fullAt: now.toISOString() }),
    partialReasons,
    advisoriesRead,
  }, {
    repo: key,
    findings: audit.findings,
    keyOf: findingKey,
    sha: snapshot.sha,
    now,
    kinds,
    baseline,
    ...(newSinceWatched ? { newSinceWatched } : {}),
    // A package at a version the last audit did not hold came with this commit: its findings arrived
    // with it (what is new is the dependency, not its advisories), and the alerts say it once.
    newDependency: newIn(state?.packages ?? [], packages),
    // Files that could not be read hide their findings: keep what was open rather than call it fixed.
    closeMissing: unread !== null,
    mayClose: (f) => !findingFiles(f).some((file) => unread?.has(file)) && options.mayCloseAdvisory(f),
    // Gone because an ignore now covers it (`ignore:` in the tree, the Slack Ignore… modal): still
    // there, accepted, never fixed. Gone because `exclude:` now keeps its file out, not because
    // anything changed in it: no longer checked, never fixed. A file that is no longer there at all
    // is gone whatever excludes it.
    closedReason: closedReasonOf(ignoredReasons(audit.ignored), excludedReason(audit.exclusions ?? [], stillInTree(snapshot))),
  });
  // What the baseline holds is told to each watching channel by its alerts run (watch-started.ts).
  let newSecrets = 0;
  if (scanned && options.codeScan) {
    // The code scan's own baseline: the repository's first audit, whatever it read of the advisories.
    const commit = { repo: key, display, htmlUrl: snapshot.htmlUrl, private: snapshot.private, sha: snapshot.sha, baseline: !state?.auditedSha };
    if ('error' in scanned) throw scanned.error;
    newSecrets = await options.codeScan.record(commit, scanned.result, now);
  }
  return { ...diff, newSecrets, partialKinds: partialReasons.map((r) => r.kind), baselineWaits: baseline && !advisoriesRead };
}

/**
 * The sweep problem that says newly watched repositories wait for their baseline (partial-state.ts
 * NOT_LOOKED_UP): counted, not named, since the notice goes to every channel and a repository may
 * be private.
 */
export function baselineWaiting(repos: number): string {
  const which = repos === 1 ? '1 newly watched repository waits' : `${repos} newly watched repositories wait`;
  return `baseline waiting: ${which} for the advisories (not reached): what ${repos === 1 ? 'it already has' : 'they already have'} is said, and new advisories alerted, once a sweep reads them`;
}

/**
 * In a repository's baseline, which findings' advisories were published or modified after it was
 * first watched: the baseline is taken by the first sweep, up to an hour after `/audit watch`, and
 * an advisory that appeared meanwhile is as new to the channel as one a later sweep finds; with
 * when it appeared, since it is new only to the channels that watched before that (a channel that
 * watched after it counts it in its "Now watching" message: FindingRow.newSince). Asked of
 * the advisory data by id (one lookup for the audit's advisories); should it fail, or the source not
 * answer by id, none is: they are then said with what the repository already had (watch-started.ts),
 * never dropped.
 */
async function advisoriesSinceWatched(options: ResolvedOptions, key: string, findings: readonly Finding[]): Promise<((f: Finding) => string | undefined) | undefined> {
  const ids = [...new Set(findings.flatMap((f) => (VULNERABILITY_KINDS.has(f.kind) && f.id ? [f.id] : [])))];
  const source = options.advisories;
  if (ids.length === 0 || !source.byIds) return undefined;
  const watchedSince = Math.min(...(await options.state.watchesOfRepo(key)).map((w) => Date.parse(w.addedAt)).filter((t) => Number.isFinite(t)));
  if (!Number.isFinite(watchedSince)) return undefined;
  let records: Map<string, OsvRecord>;
  try {
    records = await source.byIds(ids);
  } catch (err) {
    options.logger?.warn({ repo: key, err: errorLine(err) }, 'sweep: could not tell which advisories are newer than the watch; they are said with what the repository already had');
    return undefined;
  }
  // When each changed, kept on the finding: a channel that watched after that counts it as already there.
  const newer = new Map<string, string>();
  for (const id of ids) {
    const record = records.get(id);
    const changed = Math.max(Date.parse(record?.published ?? ''), Date.parse(record?.modified ?? ''));
    if (Number.isFinite(changed) && changed >= watchedSince) newer.set(id, new Date(changed).toISOString());
  }
  return newer.size === 0 ? undefined : (f) => (f.id === undefined ? undefined : newer.get(f.id));
}

/**
 * Whether a finding's package, at its version, is one the previous audit's packages did not hold.
 * A release from outside the index (StoredPackage.outsideIndex) was not kept before such releases
 * were rated: when the previous packages hold none, its absence says nothing about when it came,
 * and its findings are new advisories to the repository, not a dependency just added.
 */
export function newIn(previous: readonly StoredPackage[], current: readonly StoredPackage[] = []): (f: Finding) => boolean {
  const held = new Set(previous.map((p) => packageAt(p.name, p.version)));
  const keptOutsideIndex = previous.some((p) => p.outsideIndex === true);
  const outsideIndex = new Set(current.filter((p) => p.outsideIndex === true).map((p) => packageAt(p.name, p.version)));
  return (f) => {
    if (f.package === null || f.version === null) return false;
    const at = packageAt(f.package, f.version);
    if (held.has(at)) return false;
    return keptOutsideIndex || !outsideIndex.has(at);
  };
}

const packageAt = (name: string, version: string) => `${name.toLowerCase()}@${version}`;

/**
 * Whether a path may still be in the commit: read, listed but not downloaded (`exclude:` keeps it
 * out), or named by a problem of the snapshot (a blob
 * that could not be fetched, one over the size limit, a folder whose listing was cut short). A file
 * the snapshot could not read is not known to be gone, so its findings are never called fixed.
 */
export function stillInTree(snapshot: { files: readonly { path: string }[]; excluded?: readonly { path: string }[]; errors: readonly { path: string | null }[] }): (path: string) => boolean {
  const files = new Set([...snapshot.files, ...(snapshot.excluded ?? [])].map((f) => f.path));
  const unread = snapshot.errors.flatMap((e) => (e.path === null ? [] : [e.path]));
  return (path) => files.has(path) || unread.some((u) => path === u || path.startsWith(`${u}/`));
}

/**
 * Why a finding missing from an audit is closed without being fixed: one of the files it was seen in
 * is still in the tree but excluded by an `exclude:` entry of this audit (`excluded by .depwatch.yml
 * (test data)`); null when none is (it is gone from what was read: fixed, or its file removed).
 */
export function excludedReason(exclusions: readonly Exclusion[], present: (path: string) => boolean): (f: Finding) => string | null {
  if (exclusions.length === 0) return () => null;
  const excludedBy = excluder(exclusions);
  return (f) => {
    for (const file of findingFiles(f)) {
      const rule = present(file) ? excludedBy(file) : null;
      if (rule) return `excluded by ${rule.source} (${rule.reason})`;
    }
    return null;
  };
}

/** The closing reason of each ignored finding, by finding key. */
export function ignoredReasons(ignored: readonly Finding[]): ReadonlyMap<string, string> {
  const reasons = new Map<string, string>();
  for (const f of ignored) if (f.ignoredBy) reasons.set(findingKey(f), ignoredReason(f.ignoredBy));
  return reasons;
}

/** An ignore's reason first (the finding was read and is there), then the exclusion's, if any. */
function closedReasonOf(ignored: ReadonlyMap<string, string>, excluded: (f: Finding) => string | null = () => null): (f: Finding) => string | null {
  return (f) => ignored.get(findingKey(f)) ?? excluded(f);
}

/** Every file a finding was seen in: its primary place and, for vulnerabilities, every pin or lock entry. */
export function findingFiles(f: Finding): string[] {
  const locations = Array.isArray(f.details?.locations) ? f.details.locations.filter((l): l is string => typeof l === 'string').map((l) => l.replace(/:\d+$/, '')) : [];
  return [...new Set([...(f.file ? [f.file] : []), ...locations])];
}

/**
 * The packages to store after an audit: those read now, plus the previous audit's entries in files
 * not read this time (a lockfile that became unparseable still pins what it pinned, as far as
 * anyone knows), so re-matching keeps finding new advisories for them.
 */
export function keepUnreadPackages(current: StoredPackage[], previous: StoredPackage[], unread: (file: string) => boolean): StoredPackage[] {
  const byKey = new Map(current.map((p) => [`${p.name}@${p.version}`, { ...p, entries: [...p.entries] }]));
  for (const p of previous) {
    const kept = p.entries.filter((e) => unread(e.file));
    if (kept.length === 0) continue;
    const key = `${p.name}@${p.version}`;
    const now = byKey.get(key);
    if (now) {
      for (const e of kept.filter((e) => !now.entries.some((x) => x.file === e.file && x.line === e.line))) now.entries.push(e);
      now.direct ||= kept.some((e) => e.direct && e.kind !== 'constraint');
    } else {
      byKey.set(key, { name: p.name, version: p.version, direct: kept.some((e) => e.direct && e.kind !== 'constraint'), entries: kept });
    }
  }
  return [...byKey.values()];
}

/** A fleet shares a few marks: the change log is asked once per mark per sweep, not once per repository. */
function memoisedChanges(source: AdvisorySource): (mark: string) => ReadonlySet<string> | null {
  const changes = new Map<string, ReadonlySet<string> | null>();
  return (mark) => {
    if (!changes.has(mark)) changes.set(mark, source.changedSince?.(mark) ?? null);
    return changes.get(mark)!;
  };
}

/** The re-match runs once per batch of heads: the same warning from several batches is reported once. */
function warnOnce(result: SweepResult, warning: string): void {
  if (!result.warnings.includes(warning)) result.warnings.push(warning);
}

type UnchangedRepo = { key: string; state: RepoStateRow; head: Extract<HeadResult, { ok: true }> };

/**
 * Re-matches unchanged repositories' stored packages against the advisories, in one job: with a
 * change log, only the packages whose advisories changed since each repository's last match (and
 * only their findings may close); without one, or when the mark cannot be trusted, all of them.
 * Repositories with nothing to re-match cost no advisory request and no matching.
 */
async function rematch(options: ResolvedOptions, repos: UnchangedRepo[], result: SweepResult, advisoryMark: string | null, changedSince: (mark: string) => ReadonlySet<string> | null): Promise<void> {
  if (repos.length === 0) return;
  const now = options.now();
  const planned = repos.map((repo) => {
    const ignores = [...repo.state.ignores, ...(options.repoIgnores?.(repo.key) ?? [])];
    const fingerprint = ignoresFingerprint(ignores, now);
    const plan: RematchPlan = advisoryMark === null ? { kind: 'full' } : planRematch({ stored: repo.state.advisoriesMark, changedSince, ignores: fingerprint, now });
    const packages = plan.kind === 'full' ? repo.state.packages : plan.kind === 'packages' ? repo.state.packages.filter((p) => inPlan(plan, p.name)) : [];
    // A change to packages this repository does not hold leaves nothing to do, as no change does.
    const effective: RematchPlan = plan.kind === 'packages' && packages.length === 0 ? { kind: 'none' } : plan;
    return { ...repo, ignores, fingerprint, plan: effective, packages };
  });
  const markOf = (repo: (typeof planned)[number]): string | null =>
    advisoryMark === null
      ? null
      : encodeMark({ advisories: advisoryMark, ignores: repo.fingerprint, fullAt: repo.plan.kind === 'full' ? now.toISOString() : (lastFullMatch(repo.state.advisoriesMark) ?? now.toISOString()) });

  const toMatch = planned.filter((r) => r.plan.kind !== 'none');
  const upToDate = planned.filter((r) => r.plan.kind === 'none');
  await options.state.markChecked(upToDate.map((repo) => ({ repo: repo.key, private: repo.head.isPrivate, now, advisoriesMark: markOf(repo) })));
  result.upToDate += upToDate.length;
  if (toMatch.length === 0) return;

  const outcome = await (options.runner ?? runHere)
    .rematch({ repos: toMatch.map(({ key, packages, ignores }) => ({ key, packages, ignores })), now }, { advisories: options.advisories, registry: options.registry })
    // The job itself failing (its worker ran out of memory, say) is reported like a source failing.
    .catch((err: unknown) => ({ ok: false as const, warning: `re-matching failed (${errorLine(err)}): unchanged repositories were not re-checked` }));
  if (!outcome.ok) {
    warnOnce(result, outcome.warning);
    for (let i = 0; i < toMatch.length; i++) countPartial(result, ['advisories']);
    // Their marks stay where they were: the next sweep re-checks what this one could not.
    await options.state.markChecked(toMatch.map(({ key, head }) => ({ repo: key, private: head.isPrivate, now })));
    return;
  }
  for (const warning of outcome.warnings) warnOnce(result, warning);
  const found = new Map(outcome.findings.map((r) => [r.key, r]));
  // One commit for the fleet: per-repository commits cost a disk sync each.
  const diffs = await options.state.recordRematches(
    toMatch.map((repo) => {
      const { key, head, plan } = repo;
      return {
        findings: {
          repo: key,
          findings: found.get(key)?.findings ?? [],
          keyOf: findingKey,
          sha: null,
          now,
          kinds: VULNERABILITY_KINDS,
          baseline: false,
          closeMissing: true,
          // A partial re-match vouches only for the packages it matched.
          mayClose: (f: Finding) => (plan.kind !== 'packages' || (f.package !== null && inPlan(plan, f.package))) && options.mayCloseAdvisory(f),
          // Covered by an ignore now (a Slack Ignore…, or the tree's `ignore:` as last read): not fixed.
          closedReason: closedReasonOf(ignoredReasons(found.get(key)?.ignored ?? [])),
        },
        // A re-match with warnings (ratings not looked up), or with data older than its sweep's, is
        // not one to build on: the mark stays.
        checked: { repo: key, private: head.isPrivate, now, ...(outcome.warnings.length === 0 && options.mayCloseAdvisories !== false ? { advisoriesMark: markOf(repo) } : {}) },
      };
    }),
  );
  for (const diff of diffs) {
    collect(result, diff);
    result.rematched++;
    // Advisories not (all) looked up for it: OSV down, ratings unavailable.
    if (outcome.warnings.length > 0) countPartial(result, ['advisories']);
  }
}

/**
 * Runs sweeps for everyone who needs one: a caller that wants data at least as fresh as `since`
 * reuses a sweep that finished after it, or joins the one running, instead of starting another.
 */
export class SweepRunner {
  private running: Promise<SweepResult> | null = null;
  private lastStartedAt: Date | null = null;
  last: SweepResult | null = null;
  /** Runs after each sweep (main.ts: fix pull request states); its failure never fails the sweep. */
  onSwept: (() => Promise<unknown>) | null = null;

  /** `run` is how one sweep is done: here (sweep), or split into jobs any replica may take (src/jobs/sweep-batches.ts). */
  constructor(
    private readonly options: SweepOptions,
    private readonly run: (options: SweepOptions) => Promise<SweepResult> = sweep,
  ) {}

  async ensureFresh(since: Date): Promise<SweepResult> {
    if (this.running) {
      const current = this.running;
      const result = await current;
      if (this.lastStartedAt && this.lastStartedAt.getTime() >= since.getTime()) return result;
    }
    if (this.last && this.last.startedAt.getTime() >= since.getTime()) return this.last;
    return this.runNow();
  }

  runNow(): Promise<SweepResult> {
    if (this.running) return this.running;
    this.lastStartedAt = this.options.now();
    const started = performance.now();
    const end = (outcome: SweepEnd['outcome']) => this.options.onSweepEnd?.({ seconds: (performance.now() - started) / 1000, outcome });
    this.running = this.run(this.options)
      .then(async (r) => {
        this.last = r;
        end(r.failed.length || r.warnings.length ? 'partial' : 'complete');
        // Kept for the alerts and digests to say, not only the metrics and logs.
        await this.options.state.recordSweepProblems(sweepProblemsOf(r), r.finishedAt).catch((err: unknown) => this.options.logger?.warn({ err }, 'could not record the sweep outcome'));
        await this.onSwept?.().catch((err: unknown) => this.options.logger?.warn({ err }, 'after-sweep hook failed'));
        return r;
      })
      .catch((err: unknown) => {
        end('failed');
        throw err;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Waits for a sweep in progress (for shutdown). */
  async idle(): Promise<void> {
    if (this.running) await this.running.catch(() => undefined);
  }
}
