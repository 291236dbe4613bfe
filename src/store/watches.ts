/**
 * The watching tables (migrations/007_watching.sql): watches, channel settings, schedules and
 * ignores, the change log, what each repository was last found to contain, the alert outbox and job
 * runs. Plain synchronous better-sqlite3 calls; every multi-row change is one transaction.
 */
import { parseUnknownAs, type Finding, type RatedSeverity } from '../audit/findings.js';
import type { IgnoreRule } from '../audit/ignores.js';
import type { Dependency } from '../python/types.js';
import type { Statement } from 'better-sqlite3';
import { redactSecrets } from '../redact.js';
import type { Db } from './db.js';
import { planFindings, type FindingsUpdate } from './findings-diff.js';
import { REPO_SUMMARY_COLUMNS, withoutAdvisoryReasons, toAlert, toFinding, toState, toSummary, toWatch, type AlertDbRow, type FindingDbRow, type RepoSummaryDbRow, type StateDbRow, type WatchDbRow } from './watch-rows.js';

export type ScheduleKind = 'weekly' | 'monthly' | 'quarterly' | 'alerts';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['alerts', 'weekly', 'monthly', 'quarterly'];

/** What a channel gets when it watches its first repository (times in the channel's zone). */
export const DEFAULT_SCHEDULES: Record<ScheduleKind, string> = {
  alerts: '0 * * * *', // hourly
  weekly: '0 9 * * 1', // Monday 09:00: dependency updates
  monthly: '0 9 1 * *', // the 1st, 09:00: security review
  quarterly: '0 9 1 1,4,7,10 *', // the 1st of each quarter, 09:00: audit and clean-up
};

export interface WatchRow {
  repo: string;
  channel: string;
  addedBy: string;
  addedAt: string;
  private: boolean;
  adminLinked: boolean;
  /**
   * When the channel was told what the repository already had when it was watched ("Now watching
   * …": src/watch/watch-started.ts); null: not yet (its repository not yet baselined, or told at the
   * channel's next alerts run).
   */
  baselineSaidAt: string | null;
  /**
   * What that message counted (advisory ids, watch-started.ts `viewIdOf`): a finding first seen
   * before the watch and not among them is new to the channel's view when it opens there. Null: not
   * told yet, or told before the list was kept (migrations 040 / postgres 020).
   */
  baselineSaid: string[] | null;
}

export interface ScheduleRow {
  channel: string;
  kind: ScheduleKind;
  cron: string;
  enabled: boolean;
  updatedBy: string;
  updatedAt: string;
}

export interface ChannelIgnore {
  id: number;
  channel: string;
  advisory: string;
  package: string | null;
  reason: string;
  until: string | null;
  createdBy: string;
  createdAt: string;
}

/**
 * A channel's `/audit ignore` as an audit rule, with the same meaning as a `.depwatch.yml` entry;
 * its source names the channel (a reply's notes tell channel rules apart by it). Both stores use it.
 */
export function channelIgnoreRule(ignore: Pick<ChannelIgnore, 'channel' | 'advisory' | 'package' | 'reason' | 'until'>): IgnoreRule {
  return { id: ignore.advisory, reason: ignore.reason, until: ignore.until, package: ignore.package, source: `channel ${ignore.channel}` };
}

export interface ChangeRow {
  id: number;
  at: string;
  userId: string;
  channel: string;
  action: string;
  detail: string;
}

/** One place an installed release is pinned or locked. */
export interface StoredEntry {
  file: string;
  line: number | null;
  kind: Dependency['kind'];
  direct: boolean;
  specifier: string;
  group: string;
}

/** An installed release as the sweep keeps it: enough to re-match advisories without GitHub. */
export interface StoredPackage {
  name: string;
  version: string;
  direct: boolean;
  /** Where it is pinned, the primary place first. */
  entries: StoredEntry[];
  /**
   * Set when no registry entry installs it (a VCS checkout, a URL, a local wheel or sdist:
   * PackageUse.fromRegistry false): rated, but its name is not a PyPI project's use, so it is not
   * counted among the known names. Absent otherwise (and in packages stored before it).
   */
  outsideIndex?: true;
}

export interface RepoStateRow {
  repo: string;
  display: string;
  htmlUrl: string | null;
  private: boolean;
  headOid: string | null;
  auditedSha: string | null;
  auditedAt: string | null;
  packages: StoredPackage[];
  ignores: IgnoreRule[];
  dependencies: number;
  error: string | null;
  /**
   * When a sweep last failed on it. A re-match that clears `error` keeps this, so the order of
   * re-checks (src/watch/sweep.ts rechecksAllowed) remembers a re-check that threw; the next audit
   * stored clears it (audited_at is newer then).
   */
  errorAt: string | null;
  checkedAt: string | null;
  /** What the findings were last matched against (src/watch/rematch-plan.ts); null: unknown. */
  advisoriesMark: string | null;
  /** Why the last sweep audit was partial (empty: it was complete, or the repository was never audited). */
  partialReasons: RepoPartialReason[];
  /**
   * When a sweep first read the advisories for it: its baseline. Null: not yet baselined (never
   * audited, or no audit so far reached the advisories), and the next sweep audits it again.
   */
  baselineAt: string | null;
}

/**
 * One reason a repository's last sweep audit was partial (repo_state.partial_reasons), one line as
 * the /audit reply says it. `advisories`: an advisory source failed, and a clean re-match of the
 * same commit checks again, so it clears that; every other kind stays until the next complete audit
 * (the same commit has the same unread files, and registry data is not looked up again meanwhile).
 */
export interface RepoPartialReason {
  kind: 'unread' | 'no-manifests' | 'data-source' | 'advisories' | 'unscanned';
  text: string;
  /**
   * A source was not reached (PartialReason.transient): a sweep audits the repository again even
   * if it did not move (partial-state.ts needsRecheck). Absent: stored before this was kept.
   */
  transient?: boolean;
  /** Stands for this many reasons of its kind that were not stored (storedPartialReasons); absent: one reason. */
  omitted?: number;
}

/** At most this many reasons are kept per repository, each cut to REASON_TEXT_MAX: what is shown is the first few. */
export const MAX_STORED_REASONS = 20;
export const REASON_TEXT_MAX = 300;

/**
 * Which reasons survive the cut first: a transient one decides whether the next sweep audits the
 * repository again (needsRecheck), and a data-source or advisories one says a whole source was not
 * reached (and what a re-match clears). They are few, while unread lines can be hundreds: cut in the
 * order given, 20 lines that do not parse would push "package registry unavailable" out, and the
 * repository would never be checked again, nor say that PyPI was not.
 */
const cutRank = (r: RepoPartialReason): number => (r.transient === true ? 0 : r.kind === 'data-source' || r.kind === 'advisories' ? 1 : 2);

/**
 * The reasons as stored: all of them when they fit in MAX_STORED_REASONS; otherwise the transient,
 * then the data-source and advisories ones, then the rest in order, kept in the order given, and one
 * reason per kind left out saying how many were (`omitted`, transient if any of them was).
 */
export function storedPartialReasons(reasons: readonly RepoPartialReason[]): RepoPartialReason[] {
  if (reasons.length <= MAX_STORED_REASONS) return [...reasons];
  // Bucketed by rank, each bucket in the order given: the order of the cut without a sort. The
  // number of reasons is the repository's to choose (one per unreadable file), so every step here
  // is one pass over them.
  const byRank: number[][] = [[], [], []];
  reasons.forEach((r, i) => byRank[cutRank(r)]!.push(i));
  const order = byRank.flat();
  // One slot per kind left out is taken by its count; there are at most five kinds, so this ends
  // after at most five passes.
  for (let counts = 1; ; counts++) {
    const kept = new Uint8Array(reasons.length);
    for (const i of order.slice(0, MAX_STORED_REASONS - counts)) kept[i] = 1;
    const leftOut = new Map<RepoPartialReason['kind'], { omitted: number; transient: boolean }>();
    reasons.forEach((r, i) => {
      if (kept[i]) return;
      const left = leftOut.get(r.kind) ?? { omitted: 0, transient: false };
      left.omitted += r.omitted ?? 1;
      left.transient ||= r.transient === true;
      leftOut.set(r.kind, left);
    });
    if (leftOut.size > counts) continue;
    return [
      ...reasons.filter((_, i) => kept[i]),
      ...[...leftOut].map(([kind, { omitted, transient }]) => ({ kind, text: `${omitted} more not kept (only ${MAX_STORED_REASONS} reasons are stored)`, transient, omitted })),
    ];
  }
}

/** Error text as repo_state keeps it: one line, secrets masked, capped (it is shown in Slack). */
export const storedErrorText = (message: string): string => redactSecrets(message).slice(0, REASON_TEXT_MAX);

/** The partial_reasons column's value: null when there is nothing to say. */
export function partialReasonsColumn(reasons: readonly RepoPartialReason[] | undefined): string | null {
  if (!reasons?.length) return null;
  return JSON.stringify(
    storedPartialReasons(reasons).map((r) => ({ kind: r.kind, text: storedErrorText(r.text), ...(r.transient !== undefined ? { transient: r.transient } : {}), ...(r.omitted !== undefined ? { omitted: r.omitted } : {}) })),
  );
}

/**
 * What App Home, alerts, `/watch list` and an alert's "Open fix PR" read of a repository's state:
 * its small columns, without the stored packages and ignore rules (JSON that can be large).
 */
export type RepoSummary = Pick<RepoStateRow, 'repo' | 'display' | 'htmlUrl' | 'private' | 'auditedSha' | 'dependencies' | 'error' | 'checkedAt' | 'partialReasons' | 'baselineAt'>;

export interface FindingRow {
  repo: string;
  key: string;
  kind: Finding['kind'];
  severity: Finding['severity'];
  package: string | null;
  version: string | null;
  advisoryId: string | null;
  finding: Finding;
  firstSeen: string;
  lastSeen: string;
  fixedAt: string | null;
  fixedBySha: string | null;
  /**
   * Why a closed finding was closed without being fixed, in words: `excluded by .depwatch.yml
   * (test data)` (only files `exclude:` keeps out held it, so it is no longer checked), `ignored in
   * .depwatch.yml: <reason>` or `ignored in Slack by <@U…>: <reason>` (still there, accepted); null
   * when it was closed because the audit no longer found it (absent: the same). Never "fixed" when set.
   */
  closedReason?: string | null;
  alertable: boolean;
  /**
   * From when the finding counts as new to a channel that watches its repository, when not
   * `firstSeen`: a baseline finding alerted because its advisory was published or modified after the
   * repository was first watched holds that time (sweep.ts advisoriesSinceWatched), so a channel
   * that watched after it hears of it in its "Now watching" message. Null (absent: the same): firstSeen.
   */
  newSince?: string | null;
  /**
   * When the finding arrived with its dependency: the audit that first saw its package at this
   * version in the repository (added, or moved to it) first saw the finding too. Null (absent: the
   * same) for a new advisory of a dependency that was already there, and for a baseline.
   */
  dependencyAddedAt?: string | null;
}

/**
 * The advisory a finding row is about: the stored column, else the finding's own id (rows stored
 * before the column existed); null for findings that are about no advisory (an empty id counts as none).
 */
export const advisoryIdOf = (row: Pick<FindingRow, 'advisoryId' | 'finding'>): string | null => (row.advisoryId ?? row.finding.id) || null;

export type AlertState = 'recorded' | 'posted' | 'resolved' | 'failed';

/** One repository an alert lists, as it was when the alert was last rendered. */
export interface AffectedRepo {
  repo: string;
  /** The repository's web page (for commit links), when known. */
  repoUrl: string | null;
  version: string | null;
  file: string | null;
  line: number | null;
  url: string | null;
  fix: string;
  fixVersion: string | null;
  /** Set once this repository no longer has the finding. */
  fixedBySha: string | null;
  fixedAt: string | null;
  /**
   * With `fixedAt`: why it is no longer listed as open although nothing fixed it (FindingRow.closedReason:
   * its file excluded, an ignore covering it; or the repository no longer watched or visible in the
   * alert's channel); absent or null when fixed.
   */
  closedReason?: string | null;
  /** The fix pull request opened for this repository (DEPWATCH_FIX_PRS), as last seen. */
  fixPull?: { number: number; url: string; state: 'open' | 'merged' | 'closed' } | null;
  /**
   * The outbox key of the message that said this repository's finding: one message for a dependency
   * the repository newly has and every advisory it brought (src/watch/alerts.ts), when the alert was
   * recorded without a message of its own. Absent: the alert's own message said it.
   */
  announcedWith?: string;
}

export interface AlertRow {
  id: number;
  channel: string;
  advisoryId: string;
  clientKey: string;
  state: AlertState;
  messageTs: string | null;
  affected: AffectedRepo[];
  attempts: number;
  lastError: string | null;
  recordedAt: string;
  postedAt: string | null;
  resolvedAt: string | null;
  updatedAt: string;
}

export interface JobRunRow {
  jobKey: string;
  scheduledFor: string;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'done' | 'failed' | 'interrupted';
  error: string | null;
}

/** The outcome of storing one audit's findings for a repository. */
export interface FindingsDiff {
  added: FindingRow[];
  stillOpen: FindingRow[];
  fixed: FindingRow[];
  /** Closed without being fixed (their files excluded, an ignore covering them); `closedReason` says why. */
  excluded: FindingRow[];
}

const iso = (d: Date) => d.toISOString();

/** GitHub names are case-insensitive: one key per repository, whatever case people type. */
export function repoKeyOf(ref: { owner: string; repo: string; branch?: string | undefined }): string {
  const base = `${ref.owner}/${ref.repo}`.toLowerCase();
  return ref.branch ? `${base}@${ref.branch}` : base;
}

/**
 * The key of a repository as sweeps display it (`Octo/App`, `Octo/App@release`: GitHub's case,
 * then the watched branch as written): the same key repoKeyOf gives its reference.
 */
export function repoKeyOfDisplay(display: string): string {
  const at = display.indexOf('@');
  return at < 0 ? display.toLowerCase() : `${display.slice(0, at).toLowerCase()}${display.slice(at)}`;
}

export class WatchStore {
  private readonly statements = new Map<string, unknown>();

  constructor(readonly db: Db) {}

  /** db.prepare, once per SQL text: sweeps run the same statements thousands of times. */
  private prepare<P extends unknown[] | {} = unknown[], R = unknown>(sql: string): Statement<P, R> {
    let stmt = this.statements.get(sql) as Statement<P, R> | undefined;
    if (!stmt) {
      stmt = this.db.prepare<P, R>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  // ------------------------------------------------------------------ watches

  /** Adds (or refreshes) a watch; returns whether it is new. Applies the default schedules to a new channel. */
  addWatch(input: { repo: string; channel: string; userId: string; private: boolean; adminLinked: boolean; now: Date }): boolean {
    return this.db.transaction(() => {
      const existing = this.prepare('SELECT 1 FROM watches WHERE repo = ? AND channel = ?').get(input.repo, input.channel);
      this.db
        .prepare(
          `INSERT INTO watches (repo, channel, added_by, added_at, private, admin_linked) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (repo, channel) DO UPDATE SET private = excluded.private,
             admin_linked = MAX(watches.admin_linked, excluded.admin_linked)`,
        )
        .run(input.repo, input.channel, input.userId, iso(input.now), input.private ? 1 : 0, input.adminLinked ? 1 : 0);
      this.ensureChannel(input.channel, input.now);
      for (const kind of SCHEDULE_KINDS) {
        this.db
          .prepare('INSERT OR IGNORE INTO watch_schedules (channel, kind, cron, enabled, updated_by, updated_at) VALUES (?, ?, ?, 1, ?, ?)')
          .run(input.channel, kind, DEFAULT_SCHEDULES[kind], 'default', iso(input.now));
      }
      this.logChange(input.now, input.userId, input.channel, existing ? 'rewatch' : 'watch', input.repo);
      return !existing;
    })();
  }

  removeWatch(input: { repo: string; channel: string; userId: string; now: Date }): boolean {
    return this.db.transaction(() => {
      const removed = this.prepare('DELETE FROM watches WHERE repo = ? AND channel = ?').run(input.repo, input.channel).changes > 0;
      if (removed) this.logChange(input.now, input.userId, input.channel, 'unwatch', input.repo);
      return removed;
    })();
  }

  watchesForChannel(channel: string): WatchRow[] {
    return this.db.prepare<[string], WatchDbRow>('SELECT * FROM watches WHERE channel = ? ORDER BY repo').all(channel).map(toWatch);
  }

  /** Every package name the swept repositories use, with how many repositories use it (the typosquat rule's known names). */
  packageUsage(): Array<{ name: string; repos: number }> {
    const counts = new Map<string, number>();
    for (const row of this.db.prepare<[], { packages_json: string | null }>('SELECT packages_json FROM repo_state WHERE packages_json IS NOT NULL').iterate()) {
      let packages: unknown;
      try {
        packages = JSON.parse(row.packages_json ?? '[]');
      } catch {
        continue;
      }
      if (!Array.isArray(packages)) continue;
      const names = new Set<string>();
      for (const p of packages) {
        const pkg = p as { name?: unknown; outsideIndex?: unknown } | null;
        if (typeof pkg?.name === 'string' && pkg.outsideIndex !== true) names.add(pkg.name);
      }
      for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return [...counts].map(([name, repos]) => ({ name, repos }));
  }

  /** Every watch, by repository then channel. */
  allWatches(): WatchRow[] {
    return this.db.prepare<[], WatchDbRow>('SELECT * FROM watches ORDER BY repo, channel').all().map(toWatch);
  }

  /** The watches of one repository (store key), every channel. */
  watchesOfRepo(repo: string): WatchRow[] {
    return this.db.prepare<[string], WatchDbRow>('SELECT * FROM watches WHERE repo = ? ORDER BY channel').all(repo).map(toWatch);
  }

  /** Every watched repository, once. */
  watchedRepos(): string[] {
    return this.db
      .prepare<[], { repo: string }>('SELECT DISTINCT repo FROM watches ORDER BY repo')
      .all()
      .map((r) => r.repo);
  }

  // ------------------------------------------------------------------ channel settings

  private ensureChannel(channel: string, now: Date): void {
    this.prepare('INSERT OR IGNORE INTO watch_channels (channel, time_zone, updated_by, updated_at) VALUES (?, NULL, NULL, ?)').run(channel, iso(now));
  }

  channelTimeZone(channel: string): string | null {
    return this.prepare<[string], { time_zone: string | null }>('SELECT time_zone FROM watch_channels WHERE channel = ?').get(channel)?.time_zone ?? null;
  }

  /** How the channel counts unrated advisories (`/audit settings unknown-as`); null: the default. */
  channelUnknownAs(channel: string): RatedSeverity | null {
    const stored = this.prepare<[string], { unknown_as: string | null }>('SELECT unknown_as FROM watch_channels WHERE channel = ?').get(channel)?.unknown_as;
    return stored ? parseUnknownAs(stored) : null;
  }

  setChannelUnknownAs(channel: string, level: RatedSeverity, userId: string, now: Date): void {
    this.db.transaction(() => {
      this.ensureChannel(channel, now);
      this.prepare('UPDATE watch_channels SET unknown_as = ?, updated_by = ?, updated_at = ? WHERE channel = ?').run(level, userId, iso(now), channel);
      this.logChange(now, userId, channel, 'unknown-as', level);
    })();
  }

  setChannelTimeZone(channel: string, timeZone: string, userId: string, now: Date): void {
    this.db.transaction(() => {
      this.ensureChannel(channel, now);
      this.prepare('UPDATE watch_channels SET time_zone = ?, updated_by = ?, updated_at = ? WHERE channel = ?').run(timeZone, userId, iso(now), channel);
      this.logChange(now, userId, channel, 'time-zone', timeZone);
    })();
  }

  schedulesForChannel(channel: string): ScheduleRow[] {
    return this.readSchedules('SELECT * FROM watch_schedules WHERE channel = ? ORDER BY kind', channel);
  }

  /** Enabled schedules of channels that watch something: what the scheduler runs. */
  activeSchedules(): ScheduleRow[] {
    return this.readSchedules('SELECT s.* FROM watch_schedules s WHERE s.enabled = 1 AND EXISTS (SELECT 1 FROM watches w WHERE w.channel = s.channel) ORDER BY s.channel, s.kind');
  }

  private readSchedules(sql: string, ...params: string[]): ScheduleRow[] {
    return this.db
      .prepare<string[], { channel: string; kind: string; cron: string; enabled: number; updated_by: string; updated_at: string }>(sql)
      .all(...params)
      .map((r) => ({ channel: r.channel, kind: r.kind as ScheduleKind, cron: r.cron, enabled: r.enabled === 1, updatedBy: r.updated_by, updatedAt: r.updated_at }));
  }

  setSchedule(input: { channel: string; kind: ScheduleKind; cron: string | null; userId: string; now: Date }): void {
    this.db.transaction(() => {
      this.ensureChannel(input.channel, input.now);
      const current = this.schedulesForChannel(input.channel).find((s) => s.kind === input.kind);
      const cron = input.cron ?? current?.cron ?? DEFAULT_SCHEDULES[input.kind];
      this.db
        .prepare(
          `INSERT INTO watch_schedules (channel, kind, cron, enabled, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (channel, kind) DO UPDATE SET cron = excluded.cron, enabled = excluded.enabled,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        )
        .run(input.channel, input.kind, cron, input.cron === null ? 0 : 1, input.userId, iso(input.now));
      this.logChange(input.now, input.userId, input.channel, 'schedule', `${input.kind} ${input.cron ?? 'off'}`);
    })();
  }

  // ------------------------------------------------------------------ ignores

  addIgnore(input: { channel: string; advisory: string; package: string | null; reason: string; until: string | null; userId: string; now: Date }): void {
    this.db.transaction(() => {
      this.db
        .prepare("DELETE FROM channel_ignores WHERE channel = ? AND advisory = ? COLLATE NOCASE AND IFNULL(package, '') = ?")
        .run(input.channel, input.advisory, input.package ?? '');
      this.db
        .prepare('INSERT INTO channel_ignores (channel, advisory, package, reason, until, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(input.channel, input.advisory, input.package, input.reason, input.until, input.userId, iso(input.now));
      this.logChange(input.now, input.userId, input.channel, 'ignore', `${input.advisory}${input.package ? ` (${input.package})` : ''} until ${input.until ?? 'forever'}: ${input.reason}`);
    })();
  }

  removeIgnore(input: { channel: string; advisory: string; userId: string; now: Date }): number {
    return this.db.transaction(() => {
      const n = this.prepare('DELETE FROM channel_ignores WHERE channel = ? AND advisory = ? COLLATE NOCASE').run(input.channel, input.advisory).changes;
      if (n > 0) this.logChange(input.now, input.userId, input.channel, 'unignore', input.advisory);
      return n;
    })();
  }

  ignoresForChannel(channel: string): ChannelIgnore[] {
    return this.db
      .prepare<[string], { id: number; channel: string; advisory: string; package: string | null; reason: string; until: string | null; created_by: string; created_at: string }>(
        'SELECT * FROM channel_ignores WHERE channel = ? ORDER BY advisory',
      )
      .all(channel)
      .map((r) => ({ id: r.id, channel: r.channel, advisory: r.advisory, package: r.package, reason: r.reason, until: r.until, createdBy: r.created_by, createdAt: r.created_at }));
  }

  /** A channel's ignores as audit rules, with the same meaning as `.depwatch.yml` entries. */
  ignoreRulesForChannel(channel: string): IgnoreRule[] {
    return this.ignoresForChannel(channel).map(channelIgnoreRule);
  }

  // ------------------------------------------------------------------ change log

  logChange(now: Date, userId: string, channel: string, action: string, detail: string): void {
    this.prepare('INSERT INTO watch_changes (at, user_id, channel, action, detail) VALUES (?, ?, ?, ?, ?)').run(iso(now), userId, channel, action, detail);
  }

  changes(channel: string, limit = 50): ChangeRow[] {
    return this.db
      .prepare<[string, number], { id: number; at: string; user_id: string; channel: string; action: string; detail: string }>(
        'SELECT * FROM watch_changes WHERE channel = ? ORDER BY id DESC LIMIT ?',
      )
      .all(channel, limit)
      .map((r) => ({ id: r.id, at: r.at, userId: r.user_id, channel: r.channel, action: r.action, detail: r.detail }));
  }

  // ------------------------------------------------------------------ repository state

  repoState(repo: string): RepoStateRow | null {
    const r = this.db
      .prepare<[string], StateDbRow>('SELECT * FROM repo_state WHERE repo = ?')
      .get(repo);
    return r ? toState(r) : null;
  }

  repoStates(repos: readonly string[]): Map<string, RepoStateRow> {
    return this.eachRepo(repos, this.prepare<[string], StateDbRow>('SELECT * FROM repo_state WHERE repo = ?'), toState);
  }

  repoSummaries(repos: readonly string[]): Map<string, RepoSummary> {
    return this.eachRepo(repos, this.prepare<[string], RepoSummaryDbRow>(`SELECT ${REPO_SUMMARY_COLUMNS} FROM repo_state WHERE repo = ?`), toSummary);
  }

  /** One row per repository asked for, in the order asked (those with no row left out). */
  private eachRepo<Row, T>(repos: readonly string[], stmt: Statement<[string], Row>, convert: (row: Row) => T): Map<string, T> {
    const out = new Map<string, T>();
    for (const repo of repos) {
      const row = stmt.get(repo);
      if (row) out.set(repo, convert(row));
    }
    return out;
  }

  /** Records a full audit of `sha`; `advisoriesMark`: what its findings were matched against (absent: unknown). */
  saveAudit(input: { repo: string; display: string; htmlUrl: string; private: boolean; sha: string; packages: StoredPackage[]; ignores: IgnoreRule[]; dependencies: number; now: Date; advisoriesMark?: string | null; partialReasons?: readonly RepoPartialReason[]; advisoriesRead?: boolean }): void {
    this.db
      .prepare(
        `INSERT INTO repo_state (repo, display, html_url, private, head_oid, audited_sha, audited_at, packages_json, ignores_json, dependencies, error, error_at, checked_at, advisories_mark, partial_reasons, baseline_at)
         VALUES (@repo, @display, @htmlUrl, @private, @sha, @sha, @now, @packages, @ignores, @dependencies, NULL, NULL, @now, @mark, @partial, @baselineAt)
         ON CONFLICT (repo) DO UPDATE SET display = excluded.display, html_url = excluded.html_url, private = excluded.private,
           head_oid = excluded.head_oid, audited_sha = excluded.audited_sha, audited_at = excluded.audited_at,
           packages_json = excluded.packages_json, ignores_json = excluded.ignores_json, dependencies = excluded.dependencies,
           error = NULL, error_at = NULL, checked_at = excluded.checked_at, advisories_mark = excluded.advisories_mark,
           partial_reasons = excluded.partial_reasons, baseline_at = COALESCE(repo_state.baseline_at, excluded.baseline_at)`,
      )
      .run({
        repo: input.repo,
        display: input.display,
        htmlUrl: input.htmlUrl,
        private: input.private ? 1 : 0,
        sha: input.sha,
        now: iso(input.now),
        packages: JSON.stringify(input.packages),
        ignores: JSON.stringify(input.ignores),
        dependencies: input.dependencies,
        mark: input.advisoriesMark ?? null,
        partial: partialReasonsColumn(input.partialReasons),
        baselineAt: input.advisoriesRead ? iso(input.now) : null,
      });
  }

  /**
   * A sweep looked at the repository and it had not moved; `advisoriesMark`, when given, is what its
   * findings are now matched against (absent: the mark stays as it was).
   */
  markChecked(repo: string, input: { private: boolean; now: Date; advisoriesMark?: string | null }): void {
    if (input.advisoriesMark === undefined) {
      this.prepare('UPDATE repo_state SET private = ?, error = NULL, checked_at = ? WHERE repo = ?').run(input.private ? 1 : 0, iso(input.now), repo);
      return;
    }
    // A mark is given only after a clean match (src/watch/sweep.ts rematch): what an advisory source
    // failing left unchecked has now been checked. Filtered here, not in SQL, as on PostgreSQL: a
    // damaged value stays as it is rather than failing the fleet's re-match transaction.
    const row = this.prepare<[string], { partial_reasons: string | null }>('SELECT partial_reasons FROM repo_state WHERE repo = ?').get(repo);
    this.prepare('UPDATE repo_state SET private = ?, error = NULL, checked_at = ?, advisories_mark = ?, partial_reasons = ? WHERE repo = ?').run(
      input.private ? 1 : 0,
      iso(input.now),
      input.advisoriesMark,
      withoutAdvisoryReasons(row?.partial_reasons),
      repo,
    );
  }

  /** Runs `work` as one transaction: a sweep's bookkeeping for a fleet costs one commit, not one per repository. */
  inTransaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  markError(repo: string, message: string, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO repo_state (repo, display, error, error_at, checked_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (repo) DO UPDATE SET error = excluded.error, error_at = excluded.error_at, checked_at = excluded.checked_at`,
      )
      .run(repo, repo, storedErrorText(message), iso(now), iso(now));
  }

  // ------------------------------------------------------------------ findings

  /**
   * Stores what one audit found and diffs it against what was open: new, still open, fixed. Only
   * findings of `kinds` take part (a re-match of advisories touches vulnerabilities only). Findings of
   * a repository's first audit are its baseline: stored, but never alerted.
   */
  applyFindings(input: FindingsUpdate): FindingsDiff {
    const at = iso(input.now);
    return this.db.transaction(() => {
      const open = this.prepare<[string], FindingDbRow>('SELECT * FROM repo_findings WHERE repo = ? AND fixed_at IS NULL')
        .all(input.repo)
        .map((r) => ({ ...toFinding(r), json: r.json }));
      const plan = planFindings(open, input);
      // A finding closed without a fix (its file excluded, an ignore covering it) comes back as it was:
      // the day it was first seen and whether it alerts kept, never announced as new.
      const upsert = this.prepare(
        `INSERT INTO repo_findings (repo, key, kind, severity, package, version, advisory_id, json, first_seen, last_seen, fixed_at, fixed_by_sha, alertable, dependency_added_at, new_since)
         VALUES (@repo, @key, @kind, @severity, @package, @version, @advisory, @json, @at, @at, NULL, NULL, @alertable, @dependencyAddedAt, @newSince)
         ON CONFLICT (repo, key) DO UPDATE SET severity = excluded.severity, json = excluded.json, last_seen = excluded.last_seen,
           first_seen = CASE WHEN repo_findings.fixed_at IS NULL OR repo_findings.closed_reason IS NOT NULL THEN repo_findings.first_seen ELSE excluded.first_seen END,
           alertable = CASE WHEN repo_findings.fixed_at IS NULL OR repo_findings.closed_reason IS NOT NULL THEN repo_findings.alertable ELSE excluded.alertable END,
           dependency_added_at = CASE WHEN repo_findings.fixed_at IS NULL OR repo_findings.closed_reason IS NOT NULL THEN repo_findings.dependency_added_at ELSE excluded.dependency_added_at END,
           new_since = CASE WHEN repo_findings.fixed_at IS NULL OR repo_findings.closed_reason IS NOT NULL THEN repo_findings.new_since ELSE excluded.new_since END,
           fixed_at = NULL, fixed_by_sha = NULL, closed_reason = NULL`,
      );
      for (const { key, finding, json, alertable, dependencyAddedAt, newSince } of plan.writes) {
        upsert.run({ repo: input.repo, key, kind: finding.kind, severity: finding.severity, package: finding.package, version: finding.version, advisory: finding.id ?? null, json, at, alertable: alertable ? 1 : 0, dependencyAddedAt, newSince });
      }
      const close = this.prepare('UPDATE repo_findings SET fixed_at = ?, fixed_by_sha = ?, closed_reason = ? WHERE repo = ? AND key = ?');
      for (const { key, reason } of plan.closes) close.run(at, reason === null ? input.sha : null, reason, input.repo, key);
      return plan.diff;
    })();
  }

  openFindings(repo: string): FindingRow[] {
    return this.prepare<[string], FindingDbRow>('SELECT * FROM repo_findings WHERE repo = ? AND fixed_at IS NULL ORDER BY key').all(repo).map(toFinding);
  }

  /** How many open findings of these kinds each repository has (absent: none). */
  openCounts(repos: readonly string[], kinds: readonly string[]): Map<string, number> {
    if (repos.length === 0 || kinds.length === 0) return new Map();
    const rows = this.prepare<[string, string], { repo: string; n: number }>(
      `SELECT repo, COUNT(*) AS n FROM repo_findings
       WHERE repo IN (SELECT value FROM json_each(?)) AND fixed_at IS NULL AND kind IN (SELECT value FROM json_each(?))
       GROUP BY repo`,
    ).all(JSON.stringify(repos), JSON.stringify(kinds));
    return new Map(rows.map((r) => [r.repo, r.n]));
  }

  /** Every finding (open or fixed) of these repositories, optionally of some kinds only. */
  findingsFor(repos: readonly string[], kinds?: readonly string[]): FindingRow[] {
    if (repos.length === 0) return [];
    const out: FindingRow[] = [];
    const stmt = this.prepare<[string], FindingDbRow>('SELECT * FROM repo_findings WHERE repo = ? ORDER BY key');
    for (const repo of repos) for (const r of stmt.all(repo)) if (!kinds || kinds.includes(r.kind)) out.push(toFinding(r));
    return out;
  }

  /** Open and fixed findings of an advisory in these repositories (an alert's rows). */
  findingsForAdvisory(advisoryId: string, repos: readonly string[]): FindingRow[] {
    const wanted = new Set(repos);
    return this.db
      .prepare<[string], FindingDbRow>('SELECT * FROM repo_findings WHERE advisory_id = ? ORDER BY repo, key')
      .all(advisoryId)
      .map(toFinding)
      .filter((r) => wanted.has(r.repo));
  }

  // ------------------------------------------------------------------ alert outbox

  alertsForChannel(channel: string): AlertRow[] {
    return this.prepare<[string], AlertDbRow>('SELECT * FROM watch_alerts WHERE channel = ? ORDER BY id').all(channel).map(toAlert);
  }

  alert(id: number): AlertRow | null {
    const r = this.prepare<[number], AlertDbRow>('SELECT * FROM watch_alerts WHERE id = ?').get(id);
    return r ? toAlert(r) : null;
  }

  /** Writes the alert as `recorded` before anything is posted. Returns the row (existing one if raced). */
  recordAlert(input: { channel: string; advisoryId: string; affected: AffectedRepo[]; now: Date }): AlertRow {
    const at = iso(input.now);
    const clientKey = `${input.channel}:${input.advisoryId}`;
    this.db
      .prepare(
        `INSERT OR IGNORE INTO watch_alerts (channel, advisory_id, client_key, state, affected_json, recorded_at, updated_at)
         VALUES (?, ?, ?, 'recorded', ?, ?, ?)`,
      )
      .run(input.channel, input.advisoryId, clientKey, JSON.stringify(input.affected), at, at);
    return toAlert(this.prepare<[string], AlertDbRow>('SELECT * FROM watch_alerts WHERE client_key = ?').get(clientKey)!);
  }

  markAlertPosted(id: number, ts: string, affected: AffectedRepo[], now: Date): void {
    this.db
      .prepare("UPDATE watch_alerts SET state = 'posted', message_ts = ?, affected_json = ?, posted_at = COALESCE(posted_at, ?), resolved_at = NULL, last_error = NULL, updated_at = ? WHERE id = ?")
      .run(ts, JSON.stringify(affected), iso(now), iso(now), id);
  }

  /** The alert's list changed (a repository fixed or newly hit): reopened if it was resolved. */
  updateAlertAffected(id: number, affected: AffectedRepo[], now: Date): void {
    this.db
      .prepare("UPDATE watch_alerts SET state = CASE state WHEN 'resolved' THEN 'posted' ELSE state END, affected_json = ?, resolved_at = NULL, updated_at = ? WHERE id = ?")
      .run(JSON.stringify(affected), iso(now), id);
  }

  /** The outbox delivered the alert's post: its message ts (a recorded alert becomes posted). */
  recordAlertMessage(id: number, ts: string, now: Date): void {
    this.db
      .prepare("UPDATE watch_alerts SET message_ts = ?, posted_at = COALESCE(posted_at, ?), state = CASE state WHEN 'recorded' THEN 'posted' ELSE state END, last_error = NULL, updated_at = ? WHERE id = ?")
      .run(ts, iso(now), iso(now), id);
  }

  markAlertResolved(id: number, affected: AffectedRepo[], now: Date): void {
    this.prepare("UPDATE watch_alerts SET state = 'resolved', affected_json = ?, resolved_at = ?, last_error = NULL, updated_at = ? WHERE id = ?").run(JSON.stringify(affected), iso(now), iso(now), id);
  }

  markAlertFailure(id: number, error: string, giveUp: boolean, now: Date): void {
    this.db
      .prepare(`UPDATE watch_alerts SET attempts = attempts + 1, last_error = ?, state = CASE WHEN ? THEN 'failed' ELSE state END, updated_at = ? WHERE id = ?`)
      .run(error, giveUp ? 1 : 0, iso(now), id);
  }

  // ------------------------------------------------------------------ job runs

  /**
   * Claims a run of `jobKey` for the slot; false when the slot was already run (or is running).
   * `retake`: a run of the slot that ended `interrupted` (its process died) or `failed` is claimed
   * again, for jobs whose rerun cannot repeat what the first run did (digests: their outbox rows
   * are keyed by the slot).
   */
  claimJobRun(jobKey: string, scheduledFor: Date, now: Date, options: { retake?: boolean } = {}): boolean {
    return (
      this.prepare(
        `INSERT INTO job_runs (job_key, scheduled_for, started_at, status) VALUES (?, ?, ?, 'running')
         ON CONFLICT (job_key, scheduled_for) DO UPDATE SET started_at = excluded.started_at, status = 'running', finished_at = NULL, error = NULL
         WHERE ? AND job_runs.status IN ('interrupted', 'failed')`,
      ).run(jobKey, iso(scheduledFor), iso(now), options.retake ? 1 : 0).changes > 0
    );
  }

  finishJobRun(jobKey: string, scheduledFor: Date, now: Date, error?: string): void {
    this.db
      .prepare('UPDATE job_runs SET finished_at = ?, status = ?, error = ? WHERE job_key = ? AND scheduled_for = ?')
      .run(iso(now), error ? 'failed' : 'done', error ?? null, jobKey, iso(scheduledFor));
  }

  hasJobRun(jobKey: string, scheduledFor: Date): boolean {
    return this.prepare('SELECT 1 FROM job_runs WHERE job_key = ? AND scheduled_for = ?').get(jobKey, iso(scheduledFor)) !== undefined;
  }

  jobRuns(jobKey: string): JobRunRow[] {
    return this.db
      .prepare<[string], { job_key: string; scheduled_for: string; started_at: string; finished_at: string | null; status: string; error: string | null }>(
        'SELECT * FROM job_runs WHERE job_key = ? ORDER BY scheduled_for',
      )
      .all(jobKey)
      .map((r) => ({ jobKey: r.job_key, scheduledFor: r.scheduled_for, startedAt: r.started_at, finishedAt: r.finished_at, status: r.status as JobRunRow['status'], error: r.error }));
  }

  /**
   * Deletes the records of finished runs whose slot is before `before` (the catch-up lookback: no
   * catch-up asks for such a slot again); returns how many.
   */
  pruneJobRuns(before: Date): number {
    return this.prepare("DELETE FROM job_runs WHERE scheduled_for < ? AND status != 'running'").run(iso(before)).changes;
  }

  /** Runs left `running` by a process that died: marked so they are not mistaken for live ones. */
  markInterruptedRuns(now: Date): number {
    return this.prepare("UPDATE job_runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'").run(iso(now)).changes;
  }
}
