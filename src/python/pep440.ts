/**
 * PEP 440 versions and specifiers, with the semantics of pypa/packaging 21.3 (the copy pip 23.2.1
 * vendors), which is what our test vectors were checked against. See docs/pep440.md for why this is
 * our own implementation rather than a wrapper around @renovatebot/pep440, and for the few places
 * where we deliberately follow newer packaging instead.
 *
 * The operator rules are a faithful port of packaging's `Specifier._compare_*` methods, including
 * their string-based handling of `~=` and `.*` prefixes: those quirks are what pip does, and the
 * vectors check them.
 */

import { pythonStrip, trimEndRepeated } from './text.js';
import { compareCodeUnits } from '../text-order.js';

export type PreLabel = 'a' | 'b' | 'rc';

export interface Version {
  epoch: number;
  release: number[];
  pre: [PreLabel, number] | null;
  post: number | null;
  dev: number | null;
  local: (string | number)[] | null;
}

/** One clause of a specifier set, e.g. `>=` and `1.0` for `>= 1.0`. */
export interface SpecifierClause {
  operator: Operator;
  /** The version as written (trimmed), not normalised: `===` and `~=` depend on the spelling. */
  version: string;
}

export type Operator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

export interface ContainsOptions {
  /** The SpecifierSet constructor's `prereleases`. */
  prereleases?: boolean | null;
  /** The `prereleases` argument of `contains()`; overrides the one above when not null. */
  containsPrereleases?: boolean | null;
}

// ---------------------------------------------------------------------------------------------
// Whitespace and the version grammar

/**
 * Python's `\s` for str patterns (what packaging's regexes use). JavaScript's `\s` differs: it
 * includes U+FEFF and lacks U+001C–U+001F and U+0085.
 */
const WS = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

// packaging's VERSION_PATTERN, alternatives in the same order so captures are the same.
// The `i` flag without `u` folds ASCII letters only, unlike Python's IGNORECASE, which lets
// `İ` (U+0130) match `i` (packaging issue #469; newer packaging rejects it, and so do we).
const VERSION_RE = new RegExp(
  `^${WS}*v?` +
    '(?:([0-9]+)!)?' + // 1 epoch
    '([0-9]+(?:\\.[0-9]+)*)' + // 2 release
    '(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?([0-9]+)?)?' + // 3 pre label, 4 pre number
    '(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?' + // 5 implicit post, 6 post label, 7 post number
    '(?:[-_.]?(dev)[-_.]?([0-9]+)?)?' + // 8 dev label, 9 dev number
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?' + // 10 local
    `${WS}*$`,
  'i',
);

// ---------------------------------------------------------------------------------------------
// Parsed versions

/** Everything the comparisons need, computed once per distinct input string. */
interface ParsedVersion {
  readonly version: Version;
  /** str(Version(text)). */
  readonly text: string;
  /** Version.public: the normal form without the local label. */
  readonly publicText: string;
  /** Sort key: comparing keys as strings gives PEP 440 order; equal keys mean equal versions. */
  readonly key: string;
  /** Key of Version(public): the local label dropped. */
  readonly publicKey: string;
  /** Key prefix of Version(base_version): epoch and release only. */
  readonly baseKey: string;
  readonly isPrerelease: boolean;
  readonly isPostrelease: boolean;
  /** `N!` or "" (the normal form's epoch part). */
  readonly epochText: string;
  /** The normal form's release part, e.g. `1.0.2`. */
  readonly releaseText: string;
  /** Filled on first use by `==X.*` and `~=` (see publicSplit). */
  publicSplit: string[] | null;
}

/** Strips leading zeros the way int() does, keeping arbitrarily large numbers exact. */
function canonicalDigits(digits: string): string {
  if (digits.length === 1 || digits.charCodeAt(0) !== 0x30) return digits;
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i += 1;
  return digits.slice(i);
}

/**
 * Order-preserving encoding of a non-negative integer: its length, then its digits, so shorter
 * numbers sort first. Lengths under 127 take one code unit (0x80 + length), longer ones 0xFF and
 * four units of 6 bits. Every unit stays below 0x100: V8 compares such one-byte strings fastest.
 */
function encodeNumber(digits: string): string {
  const n = digits.length;
  if (n < 0x7f) return String.fromCharCode(0x80 + n) + digits;
  return String.fromCharCode(0xff, 0x80 + ((n >> 18) & 63), 0x80 + ((n >> 12) & 63), 0x80 + ((n >> 6) & 63), 0x80 + (n & 63)) + digits;
}

// Markers for packaging's _cmpkey. Every section is self-delimiting, so comparing the
// concatenated strings compares the tuples element by element.
const END = '\u0001'; // ends a tuple; sorts before any element, so a prefix sorts first
const NEG_INF = '\u0002';
const STR_END = '\u0003'; // ends a local string part; below every [a-z0-9]
const LOCAL_STR = '\u0004'; // local string parts sort before numeric ones
const LOCAL_NUM = '\u0005';
const VALUE = '\u0010';
const POS_INF = '\u00ff';

function releaseKey(release: string[]): string {
  let end = release.length;
  while (end > 0 && release[end - 1] === '0') end -= 1; // 1.0 == 1.0.0
  let key = '';
  for (let i = 0; i < end; i += 1) key += encodeNumber(release[i] ?? '0');
  return key + END;
}

function normalizePreLabel(label: string): PreLabel {
  switch (label.toLowerCase()) {
    case 'a':
    case 'alpha':
      return 'a';
    case 'b':
    case 'beta':
      return 'b';
    default: // c, rc, pre, preview
      return 'rc';
  }
}

function parseUncached(text: string): ParsedVersion | null {
  const m = VERSION_RE.exec(text);
  if (!m) return null;
  const [, epochDigits, releaseDigits = '0', preLabel, preNum, postImplicit, postLabel, postNum, devLabel, devNum, localText] = m;

  const epoch = canonicalDigits(epochDigits ?? '0');
  const release = releaseDigits.split('.').map(canonicalDigits);
  const pre = preLabel === undefined ? null : { label: normalizePreLabel(preLabel), n: canonicalDigits(preNum ?? '0') };
  const post =
    postImplicit !== undefined
      ? canonicalDigits(postImplicit)
      : postLabel !== undefined
        ? canonicalDigits(postNum ?? '0')
        : null;
  const dev = devLabel === undefined ? null : canonicalDigits(devNum ?? '0');
  const local =
    localText === undefined
      ? null
      : localText.split(/[._-]/).map((part) => (/^[0-9]+$/.test(part) ? canonicalDigits(part) : { s: part.toLowerCase() }));

  const epochText = epoch === '0' ? '' : `${epoch}!`;
  const releaseText = release.join('.');
  let publicText = epochText + releaseText;
  if (pre) publicText += pre.label + pre.n;
  if (post !== null) publicText += `.post${post}`;
  if (dev !== null) publicText += `.dev${dev}`;
  const localNormal = local === null ? null : local.map((p) => (typeof p === 'string' ? p : p.s)).join('.');

  const baseKey = encodeNumber(epoch) + releaseKey(release);
  const preKey =
    pre === null && post === null && dev !== null
      ? NEG_INF // 1.0.dev0 sorts before 1.0a0
      : pre === null
        ? POS_INF
        : VALUE + pre.label.charAt(0) + encodeNumber(pre.n); // 'a' < 'b' < 'r'
  const postKey = post === null ? NEG_INF : VALUE + encodeNumber(post);
  const devKey = dev === null ? POS_INF : VALUE + encodeNumber(dev);
  const coreKey = baseKey + preKey + postKey + devKey;
  const localKey =
    local === null
      ? NEG_INF
      : VALUE +
        local.map((p) => (typeof p === 'string' ? LOCAL_NUM + encodeNumber(p) : LOCAL_STR + p.s + STR_END)).join('') +
        END;

  return {
    version: {
      epoch: Number(epoch),
      release: release.map(Number),
      pre: pre === null ? null : [pre.label, Number(pre.n)],
      post: post === null ? null : Number(post),
      dev: dev === null ? null : Number(dev),
      local: local === null ? null : local.map((p) => (typeof p === 'string' ? Number(p) : p.s)),
    },
    text: localNormal === null ? publicText : `${publicText}+${localNormal}`,
    publicText,
    key: coreKey + localKey,
    publicKey: coreKey + NEG_INF,
    baseKey,
    isPrerelease: pre !== null || dev !== null,
    isPostrelease: post !== null,
    epochText,
    releaseText,
    publicSplit: null,
  };
}

/**
 * A cache that stays small in a long-running bot: two generations of at most `limit` entries.
 * When the young one fills, it becomes the old one and the previous old one is dropped; hits in
 * the old generation move back to the young one. Every operation is O(1) (deleting the oldest
 * entry of one big Map is not: V8 iterates over the holes deletions leave).
 */
class BoundedCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.limit) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}

const versionCache = new BoundedCache<ParsedVersion | null>(25_000);

function parsed(text: string): ParsedVersion | null {
  if (typeof text !== 'string') return null; // callers in plain JavaScript
  let hit = versionCache.get(text);
  if (hit === undefined) {
    hit = parseUncached(text);
    versionCache.set(text, hit);
  }
  return hit;
}

function parsedOrThrow(text: string): ParsedVersion {
  const p = parsed(text);
  if (p === null) throw new Error(`Not a valid PEP 440 version: ${JSON.stringify(text)}`);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Version API

/** The parts of a PEP 440 version, or null when `text` is not one. Numbers past 2^53 lose precision here (not in comparisons). */
export function parseVersion(text: string): Version | null {
  const p = parsed(text);
  if (p === null) return null;
  const v = p.version;
  // A copy, so callers cannot corrupt the cache.
  return {
    epoch: v.epoch,
    release: [...v.release],
    pre: v.pre === null ? null : [v.pre[0], v.pre[1]],
    post: v.post,
    dev: v.dev,
    local: v.local === null ? null : [...v.local],
  };
}

export function isValidVersion(text: string): boolean {
  return parsed(text) !== null;
}

/** str(Version(text)): `1.0-ALPHA_1` → `1.0a1`; null when not PEP 440. */
export function normalizeVersion(text: string): string | null {
  return parsed(text)?.text ?? null;
}

/** PEP 440 order: negative, zero or positive. Throws on a string that is not a PEP 440 version. */
export function compareVersions(a: string, b: string): number {
  const ka = parsedOrThrow(a).key;
  const kb = parsedOrThrow(b).key;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Version(a) == Version(b) (`1.0` equals `1.0.0`, `1.0+abc` does not equal `1.0`); false if either is invalid. */
export function versionsEqual(a: string, b: string): boolean {
  const pa = parsed(a);
  const pb = parsed(b);
  return pa !== null && pb !== null && pa.key === pb.key;
}

/** True for pre-releases and dev releases (`1.0a1`, `1.0.dev0`, `1.0.post1.dev2`); false if invalid. */
export function isPrerelease(text: string): boolean {
  return parsed(text)?.isPrerelease ?? false;
}

/** The valid versions in ascending PEP 440 order (equal versions keep their input order); invalid ones dropped. */
export function sortVersions(texts: string[]): string[] {
  const keyed: { text: string; key: string }[] = [];
  for (const text of texts) {
    const p = parsed(text);
    if (p !== null) keyed.push({ text, key: p.key });
  }
  keyed.sort((x, y) => compareCodeUnits(x.key, y.key));
  return keyed.map((k) => k.text);
}

// ---------------------------------------------------------------------------------------------
// Specifier grammar (packaging 21.3 `Specifier._regex_str`, alternatives and lookbehinds as written)

const PRE_PART = '(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?';
const POST_PART = '(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?';
const DEV_PART = '(?:[-_.]?dev[-_.]?[0-9]*)?';
const SPECIFIER_RE = new RegExp(
  `^${WS}*(~=|==|!=|<=|>=|<|>|===)(` +
    // === takes anything without whitespace: an exact string match, no PEP 440 meaning. The
    // blanks and the word are optional together, so two runs of blanks never meet (with
    // `${WS}*[^…]*` the empty word let them meet, and `=== ` + 10⁵ blanks + `;` was quadratic).
    `(?:(?<====)(?:${WS}*[^${WS.slice(1, -1)}]+)?)` +
    // == and != allow local versions, or a trailing .* (not both).
    `|(?:(?<===|!=)${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*${PRE_PART}${POST_PART}` +
    `(?:${DEV_PART}(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?|\\.\\*)?)` +
    // ~= needs at least two release numbers.
    `|(?:(?<=~=)${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${PRE_PART}${POST_PART}${DEV_PART})` +
    // The ordered comparisons take neither local versions nor wildcards.
    `|(?:(?<!==|!=|~=)${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*${PRE_PART}${POST_PART}${DEV_PART})` +
    `)${WS}*$`,
  'i',
);

interface ParsedClause extends SpecifierClause {
  /** Specifier.prereleases when not set explicitly: does this clause name a pre-release? */
  readonly namesPrerelease: boolean;
  /** The test on a valid candidate; null for `===`, which compares text. */
  readonly matches: ((prospective: ParsedVersion) => boolean) | null;
}

function parseClause(text: string): ParsedClause | null {
  const m = SPECIFIER_RE.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  const operator = m[1] as Operator;
  const version = pythonStrip(m[2]);
  let namesPrerelease = false;
  if (operator === '==' || operator === '>=' || operator === '<=' || operator === '~=' || operator === '===') {
    const named = operator === '==' && version.endsWith('.*') ? version.slice(0, -2) : version;
    namesPrerelease = parsed(named)?.isPrerelease ?? false;
  }
  const matches = operator === '===' ? null : compileMatcher(operator, version);
  return { operator, version, namesPrerelease, matches };
}

const specifierSetCache = new BoundedCache<ParsedClause[] | null>(2_500);

/** SpecifierSet(text): comma-separated clauses, empty ones ignored; null if any clause is not PEP 440. */
function parseSet(text: string): ParsedClause[] | null {
  let hit = specifierSetCache.get(text);
  if (hit === undefined) {
    hit = [];
    for (const piece of text.split(',')) {
      const trimmed = pythonStrip(piece);
      if (trimmed === '') continue;
      const clause = parseClause(trimmed);
      if (clause === null) {
        hit = null;
        break;
      }
      hit.push(clause);
    }
    specifierSetCache.set(text, hit);
  }
  return hit;
}

// ---------------------------------------------------------------------------------------------
// Operators (packaging 21.3 `Specifier._compare_*`)

const PREFIX_RE = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/; // case-sensitive, as in packaging

/** Splits on dots, pretending there is a dot between a release number and a pre-release (`0rc1`). */
function versionSplit(version: string): string[] {
  const result: string[] = [];
  for (const item of version.split('.')) {
    const m = PREFIX_RE.exec(item);
    if (m && m[1] !== undefined && m[2] !== undefined) result.push(m[1], m[2]);
    else result.push(item);
  }
  return result;
}

function isNotSuffix(segment: string): boolean {
  return !['dev', 'a', 'b', 'rc', 'post'].some((prefix) => segment.startsWith(prefix));
}

const isDigits = (s: string): boolean => /^[0-9]+$/.test(s);

function leadingNumbers(parts: string[]): number {
  let n = 0;
  while (n < parts.length && isDigits(parts[n] ?? '')) n += 1;
  return n;
}

/** Pads the release parts of both sides with "0" to the same length (packaging `_pad_version`). */
function padVersion(left: string[], right: string[]): [string[], string[]] {
  const l = leadingNumbers(left);
  const r = leadingNumbers(right);
  const pad = (parts: string[], n: number, to: number): string[] => [
    ...parts.slice(0, n),
    ...Array<string>(Math.max(0, to - n)).fill('0'),
    ...parts.slice(n),
  ];
  return [pad(left, l, r), pad(right, r, l)];
}

function sameParts(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** versionSplit of the candidate's public normal form, computed on first use and kept. */
function publicSplit(prospective: ParsedVersion): string[] {
  prospective.publicSplit ??= versionSplit(prospective.publicText);
  return prospective.publicSplit;
}

/**
 * `==P.*`: the candidate's public version, cut to the length of P, equals P once both release
 * parts are padded with zeros to the same length (`2` matches `==2.0.*`).
 */
function prefixMatcher(prefix: string): (prospective: ParsedVersion) => boolean {
  const splitSpec = versionSplit(prefix);
  return (prospective) => {
    const shortened = publicSplit(prospective).slice(0, splitSpec.length);
    const [paddedSpec, paddedProspective] = padVersion(splitSpec, shortened);
    return sameParts(paddedProspective, paddedSpec);
  };
}

function equalMatcher(spec: string): (prospective: ParsedVersion) => boolean {
  if (spec.endsWith('.*')) return prefixMatcher(spec.slice(0, -2));
  const s = parsed(spec);
  if (s === null) return () => false;
  // Without a local label in the specifier, the candidate's local label is ignored.
  return s.version.local === null ? (p) => p.publicKey === s.key : (p) => p.key === s.key;
}

/**
 * The test for one clause on a valid candidate (packaging 21.3 `Specifier._compare_*`), built
 * once per clause. The pre-release gate is applied by the caller.
 */
function compileMatcher(operator: Exclude<Operator, '==='>, spec: string): (prospective: ParsedVersion) => boolean {
  if (operator === '==') return equalMatcher(spec);
  if (operator === '!=') {
    const equal = equalMatcher(spec);
    return (p) => !equal(p);
  }
  const s = parsed(spec);
  if (s === null) return () => false;
  switch (operator) {
    case '~=': {
      // ~=2.2.post3 is >=2.2.post3 together with ==2.*: drop suffixes, then the last number.
      const kept: string[] = [];
      for (const segment of versionSplit(spec)) {
        if (!isNotSuffix(segment)) break;
        kept.push(segment);
      }
      const samePrefix = prefixMatcher(kept.slice(0, -1).join('.'));
      return (p) => p.publicKey >= s.key && samePrefix(p);
    }
    case '<=':
      return (p) => p.publicKey <= s.key;
    case '>=':
      return (p) => p.publicKey >= s.key;
    case '<':
      // <3.1 must not match 3.1.dev0 (a pre-release of the very version excluded) unless the
      // specifier itself is a pre-release.
      return (p) => p.key < s.key && !(!s.isPrerelease && p.isPrerelease && p.baseKey === s.baseKey);
    case '>':
      // >3.1 must match neither 3.1.post0 (unless the specifier is a post-release itself) nor
      // 3.1+local, which is technically greater.
      return (p) =>
        p.key > s.key &&
        !(!s.isPostrelease && p.isPostrelease && p.baseKey === s.baseKey) &&
        !(p.version.local !== null && p.baseKey === s.baseKey);
  }
}

/**
 * Whether one clause matches, the pre-release gate already passed. `text` is the candidate as
 * given (an invalid version matches nothing but `===`).
 */
function clauseMatches(clause: ParsedClause, text: string, prospective: ParsedVersion | null): boolean {
  if (clause.matches === null) return arbitraryEqual(clause.version, text);
  return prospective !== null && clause.matches(prospective);
}

/** SpecifierSet.prereleases: the explicit flag, else whether any clause names a pre-release; null for an empty set. */
function setPrereleases(clauses: ParsedClause[], explicit: boolean | null | undefined): boolean | null {
  if (explicit !== null && explicit !== undefined) return explicit;
  if (clauses.length === 0) return null;
  return clauses.some((c) => c.namesPrerelease);
}

function setContains(clauses: ParsedClause[], text: string, options: ContainsOptions | undefined): boolean {
  const prospective = parsed(text);
  const allowPrereleases = options?.containsPrereleases ?? setPrereleases(clauses, options?.prereleases);
  if (!allowPrereleases && prospective !== null && prospective.isPrerelease) return false;
  return clauses.every((clause) => clauseMatches(clause, text, prospective));
}

// ---------------------------------------------------------------------------------------------
// Pins: the two operators that name one release

/**
 * `===spec` (arbitrary equality): the candidate's text as written equals the specifier's, ASCII
 * letters compared case-insensitively and nothing normalised, so `===1.0` is not met by `1.0.0` nor
 * `===1.1` by `1.01` (PEP 440 "Arbitrary equality"; packaging 26.1+, see docs/pep440.md: 21.3
 * compared the candidate's normal form).
 */
export function arbitraryEqual(spec: string, candidate: string): boolean {
  return typeof candidate === 'string' && candidate.toLowerCase() === spec.toLowerCase();
}

/**
 * `==pin` for a pin without a wildcard: equal PEP 440 versions, the candidate's local label ignored
 * when the pin has none (`==2.0` is met by `2.0`, `2.0.0` and `2.0+cpu`; `==2.0+cpu` by `2.0+cpu`
 * alone). False when either is not a valid version.
 */
export function versionPinMatches(pin: string, candidate: string): boolean {
  if (pin.endsWith('.*')) return false;
  const c = parsed(candidate);
  // The `==` clause's own matcher, so a pin and a specifier cannot disagree.
  return c !== null && equalMatcher(pin)(c);
}

// ---------------------------------------------------------------------------------------------
// Specifier API

/** Is `text` a PEP 440 specifier set (`>=1.0,<2`, `~=3.1`, `""`)? Legacy (non-PEP 440) clauses are rejected. */
export function isValidSpecifier(text: string): boolean {
  return typeof text === 'string' && parseSet(text) !== null;
}

/** The clauses of a specifier set as written (trimmed), or null when it is not valid. */
export function parseSpecifierSet(text: string): SpecifierClause[] | null {
  const clauses = typeof text === 'string' ? parseSet(text) : null;
  return clauses === null ? null : clauses.map((c) => ({ operator: c.operator, version: c.version }));
}

/**
 * str(SpecifierSet(text)): clauses without spaces, duplicates (same operator, same version up to
 * trailing zeros) removed, sorted as Python sorts strings: ` >= 1.0 , <2` → `<2,>=1.0`.
 * Null when not valid.
 */
export function normalizeSpecifier(text: string): string | null {
  const clauses = typeof text === 'string' ? parseSet(text) : null;
  if (clauses === null) return null;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of clauses) {
    const identity = `${c.operator}\u0000${canonicalizeVersion(c.version)}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push(c.operator + c.version);
  }
  return out.sort((a, b) => compareCodeUnits(a, b)).join(',');
}

/** packaging.utils.canonicalize_version (21.3): normal form with trailing `.0`s dropped; invalid text unchanged. */
function canonicalizeVersion(text: string): string {
  const p = parsed(text);
  if (p === null) return text;
  return p.epochText + trimEndRepeated(p.releaseText, '.0') + p.text.slice(p.epochText.length + p.releaseText.length);
}

/**
 * SpecifierSet(spec, prereleases=options.prereleases).contains(version, prereleases=options.containsPrereleases).
 * Pre-releases are excluded unless allowed by the options or named by a clause (`>=1.0b1`).
 * An invalid version matches only `===` with the same string. An invalid specifier matches nothing.
 */
export function specifierContains(spec: string, version: string, options?: ContainsOptions): boolean {
  const clauses = typeof spec === 'string' ? parseSet(spec) : null;
  if (clauses === null || typeof version !== 'string') return false;
  return setContains(clauses, version, options);
}

/**
 * Specifier(spec, prereleases).contains(version, containsPrereleases): exactly one clause, which
 * is not split on commas (`===1,2` is one clause here). False when `spec` is not one valid clause.
 */
export function specifierContainsSingle(spec: string, version: string, options?: ContainsOptions): boolean {
  const clause = typeof spec === 'string' ? parseClause(spec) : null;
  if (clause === null || typeof version !== 'string') return false;
  return setContains([clause], version, options);
}

/**
 * The versions the specifier set allows, in input order. Pre-releases are kept when allowed
 * (`options.prereleases`, else the set naming a pre-release), dropped when explicitly refused,
 * and otherwise kept only if no final release matches (PEP 440's rule; packaging 22+ applies it
 * to the whole set, where 21.3 applied it clause by clause). Invalid versions are dropped unless
 * a `===` clause names them. An invalid specifier allows nothing.
 */
export function filterVersions(spec: string, versions: string[], options?: { prereleases?: boolean | null }): string[] {
  const clauses = typeof spec === 'string' ? parseSet(spec) : null;
  if (clauses === null || !Array.isArray(versions)) return [];
  const explicit = options?.prereleases ?? null;
  const allow = setPrereleases(clauses, explicit);
  const matches: { text: string; prerelease: boolean }[] = [];
  for (const text of versions) {
    if (typeof text !== 'string') continue;
    const prospective = parsed(text);
    if (prospective === null && clauses.length === 0) continue;
    if (clauses.every((clause) => clauseMatches(clause, text, prospective))) {
      matches.push({ text, prerelease: prospective?.isPrerelease ?? false });
    }
  }
  if (allow === true) return matches.map((m) => m.text);
  const finals = matches.filter((m) => !m.prerelease).map((m) => m.text);
  if (finals.length > 0 || explicit === false) return finals;
  return matches.map((m) => m.text); // only pre-releases match: PEP 440 says take them
}
