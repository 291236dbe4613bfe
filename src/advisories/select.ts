/**
 * Which advisory source an audit uses: `--offline` → the mirror only (refused when empty);
 * otherwise the mirror when it was synced recently, else the OSV API with the mirror as a fallback
 * when OSV is down and the mirror holds data (and the report says so: a notice when the mirror is
 * fresh, a warning, so a partial result, when it is older than MIRROR_FRESH_MS).
 */
import { ServiceError } from '../service-error.js';
import type { AdvisoryMirror } from './mirror.js';
import type { AdvisoryFreshness } from './freshness.js';
import type { AdvisorySource, AffectingOptions, OsvRecord, PackageQuery } from './types.js';

/** A mirror synced within this window answers without asking OSV. */
export const MIRROR_FRESH_MS = 24 * 60 * 60 * 1000;

export class OfflineMirrorEmptyError extends Error {
  override name = 'OfflineMirrorEmptyError';
  constructor() {
    super('--offline needs the local advisory mirror, and it is empty: run `depwatch db sync` or `depwatch db import <file>` first');
  }
}

export function isMirrorFresh(mirror: AdvisoryMirror, now: Date): boolean {
  const status = mirror.status();
  return status.records > 0 && status.lastSync !== null && now.getTime() - Date.parse(status.lastSync) < MIRROR_FRESH_MS;
}

/** `--offline`: the mirror, refused when it holds nothing (an empty mirror would pass every audit). */
export function offlineSource(mirror: AdvisoryMirror): AdvisorySource {
  if (mirror.status().records === 0) throw new OfflineMirrorEmptyError();
  return mirror;
}

export function chooseAdvisorySource(options: { offline: boolean; mirror: AdvisoryMirror; api: AdvisorySource; now: Date }): AdvisorySource {
  const { offline, mirror, api, now } = options;
  if (offline) return offlineSource(mirror);
  if (isMirrorFresh(mirror, now)) return mirror;
  return new FallbackSource(api, mirror, () => now);
}

/**
 * The OSV API, falling back to the mirror (when it holds data) if OSV fails. A data source that did
 * not answer makes a result partial (fail closed); the mirror stands in for OSV only as far as it is
 * fresh, by the limit that lets it answer without asking OSV at all. So a fallback to a fresh mirror
 * is a notice, and one to an older mirror is also a warning: what was published since its last sync
 * was not checked.
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
    return this.usedFallback ? this.mirror.freshness() : null;
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
      if (!(err instanceof ServiceError) || this.mirror.status().records === 0) throw err;
      this.usedFallback = err.message;
      if (!isMirrorFresh(this.mirror, this.now())) {
        const lastSync = this.mirror.status().lastSync;
        this.staleFallback = `the local advisory mirror answered for OSV, but it was ${lastSync ? `last synced ${lastSync}` : 'never synced'}, over ${MIRROR_FRESH_MS / 3_600_000} hours ago: advisories published or changed since then were not checked`;
      }
      return call(this.mirror);
    }
  }
}
