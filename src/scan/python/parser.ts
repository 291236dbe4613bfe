/**
 * tree-sitter for Python, loaded once per thread. The grammar's `.wasm` is resolved through the
 * package (never a hard-coded node_modules path), so it is found wherever npm put it. web-tree-sitter
 * 0.27 is needed for the ABI of tree-sitter-python 0.25's wasm; both are pinned in package.json.
 * The library itself loads with the grammar, on first use: a tree without Python files (an audit of
 * requirements files) never pays for it.
 */
import { createRequire } from 'node:module';
import type { Language, Tree } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

let loading: Promise<Language> | null = null;
let library: typeof import('web-tree-sitter') | null = null;

/** The library's classes, once `pythonLanguage()` has loaded it (holding a Language means it has). */
export function treeSitter(): typeof import('web-tree-sitter') {
  if (library === null) throw new Error('web-tree-sitter is not loaded yet: await pythonLanguage() first');
  return library;
}

/** The Python grammar, loaded on first use (about 30 ms) and shared. */
export function pythonLanguage(): Promise<Language> {
  loading ??= (async () => {
    const loaded = await import('web-tree-sitter');
    await loaded.Parser.init();
    library = loaded;
    return loaded.Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  })();
  return loading;
}

export interface PythonParser {
  /** The tree, or null when parsing took longer than `budgetMs(text)`. The caller deletes the tree. */
  parse(text: string): Tree | null;
  /** How long a parse of `text` may take: its share of the time limit by size (see parseBudgetMs). */
  budgetMs(text: string): number;
  delete(): void;
}

/**
 * A parse's time limit grows with the text: PARSE_FLOOR_MS, and PARSE_MS_PER_CHAR for each character,
 * up to the parser's limit. tree-sitter parses real code at megabytes a second (this allows 10 KB a
 * second, a hundred times slower), but its error recovery is quadratic on some broken input:
 * `install_requires=~=~=~=…x` (1,600 pairs, 3 KB) took 5.5 s, so a flat limit let a few kilobytes hold
 * a thread for seconds. Past its share the file is not read, and the result says so (fail closed).
 */
export const PARSE_FLOOR_MS = 250;
export const PARSE_MS_PER_CHAR = 0.1;

export function parseBudgetMs(text: string, limitMs: number): number {
  return Math.min(limitMs, PARSE_FLOOR_MS + PARSE_MS_PER_CHAR * text.length);
}

/**
 * A parser that gives up after its budget of wall time on one file (parseBudgetMs: by the file's
 * size, at most `timeoutMs`). A file it stops is reported, never silently dropped.
 */
export async function createPythonParser(timeoutMs: number): Promise<PythonParser> {
  const language = await pythonLanguage();
  const parser = new (treeSitter().Parser)();
  parser.setLanguage(language);
  return {
    budgetMs: (text) => parseBudgetMs(text, timeoutMs),
    parse(text) {
      const deadline = performance.now() + parseBudgetMs(text, timeoutMs);
      // web-tree-sitter cancels the parse when the progress callback returns true (its .d.ts says void).
      const progressCallback = (() => performance.now() > deadline) as unknown as () => void;
      const tree = parser.parse(text, null, { progressCallback });
      if (!tree) parser.reset();
      return tree;
    },
    delete() {
      parser.delete();
    },
  };
}
