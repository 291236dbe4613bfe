/**
 * Our own matcher for the .gitignore-syntax globs of `.depwatch.yml` (`exclude:` and an ignore's
 * `path:`). Both the glob and the paths it is asked about come from the audited repository, so the
 * matcher must not backtrack: a RegExp compiled from a glob (what the `ignore` package does) is
 * exponential on `**` then `/*` then `/` repeated, and polynomial on `*a*a*a*` within a name.
 *
 * Here a glob compiles into a small NFA (one state per token) and a path is read once, left to
 * right, carrying the SET of states it could be in: at most one visit per state per character, so
 * a match costs O(path length × glob length), whatever the glob.
 *
 * Semantics (git's, for what the docs promise):
 *  - `*` is a run of characters other than `/`, `?` one such character, `[...]` one character of a
 *    class (`!` or `^` negates; ranges; `\` escapes; `[:alpha:]` and the other POSIX names); a `[`
 *    with no closing `]` is a literal `[`; `\x` is `x`;
 *  - a glob with no `/` but a trailing one matches a name at any depth; one with a `/` at the start
 *    or in the middle is anchored to the root (the leading `/` is optional);
 *  - a trailing `/` matches folders only (a path is a folder when it ends with `/`, or when it is a
 *    folder above the path asked about);
 *  - a glob that matches a folder covers everything in it;
 *  - `**` as a whole name: `**` then `/x` is x at any depth, `a/` then `**` everything inside a,
 *    `a/**` then `/b` zero or more folders between; any other run of `*` is one `*`;
 *  - a leading `!` (a negation: nothing to undo in a single glob) or `#` (a comment) matches nothing.
 * Case-SENSITIVE, as git on Linux and GitHub are: `Tests/` does not cover `tests/`. The `ignore`
 * package used before folded case; matching less than the user wrote can only read (or report)
 * more, while folding case could hide a folder the user never named (fail closed).
 */

const POSIX_CLASSES: Record<string, Array<[number, number]>> = {
  alnum: [[48, 57], [65, 90], [97, 122]],
  alpha: [[65, 90], [97, 122]],
  blank: [[32, 32], [9, 9]],
  cntrl: [[0, 31], [127, 127]],
  digit: [[48, 57]],
  graph: [[33, 126]],
  lower: [[97, 122]],
  print: [[32, 126]],
  punct: [[33, 47], [58, 64], [91, 96], [123, 126]],
  space: [[32, 32], [9, 13]],
  upper: [[65, 90]],
  xdigit: [[48, 57], [65, 70], [97, 102]],
};

const SLASH = 47;

/** One token of a glob, before it is cut into names at its `/`. */
type Token =
  | { t: 'char'; test: (c: number) => boolean }
  | { t: 'star'; count: number }
  | { t: 'slash' };

/** One state of the NFA. `next` is the state after it (index + 1, or + 2 for `dirs-entry`'s skip). */
type State =
  /** Reads one character that passes `test`, then goes on. */
  | { k: 'char'; test: (c: number) => boolean }
  /** `*`: reads characters other than `/` and stays, or goes on without reading. */
  | { k: 'star' }
  /** `.*`: reads any character and stays, or goes on (after `a/**`'s first character, and for `**` alone). */
  | { k: 'any' }
  /** Zero or more whole folders (`**` then `/`): goes on, or into the loop below. */
  | { k: 'dirs-entry' }
  /** Inside `**` then `/`: reads any character and stays; having read a `/`, may also go on. */
  | { k: 'dirs-loop' };

const classTest = (ranges: Array<[number, number]>, negated: boolean) => (c: number) => {
  if (c === SLASH) return false; // a class never matches a `/`, negated or not
  let inside = false;
  for (const [lo, hi] of ranges) if (c >= lo && c <= hi) { inside = true; break; }
  return inside !== negated;
};

/** The class starting at `chars[start]` (a `[`): its test and the index after its `]`, or null when there is no `]`. */
function scanClass(chars: readonly number[], start: number): { test: (c: number) => boolean; end: number } | null {
  let i = start + 1;
  let negated = false;
  if (chars[i] === 33 /* ! */ || chars[i] === 94 /* ^ */) { negated = true; i++; }
  const ranges: Array<[number, number]> = [];
  let first = true;
  while (i < chars.length) {
    let c = chars[i]!;
    if (c === 93 /* ] */ && !first) return { test: classTest(ranges, negated), end: i + 1 };
    first = false;
    if (c === 91 /* [ */ && chars[i + 1] === 58 /* : */) {
      const close = chars.indexOf(93, i + 2);
      if (close > i + 2 && chars[close - 1] === 58) {
        const name = String.fromCodePoint(...chars.slice(i + 2, close - 1));
        const posix = POSIX_CLASSES[name];
        if (posix) { ranges.push(...posix); i = close + 1; continue; }
      }
    }
    if (c === 92 /* \ */ && i + 1 < chars.length) c = chars[++i]!;
    i++;
    if (chars[i] === 45 /* - */ && i + 1 < chars.length && chars[i + 1] !== 93) {
      let to = chars[i + 1]!;
      i += 2;
      if (to === 92 && i < chars.length) to = chars[i++]!;
      if (c <= to) ranges.push([c, to]); // a reversed range (z-a) matches nothing, as in git
      continue;
    }
    ranges.push([c, c]);
  }
  return null;
}

function tokenize(glob: string): Token[] {
  const chars = Array.from(glob, (ch) => ch.codePointAt(0)!);
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; ) {
    const c = chars[i]!;
    if (c === 42 /* * */) {
      let count = 0;
      while (chars[i] === 42) { count++; i++; }
      tokens.push({ t: 'star', count });
    } else if (c === 63 /* ? */) {
      tokens.push({ t: 'char', test: (x) => x !== SLASH });
      i++;
    } else if (c === SLASH) {
      tokens.push({ t: 'slash' });
      i++;
    } else if (c === 91 /* [ */) {
      const cls = scanClass(chars, i);
      if (cls === null) {
        tokens.push({ t: 'char', test: (x) => x === 91 }); // no closing `]`: a literal `[`
        i++;
      } else {
        tokens.push({ t: 'char', test: cls.test });
        i = cls.end;
      }
    } else {
      const lit = c === 92 /* \ */ && i + 1 < chars.length ? chars[++i]! : c;
      if (lit === SLASH) tokens.push({ t: 'slash' });
      else tokens.push({ t: 'char', test: (x) => x === lit });
      i++;
    }
  }
  return tokens;
}

/** A compiled glob: whether it matches a path (relative, `/`-separated; a trailing `/` says it is a folder). */
export type GlobTest = (path: string) => boolean;

const NEVER: GlobTest = () => false;

/** Compiles a .gitignore-syntax glob (see the top of this file). A glob that can match nothing gives a test that says no. */
export function compileGlob(glob: string): GlobTest {
  const nfa = compileNfa(glob);
  if (nfa === null) return NEVER;
  const run = simulate(nfa.states, nfa.dirOnly);
  return (path) => run(path, null);
}

/**
 * Where a glob matches along a path, for the .gitignore chain (src/scan/files/gitignore.ts), which
 * must decide each folder above a path on its own (a negation may take a folder back that an
 * earlier pattern excluded) and so cannot use compileGlob's "a folder covers what is in it".
 * Level k of `a/b/c` is its k-th prefix: 0 is the folder `a`, 1 the folder `a/b`, 2 `a/b/c` itself
 * (a folder when the path ends with `/`). In the same single pass as compileGlob.
 */
export type GlobLevels = (path: string, out: LevelSink) => void;

/** What a GlobLevels run gives back: the levels matched (pushed in order) and the work it did. */
export interface LevelSink {
  levels: number[];
  /** States visited, summed over the runs: the caller's measure of what matching cost. */
  work: number;
  /** A run stops as soon as `work` passes this (its levels then incomplete): the caller's budget. */
  limit: number;
}

/** Compiles a glob for GlobLevels; same syntax and semantics as compileGlob, without the covering. */
export function compileGlobLevels(glob: string): GlobLevels {
  const nfa = compileNfa(glob);
  if (nfa === null) return () => {};
  return simulate(nfa.states, nfa.dirOnly);
}

function compileNfa(glob: string): { states: State[]; dirOnly: boolean } | null {
  if (glob === '' || glob.startsWith('!') || glob.startsWith('#')) return null;
  let tokens = tokenize(glob);
  let dirOnly = false;
  if (tokens.at(-1)?.t === 'slash') { tokens = tokens.slice(0, -1); dirOnly = true; }
  if (tokens.length === 0) return null;
  const anchored = tokens.some((t) => t.t === 'slash');
  if (tokens[0]!.t === 'slash') tokens = tokens.slice(1);

  // Cut into names; a name that is only stars, two or more, is `**`.
  const names: Array<Token[] | 'globstar'> = [];
  let current: Token[] = [];
  for (const t of [...tokens, { t: 'slash' } as Token]) {
    if (t.t !== 'slash') { current.push(t); continue; }
    const only = current.length === 1 && current[0]!.t === 'star' ? current[0] : null;
    const name = only && only.t === 'star' && only.count >= 2 ? 'globstar' : current;
    // `**` then `/**` is one `**`.
    if (!(name === 'globstar' && names.at(-1) === 'globstar')) names.push(name);
    current = [];
  }
  // Not anchored: the name at any depth, as `**` then `/name`.
  if (!anchored && names[0] !== 'globstar') names.unshift('globstar');

  const states: State[] = [];
  const pushName = (name: Token[]) => {
    for (const t of name) {
      if (t.t === 'star') states.push({ k: 'star' }); // `a**b`: any other run of `*` is one `*`
      else if (t.t === 'char') states.push({ k: 'char', test: t.test });
    }
  };
  names.forEach((name, i) => {
    const last = i === names.length - 1;
    if (name === 'globstar') {
      if (last) {
        // `a/**`: everything inside a (at least one character after the `/`); `**` alone: any path.
        states.push({ k: 'char', test: () => true }, { k: 'any' });
      } else {
        states.push({ k: 'dirs-entry' }, { k: 'dirs-loop' }); // ends after a `/`: the next name follows it
      }
      return;
    }
    pushName(name);
    if (!last) states.push({ k: 'char', test: (x) => x === SLASH });
  });
  return { states, dirOnly };
}

/**
 * The NFA run over a path: one pass, a set of states, each state at most once per character.
 * Without a sink: whether the glob matches the path or a folder above it. With one: every level
 * the glob matches (see GlobLevels), and the work done.
 */
function simulate(states: readonly State[], dirOnly: boolean): (path: string, sink: LevelSink | null) => boolean {
  const accept = states.length;
  const n = states.length + 1;
  // Epsilon moves always go forward, so a state's closure is itself plus its targets' closures.
  const eps: number[][] = states.map((s, i) => (s.k === 'star' || s.k === 'any' ? [i + 1] : s.k === 'dirs-entry' ? [i + 1, i + 2] : []));
  eps.push([]);
  let curList = new Int32Array(n);
  let nextList = new Int32Array(n);
  const mark = new Int32Array(n);
  let generation = 0;
  const stack = new Int32Array(n);

  /** Adds state s and what it reaches without reading, to `list` (length `len`), marked with `gen`. */
  const add = (s: number, list: Int32Array, len: number, gen: number): number => {
    if (mark[s] === gen) return len;
    let top = 0;
    stack[top++] = s;
    mark[s] = gen;
    while (top > 0) {
      const x = stack[--top]!;
      list[len++] = x;
      for (const y of eps[x]!) {
        if (mark[y] !== gen) { mark[y] = gen; stack[top++] = y; }
      }
    }
    return len;
  };

  return (raw, sink) => {
    // Relative paths only, as the `ignore` package required (it threw on the others: no match).
    if (raw === '' || raw.startsWith('/') || raw.startsWith('./') || raw.startsWith('../')) return false;
    const isDir = raw.endsWith('/');
    const path = isDir ? raw.slice(0, -1) : raw;
    if (generation > 0x3fffff00) { mark.fill(0); generation = 0; }
    let gen = ++generation;
    let curLen = add(0, curList, 0, gen);
    let acceptAt = gen; // the generation whose marks are the current set
    let level = 0;
    for (let i = 0; i < path.length; ) {
      const c = path.codePointAt(i)!;
      i += c > 0xffff ? 2 : 1;
      if (c === SLASH) {
        // The folder above the rest of the path: a glob that matches it covers everything in it
        // (without a sink), or is one level matched (with one).
        if (mark[accept] === acceptAt) {
          if (sink === null) return true;
          sink.levels.push(level);
        }
        level++;
      }
      gen = ++generation;
      let nextLen = 0;
      for (let j = 0; j < curLen; j++) {
        const s = curList[j]!;
        if (s === accept) continue;
        const st = states[s]!;
        switch (st.k) {
          case 'char':
            if (st.test(c)) nextLen = add(s + 1, nextList, nextLen, gen);
            break;
          case 'star':
            if (c !== SLASH) nextLen = add(s, nextList, nextLen, gen);
            break;
          case 'any':
            nextLen = add(s, nextList, nextLen, gen);
            break;
          case 'dirs-loop':
            nextLen = add(s, nextList, nextLen, gen);
            if (c === SLASH) nextLen = add(s + 1, nextList, nextLen, gen);
            break;
          case 'dirs-entry':
            break; // only passed through, never waited in
        }
      }
      if (sink !== null && (sink.work += curLen) > sink.limit) return false;
      if (nextLen === 0) return false;
      [curList, nextList] = [nextList, curList];
      curLen = nextLen;
      acceptAt = gen;
    }
    const matched = mark[accept] === acceptAt && (!dirOnly || isDir);
    if (matched && sink !== null) sink.levels.push(level);
    return matched;
  };
}
