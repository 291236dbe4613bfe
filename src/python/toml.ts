/**
 * A small, defensive front door to smol-toml for manifests we did not write (pyproject.toml,
 * Pipfile): a size guard, a nesting guard, one clear message with the line, and a scanner that
 * finds where keys and array elements start, because smol-toml returns values without positions.
 */
import { onFirstUse } from '../on-first-use.js';
import { TomlLexer, type TokenKind, type TomlToken } from './toml-lexer.js';

export type { TomlToken };

/**
 * smol-toml, loaded when the first TOML file is read (pyproject.toml, Pipfile, a lock): a tree of
 * requirements files never needs it. Its CommonJS build is one file, where its ESM build is ten
 * modules that cost every audit's start-up about 8 ms. Every caller takes it from here, so the
 * TomlError a parse throws is the class they test for.
 */
export const smolToml = onFirstUse<typeof import('smol-toml')>('smol-toml');

/**
 * Real pyproject.toml files and Pipfiles are a few kilobytes; 2 MB is far beyond any of them and
 * keeps a hostile file from costing more than a few milliseconds of parsing.
 */
export const MAX_TOML_CHARS = 2_000_000;

/** Manifests nest inline values three or four levels deep; anything past this is an attack or a mistake. */
export const MAX_TOML_DEPTH = 64;

/** A parsed TOML table. smol-toml builds these without a prototype, so keys such as `__proto__` are plain data. */
export type TomlTable = { [key: string]: unknown };

export type TomlParseResult =
  | { ok: true; value: TomlTable; positions: TomlPositions }
  | { ok: false; message: string; line: number | null };

/** Parses a whole document; never throws. */
export function parseToml(text: string): TomlParseResult {
  if (text.length > MAX_TOML_CHARS) {
    return {
      ok: false,
      line: null,
      message: `TOML file is too large (${text.length} characters; the limit is ${MAX_TOML_CHARS})`,
    };
  }
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // Positions first: the scan stops at a key of more than MAX_TOML_DEPTH parts, which smol-toml
  // would turn into as many nested tables (linear, but 2 µs a character: 200 ms for 100 KB).
  const positions = scanPositions(source);
  if (positions.keyTooDeep !== null) {
    return { ok: false, line: positions.keyTooDeep, message: tooDeep(positions.keyTooDeep) };
  }
  let value: TomlTable;
  try {
    // `keep` is safe here: smol-toml stores `__proto__` as an own property of a null-prototype
    // object, and a project may legitimately depend on a package called `constructor`.
    value = smolToml().parse(source, { maxDepth: MAX_TOML_DEPTH, unsafeKeyBehaviour: 'keep' }) as TomlTable;
  } catch (error) {
    if (error instanceof smolToml().TomlError) {
      // The library's message ends with a code excerpt of the hostile text; keep only the reason.
      const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      return {
        ok: false,
        line: error.line,
        message: `TOML syntax error at line ${error.line}, column ${error.column}: ${reason}`,
      };
    }
    return { ok: false, line: null, message: `TOML file could not be read: ${describe(error)}` };
  }
  if (nestsDeeperThan(value, MAX_TOML_DEPTH)) {
    // smol-toml's maxDepth counts inline arrays and tables only; keys and headers nest too.
    return { ok: false, line: null, message: tooDeep(null) };
  }
  return { ok: true, value, positions };
}

function tooDeep(line: number | null): string {
  return `TOML file has tables or arrays nested more than ${MAX_TOML_DEPTH} levels deep${line === null ? '' : ` (line ${line})`}`;
}

/**
 * Whether tables and arrays nest more than `limit` levels below `root`. A walk with its own
 * stack, so a hostile document cannot overflow the call stack here.
 */
export function nestsDeeperThan(root: unknown, limit: number): boolean {
  const values: unknown[] = [root];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    const children = Array.isArray(value) ? value : isTable(value) ? Object.values(value) : null;
    if (children === null) continue;
    if (depth > limit) return true;
    for (const child of children) {
      if (typeof child !== 'object' || child === null) continue;
      values.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Own-property lookup: never reaches `Object.prototype`, whatever the key. */
export function getOwn(table: TomlTable, key: string): unknown {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Follows a path of keys through nested tables; undefined when any step is missing or not a table. */
export function getPath(table: TomlTable, path: readonly string[]): unknown {
  let current: unknown = table;
  for (const key of path) {
    if (!isTable(current)) return undefined;
    current = getOwn(current, key);
  }
  return current;
}

/** Describes a TOML value's type for error messages. */
export function tomlTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (isTable(value)) return 'a table';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  return 'a date';
}

// ---------------------------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------------------------

/**
 * Where things start in the source, by key path. Array elements are addressed by their index as
 * the last path segment (`['project', 'dependencies', '2']`); elements of an array of tables too
 * (`['tool', 'poetry', 'source', '0']`).
 */
export class TomlPositions {
  readonly #lines = new Map<string, number>();
  /** Line of the first key or value nested more than MAX_TOML_DEPTH deep; the scan stopped there. */
  keyTooDeep: number | null = null;

  /** Records the first place a path is seen (a table can be named by a header and by dotted keys). */
  record(path: readonly string[], line: number): void {
    this.recordKey(pathKey(path), line);
  }

  /** The same, for a path already joined with pathKey (the scan builds keys one part at a time). */
  recordKey(key: string, line: number): void {
    if (!this.#lines.has(key)) this.#lines.set(key, line);
  }

  /** 1-based line where the key (or table header, or array element) at this path starts. */
  lineOf(path: readonly string[]): number | null {
    return this.#lines.get(pathKey(path)) ?? null;
  }

  /** Line of the element at `index` of the array at `path`. */
  elementLine(path: readonly string[], index: number): number | null {
    return this.lineOf([...path, String(index)]);
  }
}

const SEPARATOR = '\u0000';

/** Joins a key path the way both walkers' maps are keyed. */
export function pathKey(path: readonly string[]): string {
  return path.join(SEPARATOR);
}

/** pathKey of `parent` plus one part; null stands for the empty path (the document itself). */
function childKey(parent: string | null, part: string): string {
  return parent === null ? part : parent + SEPARATOR + part;
}

const ELEMENT_BOUNDARIES = new Set<TokenKind>([',', ']', '[', '{']);

/** Thrown inside the walk when a key or value nests too deep to record; caught below. */
class KeyTooDeep {
  constructor(readonly line: number) {}
}

/**
 * Walks the tokens and records the line of every table header, key and array element. Safe on
 * any text (it runs before smol-toml has accepted it): it always consumes input, and it stops at
 * the first key of more than MAX_TOML_DEPTH parts (recording every prefix of a 50,000-part key
 * was quadratic) or value nested deeper than that, noting its line in `keyTooDeep`.
 */
export function scanPositions(source: string): TomlPositions {
  const positions = new TomlPositions();
  try {
    walk(source, 0, positions);
  } catch (error) {
    if (!(error instanceof KeyTooDeep)) throw error;
    positions.keyTooDeep = error.line;
  }
  return positions;
}

/** Called with the path key (see `pathKey`) and token of every string value. */
export type TomlStringVisitor = (key: string, token: TomlToken) => void;

/**
 * The same walk for src/fix/toml-spans.ts, which needs each string value's token (offsets and
 * quoting) to edit it in place: one walker, so the fix and the parsers can never disagree about
 * which path a value sits at. Starts at offset `from` (past a byte-order mark) so offsets refer to
 * the text given; stops quietly where scanPositions would report nesting that is too deep.
 */
export function visitTomlStrings(text: string, from: number, onString: TomlStringVisitor): void {
  try {
    walk(text, from, null, onString);
  } catch (error) {
    if (!(error instanceof KeyTooDeep)) throw error;
  }
}

/**
 * Keys are carried joined (see childKey), so recording an element costs one concatenation, not a
 * join of its whole path. `positions` is null when only string values are wanted.
 */
function walk(source: string, from: number, positions: TomlPositions | null, onString?: TomlStringVisitor): void {
  const token = new TomlLexer(source, from);
  const arrayTableCounts = new Map<string, number>();
  let table: string | null = null;

  const skipNewlines = (): void => {
    while (token.kind === 'newline') token.advance();
  };

  /** A dotted key: bare runs split on dots, quoted parts kept whole. Stops at `=` or `]`. */
  const readKey = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      if (token.kind === 'bare') {
        for (const part of token.text.split('.')) if (part !== '') parts.push(part);
      } else if (token.kind === 'string') {
        parts.push(token.text);
      } else {
        break;
      }
      if (parts.length > MAX_TOML_DEPTH) throw new KeyTooDeep(token.line);
      token.advance();
    }
    return parts;
  };

  /** Records every prefix of `base` + `key` (a dotted key defines each table on its way); returns the whole key. */
  const recordKeyPrefixes = (base: string | null, key: string[], line: number): string | null => {
    let joined = base;
    for (const part of key) {
      joined = childKey(joined, part);
      positions?.recordKey(joined, line);
    }
    return joined;
  };

  const readValue = (path: string | null, depth: number): void => {
    const kind = token.kind;
    // smol-toml refuses this nesting too; stopping here spares recording 64-part keys for every element below.
    if ((kind === '[' || kind === '{') && depth >= MAX_TOML_DEPTH) throw new KeyTooDeep(token.line);
    if (kind === 'string' && onString && path !== null) onString(path, token.snapshot());
    if (kind === '[') {
      token.advance();
      let index = 0;
      for (;;) {
        skipNewlines();
        if (token.atEnd) return;
        if (token.kind === ']') {
          token.advance();
          return;
        }
        if (token.kind === ',') {
          token.advance();
          continue;
        }
        const elementPath = childKey(path, String(index));
        positions?.recordKey(elementPath, token.line);
        readValue(elementPath, depth + 1);
        index++;
        // Date-times with a space are two bare runs; anything else up to the separator is skipped.
        while (!token.atEnd && !ELEMENT_BOUNDARIES.has(token.kind)) token.advance();
      }
    }
    if (kind === '{') {
      token.advance();
      for (;;) {
        if (token.atEnd) return;
        if (token.kind === '}') {
          token.advance();
          return;
        }
        if (token.kind === ',' || token.kind === 'newline') {
          token.advance();
          continue;
        }
        const keyLine = token.line;
        const key = readKey();
        if (key.length === 0 || token.kind !== '=') {
          token.advance();
          continue;
        }
        token.advance();
        readValue(recordKeyPrefixes(path, key, keyLine), depth + 1);
      }
    }
    token.advance();
  };

  while (!token.atEnd) {
    skipNewlines();
    if (token.atEnd) break;
    const line = token.line;
    if (token.kind === '[') {
      const isArrayTable = token.opensArrayTable;
      token.advance();
      if (isArrayTable) token.advance();
      const header = readKey();
      const headerKey = recordKeyPrefixes(null, header, line);
      if (isArrayTable) {
        const counted = headerKey ?? '';
        const index = arrayTableCounts.get(counted) ?? 0;
        arrayTableCounts.set(counted, index + 1);
        table = childKey(headerKey, String(index));
        positions?.recordKey(table, line);
      } else {
        table = headerKey;
      }
    } else if (token.kind === 'bare' || token.kind === 'string') {
      const key = readKey();
      // (readKey moved the lexer on: TypeScript cannot see that, hence the widening.)
      if ((token.kind as TokenKind) === '=') {
        token.advance();
        readValue(recordKeyPrefixes(table, key, line), 0);
      }
    } else {
      token.advance();
    }
    // Whatever remains on the line (a closing bracket, the second half of a date-time) is not a key.
    while (!token.atEnd && token.kind !== 'newline') token.advance();
  }
}
