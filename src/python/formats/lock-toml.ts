/**
 * A reader for the TOML that lock tools write, and only that: `[table]` and `[[array]]` headers
 * with bare keys, `key = value` lines, basic strings, integers, booleans, inline tables and arrays
 * (one line or many). uv, Poetry and PDM write nothing else, and a large uv.lock spends most of its
 * time in a general TOML parser's character-by-character work; this one moves a regex from token
 * to token instead.
 *
 * It never decides that a file is invalid: anything outside the subset (comments after values,
 * literal or multi-line strings, dotted or quoted keys, floats, dates, a redefined table, a
 * duplicate key…) returns null, and the caller parses the file with smol-toml, whose results and
 * error messages stay the reference. Where it does answer, it builds what smol-toml builds
 * (objects without a prototype, numbers, strings, arrays), which the tests check file by file.
 */

type Table = { [key: string]: unknown };

/** A value could not be read within the subset: the caller falls back to the full parser. */
class OutsideSubset extends Error {}

const BARE_KEY = /[A-Za-z0-9_-]+/y;
const BLANKS = /[ \t]*/y;
/** TOML comments: anything but control characters (tab allowed) up to the end of the line. */
const COMMENT = /#[^\x00-\x08\x0a-\x1f\x7f]*/y;
/** Blanks, newlines and comments between array elements. */
const ARRAY_GAP = /(?:[ \t\n]|\r\n|#[^\x00-\x08\x0a-\x1f\x7f]*(?=\r?\n))*/y;
const SIMPLE_STRING = /"([^"\\\n\r\x00-\x08\x0b-\x1f\x7f]*)"/y;
const INTEGER = /(?:0|-?[1-9][0-9]{0,14})(?![0-9A-Za-z_.:+-])/y;
const HEADER = /^\[(\[)?[ \t]*([A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*)[ \t]*\](\])?[ \t]*\r?$/;
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/** The parsed document, or null when the text uses anything outside the lock subset. */
export function parseLockTomlSubset(text: string): Table | null {
  try {
    return new LockTomlReader(text).document();
  } catch (error) {
    if (error instanceof OutsideSubset) return null;
    throw error;
  }
}

function newTable(): Table {
  return Object.create(null) as Table;
}

class LockTomlReader {
  #at = 0;
  readonly #root = newTable();
  /** Tables a `[header]` defined (TOML forbids defining one twice). */
  readonly #defined = new Set<Table>();
  /** Arrays made by `[[header]]`, the only arrays a header may append to. */
  readonly #tableArrays = new Set<unknown[]>();
  /** Values written whole (`key = …`), which no header may extend. */
  readonly #closed = new Set<unknown>();

  constructor(readonly text: string) {}

  document(): Table {
    const { text } = this;
    let table = this.#root;
    while (this.#at < text.length) {
      const c = text.charCodeAt(this.#at);
      if (c === 10 /* \n */ || c === 32 || c === 9) {
        this.#at++;
      } else if (c === 13 /* \r */) {
        if (text.charCodeAt(this.#at + 1) !== 10) throw new OutsideSubset();
        this.#at++;
      } else if (c === 35 /* # */) {
        this.#skip(COMMENT);
        const next = text.charCodeAt(this.#at);
        if (this.#at < text.length && next !== 10 && next !== 13) throw new OutsideSubset();
      } else if (c === 91 /* [ */) {
        table = this.#header();
      } else {
        this.#keyValue(table);
      }
    }
    return this.#root;
  }

  #header(): Table {
    const end = this.#lineEnd();
    const match = HEADER.exec(this.text.slice(this.#at, end));
    if (match === null || (match[1] === undefined) !== (match[3] === undefined)) throw new OutsideSubset();
    this.#at = end;
    const keys = match[2]!.split('.').map((key) => key.trim());
    const last = keys.pop()!;
    let parent = this.#root;
    for (const key of keys) parent = this.#descend(parent, key);
    const existing = Object.hasOwn(parent, last) ? parent[last] : undefined;
    if (match[1] !== undefined) {
      // [[array]]: a new table at the end of an array that only headers have made.
      let list = existing;
      if (list === undefined) {
        list = [];
        this.#tableArrays.add(list as unknown[]);
        this.#assign(parent, last, list);
      } else if (!Array.isArray(list) || !this.#tableArrays.has(list)) {
        throw new OutsideSubset();
      }
      const table = newTable();
      (list as unknown[]).push(table);
      this.#defined.add(table);
      return table;
    }
    if (existing === undefined) {
      const table = newTable();
      this.#assign(parent, last, table);
      this.#defined.add(table);
      return table;
    }
    if (!isTable(existing) || this.#defined.has(existing) || this.#closed.has(existing)) throw new OutsideSubset();
    this.#defined.add(existing);
    return existing;
  }

  /** A header's path through tables (made implicitly) and `[[array]]`s (their last table). */
  #descend(parent: Table, key: string): Table {
    if (!Object.hasOwn(parent, key)) {
      const table = newTable();
      this.#assign(parent, key, table);
      return table;
    }
    const value = parent[key];
    if (Array.isArray(value) && this.#tableArrays.has(value)) {
      const last: unknown = value[value.length - 1];
      if (isTable(last)) return last;
    } else if (isTable(value) && !this.#closed.has(value)) {
      return value;
    }
    throw new OutsideSubset();
  }

  #keyValue(table: Table): void {
    const key = this.#key();
    this.#skip(BLANKS);
    if (this.text.charCodeAt(this.#at) !== 61 /* = */) throw new OutsideSubset();
    this.#at++;
    this.#skip(BLANKS);
    const value = this.#value();
    if (Object.hasOwn(table, key)) throw new OutsideSubset();
    this.#assign(table, key, value);
    if (typeof value === 'object') this.#closed.add(value);
    this.#skip(BLANKS);
    const c = this.text.charCodeAt(this.#at);
    if (c === 13) this.#at++;
    if (this.#at < this.text.length && this.text.charCodeAt(this.#at) !== 10) throw new OutsideSubset();
  }

  #key(): string {
    BARE_KEY.lastIndex = this.#at;
    if (!BARE_KEY.test(this.text)) throw new OutsideSubset();
    const key = this.text.slice(this.#at, BARE_KEY.lastIndex);
    this.#at = BARE_KEY.lastIndex;
    return key;
  }

  #value(): unknown {
    const c = this.text.charCodeAt(this.#at);
    if (c === 34 /* " */) return this.#string();
    if (c === 123 /* { */) return this.#inlineTable();
    if (c === 91 /* [ */) return this.#array();
    if (this.text.startsWith('true', this.#at) && !/[A-Za-z0-9_-]/.test(this.text[this.#at + 4] ?? '')) {
      this.#at += 4;
      return true;
    }
    if (this.text.startsWith('false', this.#at) && !/[A-Za-z0-9_-]/.test(this.text[this.#at + 5] ?? '')) {
      this.#at += 5;
      return false;
    }
    INTEGER.lastIndex = this.#at;
    if (INTEGER.test(this.text)) {
      const value = Number(this.text.slice(this.#at, INTEGER.lastIndex));
      this.#at = INTEGER.lastIndex;
      return value;
    }
    throw new OutsideSubset();
  }

  #string(): string {
    if (this.text.startsWith('"""', this.#at)) throw new OutsideSubset();
    SIMPLE_STRING.lastIndex = this.#at;
    const simple = SIMPLE_STRING.exec(this.text);
    if (simple !== null) {
      this.#at = SIMPLE_STRING.lastIndex;
      return simple[1]!;
    }
    // Escapes (Poetry writes `\"` in markers): read them one by one.
    let out = '';
    for (let i = this.#at + 1; i < this.text.length; i++) {
      const ch = this.text[i]!;
      if (ch === '"') {
        this.#at = i + 1;
        return out;
      }
      if (ch === '\\') {
        const next = this.text[i + 1] ?? '';
        const simpleEscape = ESCAPES[next];
        if (simpleEscape !== undefined) {
          out += simpleEscape;
          i++;
          continue;
        }
        const width = next === 'u' ? 4 : next === 'U' ? 8 : 0;
        const hex = this.text.slice(i + 2, i + 2 + width);
        if (width === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== width) throw new OutsideSubset();
        const code = parseInt(hex, 16);
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new OutsideSubset();
        out += String.fromCodePoint(code);
        i += 1 + width;
        continue;
      }
      const code = ch.charCodeAt(0);
      if (code === 10 || code === 13 || (code < 32 && code !== 9) || code === 127) throw new OutsideSubset();
      out += ch;
    }
    throw new OutsideSubset();
  }

  #inlineTable(): Table {
    const table = newTable();
    this.#at++;
    this.#skip(BLANKS);
    if (this.text.charCodeAt(this.#at) === 125 /* } */) {
      this.#at++;
      return table;
    }
    for (;;) {
      const key = this.#key();
      this.#skip(BLANKS);
      if (this.text.charCodeAt(this.#at) !== 61) throw new OutsideSubset();
      this.#at++;
      this.#skip(BLANKS);
      const value = this.#value();
      if (Object.hasOwn(table, key)) throw new OutsideSubset();
      this.#assign(table, key, value);
      if (typeof value === 'object') this.#closed.add(value);
      this.#skip(BLANKS);
      const c = this.text.charCodeAt(this.#at++);
      if (c === 125 /* } */) return table;
      if (c !== 44 /* , */) throw new OutsideSubset();
      this.#skip(BLANKS);
    }
  }

  #array(): unknown[] {
    const list: unknown[] = [];
    this.#at++;
    for (;;) {
      this.#skip(ARRAY_GAP);
      if (this.text.charCodeAt(this.#at) === 93 /* ] */) {
        this.#at++;
        return list;
      }
      const value = this.#value();
      if (typeof value === 'object') this.#closed.add(value);
      list.push(value);
      this.#skip(ARRAY_GAP);
      const c = this.text.charCodeAt(this.#at++);
      if (c === 93) return list;
      if (c !== 44) throw new OutsideSubset();
    }
  }

  #skip(pattern: RegExp): void {
    pattern.lastIndex = this.#at;
    pattern.test(this.text);
    this.#at = pattern.lastIndex;
  }

  #lineEnd(): number {
    const end = this.text.indexOf('\n', this.#at);
    return end === -1 ? this.text.length : end;
  }

  /** Tables have no prototype (as smol-toml makes them), so even `__proto__` is a plain key. */
  #assign(table: Table, key: string, value: unknown): void {
    table[key] = value;
  }
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
