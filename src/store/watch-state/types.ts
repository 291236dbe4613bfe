/**
 * The watch state, as the sweep and the alerts need it to alert exactly once: which repositories
 * are watched and by whom, each repository's head and snapshot state, its findings, the alerts of
 * each (advisory, channel) and the Slack outbox that announces them. An async interface with two
 * implementations, like the outbox's (src/store/outbox/types.ts): SQLite (sqlite.ts, the embedded
 * default, wrapping the synchronous WatchStore and its better-sqlite3 transactions) and PostgreSQL
 * (postgres.ts, shared by replicas). Design and the pg-or-Kysely decision: docs/store.md.
 *
 * Every method that changes more than one row is one transaction. The alert methods take the
 * outbox messages that announce the change and write them in that same transaction, so that a
 * state change and its message are never one without the other.
 */
import type { RatedSeverity } from '../../audit/findings.js';
import type { IgnoreRule } from '../../audit/ignores.js';
import type { HealthSnapshot } from '../../packages/health-snapshot.js';
import type { OutboundMessage, OutboxStore } from '../outbox/types.js';
import type { AffectedRepo, AlertRow, ChannelIgnore, FindingRow, FindingsDiff, RepoPartialReason, RepoStateRow, RepoSummary, ScheduleKind, ScheduleRow, StoredPackage, WatchRow } from '../watches.js';

/** A full audit of a repository at `sha` (what WatchStore.saveAudit records). */
export interface AuditRecord {
  repo: string;
  display: string;
  htmlUrl: string;
  private: boolean;
  sha: string;
  packages: StoredPackage[];
  ignores: IgnoreRule[];
  dependencies: number;
  now: Date;
  /** What its findings were matched against; absent or null: unknown (the next sweep re-matches in full). */
  advisoriesMark?: string | null;
  /** Why the audit was partial (absent or empty: complete); replaces what was stored. */
  partialReasons?: readonly RepoPartialReason[];
  /** The audit read the advisories: a repository not yet baselined is baselined now (repo_state.baseline_at, kept once set). */
  advisoriesRead?: boolean;
}

import type { FindingsUpdate } from '../findings-diff.js';
import { compareCodeUnits } from '../../text-order.js';
export type { FindingsUpdate };

/** A sweep looked at a repository and it had not moved; `advisoriesMark` absent: the mark stays. */
export interface CheckedRepo {
  repo: string;
  private: boolean;
  now: Date;
  advisoriesMark?: string | null;
}

/**
 * What sweeps could not do as a whole (sweep_status): the latest run of sweeps that ended partial,
 * since when, and when a complete sweep ended it (null: still going on).
 */
export interface SweepProblems {
  /** The last partial sweep's problems, one line each, the first few of them (empty once recovered). */
  problems: string[];
  /** How many more problems the last partial sweep had than `problems` holds (0 once recovered). */
  more: number;
  since: string;
  /** While the run goes on, since when its problems have been these (`since` when they have not changed). */
  problemsSince: string;
  /** While the run goes on, when its last partial sweep was recorded (`since` while it has had one only). */
  lastAt: string;
  recoveredAt: string | null;
  /** While a run goes on: when the run before it recovered (null: there was none). Null once recovered. */
  previousRecoveredAt: string | null;
}

export interface NewWatch {
  repo: string;
  channel: string;
  userId: string;
  private: boolean;
  adminLinked: boolean;
  now: Date;
}

/** How an alert changes: its list of repositories, and whether every one of them is fixed. */
export interface AlertChange {
  affected: AffectedRepo[];
  resolved: boolean;
  now: Date;
}

/** A code finding's identity in a repository: a secret by its keyed fingerprint, anything else by a hash of what it says. */
export interface SeenCodeFinding {
  rule: string;
  file: string;
  fingerprint: string;
}

/** Code findings in the order both stores record them (by rule, file, fingerprint). */
export function inOrder(findings: readonly SeenCodeFinding[]): SeenCodeFinding[] {
  const key = (f: SeenCodeFinding) => `${f.rule}\0${f.file}\0${f.fingerprint}`;
  return [...findings].sort((a, b) => compareCodeUnits(key(a), key(b)));
}

export interface WatchStateStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** The Slack outbox in the same database: alert changes write their messages to it in their transaction. */
  readonly outbox: OutboxStore;

  // Watches -------------------------------------------------------------------------------------
  /** Adds (or refreshes) a watch; true when it is new. */
  addWatch(input: NewWatch): Promise<boolean>;
  /** Every watched repository, once, in key order. */
  watchedRepos(): Promise<string[]>;
  watchesForChannel(channel: string): Promise<WatchRow[]>;
  /** Every watch, by repository then channel. */
  allWatches(): Promise<WatchRow[]>;
  /** The watches of one repository (store key), every channel. */
  watchesOfRepo(repo: string): Promise<WatchRow[]>;
  /** Every package name the swept repositories use, with how many repositories use it (the typosquat rule's known names). */
  packageUsage(): Promise<Array<{ name: string; repos: number }>>;
  /** Removes a watch; false when there was none. */
  removeWatch(input: { repo: string; channel: string; userId: string; now: Date }): Promise<boolean>;
  /** The channel's time zone for its schedules; null: the default. */
  channelTimeZone(channel: string): Promise<string | null>;
  setChannelTimeZone(channel: string, timeZone: string, userId: string, now: Date): Promise<void>;
  schedulesForChannel(channel: string): Promise<ScheduleRow[]>;
  /** Enabled schedules of channels that watch something: what every replica's scheduler runs. */
  activeSchedules(): Promise<ScheduleRow[]>;
  /** Sets a schedule's cron (null: turns it off, keeping its cron). */
  setSchedule(input: { channel: string; kind: ScheduleKind; cron: string | null; userId: string; now: Date }): Promise<void>;
  /** How the channel counts unrated advisories; null: the default. */
  channelUnknownAs(channel: string): Promise<RatedSeverity | null>;
  setChannelUnknownAs(channel: string, level: RatedSeverity, userId: string, now: Date): Promise<void>;
  /** Ignores `advisory` (or a finding kind) in the channel, replacing an ignore of the same advisory and package. */
  addIgnore(input: { channel: string; advisory: string; package: string | null; reason: string; until: string | null; userId: string; now: Date }): Promise<void>;
  /** Removes the channel's ignores of an advisory (any case, any package); how many. */
  removeIgnore(input: { channel: string; advisory: string; userId: string; now: Date }): Promise<number>;
  ignoresForChannel(channel: string): Promise<ChannelIgnore[]>;
  /** The channel's ignores, as audit rules. */
  ignoreRulesForChannel(channel: string): Promise<IgnoreRule[]>;

  // Repository state ----------------------------------------------------------------------------
  repoStates(repos: readonly string[]): Promise<Map<string, RepoStateRow>>;
  /** The same repositories' small columns only, for readers that need no stored packages or ignore rules. */
  repoSummaries(repos: readonly string[]): Promise<Map<string, RepoSummary>>;
  /**
   * One transaction: the audit's state, then its findings diffed against what was open. The state
   * row is written first, so two replicas auditing the same repository take turns on it and the
   * second one diffs against what the first stored.
   */
  recordAudit(audit: AuditRecord, findings: FindingsUpdate): Promise<FindingsDiff>;
  /** One transaction for all of them (a sweep's bookkeeping for a fleet is one commit). */
  markChecked(repos: readonly CheckedRepo[]): Promise<void>;
  /** One transaction: each re-matched repository's findings, then its check. Diffs in input order. */
  recordRematches(entries: readonly { findings: FindingsUpdate; checked: CheckedRepo }[]): Promise<FindingsDiff[]>;
  markError(repo: string, message: string, now: Date): Promise<void>;
  /**
   * Records how a sweep ended: its problems (empty: complete). Problems after a complete sweep
   * start a new run `since` now (the last run's recovery time is kept, as `previousRecoveredAt`);
   * problems after problems keep its start; a complete sweep after problems marks the run recovered.
   */
  recordSweepProblems(problems: readonly string[], now: Date): Promise<void>;
  /** The latest run of partial sweeps, going on or recovered; null when there never was one. */
  sweepProblems(): Promise<SweepProblems | null>;
  /**
   * What the pull-request reviews could not list at the last sweep, and the notices standing about
   * it (src/watch/pr-review/listing-notice.ts): its text as last recorded, null when never recorded.
   * sweep_status's row `pull-requests`; the store does not read it.
   */
  pullListingProblems(): Promise<string | null>;
  /**
   * Records that text as `state` and writes the `messages` that say it to the outbox, in one
   * transaction, only if the row still holds `read` (what pullListingProblems answered when they
   * were decided): the number of messages that were new, or null when another replica recorded
   * first, and then nothing is written. Two replicas ending sweeps together decide from one read;
   * without the condition both would post, or one would reopen a notice the other had just ended.
   */
  changePullListingProblems(read: string | null, state: string, messages: readonly OutboundMessage[], now: Date): Promise<number | null>;
  /**
   * The messages naming pull requests not reviewed that still stand, per channel
   * (src/watch/pr-review/not-reviewed-notice.ts): its text as last recorded, null when never
   * recorded. sweep_status's row `pull-requests-not-reviewed`; the store does not read it.
   */
  pullNotReviewedNotices(): Promise<string | null>;
  /**
   * Records that text as `state` with the `messages` that say it, as changePullListingProblems
   * does: in one transaction, only if the row still holds `read`; null, and nothing written, when
   * another replica recorded first. Without the condition two replicas ending sweeps together could
   * post two such messages to a channel, or one could edit back a message the other had just said
   * was over (whose "over" edit would then never come: its idempotency key is spent).
   */
  changePullNotReviewedNotices(read: string | null, state: string, messages: readonly OutboundMessage[], now: Date): Promise<number | null>;

  // Findings ------------------------------------------------------------------------------------
  openFindings(repo: string): Promise<FindingRow[]>;
  /** How many open findings of these kinds each repository has (absent: none), in one query for all of them. */
  openCounts(repos: readonly string[], kinds: readonly string[]): Promise<Map<string, number>>;
  /** Every finding (open or fixed) of these repositories, optionally of some kinds only. */
  findingsFor(repos: readonly string[], kinds?: readonly string[]): Promise<FindingRow[]>;

  // Alerts --------------------------------------------------------------------------------------
  alertsForChannel(channel: string): Promise<AlertRow[]>;
  alert(id: number): Promise<AlertRow | null>;
  /**
   * Records the (channel, advisory) alert and the messages `announce` composes for it, in one
   * transaction; null when that alert exists already (recorded earlier, or by another replica just
   * now), and then nothing is written.
   */
  recordAlert(input: { channel: string; advisoryId: string; affected: AffectedRepo[]; now: Date }, announce: (alert: AlertRow) => readonly OutboundMessage[]): Promise<AlertRow | null>;
  /**
   * Changes an alert's list (reopening it if it was resolved) or resolves it, with `messages`, in
   * one transaction, only if the alert is still as `alert` read it (same state and list); false
   * when another writer changed it first, and then nothing is written.
   */
  changeAlert(alert: AlertRow, change: AlertChange, messages: readonly OutboundMessage[]): Promise<boolean>;
  /**
   * Records the code findings a commit of `repo` showed and, for those never recorded for the
   * repository before, the messages `announce` composes, in one transaction. Returns the new ones:
   * two replicas recording the same finding at once find it new once between them.
   */
  recordCodeFindings(input: { repo: string; sha: string; findings: readonly SeenCodeFinding[]; now: Date }, announce: (fresh: SeenCodeFinding[]) => readonly OutboundMessage[]): Promise<SeenCodeFinding[]>;
  /**
   * Records that the channel was told what the repository already had when it watched it
   * (watches.baseline_said_at) with the `messages` that tell it, in one transaction, only if it was
   * not told yet: false, and nothing written, when it was (another replica, an earlier run) or the
   * watch is gone.
   */
  recordWatchStarted(input: { repo: string; channel: string; said: readonly string[]; now: Date }, messages: readonly OutboundMessage[]): Promise<boolean>;
  /** Writes messages to the outbox (a repeated idempotency key changes nothing); how many were new. */
  announce(messages: readonly OutboundMessage[], now: Date): Promise<number>;
  /** What the channel's weekly digest last showed of package health, by package. */
  healthSeen(channel: string): Promise<Map<string, HealthSnapshot>>;
  /**
   * Writes a digest's messages and, when they are new (a rerun of the slot writes nothing), what it
   * showed of package health as the channel's new baseline: one transaction. Whether it was new.
   */
  recordDigest(messages: readonly OutboundMessage[], health: { channel: string; snapshots: readonly HealthSnapshot[] } | null, now: Date): Promise<boolean>;
  /** The outbox delivered the alert's post: its message ts (a recorded alert becomes posted). */
  recordAlertMessage(id: number, ts: string, now: Date): Promise<void>;
  markAlertFailure(id: number, error: string, giveUp: boolean, now: Date): Promise<void>;

  /** Readiness for /healthz: the database answers and its schema is this build's. */
  health(): Promise<{ ok: true } | { ok: false; reason: string }>;
}
