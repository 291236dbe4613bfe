/**
 * The typosquat check: does this name look like a more popular one? Pure and fast: the lookups are
 * built once from a PopularityIndex (rebuilt only when the index changes), then each name costs a
 * few map lookups per character, whatever the number of popular names.
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
import { adjacentSwaps, core, deletions, insertionsUndone, keyboardSlipsUndone, KIND_TEXT, skeleton, sortedWords, type SquatKind, undoubled, withoutSeparators } from './variants.js';
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

type Lookup = Map<string, string[]>;

function add(map: Lookup, key: string, target: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [target]);
  else if (!list.includes(target)) list.push(target);
}

interface Lookups {
  exact: Set<string>;
  deleted: Lookup;
  skeletons: Lookup;
  joined: Lookup;
  words: Lookup;
  cores: Lookup;
  /** Each target with one letter replaced by a keyboard neighbour (keyboardSlipsUndone). */
  slipped: Lookup;
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

  check(name: string, options: CheckOptions = {}): TyposquatResult {
    const normalized = normalizeName(name);
    const result: TyposquatResult = { name, normalized, suspect: false, similarTo: [] };
    if (!isValidName(name.trim())) return result;
    const l = this.build();
    const own = Math.max(this.index.popularity(normalized), options.popularity ?? 0);

    const found = new Map<string, SquatKind>();
    const consider = (target: string, kind: SquatKind): void => {
      if (target === normalized || found.has(target) || this.legitimate.has(`${normalized}\0${target}`)) return;
      if (this.index.popularity(target) <= own) return;
      found.set(target, kind);
    };
    const each = (keys: Iterable<string>, kind: SquatKind, map: Lookup | Set<string>): void => {
      for (const key of keys) {
        if (map instanceof Set) {
          if (map.has(key)) consider(key, kind);
        } else for (const target of map.get(key) ?? []) consider(target, kind);
      }
    };

    // Cheapest and most specific first: the first kind found for a target is the one reported.
    each([normalized], 'omission', l.deleted);
    each(undoubled(normalized), 'repetition', l.exact);
    each(adjacentSwaps(normalized), 'swap', l.exact);
    each([skeleton(normalized)], 'confusable', l.skeletons);
    each([withoutSeparators(normalized)], 'separator', l.joined);
    const words = sortedWords(normalized);
    if (words !== null) each([words], 'word-order', l.words);
    each([core(normalized)], 'prefix-suffix', l.cores);
    // Last, as the broadest readings: `f1ask` is confusable, `python3-dateutil` a prefix.
    each(insertionsUndone(normalized), 'insertion', l.exact);
    // The neighbours are symmetric, so a slip is looked up as the targets' own slips, made once (build).
    each([normalized], 'substitution', l.slipped);

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
    const l: Lookups = { exact: new Set(), deleted: new Map(), skeletons: new Map(), joined: new Map(), words: new Map(), cores: new Map(), slipped: new Map() };
    for (const [target, { popularity }] of this.index.names()) {
      if (popularity < this.minTarget) continue;
      l.exact.add(target);
      for (const d of deletions(target)) add(l.deleted, d, target);
      add(l.skeletons, skeleton(target), target);
      add(l.joined, withoutSeparators(target), target);
      const words = sortedWords(target);
      if (words !== null) add(l.words, words, target);
      add(l.cores, core(target), target);
      for (const slip of keyboardSlipsUndone(target)) add(l.slipped, slip, target);
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
