/**
 * A small, defensive front door to smol-toml for manifests we did not write (pyproject.toml,
 * Pipfile): a size guard, a nesting guard, one clear message with the line, and a scanner that
 * finds where keys and array elements start, because smol-toml returns values without positions.
 */
import { errorLine } from '../error-line.js';
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
      const reason = errorLine(error).replace(/^Invalid TOML document:\s*/, '');
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

/** A key path as numbered by TomlPaths: the document is ROOT_PATH, every table, key and element a small integer. */
export type TomlPathId = number;

export const ROOT_PATH: TomlPathId = 0;

/**
 * Numbers key paths one part at a time: a path's number is looked up from its parent's number and
 * its last part, so naming an element costs its own part, never its parent's whole path. Joining
 * the whole path instead cost the length of the key for every element below it: a 1 MB key over
 * 250,000 array elements (a 2 MB file) was 2.5·10¹¹ characters to hash and, kept, as many to store.
 */
export class TomlPaths {
  readonly #ids = new Map<string, TomlPathId>();

  /** The number of `part` below `parent`, given on first sight. */
  child(parent: TomlPathId, part: string): TomlPathId {
    const key = childKey(parent, part);
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#ids.size + 1;
      this.#ids.set(key, id);
    }
    return id;
  }

  /** The number of `part` below `parent`, or null when the walk never named it. */
  find(parent: TomlPathId | null, part: string): TomlPathId | null {
    return parent === null ? null : (this.#ids.get(childKey(parent, part)) ?? null);
  }

  /** The number of a whole path, or null when the walk never named it. */
  findPath(path: readonly string[]): TomlPathId | null {
    let id: TomlPathId | null = ROOT_PATH;
    for (const part of path) id = this.find(id, part);
    return id;
  }
}

/** The parent's number never holds the separator, so the first one ends it: keys never collide. */
function childKey(parent: TomlPathId, part: string): string {
  return `${parent}\u0000${part}`;
}

/**
 * Where things start in the source, by key path. Array elements are addressed by their index as
 * the last path segment (`['project', 'dependencies', '2']`); elements of an array of tables too
 * (`['tool', 'poetry', 'source', '0']`).
 */
export class TomlPositions {
  /** How the scan numbered the paths it saw (lines are kept by number). */
  readonly paths = new TomlPaths();
  readonly #lines = new Map<TomlPathId, number>();
  /** Line of the first key or value nested more than MAX_TOML_DEPTH deep; the scan stopped there. */
  keyTooDeep: number | null = null;

  /** Records the first place a path is seen (a table can be named by a header and by dotted keys). */
  record(path: TomlPathId, line: number): void {
    if (!this.#lines.has(path)) this.#lines.set(path, line);
  }

  /** 1-based line where the key (or table header, or array element) at this path starts. */
  lineOf(path: readonly string[]): number | null {
    return this.at(path).line;
  }

  /** Line of the element at `index` of the array at `path`. */
  elementLine(path: readonly string[], index: number): number | null {
    return this.at(path).element(index).line;
  }

  /**
   * The place of `path`, looked up once: reading the keys or elements below it through the place
   * costs each its own part, where lineOf would walk the whole path again for each.
   */
  at(path: readonly string[]): TomlPlace {
    return new TomlPlace(this.paths, this.#lines, this.paths.findPath(path));
  }
}

/** A path looked up in a TomlPositions (or not found: then nothing below it is either). */
export class TomlPlace {
  constructor(
    private readonly paths: TomlPaths,
    private readonly lines: ReadonlyMap<TomlPathId, number>,
    private readonly id: TomlPathId | null,
  ) {}

  /** 1-based line where this key, table header or array element starts; null when never seen. */
  get line(): number | null {
    return this.id === null ? null : (this.lines.get(this.id) ?? null);
  }

  /** The key `part` below this one. */
  child(part: string): TomlPlace {
    return new TomlPlace(this.paths, this.lines, this.paths.find(this.id, part));
  }

  /** The element at `index` of the array here. */
  element(index: number): TomlPlace {
    return this.child(String(index));
  }
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
    walk(source, 0, positions.paths, positions);
  } catch (error) {
    if (!(error instanceof KeyTooDeep)) throw error;
    positions.keyTooDeep = error.line;
  }
  return positions;
}

/** Called with the path (numbered by the TomlPaths the walk fills) and token of every string value. */
export type TomlStringVisitor = (path: TomlPathId, token: TomlToken) => void;

/**
 * The same walk for src/fix/toml-spans.ts, which needs each string value's token (offsets and
 * quoting) to edit it in place: one walker, so the fix and the parsers can never disagree about
 * which path a value sits at. Starts at offset `from` (past a byte-order mark) so offsets refer to
 * the text given; stops quietly where scanPositions would report nesting that is too deep.
 */
export function visitTomlStrings(text: string, from: number, paths: TomlPaths, onString: TomlStringVisitor): void {
  try {
    walk(text, from, paths, null, onString);
  } catch (error) {
    if (!(error instanceof KeyTooDeep)) throw error;
  }
}

/**
 * Paths are carried as numbers (see TomlPaths), so naming an element costs its index, not its
 * whole path. `positions` is null when only string values are wanted.
 */
function walk(source: string, from: number, paths: TomlPaths, positions: TomlPositions | null, onString?: TomlStringVisitor): void {
  const token = new TomlLexer(source, from);
  const arrayTableCounts = new Map<TomlPathId, number>();
  let table: TomlPathId = ROOT_PATH;

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
  const recordKeyPrefixes = (base: TomlPathId, key: string[], line: number): TomlPathId => {
    let path = base;
    for (const part of key) {
      path = paths.child(path, part);
      positions?.record(path, line);
    }
    return path;
  };

  const readValue = (path: TomlPathId, depth: number): void => {
    const kind = token.kind;
    // smol-toml refuses this nesting too; stopping here spares recording 64-part keys for every element below.
    if ((kind === '[' || kind === '{') && depth >= MAX_TOML_DEPTH) throw new KeyTooDeep(token.line);
    if (kind === 'string' && onString && path !== ROOT_PATH) onString(path, token.snapshot());
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
        const elementPath = paths.child(path, String(index));
        positions?.record(elementPath, token.line);
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
      const headerKey = recordKeyPrefixes(ROOT_PATH, header, line);
      if (isArrayTable) {
        const index = arrayTableCounts.get(headerKey) ?? 0;
        arrayTableCounts.set(headerKey, index + 1);
        table = paths.child(headerKey, String(index));
        positions?.record(table, line);
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
