/**
 * Pinned or locked releases whose version is not PEP 440 (`0.12-internal`, `2.1.5.`, a pre-PEP 440
 * release PyPI still serves, a `===` pin): such a version has no place in PEP 440 order, so an
 * advisory's ECOSYSTEM ranges cannot say whether it is inside them. Only an exact listed spelling
 * can match it (match.ts). Answering "not affected" for the rest passed such a pin silently (fail
 * open). Fail closed: every advisory of the package with a version range that did not match is a
 * question left unanswered, and the result says so, one reason per release. A package with no
 * advisory with a range has nothing left unanswered (listed versions were compared exactly).
 *
 * The package's whole list is read (`forPackage`), not only what the source answered for the
 * release: OSV's querybatch may answer nothing for a version it cannot read, and the exact spellings
 * of the records' `versions` lists are then matched here.
 */
import { isValidVersion } from '../python/pep440.js';
import { errorLine } from '../error-line.js';
import { plural } from '../plural.js';
import { groupByAlias } from './aliases.js';
import { affectedEntries, affects, pep503 } from './match.js';
import { queryKey, type AdvisorySource, type OsvRecord, type PackageQuery } from './types.js';

/**
 * The queries whose version is not PEP 440, once each, and the PEP 503 names of their packages
 * (whose lists are read). Found once per audit or check (findUncomparable), then handed to each
 * step: the source told of the names beforehand, the lists read, the warnings.
 */
export interface UncomparableQueries {
  readonly queries: readonly PackageQuery[];
  readonly names: readonly string[];
}

/** The queries among `queries` whose version is not PEP 440 (one parse of each version). */
export function findUncomparable(queries: readonly PackageQuery[]): UncomparableQueries {
  const seen = new Map<string, PackageQuery>();
  for (const q of queries) if (!seen.has(queryKey(q)) && !isValidVersion(q.version)) seen.set(queryKey(q), q);
  const found = [...seen.values()];
  return { queries: found, names: [...new Set(found.map((q) => pep503(q.name)))] };
}

/** Whether `record` has an ECOSYSTEM range for `name` (which a version outside PEP 440 order cannot be placed in). */
function hasVersionRange(record: OsvRecord, name: string): boolean {
  return affectedEntries(record, name).some((entry) => (entry.ranges ?? []).some((range) => range.type === 'ECOSYSTEM'));
}

/**
 * One line per release among `uncomparable`, when its package has
 * advisories with version ranges that did not match it (an advisory matched through its listed
 * versions is a finding, not a question): counted as findings are, one per vulnerability (aliases
 * merged). `packageRecords` holds each such package's records (by PEP 503 name); a package missing
 * from it (its list could not be read, `unread` says why) is a question about every advisory it may have.
 */
export function uncomparedVersionWarnings(
  uncomparable: UncomparableQueries,
  hits: ReadonlyMap<string, readonly OsvRecord[]>,
  packageRecords: ReadonlyMap<string, readonly OsvRecord[]>,
  unread: ReadonlyMap<string, string> = new Map(),
): UncomparedVersions {
  const out: UncomparedVersions = { warnings: [], notReached: [], releases: new Set() };
  for (const query of uncomparable.queries) {
    const name = pep503(query.name);
    const records = packageRecords.get(name);
    if (records === undefined) {
      const why = unread.get(name);
      const line = `${name} ${query.version} is not a PEP 440 version, and the advisories for ${name} could not be read${why === undefined ? '' : ` (${why})`} to compare with it: whether any affects it is unknown`;
      out.warnings.push(line);
      out.notReached.push(line);
      out.releases.add(queryKey(query));
      continue;
    }
    const matched = new Set<string>();
    for (const record of hits.get(queryKey(query)) ?? []) for (const id of [record.id, ...(record.aliases ?? [])]) matched.add(id);
    const ranged = records.filter((r) => r.withdrawn === undefined && hasVersionRange(r, name));
    const unanswered = groupByAlias(ranged).filter((group) => !group.records.some((r) => matched.has(r.id) || (r.aliases ?? []).some((id) => matched.has(id))));
    if (unanswered.length === 0) continue;
    out.releases.add(queryKey(query));
    out.warnings.push(
      `${name} ${query.version} is not a PEP 440 version: the ${plural(unanswered.length, 'advisory', 'advisories')} for ${name} with version ranges could not be compared with it`,
    );
  }
  return out;
}

export interface UncomparedVersions {
  /** The reasons the result is partial (uncomparedVersionWarnings). */
  warnings: string[];
  /** Those of `warnings` given because a package's list could not be read: a source not reached, so the same check may succeed next time. */
  notReached: string[];
  /** The releases (queryKey) these are about: whether they are affected is unknown. */
  releases: Set<string>;
}

/**
 * Reads the lists of the packages of `uncomparable` (findUncomparable), adds to `hits` the
 * records that list such a version exactly (which the source may not have answered), and gives the
 * reasons the result is partial (uncomparedVersionWarnings). Nothing is read when every version is
 * PEP 440. A remote source told of these names beforehand (AffectingOptions.listPackages) answers
 * from what it already holds.
 */
export async function checkUncomparableVersions(source: AdvisorySource, uncomparable: UncomparableQueries, hits: Map<string, OsvRecord[]>): Promise<UncomparedVersions> {
  if (uncomparable.queries.length === 0) return { warnings: [], notReached: [], releases: new Set() };
  const packageRecords = new Map<string, OsvRecord[]>();
  const unread = new Map<string, string>();
  await Promise.all(
    uncomparable.names.map(async (name) => {
      try {
        packageRecords.set(name, await source.forPackage(name));
      } catch (err) {
        unread.set(name, errorLine(err));
      }
    }),
  );
  for (const query of uncomparable.queries) {
    const records = packageRecords.get(pep503(query.name));
    if (records === undefined) continue;
    const key = queryKey(query);
    const found = hits.get(key) ?? [];
    const ids = new Set(found.map((r) => r.id));
    const listed = records.filter((r) => !ids.has(r.id) && r.withdrawn === undefined && affects(r, query.name, query.version));
    if (listed.length > 0 || !hits.has(key)) hits.set(key, [...found, ...listed]);
  }
  return uncomparedVersionWarnings(uncomparable, hits, packageRecords, unread);
}
