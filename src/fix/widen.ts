/**
 * How far a version constraint must move so the fix is allowed, decided on the text as written.
 *
 * A constraint that does not admit the vulnerable release is about something else (another pin of
 * the same package, behind another marker): it is `unrelated`. One that admits the fix already
 * `admits` it: nothing to write, the lock is what needs regenerating. Otherwise only the clauses
 * that exclude the fix change, each in its own style and precision, and everything around them
 * (spaces, commas, the other clauses, their order) stays as written:
 *
 *   `==2.1.5` → `==2.1.11`      `===2.1.5` → `===2.1.11`      `==2.1.*` → `==2.2.*`
 *   `<2.2` → `<2.3` (the fix is 2.2.1: the next bound at the written precision)
 *   `<=2.1.5` → `<=2.1.11`      `~=2.1.0` → `~=2.2.0` (same number of components)
 *   Poetry: `^0.65.1` → `^0.66.0`, `~1.2.3` → `~1.3.0`, bare `1.2.3` → `2.0.1`, same for `>=a,<b`.
 *
 * A clause that excludes the fix on purpose (`!=2.1.11`, `!=2.1.*`), a lower bound above it, or a
 * Poetry union (`^1.0 || ^2.0`) is refused with a reason: a person decides those. Every result is
 * checked: the new text must parse and admit the fix, or it is refused.
 */
import { parseSpecifierSet, parseVersion, specifierContains, specifierContainsSingle, type Version } from '../python/pep440.js';
import { poetryToPep440 } from '../python/poetry-constraint.js';

export type Widening =
  /** Does not admit the vulnerable release: not this entry's business. */
  | { kind: 'unrelated' }
  /** Admits the fix already: leave it as it is. */
  | { kind: 'admits' }
  | { kind: 'widened'; text: string }
  | { kind: 'refused'; reason: string };

/** Ranges answer "is this version inside", whether or not it is a pre-release. */
const INSIDE = { containsPrereleases: true } as const;

// ---------------------------------------------------------------------------------------------
// PEP 440 (requirements files, PEP 508 strings, Pipfile)
// ---------------------------------------------------------------------------------------------

/** Longest valid specifier text we look at; real ones are a few dozen characters. */
const MAX_SPECIFIER = 1000;

/** A PEP 440 specifier set as written (`>= 1.0, <2`, `==2.1.5`, ``) → the widening that admits `to`. */
export function widenPep440(written: string, from: string, to: string): Widening {
  if (written.length > MAX_SPECIFIER || parseSpecifierSet(written) === null) {
    return { kind: 'refused', reason: `the version specifier ${JSON.stringify(clip(written))} is not one the rewriter can read` };
  }
  if (!specifierContains(written, from, INSIDE)) return { kind: 'unrelated' };
  if (specifierContains(written, to, INSIDE)) return { kind: 'admits' };
  const target = parseVersion(to);
  if (target === null) return { kind: 'refused', reason: `the fix ${JSON.stringify(to)} is not a PEP 440 version` };

  let out = '';
  let offset = 0;
  for (const part of written.split(',')) {
    const start = offset;
    offset += part.length + 1;
    const clause = /^(\s*)(===|~=|==|!=|<=|>=|<|>)(\s*)(\S+?)(\s*)$/.exec(part);
    if (!clause) return { kind: 'refused', reason: `the clause ${JSON.stringify(clip(part.trim()))} is not one the rewriter can read` };
    const [, lead, op, gap, version, trail] = clause as unknown as [string, string, string, string, string, string];
    if (specifierContainsSingle(`${op}${version}`, to, INSIDE)) {
      out += written.slice(start, start + part.length) + (offset <= written.length ? ',' : '');
      continue;
    }
    const replaced = widenClause(op, version, to, target);
    if (typeof replaced !== 'string') return replaced;
    out += `${lead}${op}${gap}${replaced}${trail}` + (offset <= written.length ? ',' : '');
  }
  if (parseSpecifierSet(out) === null || !specifierContains(out, to, INSIDE)) {
    return { kind: 'refused', reason: `could not widen ${JSON.stringify(written)} to admit ${to}` };
  }
  return { kind: 'widened', text: out };
}

/** The new version text of one clause that excludes the fix, or a refusal. */
function widenClause(op: string, version: string, to: string, target: Version): string | Widening {
  const wildcard = version.endsWith('.*');
  const written = parseVersion(wildcard ? version.slice(0, -2) : version);
  switch (op) {
    case '==':
      if (wildcard) return written ? `${prefixOf(target, written.release.length)}.*` : unreadable(op, version);
      return to;
    case '===':
      return to;
    case '<':
      return written ? nextBound(target, written.release.length) : unreadable(op, version);
    case '<=':
      return to;
    case '~=':
      return written ? prefixOf(target, Math.max(2, written.release.length)) : unreadable(op, version);
    case '!=':
      return { kind: 'refused', reason: `it excludes the fix on purpose (${op}${version}); choose a release by hand` };
    default:
      return { kind: 'refused', reason: `its lower bound ${op}${version} is above the fix ${to}` };
  }
}

const unreadable = (op: string, version: string): Widening => ({ kind: 'refused', reason: `the clause ${op}${version} is not one the rewriter can read` });

const epochOf = (v: Version) => (v.epoch === 0 ? '' : `${v.epoch}!`);

/** The fix's release cut (or padded with zeros) to `n` components: `2.2.28` at 2 → `2.2`. */
function prefixOf(v: Version, n: number): string {
  const parts = Array.from({ length: n }, (_, i) => v.release[i] ?? 0);
  return epochOf(v) + parts.join('.');
}

/** The next release above the fix at `n` components: `2.2.1` at 2 → `2.3`, at 1 → `3`. */
function nextBound(v: Version, n: number): string {
  const parts = Array.from({ length: n }, (_, i) => v.release[i] ?? 0);
  parts[n - 1]! += 1;
  return epochOf(v) + parts.join('.');
}

/** The fix written with at least `n` release components (a Poetry `^1.2` moved to 2.0 reads `^2.0`). */
function atLeast(to: string, v: Version, n: number): string {
  const plain = v.pre === null && v.post === null && v.dev === null && v.local === null;
  if (!plain || v.release.length >= n) return to;
  return prefixOf(v, n);
}

const clip = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);

// ---------------------------------------------------------------------------------------------
// Poetry constraints (`^1.2`, `~1.2.3`, `>=1,<2`, `1.2.*`, `*`)
// ---------------------------------------------------------------------------------------------

const SEPARATOR = /[\s,]+/y;
const SPACES = /\s*/y;
/** A clause's version runs to the next space, comma or the end. */
const VERSION_TEXT = /[^\s,]*/y;
/** Poetry's operators, each before any that is a prefix of it (`===` before `==` before `=`). */
const POETRY_OPERATORS = ['===', '~=', '==', '!=', '<>', '<=', '>=', '^', '~', '<', '>', '='] as const;

/**
 * One Poetry clause at `at`: an operator (or none), the spaces after it, and a version or wildcard
 * running to the next space, comma or end; poetry-constraint.ts decides validity. Read in one pass
 * over the clause (every parser of untrusted text is linear in its input): the one regular
 * expression this replaced let a lazy version run and a repeated `.x` tail both claim the same `.x`
 * pairs, and tried each split of them, quadratic in a clause like `==1.0+x.x.x…x.1`.
 */
export function poetryClauseAt(text: string, at: number): { op: string; space: string; version: string; end: number } | null {
  const op = POETRY_OPERATORS.find((o) => text.startsWith(o, at)) ?? '';
  SPACES.lastIndex = at + op.length;
  const space = SPACES.exec(text)![0];
  VERSION_TEXT.lastIndex = at + op.length + space.length;
  const version = VERSION_TEXT.exec(text)![0];
  if (!isPoetryVersionText(version)) return null;
  return { op, space, version, end: VERSION_TEXT.lastIndex };
}

/** Release text, letters and separators: `1.2.3`, `v1.2`, `1.0+local`, `2.0rc1` (poetry-constraint.ts decides validity). */
const VERSION_HEAD = /^v?[0-9][0-9A-Za-z.!+_-]*$/;
/** Wildcard components, each `.x`, `.X` or `.*`. */
const WILDCARD_TAIL = /^(?:\.[xX*])*$/;
/** A version made of wildcards alone: `*`, `x`, `*.*`. */
const ALL_WILDCARD = /^[xX*](?:\.[xX*])*$/;

/**
 * Whether `text` is a version or wildcard as a Poetry clause writes it: a version head followed by
 * wildcard components (`1.2.*`, `1.x`), or wildcards alone. `.x` and `.X` are head characters too,
 * so only a `*` can start the tail: the text up to the `.` before its first `*` must be a head, and
 * the rest wildcards. Each test is anchored and unambiguous, so linear.
 */
function isPoetryVersionText(text: string): boolean {
  if (ALL_WILDCARD.test(text)) return true;
  const star = text.indexOf('*');
  if (star < 0) return VERSION_HEAD.test(text);
  return text[star - 1] === '.' && VERSION_HEAD.test(text.slice(0, star - 1)) && WILDCARD_TAIL.test(text.slice(star - 1));
}

/**
 * The wildcard components a version ends with (`.x.*` of `1.x.*`), or `` when none: a walk back two
 * characters at a time, where the unanchored `(\.[xX*])+$` it replaced ran from every `.x` to the
 * end of the text before giving up (quadratic in `1.x.x…x.1`).
 */
export function wildcardSuffix(version: string): string {
  let start = version.length;
  while (start >= 2 && version[start - 2] === '.' && 'xX*'.includes(version[start - 1]!)) start -= 2;
  return version.slice(start);
}

/** A Poetry constraint as written → the widening that admits `to` (checked through poetryToPep440). */
export function widenPoetry(written: string, from: string, to: string): Widening {
  const whole = poetryToPep440(written);
  if (!whole.ok || written.length > MAX_SPECIFIER) {
    return { kind: 'refused', reason: `the constraint ${JSON.stringify(clip(written))} is not one the rewriter can read` };
  }
  const alternatives = whole.specifier.split('||').map((s) => s.trim());
  const admits = (version: string) => alternatives.some((alt) => specifierContains(alt, version, INSIDE));
  if (!admits(from)) return { kind: 'unrelated' };
  if (admits(to)) return { kind: 'admits' };
  if (alternatives.length > 1) return { kind: 'refused', reason: `the constraint ${JSON.stringify(written)} has alternatives (||); widen it by hand` };
  const target = parseVersion(to);
  if (target === null) return { kind: 'refused', reason: `the fix ${JSON.stringify(to)} is not a PEP 440 version` };

  let out = '';
  let at = 0;
  while (at < written.length) {
    SEPARATOR.lastIndex = at;
    const gap = SEPARATOR.exec(written);
    if (gap) {
      out += gap[0];
      at += gap[0].length;
      continue;
    }
    const clause = poetryClauseAt(written, at);
    if (!clause) return { kind: 'refused', reason: `the constraint ${JSON.stringify(clip(written))} is not one the rewriter can read` };
    const { op, space, version } = clause;
    const clauseText = written.slice(at, clause.end);
    at = clause.end;
    const translated = poetryToPep440(clauseText);
    if (!translated.ok) return { kind: 'refused', reason: `the clause ${JSON.stringify(clauseText)} is not one the rewriter can read` };
    if (specifierContains(translated.specifier, to, INSIDE)) {
      out += clauseText;
      continue;
    }
    const replaced = widenPoetryClause(op, version, to, target);
    if (typeof replaced !== 'string') return replaced;
    out += `${op}${space}${replaced}`;
  }
  const result = poetryToPep440(out);
  if (!result.ok || !specifierContains(result.specifier, to, INSIDE)) {
    return { kind: 'refused', reason: `could not widen ${JSON.stringify(written)} to admit ${to}` };
  }
  return { kind: 'widened', text: out };
}

function widenPoetryClause(op: string, version: string, to: string, target: Version): string | Widening {
  const bare = version.replace(/^v/i, '');
  const wildcard = wildcardSuffix(bare);
  const written = parseVersion(bare.slice(0, bare.length - wildcard.length));
  if (written === null) return unreadable(op, version);
  const n = written.release.length;
  switch (op) {
    case '^':
    case '~':
      // The lower bound moves to the fix itself, so the lock cannot pick a release still affected.
      return atLeast(to, target, n);
    case '~=':
      return prefixOf(target, Math.max(2, n));
    case '':
    case '=':
    case '==':
      return wildcard ? `${prefixOf(target, n)}${wildcard}` : to;
    case '===':
      return to;
    case '<':
      return nextBound(target, n);
    case '<=':
      return to;
    case '!=':
    case '<>':
      return { kind: 'refused', reason: `it excludes the fix on purpose (${op}${version}); choose a release by hand` };
    default:
      return { kind: 'refused', reason: `its lower bound ${op}${version} is above the fix ${to}` };
  }
}
