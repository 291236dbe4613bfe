/**
 * Poetry version constraints (`^1.2`, `~1.2.3`, `1.2.*`, `>=1 <2`, `^1 || ^2`) translated to PEP 440
 * specifiers, following poetry-core's `constraints/version/parser.py` (`parse_constraint`,
 * `parse_single_constraint`), `patterns.py`, and how its `VersionRange.__str__` prints the result:
 *
 * - `^V`: from V up to the next "breaking" release, `Version.next_breaking()`: the next major when
 *   the major is not 0 (or V has one component), else the next minor when the minor is not 0 (or
 *   V has two components), else the next patch. `^1.2` → `>=1.2,<2.0`, `^0.2.3` → `>=0.2.3,<0.3.0`,
 *   `^0.0.3` → `>=0.0.3,<0.0.4`, `^0` → `>=0,<1`.
 * - `~V`: next minor, or next major when V has a single component. `~=V` (Poetry's reading): next
 *   major when V has two components, next minor otherwise (so Poetry's `~=1` is `>=1,<1.1`).
 * - Upper bounds keep the precision of V (`Release.next_major` zeroes the components V has and adds
 *   none), are computed from V's stable release (pre/dev dropped), and keep V's epoch.
 * - `*`, `x`, `1.x` style: `1.2.*` → `==1.2.*`, `1.*` → `==1.*`, `0.*` → `<1.0.0`, `!=1.2.*` →
 *   `!=1.2.*`. Like poetry-core, only major and minor count (`1.2.3.*` means `1.2.*`).
 * - A bare version is `==`, `=` is `==`, `<>` is `!=`; an ordered comparison with a trailing `.*`
 *   ignores the wildcard (poetry-core accepts it the way pip does).
 * - `,` or spaces between clauses mean AND; `||` (or a single `|`) means OR.
 *
 * PEP 440 has no OR. A union cannot be one specifier set, so its alternatives are joined with
 * `" || "` (each alternative normalised on its own, duplicates dropped). Callers that need a real
 * specifier check `isUnion`; such a dependency has no exact version. An alternative that allows
 * everything makes the whole union `""`.
 */
import { clipInput } from '../quoted-input.js';
import { normalizeSpecifier } from './pep508.js';
import { isJsSpace, trimEndChar, withoutLeadingZeros } from './text.js';

export type PoetryConstraintResult = { ok: true; specifier: string } | { ok: false; message: string };

/** Separator used between the alternatives of a union (see the module comment). */
export const UNION_SEPARATOR = ' || ';

export function isUnion(specifier: string): boolean {
  return specifier.includes('||');
}

export function poetryToPep440(constraint: string): PoetryConstraintResult {
  const parsed = poetryClauses(constraint);
  if (!parsed.ok) return parsed;
  const alternatives: string[] = [];
  const seen = new Set<string>();
  for (const clauses of parsed.alternatives) {
    const specifier = normalizeSpecifier(clauses.join(','));
    if (specifier === '') return { ok: true, specifier: '' };
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    alternatives.push(specifier);
  }
  return { ok: true, specifier: alternatives.join(UNION_SEPARATOR) };
}

export type PoetryClausesResult = { ok: true; alternatives: string[][] } | { ok: false; message: string };

/**
 * The constraint as alternatives of PEP 440 clauses, in the order written (`^1.2 || 2.*` →
 * `[['>=1.2', '<2.0'], ['==2.*']]`). An alternative without clauses allows every version; reading
 * stops there, as poetry-core's answer is then "anything" whatever follows.
 */
export function poetryClauses(constraint: string): PoetryClausesResult {
  const text = constraint.trim();
  // poetry-core's Dependency turns an empty constraint into `*`.
  if (text === '' || text === '*') return { ok: true, alternatives: [[]] };

  const alternatives: string[][] = [];
  for (const orPart of splitAlternatives(text)) {
    // poetry-core tolerates trailing commas ("seems to occur in some packages").
    const group = trimEndChar(orPart, ',').trimEnd();
    const clauses: string[] = [];
    for (const single of group.split(AND_SEPARATOR)) {
      const translated = translateSingle(single);
      if (translated === null) return { ok: false, message: `Could not parse version constraint: ${clipInput(single || constraint)}` };
      if (translated !== '') for (const clause of translated.split(',')) clauses.push(clause);
    }
    alternatives.push(clauses);
    if (clauses.length === 0) break;
  }
  return { ok: true, alternatives };
}

/**
 * The alternatives of a union: the text split at each `||` (or `|`) and the blanks around it, as
 * splitting on the pattern `\s*\|\|?\s*` does. Scanned rather than split with that pattern, which
 * rescanned a long run of blanks from each of its positions looking for a `|` that never came.
 */
export function splitAlternatives(text: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let bar = text.indexOf('|'); bar !== -1; bar = text.indexOf('|', from)) {
    let start = bar;
    while (start > from && isJsSpace(text.charCodeAt(start - 1))) start--;
    parts.push(text.slice(from, start));
    let end = text.charCodeAt(bar + 1) === 0x7c /* | */ ? bar + 2 : bar + 1;
    while (end < text.length && isJsSpace(text.charCodeAt(end))) end++;
    from = end;
  }
  parts.push(text.slice(from));
  return parts;
}

/**
 * poetry-core's AND split: a comma or space between clauses, but not right after an operator
 * (`>= 1`), not around a hyphen (`1.0-beta`), and not before another comma or the end.
 */
const AND_SEPARATOR = /(?<!^)(?<![~=>< ,]) *(?<!-)[, ](?!-) *(?!,|$)/;

/** packaging's VERSION_PATTERN (without the surrounding `v?` anchors), case-insensitive. */
const VERSION_BODY =
  '(?:(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*' +
  '(?:[-_.]?(?:alpha|a|beta|b|preview|pre|c|rc)[-_.]?[0-9]*)?' +
  '(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?' +
  '(?:[-_.]?dev[-_.]?[0-9]*)?)' +
  '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
const VERSION = `v?${VERSION_BODY}`;

const ANY = /^v?[x*](\.[x*])*$/i;
const TILDE = new RegExp(`^~(?!=)\\s*(${VERSION})$`, 'i');
const TILDE_PEP440 = new RegExp(`^~=\\s*(${VERSION})$`, 'i');
const CARET = new RegExp(`^\\^\\s*(${VERSION})$`, 'i');
const X_RANGE = /^(!=|==)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.[xX*])+$/;
const BASIC = new RegExp(`^(<>|!=|>=?|<=?|==?)?\\s*(${VERSION}|dev)(\\.\\*)?$`, 'i');

/** One clause to PEP 440 (`""` for "anything"), or null when poetry-core would reject it. */
function translateSingle(constraint: string): string | null {
  if (ANY.test(constraint)) return '';

  let m = TILDE.exec(constraint);
  if (m) {
    const version = parseVersion(m[1]!);
    if (!version) return null;
    const high = version.release.length === 1 ? nextMajor(version) : nextMinor(version);
    return range(version, high);
  }

  m = TILDE_PEP440.exec(constraint);
  if (m) {
    const version = parseVersion(m[1]!);
    if (!version) return null;
    const high = version.release.length === 2 ? nextMajor(version) : nextMinor(version);
    return range(version, high);
  }

  m = CARET.exec(constraint);
  if (m) {
    const version = parseVersion(m[1]!);
    if (!version) return null;
    return range(version, nextBreaking(version));
  }

  m = X_RANGE.exec(constraint);
  if (m) {
    // Digit strings, not Numbers: poetry-core's int() has no limit, and a Number past 1e21 would
    // print as `1e+23`, which is no version at all.
    const negate = m[1] === '!=';
    const major = withoutLeadingZeros(m[2]!);
    const minor = m[3];
    if (minor !== undefined) return `${negate ? '!=' : '=='}${major}.${withoutLeadingZeros(minor)}.*`;
    if (major === '0') return negate ? '>=1.0.0' : '<1.0.0';
    return `${negate ? '!=' : '=='}${major}.*`;
  }

  m = BASIC.exec(constraint);
  if (m) {
    const op = m[1] ?? '==';
    let version = m[2]!;
    if (version.toLowerCase() === 'dev') version = '0.0-dev';
    if (!parseVersion(version)) return null;
    const pep440Op = op === '=' ? '==' : op === '<>' ? '!=' : op;
    return `${pep440Op}${version.replace(/^v/i, '')}`;
  }
  return null;
}

interface ParsedVersion {
  /** As written, minus a leading `v` (poetry-core keeps the written text when it prints). */
  text: string;
  /** Only ever printed, so kept as digits (`0` when there is none): no size limit, as in Python. */
  epoch: string;
  release: number[];
}

const VERSION_PARTS = new RegExp(`^v?(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)`, 'i');
const WHOLE_VERSION = new RegExp(`^${VERSION}$`, 'i');

function parseVersion(text: string): ParsedVersion | null {
  if (!WHOLE_VERSION.test(text)) return null;
  const m = VERSION_PARTS.exec(text);
  if (!m) return null;
  const release = m[2]!.split('.').map(Number);
  if (release.some((part) => !Number.isSafeInteger(part))) return null;
  return { text: text.replace(/^v/i, ''), epoch: m[1] === undefined ? '0' : withoutLeadingZeros(m[1]), release };
}

/** `Release.next_major`: bump the major, zero the components that exist, keep the precision. */
function nextMajor(v: ParsedVersion): number[] {
  return v.release.map((part, i) => (i === 0 ? part + 1 : 0));
}

/** `Release.next_minor`: a missing minor becomes 1. */
function nextMinor(v: ParsedVersion): number[] {
  const [major = 0, minor] = v.release;
  return [major, minor === undefined ? 1 : minor + 1, ...v.release.slice(2).map(() => 0)];
}

/** `Release.next_patch`: a missing minor becomes 0 and a missing patch 1. */
function nextPatch(v: ParsedVersion): number[] {
  const [major = 0, minor = 0, patch] = v.release;
  return [major, minor, patch === undefined ? 1 : patch + 1, ...v.release.slice(3).map(() => 0)];
}

/** `Version.next_breaking`, on the stable release (pre/dev segments never reach the bound). */
function nextBreaking(v: ParsedVersion): number[] {
  const [major = 0, minor, patch] = v.release;
  if (major > 0 || minor === undefined) return nextMajor(v);
  if (minor > 0 || patch === undefined) return nextMinor(v);
  return nextPatch(v);
}

function range(low: ParsedVersion, high: number[]): string {
  const epoch = low.epoch === '0' ? '' : `${low.epoch}!`;
  return `>=${low.text},<${epoch}${high.join('.')}`;
}

/** A run of ASCII digits plus one, however long (`199` → `200`, `99` → `100`), as text. */
export function nextDecimal(digits: string): string {
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 0x39 /* 9 */) end--;
  const carried = '0'.repeat(digits.length - end);
  if (end === 0) return `1${carried}`;
  return `${digits.slice(0, end - 1)}${String.fromCharCode(digits.charCodeAt(end - 1) + 1)}${carried}`;
}
