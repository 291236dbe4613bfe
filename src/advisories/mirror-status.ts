/**
 * What the advisory mirror holds and how old it is, read with a few indexed lookups. Apart from
 * mirror.ts so that `depwatch db status` loads this and the store only: not the matcher, the
 * version parser and the import code the mirror itself needs.
 */
import type { Db } from '../store/db.js';
import type { AdvisoryFreshness } from './freshness.js';
import { INCOMPLETE_UPDATE_KEY, parseIncompleteUpdate, type IncompleteUpdate } from './incomplete-update.js';

export interface MirrorStatus {
  records: number;
  withdrawn: number;
  packages: number;
  /**
   * `modified` of the newest record held that is not in the future (see FUTURE_MODIFIED_SKEW_MS);
   * null when there is none. What freshness and the incremental sync's mark go by.
   */
  newestModified: string | null;
  /** Records whose `modified` is later than now and the skew: held and matched, but not taken as the data's age. */
  futureModified: number;
  lastSync: string | null;
  lastSyncSource: string | null;
  /** Whether that was a sync of OSV's feed or an import of a file (not a sync: see select.ts). */
  lastSyncKind: MirrorUpdateKind | null;
  /**
   * The last import or sync, when it stopped before the end of its source (incomplete-update.ts);
   * null when the last one read all of it. Such a mirror's answers are partial.
   */
  lastUpdateIncomplete: IncompleteUpdate | null;
}

/**
 * How the mirror's data last changed: `db sync` (and the bot's sweeps) read OSV's live feed; `db
 * import` loads a file that may be a backup, an old bundle or a test fixture, so it never makes the
 * mirror answer in OSV's place.
 */
export type MirrorUpdateKind = 'sync' | 'import';

/** The meta row that records the last sync or import: `{ at, source, kind }` as JSON. */
export const LAST_SYNC_KEY = 'advisories.last_sync';

/**
 * How far past now (or past the last sync, when that is later: a clock set back, a test's clock) a
 * record's `modified` may be and still be taken as the data's age. OSV writes `modified` when it
 * changes a record, so a later one is a hand-written record, an imported fixture or a broken clock:
 * taken as the newest, it would make any sync look fresh (select.ts) and set the incremental sync's
 * mark in the future, from where it fetches nothing (sync.ts). Such records are still held and
 * matched; `db import`, `db sync` and `db status` count them.
 */
export const FUTURE_MODIFIED_SKEW_MS = 24 * 60 * 60 * 1000;

/** The stored form (`modified_key`, osv-schema.ts) of the latest `modified` trusted at `now`. */
export function trustedUntilKey(now: number): string {
  const iso = new Date(now + FUTURE_MODIFIED_SKEW_MS).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

/** Two counts, each answered from an index (migration 012), never by reading the records. */
export const MIRROR_COUNTS_SQL =
  'SELECT (SELECT COUNT(*) FROM advisories) AS records, (SELECT COUNT(*) FROM advisories WHERE withdrawn IS NOT NULL) AS withdrawn';

export class MirrorStatusReader {
  private readonly counts;
  private readonly packages;
  private readonly newest;
  private readonly future;
  private readonly readMeta;
  private readonly anyRecord;

  constructor(db: Db) {
    this.counts = db.prepare<[], { records: number; withdrawn: number | null }>(MIRROR_COUNTS_SQL);
    this.packages = db.prepare<[], { packages: number }>('SELECT COUNT(DISTINCT package) AS packages FROM advisory_packages');
    this.newest = db.prepare<[string], { modified: string }>('SELECT modified FROM advisories WHERE modified_key <= ? ORDER BY modified_key DESC LIMIT 1');
    this.future = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM advisories WHERE modified_key > ?');
    this.readMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    this.anyRecord = db.prepare<[], { one: number }>('SELECT 1 AS one FROM advisories LIMIT 1');
  }

  /** The mirror as it stands at `now` (which decides what `modified` is in the future). */
  status(now: Date = new Date()): MirrorStatus {
    const counts = this.counts.get() ?? { records: 0, withdrawn: 0 };
    const lastSync = this.lastSync();
    const until = this.trustedUntil(now, lastSync);
    return {
      records: counts.records,
      withdrawn: counts.withdrawn ?? 0,
      packages: this.packages.get()?.packages ?? 0,
      newestModified: this.newest.get(until)?.modified ?? null,
      futureModified: this.future.get(until)?.n ?? 0,
      lastSync: lastSync?.at ?? null,
      lastSyncSource: lastSync?.source ?? null,
      lastSyncKind: lastSync?.kind ?? null,
      lastUpdateIncomplete: this.incompleteUpdate(),
    };
  }

  /** The age of the data: the newest `modified` held, and the last sync (two indexed lookups). */
  freshness(now: Date = new Date()): AdvisoryFreshness {
    const lastSync = this.lastSync();
    const newestModified = this.newest.get(this.trustedUntil(now, lastSync))?.modified ?? null;
    // No trusted date: an empty mirror, or one whose records are all dated in the future (said apart).
    const undated = newestModified === null && !this.isEmpty();
    return { newestModified, ...(undated ? { undated: true as const } : {}), lastSync: lastSync?.at ?? null, lastSyncKind: lastSync?.kind ?? null };
  }

  /** Whether the mirror holds no record at all: one indexed row, where status() counts every table. */
  isEmpty(): boolean {
    return this.anyRecord.get() === undefined;
  }

  /** The key of the latest `modified` taken as the data's age: a day past now or the last sync, whichever is later. */
  private trustedUntil(now: Date, lastSync: { at: string } | null): string {
    const synced = lastSync === null ? Number.NaN : Date.parse(lastSync.at);
    return trustedUntilKey(Number.isNaN(synced) ? now.getTime() : Math.max(now.getTime(), synced));
  }

  /** The mirror's meta row under `key` (its last sync, the formats of its derived data), or null. */
  meta(key: string): string | null {
    return this.readMeta.get(key)?.value ?? null;
  }

  /** The last import or sync that stopped before the end of its source, unless a later one read all of its own. */
  incompleteUpdate(): IncompleteUpdate | null {
    const text = this.meta(INCOMPLETE_UPDATE_KEY);
    return text === null ? null : parseIncompleteUpdate(text);
  }

  lastSync(): { at: string; source: string; kind: MirrorUpdateKind } | null {
    const text = this.meta(LAST_SYNC_KEY);
    if (text === null) return null;
    try {
      const value = JSON.parse(text) as { at?: unknown; source?: unknown; kind?: unknown };
      if (typeof value.at !== 'string') return null;
      const source = typeof value.source === 'string' ? value.source : '';
      // Rows written before the kind was kept: `db import` wrote its source as "import <file>".
      const kind = value.kind === 'sync' || value.kind === 'import' ? value.kind : source.startsWith('import ') ? 'import' : 'sync';
      return { at: value.at, source, kind };
    } catch {
      return null;
    }
  }
}
