/**
 * The `/audit` state on PostgreSQL (migrations/postgres/007_audit_replies.sql), shared by replicas:
 * a button under a reply, the Ignore… modal and "Open fix PR" work on whichever replica Slack
 * reaches. Parameterised SQL through pg. A revision of an audit's result (its second stage, an
 * ignore) locks the audit's row and reads the repository's ignores inside that transaction, so two
 * replicas revising one reply take turns and the later one sees what the earlier one stored.
 */
import type { PullState } from '../../github/fix-pull-request.js';
import { AUDIT_SUMMARY_COLUMNS, auditColumnValues, completenessBackfill, completenessOf, auditRecordOf, auditSummaryOf, isAuditId, repoKey, storedCounts, storedJson, type AuditDbRow } from '../audits.js';
import { FIX_PULL_COLUMNS, fixPullOf, type FixPullDbRow } from '../fix-pulls.js';
import { ignoreColumnValues, ignoreOf, toIgnoreRule, type IgnoreDbRow } from '../ignores.js';
import { inTransaction, type PgClient, type PgPool } from '../postgres.js';
import { lookupOf, type AuditRecord, type AuditStateStore, type AuditSummary, type AuditViewer, type FixPullRecord, type NewAudit, type NewIgnore, type ReviseResult, type StoredIgnore } from './types.js';

type Queryable = Pick<PgPool, 'query'> | PgClient;
type AuditRow = AuditDbRow & { result: string };

/** One audit by id, locked for the transaction when asked; an id that is no audit's (a forged button value) is simply not found. */
async function auditById(q: Queryable, id: number, lock = false): Promise<AuditRecord | undefined> {
  if (!isAuditId(id)) return undefined;
  const row = (await q.query<AuditRow>(`SELECT ${AUDIT_SUMMARY_COLUMNS}, result FROM audits WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
  return row ? auditRecordOf(row) : undefined;
}

async function ignoresOf(q: Queryable, repo: string): Promise<StoredIgnore[]> {
  return (await q.query<IgnoreDbRow>('SELECT * FROM ignores WHERE repo_key = $1 ORDER BY id', [repoKey(repo)])).rows.map(ignoreOf);
}

/** Revises an audit locked by this transaction from the ignores as they are inside it, and stores it. */
async function revise(c: PgClient, record: AuditRecord, reviseResult: ReviseResult): Promise<AuditRecord> {
  const result = reviseResult(record, (await ignoresOf(c, record.repo)).map(toIgnoreRule));
  const stored = storedCounts(result);
  const { code, ...counts } = stored;
  const completeness = completenessOf(result);
  await c.query('UPDATE audits SET result = $1, counts = $2, completeness = $3 WHERE id = $4', [storedJson(result), JSON.stringify(stored), storedJson(completeness), record.id]);
  return { ...record, result, counts, codeCounts: code ?? null, completeness };
}

export class PostgresAuditState implements AuditStateStore {
  readonly dialect = 'postgres' as const;

  constructor(private readonly pool: PgPool) {}

  async insertAudit(audit: NewAudit): Promise<AuditRecord> {
    const row = (
      await this.pool.query<AuditRow>(
        `INSERT INTO audits (repo, repo_key, ref, sha, html_url, created_at, requested_by, counts, result, requested_branch, completeness, private)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${AUDIT_SUMMARY_COLUMNS}, result`,
        [...auditColumnValues(audit), audit.private ?? null],
      )
    ).rows[0];
    if (!row) throw new Error('audit row not returned by its insert');
    return auditRecordOf(row);
  }

  getAudit(id: number) {
    return auditById(this.pool, id);
  }

  async setReply(id: number, channel: string, ts: string) {
    // A reply posted now starts with no continuation, and every later edit keeps the list.
    await this.pool.query("UPDATE audits SET channel = $1, ts = $2, reply_parts = COALESCE(reply_parts, '[]') WHERE id = $3", [channel, ts, id]);
  }

  async setReplyParts(id: number, parts: readonly string[]) {
    await this.pool.query('UPDATE audits SET reply_parts = $1 WHERE id = $2', [JSON.stringify(parts), id]);
  }

  reviseResult(id: number, reviseResult: ReviseResult) {
    if (!isAuditId(id)) return Promise.resolve(undefined);
    return inTransaction(this.pool, async (c) => {
      const locked = await auditById(c, id, true);
      return locked ? revise(c, locked, reviseResult) : undefined;
    });
  }

  async recentAudits(limit: number, viewer: AuditViewer): Promise<AuditSummary[]> {
    // The newest audit per repository the viewer may see (an unknown privacy counts as private).
    const rows = viewer.admin
      ? await this.pool.query<AuditDbRow>(
          `SELECT ${AUDIT_SUMMARY_COLUMNS} FROM audits a
           WHERE id = (SELECT MAX(id) FROM audits b WHERE b.repo_key = a.repo_key)
           ORDER BY created_at DESC, id DESC LIMIT $1`,
          [limit],
        )
      : await this.pool.query<AuditDbRow>(
          `SELECT ${AUDIT_SUMMARY_COLUMNS} FROM audits a
           WHERE id = (SELECT MAX(id) FROM audits b WHERE b.repo_key = a.repo_key AND (b.private = false OR b.requested_by = $1))
           ORDER BY created_at DESC, id DESC LIMIT $2`,
          [viewer.userId, limit],
        );
    return this.summariesOf(rows.rows);
  }

  async latestAuditForRepo(repo: string) {
    const row = (await this.pool.query<AuditDbRow>(`SELECT ${AUDIT_SUMMARY_COLUMNS} FROM audits WHERE repo_key = $1 ORDER BY id DESC LIMIT 1`, [repoKey(repo)])).rows[0];
    return row ? (await this.summariesOf([row]))[0] : undefined;
  }

  /** The rows as summaries, writing back the completeness of rows from before migration 014 (once: `IS NULL` keeps a revision made since). */
  private async summariesOf(rows: AuditDbRow[]): Promise<AuditSummary[]> {
    const summaries = rows.map(auditSummaryOf);
    for (const { id, completeness } of completenessBackfill(rows, summaries)) {
      await this.pool.query('UPDATE audits SET completeness = $1 WHERE id = $2 AND completeness IS NULL', [completeness, id]);
    }
    return summaries;
  }

  addIgnore(ignore: NewIgnore & { auditId: number }, reviseResult: ReviseResult) {
    return inTransaction(this.pool, async (c) => {
      // The audit's row first: the revision below and a second stage finishing elsewhere take turns.
      const locked = await auditById(c, ignore.auditId, true);
      // In place of the repository's earlier ignore of the advisory and package (migrations/postgres/018
      // keeps one): deleted first, to say what it was; two replicas saving at once from different
      // audits meet at the unique index, and the later one updates the row the earlier one stored.
      const values = ignoreColumnValues(ignore);
      const previous = (
        await c.query<IgnoreDbRow>(
          "DELETE FROM ignores WHERE repo_key = $1 AND lower(advisory_id) = lower($2) AND COALESCE(package, '') = COALESCE($3, '') RETURNING *",
          values.slice(0, 3),
        )
      ).rows[0];
      const row = (
        await c.query<IgnoreDbRow>(
          `INSERT INTO ignores (repo_key, advisory_id, package, reason, until, created_by, created_at, audit_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (repo_key, (lower(advisory_id)), (COALESCE(package, ''))) DO UPDATE SET
             advisory_id = excluded.advisory_id, reason = excluded.reason, until = excluded.until,
             created_by = excluded.created_by, created_at = excluded.created_at, audit_id = excluded.audit_id
           RETURNING *`,
          [...values, locked ? ignore.auditId : null],
        )
      ).rows[0]!;
      return { ignore: ignoreOf(row), replaced: previous ? ignoreOf(previous) : null, audit: locked ? await revise(c, locked, reviseResult) : undefined };
    });
  }

  ignoresForRepo(repo: string) {
    return ignoresOf(this.pool, repo);
  }

  async ignoreRulesForRepo(repo: string) {
    return (await ignoresOf(this.pool, repo)).map(toIgnoreRule);
  }

  async repoIgnoreLookup() {
    const all = (await this.pool.query<IgnoreDbRow>('SELECT * FROM ignores ORDER BY id')).rows.map(ignoreOf);
    return lookupOf(all.map((ignore) => ({ repoKey: ignore.repoKey, rule: toIgnoreRule(ignore) })));
  }

  async fixPull(auditId: number) {
    if (!isAuditId(auditId)) return undefined;
    const row = (await this.pool.query<FixPullDbRow>(`SELECT ${FIX_PULL_COLUMNS} FROM fix_pull_requests WHERE audit_id = $1`, [auditId])).rows[0];
    return row ? fixPullOf(row) : undefined;
  }

  async saveFixPull(record: FixPullRecord, openedBy: string, at: Date) {
    await this.pool.query(
      `INSERT INTO fix_pull_requests (audit_id, repo, branch, number, url, state, opened_by, opened_at, checked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (audit_id) DO UPDATE SET number = excluded.number, url = excluded.url, state = excluded.state, checked_at = excluded.checked_at`,
      [record.auditId, record.repo, record.branch, record.number, record.url, record.state, openedBy, at.toISOString(), at.toISOString()],
    );
  }

  async setFixPullState(auditId: number, state: PullState, at: Date) {
    await this.pool.query('UPDATE fix_pull_requests SET state = $1, checked_at = $2 WHERE audit_id = $3', [state, at.toISOString(), auditId]);
  }

  async latestFixPulls(repos: readonly string[]) {
    // GitHub names are case-insensitive: a pull request opened for Octo/App is octo/app's too.
    const rows = await this.pool.query<FixPullDbRow>(
      `SELECT DISTINCT ON (lower(repo)) ${FIX_PULL_COLUMNS} FROM fix_pull_requests WHERE lower(repo) = ANY($1::text[]) ORDER BY lower(repo), opened_at DESC, audit_id DESC`,
      [[...new Set(repos.map(repoKey))]],
    );
    const byKey = new Map(rows.rows.map((r) => [repoKey(r.repo), fixPullOf(r)]));
    return new Map(repos.flatMap((repo) => (byKey.has(repoKey(repo)) ? [[repo, byKey.get(repoKey(repo))!] as const] : [])));
  }

  async openFixPulls() {
    return (await this.pool.query<FixPullDbRow>(`SELECT ${FIX_PULL_COLUMNS} FROM fix_pull_requests WHERE state = 'open' ORDER BY audit_id`)).rows.map(fixPullOf);
  }
}
