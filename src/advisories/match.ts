/**
 * Does an OSV record affect one PyPI release? Pure functions implementing OSV's evaluation on PEP 440
 * order, with the tie-breaks the reference matcher fixes where the OSV spec leaves them open (see
 * test/fixtures/osv/README.md, "Matching semantics").
 */
import { compareVersions, isValidVersion, normalizeVersion } from '../python/pep440.js';
import { normalizeName } from '../python/names.js';
import { trimEndRepeated, withoutLeadingZeros } from '../python/text.js';
import { queryKey, type OsvAffected, type OsvEvent, type OsvRange, type OsvRecord, type PackageQuery } from './types.js';
import { compareCodeUnits } from '../text-order.js';

export const PYPI_ECOSYSTEM = 'PyPI';

/** The `affected[]` entries of `record` that are about PyPI package `name` (PEP 503 equal). */
export function affectedEntries(record: OsvRecord, name: string): OsvAffected[] {
  const wanted = pep503(name);
  return (record.affected ?? []).filter(
    (entry) =>
      entry.package !== undefined &&
      entry.package.ecosystem === PYPI_ECOSYSTEM &&
      pep503(entry.package.name) === wanted,
  );
}

/**
 * normalizeName, remembered: the same few hundred package names are normalised for every entry of
 * every record, every query and every fix search, and the regex replace showed in profiles.
 */
export function pep503(name: string): string {
  let normal = normalNames.get(name);
  if (normal === undefined) {
    normal = normalizeName(name);
    if (normalNames.size >= MAX_MEMOISED_KEYS) normalNames.clear();
    normalNames.set(name, normal);
  }
  return normal;
}

const normalNames = new Map<string, string>();

/**
 * The records among each query's candidates that affect it (AdvisorySource.candidates → affecting):
 * what a source read, narrowed by our own matcher. Keyed by `queryKey`, every query present.
 */
export function matchCandidates(queries: PackageQuery[], candidates: Map<string, OsvRecord[]>): Map<string, OsvRecord[]> {
  const result = new Map<string, OsvRecord[]>();
  for (const query of queries) {
    const key = queryKey(query);
    if (result.has(key)) continue;
    const name = pep503(query.name);
    result.set(key, (candidates.get(key) ?? []).filter((record) => matcherFor(record, name)(query.version)));
  }
  return result;
}

/** True when `record` (not withdrawn) says release `version` of `name` is affected. */
export function affects(record: OsvRecord, name: string, version: string): boolean {
  return matcherFor(record, name)(version);
}

// Matchers per (record, PEP 503 name). Records are never mutated once decoded (the mirror and the
// API client hand out shared, cached objects), so a record is the natural owner of its matchers: a
// fix search or a sweep over many repositories asks about the same pairs again and again.
const matchers = new WeakMap<OsvRecord, Map<string, (version: string) => boolean>>();
const NEVER = (): boolean => false;

/**
 * `affects(record, name, ·)` with the entry lookup done once: for checking many versions of one
 * package against the same record (an audit of many repositories, a fix search).
 */
export function matcherFor(record: OsvRecord, name: string): (version: string) => boolean {
  let byName = matchers.get(record);
  if (byName === undefined) {
    byName = new Map();
    matchers.set(record, byName);
  }
  // Callers mostly pass names already in PEP 503 form: look the spelling up before normalising it.
  let matcher = byName.get(name);
  if (matcher !== undefined) return matcher;
  const wanted = pep503(name);
  matcher = byName.get(wanted);
  if (matcher === undefined) {
    matcher = buildMatcher(record, wanted);
    byName.set(wanted, matcher);
  }
  if (name !== wanted) byName.set(name, matcher);
  return matcher;
}

/** Answers remembered per matcher; bounded, cleared when full (a few recomputations, never a wrong answer). */
const MAX_ANSWERS_PER_MATCHER = 512;

/**
 * Installs a matcher derived elsewhere for (record, PEP 503 name), with the record's fixed versions
 * for that name: the mirror hands over the matchers it derived when it stored the record
 * (stored-matcher.ts), so `matcherFor` and `fixedVersions` need not compile the record's lists. A
 * pair that already has a matcher keeps it (both give the same answers), and a withdrawn record
 * keeps matching nothing.
 */
export function primeMatcher(record: OsvRecord, name: string, matcher: (version: string) => boolean, fixed: readonly string[], ranges: readonly CompiledRange[] = []): void {
  if (record.withdrawn !== undefined) return;
  let byName = matchers.get(record);
  if (byName === undefined) {
    byName = new Map();
    matchers.set(record, byName);
  }
  if (!byName.has(name)) {
    byName.set(name, matcher);
    noteUnreadable(record, name, ranges);
  }
  let fixedByName = fixes.get(record);
  if (fixedByName === undefined) {
    fixedByName = new Map();
    fixes.set(record, fixedByName);
  }
  if (!fixedByName.has(name)) fixedByName.set(name, fixed);
}

/** Whether (record, name) already has a matcher (so deriving or priming another is wasted work). */
export function hasMatcher(record: OsvRecord, name: string): boolean {
  return matchers.get(record)?.has(name) ?? false;
}

function buildMatcher(record: OsvRecord, name: string): (version: string) => boolean {
  if (record.withdrawn !== undefined) return NEVER;
  const entries = affectedEntries(record, name);
  if (entries.length === 0) return NEVER;
  const compiled = entries.map(compile);
  for (const entry of compiled) noteUnreadable(record, name, entry.ranges);
  return remembered((version) => {
    const valid = isValidVersion(version);
    return compiled.some((entry) => compiledAffects(entry, version, valid));
  });
}

// (record, PEP 503 name) pairs with a range that cannot be read, noted as their matcher is made
// (rare: a lookup that misses is all a normal record costs), with what could not be read.
const unreadableRanges = new WeakMap<OsvRecord, Map<string, string>>();

function noteUnreadable(record: OsvRecord, name: string, ranges: readonly CompiledRange[]): void {
  for (const range of ranges) {
    if (range.unreadable === undefined) continue;
    let byName = unreadableRanges.get(record);
    if (byName === undefined) {
      byName = new Map();
      unreadableRanges.set(record, byName);
    }
    if (!byName.has(name)) byName.set(name, range.unreadable);
    return;
  }
}

/**
 * What cannot be read in `record`'s ranges for `name` (`introduced "garbage"`), or null when they
 * all can: such a range is taken to cover every release (see CompiledRange.unreadable), and a hit
 * through it is a guess the report must say. Read from what the matcher noted when it was made, so
 * a hit costs a lookup, not a decode of the record; a record matched elsewhere is compiled here.
 */
export function unreadableRangeOf(record: OsvRecord, name: string): string | null {
  const wanted = pep503(name);
  if (!hasMatcher(record, wanted)) matcherFor(record, wanted);
  return unreadableRanges.get(record)?.get(wanted) ?? null;
}

/**
 * One line per (advisory, package) among `hits` (keyed by queryKey) that matched through a range it
 * cannot read: the releases were reported as affected because nothing could say they are not
 * (fail closed), and whether they are is unknown. Only hits are looked at, never every query.
 */
export function unreadableRangeWarnings(queries: readonly PackageQuery[], hits: ReadonlyMap<string, readonly OsvRecord[]>): string[] {
  const found = new Map<string, { id: string; name: string; what: string; versions: string[] }>();
  for (const query of queries) {
    const records = hits.get(queryKey(query));
    if (records === undefined || records.length === 0) continue;
    for (const record of records) {
      const what = unreadableRangeOf(record, query.name);
      if (what === null) continue;
      const key = `${record.id}\n${pep503(query.name)}`;
      let entry = found.get(key);
      if (entry === undefined) {
        entry = { id: record.id, name: query.name, what, versions: [] };
        found.set(key, entry);
      }
      if (!entry.versions.includes(query.version)) entry.versions.push(query.version);
    }
  }
  return [...found.values()].map(
    (e) => `advisory ${e.id} has a range for ${e.name} that cannot be read (${e.what}): it was taken to affect ${e.name} ${e.versions.join(', ')}, but whether it does is unknown`,
  );
}

/**
 * A matcher that remembers its answers (up to MAX_ANSWERS_PER_MATCHER): the same versions come back
 * again and again (the audit's own check, then the fix search's first round; every repository of a
 * sweep pinning the same release).
 */
export function remembered(affects: (version: string) => boolean): (version: string) => boolean {
  const answers = new Map<string, boolean>();
  return (version) => {
    let answer = answers.get(version);
    if (answer === undefined) {
      answer = affects(version);
      if (answers.size >= MAX_ANSWERS_PER_MATCHER) answers.clear();
      answers.set(version, answer);
    }
    return answer;
  };
}

/** One `affected[]` entry: its explicit `versions` list, or any of its ECOSYSTEM ranges. */
export function entryAffects(entry: OsvAffected, version: string, valid = isValidVersion(version)): boolean {
  return compiledAffects(compile(entry), version, valid);
}

function compiledAffects(compiled: CompiledEntry, version: string, valid: boolean): boolean {
  if (compiled.versions.length === 0) return valid && compiled.ranges.some((range) => walk(range, version));
  const listed = listedOf(compiled);
  if (listed.has(version)) return true;
  // A version that is not PEP 440 has no place in PEP 440 order: only its exact spelling can match.
  if (!valid) return false;
  if (compiled.ranges.some((range) => walk(range, version))) return true;
  return equalSpellings(version).some((spelling) => listed.has(spelling));
}

/**
 * Two valid versions compare equal exactly when these keys are equal: the PEP 440 normal form with
 * the release's trailing zeros dropped (`1.0.0` is `1`; `1.0+local` is not `1.0`). The normal form
 * already lower-cases, drops leading zeros and spells separators one way.
 */
export function equalityKey(version: string): string {
  let key = equalityKeys.get(version);
  if (key === undefined) {
    key = computeEqualityKey(version);
    // Listed versions repeat across the records of a package; the memo is bounded, not an LRU:
    // clearing it now and then costs a few recomputations, never a wrong answer.
    if (equalityKeys.size >= MAX_MEMOISED_KEYS) equalityKeys.clear();
    equalityKeys.set(version, key);
  }
  return key;
}

const MAX_MEMOISED_KEYS = 200_000;
const equalityKeys = new Map<string, string>();
/** Already in normal form with no leading zeros (most listed versions): only trailing `.0`s to drop. */
const PLAIN_RELEASE = /^(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))*$/;

/** `1.2.3`: valid PEP 440 by its form alone (most listed versions), so no parse is needed to say so. */
export const isPlainRelease = (version: string): boolean => PLAIN_RELEASE.test(version);

function computeEqualityKey(version: string): string {
  if (PLAIN_RELEASE.test(version)) return trimEndRepeated(version, '.0');
  return withoutTrailingZeroReleases(normalizeVersion(version) ?? version);
}

const EPOCH_AND_MAJOR = /^(?:\d+!)?\d+/;
const RELEASE_REST = /^(?:\.\d+)*/;

/**
 * `1.0.0rc1` → `1rc1`: the release's trailing zero components dropped, the rest kept, as
 * `^((?:\d+!)?\d+(?:\.\d+)*?)(?:\.0+)*(?=$|[a-z+]|\.[a-z])` → `$1` did. Written out: that
 * pattern's lazy release re-scanned the zeros after every component (quadratic on `1.0.0…0.1`).
 */
export function withoutTrailingZeroReleases(normal: string): string {
  const first = EPOCH_AND_MAJOR.exec(normal);
  if (first === null) return normal;
  const firstEnd = first[0].length;
  const end = firstEnd + RELEASE_REST.exec(normal.slice(firstEnd))![0].length;
  // The release must end where the pattern's look-ahead allows: the end, a letter, `+`, or `.` and a letter.
  const next = normal.charAt(end);
  const allowed = next === '' || /[a-z+]/.test(next) || (next === '.' && /[a-z]/.test(normal.charAt(end + 1)));
  if (!allowed) return normal;
  let cut = end;
  while (cut > firstEnd) {
    const dot = normal.lastIndexOf('.', cut - 1);
    if (!/^0+$/.test(normal.slice(dot + 1, cut))) break;
    cut = dot;
  }
  return cut === end ? normal : normal.slice(0, cut) + normal.slice(end);
}

// --- ranges ------------------------------------------------------------------------------------

export type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

export interface OrderedEvent {
  kind: EventKind;
  /** null: below every version (`introduced: "0"`) or, for `limit: "*"`, above every version. */
  value: string | null;
}

function eventOf(event: OsvEvent): OrderedEvent | null {
  if (event.introduced !== undefined) return { kind: 'introduced', value: event.introduced === '0' ? null : event.introduced };
  if (event.fixed !== undefined) return { kind: 'fixed', value: event.fixed };
  if (event.last_affected !== undefined) return { kind: 'last_affected', value: event.last_affected };
  if (event.limit !== undefined) return { kind: 'limit', value: event.limit === '*' ? null : event.limit };
  return null;
}

/** On equal versions the closing events come first, so `[0.12.2, 0.13.0) + [0.13.0, …)` stays contiguous. */
const TIE_RANK: Record<EventKind, number> = { fixed: 0, last_affected: 0, limit: 0, introduced: 1 };

function compareEvents(a: OrderedEvent, b: OrderedEvent): number {
  if (a.value === null || b.value === null) {
    // Only `introduced: "0"` reaches here among walked events (limits are kept apart).
    if (a.value === null && b.value === null) return 0;
    return a.value === null ? -1 : 1;
  }
  return compareVersions(a.value, b.value) || TIE_RANK[a.kind] - TIE_RANK[b.kind];
}

export interface CompiledRange {
  /** introduced / fixed / last_affected events with PEP 440 values, in walking order. */
  walked: OrderedEvent[];
  limits: OrderedEvent[];
  /**
   * Where the range opens cannot be placed in PEP 440 order: an `introduced` that is not PEP 440
   * (`introduced "garbage"`), or none at all. Such a range could start below any release, so it is
   * taken to open below every one, closed by whatever `fixed` / `last_affected` can be read (and
   * below its limits): fail closed, as a `fixed` that cannot be read leaves a range open. Ignoring the event instead made the range match nothing, a silent
   * "not affected". Absent for every range that can be read.
   */
  unreadable?: string;
}

/** One range's events, PEP 440 values only, in walking order: what `rangeAffects` walks. */
export function compileRange(range: OsvRange): CompiledRange {
  const walked: OrderedEvent[] = [];
  const limits: OrderedEvent[] = [];
  let unreadable: string | undefined;
  let opened = false;
  for (const raw of range.events) {
    const event = eventOf(raw);
    if (event === null) continue;
    if (event.kind === 'introduced') opened = true;
    // An event value that is not PEP 440 cannot be placed in the order: it is ignored, and an
    // `introduced` so ignored makes the range one that cannot be read (see CompiledRange.unreadable).
    if (event.value !== null && !isValidVersion(event.value)) {
      if (event.kind === 'introduced') unreadable ??= `introduced ${JSON.stringify(event.value.length > 40 ? `${event.value.slice(0, 40)}…` : event.value)}`;
      continue;
    }
    (event.kind === 'limit' ? limits : walked).push(event);
  }
  // Events that never say where the range opens (`fixed` alone); an empty list states nothing (and
  // the import schema refuses one).
  if (!opened && range.events.length > 0) unreadable ??= 'no introduced event';
  walked.sort(compareEvents);
  return unreadable === undefined ? { walked, limits } : { walked, limits, unreadable };
}

/** Whether valid PEP 440 `version` is inside one ECOSYSTEM range. */
export function inEcosystemRange(range: OsvRange, version: string): boolean {
  return walk(compileRange(range), version);
}

/** Whether valid PEP 440 `version` is inside a compiled ECOSYSTEM range. */
export const rangeAffects = (range: CompiledRange, version: string): boolean => walk(range, version);

function walk({ walked, limits, unreadable }: CompiledRange, version: string): boolean {
  // A range whose opening cannot be read opens below every release (fail closed); the events that
  // can be read still close it: with `fixed: 2.0` readable, 3.0 is not affected, and no upgrade
  // could clear a range read as covering every release.
  let affected = unreadable !== undefined;
  for (const event of walked) {
    const cmp = event.value === null ? 1 : compareVersions(version, event.value);
    if (event.kind === 'introduced') {
      if (cmp >= 0) affected = true;
    } else if (event.kind === 'fixed') {
      if (cmp >= 0) affected = false;
    } else if (cmp > 0) {
      affected = false; // last_affected is inclusive
    }
  }
  if (!affected || limits.length === 0) return affected;
  return limits.some((limit) => limit.value === null || compareVersions(version, limit.value) < 0);
}

// --- compiled entries --------------------------------------------------------------------------

/**
 * An entry prepared for many queries. A record of a popular package lists hundreds of versions, and
 * comparing each of them with every query dominated audit time; sets make the list check O(1).
 */
interface CompiledEntry {
  versions: readonly string[];
  /** `versions` as a set, built on first need; `registered` says it is in the spelling index. */
  listed: ReadonlySet<string> | null;
  registered: number;
  ranges: CompiledRange[];
}

// Keyed by the entry object, so records stay the cache's owners and nothing outlives them.
const compiledEntries = new WeakMap<OsvAffected, CompiledEntry>();

function compile(entry: OsvAffected): CompiledEntry {
  let compiled = compiledEntries.get(entry);
  if (compiled === undefined) {
    compiled = {
      versions: entry.versions ?? [],
      listed: null,
      registered: -1,
      ranges: (entry.ranges ?? []).filter((range) => range.type === 'ECOSYSTEM').map(compileRange),
    };
    compiledEntries.set(entry, compiled);
  }
  return compiled;
}

// --- listed versions ---------------------------------------------------------------------------
//
// A `versions` list matches a query spelled differently (`0.5` and `0.5.0`, `0.8.0a2` and
// `0.8.0-alpha2`). Popular packages list hundreds of versions in each of hundreds of records, so
// parsing or even bucketing every listed string per record dominated audits. Instead each list
// becomes a plain Set (native, cheap), and one index shared by all records groups the *distinct*
// listed strings by release (epoch and release numbers, trailing zeros dropped: equal versions
// always share it). A query then looks up the few listed spellings equal to it, once, and asks each
// record's Set about those.

let generation = 0;
const MAX_INDEXED_SPELLINGS = 200_000;
const indexedSpellings = new Set<string>();
const spellingsByBucket = new Map<string, string[]>();
/**
 * Listed spellings equal to a query: its bucket, and how many of the bucket's spellings were looked
 * at. Buckets only grow (until the index starts over, which clears this too), so a query whose
 * bucket grew since looks at the new spellings alone: records arrive package by package in an API
 * audit, and filtering the whole bucket again after each arrival was most of the matching's time.
 */
const equalMemo = new Map<string, { bucket: string; seen: number; spellings: string[] }>();

function listedOf(compiled: CompiledEntry): ReadonlySet<string> {
  if (compiled.registered !== generation) {
    if (indexedSpellings.size >= MAX_INDEXED_SPELLINGS) {
      // Start over rather than grow without bound: every entry registers again on its next use.
      indexedSpellings.clear();
      spellingsByBucket.clear();
      equalMemo.clear();
      generation += 1;
    }
    for (const text of compiled.versions) {
      if (indexedSpellings.has(text)) continue;
      indexedSpellings.add(text);
      const bucket = bucketOf(text);
      const same = spellingsByBucket.get(bucket);
      if (same === undefined) spellingsByBucket.set(bucket, [text]);
      else same.push(text);
    }
    compiled.registered = generation;
  }
  compiled.listed ??= new Set(compiled.versions);
  return compiled.listed;
}

/** Every indexed listed spelling that is PEP 440 equal to valid `version` (its own spelling included when listed). */
function equalSpellings(version: string): string[] {
  let memo = equalMemo.get(version);
  if (memo === undefined) {
    if (equalMemo.size >= MAX_MEMOISED_KEYS) equalMemo.clear();
    memo = { bucket: bucketOf(version), seen: 0, spellings: [] };
    equalMemo.set(version, memo);
  }
  const candidates = spellingsByBucket.get(memo.bucket);
  if (candidates !== undefined && memo.seen < candidates.length) {
    const key = equalityKey(version);
    for (let i = memo.seen; i < candidates.length; i++) {
      const text = candidates[i]!;
      if (text === version || (isValidVersion(text) && equalityKey(text) === key)) memo.spellings.push(text);
    }
    memo.seen = candidates.length;
  }
  return memo.spellings;
}

/**
 * The release bucket of any string: read from its start when it looks like a version, else from
 * its normal form when it is PEP 440 all the same (leading whitespace our prefix pattern does not
 * know), else '' (not PEP 440: only its exact spelling matches it, through the Set).
 */
function bucketOf(text: string): string {
  const bucket = releaseBucket(text);
  if (bucket !== null) return bucket;
  const normal = normalizeVersion(text);
  return (normal === null ? null : releaseBucket(normal)) ?? '';
}

/** Leading `v`, epoch and release digits as PEP 440 reads them; anything after them is ignored. */
const RELEASE_PREFIX = /^[ \t\n\r\f\v]*[vV]?(?:(\d+)!)?(\d+(?:\.\d+)*)/;

/**
 * `epoch!release` with leading zeros and trailing zero parts dropped (`v01.0.0-rc1` → `0!1`), or
 * null when the text does not start like a version.
 */
export function releaseBucket(text: string): string | null {
  const m = RELEASE_PREFIX.exec(text);
  if (m === null) return null;
  const parts = (m[2] ?? '0').split('.').map(withoutLeadingZeros);
  let end = parts.length;
  while (end > 1 && parts[end - 1] === '0') end -= 1;
  let bucket = `${withoutLeadingZeros(m[1] ?? '0')}!${parts[0] ?? '0'}`;
  for (let i = 1; i < end; i += 1) bucket += `.${parts[i]}`;
  return bucket;
}


// --- fixes -------------------------------------------------------------------------------------

/**
 * Every PEP 440 `fixed` version in the ECOSYSTEM ranges of `name`'s entries, de-duplicated and in
 * version order: all of them, not only those above some queried version (callers pick the fix).
 */
export function fixedVersions(record: OsvRecord, name: string): string[] {
  let byName = fixes.get(record);
  if (byName === undefined) {
    byName = new Map();
    fixes.set(record, byName);
  }
  const wanted = pep503(name);
  let sorted = byName.get(wanted);
  if (sorted === undefined) {
    sorted = computeFixedVersions(record, wanted);
    byName.set(wanted, sorted);
  }
  return [...sorted]; // callers may sort or extend their copy
}

const fixes = new WeakMap<OsvRecord, Map<string, readonly string[]>>();

/**
 * Every fixed version an alias group's records name for the package, de-duplicated, in the order
 * fixedVersions gives one record's (by version, then by spelling): the one list the audit, `check`
 * and the package card show, so that two records spelling one release two ways (`2.0`, `2.0.0`)
 * come out in the same order everywhere. Most groups are one record: its list is already so.
 */
export function groupFixedVersions(records: readonly OsvRecord[], name: string): string[] {
  if (records.length === 1) return fixedVersions(records[0]!, name);
  return [...new Set(records.flatMap((r) => fixedVersions(r, name)))].sort((a, b) => compareVersions(a, b) || compareCodeUnits(a, b));
}

function computeFixedVersions(record: OsvRecord, name: string): string[] {
  const fixed = new Set<string>();
  for (const entry of affectedEntries(record, name)) {
    for (const range of entry.ranges ?? []) {
      if (range.type !== 'ECOSYSTEM') continue;
      for (const event of range.events) {
        if (event.fixed !== undefined && isValidVersion(event.fixed)) fixed.add(event.fixed);
      }
    }
  }
  return [...fixed].sort((a, b) => compareVersions(a, b) || compareCodeUnits(a, b));
}
