/**
 * Where each string value of a TOML document sits in its text, by key path, so a rewriter can
 * replace the characters of one value and nothing else (TOML is never re-serialised).
 *
 * The positions walker in src/python/toml.ts records lines for the parsers; edits also need
 * offsets and the exact quoting, so the same walker hands this module every string value's token
 * (visitTomlStrings): one walk, one idea of which path a value sits at. It is only used on
 * documents smol-toml accepted, and callers check every span against the parsed value before
 * editing: a span whose text does not decode to the value the parser saw is never edited.
 *
 * Paths are as in toml.ts: keys, with array elements addressed by their index
 * (`['project', 'dependencies', '2']`, `['tool', 'poetry', 'dependencies', 'django', 'version']`).
 * Linear in the input: one pass to tokenize, one to walk.
 */

import { TomlPaths, visitTomlStrings, type TomlPathId } from '../python/toml.js';

export interface StringSpan {
  /** Offset of the opening quote, and just after the closing one, in the text given. */
  start: number;
  end: number;
  /** Offsets of the value's characters between the quotes. */
  contentStart: number;
  contentEnd: number;
  /** `"` (basic) or `'` (literal); multi-line strings are recorded but marked. */
  quote: '"' | "'";
  multiline: boolean;
  /** 1-based line of the opening quote. */
  line: number;
}

/** Every string value of a document, by key path. */
export class StringSpans {
  constructor(
    private readonly paths: TomlPaths,
    private readonly spans: ReadonlyMap<TomlPathId, StringSpan>,
  ) {}

  /** How many string values the document holds. */
  get size(): number {
    return this.spans.size;
  }

  /** The string value at `path`, if there is one. */
  get(path: readonly string[]): StringSpan | undefined {
    const id = this.paths.findPath(path);
    return id === null ? undefined : this.spans.get(id);
  }
}

/** Every string value in the document. */
export function stringSpans(text: string): StringSpans {
  const paths = new TomlPaths();
  const spans = new Map<TomlPathId, StringSpan>();
  visitTomlStrings(text, text.startsWith('\uFEFF') ? 1 : 0, paths, (path, t) => {
    const quoteLength = t.multiline ? 3 : 1;
    spans.set(path, {
      start: t.offset,
      end: t.end,
      contentStart: t.offset + quoteLength,
      contentEnd: t.end - quoteLength,
      quote: t.quote!,
      multiline: t.multiline ?? false,
      line: t.line,
    });
  });
  return new StringSpans(paths, spans);
}
