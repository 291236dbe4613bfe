/**
 * A package's advisory history, from whichever advisory source the caller chose (the local mirror,
 * or the OSV API with the mirror as fallback: src/advisories/select.ts): every advisory that names
 * the package, one entry per flaw (aliases merged), with its worst severity, whether it is a
 * malicious-package (MAL) record and whether it hits the release the card is about.
 *
 * Answers from the OSV API are cached for the card's freshness window (keyed by package and
 * release); the mirror is local and always read as it is now.
 */
import { groupByAlias } from '../../advisories/aliases.js';
import { isMaliciousGroup } from '../../advisories/malicious.js';
import { affects, groupFixedVersions } from '../../advisories/match.js';
import { worstSeverityOf, type SeverityLevel } from '../../advisories/severity.js';
import { queryKey, type AdvisorySource, type OsvRecord } from '../../advisories/types.js';
import { findUncomparable, uncomparedVersionWarnings } from '../../advisories/uncompared-versions.js';
import { normalizeName } from '../../python/names.js';
import type { SourceCache } from './cache.js';
import { compareCodeUnits } from '../../text-order.js';

export interface AdvisoryFact {
  id: string;
  aliases: string[];
  summary: string | null;
  severity: SeverityLevel;
  malicious: boolean;
  /** Whether it hits the release asked about; null when no release was given. */
  affectsRelease: boolean | null;
  fixedVersions: string[];
}

export interface AdvisoryFacts {
  /** Where the answer came from: the local mirror or the OSV API. */
  origin: 'mirror' | 'api';
  advisories: AdvisoryFact[];
  /** Things to say about the answer (OSV failed and the mirror answered instead…). */
  notices: string[];
  /**
   * What the source could not vouch for although it answered (an offline mirror's data older than
   * the limit, a stale mirror answering for OSV): each makes the card partial. Absent in answers
   * cached before it existed.
   */
  warnings?: string[];
}


/** Pure: records naming `name` → one fact per flaw, worst first. */
export function advisoryFacts(records: readonly OsvRecord[], name: string, version: string | null): AdvisoryFact[] {
  const rank: Record<SeverityLevel, number> = { critical: 0, high: 1, medium: 2, low: 3, unknown: 4 };
  return groupByAlias(records)
    .map((group) => {
      return {
        id: group.id,
        aliases: group.aliases,
        summary: group.records.find((r) => r.summary)?.summary?.trim() || null,
        severity: worstSeverityOf(group.records, name).level,
        malicious: isMaliciousGroup(group),
        affectsRelease: version === null ? null : group.records.some((r) => affects(r, name, version)),
        fixedVersions: groupFixedVersions(group.records, name),
      };
    })
    .sort((a, b) => Number(b.malicious) - Number(a.malicious) || rank[a.severity] - rank[b.severity] || compareCodeUnits(a.id, b.id));
}

/**
 * A release whose version is not PEP 440 (`0.12-internal`) has no place in an advisory's version
 * ranges: an advisory that lists its exact spelling hits it (advisoryFacts), every other one with a
 * range leaves "not affected" unknown, and the card says so (partial, never ok), as audits and
 * `check` do (src/advisories/uncompared-versions.ts). Empty for a PEP 440 version or none.
 */
function uncomparedWarnings(records: readonly OsvRecord[], name: string, version: string | null): string[] {
  if (version === null) return [];
  const uncomparable = findUncomparable([{ name, version }]);
  if (uncomparable.queries.length === 0) return [];
  const query = { name, version };
  const hits = new Map([[queryKey(query), records.filter((r) => r.withdrawn === undefined && affects(r, name, version))]]);
  return uncomparedVersionWarnings(uncomparable, hits, new Map([[name, records]])).warnings;
}

export class AdvisoriesSource {
  constructor(
    private readonly options: {
      source: AdvisorySource;
      cache: SourceCache;
      /** The OSV API's base URL (the cache's key). */
      apiUrl: string;
    },
  ) {}

  /**
   * Every record naming the package, to match against several releases at once (what a range
   * admits), with what the source could not vouch for. Not kept in the card cache: the mirror is
   * local, and the OSV API keeps package lists itself for a few minutes.
   */
  async recordsFor(name: string): Promise<{ records: OsvRecord[]; warnings: string[] }> {
    const records = await this.options.source.forPackage(normalizeName(name));
    return { records, warnings: this.options.source.warnings?.() ?? [] };
  }

  async forRelease(name: string, version: string | null): Promise<AdvisoryFacts> {
    const project = normalizeName(name);
    const read = async (): Promise<AdvisoryFacts> => {
      const records = await this.options.source.forPackage(project);
      return {
        origin: this.options.source.kind,
        advisories: advisoryFacts(records, project, version),
        notices: this.options.source.notices?.() ?? [],
        warnings: [...(this.options.source.warnings?.() ?? []), ...uncomparedWarnings(records, project, version)],
      };
    };
    if (this.options.source.kind === 'mirror') return read();
    // Only OSV's own answers are kept under OSV's key: the mirror standing in for OSV (OSV down) is
    // read again each time, so once OSV is back the next card asks it, rather than repeating for
    // the freshness window "OSV did not answer" and a stale mirror's partial answer.
    const fromOsv = (facts: AdvisoryFacts | null) => facts?.origin === 'api';
    const answer = await this.options.cache.through('advisories', this.options.apiUrl, `${project}@${version ?? ''}`, `the advisories for ${project}`, read, fromOsv);
    // `read` never answers null: a null here is a damaged cache row, and "no advisories" must never be guessed.
    if (answer.value === null) throw new Error(`the cached advisories for ${project} are unreadable`);
    return answer.value;
  }
}
