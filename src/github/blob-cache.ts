/** The sha-keyed blob cache (migrations/005_github_cache.sql): text of files already fetched once. */
import type { Db } from '../store/db.js';

export interface CachedBlob {
  sha: string;
  size: number;
  text: string;
}

export class BlobCache {
  private readonly select;
  private readonly insert;
  private readonly touch;

  constructor(private readonly db: Db) {
    this.select = db.prepare<[string], CachedBlob>('SELECT sha, size, text FROM github_blob_cache WHERE sha = ?');
    this.insert = db.prepare(
      'INSERT INTO github_blob_cache (sha, size, text, fetched_at, used_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha) DO UPDATE SET used_at = excluded.used_at',
    );
    this.touch = db.prepare('UPDATE github_blob_cache SET used_at = ? WHERE sha = ?');
  }

  /** Looks up each sha; hits are marked as used now so pruning keeps what is still referenced. */
  getMany(shas: readonly string[], now = new Date()): Map<string, CachedBlob> {
    const found = new Map<string, CachedBlob>();
    const at = now.toISOString();
    this.db.transaction(() => {
      for (const sha of new Set(shas)) {
        const row = this.select.get(sha);
        if (!row) continue;
        found.set(sha, row);
        this.touch.run(at, sha);
      }
    })();
    return found;
  }

  /** Stores a blob fetched from GitHub; returns it as stored, which is what readers will get back. */
  put(blob: CachedBlob, now = new Date()): CachedBlob {
    const at = now.toISOString();
    this.insert.run(blob.sha, blob.size, blob.text, at, at);
    return blob;
  }

  /** Deletes blobs no snapshot has used since `before`; returns how many went. */
  prune(before: Date): number {
    return this.db.prepare('DELETE FROM github_blob_cache WHERE used_at < ?').run(before.toISOString()).changes;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM github_blob_cache').get() as { n: number }).n;
  }
}
