/**
 * The typosquat checker finds its targets through lookups (the ends of a name, look-alike keys) so
 * that a name costs the same whatever the number of popular names. Those lookups must never change
 * an answer: here every (name, target) pair is judged by each kind's definition, applied directly,
 * and the checker must give the same suspects, targets, kinds and order: on the shipped names, all
 * their single edits, their look-alikes, and thousands of random names, against the shipped list
 * and against one extended with short, odd and less popular names.
 */
import { describe, expect, it } from 'vitest';
import { isValidName, normalizeName } from '../../src/python/names.js';
import { TyposquatChecker, type CheckerOptions, type CheckOptions, type SimilarName } from '../../src/packages/typosquat/check.js';
import { LEGITIMATE_NEIGHBOURS } from '../../src/packages/typosquat/legitimate-neighbours.js';
import { PopularityIndex, type PopularName } from '../../src/packages/typosquat/popularity.js';
import { KEYBOARD_NEIGHBOURS, MAX_WORDS, MIN_CORE_LENGTH, MIN_OMISSION_TARGET_LENGTH, type SquatKind } from '../../src/packages/typosquat/variants.js';
import { WAREHOUSE_TOP_PROJECTS } from '../../src/packages/typosquat/warehouse-top-projects.js';
import { seededRandom } from '../helpers/seeded-random.js';

// The edits, compared in place: `text` with one change at `i` equals `other`. (A string made per
// position and pair would make the reference too slow to run over every pair; so would testing
// every position of a pair whose lengths the edit cannot give, hence the length tests below.)
function removedAt(text: string, i: number, other: string): boolean {
  if (text.length !== other.length + 1) return false;
  for (let k = 0; k < other.length; k++) if (text[k < i ? k : k + 1] !== other[k]) return false;
  return true;
}

function swappedAt(text: string, i: number, other: string): boolean {
  if (text.length !== other.length) return false;
  for (let k = 0; k < text.length; k++) if (text[k === i ? i + 1 : k === i + 1 ? i : k] !== other[k]) return false;
  return true;
}

function replacedAt(text: string, i: number, by: string, other: string): boolean {
  if (text.length !== other.length) return false;
  for (let k = 0; k < text.length; k++) if ((k === i ? by : text[k]) !== other[k]) return false;
  return true;
}

const someIndex = (length: number, test: (i: number) => boolean): boolean => {
  for (let i = 0; i < length; i++) if (test(i)) return true;
  return false;
};
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** rn → m, vv → w, 1 and i → l, 0 → o, read left to right. */
function lookAlike(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const pair = name.slice(i, i + 2);
    if (pair === 'rn' || pair === 'vv') {
      out += pair === 'rn' ? 'm' : 'w';
      i++;
    } else out += { '1': 'l', i: 'l', '0': 'o' }[name[i]!] ?? name[i];
  }
  return out;
}

function wordsInOrder(name: string): string | null {
  const words = name.split('-').filter((w) => w !== '');
  return words.length >= 2 && words.length <= MAX_WORDS ? [...words].sort().join('-') : null;
}

/** The name without its longest py/python prefix and suffix, each only when MIN_CORE_LENGTH is left. */
function withoutPy(name: string): string {
  let out = name;
  for (const prefix of ['python3-', 'python-', 'python3', 'python', 'py3-', 'py-', 'py3', 'py']) {
    if (out.startsWith(prefix) && out.length - prefix.length >= MIN_CORE_LENGTH) {
      out = out.slice(prefix.length);
      while (out.startsWith('-')) out = out.slice(1);
      break;
    }
  }
  for (const suffix of ['-python3', '-python', 'python3', 'python', '-py3', '-py', 'py3', 'py']) {
    if (out.endsWith(suffix) && out.length - suffix.length >= MIN_CORE_LENGTH) {
      out = out.slice(0, out.length - suffix.length);
      while (out.endsWith('-')) out = out.slice(0, -1);
      break;
    }
  }
  return out;
}

interface Keys {
  lookAlike: string;
  joined: string;
  words: string | null;
  core: string;
}

interface Target extends Keys {
  name: string;
  popularity: number;
}

// Each kind as its definition says.

/** The target with one character, not a separator, left out (targets of five characters or more). */
const isLeftOut = (name: string, target: string) =>
  target.length >= MIN_OMISSION_TARGET_LENGTH && target.length === name.length + 1 && someIndex(target.length, (i) => target[i] !== '-' && removedAt(target, i, name));

/** The name with one of its doubled characters (not a separator) undoubled. */
const isDoubled = (name: string, target: string) =>
  name.length === target.length + 1 && someIndex(name.length - 1, (i) => name[i] === name[i + 1] && name[i] !== '-' && removedAt(name, i, target));

/** The name with two different neighbouring characters, neither a separator, swapped. */
const isSwapped = (name: string, target: string) =>
  name.length === target.length && someIndex(name.length - 1, (i) => name[i] !== name[i + 1] && name[i] !== '-' && name[i + 1] !== '-' && swappedAt(name, i, target));

/** The name with one character taken out (not a separator, nor a digit at its end), for targets of five or more. */
const isAdded = (name: string, target: string) =>
  target.length >= MIN_OMISSION_TARGET_LENGTH &&
  name.length === target.length + 1 &&
  someIndex(name.length, (i) => name[i] !== '-' && !(i === name.length - 1 && isDigit(name[i])) && removedAt(name, i, target));

/** The target with one letter replaced by a keyboard neighbour (targets of five or more). */
const isSlip = (name: string, target: string) =>
  target.length >= MIN_OMISSION_TARGET_LENGTH &&
  name.length === target.length &&
  someIndex(target.length, (i) => [...(KEYBOARD_NEIGHBOURS[target[i]!] ?? '')].some((c) => replacedAt(target, i, c, name)));

/** The first kind that holds, in the order the checker documents. */
function firstKind(name: string, n: Keys, t: Target): SquatKind | undefined {
  if (isLeftOut(name, t.name)) return 'omission';
  if (isDoubled(name, t.name)) return 'repetition';
  if (isSwapped(name, t.name)) return 'swap';
  if (n.lookAlike === t.lookAlike) return 'confusable';
  if (n.joined === t.joined) return 'separator';
  if (n.words !== null && n.words === t.words) return 'word-order';
  if (n.core === t.core) return 'prefix-suffix';
  if (isAdded(name, t.name)) return 'insertion';
  if (isSlip(name, t.name)) return 'substitution';
  return undefined;
}

const keysOf = (name: string): Keys => ({ lookAlike: lookAlike(name), joined: name.replaceAll('-', ''), words: wordsInOrder(name), core: withoutPy(name) });

/** The checker's answer, worked out pair by pair. */
function reference(index: PopularityIndex, checkerOptions: CheckerOptions = {}) {
  const targets: Target[] = [...index.names()].filter(([, { popularity }]) => popularity >= (checkerOptions.minTargetPopularity ?? 1)).map(([name]) => ({ name, popularity: index.popularity(name), ...keysOf(name) }));
  const legitimate = new Set(LEGITIMATE_NEIGHBOURS.map((n) => `${normalizeName(n.name)} ${normalizeName(n.neighbour)}`));
  return (name: string, options: CheckOptions = {}): SimilarName[] => {
    if (!isValidName(name.trim())) return [];
    const normalized = normalizeName(name);
    const own = Math.max(index.popularity(normalized), options.popularity ?? 0);
    const keys = keysOf(normalized);
    const similar: SimilarName[] = [];
    for (const target of targets) {
      const kind = firstKind(normalized, keys, target);
      if (kind === undefined || target.name === normalized || legitimate.has(`${normalized} ${target.name}`) || target.popularity <= own) continue;
      similar.push({ name: target.name, kind, popularity: target.popularity, source: index.sourceOf(target.name) ?? '' });
    }
    return similar.sort((a, b) => b.popularity - a.popularity || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  };
}

/** Every single edit of `name`, its look-alikes and its separator, word-order and py variants. */
function variantsOf(name: string): string[] {
  const out: string[] = [name];
  for (let i = 0; i <= name.length; i++) {
    for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789-._') out.push(name.slice(0, i) + c + name.slice(i));
    if (i === name.length) break;
    out.push(name.slice(0, i) + name.slice(i + 1), name.slice(0, i) + name[i] + name.slice(i));
    if (i + 1 < name.length) out.push(name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2));
    for (const c of KEYBOARD_NEIGHBOURS[name[i]!] ?? '') out.push(name.slice(0, i) + c + name.slice(i + 1));
  }
  for (const [from, to] of [['l', '1'], ['l', 'i'], ['i', '1'], ['m', 'rn'], ['w', 'vv'], ['o', '0']] as const) {
    out.push(name.replaceAll(from, to), name.replace(from, to));
  }
  const words = name.split('-');
  out.push(words.join(''), words.join('_'), [...words].reverse().join('-'), [...words.slice(1), words[0]].join('-'));
  for (const py of ['py', 'py-', 'py3', 'python-', 'python3-', 'python']) out.push(py + name, name + (py.endsWith('-') ? `-${py.slice(0, -1)}` : py));
  out.push(withoutPy(name));
  return out;
}

function randomNames(next: () => number, count: number, seeds: readonly string[]): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const pick = (text: string) => text[Math.floor(next() * text.length)]!;
  const names: string[] = [];
  for (let k = 0; k < count; k++) {
    if (k % 2 === 0) {
      // Two random edits of a known name: near misses, and names near two targets at once.
      let name = seeds[Math.floor(next() * seeds.length)]!;
      for (let e = 0; e < 2; e++) {
        const i = Math.floor(next() * (name.length + 1));
        const edit = Math.floor(next() * 3);
        name = edit === 0 ? name.slice(0, i) + name.slice(i + 1) : edit === 1 ? name.slice(0, i) + pick(letters + '-') + name.slice(i) : name.slice(0, i) + pick(letters) + name.slice(i + 1);
      }
      names.push(name);
    } else {
      // Short names over a few letters, where ends and lengths collide most.
      let name = '';
      const length = 1 + Math.floor(next() * 7);
      for (let i = 0; i < length; i++) name += pick(next() < 0.7 ? 'abrnv1i0-' : letters);
      names.push(name);
    }
  }
  return names;
}

/** The names flagged; fails with the first names whose answers differ. */
function expectSameAnswers(checker: TyposquatChecker, expected: ReturnType<typeof reference>, names: Iterable<string>, options?: CheckOptions): number {
  let flagged = 0;
  const differing: { name: string; checker: unknown; reference: unknown }[] = [];
  for (const name of new Set(names)) {
    const answer = checker.check(name, options);
    const similar = expected(name, options);
    if (answer.suspect !== similar.length > 0 || JSON.stringify(answer.similarTo) !== JSON.stringify(similar)) {
      differing.push({ name, checker: answer.similarTo, reference: similar });
    }
    if (answer.suspect) flagged++;
  }
  expect(differing.slice(0, 5)).toEqual([]);
  return flagged;
}

const shippedNames = [...PopularityIndex.shipped().names()].map(([name]) => name);
const neighbours = LEGITIMATE_NEIGHBOURS.map((n) => n.name);

describe('the typosquat checker gives what each kind’s definition gives, pair by pair', () => {
  it('for the shipped names, every single edit of them and their look-alikes', () => {
    const names = [...WAREHOUSE_TOP_PROJECTS, ...neighbours].flatMap(variantsOf);
    expect(names.length).toBeGreaterThan(90_000);
    const flagged = expectSameAnswers(new TyposquatChecker(), reference(PopularityIndex.shipped()), names);
    // Most single edits of a popular name are flags: the comparison is not between two silences.
    expect(flagged).toBeGreaterThan(40_000);
  });

  it('for thousands of random names, and for candidates the caller vouches for', () => {
    const names = randomNames(seededRandom(19), 6000, [...shippedNames, ...neighbours]);
    const expected = reference(PopularityIndex.shipped());
    const checker = new TyposquatChecker();
    expect(expectSameAnswers(checker, expected, names)).toBeGreaterThan(200);
    expectSameAnswers(checker, expected, names, { popularity: 1_000_000 });
  });

  it('against a list extended with short, odd and less popular names, with a popularity floor', () => {
    const next = seededRandom(2026);
    const extra: PopularName[] = [...randomNames(next, 400, shippedNames), 'ab', 'ba', 'a', 'aa', 'x-y', 'y-x', 'reqé', 'é-requests', 'requests-é'].map((name, i) => ({
      name,
      popularity: 1 + (i % 7),
      source: `watched ${i % 3}`,
    }));
    const index = PopularityIndex.shipped().extend(extra);
    const names = [...randomNames(next, 2000, [...index.names()].map(([name]) => name)), ...extra.map((e) => e.name).flatMap((n) => variantsOf(n).slice(0, 20))];
    expectSameAnswers(new TyposquatChecker(index), reference(index), names);
    expectSameAnswers(new TyposquatChecker(index), reference(index), names, { popularity: 3 });
    expectSameAnswers(new TyposquatChecker(index, { minTargetPopularity: 4 }), reference(index, { minTargetPopularity: 4 }), names);
  });
});
