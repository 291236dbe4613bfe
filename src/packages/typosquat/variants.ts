/**
 * The ways a typosquat's name differs from its target, over PEP 503 normalised names (lower case,
 * `-` as the only separator). The edits (omission, repetition, insertion, swap, substitution) are
 * tests of a (name, target) pair, linear in their length; the look-alikes (confusable, separator,
 * word order, prefix/suffix) are keys made from one name (word order: at most MAX_WORDS words are
 * sorted), equal for the name and its target. So checking a name costs the same whatever the size
 * of the popular list: the checker looks keys up in maps built once (check.ts).
 */

export type SquatKind = 'omission' | 'repetition' | 'insertion' | 'swap' | 'substitution' | 'confusable' | 'separator' | 'word-order' | 'prefix-suffix';

/** Plain words for a flag: "reqests looks like requests with a letter left out". */
export const KIND_TEXT: Record<SquatKind, string> = {
  omission: 'a character left out',
  repetition: 'a character typed twice',
  insertion: 'a character added',
  swap: 'two characters swapped',
  substitution: 'a character replaced by its neighbour on the keyboard',
  confusable: 'characters that look alike (rn/m, 1/l/i, 0/o, vv/w)',
  separator: 'a separator added or removed',
  'word-order': 'its words in another order',
  'prefix-suffix': 'a py/python prefix or suffix added or removed',
};

/** Shorter targets give too many accidental neighbours for a dropped character (six → si, tox → to). */
export const MIN_OMISSION_TARGET_LENGTH = 5;
/** What is left after removing py/python must still be a name of its own (numpy is not num + py). */
export const MIN_CORE_LENGTH = 4;
/** Sorting words is cheap, but a name with dozens of dashes is not a real word-order squat. */
export const MAX_WORDS = 8;

// The edit kinds below are tests of one (name, target) pair rather than lists of the name's variants:
// each edit leaves the two names equal but in one place, so comparing from both ends finds that
// place without making a string. The checker tests only the few targets one edit could reach
// (check.ts), so a name costs a few comparisons, not a string per variant.

/**
 * `name` is `target` with one character left out (`reqests` → `requests`), a separator excepted
 * (that is `separator`), for targets of MIN_OMISSION_TARGET_LENGTH or more.
 */
export function isOmission(name: string, target: string): boolean {
  if (target.length < MIN_OMISSION_TARGET_LENGTH || target.length !== name.length + 1) return false;
  const first = firstRemovable(target, name);
  return first !== -1 && target[first] !== '-';
}

/** `name` is `target` with one of its characters typed twice (`reequests` → `requests`), a separator excepted. */
export function isRepetition(name: string, target: string): boolean {
  if (name.length !== target.length + 1) return false;
  const first = firstRemovable(name, target);
  // Two neighbouring positions that can both go hold the same character: the doubled one.
  return first !== -1 && first < commonPrefix(name, target) && name[first] !== '-';
}

/**
 * `name` is `target` with one character added (`colourama` → `colorama`, the 2018 squat of
 * colorama; `requestsx` → `requests`), for targets of MIN_OMISSION_TARGET_LENGTH or more (`trino` is
 * not `trio` with a letter added). A digit added at the end is how projects name a new generation
 * (`markdown2`, `jinja2`), not a slip, and does not count; a doubled character is `repetition`, a
 * separator `separator`.
 */
export function isInsertion(name: string, target: string): boolean {
  if (target.length < MIN_OMISSION_TARGET_LENGTH || name.length !== target.length + 1) return false;
  const first = firstRemovable(name, target);
  if (first === -1) return false;
  const added = name[first]!;
  // Every position that can go holds the same character, so only the last one alone can be the end.
  return added !== '-' && !(first === name.length - 1 && isDigit(added));
}

/**
 * QWERTY neighbours of each letter, as warehouse's own typo check maps them: the slips a finger
 * makes (`requestz` → `requests`, `flaak` → `flask`).
 */
export const KEYBOARD_NEIGHBOURS: Readonly<Record<string, string>> = {
  q: 'wa', w: 'qeas', e: 'wrsd', r: 'etdf', t: 'ryfg', y: 'tugh', u: 'yihj', i: 'uojk', o: 'ipkl', p: 'ol',
  a: 'qwsz', s: 'awedxz', d: 'serfcx', f: 'drtgvc', g: 'ftyhbv', h: 'gyujnb', j: 'huikmn', k: 'jiolm', l: 'kop',
  z: 'asx', x: 'zsdc', c: 'xdfv', v: 'cfgb', b: 'vghn', n: 'bhjm', m: 'njk',
};

/**
 * `name` is `target` with one letter replaced by its keyboard neighbour, for targets of
 * MIN_OMISSION_TARGET_LENGTH or more. Letters of the target only: a digit changed is how projects
 * number their generations (`pyqt5`/`pyqt6`, `psycopg2`/`psycopg3`), not a slip.
 */
export function isSubstitution(name: string, target: string): boolean {
  if (target.length < MIN_OMISSION_TARGET_LENGTH || name.length !== target.length) return false;
  // The names differ in exactly one place, and there the target's letter has the name's as neighbour.
  const at = commonPrefix(name, target);
  if (at === name.length || commonSuffix(name, target) !== name.length - at - 1) return false;
  return (KEYBOARD_NEIGHBOURS[target[at]!] ?? '').includes(name[at]!);
}

/** `name` is `target` with one pair of neighbouring characters swapped (`reqeusts` → `requests`), separators excepted. */
export function isSwap(name: string, target: string): boolean {
  if (name.length !== target.length) return false;
  // The swap is where the names first differ, and they agree again after the swapped pair.
  const at = commonPrefix(name, target);
  if (at + 1 >= name.length) return false;
  const a = name[at]!;
  const b = name[at + 1]!;
  return a !== '-' && b !== '-' && target[at] === b && target[at + 1] === a && commonSuffix(name, target) >= name.length - at - 2;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/**
 * The first position of `longer` whose character taken out leaves `shorter` (one shorter), or -1.
 * The positions that work run from here to the common prefix's end, and all hold one character
 * (taking out either of two equal neighbours leaves the same string).
 */
function firstRemovable(longer: string, shorter: string): number {
  const first = shorter.length - commonSuffix(longer, shorter);
  return first <= commonPrefix(longer, shorter) ? first : -1;
}

function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function commonSuffix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/**
 * What the name looks like to a reader: characters that are easily mistaken for one another mapped
 * to one of them. PyPI names are case-insensitive, so `jeIlyfish` (capital i) arrives as `jeilyfish`.
 */
export function skeleton(name: string): string {
  // One pass each, and none makes a string when its characters are absent (most names). The order
  // is free: no mapping makes or breaks another's pair (m, w, l and o are none of r, n, v, 1, i, 0).
  return name.replaceAll('rn', 'm').replaceAll('vv', 'w').replaceAll('1', 'l').replaceAll('i', 'l').replaceAll('0', 'o');
}

export function withoutSeparators(name: string): string {
  return name.replaceAll('-', '');
}

/** The words in a fixed order, or null for a name of one word (or too many). */
export function sortedWords(name: string): string | null {
  if (!name.includes('-')) return null;
  const words = name.split('-').filter(Boolean);
  if (words.length < 2 || words.length > MAX_WORDS) return null;
  return words.sort().join('-');
}

// Longest first, so `python3-dateutil` loses `python3-` rather than `python`.
const PREFIXES = ['python3-', 'python-', 'python3', 'python', 'py3-', 'py-', 'py3', 'py'];
const SUFFIXES = ['-python3', '-python', 'python3', 'python', '-py3', '-py', 'py3', 'py'];

/**
 * The name without one py/python prefix and one suffix (each removed only when what remains is at
 * least MIN_CORE_LENGTH long): `python-dateutil`, `python3-dateutil` and `dateutil` share `dateutil`.
 */
export function core(name: string): string {
  // Every prefix and suffix has `py` in it: most names have none and are their own core.
  if (!name.includes('py')) return name;
  let out = name;
  const prefix = PREFIXES.find((p) => out.startsWith(p) && out.length - p.length >= MIN_CORE_LENGTH);
  if (prefix) out = out.slice(prefix.length).replace(/^-+/, '');
  const suffix = SUFFIXES.find((s) => out.endsWith(s) && out.length - s.length >= MIN_CORE_LENGTH);
  if (suffix) out = out.slice(0, out.length - suffix.length).replace(/-+$/, '');
  return out;
}
