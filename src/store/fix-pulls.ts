/** Fix pull requests opened or linked from Slack (migrations/015): one row per audit, with the state last seen; audits that needed the same edits link the same pull request (src/fix/pull-request/text.ts fixBranchName). */
import type { PullState } from '../github/fix-pull-request.js';
import type { Db } from './db.js';

export interface FixPullRecord {
  auditId: number;
  repo: string;
  branch: string;
  number: number;
  url: string;
  state: PullState;
}

/** A `fix_pull_requests` row as either driver returns it (PostgreSQL: BIGINT ids as strings). */
export interface FixPullDbRow {
  audit_id: number | string;
  repo: string;
  branch: string;
  number: number;
  url: string;
  state: string;
}

export const FIX_PULL_COLUMNS = 'audit_id, repo, branch, number, url, state';

export const fixPullOf = (r: FixPullDbRow): FixPullRecord => ({ auditId: Number(r.audit_id), repo: r.repo, branch: r.branch, number: r.number, url: r.url, state: r.state === 'merged' || r.state === 'closed' ? r.state : 'open' });

export class FixPullStore {
  constructor(private readonly db: Db) {}

  get(auditId: number): FixPullRecord | undefined {
    const row = this.db.prepare(`SELECT ${FIX_PULL_COLUMNS} FROM fix_pull_requests WHERE audit_id = ?`).get(auditId) as FixPullDbRow | undefined;
    return row ? fixPullOf(row) : undefined;
  }

  save(record: FixPullRecord, openedBy: string, at: Date): void {
    this.db
      .prepare(
        `INSERT INTO fix_pull_requests (audit_id, repo, branch, number, url, state, opened_by, opened_at, checked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (audit_id) DO UPDATE SET number = excluded.number, url = excluded.url, state = excluded.state, checked_at = excluded.checked_at`,
      )
      .run(record.auditId, record.repo, record.branch, record.number, record.url, record.state, openedBy, at.toISOString(), at.toISOString());
  }

  setState(auditId: number, state: PullState, at: Date): void {
    this.db.prepare('UPDATE fix_pull_requests SET state = ?, checked_at = ? WHERE audit_id = ?').run(state, at.toISOString(), auditId);
  }

  /** The newest fix pull request of a repository (`owner/name`, any case: GitHub names are case-insensitive), whatever its state. */
  latestForRepo(repo: string): FixPullRecord | undefined {
    const row = this.db.prepare(`SELECT ${FIX_PULL_COLUMNS} FROM fix_pull_requests WHERE repo = ? COLLATE NOCASE ORDER BY opened_at DESC, audit_id DESC LIMIT 1`).get(repo) as FixPullDbRow | undefined;
    return row ? fixPullOf(row) : undefined;
  }

  /** Pull requests still open (the sweep checks whether they were merged or closed). */
  open(): FixPullRecord[] {
    return (this.db.prepare(`SELECT ${FIX_PULL_COLUMNS} FROM fix_pull_requests WHERE state = 'open' ORDER BY audit_id`).all() as FixPullDbRow[]).map(fixPullOf);
  }
}
