/**
 * The typosquat check: does this name look like a more popular one? Pure and fast: the lookups are
 * built once from a PopularityIndex (rebuilt only when the index changes), then each name costs a
 * few map lookups and a test of the handful of targets that share its ends, whatever the number of
 * popular names.
 *
 * Rules, in the order the issue states them:
 * - names equal under PEP 503 are the same project and never flagged (`Typing_Extensions`);
 * - a flag needs one of the patterns in variants.ts (omission, repetition, an added character,
 *   adjacent swap, a keyboard neighbour, confusable characters, separators, word order,
 *   py/python prefixes and suffixes);
 * - popularity keeps false flags rare: a candidate at least as popular as the target is not a squat
 *   (both on the shipped list, or the candidate vouched for by the caller: see `popularity`);
 * - a reviewed legitimate neighbour (legitimate-neighbours.ts: psycopg/psycopg2, pyaml/pyyaml…) is
 *   never a squat of the name listed beside it;
 * - every flag names its target.
 */
import { isValidName, normalizeName } from '../../python/names.js';
import { LEGITIMATE_NEIGHBOURS } from './legitimate-neighbours.js';
import { PopularityIndex } from './popularity.js';
import { core, isInsertion, isOmission, isRepetition, isSubstitution, isSwap, KIND_TEXT, skeleton, sortedWords, type SquatKind, withoutSeparators } from './variants.js';
import { compareCodeUnits } from '../../text-order.js';

export interface SimilarName {
  /** The popular name this one resembles (PEP 503 normalised). */
  name: string;
  kind: SquatKind;
  popularity: number;
  /** Who vouched for the target's popularity. */
  source: string;
}

export interface TyposquatResult {
  /** As given. */
  name: string;
  normalized: string;
  suspect: boolean;
  /** Most popular first; empty when not a suspect. */
  similarTo: SimilarName[];
}

export interface CheckOptions {
  /**
   * What the caller knows of the candidate's own popularity (e.g. `popularityFromHistory` of its
   * releases); the higher of this and the index's figure counts.
   */
  popularity?: number;
}

export interface CheckerOptions {
  /** Names below this popularity are never targets (default 1: anyone vouched for). */
  minTargetPopularity?: number;
}

type Lookup<Key> = Map<Key, string[]>;

function add<Key>(map: Lookup<Key>, key: Key, target: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [target]);
  else if (!list.includes(target)) list.push(target);
}

/**
 * Names of this length or less also test every target of their length or one less: below five
 * characters a swap (`abcd` → `bacd`) or a doubled letter of a target of one or two (`ab` → `aab`)
 * can change both a name's first two and its last two characters, so the ends would miss them. (The
 * other edits need a target of five or more, which shares an end with any name one edit away.)
 */
const SHORT = 4;

/** The character codes at `at` and `at + 1`, as one number. */
const pairKey = (name: string, at: number): number => name.charCodeAt(at) * 0x10000 + name.charCodeAt(at + 1);

interface Lookups {
  /**
   * Targets by length, then by their first two characters (byStart) or their last two (byEnd). One
   * edit changes a name in one place, so a name one edit from a target is within one of its length
   * and, but for SHORT names, shares its first two or its last two characters: a name tests the one
   * or two targets that do, and makes no string to find them.
   */
  byStart: Lookup<number>[];
  byEnd: Lookup<number>[];
  /** Targets of SHORT characters or fewer, by length. */
  short: string[][];
  skeletons: Lookup<string>;
  joined: Lookup<string>;
  words: Lookup<string>;
  cores: Lookup<string>;
}

/**
 * The first edit that makes `name` of `target` in the order `check` takes them, or null. The
 * lengths tell which can apply: a name one shorter, omission; one longer, repetition or insertion;
 * as long, swap or substitution.
 */
function editKind(name: string, target: string): SquatKind | null {
  switch (target.length - name.length) {
    case 1:
      return isOmission(name, target) ? 'omission' : null;
    case -1:
      return isRepetition(name, target) ? 'repetition' : isInsertion(name, target) ? 'insertion' : null;
    case 0:
      return isSwap(name, target) ? 'swap' : isSubstitution(name, target) ? 'substitution' : null;
    default:
      return null;
  }
}

export class TyposquatChecker {
  private lookups: Lookups | null = null;
  private builtFor = -1;
  private readonly minTarget: number;
  /** `name\0neighbour`, both PEP 503 normalised. */
  private readonly legitimate: Set<string>;

  constructor(
    readonly index: PopularityIndex = PopularityIndex.shipped(),
    options: CheckerOptions = {},
  ) {
    this.minTarget = options.minTargetPopularity ?? 1;
    this.legitimate = new Set(LEGITIMATE_NEIGHBOURS.map((n) => `${normalizeName(n.name)}\0${normalizeName(n.neighbour)}`));
  }

  /**
   * Each target the name resembles is reported once, with the first kind that holds in this order
   * (cheapest and most specific first): omission, repetition, swap, confusable, separator, word
   * order, prefix/suffix, and last, as the broadest readings, insertion and substitution (`f1ask` is
   * confusable, `python3-dateutil` a prefix, before either is a character added).
   */
  check(name: string, options: CheckOptions = {}): TyposquatResult {
    const normalized = normalizeName(name);
    const result: TyposquatResult = { name, normalized, suspect: false, similarTo: [] };
    if (!isValidName(name.trim())) return result;
    const l = this.build();

    const found = new Map<string, SquatKind>();
    // Read only once a target turns up: most names resemble nothing.
    let own: number | undefined;
    const consider = (target: string, kind: SquatKind): void => {
      if (target === normalized || found.has(target) || this.legitimate.has(`${normalized}\0${target}`)) return;
      own ??= Math.max(this.index.popularity(normalized), options.popularity ?? 0);
      if (this.index.popularity(target) <= own) return;
      found.set(target, kind);
    };
    const each = (targets: readonly string[] | undefined, kind: SquatKind): void => {
      if (targets !== undefined) for (const target of targets) consider(target, kind);
    };

    // The edits; insertion and substitution wait for the look-alikes, which come before them.
    let late: [string, SquatKind][] | undefined;
    const edits = (targets: readonly string[] | undefined): void => {
      if (targets === undefined) return;
      for (let i = 0; i < targets.length; i++) {
        const target = targets[i]!;
        const kind = editKind(normalized, target);
        if (kind === 'insertion' || kind === 'substitution') (late ??= []).push([target, kind]);
        else if (kind !== null) consider(target, kind);
      }
    };
    const length = normalized.length;
    if (length > 1) {
      const start = pairKey(normalized, 0);
      const end = pairKey(normalized, length - 2);
      for (let targetLength = length - 1; targetLength <= length + 1; targetLength++) {
        edits(l.byStart[targetLength]?.get(start));
        edits(l.byEnd[targetLength]?.get(end));
      }
    }
    if (length <= SHORT) {
      edits(l.short[length - 1]);
      edits(l.short[length]);
    }

    each(l.skeletons.get(skeleton(normalized)), 'confusable');
    each(l.joined.get(withoutSeparators(normalized)), 'separator');
    const words = sortedWords(normalized);
    if (words !== null) each(l.words.get(words), 'word-order');
    each(l.cores.get(core(normalized)), 'prefix-suffix');
    if (late !== undefined) for (const [target, kind] of late) consider(target, kind);
    if (found.size === 0) return result;

    result.similarTo = [...found]
      .map(([target, kind]) => ({ name: target, kind, popularity: this.index.popularity(target), source: this.index.sourceOf(target) ?? '' }))
      .sort((a, b) => b.popularity - a.popularity || compareCodeUnits(a.name, b.name));
    result.suspect = result.similarTo.length > 0;
    return result;
  }

  /** Many names at once (audits, pull-request reviews, the benchmark). */
  checkAll(names: Iterable<string>): TyposquatResult[] {
    return [...names].map((n) => this.check(n));
  }

  private build(): Lookups {
    if (this.lookups !== null && this.builtFor === this.index.version) return this.lookups;
    const l: Lookups = { byStart: [], byEnd: [], short: [], skeletons: new Map(), joined: new Map(), words: new Map(), cores: new Map() };
    for (const [target, { popularity }] of this.index.names()) {
      if (popularity < this.minTarget) continue;
      const length = target.length;
      if (length > 1) {
        add((l.byStart[length] ??= new Map()), pairKey(target, 0), target);
        add((l.byEnd[length] ??= new Map()), pairKey(target, length - 2), target);
      }
      if (length <= SHORT) (l.short[length] ??= []).push(target);
      add(l.skeletons, skeleton(target), target);
      add(l.joined, withoutSeparators(target), target);
      const words = sortedWords(target);
      if (words !== null) add(l.words, words, target);
      add(l.cores, core(target), target);
    }
    this.lookups = l;
    this.builtFor = this.index.version;
    return l;
  }
}

/** One line for a person: "looks like requests (two characters swapped)". */
export function describeSimilar(similar: SimilarName): string {
  return `looks like ${similar.name} (${KIND_TEXT[similar.kind]})`;
}
