/**
 * Audits run from Slack (migrations/006). Each row keeps the whole result, so a button click (which
 * carries only an audit id) re-reads what was reported, and an ignore re-renders the reply from it
 * without asking GitHub or OSV again.
 */
import type { AuditResult } from '../audit/audit.js';
import type { Severity } from '../audit/findings.js';
import { countBySeverity } from '../report/summary.js';
import type { Db } from './db.js';

export interface NewAudit {
  repo: string;
  ref: string;
  sha: string;
  htmlUrl: string;
  createdAt: Date;
  requestedBy: string | null;
  result: AuditResult;
}

export interface AuditRecord {
  id: number;
  repo: string;
  ref: string;
  sha: string;
  htmlUrl: string;
  createdAt: string;
  requestedBy: string | null;
  channel: string | null;
  ts: string | null;
  /** Open (not ignored) findings by severity. */
  counts: Record<Severity, number>;
  result: AuditResult;
}

/** A row without its result: what lists (App Home) need. */
export type AuditSummary = Omit<AuditRecord, 'result'>;

interface Row {
  id: number;
  repo: string;
  ref: string;
  sha: string;
  html_url: string;
  created_at: string;
  requested_by: string | null;
  channel: string | null;
  ts: string | null;
  counts: string;
  result?: string;
}

export const repoKey = (repo: string): string => repo.toLowerCase();

function summaryOf(row: Row): AuditSummary {
  return {
    id: row.id,
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

const SUMMARY_COLUMNS = 'id, repo, ref, sha, html_url, created_at, requested_by, channel, ts, counts';

export class AuditStore {
  constructor(private readonly db: Db) {}

  insert(audit: NewAudit): AuditRecord {
    const info = this.db
      .prepare(
        `INSERT INTO audits (repo, repo_key, ref, sha, html_url, created_at, requested_by, counts, result)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        audit.repo,
        repoKey(audit.repo),
        audit.ref,
        audit.sha,
        audit.htmlUrl,
        audit.createdAt.toISOString(),
        audit.requestedBy,
        JSON.stringify(countBySeverity(audit.result.findings)),
        JSON.stringify(audit.result),
      );
    const stored = this.get(Number(info.lastInsertRowid));
    if (!stored) throw new Error('audit row vanished after insert');
    return stored;
  }

  /** Where the reply was posted, so later edits (an ignore) update that message. */
  setReply(id: number, channel: string, ts: string): void {
    this.db.prepare('UPDATE audits SET channel = ?, ts = ? WHERE id = ?').run(channel, ts, id);
  }

  /** Replaces the stored result (after an ignore), keeping the counts in step. */
  updateResult(id: number, result: AuditResult): void {
    this.db.prepare('UPDATE audits SET result = ?, counts = ? WHERE id = ?').run(JSON.stringify(result), JSON.stringify(countBySeverity(result.findings)), id);
  }

  get(id: number): AuditRecord | undefined {
    if (!Number.isSafeInteger(id) || id <= 0) return undefined;
    const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS}, result FROM audits WHERE id = ?`).get(id) as Row | undefined;
    if (!row?.result) return undefined;
    return { ...summaryOf(row), result: JSON.parse(row.result) as AuditResult };
  }

  /** Newest first; one row per repository (its latest audit). */
  recent(limit = 10): AuditSummary[] {
    const rows = this.db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM audits a
         WHERE id = (SELECT MAX(id) FROM audits b WHERE b.repo_key = a.repo_key)
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(limit) as Row[];
    return rows.map(summaryOf);
  }

  latestForRepo(repo: string): AuditSummary | undefined {
    const row = this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM audits WHERE repo_key = ? ORDER BY id DESC LIMIT 1`).get(repoKey(repo)) as Row | undefined;
    return row ? summaryOf(row) : undefined;
  }
}
