/**
 * What the advisory mirror holds and how old it is, read with a few indexed lookups. Apart from
 * mirror.ts so that `depwatch db status` loads this and the store only: not the matcher, the
 * version parser and the import code the mirror itself needs.
 */
import type { Db } from '../store/db.js';
import type { AdvisoryFreshness } from './freshness.js';

export interface MirrorStatus {
  records: number;
  withdrawn: number;
  packages: number;
  newestModified: string | null;
  lastSync: string | null;
  lastSyncSource: string | null;
  /** Whether that was a sync of OSV's feed or an import of a file (not a sync: see select.ts). */
  lastSyncKind: MirrorUpdateKind | null;
}

/**
 * How the mirror's data last changed: `db sync` (and the bot's sweeps) read OSV's live feed; `db
 * import` loads a file that may be a backup, an old bundle or a test fixture, so it never makes the
 * mirror answer in OSV's place.
 */
export type MirrorUpdateKind = 'sync' | 'import';

/** The meta row that records the last sync or import: `{ at, source, kind }` as JSON. */
export const LAST_SYNC_KEY = 'advisories.last_sync';

/** Two counts, each answered from an index (migration 012), never by reading the records. */
export const MIRROR_COUNTS_SQL =
  'SELECT (SELECT COUNT(*) FROM advisories) AS records, (SELECT COUNT(*) FROM advisories WHERE withdrawn IS NOT NULL) AS withdrawn';

export class MirrorStatusReader {
  private readonly counts;
  private readonly packages;
  private readonly newest;
  private readonly readMeta;

  constructor(db: Db) {
    this.counts = db.prepare<[], { records: number; withdrawn: number | null }>(MIRROR_COUNTS_SQL);
    this.packages = db.prepare<[], { packages: number }>('SELECT COUNT(DISTINCT package) AS packages FROM advisory_packages');
    this.newest = db.prepare<[], { modified: string }>('SELECT modified FROM advisories ORDER BY modified_key DESC LIMIT 1');
    this.readMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  }

  status(): MirrorStatus {
    const counts = this.counts.get() ?? { records: 0, withdrawn: 0 };
    const lastSync = this.lastSync();
    return {
      records: counts.records,
      withdrawn: counts.withdrawn ?? 0,
      packages: this.packages.get()?.packages ?? 0,
      newestModified: this.newestModified(),
      lastSync: lastSync?.at ?? null,
      lastSyncSource: lastSync?.source ?? null,
      lastSyncKind: lastSync?.kind ?? null,
    };
  }

  /** The age of the data: the newest `modified` held, and the last sync (two indexed lookups). */
  freshness(): AdvisoryFreshness {
    const lastSync = this.lastSync();
    return { newestModified: this.newestModified(), lastSync: lastSync?.at ?? null, lastSyncKind: lastSync?.kind ?? null };
  }

  newestModified(): string | null {
    return this.newest.get()?.modified ?? null;
  }

  /** The mirror's meta row under `key` (its last sync, the formats of its derived data), or null. */
  meta(key: string): string | null {
    return this.readMeta.get(key)?.value ?? null;
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
