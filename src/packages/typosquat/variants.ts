/**
 * The ways a typosquat's name differs from its target, each as a pure function over PEP 503
 * normalised names (lower case, `-` as the only separator). Every function is linear in the name's
 * length (word order: at most MAX_WORDS words are sorted), so checking a name costs the same
 * whatever the size of the popular list: the checker looks the keys up in maps built once.
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

/** The target with one character removed, for every position (separators excepted: see `withoutSeparators`). */
export function deletions(name: string): string[] {
  if (name.length < MIN_OMISSION_TARGET_LENGTH) return [];
  const out = new Set<string>();
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '-') continue;
    out.add(name.slice(0, i) + name.slice(i + 1));
  }
  return [...out];
}

/** The name with one of its doubled characters undoubled (`reequests` → `requests`). */
export function undoubled(name: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i + 1 < name.length; i++) {
    if (name[i] === name[i + 1] && name[i] !== '-') out.add(name.slice(0, i) + name.slice(i + 1));
  }
  return [...out];
}

/**
 * The names this one would be with one added character taken out (`colourama` → `colorama`, the
 * 2018 squat of colorama; `requestsx` → `requests`), for targets of MIN_OMISSION_TARGET_LENGTH or
 * more (`trino` is not `trio` with a letter added). A digit added at the end is how projects name
 * a new generation (`markdown2`, `jinja2`), not a slip, and is not taken out; a doubled character is
 * `repetition`, a separator `separator`.
 */
export function insertionsUndone(name: string): string[] {
  if (name.length - 1 < MIN_OMISSION_TARGET_LENGTH) return [];
  const out = new Set<string>();
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '-' || (i === name.length - 1 && isDigit(c))) continue;
    out.add(name.slice(0, i) + name.slice(i + 1));
  }
  return [...out];
}

/**
 * QWERTY neighbours of each letter, as warehouse's own typo check maps them: the slips a finger
 * makes (`requestz` → `requests`, `flaak` → `flask`). Symmetric (b is a's neighbour when a is b's),
 * so the checker makes the slips of the popular names once and looks each name up as it is.
 */
const KEYBOARD_NEIGHBOURS: Readonly<Record<string, string>> = {
  q: 'wa', w: 'qeas', e: 'wrsd', r: 'etdf', t: 'ryfg', y: 'tugh', u: 'yihj', i: 'uojk', o: 'ipkl', p: 'ol',
  a: 'qwsz', s: 'awedxz', d: 'serfcx', f: 'drtgvc', g: 'ftyhbv', h: 'gyujnb', j: 'huikmn', k: 'jiolm', l: 'kop',
  z: 'asx', x: 'zsdc', c: 'xdfv', v: 'cfgb', b: 'vghn', n: 'bhjm', m: 'njk',
};

/**
 * The names this one would be with one character put back as its keyboard neighbour, for targets of
 * MIN_OMISSION_TARGET_LENGTH or more. Letters only: a digit changed is how projects number their
 * generations (`pyqt5`/`pyqt6`, `psycopg2`/`psycopg3`), not a slip.
 */
export function keyboardSlipsUndone(name: string): string[] {
  if (name.length < MIN_OMISSION_TARGET_LENGTH) return [];
  const out = new Set<string>();
  for (let i = 0; i < name.length; i++) {
    for (const neighbour of KEYBOARD_NEIGHBOURS[name[i]!] ?? '') out.add(name.slice(0, i) + neighbour + name.slice(i + 1));
  }
  return [...out];
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** The name with one pair of neighbouring characters swapped (`reqeusts` → `requests`). */
export function adjacentSwaps(name: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i + 1 < name.length; i++) {
    const a = name[i]!;
    const b = name[i + 1]!;
    if (a === b || a === '-' || b === '-') continue;
    out.add(name.slice(0, i) + b + a + name.slice(i + 2));
  }
  return [...out];
}

/**
 * What the name looks like to a reader: characters that are easily mistaken for one another mapped
 * to one of them. PyPI names are case-insensitive, so `jeIlyfish` (capital i) arrives as `jeilyfish`.
 */
export function skeleton(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const next = name[i + 1];
    if (c === 'r' && next === 'n') {
      out += 'm';
      i++;
    } else if (c === 'v' && next === 'v') {
      out += 'w';
      i++;
    } else if (c === '1' || c === 'i') out += 'l';
    else if (c === '0') out += 'o';
    else out += c;
  }
  return out;
}

export function withoutSeparators(name: string): string {
  return name.replaceAll('-', '');
}

/** The words in a fixed order, or null for a name of one word (or too many). */
export function sortedWords(name: string): string | null {
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
  let out = name;
  const prefix = PREFIXES.find((p) => out.startsWith(p) && out.length - p.length >= MIN_CORE_LENGTH);
  if (prefix) out = out.slice(prefix.length).replace(/^-+/, '');
  const suffix = SUFFIXES.find((s) => out.endsWith(s) && out.length - s.length >= MIN_CORE_LENGTH);
  if (suffix) out = out.slice(0, out.length - suffix.length).replace(/-+$/, '');
  return out;
}
