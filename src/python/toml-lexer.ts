/**
 * The TOML tokens the position walker (src/python/toml.ts) needs, read one at a time.
 *
 * Why a cursor and not an array of token objects: a hostile 100,000-character run of brackets is
 * 100,000 tokens, and keeping that many small objects alive cost about 0.3 µs each in the
 * collector alone (40 ms of the 50 ms budget). The walker only ever looks at the current token, so
 * the lexer keeps one, in its own fields, and allocates nothing per token but the text of keys and
 * strings.
 *
 * Lenient (it also runs on text smol-toml will refuse), and every step consumes input.
 */
import { isJsSpace } from './text.js';

export type TokenKind = '[' | ']' | '{' | '}' | '=' | ',' | 'newline' | 'bare' | 'string' | 'end';

/** A token copied out of the lexer, for callers that keep one (src/fix/toml-spans.ts). */
export interface TomlToken {
  kind: TokenKind;
  /** Bare text, or the decoded text of a string (escapes matter only for keys). */
  text: string;
  line: number;
  /** Offset in the source, to tell `[[` (adjacent brackets) from `[ [`. */
  offset: number;
  /** Offset just after the token (after a string's closing quotes). */
  end: number;
  /** A string's quote and whether it was a multi-line (triple-quoted) one. */
  quote?: '"' | "'";
  multiline?: boolean;
}

/** ASCII characters that end a bare word: blanks and TOML punctuation. */
const ENDS_BARE = new Uint8Array(128);
for (const c of ' \t\n\v\f\r,[]{}=#"\'') ENDS_BARE[c.charCodeAt(0)] = 1;

const endsBare = (code: number): boolean => (code < 128 ? ENDS_BARE[code] === 1 : isJsSpace(code));

export class TomlLexer {
  kind: TokenKind = 'end';
  text = '';
  line = 1;
  offset = 0;
  end = 0;
  quote: '"' | "'" = '"';
  multiline = false;
  /** Where the next token starts looking, and the line it is on. */
  #at: number;
  #line = 1;

  /** Reads from offset `from` (past a byte-order mark); the first token is current at once. */
  constructor(
    private readonly source: string,
    from = 0,
  ) {
    this.#at = from;
    this.advance();
  }

  get atEnd(): boolean {
    return this.kind === 'end';
  }

  /** Whether the current token is a `[` immediately followed by another (an array-of-tables header). */
  get opensArrayTable(): boolean {
    return this.kind === '[' && this.source[this.offset + 1] === '[';
  }

  /** The current token as a plain object. */
  snapshot(): TomlToken {
    const token: TomlToken = { kind: this.kind, text: this.text, line: this.line, offset: this.offset, end: this.end };
    if (this.kind === 'string') {
      token.quote = this.quote;
      token.multiline = this.multiline;
    }
    return token;
  }

  /** Moves to the next token; at the end of the source the current token stays `end`. */
  advance(): void {
    const source = this.source;
    const n = source.length;
    let i = this.#at;
    for (;;) {
      if (i >= n) {
        this.#set('end', '', i, i);
        this.#at = n;
        return;
      }
      const c = source[i]!;
      if (c === '\n') {
        this.#set('newline', '', i, i + 1);
        this.#at = i + 1;
        this.#line++;
        return;
      }
      if (c === ' ' || c === '\t' || c === '\r') {
        i++;
        continue;
      }
      if (c === '#') {
        while (i < n && source[i] !== '\n') i++;
        continue;
      }
      if (c === '[' || c === ']' || c === '{' || c === '}' || c === '=' || c === ',') {
        this.#set(c, c, i, i + 1);
        this.#at = i + 1;
        return;
      }
      if (c === '"' || c === "'") {
        this.#string(c, i);
        return;
      }
      const start = i;
      // At least one character, so that text smol-toml would refuse (a stray \v) cannot stall the scan.
      i++;
      while (i < n && !endsBare(source.charCodeAt(i))) i++;
      this.#set('bare', source.slice(start, i), start, i);
      this.#at = i;
      return;
    }
  }

  #set(kind: TokenKind, text: string, offset: number, end: number): void {
    this.kind = kind;
    this.text = text;
    this.offset = offset;
    this.end = end;
    this.line = this.#line;
  }

  #string(quote: '"' | "'", start: number): void {
    const source = this.source;
    const n = source.length;
    const startLine = this.#line;
    const delimiter = quote + quote + quote;
    const multiline = source.startsWith(delimiter, start);
    let i = start;
    let text = '';
    if (multiline) {
      i += 3;
      while (i < n && !source.startsWith(delimiter, i)) {
        // A backslash escapes the next character, which may be the newline of a line continuation.
        if (quote === '"' && source[i] === '\\') i++;
        if (source[i] === '\n') this.#line++;
        i++;
      }
      // A closing run may be up to five quotes long (two of them content).
      i += 3;
      while (i < n && source[i] === quote) i++;
    } else {
      i++;
      let from = i;
      while (i < n && source[i] !== quote && source[i] !== '\n') {
        if (quote === '"' && source[i] === '\\') {
          text += source.slice(from, i) + decodeEscape(source, i);
          i += escapeLength(source, i);
          from = i;
          continue;
        }
        i++;
      }
      text += source.slice(from, i);
      i++;
    }
    const end = Math.min(i, n);
    this.kind = 'string';
    this.text = text;
    this.offset = start;
    this.end = end;
    this.line = startLine;
    this.quote = quote;
    this.multiline = multiline;
    this.#at = end;
  }
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
    // The scan also runs on text smol-toml will refuse: `\u-001` must not reach fromCodePoint.
    const code = /^[0-9a-fA-F]+$/.test(hex) ? Number.parseInt(hex, 16) : NaN;
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  }
  return SIMPLE_ESCAPES[kind] ?? kind;
}
