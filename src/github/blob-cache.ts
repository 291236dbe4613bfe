/**
 * The sha-keyed blob cache (migrations/005_github_cache.sql): text of files already fetched once.
 *
 * It keeps what the audit needs and no credentials: before a blob is stored, every secret of every
 * URL in it (a password or token before the host, `token=`, `sig=`… values) is overwritten with `*`
 * of the same length, and so is the random part of every token the secret scanner knows
 * (`sk_live_****…`, `xoxb-****…`: maskSecrets). We redact rather than encrypt: an encryption key would have
 * to live next to the database (or be one more secret to configure and rotate) and the audit never
 * needs the secret back, since every parser result has URL credentials removed anyway. Masking in
 * place keeps lines and columns, so a cached manifest parses to exactly the audit of the original
 * (test/github/blob-cache.test.ts checks that). Rows stored before this rule were dropped by
 * migrations/009_blob_cache_without_credentials.sql.
 */
import { maskSecrets } from '../redact.js';
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

  /**
   * Stores a blob fetched from GitHub, URL credentials masked; returns it as stored, which is what
   * every reader gets, now and from the cache later. `size` stays the size of the blob on GitHub.
   */
  put(blob: CachedBlob, now = new Date()): CachedBlob {
    const at = now.toISOString();
    const stored = { ...blob, text: maskSecrets(blob.text) };
    this.insert.run(stored.sha, stored.size, stored.text, at, at);
    return stored;
  }

  /** Deletes blobs no snapshot has used since `before`; returns how many went. */
  prune(before: Date): number {
    return this.db.prepare('DELETE FROM github_blob_cache WHERE used_at < ?').run(before.toISOString()).changes;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM github_blob_cache').get() as { n: number }).n;
  }
}
