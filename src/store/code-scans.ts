/**
 * Scan results by commit (migrations/022), so that one archive download serves every /audit and
 * sweep of a commit, and the hardcoded secrets already alerted per repository.
 */
import type { ScanResult } from '../scan/types.js';
import type { Db } from './db.js';

/** Results kept per repository: the newest few commits are all a reply or a sweep asks for. */
const KEPT_PER_REPO = 5;

export class CodeScanStore {
  constructor(private readonly db: Db) {}

  get(repo: string, sha: string, scanKey: string): ScanResult | null {
    const row = this.db.prepare('SELECT result FROM code_scans WHERE repo = ? AND sha = ? AND scan_key = ?').get(repo, sha, scanKey) as { result: string } | undefined;
    return row ? (JSON.parse(row.result) as ScanResult) : null;
  }

  /** The newest scan of a commit, whatever rules and ignores it ran with (digests summarise what was last seen). */
  latest(repo: string, sha: string): ScanResult | null {
    const row = this.db.prepare('SELECT result FROM code_scans WHERE repo = ? AND sha = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(repo, sha) as { result: string } | undefined;
    return row ? (JSON.parse(row.result) as ScanResult) : null;
  }

  put(repo: string, sha: string, scanKey: string, result: ScanResult, at: Date): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO code_scans (repo, sha, scan_key, result, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (repo, sha, scan_key) DO UPDATE SET result = excluded.result, created_at = excluded.created_at')
        .run(repo, sha, scanKey, JSON.stringify(result), at.toISOString());
      this.db
        .prepare(
          `DELETE FROM code_scans WHERE repo = ? AND rowid NOT IN (SELECT rowid FROM code_scans WHERE repo = ? ORDER BY created_at DESC, rowid DESC LIMIT ${KEPT_PER_REPO})`,
        )
        .run(repo, repo);
    })();
  }
}
