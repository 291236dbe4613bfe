/**
 * Where each string value of a TOML document sits in its text, by key path, so a rewriter can
 * replace the characters of one value and nothing else (TOML is never re-serialised).
 *
 * src/python/toml.ts records lines for the parsers; edits need offsets and the exact quoting, so
 * this walks the same structure over the same tokens (tokenizeToml), keeping both. It is only used on documents
 * smol-toml accepted, and callers check every span against the parsed value before editing: a
 * span whose text does not decode to the value the parser saw is never edited.
 *
 * Paths are as in toml.ts: keys, with array elements addressed by their index
 * (`['project', 'dependencies', '2']`, `['tool', 'poetry', 'dependencies', 'django', 'version']`).
 * Linear in the input: one pass to tokenize, one to walk.
 */

import { tokenizeToml, type TomlToken } from '../python/toml.js';

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

type Token = TomlToken;

const MAX_DEPTH = 64;

/** Every string value in the document, by path key (see `pathKey`). */
export function stringSpans(text: string): Map<string, StringSpan> {
  const offset = text.startsWith('\uFEFF') ? 1 : 0;
  const tokens = tokenizeToml(text, offset);
  const spans = new Map<string, StringSpan>();
  const arrayTables = new Map<string, number>();
  let table: string[] = [];
  let p = 0;
  const last = tokens.length - 1;
  const peek = () => tokens[Math.min(p, last)]!;
  const atEnd = () => p >= last;

  const readKey = (): string[] => {
    const parts: string[] = [];
    while (!atEnd()) {
      const t = peek();
      if (t.kind === 'bare') for (const part of t.text.split('.')) { if (part !== '') parts.push(part); }
      else if (t.kind === 'string') parts.push(t.text);
      else break;
      p++;
    }
    return parts;
  };

  const readValue = (path: string[], depth: number): void => {
    const t = peek();
    if (t.kind === 'string') {
      const span: StringSpan = {
        start: t.offset,
        end: t.end,
        contentStart: t.offset + (t.multiline ? 3 : 1),
        contentEnd: t.end - (t.multiline ? 3 : 1),
        quote: t.quote!,
        multiline: t.multiline ?? false,
        line: t.line,
      };
      spans.set(pathKey(path), span);
      p++;
      return;
    }
    if (t.kind === '[' && depth < MAX_DEPTH) {
      p++;
      let index = 0;
      for (;;) {
        while (!atEnd() && (peek().kind === 'newline' || peek().kind === ',')) p++;
        if (atEnd()) return;
        if (peek().kind === ']') {
          p++;
          return;
        }
        readValue([...path, String(index)], depth + 1);
        index++;
        while (!atEnd() && !['[', ']', '{', ','].includes(peek().kind)) p++;
      }
    }
    if (t.kind === '{' && depth < MAX_DEPTH) {
      p++;
      for (;;) {
        if (atEnd()) return;
        const k = peek();
        if (k.kind === '}') {
          p++;
          return;
        }
        if (k.kind === ',' || k.kind === 'newline') {
          p++;
          continue;
        }
        const key = readKey();
        if (key.length === 0 || peek().kind !== '=') {
          p++;
          continue;
        }
        p++;
        readValue([...path, ...key], depth + 1);
      }
    }
    if (!atEnd()) p++;
  };

  while (!atEnd()) {
    while (!atEnd() && peek().kind === 'newline') p++;
    if (atEnd()) break;
    const t = peek();
    if (t.kind === '[') {
      const next = tokens[p + 1];
      const isArrayTable = next !== undefined && next.kind === '[' && next.offset === t.offset + 1;
      p += isArrayTable ? 2 : 1;
      const header = readKey();
      if (isArrayTable) {
        const key = pathKey(header);
        const index = arrayTables.get(key) ?? 0;
        arrayTables.set(key, index + 1);
        table = [...header, String(index)];
      } else {
        table = header;
      }
    } else if (t.kind === 'bare' || t.kind === 'string') {
      const key = readKey();
      if (peek().kind === '=') {
        p++;
        readValue([...table, ...key], 0);
      }
    } else {
      p++;
    }
    while (!atEnd() && peek().kind !== 'newline') p++;
  }
  return spans;
}

export function pathKey(path: readonly string[]): string {
  return path.join('\u0000');
}

