/**
 * Decoded OSV records kept in memory, keyed by id and valid for one `modified` version of the id.
 *
 * Decoding a stored record (JSON.parse) and compiling its matchers cost far more than matching
 * itself, and an audit asks about the same records several times (the installed releases, then
 * every advisory of the vulnerable packages for the fix search; a sweep, every watched repository).
 * Handing out the same object for the same (id, modified) lets the per-record caches in match.ts
 * work across calls. Records handed out are shared: callers must not mutate them.
 */
import type { OsvRecord } from './types.js';

/** Enough for every PyPI record a large audit touches; a full PyPI bundle holds ~20,000. */
export const DEFAULT_RECORD_CACHE_SIZE = 5_000;

export class RecordCache {
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recent.
  private readonly entries = new Map<string, { modified: string; record: OsvRecord }>();

  constructor(private readonly capacity = DEFAULT_RECORD_CACHE_SIZE) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached record for `id` when it was cached for exactly this `modified` (key), else undefined. */
  get(id: string, modified: string): OsvRecord | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.modified !== modified) {
      this.entries.delete(id); // superseded: it will be decoded again
      return undefined;
    }
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.record;
  }

  /** The cached entry for `id` whatever its `modified` (the caller decides whether it is recent enough). */
  peek(id: string): { modified: string; record: OsvRecord } | undefined {
    return this.entries.get(id);
  }

  set(id: string, modified: string, record: OsvRecord): void {
    if (this.capacity <= 0) return;
    this.entries.delete(id);
    this.entries.set(id, { modified, record });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }
}
