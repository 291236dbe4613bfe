/**
 * Where each string value of a TOML document sits in its text, by key path, so a rewriter can
 * replace the characters of one value and nothing else (TOML is never re-serialised).
 *
 * src/python/toml.ts records lines for the parsers; edits need offsets and the exact quoting, so
 * this walks the same structure with a tokenizer that keeps both. It is only used on documents
 * smol-toml accepted, and callers check every span against the parsed value before editing: a
 * span whose text does not decode to the value the parser saw is never edited.
 *
 * Paths are as in toml.ts: keys, with array elements addressed by their index
 * (`['project', 'dependencies', '2']`, `['tool', 'poetry', 'dependencies', 'django', 'version']`).
 * Linear in the input: one pass to tokenize, one to walk.
 */

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

type Kind = '[' | ']' | '{' | '}' | '=' | ',' | 'newline' | 'bare' | 'string';

interface Token {
  kind: Kind;
  /** Bare text, or a string's decoded text (keys only need it; values are checked by callers). */
  text: string;
  line: number;
  start: number;
  end: number;
  quote?: '"' | "'";
  multiline?: boolean;
}

const MAX_DEPTH = 64;

/** Every string value in the document, by path key (see `pathKey`). */
export function stringSpans(text: string): Map<string, StringSpan> {
  const offset = text.startsWith('\uFEFF') ? 1 : 0;
  const tokens = tokenize(text, offset);
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
        start: t.start,
        end: t.end,
        contentStart: t.start + (t.multiline ? 3 : 1),
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
      const isArrayTable = next !== undefined && next.kind === '[' && next.start === t.start + 1;
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

function tokenize(source: string, from: number): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = from;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === '\n') {
      tokens.push({ kind: 'newline', text: '', line, start: i, end: i + 1 });
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#') {
      while (i < n && source[i] !== '\n') i++;
    } else if (c === '[' || c === ']' || c === '{' || c === '}' || c === '=' || c === ',') {
      tokens.push({ kind: c, text: c, line, start: i, end: i + 1 });
      i++;
    } else if (c === '"' || c === "'") {
      const start = i;
      const startLine = line;
      const triple = source.startsWith(c.repeat(3), i);
      let text = '';
      if (triple) {
        i += 3;
        while (i < n && !source.startsWith(c.repeat(3), i)) {
          if (c === '"' && source[i] === '\\') i++;
          if (source[i] === '\n') line++;
          i++;
        }
        i += 3;
        // A closing run may be up to five quotes long (two of them content).
        while (i < n && source[i] === c) i++;
      } else {
        i++;
        while (i < n && source[i] !== c && source[i] !== '\n') {
          if (c === '"' && source[i] === '\\') {
            text += decodeEscape(source, i);
            i += escapeLength(source, i);
            continue;
          }
          text += source[i];
          i++;
        }
        i++;
      }
      tokens.push({ kind: 'string', text, line: startLine, start, end: Math.min(i, n), quote: c, multiline: triple });
    } else {
      const start = i;
      while (i < n && !/[\s,[\]{}=#"']/.test(source[i]!)) i++;
      tokens.push({ kind: 'bare', text: source.slice(start, i), line, start, end: i });
    }
  }
  tokens.push({ kind: 'newline', text: '', line, start: n, end: n });
  return tokens;
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

function escapeLength(source: string, at: number): number {
  const kind = source[at + 1];
  if (kind === 'u') return 6;
  if (kind === 'U') return 10;
  if (kind === 'x') return 4;
  return 2;
}

function decodeEscape(source: string, at: number): string {
  const kind = source[at + 1] ?? '';
  if (kind === 'u' || kind === 'U' || kind === 'x') {
    const hex = source.slice(at + 2, at + escapeLength(source, at));
    const code = Number.parseInt(hex, 16);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  }
  return SIMPLE_ESCAPES[kind] ?? kind;
}
