/**
 * Does an OSV record affect one PyPI release? Pure functions implementing OSV's evaluation on PEP 440
 * order, with the tie-breaks the reference matcher fixes where the OSV spec leaves them open (see
 * test/fixtures/osv/README.md, "Matching semantics").
 */
import { compareVersions, isValidVersion, normalizeVersion } from '../python/pep440.js';
import { normalizeName } from '../python/names.js';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from './types.js';

export const PYPI_ECOSYSTEM = 'PyPI';

/** The `affected[]` entries of `record` that are about PyPI package `name` (PEP 503 equal). */
export function affectedEntries(record: OsvRecord, name: string): OsvAffected[] {
  const wanted = normalizeName(name);
  return (record.affected ?? []).filter(
    (entry) =>
      entry.package !== undefined &&
      entry.package.ecosystem === PYPI_ECOSYSTEM &&
      normalizeName(entry.package.name) === wanted,
  );
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
  const wanted = normalizeName(name);
  let matcher = byName.get(wanted);
  if (matcher === undefined) {
    matcher = buildMatcher(record, wanted);
    byName.set(wanted, matcher);
  }
  return matcher;
}

function buildMatcher(record: OsvRecord, name: string): (version: string) => boolean {
  if (record.withdrawn !== undefined) return NEVER;
  const entries = affectedEntries(record, name);
  if (entries.length === 0) return NEVER;
  const compiled = entries.map(compile);
  return (version) => {
    const valid = isValidVersion(version);
    return compiled.some((entry) => compiledAffects(entry, version, valid));
  };
}

/** One `affected[]` entry: its explicit `versions` list, or any of its ECOSYSTEM ranges. */
export function entryAffects(entry: OsvAffected, version: string, valid = isValidVersion(version)): boolean {
  return compiledAffects(compile(entry), version, valid);
}

function compiledAffects(compiled: CompiledEntry, version: string, valid: boolean): boolean {
  // A version that is not PEP 440 has no place in PEP 440 order: only its exact spelling can match.
  if (!valid) return listedCandidates(compiled, version).some((listed) => listed === version);
  if (compiled.ranges.some((range) => walk(range, version))) return true;
  const candidates = listedCandidates(compiled, version);
  if (candidates.length === 0) return false;
  const key = equalityKey(version);
  return candidates.some((listed) => listed === version || (isValidVersion(listed) && equalityKey(listed) === key));
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

function computeEqualityKey(version: string): string {
  if (PLAIN_RELEASE.test(version)) return version.replace(/(?:\.0)+$/, '');
  const normal = normalizeVersion(version) ?? version;
  return normal.replace(/^((?:\d+!)?\d+(?:\.\d+)*?)(?:\.0+)*(?=$|[a-z+]|\.[a-z])/, '$1');
}

// --- ranges ------------------------------------------------------------------------------------

type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

interface OrderedEvent {
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

interface CompiledRange {
  /** introduced / fixed / last_affected events with PEP 440 values, in walking order. */
  walked: OrderedEvent[];
  limits: OrderedEvent[];
}

function compileRange(range: OsvRange): CompiledRange {
  const walked: OrderedEvent[] = [];
  const limits: OrderedEvent[] = [];
  for (const raw of range.events) {
    const event = eventOf(raw);
    if (event === null) continue;
    // An event value that is not PEP 440 cannot be placed in the order: it is ignored.
    if (event.value !== null && !isValidVersion(event.value)) continue;
    (event.kind === 'limit' ? limits : walked).push(event);
  }
  walked.sort(compareEvents);
  return { walked, limits };
}

/** Whether valid PEP 440 `version` is inside one ECOSYSTEM range. */
export function inEcosystemRange(range: OsvRange, version: string): boolean {
  return walk(compileRange(range), version);
}

function walk({ walked, limits }: CompiledRange, version: string): boolean {
  let affected = false;
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
  /** The `versions` list, indexed on first need (see listedOf). */
  versions: readonly string[];
  listed: ListedVersions | null;
  ranges: CompiledRange[];
}

/**
 * The `versions` list grouped by release bucket. Equal versions always share a bucket (epoch and
 * release numbers, trailing zeros dropped), so a query is compared only with the few listed
 * spellings of its own release instead of parsing hundreds of them.
 */
interface ListedVersions {
  byBucket: Map<string, string[]>;
  /** Listed strings with no release prefix (not PEP 440, or oddly spaced): compared every time. */
  unplaced: string[];
}

// Keyed by the entry object, so records stay the cache's owners and nothing outlives them.
const compiledEntries = new WeakMap<OsvAffected, CompiledEntry>();

function compile(entry: OsvAffected): CompiledEntry {
  let compiled = compiledEntries.get(entry);
  if (compiled === undefined) {
    compiled = {
      versions: entry.versions ?? [],
      listed: null,
      ranges: (entry.ranges ?? []).filter((range) => range.type === 'ECOSYSTEM').map(compileRange),
    };
    compiledEntries.set(entry, compiled);
  }
  return compiled;
}

function listedCandidates(compiled: CompiledEntry, version: string): readonly string[] {
  if (compiled.versions.length === 0) return compiled.versions;
  let listed = compiled.listed;
  if (listed === null) {
    listed = { byBucket: new Map(), unplaced: [] };
    for (const text of compiled.versions) {
      const bucket = releaseBucket(text);
      if (bucket === null) {
        listed.unplaced.push(text);
        continue;
      }
      const same = listed.byBucket.get(bucket);
      if (same === undefined) listed.byBucket.set(bucket, [text]);
      else same.push(text);
    }
    compiled.listed = listed;
  }
  const bucket = releaseBucket(version);
  const same = bucket === null ? undefined : listed.byBucket.get(bucket);
  if (same === undefined) return listed.unplaced;
  return listed.unplaced.length === 0 ? same : [...same, ...listed.unplaced];
}

/** Leading `v`, epoch and release digits as PEP 440 reads them; anything after them is ignored. */
const RELEASE_PREFIX = /^[ \t\n\r\f\v]*[vV]?(?:(\d+)!)?(\d+(?:\.\d+)*)/;
const buckets = new Map<string, string | null>();

/**
 * `epoch!release` with leading zeros and trailing zero parts dropped (`v01.0.0-rc1` → `0!1`), or
 * null when the text does not start like a version. Memoised: listed versions repeat across records.
 */
export function releaseBucket(text: string): string | null {
  let bucket = buckets.get(text);
  if (bucket === undefined) {
    const m = RELEASE_PREFIX.exec(text);
    if (m === null) bucket = null;
    else {
      const parts = (m[2] ?? '0').split('.').map((part) => part.replace(/^0+(?=\d)/, ''));
      while (parts.length > 1 && parts[parts.length - 1] === '0') parts.pop();
      bucket = `${(m[1] ?? '0').replace(/^0+(?=\d)/, '')}!${parts.join('.')}`;
    }
    if (buckets.size >= MAX_MEMOISED_KEYS) buckets.clear();
    buckets.set(text, bucket);
  }
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
  const wanted = normalizeName(name);
  let sorted = byName.get(wanted);
  if (sorted === undefined) {
    sorted = computeFixedVersions(record, wanted);
    byName.set(wanted, sorted);
  }
  return [...sorted]; // callers may sort or extend their copy
}

const fixes = new WeakMap<OsvRecord, Map<string, readonly string[]>>();

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
  return [...fixed].sort((a, b) => compareVersions(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}
