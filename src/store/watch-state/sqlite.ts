/**
 * The watch state on SQLite: the synchronous WatchStore and SqliteOutbox behind the async
 * interface, unchanged underneath. Each multi-row method is one better-sqlite3 transaction (the
 * work inside is synchronous, so nothing else interleaves; a nested WatchStore transaction becomes
 * a savepoint of it).
 */
import { PackageHealthStore } from '../package-health.js';
import type { HealthSnapshot } from '../../packages/health-snapshot.js';
import { storeHealth } from '../../ops/health.js';
import type { RatedSeverity } from '../../audit/findings.js';
import type { IgnoreRule } from '../../audit/ignores.js';
import type { OutboundMessage } from '../outbox/types.js';
import { SqliteOutbox } from '../outbox/sqlite.js';
import type { AlertRow, ChannelIgnore, FindingRow, FindingsDiff, RepoStateRow, RepoSummary, ScheduleKind, ScheduleRow, WatchRow, WatchStore } from '../watches.js';
import type { AlertChange, AuditRecord, CheckedRepo, FindingsUpdate, NewWatch, SeenCodeFinding, SweepProblems, WatchStateStore } from './types.js';
import { PULL_LISTING_ID, PULL_NOT_REVIEWED_ID, sameSweepProblems, sweepProblemsColumn, toSweepProblems, type SweepStatusDbRow } from '../watch-rows.js';
import { inOrder } from './types.js';

export class SqliteWatchState implements WatchStateStore {
  readonly dialect = 'sqlite' as const;
  readonly outbox: SqliteOutbox;
  private readonly healthCheck: ReturnType<typeof storeHealth>;
  /** What each channel's weekly digest last showed of package health. */
  private readonly healthBaseline: PackageHealthStore;

  constructor(
    readonly store: WatchStore,
    outbox?: SqliteOutbox,
  ) {
    this.outbox = outbox ?? new SqliteOutbox(store.db);
    this.healthCheck = storeHealth(store.db);
    this.healthBaseline = new PackageHealthStore(store.db);
  }

  private get db() {
    return this.store.db;
  }

  async addWatch(input: NewWatch): Promise<boolean> {
    return this.store.addWatch(input);
  }

  async watchedRepos(): Promise<string[]> {
    return this.store.watchedRepos();
  }

  async watchesForChannel(channel: string): Promise<WatchRow[]> {
    return this.store.watchesForChannel(channel);
  }

  async allWatches(): Promise<WatchRow[]> {
    return this.store.allWatches();
  }

  async packageUsage() {
    return this.store.packageUsage();
  }

  async watchesOfRepo(repo: string): Promise<WatchRow[]> {
    return this.store.watchesOfRepo(repo);
  }

  async removeWatch(input: { repo: string; channel: string; userId: string; now: Date }): Promise<boolean> {
    return this.store.removeWatch(input);
  }

  async channelTimeZone(channel: string): Promise<string | null> {
    return this.store.channelTimeZone(channel);
  }

  async setChannelTimeZone(channel: string, timeZone: string, userId: string, now: Date): Promise<void> {
    this.store.setChannelTimeZone(channel, timeZone, userId, now);
  }

  async schedulesForChannel(channel: string): Promise<ScheduleRow[]> {
    return this.store.schedulesForChannel(channel);
  }

  async activeSchedules(): Promise<ScheduleRow[]> {
    return this.store.activeSchedules();
  }

  async setSchedule(input: { channel: string; kind: ScheduleKind; cron: string | null; userId: string; now: Date }): Promise<void> {
    this.store.setSchedule(input);
  }

  async removeIgnore(input: { channel: string; advisory: string; userId: string; now: Date }): Promise<number> {
    return this.store.removeIgnore(input);
  }

  async ignoresForChannel(channel: string): Promise<ChannelIgnore[]> {
    return this.store.ignoresForChannel(channel);
  }

  async channelUnknownAs(channel: string): Promise<RatedSeverity | null> {
    return this.store.channelUnknownAs(channel);
  }

  async setChannelUnknownAs(channel: string, level: RatedSeverity, userId: string, now: Date): Promise<void> {
    this.store.setChannelUnknownAs(channel, level, userId, now);
  }

  async addIgnore(input: { channel: string; advisory: string; package: string | null; reason: string; until: string | null; userId: string; now: Date }): Promise<void> {
    this.store.addIgnore(input);
  }

  async ignoreRulesForChannel(channel: string): Promise<IgnoreRule[]> {
    return this.store.ignoreRulesForChannel(channel);
  }

  async repoStates(repos: readonly string[]): Promise<Map<string, RepoStateRow>> {
    return this.store.repoStates(repos);
  }

  async repoSummaries(repos: readonly string[]): Promise<Map<string, RepoSummary>> {
    return this.store.repoSummaries(repos);
  }

  async recordAudit(audit: AuditRecord, findings: FindingsUpdate): Promise<FindingsDiff> {
    return this.store.inTransaction(() => {
      this.store.saveAudit(audit);
      return this.store.applyFindings(findings);
    });
  }

  async markChecked(repos: readonly CheckedRepo[]): Promise<void> {
    this.store.inTransaction(() => {
      for (const r of repos) this.store.markChecked(r.repo, r);
    });
  }

  async recordRematches(entries: readonly { findings: FindingsUpdate; checked: CheckedRepo }[]): Promise<FindingsDiff[]> {
    return this.store.inTransaction(() =>
      entries.map(({ findings, checked }) => {
        const diff = this.store.applyFindings(findings);
        this.store.markChecked(checked.repo, checked);
        return diff;
      }),
    );
  }

  async markError(repo: string, message: string, now: Date): Promise<void> {
    this.store.markError(repo, message, now);
  }

  async recordSweepProblems(problems: readonly string[], now: Date): Promise<void> {
    if (problems.length === 0) this.db.prepare(`UPDATE sweep_status SET problems = NULL, recovered_at = @now, updated_at = @now WHERE id = 'sweep' AND problems IS NOT NULL`).run({ now: now.toISOString() });
    // problems_since moves whenever the problems mean something else than the last sweep's (a new
    // run's are new); the same failure with other details keeps it (sameSweepProblems).
    else
      this.store.inTransaction(() => {
        const column = sweepProblemsColumn(problems);
        const stored = this.db.prepare<[], { problems: string | null }>("SELECT problems FROM sweep_status WHERE id = 'sweep'").get();
        this.db.prepare(`INSERT INTO sweep_status (id, problems, since, problems_since, recovered_at, updated_at) VALUES ('sweep', @problems, @now, @now, NULL, @now)
           ON CONFLICT (id) DO UPDATE SET problems = excluded.problems, updated_at = excluded.updated_at,
             since = CASE WHEN sweep_status.problems IS NULL THEN excluded.since ELSE sweep_status.since END,
             problems_since = CASE WHEN @same = 1 THEN sweep_status.problems_since ELSE excluded.problems_since END`).run({ problems: column, now: now.toISOString(), same: sameSweepProblems(stored?.problems ?? null, column) ? 1 : 0 });
      });
  }

  async sweepProblems(): Promise<SweepProblems | null> {
    return toSweepProblems(this.db.prepare<[], SweepStatusDbRow>("SELECT problems, since, problems_since, recovered_at, updated_at FROM sweep_status WHERE id = 'sweep'").get());
  }

  async pullListingProblems(): Promise<string | null> {
    return this.db.prepare<[], { problems: string | null }>(`SELECT problems FROM sweep_status WHERE id = '${PULL_LISTING_ID}'`).get()?.problems ?? null;
  }

  async changePullListingProblems(read: string | null, state: string, messages: readonly OutboundMessage[], now: Date): Promise<number | null> {
    return this.changeKept(PULL_LISTING_ID, read, state, messages, now);
  }

  async pullNotReviewedNotices(): Promise<string | null> {
    return this.db.prepare<[], { problems: string | null }>(`SELECT problems FROM sweep_status WHERE id = '${PULL_NOT_REVIEWED_ID}'`).get()?.problems ?? null;
  }

  async changePullNotReviewedNotices(read: string | null, state: string, messages: readonly OutboundMessage[], now: Date): Promise<number | null> {
    return this.changeKept(PULL_NOT_REVIEWED_ID, read, state, messages, now);
  }

  /** A compare-and-set on one of sweep_status's kept texts, with the messages that say it: null, and nothing written, when the row holds something else than `read`. */
  private changeKept(id: typeof PULL_LISTING_ID | typeof PULL_NOT_REVIEWED_ID, read: string | null, state: string, messages: readonly OutboundMessage[], now: Date): number | null {
    // IMMEDIATE: the write lock is taken before the row is compared, so another process's
    // connection cannot change it in between.
    return this.db
      .transaction(() => {
        const current = this.db.prepare<[string], { problems: string | null }>('SELECT problems FROM sweep_status WHERE id = ?').get(id)?.problems ?? null;
        if (current !== read) return null;
        this.db
          .prepare(`INSERT INTO sweep_status (id, problems, since, recovered_at, updated_at) VALUES (@id, @state, @now, NULL, @now) ON CONFLICT (id) DO UPDATE SET problems = excluded.problems, updated_at = excluded.updated_at`)
          .run({ id, state, now: now.toISOString() });
        return this.outbox.write(messages, now);
      })
      .immediate();
  }

  async openFindings(repo: string): Promise<FindingRow[]> {
    return this.store.openFindings(repo);
  }

  async openCounts(repos: readonly string[], kinds: readonly string[]): Promise<Map<string, number>> {
    return this.store.openCounts(repos, kinds);
  }

  async findingsFor(repos: readonly string[], kinds?: readonly string[]): Promise<FindingRow[]> {
    return this.store.findingsFor(repos, kinds);
  }

  async alertsForChannel(channel: string): Promise<AlertRow[]> {
    return this.store.alertsForChannel(channel);
  }

  async alert(id: number): Promise<AlertRow | null> {
    return this.store.alert(id);
  }

  async recordAlert(input: { channel: string; advisoryId: string; affected: AlertRow['affected']; now: Date }, announce: (alert: AlertRow) => readonly OutboundMessage[]): Promise<AlertRow | null> {
    return this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM watch_alerts WHERE channel = ? AND advisory_id = ?').get(input.channel, input.advisoryId)) return null;
      const row = this.store.recordAlert(input);
      this.outbox.write(announce(row), input.now);
      return row;
    })();
  }

  async changeAlert(alert: AlertRow, change: AlertChange, messages: readonly OutboundMessage[]): Promise<boolean> {
    return this.db.transaction(() => {
      const current = this.store.alert(alert.id);
      if (!current || current.state !== alert.state || JSON.stringify(current.affected) !== JSON.stringify(alert.affected)) return false;
      if (change.resolved) this.store.markAlertResolved(alert.id, change.affected, change.now);
      else this.store.updateAlertAffected(alert.id, change.affected, change.now);
      this.outbox.write(messages, change.now);
      return true;
    })();
  }

  async recordCodeFindings(input: { repo: string; sha: string; findings: readonly SeenCodeFinding[]; now: Date }, announce: (fresh: SeenCodeFinding[]) => readonly OutboundMessage[]): Promise<SeenCodeFinding[]> {
    const insert = this.db.prepare('INSERT INTO code_secrets_alerted (repo, rule, file, fingerprint, first_seen_sha, alerted_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    return this.db.transaction(() => {
      const at = input.now.toISOString();
      const fresh = inOrder(input.findings).filter((f) => insert.run(input.repo, f.rule, f.file, f.fingerprint, input.sha, at).changes > 0);
      if (fresh.length) this.outbox.write(announce(fresh), input.now);
      return fresh;
    })();
  }

  async announce(messages: readonly OutboundMessage[], now: Date): Promise<number> {
    return this.outbox.write(messages, now);
  }

  async recordWatchStarted(input: { repo: string; channel: string; said: readonly string[]; now: Date }, messages: readonly OutboundMessage[]): Promise<boolean> {
    return this.db.transaction(() => {
      const marked = this.db
        .prepare('UPDATE watches SET baseline_said_at = ?, baseline_said_ids = ? WHERE repo = ? AND channel = ? AND baseline_said_at IS NULL')
        .run(input.now.toISOString(), JSON.stringify(input.said), input.repo, input.channel).changes;
      if (marked !== 1) return false;
      this.outbox.write(messages, input.now);
      return true;
    })();
  }

  async healthSeen(channel: string) {
    return this.healthBaseline.seen(channel);
  }

  async recordDigest(messages: readonly OutboundMessage[], health: { channel: string; snapshots: readonly HealthSnapshot[] } | null, now: Date) {
    return this.db.transaction(() => {
      const written = this.outbox.write(messages, now) > 0;
      if (written && health) this.healthBaseline.save(health.channel, health.snapshots, now);
      return written;
    })();
  }

  async recordAlertMessage(id: number, ts: string, now: Date): Promise<void> {
    this.store.recordAlertMessage(id, ts, now);
  }

  async markAlertFailure(id: number, error: string, giveUp: boolean, now: Date): Promise<void> {
    this.store.markAlertFailure(id, error, giveUp, now);
  }

  async health() {
    return this.healthCheck();
  }
}
