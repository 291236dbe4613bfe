/**
 * OSV records as Depwatch uses them (https://ossf.github.io/osv-schema/). The runtime validation
 * lives in osv-schema.ts; these are the shapes the rest of the code reads.
 */
import type { AdvisoryFreshness } from './freshness.js';

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT' | string;
  repo?: string;
  events: OsvEvent[];
}

export interface OsvSeverity {
  type: string; // CVSS_V2 | CVSS_V3 | CVSS_V4 | Ubuntu
  score: string;
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  ranges?: OsvRange[];
  versions?: string[];
  severity?: OsvSeverity[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface OsvRecord {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: { type: string; url: string }[];
  database_specific?: Record<string, unknown>;
}

/** A package version to look up. `name` is PEP 503 normalised; `version` is as written (may be non-PEP 440). */
export interface PackageQuery {
  name: string;
  version: string;
}

/**
 * Where advisories come from: the local mirror (SQLite) or the OSV API. Both answer the same
 * question, so the audit does not care which one it was given.
 */
export interface AdvisorySource {
  readonly kind: 'mirror' | 'api';
  /**
   * Every non-withdrawn record affecting each query, keyed by `${name}@${version}`.
   * Records are returned whole (hydrated), so callers can compute fixes and severity.
   */
  affecting(queries: PackageQuery[], options?: AffectingOptions): Promise<Map<string, OsvRecord[]>>;
  /**
   * The records that may affect each query (same keys as `affecting`), read but not yet matched:
   * `affecting` is `matchCandidates(queries, candidates(queries))`. Apart so the matching, which is
   * CPU work, can run off the main thread (src/workers/) while the reading stays here.
   */
  candidates?(queries: PackageQuery[], options?: AffectingOptions): Promise<Map<string, OsvRecord[]>>;
  /** Every record that names this package (for "how many advisories does this range admit?" and fixes). */
  forPackage(name: string): Promise<OsvRecord[]>;
  /**
   * Records by id, withdrawn or not; ids the source does not hold are absent. Used to rate an
   * unrated advisory from its aliases' records (alias-severity.ts), never for matching.
   */
  byIds?(ids: string[]): Promise<Map<string, OsvRecord>>;
  /**
   * A mark of the data as it is now, for sweeps that re-match only what changed (with
   * `changedSince`); absent when the source keeps no change log (the OSV API).
   */
  changeMark?(): string;
  /**
   * PEP 503 names of the packages whose advisories were added, modified or withdrawn since `mark`,
   * or null when the source cannot tell (a mark it did not give): then everything must be matched.
   */
  changedSince?(mark: string): ReadonlySet<string> | null;
  /**
   * Whether this local copy (the mirror) holds a record with this id, withdrawn or not; absent for
   * a live service, which knows every record. A sweep never closes the finding of an advisory its
   * data does not hold: it was found with newer data (another replica's mirror, the OSV API), and
   * an older copy not matching it says nothing about whether it is fixed.
   */
  holds?(id: string): boolean;
  /** How old the data answering was, for a local copy (the mirror); absent or null for a live service. */
  freshness?(): AdvisoryFreshness | null;
  /** Things the user should know about where answers came from (a fallback), collected so far. */
  notices?(): string[];
  /**
   * What the source could not vouch for although it answered (a fallback to a mirror older than its
   * freshness limit), collected so far: each is a data source that failed, so the result is partial.
   */
  warnings?(): string[];
}

export interface AffectingOptions {
  /**
   * Packages (beyond the queried ones) whose whole list the caller will ask `forPackage` for next,
   * e.g. an audit's unpinned requirements: a remote source learns them in the same round trip.
   */
  listPackages?: readonly string[];
  /**
   * The caller will look up the records of unrated advisories' aliases next (lookUpAliasRatings,
   * then byIds): a remote source may start those lookups as each query's records arrive, instead
   * of after the whole answer. Never changes what is returned.
   */
  prefetchAliasRatings?: boolean;
}

export const queryKey = (q: PackageQuery): string => `${q.name}@${q.version}`;
