/**
 * Severity from an alias's record. Most PyPA (PYSEC) records carry no rating, while the GHSA or CVE
 * record of the same flaw usually does (a CVSS vector, GHSA's `database_specific.severity`). When no
 * record of an alias group rates the flaw, the records its aliases name are looked up by id in the
 * same advisory source (the mirror's table, or OSV's `/v1/vulns/{id}`) and the worst rating among
 * them is used, naming the record it came from. The lookup never changes which advisories match.
 */
import { errorLine } from '../error-line.js';
import type { AdvisoryGroup } from './aliases.js';
import { worstSeverityOf, type RatedSeverity } from './severity.js';
import type { AdvisorySource, OsvRecord } from './types.js';

/**
 * Alias ids of the groups that no record of theirs rates (the ones worth looking up). Each list is
 * one release's groups (groupHits), as its findings are made: a flaw is rated or not per release,
 * so a group is not taken for rated because another release's records of the same flaw are.
 */
export function unratedAliasIds(groupLists: Iterable<readonly AdvisoryGroup[]>): string[] {
  const wanted = new Set<string>();
  for (const groups of groupLists) {
    for (const group of groups) {
      if (worstSeverityOf(group.records).level !== 'unknown') continue;
      for (const id of group.aliases) if (!group.records.some((r) => r.id === id)) wanted.add(id);
    }
  }
  return [...wanted].sort();
}

export interface AliasRatings {
  /** Alias records found, by id (ids the source does not know are absent). */
  records: Map<string, OsvRecord>;
  /** Why the lookup failed, when it did: the affected findings stay unrated (and say so). */
  failure: string | null;
}

/** Looks up the alias records that could rate the unrated groups among each release's (see unratedAliasIds). */
export async function lookUpAliasRatings(source: AdvisorySource, groupLists: Iterable<readonly AdvisoryGroup[]>): Promise<AliasRatings> {
  const ids = unratedAliasIds(groupLists);
  if (ids.length === 0 || !source.byIds) return { records: new Map(), failure: null };
  try {
    return { records: await source.byIds(ids), failure: null };
  } catch (err) {
    return { records: new Map(), failure: errorLine(err) };
  }
}

/**
 * The severity of one alias group for `packageName`: its own records' worst rating, else the worst
 * among its aliases' records (by their entries for the package when they name it, as GHSA records
 * do, else by the whole record, as for CVE records that name no PyPI package).
 */
export function groupSeverity(records: readonly OsvRecord[], packageName: string | undefined, aliasRecords: ReadonlyMap<string, OsvRecord> | undefined): RatedSeverity {
  const own = worstSeverityOf(records, packageName);
  if (own.level !== 'unknown' || aliasRecords === undefined || aliasRecords.size === 0) return own;
  // The records the group's aliases name, in the order they are first named. Gathered in one pass,
  // no sets: asked for every unrated group (most of an audit's, 2,617 of the bench's 2,904), nearly
  // all one record. An id named twice is its record twice, which changes no worst rating (only a
  // worse one replaces the one held).
  const held = records.length === 1 ? null : new Set(records.map((r) => r.id));
  const onlyId = records[0]?.id;
  const aliases: OsvRecord[] = [];
  for (const record of records) {
    for (const id of record.aliases ?? []) {
      if (held === null ? id === onlyId : held.has(id)) continue;
      const alias = aliasRecords.get(id);
      if (alias !== undefined && !alias.withdrawn) aliases.push(alias);
    }
  }
  if (aliases.length === 0) return own;
  const forPackage = packageName === undefined ? own : worstSeverityOf(aliases, packageName);
  return forPackage.level !== 'unknown' ? forPackage : worstSeverityOf(aliases);
}
