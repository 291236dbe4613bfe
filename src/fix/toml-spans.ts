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

import { pathKey, visitTomlStrings } from '../python/toml.js';

export { pathKey };

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

/** Every string value in the document, by path key (see `pathKey`). */
export function stringSpans(text: string): Map<string, StringSpan> {
  const spans = new Map<string, StringSpan>();
  visitTomlStrings(text, text.startsWith('\uFEFF') ? 1 : 0, (key, t) => {
    const quoteLength = t.multiline ? 3 : 1;
    spans.set(key, {
      start: t.offset,
      end: t.end,
      contentStart: t.offset + quoteLength,
      contentEnd: t.end - quoteLength,
      quote: t.quote!,
      multiline: t.multiline ?? false,
      line: t.line,
    });
  });
  return spans;
}
