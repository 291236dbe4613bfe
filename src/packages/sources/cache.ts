/**
 * The cache behind every health-card source (migrations/010_package_health_cache.sql): an answer
 * younger than the freshness window (an hour) is served without a request, a "not found" included.
 * Failures are never cached: the next card asks again. Offline, any cached answer is served,
 * whatever its age, and a miss says so instead of asking.
 */
import type { Db } from '../../store/db.js';

export type SourceName = 'pypi-json' | 'pypi-simple' | 'pypi-integrity' | 'github' | 'advisories';

export const CARD_FRESHNESS_MS = 3_600_000;

/** Thrown for a cache miss in offline mode; the card turns it into an `unknown` signal. */
export class OfflineMissError extends Error {
  override name = 'OfflineMissError';
  constructor(what: string) {
    super(`--offline: ${what} is not in the local cache`);
  }
}

export interface CachedAnswer<T> {
  value: T | null;
  /** When the source last gave this answer (ms since the epoch). */
  checkedAt: number;
  fromCache: boolean;
}

interface Row {
  found: number;
  body: string | null;
  checked_at: number;
}

export class SourceCache {
  readonly stats = { hits: 0, misses: 0 };
  private readonly select;
  private readonly upsert;
  private readonly inFlight = new Map<string, Promise<CachedAnswer<unknown>>>();

  constructor(
    db: Db,
    private readonly options: { freshnessMs?: number; now?: () => number; offline?: boolean } = {},
  ) {
    this.select = db.prepare<[string, string, string], Row>('SELECT found, body, checked_at FROM package_source_cache WHERE source = ? AND base_url = ? AND key = ?');
    this.upsert = db.prepare<[string, string, string, number, string | null, number]>(
      `INSERT INTO package_source_cache (source, base_url, key, found, body, checked_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, base_url, key) DO UPDATE SET found = excluded.found, body = excluded.body, checked_at = excluded.checked_at`,
    );
  }

  get offline(): boolean {
    return this.options.offline ?? false;
  }

  /**
   * The cached answer when fresh (or, offline, when present at all); otherwise `load()` asks the
   * source, and its answer (null = not found) is stored, unless `keep` says it is not the source's
   * own answer (a stand-in's, which must not pass for the source's for the freshness window).
   * Concurrent asks for one key share one load.
   */
  through<T>(source: SourceName, baseUrl: string, key: string, what: string, load: () => Promise<T | null>, keep: (value: T | null) => boolean = () => true): Promise<CachedAnswer<T>> {
    const flight = `${source}\u0000${baseUrl}\u0000${key}`;
    const pending = this.inFlight.get(flight);
    if (pending) return pending as Promise<CachedAnswer<T>>;
    const work = this.resolve(source, baseUrl, key, what, load, keep).finally(() => this.inFlight.delete(flight));
    this.inFlight.set(flight, work);
    return work;
  }

  /** A cached answer of any age, without asking anyone (dependency weights use what is already known). */
  peek<T>(source: SourceName, baseUrl: string, key: string): CachedAnswer<T> | undefined {
    const row = this.select.get(source, baseUrl, key);
    return row === undefined ? undefined : { value: decode<T>(row), checkedAt: row.checked_at, fromCache: true };
  }

  private async resolve<T>(source: SourceName, baseUrl: string, key: string, what: string, load: () => Promise<T | null>, keep: (value: T | null) => boolean): Promise<CachedAnswer<T>> {
    const now = (this.options.now ?? Date.now)();
    const row = this.select.get(source, baseUrl, key);
    if (row !== undefined && (this.offline || now - row.checked_at < (this.options.freshnessMs ?? CARD_FRESHNESS_MS))) {
      this.stats.hits++;
      return { value: decode<T>(row), checkedAt: row.checked_at, fromCache: true };
    }
    if (this.offline) throw new OfflineMissError(what);
    this.stats.misses++;
    const value = await load();
    if (!keep(value)) return { value, checkedAt: now, fromCache: false };
    this.upsert.run(source, baseUrl, key, value === null ? 0 : 1, value === null ? null : JSON.stringify(value), now);
    return { value, checkedAt: now, fromCache: false };
  }
}

function decode<T>(row: Row): T | null {
  return row.found && row.body !== null ? (JSON.parse(row.body) as T) : null;
}
