/**
 * Which advisory source an audit uses: `--offline` → the mirror only (refused when empty; its
 * answers partial when its data is older than the offline limit: offline-mirror.ts);
 * otherwise the mirror when it is fresh (see mirrorStaleness), else the OSV API with the mirror as a
 * fallback when OSV is down and the mirror holds data (and the report says so: a notice when the
 * mirror is fresh, a warning, so a partial result, when it is not).
 */
import { ServiceError } from '../service-error.js';
import type { AdvisoryMirror } from './mirror.js';
import type { MirrorStatus } from './mirror-status.js';
import type { AdvisoryFreshness } from './freshness.js';
import { OfflineMirrorSource } from './offline-mirror.js';
import { describeIncompleteUpdate } from './incomplete-update.js';
import type { AdvisorySource, AffectingOptions, OsvRecord, PackageQuery } from './types.js';

/** A mirror synced within this window answers without asking OSV. */
export const MIRROR_FRESH_MS = 24 * 60 * 60 * 1000;

/**
 * How far the newest record may be from the sync time for the sync to count. OSV's live PyPI feed
 * always holds records changed in the last hours (new advisories, malicious packages, edits), so a
 * sync whose newest record is older read a stale copy (an old bucket, a mirror of a mirror).
 */
export const MIRROR_SYNC_LAG_MS = 3 * 24 * 60 * 60 * 1000;

export class OfflineMirrorEmptyError extends Error {
  override name = 'OfflineMirrorEmptyError';
  constructor() {
    super('--offline needs the local advisory mirror, and it is empty: run `depwatch db sync` or `depwatch db import <file>` first');
  }
}

/**
 * Why the mirror may not answer in OSV's place, as the end of a sentence ("…, but <this>"), or null
 * when it may. Its freshness is the age of its data, which only a sync vouches for: it may answer
 * when it was synced from OSV's feed (not filled by `db import`) within MIRROR_FRESH_MS, and that
 * sync's newest record is within MIRROR_SYNC_LAG_MS of it, and no import or sync since stopped
 * early (incomplete-update.ts). An import of a recent file does not
 * count either: a file may hold part of the feed (one record, a few packages), and an empty answer
 * from it would pass as "not affected".
 */
export function mirrorStaleness(status: Pick<MirrorStatus, 'records' | 'newestModified' | 'lastSync' | 'lastSyncSource' | 'lastSyncKind' | 'lastUpdateIncomplete'>, now: Date): string | null {
  const unchecked = 'advisories published or changed since then were not checked';
  if (status.records === 0) return 'it holds no records';
  // However recent, an update that stopped early holds part of its source only.
  if (status.lastUpdateIncomplete !== null) return describeIncompleteUpdate(status.lastUpdateIncomplete);
  if (status.lastSync === null) return 'it was never synced from OSV: advisories it does not hold were not checked';
  if (status.lastSyncKind === 'import') {
    return `its data was imported from a file (${status.lastSyncSource ?? '?'} at ${status.lastSync}), not synced from OSV: advisories the file did not hold (its newest record was modified ${status.newestModified ?? '-'}) were not checked`;
  }
  const syncedAt = Date.parse(status.lastSync);
  // An unreadable time is not a recent one (NaN compares false both ways).
  if (!(now.getTime() - syncedAt < MIRROR_FRESH_MS)) return `it was last synced ${status.lastSync}, over ${MIRROR_FRESH_MS / 3_600_000} hours ago: ${unchecked}`;
  const newest = status.newestModified === null ? Number.NaN : Date.parse(status.newestModified);
  if (!(syncedAt - newest <= MIRROR_SYNC_LAG_MS)) {
    return `its newest record was modified ${status.newestModified ?? '-'}, over ${MIRROR_SYNC_LAG_MS / 86_400_000} days before its last sync (${status.lastSync}), and OSV's live feed always holds records changed in the last days, so that sync read an old copy: advisories published or changed since that record were not checked`;
  }
  return null;
}

export function isMirrorFresh(mirror: AdvisoryMirror, now: Date): boolean {
  return mirrorStaleness(mirror.status(now), now) === null;
}

/** How old an offline mirror's data may be, in whole days (DEFAULT_MAX_DATA_AGE_DAYS unless the user moved it). */
export interface OfflineLimit {
  maxDataAgeDays: number;
}

/**
 * `--offline`: the mirror, refused when it holds nothing (an empty mirror would pass every audit),
 * and warning when its data is older than the limit (old data would pass every audit too).
 */
export function offlineSource(mirror: AdvisoryMirror, limit: OfflineLimit, now: Date): AdvisorySource {
  if (mirror.isEmpty()) throw new OfflineMirrorEmptyError();
  return new OfflineMirrorSource(mirror, { maxDataAgeDays: limit.maxDataAgeDays, now });
}

/** `offline`: false, or the limit on the mirror's data age that comes with it. */
export function chooseAdvisorySource(options: { offline: false | OfflineLimit; mirror: AdvisoryMirror; api: AdvisorySource; now: Date }): AdvisorySource {
  const { offline, mirror, api, now } = options;
  if (offline) return offlineSource(mirror, offline, now);
  if (isMirrorFresh(mirror, now)) return mirror;
  return new FallbackSource(api, mirror, () => now);
}

/**
 * The OSV API, falling back to the mirror (when it holds data) if OSV fails. A data source that did
 * not answer makes a result partial (fail closed); the mirror stands in for OSV only as far as it is
 * fresh, by the rule that lets it answer without asking OSV at all (mirrorStaleness). So a fallback
 * to a fresh mirror is a notice, and one to any other is also a warning saying why: what was
 * published since its data was not checked.
 */
export class FallbackSource implements AdvisorySource {
  private usedFallback: string | null = null;
  private staleFallback: string | null = null;

  constructor(
    private readonly primary: AdvisorySource,
    private readonly mirror: AdvisoryMirror,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get kind(): AdvisorySource['kind'] {
    return this.usedFallback ? 'mirror' : this.primary.kind;
  }

  notices(): string[] {
    // How old the mirror's data is comes with the result (freshness), wherever the mirror answered.
    return this.usedFallback ? [`OSV did not answer (${this.usedFallback}); used the local advisory mirror instead`] : [];
  }

  warnings(): string[] {
    return this.staleFallback ? [this.staleFallback] : [];
  }

  freshness(): AdvisoryFreshness | null {
    return this.usedFallback ? this.mirror.freshness(this.now()) : null;
  }

  /** Answers for the mirror once it answers instead of OSV; OSV itself knows every record. */
  holds(id: string): boolean {
    return this.usedFallback ? this.mirror.holds(id) : true;
  }

  affecting(queries: PackageQuery[], options?: AffectingOptions): Promise<Map<string, OsvRecord[]>> {
    return this.withFallback((s) => s.affecting(queries, options));
  }

  candidates(queries: PackageQuery[], options?: AffectingOptions): Promise<Map<string, OsvRecord[]>> {
    // A source that cannot list candidates gives its matches: matching them again changes nothing.
    return this.withFallback((s) => (s.candidates ? s.candidates(queries, options) : s.affecting(queries, options)));
  }

  forPackage(name: string): Promise<OsvRecord[]> {
    return this.withFallback((s) => s.forPackage(name));
  }

  byIds(ids: string[]): Promise<Map<string, OsvRecord>> {
    return this.withFallback((s) => s.byIds?.(ids) ?? Promise.resolve(new Map<string, OsvRecord>()));
  }

  private async withFallback<T>(call: (s: AdvisorySource) => Promise<T>): Promise<T> {
    if (this.usedFallback) return call(this.mirror);
    try {
      return await call(this.primary);
    } catch (err) {
      if (!(err instanceof ServiceError) || this.mirror.isEmpty()) throw err;
      this.usedFallback = err.message;
      const staleness = mirrorStaleness(this.mirror.status(this.now()), this.now());
      if (staleness !== null) this.staleFallback = `the local advisory mirror answered for OSV, but ${staleness}`;
      return call(this.mirror);
    }
  }
}
