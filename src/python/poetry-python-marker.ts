/**
 * A Poetry dependency's `python = "…"` restriction as the environment marker poetry-core writes
 * for it (`Factory.create_dependency` → `create_nested_marker("python_version", constraint)`):
 *
 * - the constraint is read as poetry-core reads it (poetry-constraint.ts): `^3.6` is the range
 *   from 3.6 up to 4.0, `~3.6` up to 3.7, `3.6.*` from 3.6 up to 3.7, `!=3.6` everything but 3.6;
 *   the clauses of an alternative intersect, and `||` alternatives are united, sorted and merged
 *   where they touch (`VersionUnion.of`);
 * - each range prints its lower bound, then its upper bound: `python_version >= "3.6" and
 *   python_version < "4.0"`; a single version prints `python_version == "3.6"`; a union joins its
 *   ranges with `or`;
 * - a bound written with three or more components compares `python_full_version`, and so do an
 *   exclusive lower bound and an inclusive upper bound written with fewer, padded to three
 *   (`>3.6` → `python_full_version > "3.6.0"`): `python_version` only holds major.minor, so
 *   `python_version > "3.6"` would wrongly exclude 3.6.1;
 * - `*` allows every Python: no marker.
 *
 * poetry-core then intersects this with the dependency's own `markers` (written first); that
 * joining, and nothing of its marker simplification, is done by the caller.
 */
import { clipInput } from '../quoted-input.js';
import { compareVersions } from './pep440.js';
import { nextDecimal, poetryClauses } from './poetry-constraint.js';

export type PoetryPythonMarkerResult = { ok: true; marker: string | null } | { ok: false; message: string };

interface Bound {
  /** As written in the constraint (poetry-core prints the text it parsed). */
  version: string;
  inclusive: boolean;
}

/** A range of versions; a missing bound is unbounded on that side. */
interface Range {
  min: Bound | null;
  max: Bound | null;
}

export function poetryPythonMarker(constraint: string): PoetryPythonMarkerResult {
  const parsed = poetryClauses(constraint);
  if (!parsed.ok) return parsed;
  const ranges: Range[] = [];
  for (const clauses of parsed.alternatives) for (const range of allowedBy(clauses)) ranges.push(range);
  const union = merge(ranges);
  if (union.length === 0) return { ok: false, message: `Could not parse version constraint: ${clipInput(constraint)} allows no Python version` };
  if (union.length === 1 && union[0]!.min === null && union[0]!.max === null) return { ok: true, marker: null };
  return { ok: true, marker: union.map(rangeMarker).join(' or ') };
}

/**
 * The ranges one alternative allows: the bounds of its clauses intersected, then its `!=`
 * exclusions cut out in order (sorted once, so a long list of them stays cheap).
 */
function allowedBy(clauses: string[]): Range[] {
  let bounds: Range = { min: null, max: null };
  const excluded: Range[] = [];
  for (const clause of clauses) {
    const match = /^(===|~=|==|!=|<=|>=|<|>)(.*)$/.exec(clause);
    const op = match?.[1] ?? '==';
    const version = match?.[2] ?? clause;
    const wildcard = version.endsWith('.*');
    const base = wildcard ? version.slice(0, -2) : version;
    // `V.*` is the range from V up to the next release of V's precision (`3.6.*`: 3.6 up to 3.7).
    const range: Range = wildcard
      ? { min: { version: base, inclusive: true }, max: { version: nextStable(base), inclusive: false } }
      : op === '>=' || op === '>'
        ? { min: { version: base, inclusive: op === '>=' }, max: null }
        : op === '<=' || op === '<'
          ? { min: null, max: { version: base, inclusive: op === '<=' } }
          : { min: { version: base, inclusive: true }, max: { version: base, inclusive: true } };
    if (op === '!=') excluded.push(range);
    else bounds = { min: higherMin(bounds.min, range.min), max: lowerMax(bounds.max, range.max) };
  }
  if (isEmpty(bounds)) return [];
  excluded.sort((a, b) => compareMins(a.min, b.min));
  const out: Range[] = [];
  let from = bounds.min;
  for (const cut of excluded) {
    const below: Range = { min: from, max: lowerMax(bounds.max, { version: cut.min!.version, inclusive: !cut.min!.inclusive }) };
    if (!isEmpty(below)) out.push(below);
    from = higherMin(from, { version: cut.max!.version, inclusive: !cut.max!.inclusive });
  }
  const rest: Range = { min: from, max: bounds.max };
  if (!isEmpty(rest)) out.push(rest);
  return out;
}

/**
 * `Version.next_stable` of a release: its last component plus one (`3.6` → `3.7`). Added as digits:
 * a Number loses the last digits past 2^53 and prints `1e+23` past 1e21, which compareVersions refuses.
 */
function nextStable(release: string): string {
  const lastDot = release.lastIndexOf('.');
  return release.slice(0, lastDot + 1) + nextDecimal(release.slice(lastDot + 1));
}

function higherMin(a: Bound | null, b: Bound | null): Bound | null {
  if (a === null || b === null) return a ?? b;
  const order = compareVersions(a.version, b.version);
  if (order !== 0) return order > 0 ? a : b;
  return a.inclusive ? b : a;
}

function lowerMax(a: Bound | null, b: Bound | null): Bound | null {
  if (a === null || b === null) return a ?? b;
  const order = compareVersions(a.version, b.version);
  if (order !== 0) return order < 0 ? a : b;
  return a.inclusive ? b : a;
}

function isEmpty({ min, max }: Range): boolean {
  if (min === null || max === null) return false;
  const order = compareVersions(min.version, max.version);
  return order > 0 || (order === 0 && !(min.inclusive && max.inclusive));
}

/** `VersionUnion.of`: ranges sorted by their lower bound, overlapping or touching ones merged. */
function merge(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => compareMins(a.min, b.min));
  const out: Range[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && touches(last.max, range.min)) {
      last.max = last.max === null || range.max === null ? null : higherMaxOf(last.max, range.max);
    } else {
      out.push({ ...range });
    }
  }
  return out;
}

function compareMins(a: Bound | null, b: Bound | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareVersions(a.version, b.version) || Number(b.inclusive) - Number(a.inclusive);
}

/** Whether a range ending at `max` and one starting at `min` (not before it) leave no version between them. */
function touches(max: Bound | null, min: Bound | null): boolean {
  if (max === null || min === null) return true;
  const order = compareVersions(min.version, max.version);
  return order < 0 || (order === 0 && (min.inclusive || max.inclusive));
}

function higherMaxOf(a: Bound, b: Bound): Bound {
  const order = compareVersions(a.version, b.version);
  if (order !== 0) return order > 0 ? a : b;
  return a.inclusive ? a : b;
}

/** Release components as written (`3.6` has two), epoch and suffixes aside. */
function precision(version: string): number {
  const release = /^(?:[0-9]+!)?([0-9]+(?:\.[0-9]+)*)/.exec(version)?.[1] ?? version;
  return release.split('.').length;
}

/** `3.6` → `3.6.0`: the release padded to major.minor.patch. */
function padded(version: string): string {
  const parts = version.split('.');
  while (parts.length < 3) parts.push('0');
  return parts.join('.');
}

/** `create_nested_marker` for one range (or one version). */
function rangeMarker({ min, max }: Range): string {
  const variable = (version: string) => (precision(version) >= 3 ? 'python_full_version' : 'python_version');
  if (min !== null && max !== null && min.inclusive && max.inclusive && compareVersions(min.version, max.version) === 0) {
    return `${variable(min.version)} == "${min.version}"`;
  }
  const parts: string[] = [];
  if (min !== null) {
    parts.push(
      !min.inclusive && precision(min.version) < 3
        ? `python_full_version > "${padded(min.version)}"`
        : `${variable(min.version)} ${min.inclusive ? '>=' : '>'} "${min.version}"`,
    );
  }
  if (max !== null) {
    parts.push(
      max.inclusive && precision(max.version) < 3
        ? `python_full_version <= "${padded(max.version)}"`
        : `${variable(max.version)} ${max.inclusive ? '<=' : '<'} "${max.version}"`,
    );
  }
  return parts.join(' and ');
}
