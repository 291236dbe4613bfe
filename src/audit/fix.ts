/**
 * The smallest single upgrade that clears every advisory of a package: the first release above the
 * installed one that no advisory affects. A record's `fixed` event is not trusted alone: OSV counts a
 * release as affected when its `versions` list names it, and some records list their own fixed
 * release (PYSEC-2023-177 lists gevent 23.9.0 and 23.9.0.post1 and says fixed 23.9.0), so the
 * search walks the known releases in order until one no advisory affects, rather than jumping
 * from fix to fix (pip-audit's way, which stops at a release the advisory still affects).
 * When the registry's releases are known, the answer is always a real, non-yanked release; offline
 * the candidates are the releases the records name as fixed: every other version a record names
 * (listed, introduced, last affected) is affected by that record, so it can never be the answer.
 */
import { fixedVersions, matcherFor } from '../advisories/match.js';
import type { OsvRecord } from '../advisories/types.js';
import { compareVersions, isPrerelease, isValidVersion, sortVersions } from '../python/pep440.js';

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
  const first = live.findIndex((r) => r.affects(version));
  if (first < 0) return { ok: false, reason: 'not affected' };
  const allowPre = isPrerelease(version);
  const above = (v: string) => isValidVersion(v) && compareVersions(v, version) > 0;
  const fixes = fixesAbove(records, name, above);
  // Offline, a pre-release named as a fix is offered even to a stable release (it may be the only fix known).
  const candidates = releases ? sortVersions(releases.filter((r) => !r.yanked && (allowPre || !isPrerelease(r.version)) && above(r.version)).map((r) => r.version)) : fixes.versions;

  const clean = firstCleanCandidate(live, first, candidates, fixes);
  if (clean !== null) return { ok: true, version: clean };

  // No release is clean: which advisory to name is the one the ordered pass below ends on. One pass
  // over the releases in order: each is asked first of the advisory that stopped the one before,
  // which mostly stops it again, and only when it does not are all advisories asked, in their order.
  // The matchers remember their answers, so this costs little after the search above.
  let blocking = live[first]!;
  let last: string | null = null;
  for (const candidate of candidates) {
    if (candidate === last) continue;
    last = candidate;
    if (blocking.affects(candidate)) continue;
    blocking = live.find((r) => r.affects(candidate))!;
  }
  return { ok: false, ...noCleanRelease(name, version, blocking.record, last, releases !== null) };
}

interface LiveAdvisory {
  record: OsvRecord;
  affects: (version: string) => boolean;
}

/**
 * The fixed versions the advisories name above the installed release, each once, in PEP 440 order
 * (equal versions spelt two ways keep the order they came in), with the live advisories naming each
 * (by index among the live ones; a withdrawn advisory's fix is a candidate offline but stops nothing).
 * Each spelling once: a release named by forty advisories is one candidate, and matchers answer
 * equal versions alike, so asking it again (or its other spelling) could not change an answer.
 */
interface FixesAbove {
  versions: string[];
  namedBy: Map<string, number[]>;
}

function fixesAbove(records: readonly OsvRecord[], name: string, above: (v: string) => boolean): FixesAbove {
  const namedBy = new Map<string, number[]>();
  const below = new Set<string>();
  let advisory = 0;
  for (const record of records) {
    const live = !record.withdrawn;
    for (const version of fixedVersions(record, name)) {
      let by = namedBy.get(version);
      if (by === undefined) {
        if (below.has(version)) continue;
        if (!above(version)) {
          below.add(version);
          continue;
        }
        by = [];
        namedBy.set(version, by);
      }
      if (live) by.push(advisory);
    }
    if (live) advisory++;
  }
  return { versions: sortVersions([...namedBy.keys()]), namedBy };
}

/**
 * The first of `candidates` (sorted) that no advisory affects, or null. Which advisory stops a
 * candidate does not matter here, only whether one does, so each is asked first of the advisory
 * that stopped the one before (which mostly stops it again), then of the advisories that name a
 * fix above it, nearest fix first (the range holding the candidate usually ends at the nearest
 * fix), then of the rest. Asking every advisory in their own order instead, each time the
 * previous one let a candidate through, asked a package with 300 advisories about 1,500 times for
 * one answer (tensorflow); the candidate that is the answer is asked of every advisory either way.
 */
function firstCleanCandidate(live: readonly LiveAdvisory[], blockingInstalled: number, candidates: readonly string[], fixes: FixesAbove): string | null {
  // asked[i] === round: advisory i was already asked about the candidate of this round.
  const asked = new Int32Array(live.length).fill(-1);
  let blocking = blockingInstalled;
  let nextFix = 0;
  let last: string | null = null;
  let round = 0;
  for (const candidate of candidates) {
    if (candidate === last) continue;
    last = candidate;
    round++;
    if (live[blocking]!.affects(candidate)) continue;
    asked[blocking] = round;
    let found = -1;
    while (nextFix < fixes.versions.length && compareVersions(fixes.versions[nextFix]!, candidate) <= 0) nextFix++;
    for (let f = nextFix; f < fixes.versions.length && found < 0; f++) {
      for (const advisory of fixes.namedBy.get(fixes.versions[f]!)!) {
        found = askOnce(live, advisory, candidate, asked, round);
        if (found >= 0) break;
      }
    }
    for (let i = 0; i < live.length && found < 0; i++) found = askOnce(live, i, candidate, asked, round);
    if (found < 0) return candidate;
    blocking = found;
  }
  return null;
}

/** `advisory` if it affects `candidate`, -1 if not or if it was already asked this round. */
function askOnce(live: readonly LiveAdvisory[], advisory: number, candidate: string, asked: Int32Array, round: number): number {
  if (asked[advisory] === round) return -1;
  asked[advisory] = round;
  return live[advisory]!.affects(candidate) ? advisory : -1;
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
