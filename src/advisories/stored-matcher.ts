/**
 * An advisory's matcher for one package, derived once when the mirror stores the record and kept
 * beside it (advisory_matchers, one row per advisory_packages row), so an audit does not repeat the work.
 *
 * Compiling a record's matcher at audit time meant reading every listed version (a popular
 * package's records list hundreds; the PyPA data 140,000 in all) and placing it in PEP 440 terms.
 * Stored, the `versions` lists are already in canonical form: each valid listed version as its
 * equality key (two valid versions are PEP 440 equal exactly when their keys are, see
 * `equalityKey`), each invalid one as written (only its exact spelling can match it, as before).
 * Matching a release is then one normalisation of the release and a search of the stored keys,
 * plus the ranges, whose events are stored filtered and sorted. The answers are those of `matcherFor` on the record
 * (test/advisories/stored-matcher.test.ts compares both over every fixture advisory).
 */
import { isValidVersion } from '../python/pep440.js';
import { affectedEntries, compileRange, equalityKey, fixedVersions, isPlainRelease, rangeAffects, remembered, type CompiledRange, type EventKind } from './match.js';
import { computeSeverity, severityFrom, type Severity } from './severity.js';
import { allStrings, storedObject } from './stored-json.js';
import type { OsvRecord } from './types.js';

/**
 * Changes whenever what is derived, or how, changes: a row of another format is not used (the
 * record's own lists are compiled instead) and is derived again by the next import or bot start.
 */
// 2: ranges that cannot be read (CompiledRange.unreadable) cover every release and say so.
export const STORED_MATCHER_FORMAT = 2;

/** What `matcherFromStored` needs, as JSON. */
export interface StoredMatcher {
  format: typeof STORED_MATCHER_FORMAT;
  /**
   * `equalityKey` of every valid PEP 440 version the package's entries list, each followed by a
   * space (a canonical PEP 440 version holds none). Kept as one string and searched, not split:
   * an audit asks each pair about one or two releases, so building a set of hundreds of keys per
   * pair (140,000 strings for the PyPA data) cost more than all the searches it would save.
   */
  keys: string;
  /** Listed versions that are not PEP 440, as written: only the same spelling matches them. */
  exact: string[];
  /** Every ECOSYSTEM range of the package's entries, compiled (see `compileRange`). */
  ranges: CompiledRange[];
  /** `fixedVersions(record, name)`: the fix search reads these. */
  fixed: string[];
  /** `severityOf(record, name)`: findings are rated by it. */
  severity: Severity;
}

/** The prefix every stored matcher of this format starts with (JSON.stringify keeps key order). */
export const STORED_MATCHER_PREFIX = `{"format":${STORED_MATCHER_FORMAT},`;

/** Derives the matcher of `record` for PEP 503 name `name` (at import time). */
// A change to what match.ts's matching, fixedVersions or severity.ts's computeSeverity answer must
// bump STORED_MATCHER_FORMAT.
export function deriveStoredMatcher(record: OsvRecord, name: string): StoredMatcher {
  const keys = new Set<string>();
  const exact = new Set<string>();
  const ranges: CompiledRange[] = [];
  for (const entry of affectedEntries(record, name)) {
    for (const text of entry.versions ?? []) {
      // Most are plain releases: valid by their form, so the 140,000 need no full parse at import.
      if (isPlainRelease(text) || isValidVersion(text)) keys.add(equalityKey(text));
      else exact.add(text);
    }
    for (const range of entry.ranges ?? []) if (range.type === 'ECOSYSTEM') ranges.push(compileRange(range));
  }
  return {
    format: STORED_MATCHER_FORMAT,
    keys: [...keys].map((key) => `${key} `).join(''),
    exact: [...exact],
    ranges,
    fixed: fixedVersions(record, name),
    severity: computeSeverity(record, name),
  };
}

/** The stored text (JSON.stringify keeps the key order, so it starts with STORED_MATCHER_PREFIX). */
export const storedMatcherJson = (record: OsvRecord, name: string): string => JSON.stringify(deriveStoredMatcher(record, name));

/**
 * A stored matcher read back, or null when the row has none, is of another format or was damaged:
 * then the caller compiles the record itself. Every element is checked, since a wrong one would
 * quietly match nothing (a vulnerability missed).
 */
export function parseStoredMatcher(text: string | null): StoredMatcher | null {
  const m = storedObject(text, STORED_MATCHER_PREFIX);
  if (m === null || m['format'] !== STORED_MATCHER_FORMAT) return null;
  const keys = m['keys'];
  if (typeof keys !== 'string' || (keys !== '' && !keys.endsWith(' ')) || !allStrings(m['exact']) || !allStrings(m['fixed'])) return null;
  if (!Array.isArray(m['ranges']) || !m['ranges'].every(isCompiledRange)) return null;
  const severity = severityFrom(m['severity']);
  if (severity === null) return null;
  return { format: STORED_MATCHER_FORMAT, keys, exact: m['exact'], ranges: m['ranges'], fixed: m['fixed'], severity };
}

/** `matcherFor(record, name)` from the stored form: same answers, no listed version parsed. */
export function matcherFromStored(stored: StoredMatcher): (version: string) => boolean {
  // With a space before the first key, every key is found as ` key `, never as the end of another.
  const keys = ` ${stored.keys}`;
  const { exact, ranges } = stored;
  return remembered((version) => {
    // A version that is not PEP 440 has no place in PEP 440 order: only its exact spelling can match.
    if (!isValidVersion(version)) return exact.includes(version);
    if (keys.includes(` ${equalityKey(version)} `)) return true;
    for (const range of ranges) if (rangeAffects(range, version)) return true;
    return false;
  });
}


const EVENT_KINDS: ReadonlySet<EventKind> = new Set(['introduced', 'fixed', 'last_affected', 'limit']);

function isCompiledRange(value: unknown): value is CompiledRange {
  if (typeof value !== 'object' || value === null) return false;
  const { walked, limits, unreadable } = value as { walked?: unknown; limits?: unknown; unreadable?: unknown };
  return isEventList(walked) && isEventList(limits) && (unreadable === undefined || typeof unreadable === 'string');
}

function isEventList(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  return value.every((e: unknown) => {
    if (typeof e !== 'object' || e === null) return false;
    const { kind, value: v } = e as { kind?: unknown; value?: unknown };
    return EVENT_KINDS.has(kind as EventKind) && (v === null || (typeof v === 'string' && isValidVersion(v)));
  });
}
