/**
 * Ignores made in Slack (migrations/006), scoped to a repository: who, when, why and until when.
 * Every later audit of that repository applies them (as `extraIgnores`) next to its .depwatch.yml.
 */
import type { IgnoreRule } from '../audit/ignores.js';
import { normalizeName } from '../python/names.js';
import { repoKey } from './audits.js';
import type { Db } from './db.js';

export interface NewIgnore {
  repo: string;
  advisoryId: string;
  package: string | null;
  reason: string;
  /** YYYY-MM-DD, inclusive; null for no expiry. */
  until: string | null;
  createdBy: string;
  createdAt: Date;
  auditId?: number | null;
}

export interface StoredIgnore {
  id: number;
  repoKey: string;
  advisoryId: string;
  package: string | null;
  reason: string;
  until: string | null;
  createdBy: string;
  createdAt: string;
  auditId: number | null;
}

/** An `ignores` row as either driver returns it (PostgreSQL: BIGSERIAL ids as strings). */
export interface IgnoreDbRow {
  id: number | string;
  repo_key: string;
  advisory_id: string;
  package: string | null;
  reason: string;
  until: string | null;
  created_by: string;
  created_at: string;
  audit_id: number | string | null;
}

export const ignoreOf = (r: IgnoreDbRow): StoredIgnore => ({
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

/** How a Slack ignore reads in reports: the mention renders as the person's name in Slack. */
export const ignoreSource = (ignore: Pick<StoredIgnore, 'createdBy'>): string => `Slack, by <@${ignore.createdBy}>`;

export function toIgnoreRule(ignore: StoredIgnore): IgnoreRule {
  return { id: ignore.advisoryId, reason: ignore.reason, until: ignore.until, package: ignore.package, source: ignoreSource(ignore) };
}

/** The values of an ignore's columns in INSERT order, up to (not including) `audit_id`, which each store decides. */
export function ignoreColumnValues(ignore: NewIgnore): unknown[] {
  return [
    repoKey(ignore.repo),
    ignore.advisoryId.trim(),
    ignore.package ? normalizeName(ignore.package) : null,
    ignore.reason.trim(),
    ignore.until,
    ignore.createdBy,
    ignore.createdAt.toISOString(),
  ];
}

export class IgnoreStore {
  constructor(private readonly db: Db) {}

  /**
   * Stores an ignore in place of the repository's earlier one of the same advisory (any casing) and
   * package (or every package), as `/audit ignore` does for a channel: saving the modal again (a
   * double-click, a Slack retry, a shorter expiry) leaves one row, the last saved. `replaced`: the
   * ignore it took the place of.
   */
  add(ignore: NewIgnore): { ignore: StoredIgnore; replaced: StoredIgnore | null } {
    return this.db.transaction(() => {
      const [key, advisoryId, pkg] = ignoreColumnValues(ignore);
      const previous = this.db
        .prepare("DELETE FROM ignores WHERE repo_key = ? AND advisory_id = ? COLLATE NOCASE AND IFNULL(package, '') = IFNULL(?, '') RETURNING *")
        .all(key, advisoryId, pkg) as IgnoreDbRow[];
      const info = this.db
        .prepare(
          `INSERT INTO ignores (repo_key, advisory_id, package, reason, until, created_by, created_at, audit_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...ignoreColumnValues(ignore), ignore.auditId ?? null);
      const stored = ignoreOf(this.db.prepare('SELECT * FROM ignores WHERE id = ?').get(Number(info.lastInsertRowid)) as IgnoreDbRow);
      return { ignore: stored, replaced: previous[0] ? ignoreOf(previous[0]) : null };
    })();
  }

  forRepo(repo: string): StoredIgnore[] {
    return (this.db.prepare('SELECT * FROM ignores WHERE repo_key = ? ORDER BY id').all(repoKey(repo)) as IgnoreDbRow[]).map(ignoreOf);
  }

  /** Every repository's ignores, oldest first (a sweep reads them once). */
  all(): StoredIgnore[] {
    return (this.db.prepare('SELECT * FROM ignores ORDER BY id').all() as IgnoreDbRow[]).map(ignoreOf);
  }

  /** The repository's ignores as audit rules. */
  rulesForRepo(repo: string): IgnoreRule[] {
    return this.forRepo(repo).map(toIgnoreRule);
  }
}
