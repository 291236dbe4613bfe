/**
 * PEP 508 dependency specifiers, parsed the way pypa/packaging's `Requirement` and `Marker` parse
 * them (its hand-written tokenizer and recursive-descent parser, `_tokenizer.py` / `_parser.py`),
 * and printed the way `str(SpecifierSet)` and `str(Marker)` print them. Matching packaging rather
 * than the PEP's grammar matters: pip uses packaging, so "valid" means "pip accepts it", and the
 * printed forms are what other tools (and our evaluation) compare against.
 *
 * Everything here is pure and never throws on bad input: failures come back as `{ ok: false }`.
 */
import { normalizeExtra } from './names.js';
import { trimEndRepeated, withoutLeadingZeros } from './text.js';

export interface Pep508Requirement {
  /** As written. */
  name: string;
  /** PEP 503. */
  normalizedName: string;
  /** PEP 685 normalised, sorted, unique. */
  extras: string[];
  /** Normalised as `str(SpecifierSet)` prints it; "" when none. */
  specifier: string;
  /** As packaging's `str(Marker)` prints it, or null. */
  marker: string | null;
  /** For `name @ url`. */
  url: string | null;
}

export type Pep508Result = { ok: true; requirement: Pep508Requirement } | { ok: false; message: string };
export type MarkerResult = { ok: true; marker: string; tree: MarkerList } | { ok: false; message: string };

/** One comparison: `python_version < "3.8"`. Either side may be the variable. */
export interface MarkerItem {
  left: MarkerOperand;
  op: string;
  right: MarkerOperand;
}
export type MarkerOperand = { kind: 'variable'; value: string } | { kind: 'value'; value: string };
/** Alternating atoms and `and`/`or`, as packaging's `MarkerList`; a nested list is a parenthesised group. */
export type MarkerList = Array<MarkerItem | MarkerList | 'and' | 'or'>;

// ---------------------------------------------------------------------------------------------
// Tokenizer: the same token rules as packaging's DEFAULT_RULES, matched at a position.
// ---------------------------------------------------------------------------------------------

const PRE = String.raw`(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?`;
const POST = String.raw`(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?`;
const DEV = String.raw`(?:[-_.]?dev[-_.]?[0-9]*)?`;
const LOCAL = String.raw`(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?`;
const RELEASE = String.raw`v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*`;
/** packaging's `Specifier._specifier_regex_str`, one clause. */
const SPECIFIER_SOURCE =
  String.raw`(?:(?:===\s*[^\s;)]*)` +
  String.raw`|(?:(?:==|!=)\s*${RELEASE}(?:\.\*|${PRE}${POST}${DEV}${LOCAL})?)` +
  String.raw`|(?:~=\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+${PRE}${POST}${DEV})` +
  String.raw`|(?:(?:<=|>=|<|>)\s*${RELEASE}${PRE}${POST}${DEV}))`;

/** packaging's marker variable names (legacy dotted spellings included). */
const MARKER_VARIABLE_SOURCE = String.raw`python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups`;

const RULES = {
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /(?:'[^']*'|"[^"]*")/y,
  OP: /(?:===|==|~=|!=|<=|>=|<|>)/y,
  BOOLOP: /\b(?:or|and)\b/y,
  IN: /\bin\b/y,
  NOT: /\bnot\b/y,
  VARIABLE: new RegExp(String.raw`\b(?:${MARKER_VARIABLE_SOURCE})\b`, 'y'),
  SPECIFIER: new RegExp(SPECIFIER_SOURCE, 'iy'),
  AT: /@/y,
  URL: /[^ \t]+/y,
  IDENTIFIER: /\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b/y,
  VERSION_PREFIX_TRAIL: /\.\*/y,
  VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
  WS: /[ \t]+/y,
  END: /$/y,
} as const;
type TokenName = keyof typeof RULES;
const SINGLE_CHAR_TOKENS: Partial<Record<TokenName, string>> = {
  LEFT_PARENTHESIS: '(',
  RIGHT_PARENTHESIS: ')',
  LEFT_BRACKET: '[',
  RIGHT_BRACKET: ']',
  SEMICOLON: ';',
  COMMA: ',',
  AT: '@',
};

/**
 * A syntax error at a column. Not an `Error`: it never leaves this module (every public function
 * turns it into `{ ok: false }`), and capturing a stack trace for each bad line of a hostile file
 * cost more than parsing the line.
 */
class SyntaxProblem {
  constructor(
    readonly message: string,
    readonly column: number,
  ) {}
}

/**
 * packaging recurses once per parenthesis, so Python stops a marker nested about 300 deep with
 * RecursionError. We stop sooner, with a message, before the JavaScript stack can overflow.
 */
export const MAX_MARKER_NESTING = 100;

class Tokenizer {
  position = 0;
  /** Open parentheses around the current position, in marker expressions. */
  nesting = 0;
  constructor(readonly source: string) {}

  /** The text of token `name` at the current position, without consuming it. */
  peek(name: TokenName): string | null {
    // One-character tokens, blanks and the end are checked without a regex: this is the hot path.
    const single = SINGLE_CHAR_TOKENS[name];
    if (single !== undefined) return this.source[this.position] === single ? single : null;
    if (name === 'END') return this.position === this.source.length ? '' : null;
    if (name === 'WS') {
      let end = this.position;
      while (this.source[end] === ' ' || this.source[end] === '\t') end++;
      return end === this.position ? null : this.source.slice(this.position, end);
    }
    const rule = RULES[name];
    rule.lastIndex = this.position;
    // `test` on a sticky regex moves lastIndex to the match end without allocating a match array.
    return rule.test(this.source) ? this.source.slice(this.position, rule.lastIndex) : null;
  }

  /** Consume token `name` if it is next; its text, or null. */
  take(name: TokenName): string | null {
    const text = this.peek(name);
    if (text !== null) this.position += text.length;
    return text;
  }

  expect(name: TokenName, expected: string): string {
    const text = this.take(name);
    if (text === null) this.fail(`Expected ${expected}`);
    return text;
  }

  fail(message: string, at: number = this.position): never {
    throw new SyntaxProblem(message, at + 1);
  }

  /** packaging's `enclosing_tokens`: an optional opening token that, when present, must be closed. */
  enclosed<T>(open: TokenName, close: TokenName, around: string, body: () => T): T {
    const openAt = this.position;
    const opened = this.take(open) !== null;
    const result = body();
    if (opened && this.take(close) === null) {
      this.fail(`Expected matching ${close} for ${open}, after ${around}`, openAt);
    }
    return result;
  }
}

// ---------------------------------------------------------------------------------------------
// Requirement grammar (packaging/_parser.py)
// ---------------------------------------------------------------------------------------------

interface RawRequirement {
  name: string;
  url: string;
  extras: string[];
  specifier: string;
  marker: MarkerList | null;
}

function parseRequirementTokens(t: Tokenizer): RawRequirement {
  t.take('WS');
  const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier');
  t.take('WS');
  const extras = parseExtras(t);
  t.take('WS');
  const details = parseRequirementDetails(t);
  t.expect('END', 'end of dependency specifier');
  return { name, extras, ...details };
}

function parseRequirementDetails(t: Tokenizer): { url: string; specifier: string; marker: MarkerList | null } {
  if (t.take('AT') !== null) {
    t.take('WS');
    const url = t.expect('URL', 'URL after @');
    if (t.peek('END') !== null) return { url, specifier: '', marker: null };
    t.expect('WS', 'whitespace after URL');
    if (t.peek('END') !== null) return { url, specifier: '', marker: null };
    const marker = parseRequirementMarker(t, 'semicolon (after URL and whitespace)');
    return { url, specifier: '', marker };
  }
  const specifier = parseSpecifier(t);
  t.take('WS');
  if (t.peek('END') !== null) return { url: '', specifier, marker: null };
  const marker = parseRequirementMarker(
    t,
    specifier
      ? 'comma (within version specifier), semicolon (after version specifier)'
      : 'semicolon (after name with no version specifier)',
  );
  return { url: '', specifier, marker };
}

function parseRequirementMarker(t: Tokenizer, expected: string): MarkerList {
  if (t.take('SEMICOLON') === null) t.fail(`Expected ${expected} or end`);
  const marker = parseMarkerExpression(t);
  t.take('WS');
  return marker;
}

function parseExtras(t: Tokenizer): string[] {
  if (t.peek('LEFT_BRACKET') === null) return [];
  return t.enclosed('LEFT_BRACKET', 'RIGHT_BRACKET', 'extras', () => {
    t.take('WS');
    const extras = parseExtrasList(t);
    t.take('WS');
    return extras;
  });
}

function parseExtrasList(t: Tokenizer): string[] {
  const extras: string[] = [];
  const first = t.take('IDENTIFIER');
  if (first === null) return extras;
  extras.push(first);
  for (;;) {
    t.take('WS');
    if (t.peek('IDENTIFIER') !== null) t.fail('Expected comma between extra names');
    if (t.take('COMMA') === null) break;
    t.take('WS');
    extras.push(t.expect('IDENTIFIER', 'extra name after comma'));
  }
  return extras;
}

function parseSpecifier(t: Tokenizer): string {
  return t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'version specifier', () => {
    t.take('WS');
    const parsed = parseVersionMany(t);
    t.take('WS');
    return parsed;
  });
}

function parseVersionMany(t: Tokenizer): string {
  let parsed = '';
  for (;;) {
    const spanStart = t.position;
    const clause = t.take('SPECIFIER');
    if (clause === null) break;
    parsed += clause;
    if (t.peek('VERSION_PREFIX_TRAIL') !== null) {
      if (/^\s*(?:==|!=)/.test(clause)) {
        t.fail(
          '.* suffix cannot be used after pre-release, post-release, developmental release, or local version labels',
          spanStart,
        );
      }
      t.fail('.* suffix can only be used with `==` or `!=` operators', spanStart);
    }
    if (t.peek('VERSION_LOCAL_LABEL_TRAIL') !== null) {
      t.fail('Local version label can only be used with `==` or `!=` operators', spanStart);
    }
    t.take('WS');
    const comma = t.take('COMMA');
    if (comma === null) break;
    parsed += comma;
    t.take('WS');
  }
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// Marker grammar
// ---------------------------------------------------------------------------------------------

function parseMarkerExpression(t: Tokenizer): MarkerList {
  const expression: MarkerList = [parseMarkerAtom(t)];
  for (;;) {
    const op = t.take('BOOLOP');
    if (op === null) break;
    expression.push(op as 'and' | 'or', parseMarkerAtom(t));
  }
  return expression;
}

function parseMarkerAtom(t: Tokenizer): MarkerItem | MarkerList {
  t.take('WS');
  let atom: MarkerItem | MarkerList;
  if (t.peek('LEFT_PARENTHESIS') !== null) {
    if (t.nesting >= MAX_MARKER_NESTING) t.fail(`Marker nests parentheses more than ${MAX_MARKER_NESTING} deep`);
    t.nesting++;
    atom = t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'marker expression', () => {
      t.take('WS');
      const inner = parseMarkerExpression(t);
      t.take('WS');
      return inner;
    });
    t.nesting--;
  } else {
    atom = parseMarkerItem(t);
  }
  t.take('WS');
  return atom;
}

function parseMarkerItem(t: Tokenizer): MarkerItem {
  t.take('WS');
  const left = parseMarkerOperand(t);
  t.take('WS');
  const op = parseMarkerOp(t);
  t.take('WS');
  const right = parseMarkerOperand(t);
  t.take('WS');
  return { left, op, right };
}

function parseMarkerOperand(t: Tokenizer): MarkerOperand {
  const variable = t.take('VARIABLE');
  if (variable !== null) return markerVariable(variable);
  const start = t.position;
  const quoted = t.take('QUOTED_STRING');
  if (quoted !== null) {
    const value = unescapePythonString(quoted.slice(1, -1));
    if (value === null) t.fail('Invalid quoted string', start);
    return { kind: 'value', value };
  }
  return t.fail('Expected a marker variable or quoted string');
}

/** Legacy dotted names (`os.name`) and `python_implementation` are aliases packaging rewrites. */
function markerVariable(written: string): MarkerOperand {
  const name = written.replace(/\./g, '_');
  return { kind: 'variable', value: name === 'python_implementation' ? 'platform_python_implementation' : name };
}

function parseMarkerOp(t: Tokenizer): string {
  if (t.take('IN') !== null) return 'in';
  if (t.take('NOT') !== null) {
    t.expect('WS', "whitespace after 'not'");
    t.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  const op = t.take('OP');
  if (op !== null) return op;
  return t.fail('Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in');
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

/**
 * packaging reads quoted strings with `ast.literal_eval`, so backslash escapes are Python's.
 * Returns null where Python raises (a truncated `\x`, `\u` or `\U` escape).
 */
function unescapePythonString(body: string): string | null {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) return null;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 1;
      continue;
    }
    const width = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (width > 0) {
      const hex = body.slice(i + 2, i + 2 + width);
      if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) return null;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return null;
      out += String.fromCodePoint(code);
      i += 1 + width;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1));
    if (octal) {
      out += String.fromCodePoint(parseInt(octal[0], 8));
      i += octal[0].length;
      continue;
    }
    // Python keeps unknown escapes (`\d`) as written.
    out += ch;
  }
  return out;
}

/** PEP 685: `extra == "Foo_Bar"` compares as `extra == "foo-bar"`, so packaging stores it that way. */
function normalizeExtraValues(list: MarkerList): MarkerList {
  return list.map((entry) => {
    if (typeof entry === 'string') return entry;
    if (Array.isArray(entry)) return normalizeExtraValues(entry);
    const { left, op, right } = entry;
    if (left.kind === 'variable' && left.value === 'extra' && right.kind === 'value') {
      return { left, op, right: { kind: 'value', value: canonicalize(right.value) } };
    }
    if (right.kind === 'variable' && right.value === 'extra' && left.kind === 'value') {
      return { left: { kind: 'value', value: canonicalize(left.value) }, op, right };
    }
    return entry;
  });
}

/** packaging's `canonicalize_name` (no trimming, unlike a name read from a file). */
function canonicalize(value: string): string {
  return value.replace(/[-_.]+/g, '-').toLowerCase();
}

function formatOperand(operand: MarkerOperand): string {
  return operand.kind === 'variable' ? operand.value : `"${operand.value}"`;
}

/**
 * packaging's `_format_marker`, quirks included: a single-element list prints its element as if it
 * were the top level, so `a and ((b or c))` prints as `a and b or c`, exactly like packaging.
 */
function formatMarker(marker: MarkerList | MarkerItem | string, first = true): string {
  if (typeof marker === 'string') return marker;
  if (Array.isArray(marker)) {
    const only = marker[0];
    if (marker.length === 1 && only !== undefined && typeof only !== 'string') return formatMarker(only);
    const inner = marker.map((m) => formatMarker(m, false)).join(' ');
    return first ? inner : `(${inner})`;
  }
  return `${formatOperand(marker.left)} ${marker.op} ${formatOperand(marker.right)}`;
}

// ---------------------------------------------------------------------------------------------
// The common shapes, recognised in one step
// ---------------------------------------------------------------------------------------------
//
// Almost every line of a real requirements file is a name, perhaps extras, and plain release
// clauses (`django==4.2.1`, `requests[socks]>=2,<3`), and almost every marker is one comparison
// (`python_version < "3.8"`). A sticky regex per token through the tokenizer costs far more than
// one regex over the whole string, so these shapes are matched directly and produce exactly what
// the tokenizer would; anything else, including every error, goes through the full parser.

/** A name (or extra) the IDENTIFIER token reads whole: it ends with a letter or digit. */
const PLAIN_NAME = String.raw`[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`;
/** Plain release clauses only: no pre/post/dev/local parts, no epoch, no `v`, `.*` only after ==/!=. */
const PLAIN_CLAUSE = String.raw`(?:(?:==|!=)[ \t]*[0-9]+(?:\.[0-9]+)*(?:\.\*)?|(?:<=|>=|<|>)[ \t]*[0-9]+(?:\.[0-9]+)*|~=[ \t]*[0-9]+(?:\.[0-9]+)+)`;
/**
 * Every run of blanks here is followed by something that cannot be a blank (`[`, `]`, an operator,
 * a comma, the end), and no two optional parts leave two blank runs side by side: with
 * `name[ \t]*(extras)?[ \t]*(clauses)?[ \t]*$`, a name, 5,000 blanks and a stray token made the
 * engine try every way of splitting the blanks between the three runs (cubic: 48 s).
 */
const PLAIN_REQUIREMENT = new RegExp(
  String.raw`^[ \t]*(${PLAIN_NAME})[ \t]*(?:\[[ \t]*(?:(${PLAIN_NAME}(?:[ \t]*,[ \t]*${PLAIN_NAME})*)[ \t]*)?\][ \t]*)?(?:(${PLAIN_CLAUSE}(?:[ \t]*,[ \t]*${PLAIN_CLAUSE})*)[ \t]*)?$`,
);
const EXTRAS_SEPARATOR = /[ \t]*,[ \t]*/;

/** `name[extras] clauses` without markers, URLs or parentheses; null for anything else. */
function plainRequirement(text: string): RawRequirement | null {
  const match = PLAIN_REQUIREMENT.exec(text);
  if (match === null) return null;
  const extras = match[2] === undefined ? [] : match[2].split(EXTRAS_SEPARATOR);
  // The tokenizer joins clauses without the blanks around commas; normalizeSpecifier drops blanks anyway.
  return { name: match[1]!, url: '', extras, specifier: match[3] ?? '', marker: null };
}

const PLAIN_MARKER = new RegExp(
  String.raw`^[ \t]*(${MARKER_VARIABLE_SOURCE})[ \t]*(===|==|~=|!=|<=|>=|<|>)[ \t]*('[^'\\]*'|"[^"\\]*")[ \t]*$`,
);

/** `variable op "value"` with no escapes in the value; null for anything else. */
function plainMarker(text: string): MarkerList | null {
  const match = PLAIN_MARKER.exec(text);
  if (match === null) return null;
  return [{ left: markerVariable(match[1]!), op: match[2]!, right: { kind: 'value', value: match[3]!.slice(1, -1) } }];
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

function describe(error: unknown): string {
  if (error instanceof SyntaxProblem) return `${error.message} (at column ${error.column})`;
  return error instanceof Error ? error.message : String(error);
}

/** Parse one PEP 508 requirement string as packaging's `Requirement(text)` would. */
export function parsePep508(text: string): Pep508Result {
  return requirementResult(text, true);
}

/** The full grammar alone, without the common-shape shortcut: the reference the shortcut is tested against. */
export function parsePep508Fully(text: string): Pep508Result {
  return requirementResult(text, false);
}

function requirementResult(text: string, shortcut: boolean): Pep508Result {
  let raw: RawRequirement;
  try {
    raw = (shortcut ? plainRequirement(text) : null) ?? parseRequirementTokens(new Tokenizer(text));
  } catch (error) {
    return { ok: false, message: describe(error) };
  }
  const marker = raw.marker === null ? null : formatMarker(normalizeExtraValues(raw.marker));
  return {
    ok: true,
    requirement: {
      name: raw.name,
      normalizedName: normalizeExtra(raw.name),
      extras: raw.extras.length === 0 ? [] : [...new Set(raw.extras.map((e) => normalizeExtra(e)))].sort(),
      specifier: normalizeSpecifier(raw.specifier),
      marker,
      url: raw.url === '' ? null : raw.url,
    },
  };
}

/** Parse a marker expression as `Marker(text)` does; the printed form and the tree. */
export function parseMarker(text: string): MarkerResult {
  const plain = plainMarker(text);
  if (plain === null) return parseMarkerFully(text);
  const tree = normalizeExtraValues(plain);
  return { ok: true, marker: formatMarker(tree), tree };
}

/** The full marker grammar alone, without the common-shape shortcut (the shortcut's reference in tests). */
export function parseMarkerFully(text: string): MarkerResult {
  const t = new Tokenizer(text);
  try {
    const tree = normalizeExtraValues(parseMarkerExpression(t));
    t.expect('END', 'end of marker expression');
    return { ok: true, marker: formatMarker(tree), tree };
  } catch (error) {
    return { ok: false, message: describe(error) };
  }
}

/** Joins marker expressions with `and`, parenthesising any that contain `or`. */
export function combineMarkers(parts: readonly string[]): string | null {
  const present = parts.map((p) => p.trim()).filter((p) => p !== '');
  if (present.length === 0) return null;
  if (present.length === 1) return present[0]!;
  return present.map((p) => (/\bor\b/.test(p) ? `(${p})` : p)).join(' and ');
}

/**
 * A requirement's marker with one more condition ANDed on (an extra's key marker, an include's):
 * normalised as the readers normalise markers, and the requirement's own when there is nothing to add.
 */
export function andMarker(own: string | null, added: string | null): string | null {
  if (added === null) return own;
  return normalizeMarker(combineMarkers(own === null ? [added] : [own, added])!) ?? own ?? added;
}

/** `str(Marker(text))`, or null when packaging would raise `InvalidMarker`. */
export function normalizeMarker(marker: string): string | null {
  const result = parseMarker(marker);
  return result.ok ? result.marker : null;
}

/**
 * `str(SpecifierSet(spec))`: clauses split on commas, whitespace removed inside each (packaging
 * prints operator + stripped version, and neither part can contain inner whitespace), then sorted
 * by their text and de-duplicated. Invalid clauses are normalised the same way, not rejected:
 * validity is `parsePep508`'s job.
 */
export function normalizeSpecifier(spec: string): string {
  // Most requirements have one clause or none: nothing to sort or de-duplicate.
  if (!spec.includes(',')) return /\s/.test(spec) ? spec.replace(/\s+/g, '') : spec;
  const clauses = spec
    .split(',')
    .map((clause) => clause.replace(/\s+/g, ''))
    .filter((clause) => clause !== '');
  clauses.sort(compareCodePoints);
  // packaging de-duplicates after sorting, by (operator, canonical version): `>=1.0,>=1.0.0` → `>=1.0`.
  // Only clauses sharing an operator can be equal, so most sets skip the version arithmetic.
  const operators = clauses.map((clause) => /^[=!<>~]*/.exec(clause)?.[0] ?? '');
  if (new Set(operators).size === clauses.length) return clauses.join(',');
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const clause of clauses) {
    const key = canonicalClauseKey(clause);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(clause);
  }
  return kept.join(',');
}

const CLAUSE = /^(===|~=|==|!=|<=|>=|<|>)(.*)$/;
const VERSION =
  /^v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?(?:[-_.]?(dev)[-_.]?([0-9]+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

/** `Specifier._canonical_spec`: what makes two clauses equal (`==1.0` and `==1.0.0`). */
function canonicalClauseKey(clause: string): string {
  const match = CLAUSE.exec(clause);
  if (!match) return clause;
  const op = match[1] as string;
  const version = match[2] as string;
  if (op === '===' || version.endsWith('.*')) return clause;
  const v = VERSION.exec(version);
  if (!v) return clause;
  const [, epoch, release, preL, preN, postN1, postL, postN2, dev, devN, local] = v;
  // Numbers as Python's int() reads them, leading zeros dropped: Number() rounds past 2^53, which
  // made distinct clauses (==9007199254740993, ==9007199254740992) one.
  let canonical = (release as string).split('.').map(withoutLeadingZeros).join('.');
  if (op !== '~=') canonical = trimEndRepeated(canonical, '.0');
  const epochNumber = epoch === undefined ? '0' : withoutLeadingZeros(epoch);
  let out = epochNumber !== '0' ? `${epochNumber}!${canonical}` : canonical;
  if (preL) {
    const label = preL.toLowerCase();
    const short = label === 'alpha' ? 'a' : label === 'beta' ? 'b' : label === 'a' || label === 'b' ? label : 'rc';
    out += `${short}${withoutLeadingZeros(preN ?? '0')}`;
  }
  if (postN1 !== undefined || postL !== undefined) out += `.post${withoutLeadingZeros(postN1 ?? postN2 ?? '0')}`;
  if (dev) out += `.dev${withoutLeadingZeros(devN ?? '0')}`;
  if (local) {
    out += `+${local
      .toLowerCase()
      .split(/[-_.]/)
      .map((part) => (/^[0-9]+$/.test(part) ? withoutLeadingZeros(part) : part))
      .join('.')}`;
  }
  return `${op}${out}`;
}

/** Python compares strings by code point; JS's default sort uses UTF-16 units. Same for ASCII. */
function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The exact version a specifier pins: `==1.2.3` → `1.2.3`, `===x` → `x`. Wildcards and ranges pin
 * nothing. With several clauses, the single `==`/`===` clause (if exactly one) decides, since the
 * other clauses can only rule that version out, not widen it.
 */
export function exactPin(specifier: string): string | null {
  // Ranges and compatible releases (most unpinned lines) have no `==` to find.
  if (!specifier.includes('==')) return null;
  const pins: string[] = [];
  for (const raw of specifier.split(',')) {
    const clause = raw.trim();
    if (clause.startsWith('===')) pins.push(clause.slice(3).trim());
    else if (clause.startsWith('==')) {
      const version = clause.slice(2).trim();
      if (version.endsWith('.*')) return null;
      pins.push(version);
    }
  }
  const only = pins[0];
  return pins.length === 1 && only !== undefined && only !== '' ? only : null;
}
