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
  /** The tree, or null when parsing took longer than the time limit. The caller deletes the tree. */
  parse(text: string): Tree | null;
  delete(): void;
}

/**
 * A parser that gives up after `timeoutMs` of wall time on one file. tree-sitter parses in linear
 * time and recovers from any syntax error, so the limit only guards against pathological input
 * on a busy machine; a file it stops is reported, never silently dropped.
 */
export async function createPythonParser(timeoutMs: number): Promise<PythonParser> {
  const language = await pythonLanguage();
  const parser = new (treeSitter().Parser)();
  parser.setLanguage(language);
  return {
    parse(text) {
      const deadline = performance.now() + timeoutMs;
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
