/**
 * Which advisory source an audit uses: `--offline` → the mirror only (refused when empty);
 * otherwise the mirror when it was synced recently, else the OSV API with the mirror as a fallback
 * when OSV is down and the mirror holds data (and the report says so).
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
  return new FallbackSource(api, mirror);
}

/** The OSV API, falling back to the mirror (when it holds data) if OSV fails. */
export class FallbackSource implements AdvisorySource {
  private usedFallback: string | null = null;

  constructor(
    private readonly primary: AdvisorySource,
    private readonly mirror: AdvisoryMirror,
  ) {}

  get kind(): AdvisorySource['kind'] {
    return this.usedFallback ? 'mirror' : this.primary.kind;
  }

  notices(): string[] {
    // How old the mirror's data is comes with the result (freshness), wherever the mirror answered.
    return this.usedFallback ? [`OSV did not answer (${this.usedFallback}); used the local advisory mirror instead`] : [];
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
      return call(this.mirror);
    }
  }
}
