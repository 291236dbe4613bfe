/**
 * The smallest single upgrade that clears every advisory of a package: the first release above the
 * installed one that no advisory affects. A record's `fixed` event is not trusted alone: OSV counts a
 * release as affected when its `versions` list names it, and some records list their own fixed
 * release (PYSEC-2023-177 lists gevent 23.9.0 and 23.9.0.post1 and says fixed 23.9.0), so the
 * search walks the known releases in order and asks every advisory about each, rather than jumping
 * from fix to fix (pip-audit's way, which stops at a release the advisory still affects).
 * When the registry's releases are known, the answer is always a real, non-yanked release; offline
 * the candidates are the releases the records name as fixed: every other version a record names
 * (listed, introduced, last affected) is affected by that record, so it can never be the answer.
 */
import { fixedVersions, matcherFor } from '../advisories/match.js';
import type { OsvRecord } from '../advisories/types.js';
import { compareVersions, isPrerelease, isValidVersion } from '../python/pep440.js';

export interface ReleaseRef {
  version: string;
  yanked: boolean;
}

export type FixResult =
  | { ok: true; version: string }
  | { ok: false; reason: string; blockingId?: string };

/**
 * @param records every known advisory for the package (not only those hitting `version`), so a
 *   candidate that is itself vulnerable to another advisory is stepped over.
 * @param releases the package's releases, when known; candidates are rounded up to a real release.
 */
export function smallestFix(name: string, version: string, records: OsvRecord[], releases: ReleaseRef[] | null): FixResult {
  if (!isValidVersion(version)) return { ok: false, reason: `${version} is not a PEP 440 version, so no upgrade can be computed` };
  const live = records.filter((r) => !r.withdrawn).map((record) => ({ record, affects: matcherFor(record, name) }));
  if (!live.some((r) => r.affects(version))) return { ok: false, reason: 'not affected' };
  const allowPre = isPrerelease(version);
  const above = (v: string) => isValidVersion(v) && compareVersions(v, version) > 0;
  // Offline, a pre-release named as a fix is offered even to a stable release (it may be the only fix known).
  const candidates = (releases ? releases.filter((r) => !r.yanked && (allowPre || !isPrerelease(r.version))).map((r) => r.version) : records.flatMap((r) => fixedVersions(r, name)))
    .filter(above)
    .sort(compareVersions);

  // One pass over the releases in order (the sort is the n log n): each is asked first of the
  // advisory that stopped the one before, which mostly stops it again, so a long run of affected
  // releases costs one check each, and only the answer is asked of every advisory.
  let blocking = live.find((r) => r.affects(version))!;
  let last: string | null = null;
  for (const candidate of candidates) {
    if (candidate === last) continue;
    last = candidate;
    if (blocking.affects(candidate)) continue;
    const other = live.find((r) => r.affects(candidate));
    if (other === undefined) return { ok: true, version: candidate };
    blocking = other;
  }
  return { ok: false, ...noCleanRelease(name, version, blocking.record, last, releases !== null) };
}

/**
 * Why no release clears every advisory: the advisory that affects the highest release looked at
 * (or the installed one, when there is none above it), in words.
 */
function noCleanRelease(name: string, version: string, record: OsvRecord, highest: string | null, online: boolean): { reason: string; blockingId: string } {
  const beyond = fixedVersions(record, name).filter((v) => compareVersions(v, highest ?? version) > 0);
  const blockingId = record.id;
  if (beyond.length > 0) return { reason: `${name} ${beyond[0]} fixes ${record.id} but is not released, or was yanked`, blockingId };
  const listed = fixedVersions(record, name).filter((v) => compareVersions(v, version) > 0);
  if (listed.length === 0 || highest === null) return { reason: `no fixed release of ${name} for ${record.id} yet`, blockingId };
  // The record names a fix, but also counts that release (and the latest one looked at) as affected.
  const still = online ? `still affects ${highest}, the latest release of ${name}` : `lists it as affected too, and no advisory names a later fix; later releases are not looked up offline`;
  return { reason: `${record.id} names ${listed.join(', ')} as its fix but ${still}`, blockingId };
}
