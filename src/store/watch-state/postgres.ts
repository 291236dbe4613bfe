/**
 * The watch state on PostgreSQL (migrations/postgres/003_watch_state.sql), shared by replicas.
 * Parameterised SQL through pg; each multi-row method is one transaction on one pooled client.
 *
 * Exactly once across replicas: an alert is INSERT … ON CONFLICT DO NOTHING RETURNING on the
 * (channel, advisory) unique constraint, and its outbox row is written only by the transaction that
 * inserted it; a change of an alert is a compare-and-set on the state and list it was decided from.
 * An audit writes its repository's state row first: a second replica auditing the same repository
 * waits on that row lock and then diffs against what the first one stored.
 */
import type { HealthSnapshot } from '../../packages/health-snapshot.js';
import { parseUnknownAs, type RatedSeverity } from '../../audit/findings.js';
import type { IgnoreRule } from '../../audit/ignores.js';
import { listMigrations } from '../db.js';
import { schemaMismatchReason, schemaVerdict, type SchemaVerdict } from '../schema-verdict.js';
import { PostgresOutbox } from '../outbox/postgres.js';
import { HEALTH_SEEN_COLUMNS, HEALTH_SEEN_ON_CONFLICT, healthSeenValues, healthSnapshotOf, type HealthSeenRow } from '../package-health.js';
import type { OutboundMessage } from '../outbox/types.js';
import { inTransaction, POSTGRES_MIGRATIONS_DIR, type PgClient, type PgPool } from '../postgres.js';
import { DEFAULT_SCHEDULES, partialReasonsColumn, SCHEDULE_KINDS, storedErrorText, type AffectedRepo, type AlertRow, channelIgnoreRule, type ChannelIgnore, type FindingRow, type FindingsDiff, type RepoStateRow, type RepoSummary, type ScheduleKind, type ScheduleRow, type WatchRow } from '../watches.js';
import type { AlertChange, AuditRecord, CheckedRepo, FindingsUpdate, NewWatch, SeenCodeFinding, SweepProblems, WatchStateStore } from './types.js';
import { inOrder } from './types.js';
import { planFindings } from '../findings-diff.js';
import { PULL_LISTING_ID, PULL_NOT_REVIEWED_ID, sameSweepProblems, sweepProblemsColumn, toSweepProblems, type SweepStatusDbRow } from '../watch-rows.js';
import { REPO_SUMMARY_COLUMNS, withoutAdvisoryReasons, toAlert, toFinding, toState, toSummary, toWatch, type AlertDbRow, type FindingDbRow, type RepoSummaryDbRow, type StateDbRow, type WatchDbRow } from '../watch-rows.js';
import { compareCodeUnits } from '../../text-order.js';

const iso = (d: Date) => d.toISOString();

type Queryable = Pick<PgPool, 'query'> | PgClient;

async function readSchedules(q: Queryable, sql: string, params: unknown[]): Promise<ScheduleRow[]> {
  const res = await q.query<{ channel: string; kind: string; cron: string; enabled: boolean; updated_by: string; updated_at: string }>(sql, params);
  return res.rows.map((r) => ({ channel: r.channel, kind: r.kind as ScheduleKind, cron: r.cron, enabled: r.enabled, updatedBy: r.updated_by, updatedAt: r.updated_at }));
}

async function logChange(q: Queryable, now: Date, userId: string, channel: string, action: string, detail: string): Promise<void> {
  await q.query('INSERT INTO watch_changes (at, user_id, channel, action, detail) VALUES ($1, $2, $3, $4, $5)', [iso(now), userId, channel, action, detail]);
}

async function ensureChannel(q: Queryable, channel: string, now: Date): Promise<void> {
  await q.query('INSERT INTO watch_channels (channel, time_zone, updated_by, updated_at) VALUES ($1, NULL, NULL, $2) ON CONFLICT (channel) DO NOTHING', [channel, iso(now)]);
}


export class PostgresWatchState implements WatchStateStore {
  readonly dialect = 'postgres' as const;
  readonly outbox: PostgresOutbox;
  private readonly expectedVersion: number;

  constructor(readonly pool: PgPool) {
    this.outbox = new PostgresOutbox(pool);
    this.expectedVersion = listMigrations(POSTGRES_MIGRATIONS_DIR).at(-1)?.version ?? 0;
  }

  // ------------------------------------------------------------------ watches

  addWatch(input: NewWatch): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const existing = (await c.query('SELECT 1 FROM watches WHERE repo = $1 AND channel = $2 FOR UPDATE', [input.repo, input.channel])).rowCount ?? 0;
      await c.query(
        `INSERT INTO watches (repo, channel, added_by, added_at, private, admin_linked) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (repo, channel) DO UPDATE SET private = excluded.private, admin_linked = watches.admin_linked OR excluded.admin_linked`,
        [input.repo, input.channel, input.userId, iso(input.now), input.private, input.adminLinked],
      );
      await ensureChannel(c, input.channel, input.now);
      for (const kind of SCHEDULE_KINDS) {
        await c.query(
          `INSERT INTO watch_schedules (channel, kind, cron, enabled, updated_by, updated_at) VALUES ($1, $2, $3, TRUE, 'default', $4)
           ON CONFLICT (channel, kind) DO NOTHING`,
          [input.channel, kind, DEFAULT_SCHEDULES[kind], iso(input.now)],
        );
      }
      await logChange(c, input.now, input.userId, input.channel, existing ? 'rewatch' : 'watch', input.repo);
      return existing === 0;
    });
  }

  async watchedRepos(): Promise<string[]> {
    return (await this.pool.query<{ repo: string }>('SELECT DISTINCT repo FROM watches ORDER BY repo')).rows.map((r) => r.repo);
  }

  async watchesForChannel(channel: string): Promise<WatchRow[]> {
    const res = await this.pool.query<WatchDbRow>(
      'SELECT * FROM watches WHERE channel = $1 ORDER BY repo',
      [channel],
    );
    return res.rows.map(toWatch);
  }

  async allWatches(): Promise<WatchRow[]> {
    return (await this.pool.query<WatchDbRow>('SELECT * FROM watches ORDER BY repo, channel')).rows.map(toWatch);
  }

  async packageUsage() {
    // Counted in the database: 20,000 repositories' package lists never travel to a replica for this.
    const res = await this.pool.query<{ name: string; repos: string }>(
      `SELECT p->>'name' AS name, COUNT(DISTINCT s.repo) AS repos
       FROM repo_state s,
            jsonb_array_elements(CASE WHEN jsonb_typeof(s.packages_json::jsonb) = 'array' THEN s.packages_json::jsonb ELSE '[]'::jsonb END) AS p
       WHERE s.packages_json IS NOT NULL AND jsonb_typeof(p) = 'object' AND jsonb_typeof(p->'name') = 'string'
         AND (p->'outsideIndex') IS DISTINCT FROM 'true'::jsonb
       GROUP BY 1 ORDER BY 1`,
    );
    return res.rows.map((r) => ({ name: r.name, repos: Number(r.repos) }));
  }

  async watchesOfRepo(repo: string): Promise<WatchRow[]> {
    const res = await this.pool.query<WatchDbRow>('SELECT * FROM watches WHERE repo = $1 ORDER BY channel', [repo]);
    return res.rows.map(toWatch);
  }

  removeWatch(input: { repo: string; channel: string; userId: string; now: Date }): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const removed = ((await c.query('DELETE FROM watches WHERE repo = $1 AND channel = $2', [input.repo, input.channel])).rowCount ?? 0) > 0;
      if (removed) await logChange(c, input.now, input.userId, input.channel, 'unwatch', input.repo);
      return removed;
    });
  }

  async channelTimeZone(channel: string): Promise<string | null> {
    return (await this.pool.query<{ time_zone: string | null }>('SELECT time_zone FROM watch_channels WHERE channel = $1', [channel])).rows[0]?.time_zone ?? null;
  }

  setChannelTimeZone(channel: string, timeZone: string, userId: string, now: Date): Promise<void> {
    return inTransaction(this.pool, async (c) => {
      await ensureChannel(c, channel, now);
      await c.query('UPDATE watch_channels SET time_zone = $1, updated_by = $2, updated_at = $3 WHERE channel = $4', [timeZone, userId, iso(now), channel]);
      await logChange(c, now, userId, channel, 'time-zone', timeZone);
    });
  }

  async schedulesForChannel(channel: string): Promise<ScheduleRow[]> {
    return readSchedules(this.pool, 'SELECT * FROM watch_schedules WHERE channel = $1 ORDER BY kind', [channel]);
  }

  async activeSchedules(): Promise<ScheduleRow[]> {
    return readSchedules(this.pool, 'SELECT s.* FROM watch_schedules s WHERE s.enabled AND EXISTS (SELECT 1 FROM watches w WHERE w.channel = s.channel) ORDER BY s.channel, s.kind', []);
  }

  setSchedule(input: { channel: string; kind: ScheduleKind; cron: string | null; userId: string; now: Date }): Promise<void> {
    return inTransaction(this.pool, async (c) => {
      await ensureChannel(c, input.channel, input.now);
      const current = (await c.query<{ cron: string }>('SELECT cron FROM watch_schedules WHERE channel = $1 AND kind = $2 FOR UPDATE', [input.channel, input.kind])).rows[0];
      const cron = input.cron ?? current?.cron ?? DEFAULT_SCHEDULES[input.kind];
      await c.query(
        `INSERT INTO watch_schedules (channel, kind, cron, enabled, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (channel, kind) DO UPDATE SET cron = excluded.cron, enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [input.channel, input.kind, cron, input.cron !== null, input.userId, iso(input.now)],
      );
      await logChange(c, input.now, input.userId, input.channel, 'schedule', `${input.kind} ${input.cron ?? 'off'}`);
    });
  }

  removeIgnore(input: { channel: string; advisory: string; userId: string; now: Date }): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const n = (await c.query('DELETE FROM channel_ignores WHERE channel = $1 AND lower(advisory) = lower($2)', [input.channel, input.advisory])).rowCount ?? 0;
      if (n > 0) await logChange(c, input.now, input.userId, input.channel, 'unignore', input.advisory);
      return n;
    });
  }

  async ignoresForChannel(channel: string): Promise<ChannelIgnore[]> {
    const res = await this.pool.query<{ id: string; channel: string; advisory: string; package: string | null; reason: string; until: string | null; created_by: string; created_at: string }>(
      'SELECT * FROM channel_ignores WHERE channel = $1 ORDER BY advisory',
      [channel],
    );
    return res.rows.map((r) => ({ id: Number(r.id), channel: r.channel, advisory: r.advisory, package: r.package, reason: r.reason, until: r.until, createdBy: r.created_by, createdAt: r.created_at }));
  }

  async channelUnknownAs(channel: string): Promise<RatedSeverity | null> {
    const stored = (await this.pool.query<{ unknown_as: string | null }>('SELECT unknown_as FROM watch_channels WHERE channel = $1', [channel])).rows[0]?.unknown_as;
    return stored ? parseUnknownAs(stored) : null;
  }

  setChannelUnknownAs(channel: string, level: RatedSeverity, userId: string, now: Date): Promise<void> {
    return inTransaction(this.pool, async (c) => {
      await ensureChannel(c, channel, now);
      await c.query('UPDATE watch_channels SET unknown_as = $1, updated_by = $2, updated_at = $3 WHERE channel = $4', [level, userId, iso(now), channel]);
      await logChange(c, now, userId, channel, 'unknown-as', level);
    });
  }

  addIgnore(input: { channel: string; advisory: string; package: string | null; reason: string; until: string | null; userId: string; now: Date }): Promise<void> {
    return inTransaction(this.pool, async (c) => {
      await c.query("DELETE FROM channel_ignores WHERE channel = $1 AND lower(advisory) = lower($2) AND COALESCE(package, '') = $3", [input.channel, input.advisory, input.package ?? '']);
      await c.query('INSERT INTO channel_ignores (channel, advisory, package, reason, until, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        input.channel,
        input.advisory,
        input.package,
        input.reason,
        input.until,
        input.userId,
        iso(input.now),
      ]);
      await logChange(c, input.now, input.userId, input.channel, 'ignore', `${input.advisory}${input.package ? ` (${input.package})` : ''} until ${input.until ?? 'forever'}: ${input.reason}`);
    });
  }

  async ignoreRulesForChannel(channel: string): Promise<IgnoreRule[]> {
    return (await this.ignoresForChannel(channel)).map(channelIgnoreRule);
  }

  // ------------------------------------------------------------------ repository state

  async repoStates(repos: readonly string[]): Promise<Map<string, RepoStateRow>> {
    if (repos.length === 0) return new Map();
    const res = await this.pool.query<StateDbRow>('SELECT * FROM repo_state WHERE repo = ANY($1::text[])', [repos]);
    return inOrderAsked(repos, res.rows, toState);
  }

  async repoSummaries(repos: readonly string[]): Promise<Map<string, RepoSummary>> {
    if (repos.length === 0) return new Map();
    const res = await this.pool.query<RepoSummaryDbRow>(`SELECT ${REPO_SUMMARY_COLUMNS} FROM repo_state WHERE repo = ANY($1::text[])`, [repos]);
    return inOrderAsked(repos, res.rows, toSummary);
  }

  recordAudit(audit: AuditRecord, findings: FindingsUpdate): Promise<FindingsDiff> {
    return inTransaction(this.pool, async (c) => {
      await c.query(
        `INSERT INTO repo_state (repo, display, html_url, private, head_oid, audited_sha, audited_at, packages_json, ignores_json, dependencies, error, error_at, checked_at, advisories_mark, partial_reasons, baseline_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, NULL, NULL, $6, $10, $11, $12)
         ON CONFLICT (repo) DO UPDATE SET display = excluded.display, html_url = excluded.html_url, private = excluded.private,
           head_oid = excluded.head_oid, audited_sha = excluded.audited_sha, audited_at = excluded.audited_at,
           packages_json = excluded.packages_json, ignores_json = excluded.ignores_json, dependencies = excluded.dependencies,
           error = NULL, error_at = NULL, checked_at = excluded.checked_at, advisories_mark = excluded.advisories_mark,
           partial_reasons = excluded.partial_reasons, baseline_at = COALESCE(repo_state.baseline_at, excluded.baseline_at)`,
        [audit.repo, audit.display, audit.htmlUrl, audit.private, audit.sha, iso(audit.now), JSON.stringify(audit.packages), JSON.stringify(audit.ignores), audit.dependencies, audit.advisoriesMark ?? null, partialReasonsColumn(audit.partialReasons), audit.advisoriesRead ? iso(audit.now) : null],
      );
      return applyFindings(c, findings);
    });
  }

  async markChecked(repos: readonly CheckedRepo[]): Promise<void> {
    if (repos.length === 0) return;
    await inTransaction(this.pool, async (c) => {
      for (const r of repos) await markChecked(c, r);
    });
  }

  recordRematches(entries: readonly { findings: FindingsUpdate; checked: CheckedRepo }[]): Promise<FindingsDiff[]> {
    return inTransaction(this.pool, async (c) => {
      const diffs: FindingsDiff[] = [];
      for (const { findings, checked } of entries) {
        diffs.push(await applyFindings(c, findings));
        await markChecked(c, checked);
      }
      return diffs;
    });
  }

  async markError(repo: string, message: string, now: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO repo_state (repo, display, error, error_at, checked_at) VALUES ($1, $1, $2, $3, $3)
       ON CONFLICT (repo) DO UPDATE SET error = excluded.error, error_at = excluded.error_at, checked_at = excluded.checked_at`,
      [repo, storedErrorText(message), iso(now)],
    );
  }

  async recordSweepProblems(problems: readonly string[], now: Date): Promise<void> {
    if (problems.length === 0) await this.pool.query(`UPDATE sweep_status SET problems = NULL, recovered_at = $1, updated_at = $1 WHERE id = 'sweep' AND problems IS NOT NULL`, [iso(now)]);
    // problems_since moves whenever the problems mean something else than the last sweep's, as on
    // SQLite; the row is locked while that is decided. (Two replicas creating the row at once: the
    // second one's problems_since is its own, as if they differed.)
    else
      await inTransaction(this.pool, async (c) => {
        const column = sweepProblemsColumn(problems);
        const { rows } = await c.query<{ problems: string | null }>("SELECT problems FROM sweep_status WHERE id = 'sweep' FOR UPDATE");
        await c.query(
          `INSERT INTO sweep_status (id, problems, since, problems_since, recovered_at, updated_at) VALUES ('sweep', $1, $2, $2, NULL, $2)
           ON CONFLICT (id) DO UPDATE SET problems = excluded.problems, updated_at = excluded.updated_at,
             since = CASE WHEN sweep_status.problems IS NULL THEN excluded.since ELSE sweep_status.since END,
             problems_since = CASE WHEN $3 THEN sweep_status.problems_since ELSE excluded.problems_since END`,
          [column, iso(now), sameSweepProblems(rows[0]?.problems ?? null, column)],
        );
      });
  }

  async sweepProblems(): Promise<SweepProblems | null> {
    return toSweepProblems((await this.pool.query<SweepStatusDbRow>("SELECT problems, since, problems_since, recovered_at, updated_at FROM sweep_status WHERE id = 'sweep'")).rows[0]);
  }

  async pullListingProblems(): Promise<string | null> {
    return (await this.pool.query<{ problems: string | null }>(`SELECT problems FROM sweep_status WHERE id = '${PULL_LISTING_ID}'`)).rows[0]?.problems ?? null;
  }

  changePullListingProblems(read: string | null, state: string, messages: readonly OutboundMessage[], now: Date): Promise<number | null> {
    return this.changeKept(PULL_LISTING_ID, read, state, messages, now);
  }

  async pullNotReviewedNotices(): Promise<string | null> {
    return (await this.pool.query<{ problems: string | null }>(`SELECT problems FROM sweep_status WHERE id = '${PULL_NOT_REVIEWED_ID}'`)).rows[0]?.problems ?? null;
  }

  changePullNotReviewedNotices(read: string | null, state: string, messages: readonly OutboundMessage[], now: Date): Promise<number | null> {
    return this.changeKept(PULL_NOT_REVIEWED_ID, read, state, messages, now);
  }

  /** A compare-and-set on one of sweep_status's kept texts, with the messages that say it: null, and nothing written, when the row holds something else than `read`. */
  private changeKept(id: typeof PULL_LISTING_ID | typeof PULL_NOT_REVIEWED_ID, read: string | null, state: string, messages: readonly OutboundMessage[], now: Date): Promise<number | null> {
    return inTransaction(this.pool, async (c) => {
      // A compare-and-set on the row, which it locks until the messages are written too. Two
      // replicas creating the row at once: the second waits on the first's insert, then finds it
      // holds something else than the nothing it read.
      const res =
        read === null
          ? await c.query(
              `INSERT INTO sweep_status (id, problems, since, recovered_at, updated_at) VALUES ($1, $2, $3, NULL, $3)
               ON CONFLICT (id) DO UPDATE SET problems = excluded.problems, updated_at = excluded.updated_at WHERE sweep_status.problems IS NULL`,
              [id, state, iso(now)],
            )
          : await c.query('UPDATE sweep_status SET problems = $2, updated_at = $3 WHERE id = $1 AND problems = $4', [id, state, iso(now), read]);
      if (res.rowCount !== 1) return null;
      return PostgresOutbox.write(c, messages, now);
    });
  }

  // ------------------------------------------------------------------ findings

  async openFindings(repo: string): Promise<FindingRow[]> {
    return (await this.pool.query<FindingDbRow>('SELECT * FROM repo_findings WHERE repo = $1 AND fixed_at IS NULL ORDER BY key', [repo])).rows.map(toFinding);
  }

  async openCounts(repos: readonly string[], kinds: readonly string[]): Promise<Map<string, number>> {
    if (repos.length === 0 || kinds.length === 0) return new Map();
    const res = await this.pool.query<{ repo: string; n: string }>(
      'SELECT repo, COUNT(*) AS n FROM repo_findings WHERE repo = ANY($1::text[]) AND fixed_at IS NULL AND kind = ANY($2::text[]) GROUP BY repo',
      [repos, kinds],
    );
    // COUNT is a bigint, which pg hands over as text.
    return new Map(res.rows.map((r) => [r.repo, Number(r.n)]));
  }

  async findingsFor(repos: readonly string[], kinds?: readonly string[]): Promise<FindingRow[]> {
    if (repos.length === 0) return [];
    const res = await this.pool.query<FindingDbRow>('SELECT * FROM repo_findings WHERE repo = ANY($1::text[]) AND ($2::text[] IS NULL OR kind = ANY($2::text[])) ORDER BY key', [repos, kinds ?? null]);
    // Grouped by repository in the order asked, each repository's in key order, as the SQLite store answers.
    const byRepo = new Map<string, FindingRow[]>();
    for (const r of res.rows) byRepo.set(r.repo, [...(byRepo.get(r.repo) ?? []), toFinding(r)]);
    return repos.flatMap((repo) => byRepo.get(repo) ?? []);
  }

  // ------------------------------------------------------------------ alerts

  async alertsForChannel(channel: string): Promise<AlertRow[]> {
    return (await this.pool.query<AlertDbRow>('SELECT * FROM watch_alerts WHERE channel = $1 ORDER BY id', [channel])).rows.map(toAlert);
  }

  async alert(id: number): Promise<AlertRow | null> {
    const r = (await this.pool.query<AlertDbRow>('SELECT * FROM watch_alerts WHERE id = $1', [id])).rows[0];
    return r ? toAlert(r) : null;
  }

  recordAlert(input: { channel: string; advisoryId: string; affected: AffectedRepo[]; now: Date }, announce: (alert: AlertRow) => readonly OutboundMessage[]): Promise<AlertRow | null> {
    return inTransaction(this.pool, async (c) => {
      const at = iso(input.now);
      const res = await c.query<AlertDbRow>(
        `INSERT INTO watch_alerts (channel, advisory_id, client_key, state, affected_json, recorded_at, updated_at)
         VALUES ($1, $2, $3, 'recorded', $4, $5, $5) ON CONFLICT DO NOTHING RETURNING *`,
        [input.channel, input.advisoryId, `${input.channel}:${input.advisoryId}`, JSON.stringify(input.affected), at],
      );
      const inserted = res.rows[0];
      if (!inserted) return null; // another replica (or an earlier run) has it: it announces it, not us
      const row = toAlert(inserted);
      await PostgresOutbox.write(c, announce(row), input.now);
      return row;
    });
  }

  changeAlert(alert: AlertRow, change: AlertChange, messages: readonly OutboundMessage[]): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const at = iso(change.now);
      const res = change.resolved
        ? await c.query(
            `UPDATE watch_alerts SET state = 'resolved', affected_json = $1, resolved_at = $2, last_error = NULL, updated_at = $2
             WHERE id = $3 AND state = $4 AND affected_json = $5`,
            [JSON.stringify(change.affected), at, alert.id, alert.state, JSON.stringify(alert.affected)],
          )
        : await c.query(
            `UPDATE watch_alerts SET state = CASE state WHEN 'resolved' THEN 'posted' ELSE state END, affected_json = $1, resolved_at = NULL, updated_at = $2
             WHERE id = $3 AND state = $4 AND affected_json = $5`,
            [JSON.stringify(change.affected), at, alert.id, alert.state, JSON.stringify(alert.affected)],
          );
      if (res.rowCount !== 1) return false;
      await PostgresOutbox.write(c, messages, change.now);
      return true;
    });
  }

  announce(messages: readonly OutboundMessage[], now: Date): Promise<number> {
    return this.outbox.enqueue(messages, now);
  }

  recordWatchStarted(input: { repo: string; channel: string; said: readonly string[]; now: Date }, messages: readonly OutboundMessage[]): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const res = await c.query('UPDATE watches SET baseline_said_at = $1, baseline_said_ids = $2 WHERE repo = $3 AND channel = $4 AND baseline_said_at IS NULL', [iso(input.now), JSON.stringify(input.said), input.repo, input.channel]);
      if (res.rowCount !== 1) return false;
      await PostgresOutbox.write(c, messages, input.now);
      return true;
    });
  }

  async healthSeen(channel: string): Promise<Map<string, HealthSnapshot>> {
    const res = await this.pool.query<HealthSeenRow>(`SELECT ${HEALTH_SEEN_COLUMNS} FROM package_health_seen WHERE channel = $1`, [channel]);
    return new Map(res.rows.map((r) => [r.package, healthSnapshotOf(r)]));
  }

  recordDigest(messages: readonly OutboundMessage[], health: { channel: string; snapshots: readonly HealthSnapshot[] } | null, now: Date): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const written = (await PostgresOutbox.write(c, messages, now)) > 0;
      // Only the run that wrote the slot moves the baseline: a racing rerun on another replica wrote nothing.
      if (written && health) {
        for (const s of [...health.snapshots].sort((x, y) => compareCodeUnits(x.package, y.package))) {
          await c.query(
            `INSERT INTO package_health_seen (channel, ${HEALTH_SEEN_COLUMNS}, seen_at) VALUES ($1, $2, $3, $4, $5, $6) ${HEALTH_SEEN_ON_CONFLICT}`,
            healthSeenValues(health.channel, s, now),
          );
        }
      }
      return written;
    });
  }

  recordCodeFindings(input: { repo: string; sha: string; findings: readonly SeenCodeFinding[]; now: Date }, announce: (fresh: SeenCodeFinding[]) => readonly OutboundMessage[]): Promise<SeenCodeFinding[]> {
    return inTransaction(this.pool, async (c) => {
      const fresh: SeenCodeFinding[] = [];
      // One order for every replica: two transactions inserting the same findings wait on each other, never deadlock.
      for (const f of inOrder(input.findings)) {
        const res = await c.query(
          'INSERT INTO code_secrets_alerted (repo, rule, file, fingerprint, first_seen_sha, alerted_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
          [input.repo, f.rule, f.file, f.fingerprint, input.sha, iso(input.now)],
        );
        if (res.rowCount === 1) fresh.push(f);
      }
      if (fresh.length) await PostgresOutbox.write(c, announce(fresh), input.now);
      return fresh;
    });
  }

  async recordAlertMessage(id: number, ts: string, now: Date): Promise<void> {
    await this.pool.query(
      "UPDATE watch_alerts SET message_ts = $1, posted_at = COALESCE(posted_at, $2), state = CASE state WHEN 'recorded' THEN 'posted' ELSE state END, last_error = NULL, updated_at = $2 WHERE id = $3",
      [ts, iso(now), id],
    );
  }

  async markAlertFailure(id: number, error: string, giveUp: boolean, now: Date): Promise<void> {
    await this.pool.query("UPDATE watch_alerts SET attempts = attempts + 1, last_error = $1, state = CASE WHEN $2 THEN 'failed' ELSE state END, updated_at = $3 WHERE id = $4", [
      error,
      giveUp,
      iso(now),
      id,
    ]);
  }

  /** The shared schema against this build (throws when the database cannot be read). */
  async schemaVerdict(): Promise<SchemaVerdict> {
    return schemaVerdict('PostgreSQL', await this.schemaVersion(), this.expectedVersion);
  }

  private async schemaVersion(): Promise<number> {
    return Number((await this.pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0);
  }

  async health(): Promise<{ ok: true } | { ok: false; reason: string }> {
    let version: number;
    try {
      version = await this.schemaVersion();
    } catch (err) {
      // The driver's message only (never the connection string): first line, bounded.
      // Not errorLine (src/error-line.ts): the reason is one line of the health answer whatever was thrown, so a non-Error's text is cut too, and capped.
      return { ok: false, reason: `store: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200)}` };
    }
    // Not ready on a newer schema either (docs/store.md, "Rolling upgrades"): nothing promises this
    // build's SQL works on it, so an older replica leaves the rotation, saying why in the start-up refusal's words.
    const mismatch = schemaMismatchReason('PostgreSQL', version, this.expectedVersion);
    return mismatch === null ? { ok: true } : { ok: false, reason: `store: ${mismatch}` };
  }
}

async function markChecked(c: PgClient, r: CheckedRepo): Promise<void> {
  if (r.advisoriesMark === undefined) {
    await c.query('UPDATE repo_state SET private = $1, error = NULL, checked_at = $2 WHERE repo = $3', [r.private, iso(r.now), r.repo]);
    return;
  }
  // A mark is given only after a clean match (src/watch/sweep.ts rematch): what an advisory source
  // failing left unchecked has now been checked (as WatchStore.markChecked). Filtered in TypeScript:
  // a damaged value stays as it is rather than failing the fleet's re-match transaction.
  const { rows } = await c.query<{ partial_reasons: string | null }>('SELECT partial_reasons FROM repo_state WHERE repo = $1 FOR UPDATE', [r.repo]);
  await c.query('UPDATE repo_state SET private = $1, error = NULL, checked_at = $2, advisories_mark = $3, partial_reasons = $4 WHERE repo = $5', [
    r.private,
    iso(r.now),
    r.advisoriesMark,
    withoutAdvisoryReasons(rows[0]?.partial_reasons),
    r.repo,
  ]);
}

/** WatchStore.applyFindings, on PostgreSQL, inside the caller's transaction: the same plan (findings-diff.ts), run here. */
async function applyFindings(c: PgClient, input: FindingsUpdate): Promise<FindingsDiff> {
  const at = iso(input.now);
  const open = (await c.query<FindingDbRow>('SELECT * FROM repo_findings WHERE repo = $1 AND fixed_at IS NULL ORDER BY key', [input.repo])).rows.map((r) => ({ ...toFinding(r), json: r.json }));
  const plan = planFindings(open, input);
  // A finding closed without a fix (its file excluded, an ignore covering it) comes back as it was:
  // the day it was first seen and whether it alerts kept, never announced as new.
  for (const { key, finding, json, alertable, dependencyAddedAt, newSince } of plan.writes) {
    await c.query(
      `INSERT INTO repo_findings (repo, key, kind, severity, package, version, advisory_id, json, first_seen, last_seen, fixed_at, fixed_by_sha, alertable, dependency_added_at, new_since)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, NULL, NULL, $10, $11, $12)
       ON CONFLICT (repo, key) DO UPDATE SET severity = excluded.severity, json = excluded.json, last_seen = excluded.last_seen,
         first_seen = CASE WHEN repo_findings.fixed_at IS NULL OR repo_findings.closed_reason IS NOT NULL THEN repo_findings.first_seen ELSE excluded.first_seen END,
         alertable = CASE WHEN repo_findings.fixed_at IS NULL OR repo_findings.closed_reason IS NOT NULL THEN repo_findings.alertable ELSE excluded.alertable END,
         dependency_added_at = CASE WHEN repo_findings.fixed_at IS NULL OR repo_findings.closed_reason IS NOT NULL THEN repo_findings.dependency_added_at ELSE excluded.dependency_added_at END,
         new_since = CASE WHEN repo_findings.fixed_at IS NULL OR repo_findings.closed_reason IS NOT NULL THEN repo_findings.new_since ELSE excluded.new_since END,
         fixed_at = NULL, fixed_by_sha = NULL, closed_reason = NULL`,
      [input.repo, key, finding.kind, finding.severity, finding.package, finding.version, finding.id ?? null, json, at, alertable, dependencyAddedAt, newSince],
    );
  }
  for (const { key, reason } of plan.closes) {
    await c.query('UPDATE repo_findings SET fixed_at = $1, fixed_by_sha = $2, closed_reason = $3 WHERE repo = $4 AND key = $5', [at, reason === null ? input.sha : null, reason, input.repo, key]);
  }
  return plan.diff;
}

/** Rows of repositories, keyed and ordered as `repos` asked for them (as the SQLite store answers). */
function inOrderAsked<Row extends { repo: string }, T>(repos: readonly string[], rows: readonly Row[], convert: (row: Row) => T): Map<string, T> {
  const byRepo = new Map(rows.map((r) => [r.repo, r]));
  const out = new Map<string, T>();
  for (const repo of repos) {
    const row = byRepo.get(repo);
    if (row) out.set(repo, convert(row));
  }
  return out;
}
