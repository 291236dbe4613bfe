/**
 * The `/audit` state on PostgreSQL (migrations/postgres/007_audit_replies.sql), shared by replicas:
 * a button under a reply, the Ignore… modal and "Open fix PR" work on whichever replica Slack
 * reaches. Parameterised SQL through pg. A revision of an audit's result (its second stage, an
 * ignore) locks the audit's row and reads the repository's ignores inside that transaction, so two
 * replicas revising one reply take turns and the later one sees what the earlier one stored.
 */
import type { AuditResult } from '../../audit/audit.js';
import type { Severity } from '../../audit/findings.js';
import type { PullState } from '../../github/fix-pull-request.js';
import { normalizeName } from '../../python/names.js';
import { countBySeverity } from '../../report/summary.js';
import { repoKey } from '../audits.js';
import { toIgnoreRule } from '../ignores.js';
import { inTransaction, type PgClient, type PgPool } from '../postgres.js';
import { lookupOf, type AuditRecord, type AuditStateStore, type AuditSummary, type AuditViewer, type FixPullRecord, type NewAudit, type NewIgnore, type ReviseResult, type StoredIgnore } from './types.js';

type Queryable = Pick<PgPool, 'query'> | PgClient;

interface AuditRow {
  id: string;
  repo: string;
  ref: string;
  sha: string;
  html_url: string;
  created_at: string;
  requested_by: string | null;
  channel: string | null;
  ts: string | null;
  reply_parts: string | null;
  private: boolean | null;
  counts: string;
  result?: string;
}

interface IgnoreRow {
  id: string;
  repo_key: string;
  advisory_id: string;
  package: string | null;
  reason: string;
  until: string | null;
  created_by: string;
  created_at: string;
  audit_id: string | null;
}

interface FixPullRow {
  audit_id: string;
  repo: string;
  branch: string;
  number: number;
  url: string;
  state: string;
}

const SUMMARY_COLUMNS = 'id, repo, ref, sha, html_url, created_at, requested_by, channel, ts, reply_parts, private, counts';
const FIX_PULL_COLUMNS = 'audit_id, repo, branch, number, url, state';

function summaryOf(row: AuditRow): AuditSummary {
  return {
    id: Number(row.id),
    repo: row.repo,
    ref: row.ref,
    sha: row.sha,
    htmlUrl: row.html_url,
    createdAt: row.created_at,
    requestedBy: row.requested_by,
    channel: row.channel,
    ts: row.ts,
    counts: JSON.parse(row.counts) as Record<Severity, number>,
  };
}

function recordOf(row: AuditRow & { result: string }): AuditRecord {
  return {
    ...summaryOf(row),
    replyParts: row.reply_parts === null ? null : (JSON.parse(row.reply_parts) as string[]),
    private: row.private,
    result: JSON.parse(row.result) as AuditResult,
  };
}

const ignoreOf = (r: IgnoreRow): StoredIgnore => ({
  id: Number(r.id),
  repoKey: r.repo_key,
  advisoryId: r.advisory_id,
  package: r.package,
  reason: r.reason,
  until: r.until,
  createdBy: r.created_by,
  createdAt: r.created_at,
  auditId: r.audit_id === null ? null : Number(r.audit_id),
});

const fixPullOf = (r: FixPullRow): FixPullRecord => ({
  auditId: Number(r.audit_id),
  repo: r.repo,
  branch: r.branch,
  number: r.number,
  url: r.url,
  state: r.state === 'merged' || r.state === 'closed' ? r.state : 'open',
});

/** A positive id that fits in a row id: anything else (a forged button value) is simply not found. */
const isAuditId = (id: number) => Number.isSafeInteger(id) && id > 0;

async function auditById(q: Queryable, id: number, lock = false): Promise<AuditRecord | undefined> {
  if (!isAuditId(id)) return undefined;
  const row = (await q.query<AuditRow & { result: string }>(`SELECT ${SUMMARY_COLUMNS}, result FROM audits WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
  return row ? recordOf(row) : undefined;
}

async function ignoresOf(q: Queryable, repo: string): Promise<StoredIgnore[]> {
  return (await q.query<IgnoreRow>('SELECT * FROM ignores WHERE repo_key = $1 ORDER BY id', [repoKey(repo)])).rows.map(ignoreOf);
}

/** Locks the audit, revises its result from the ignores as they are inside the transaction, stores it. */
async function revise(c: PgClient, id: number, reviseResult: ReviseResult): Promise<AuditRecord | undefined> {
  const record = await auditById(c, id, true);
  if (!record) return undefined;
  const result = reviseResult(record, (await ignoresOf(c, record.repo)).map(toIgnoreRule));
  const counts = countBySeverity(result.findings);
  await c.query('UPDATE audits SET result = $1, counts = $2 WHERE id = $3', [JSON.stringify(result), JSON.stringify(counts), id]);
  return { ...record, result, counts };
}

export class PostgresAuditState implements AuditStateStore {
  readonly dialect = 'postgres' as const;

  constructor(private readonly pool: PgPool) {}

  async insertAudit(audit: NewAudit): Promise<AuditRecord> {
    const row = (
      await this.pool.query<AuditRow & { result: string }>(
        `INSERT INTO audits (repo, repo_key, ref, sha, html_url, created_at, requested_by, counts, result, private)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${SUMMARY_COLUMNS}, result`,
        [
          audit.repo,
          repoKey(audit.repo),
          audit.ref,
          audit.sha,
          audit.htmlUrl,
          audit.createdAt.toISOString(),
          audit.requestedBy,
          JSON.stringify(countBySeverity(audit.result.findings)),
          JSON.stringify(audit.result),
          audit.private ?? null,
        ],
      )
    ).rows[0];
    if (!row) throw new Error('audit row not returned by its insert');
    return recordOf(row);
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
    return inTransaction(this.pool, (c) => revise(c, id, reviseResult));
  }

  async recentAudits(limit: number, viewer: AuditViewer): Promise<AuditSummary[]> {
    // The newest audit per repository the viewer may see (an unknown privacy counts as private).
    const rows = viewer.admin
      ? await this.pool.query<AuditRow>(
          `SELECT ${SUMMARY_COLUMNS} FROM audits a
           WHERE id = (SELECT MAX(id) FROM audits b WHERE b.repo_key = a.repo_key)
           ORDER BY created_at DESC, id DESC LIMIT $1`,
          [limit],
        )
      : await this.pool.query<AuditRow>(
          `SELECT ${SUMMARY_COLUMNS} FROM audits a
           WHERE id = (SELECT MAX(id) FROM audits b WHERE b.repo_key = a.repo_key AND (b.private = false OR b.requested_by = $1))
           ORDER BY created_at DESC, id DESC LIMIT $2`,
          [viewer.userId, limit],
        );
    return rows.rows.map(summaryOf);
  }

  async latestAuditForRepo(repo: string) {
    const row = (await this.pool.query<AuditRow>(`SELECT ${SUMMARY_COLUMNS} FROM audits WHERE repo_key = $1 ORDER BY id DESC LIMIT 1`, [repoKey(repo)])).rows[0];
    return row ? summaryOf(row) : undefined;
  }

  addIgnore(ignore: NewIgnore & { auditId: number }, reviseResult: ReviseResult) {
    return inTransaction(this.pool, async (c) => {
      // The audit's row first: the revision below and a second stage finishing elsewhere take turns.
      const locked = await auditById(c, ignore.auditId, true);
      const row = (
        await c.query<IgnoreRow>(
          `INSERT INTO ignores (repo_key, advisory_id, package, reason, until, created_by, created_at, audit_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [
            repoKey(ignore.repo),
            ignore.advisoryId.trim(),
            ignore.package ? normalizeName(ignore.package) : null,
            ignore.reason.trim(),
            ignore.until,
            ignore.createdBy,
            ignore.createdAt.toISOString(),
            locked ? ignore.auditId : null,
          ],
        )
      ).rows[0]!;
      return { ignore: ignoreOf(row), audit: locked ? await revise(c, ignore.auditId, reviseResult) : undefined };
    });
  }

  ignoresForRepo(repo: string) {
    return ignoresOf(this.pool, repo);
  }

  async ignoreRulesForRepo(repo: string) {
    return (await ignoresOf(this.pool, repo)).map(toIgnoreRule);
  }

  async repoIgnoreLookup() {
    const all = (await this.pool.query<IgnoreRow>('SELECT * FROM ignores ORDER BY id')).rows.map(ignoreOf);
    return lookupOf(all.map((ignore) => ({ repoKey: ignore.repoKey, rule: toIgnoreRule(ignore) })));
  }

  async fixPull(auditId: number) {
    if (!isAuditId(auditId)) return undefined;
    const row = (await this.pool.query<FixPullRow>(`SELECT ${FIX_PULL_COLUMNS} FROM fix_pull_requests WHERE audit_id = $1`, [auditId])).rows[0];
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

  async latestFixPullForRepo(repo: string) {
    const row = (await this.pool.query<FixPullRow>(`SELECT ${FIX_PULL_COLUMNS} FROM fix_pull_requests WHERE repo = $1 ORDER BY opened_at DESC, audit_id DESC LIMIT 1`, [repo])).rows[0];
    return row ? fixPullOf(row) : undefined;
  }

  async openFixPulls() {
    return (await this.pool.query<FixPullRow>(`SELECT ${FIX_PULL_COLUMNS} FROM fix_pull_requests WHERE state = 'open' ORDER BY audit_id`)).rows.map(fixPullOf);
  }
}
