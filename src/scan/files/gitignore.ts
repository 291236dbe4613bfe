/**
 * Would git ignore this path? Every `.gitignore` from the root down to the path's folder applies,
 * with git's rules (`git help gitignore`):
 *  - one pattern a line; blank lines and lines starting with `#` are nothing (`\#` and `\!` start
 *    a pattern with a literal `#` or `!`); trailing spaces are dropped unless escaped (`\ `);
 *  - `!` negates: a path a pattern excludes is taken back by a later negation that matches it;
 *  - within a file the last matching pattern decides, and a deeper file overrides a shallower one;
 *  - a pattern with a `/` at the start or in the middle is relative to its .gitignore's folder,
 *    any other matches a name at any depth below it; a trailing `/` matches folders only;
 *  - "It is not possible to re-include a file if a parent directory of that file is excluded":
 *    as git does, each folder above the path is decided first, shallow to deep, and the first one
 *    excluded excludes everything in it (git never reads the .gitignore files inside it either).
 *
 * Both the patterns and the paths come from the scanned repository, so the globs are matched by
 * our linear matcher (src/audit/glob.ts: no backtracking; the `ignore` package's RegExps were
 * exponential in the path's depth on `**` then `/*` then `/` repeated), and the work per tree is
 * bounded: at most MAX_PATTERNS_PER_FILE patterns in one .gitignore, MAX_PATTERN_CHARS pattern
 * characters in the tree, MAX_MATCH_WORK NFA steps over all the questions of one tree.
 *
 * Beyond a limit the answer is unknown, and an unknown answer is "not ignored" (fail closed): every
 * rule that asks reports when a path is NOT ignored (a .env that would be committed, a .gitignore
 * gap), so "not ignored" can only add a finding, never hide one. `limitNote` says that it happened.
 */
import { compileGlobLevels, type GlobLevels, type LevelSink } from '../../audit/glob.js';
import type { TreeView } from '../tree-rule.js';

/** Patterns read from one .gitignore; a file with more is not read at all (its answers are unknown). */
export const MAX_PATTERNS_PER_FILE = 10_000;
/** Pattern characters read from all the .gitignore files of a tree, shallow files first. */
export const MAX_PATTERN_CHARS = 200_000;
/**
 * NFA state visits over all of one tree's questions (each costs at most path length × pattern
 * characters of the files that apply). Some tens of milliseconds per ten million.
 */
export const MAX_MATCH_WORK = 50_000_000;

/** The chain of each tree, for the tree rules that share one. */
const loaded = new WeakMap<TreeView, Promise<GitignoreChain>>();

interface Pattern {
  test: GlobLevels;
  negated: boolean;
}

/** One .gitignore's patterns, in order; null when over a limit (its answers unknown). */
type Rules = Pattern[] | null;

export class GitignoreChain {
  private readonly files = new Map<string, Rules>();

  /** The folder prefixes holding a .gitignore ('' for the root, 'app/' …), shallow to deep. */
  private readonly dirs: readonly string[];

  /** Why some answers were unknown (and so "not ignored"), once that happened; else null. */
  private unknownBecause: string | null = null;

  private readonly sink: LevelSink = { levels: [], work: 0, limit: MAX_MATCH_WORK };

  /**
   * The tree's path from its git work tree's root (`svc/`), when the tree is a checkout's subfolder
   * (TreeView.enclosingIgnores): paths are asked from the work tree's root, so the `.gitignore` files
   * above the tree apply as git applies them. '' otherwise.
   */
  private readonly prefix: string;

  private constructor(dirs: readonly string[], prefix: string) {
    this.dirs = [...dirs].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    this.prefix = prefix;
  }

  /**
   * Every .gitignore in the tree, read and parsed once per tree: several tree rules ask, and each
   * would otherwise parse them all again.
   */
  static load(tree: TreeView): Promise<GitignoreChain> {
    let chain = loaded.get(tree);
    if (!chain) loaded.set(tree, (chain = GitignoreChain.read(tree)));
    return chain;
  }

  /**
   * The note to give when a limit left some answers unknown, for a tree whose chain was loaded;
   * null when none was loaded or every answer was known.
   */
  static async limitNote(tree: TreeView): Promise<string | null> {
    const chain = loaded.get(tree);
    return chain ? (await chain).unknownBecause : null;
  }

  private static async read(tree: TreeView): Promise<GitignoreChain> {
    const outside = tree.enclosingIgnores;
    const prefix = outside?.prefix ?? '';
    const above = new Map((outside?.files ?? []).map((f) => [f.dir, f]));
    const found = tree.paths.filter((p) => p === '.gitignore' || p.endsWith('/.gitignore'));
    const chain = new GitignoreChain([...above.keys(), ...found.map((p) => prefix + p.slice(0, -'.gitignore'.length))], prefix);
    let chars = 0;
    // Shallow first: when the tree's budget runs out, the files that apply to the most paths are read.
    for (const dir of chain.dirs) {
      // Folders above the tree are shorter than its prefix; the tree's own start with it.
      const inTree = dir.length >= prefix.length;
      const treePath = inTree ? `${dir.slice(prefix.length)}.gitignore` : null;
      const path = treePath ?? `${dir}.gitignore (above the scanned folder)`;
      const under = inTree ? dir.slice(prefix.length) || 'the root' : 'the scanned folder';
      const outsideFile = inTree ? undefined : above.get(dir);
      if (outsideFile !== undefined && outsideFile.text === null) {
        chain.files.set(dir, null);
        chain.unknown(`${path}: ${outsideFile.why ?? 'not read'}; not read, so no path under ${under} counts as ignored by .gitignore`);
        continue;
      }
      const text = treePath !== null ? await tree.readText(treePath) : (outsideFile?.text ?? null);
      if (text === null) continue; // binary or too large: git could not use it either as patterns
      const lines = parseLines(text);
      const size = lines.reduce((n, l) => n + l.glob.length, 0);
      if (lines.length > MAX_PATTERNS_PER_FILE) {
        chain.files.set(dir, null);
        chain.unknown(`${path}: ${lines.length} patterns, over the limit of ${MAX_PATTERNS_PER_FILE} per .gitignore; not read, so no path under ${under} counts as ignored by .gitignore`);
        continue;
      }
      if (chars + size > MAX_PATTERN_CHARS) {
        chain.files.set(dir, null);
        chain.unknown(`${path}: over the limit of ${MAX_PATTERN_CHARS} characters of .gitignore patterns per tree; not read, so no path under ${under} counts as ignored by .gitignore`);
        continue;
      }
      chars += size;
      chain.files.set(dir, lines.map((l) => ({ test: compileGlobLevels(l.glob), negated: l.negated })));
    }
    return chain;
  }

  private unknown(why: string): void {
    this.unknownBecause ??= why;
  }

  /** Whether the root .gitignore is there but was not read (over a limit): what it excludes is unknown. */
  get rootUnread(): boolean {
    if (this.files.get(this.prefix) === null) return true;
    // A .gitignore above the tree not read (over a limit) decides its root's paths too.
    for (const [dir, rules] of this.files) if (rules === null && dir.length < this.prefix.length) return true;
    return false;
  }

  /**
   * The `.gitignore` whose answer at the tree's root is judged: the nearest at or above it (the
   * tree's own, else the closest in the folders above it in its work tree), as a path from the
   * tree's root (`.gitignore`, `../../.gitignore`), so a report points at a file that exists; null
   * when there is none. A report's path from the work tree (SARIF) puts it back under the tree's
   * prefix, where `services/api/../../.gitignore` is the work tree's `.gitignore`.
   */
  get judgedFile(): string | null {
    let nearest: string | null = null;
    for (const dir of this.dirs) if (dir.length <= this.prefix.length && this.prefix.startsWith(dir)) nearest = dir; // shallow to deep
    if (nearest === null) return null;
    const up = (this.prefix.slice(nearest.length).match(/\//g) ?? []).length;
    return `${'../'.repeat(up)}.gitignore`;
  }

  /** Whether the tree's root, or a folder above it in its work tree, has a `.gitignore`. */
  get hasRootFile(): boolean {
    // `dirs` is shortest first, and a folder above the tree is shorter than its prefix.
    return this.files.has(this.prefix) || (this.dirs[0] !== undefined && this.dirs[0].length < this.prefix.length);
  }

  /** Whether `git add` would leave this path of the tree out (a path ending with `/` is a folder). */
  ignores(pathInTree: string): boolean {
    if (pathInTree === '' || pathInTree === '/') return false;
    const path = this.prefix + pathInTree;
    const isDir = path.endsWith('/');
    const body = isDir ? path.slice(0, -1) : path;
    if (body === '') return false;
    let depth = 0;
    for (let i = body.indexOf('/'); i !== -1; i = body.indexOf('/', i + 1)) depth++;
    // What decides each level (0: the top folder … depth: the path itself): 0 nothing, 1 excluded, 2 included.
    const decided = new Uint8Array(depth + 1);
    // The first level whose answer is unknown (a file over a limit applies to it); depth + 1 if none.
    let unknownFrom = depth + 1;
    // Shallow to deep, each file's patterns in order: a later decision overrides an earlier one.
    // Only the path's own folders are looked up ('', 'a/', 'a/b/' …): the cost follows the path's
    // depth, not the number of .gitignore files in the tree (every folder of a large tree may hold one).
    let dirEnd = 0;
    for (let offset = 0; offset <= depth; offset++, dirEnd = body.indexOf('/', dirEnd) + 1) {
      // offset: the level of the first name below dir
      const dir = body.slice(0, dirEnd);
      const rules = this.files.get(dir);
      if (rules === undefined) continue; // no .gitignore there, or unreadable: as if absent
      if (rules === null) {
        unknownFrom = Math.min(unknownFrom, offset);
        continue;
      }
      const rel = path.slice(dir.length);
      for (const pattern of rules) {
        this.sink.levels.length = 0;
        pattern.test(rel, this.sink); // stops as soon as the tree's budget is spent
        if (this.sink.work > MAX_MATCH_WORK) {
          this.unknown(`.gitignore: matching paths took over the limit of ${MAX_MATCH_WORK} steps per tree; the paths asked about from then on do not count as ignored by .gitignore`);
          return false;
        }
        for (const level of this.sink.levels) decided[offset + level] = pattern.negated ? 2 : 1;
      }
    }
    for (let level = 0; level <= depth; level++) {
      if (level >= unknownFrom) return false;
      // A folder excluded excludes all in it, whatever a deeper pattern says.
      if (decided[level] === 1) return true;
    }
    return false;
  }
}

/**
 * The patterns of a .gitignore's text, as git reads them (dir.c: add_patterns_from_buffer,
 * trim_trailing_spaces, parse_path_pattern): the glob without its `!`, and whether it had one.
 */
export function parseLines(text: string): { glob: string; negated: boolean }[] {
  const out: { glob: string; negated: boolean }[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (let line of body.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '' || line.startsWith('#')) continue;
    line = trimTrailingSpaces(line);
    let negated = false;
    if (line.startsWith('!')) {
      negated = true;
      line = line.slice(1);
      // What follows the `!` is the glob as written: a `#` or `!` there is a literal character,
      // which compileGlob would otherwise read as a comment or a negation.
      if (line.startsWith('#') || line.startsWith('!')) line = `\\${line}`;
    }
    if (line === '') continue;
    out.push({ glob: line, negated });
  }
  return out;
}

/** Drops trailing spaces (not tabs) unless the first of them is escaped by a backslash, as git does. */
function trimTrailingSpaces(line: string): string {
  let lastSpace = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ') {
      if (lastSpace === -1) lastSpace = i;
    } else if (c === '\\') {
      i++;
      if (i >= line.length) return line;
      lastSpace = -1;
    } else {
      lastSpace = -1;
    }
  }
  return lastSpace === -1 ? line : line.slice(0, lastSpace);
}
