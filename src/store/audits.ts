/**
 * Audits run from Slack (migrations/006). Each row keeps the whole result, so a button click (which
 * carries only an audit id) re-reads what was reported, and an ignore re-renders the reply from it
 * without asking GitHub or OSV again.
 */
import { redactSecrets } from '../redact.js';
import type { AuditResult } from '../audit/audit.js';
import type { Severity } from '../audit/findings.js';
import { forReaders, notReached, reasonsOf } from '../audit/partial.js';
import { shortReason } from '../report/shorten.js';
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
  /** What GitHub said; unknown (null) counts as private. */
  private?: boolean | null;
  /** The branch the request named, when it is a branch other than the default; absent or null: the default branch, a tag or a commit (`ref` is the one read either way). */
  requestedBranch?: string | null;
}

export interface AuditRecord {
  id: number;
  repo: string;
  ref: string;
  /** The branch the request named, when it is a branch other than the default; null for the default branch, a tag, a commit, and audits stored before it was kept. */
  requestedBranch: string | null;
  sha: string;
  htmlUrl: string;
  createdAt: string;
  requestedBy: string | null;
  channel: string | null;
  ts: string | null;
  /**
   * The thread messages that continue the reply (when it did not fit in one), in order; null when
   * not known (a reply posted before they were kept, or not posted by the bot itself).
   */
  replyParts: string[] | null;
  /** Null when not known (audits stored before it was kept): treat as private. */
  private: boolean | null;
  /** Open (not ignored) dependency findings by severity. */
  counts: Record<Severity, number>;
  /**
   * Open (not ignored) code findings by severity, as the reply counts them apart; null when the code
   * was not scanned, or not known (a row stored before they were counted). Absent: not known.
   */
  codeCounts?: Record<Severity, number> | null;
  /** Whether `counts` are the whole answer (migrations/033); null when not known. */
  completeness: AuditCompleteness | null;
  result: AuditResult;
}

/**
 * What a list (App Home) must say beside an audit's counts so that a partial one does not read as
 * complete: kept in its own column, in step with the result (a second stage, an ignore).
 */
export interface AuditCompleteness {
  /** The result is partial: something was not read, not reached or not checked (reasons below), or checks are still coming. */
  partial: boolean;
  /** Checks a later stage brings (a staged reply's first stage); empty when none. */
  pending: string[];
  /** The advisory source failed: no vulnerability was checked at all. */
  vulnerabilitiesUnchecked: boolean;
  /** How many reasons the result gives (as people read them), and the first one in one short line. */
  reasons: number;
  firstReason: string | null;
}

/** The first reason is cut to this many characters (a line on App Home). */
const FIRST_REASON_MAX = 160;

export function completenessOf(result: AuditResult): AuditCompleteness {
  const reasons = forReaders(reasonsOf(result));
  return {
    partial: result.partial,
    pending: result.pending ?? [],
    vulnerabilitiesUnchecked: notReached(result, 'advisories'),
    reasons: reasons.length,
    firstReason: reasons[0] ? shortReason(reasons[0], FIRST_REASON_MAX) : null,
  };
}

/** A row without its result: what lists (App Home) need. */
export type AuditSummary = Omit<AuditRecord, 'result' | 'replyParts' | 'private' | 'requestedBranch'>;

/**
 * An `audits` row as either driver returns it: PostgreSQL gives BIGSERIAL ids as strings and
 * `private` as a boolean, SQLite numbers and 0/1. The mappers below read both (audit-state/postgres.ts).
 */
export interface AuditDbRow {
  id: number | string;
  repo: string;
  ref: string;
  requested_branch: string | null;
  sha: string;
  html_url: string;
  created_at: string;
  requested_by: string | null;
  channel: string | null;
  ts: string | null;
  reply_parts: string | null;
  private: number | boolean | null;
  counts: string;
  completeness: string | null;
  /** The result of a row stored before `completeness` was kept (AUDIT_SUMMARY_COLUMNS selects it only then). */
  legacy_result?: string | null;
  result?: string;
}

export const repoKey = (repo: string): string => repo.toLowerCase();

/** Whether `id` can be an audit's id (buttons carry ids as text: anything else names no audit). */
export const isAuditId = (id: number): boolean => Number.isSafeInteger(id) && id > 0;

/**
 * The `counts` column: open dependency findings by severity and, under `code`, open code findings,
 * or null when the code was not scanned. One column, so App Home reads both without the whole
 * result. Rows written before `code: null` was stored have no `code` when the code was not
 * scanned, nor those written before code counts were kept: for those the result says.
 */
export type StoredCounts = Record<Severity, number> & { code?: Record<Severity, number> | null };

export function storedCounts(result: AuditResult): StoredCounts {
  return { ...countBySeverity(result.findings), code: result.code ? countBySeverity(result.code.findings) : null };
}

/** A row's stored result, parsed on first use and then shared by its readers; null when the row was read without it. Throws when it cannot be read. */
type StoredResult = () => AuditResult | null;

function storedResult(row: AuditDbRow): StoredResult {
  let parsed: { result: AuditResult | null } | { error: unknown } | undefined;
  return () => {
    if (parsed === undefined) {
      const text = row.result ?? row.legacy_result;
      try {
        parsed = { result: text ? (JSON.parse(text) as AuditResult) : null };
      } catch (error) {
        parsed = { error };
      }
    }
    if ('error' in parsed) throw parsed.error;
    return parsed.result;
  };
}

/** The column split in two; code counts of a row whose column does not say (written before it did) come from its result when that was read. */
function countsOfRow(row: AuditDbRow, result: StoredResult): Pick<AuditRecord, 'counts' | 'codeCounts'> {
  const { code, ...counts } = JSON.parse(row.counts) as StoredCounts;
  if (code !== undefined) return { counts, codeCounts: code };
  try {
    const stored = result();
    return { counts, codeCounts: stored?.code ? countBySeverity(stored.code.findings) : null };
  } catch {
    return { counts, codeCounts: null };
  }
}

export function auditSummaryOf(row: AuditDbRow): AuditSummary {
  return summaryOf(row, storedResult(row));
}

function summaryOf(row: AuditDbRow, result: StoredResult): AuditSummary {
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
    ...countsOfRow(row, result),
    completeness: completenessOfRow(row, result),
  };
}

/**
 * The row's completeness; for a row stored before it was kept, worked out from the row's stored
 * result (which every audits row holds). A column or result that cannot be read (damaged, or of a
 * shape this version does not know) gives null, "not known": App Home then shows the counts as it
 * always did, with nothing new rather than a guess, and one bad row never breaks the whole tab.
 */
function completenessOfRow(row: AuditDbRow, result: StoredResult): AuditCompleteness | null {
  try {
    if (row.completeness !== null) return completenessFromColumn(JSON.parse(row.completeness));
    const stored = result();
    return stored ? completenessOf(stored) : null;
  } catch {
    return null;
  }
}

/** The column's value when it has the shape this version writes, else null: a partial claim must not be read from half a value. */
function completenessFromColumn(value: unknown): AuditCompleteness | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  const ok =
    typeof c.partial === 'boolean' &&
    Array.isArray(c.pending) &&
    c.pending.every((p) => typeof p === 'string') &&
    typeof c.vulnerabilitiesUnchecked === 'boolean' &&
    Number.isSafeInteger(c.reasons) &&
    (c.reasons as number) >= 0 &&
    (c.firstReason === null || typeof c.firstReason === 'string');
  return ok ? { partial: c.partial as boolean, pending: c.pending as string[], vulnerabilitiesUnchecked: c.vulnerabilitiesUnchecked as boolean, reasons: c.reasons as number, firstReason: c.firstReason as string | null } : null;
}

/**
 * The completeness worked out for rows stored before the column was kept (read with their whole
 * result), to be written back once: the next render then reads the small column like any newer
 * row's. A row whose result cannot be read gives nothing to write (it stays not known).
 */
export function completenessBackfill(rows: readonly AuditDbRow[], summaries: readonly AuditSummary[]): Array<{ id: number; completeness: string }> {
  return rows.flatMap((row, i) => {
    const derived = summaries[i]?.completeness;
    return row.completeness === null && derived ? [{ id: Number(row.id), completeness: storedJson(derived) }] : [];
  });
}

export function auditRecordOf(row: AuditDbRow & { result: string }): AuditRecord {
  // Parsed here once (an audit of a large repository is a large text), and handed to the summary.
  const result = JSON.parse(row.result) as AuditResult;
  return {
    ...summaryOf(row, () => result),
    requestedBranch: row.requested_branch,
    replyParts: row.reply_parts === null ? null : (JSON.parse(row.reply_parts) as string[]),
    private: row.private === null ? null : row.private === true || row.private === 1,
    result,
  };
}

// The result is read for summaries only where completeness was not kept (rows from before migration 033).
export const AUDIT_SUMMARY_COLUMNS =
  'id, repo, ref, requested_branch, sha, html_url, created_at, requested_by, channel, ts, reply_parts, private, counts, completeness, CASE WHEN completeness IS NULL THEN result END AS legacy_result';

/** Whose App Home lists audits: everything for an admin, else public repositories' and their own. */
export type AuditViewer = { admin: true } | { admin: false; userId: string };

/** The values of an audit's columns in INSERT order, up to (not including) `private`, whose type differs per store. */
export function auditColumnValues(audit: NewAudit): unknown[] {
  return [
    audit.repo,
    repoKey(audit.repo),
    audit.ref,
    audit.sha,
    audit.htmlUrl,
    audit.createdAt.toISOString(),
    audit.requestedBy,
    JSON.stringify(storedCounts(audit.result)),
    storedJson(audit.result),
    audit.requestedBranch ?? null,
    storedJson(completenessOf(audit.result)),
  ];
}

/**
 * An audit's result or completeness as stored, in both stores: redacted, since a result quotes what
 * the repository holds (a parse error's line, a file's path such as `keys/ghp_…/requirements.txt`)
 * and nothing raw reaches the database. Redacting keeps JSON valid (it writes no quote or backslash).
 */
export function storedJson(value: unknown): string {
  return redactSecrets(JSON.stringify(value));
}

export class AuditStore {
  constructor(private readonly db: Db) {}

  insert(audit: NewAudit): AuditRecord {
    const info = this.db
      .prepare(
        `INSERT INTO audits (repo, repo_key, ref, sha, html_url, created_at, requested_by, counts, result, requested_branch, completeness, private)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...auditColumnValues(audit), audit.private === undefined || audit.private === null ? null : audit.private ? 1 : 0);
    const stored = this.get(Number(info.lastInsertRowid));
    if (!stored) throw new Error('audit row vanished after insert');
    return stored;
  }

  /** Where the reply was posted, so later edits (an ignore) update that message. */
  setReply(id: number, channel: string, ts: string): void {
    // A reply posted now starts with no continuation, and every later edit keeps the list.
    this.db.prepare("UPDATE audits SET channel = ?, ts = ?, reply_parts = COALESCE(reply_parts, '[]') WHERE id = ?").run(channel, ts, id);
  }

  /** The reply's thread continuation messages, as they are now (replaced whole). */
  setReplyParts(id: number, parts: readonly string[]): void {
    this.db.prepare('UPDATE audits SET reply_parts = ? WHERE id = ?').run(JSON.stringify(parts), id);
  }

  /** Stores a revised result (a second stage, an ignore), its counts and completeness in step; returns them, as stored. */
  updateResult(id: number, result: AuditResult): Pick<AuditRecord, 'counts' | 'codeCounts' | 'completeness'> {
    const stored = storedCounts(result);
    const { code, ...counts } = stored;
    const completeness = completenessOf(result);
    this.db.prepare('UPDATE audits SET result = ?, counts = ?, completeness = ? WHERE id = ?').run(storedJson(result), JSON.stringify(stored), storedJson(completeness), id);
    return { counts, codeCounts: code ?? null, completeness };
  }

  get(id: number): AuditRecord | undefined {
    if (!isAuditId(id)) return undefined;
    const row = this.db.prepare(`SELECT ${AUDIT_SUMMARY_COLUMNS}, result FROM audits WHERE id = ?`).get(id) as (AuditDbRow & { result: string }) | undefined;
    return row ? auditRecordOf(row) : undefined;
  }

  /**
   * Newest first; one row per repository (its latest audit the viewer may see). A viewer who is not
   * an admin sees audits of public repositories and the ones they asked for; an audit whose
   * privacy is unknown counts as private.
   */
  recent(limit = 10, viewer: AuditViewer = { admin: true }): AuditSummary[] {
    const rows = viewer.admin
      ? (this.db
          .prepare(
            `SELECT ${AUDIT_SUMMARY_COLUMNS} FROM audits a
             WHERE id = (SELECT MAX(id) FROM audits b WHERE b.repo_key = a.repo_key)
             ORDER BY created_at DESC, id DESC LIMIT ?`,
          )
          .all(limit) as AuditDbRow[])
      : (this.db
          .prepare(
            `SELECT ${AUDIT_SUMMARY_COLUMNS} FROM audits a
             WHERE id = (SELECT MAX(id) FROM audits b WHERE b.repo_key = a.repo_key AND (b.private = 0 OR b.requested_by = @user))
             ORDER BY created_at DESC, id DESC LIMIT @limit`,
          )
          .all({ user: viewer.userId, limit }) as AuditDbRow[]);
    return this.summariesOf(rows);
  }

  latestForRepo(repo: string): AuditSummary | undefined {
    const row = this.db.prepare(`SELECT ${AUDIT_SUMMARY_COLUMNS} FROM audits WHERE repo_key = ? ORDER BY id DESC LIMIT 1`).get(repoKey(repo)) as AuditDbRow | undefined;
    return row ? this.summariesOf([row])[0] : undefined;
  }

  /** The rows as summaries, writing back the completeness of rows from before migration 033 (once: `IS NULL` keeps a revision made since). */
  private summariesOf(rows: AuditDbRow[]): AuditSummary[] {
    const summaries = rows.map(auditSummaryOf);
    const backfill = completenessBackfill(rows, summaries);
    if (backfill.length) {
      const write = this.db.prepare('UPDATE audits SET completeness = ? WHERE id = ? AND completeness IS NULL');
      for (const { id, completeness } of backfill) write.run(completeness, id);
    }
    return summaries;
  }
}
