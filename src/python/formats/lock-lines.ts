/**
 * Shared plumbing for the lockfile readers (poetry.lock, Pipfile.lock, uv.lock, pdm.lock,
 * pylock.toml): where
 * entries start in the text, a TOML/JSON front door that never throws, and the small value
 * clean-ups every lock needs (hashes, markers, URLs without credentials).
 *
 * Lockfiles are machine-written and can be large (a monorepo's uv.lock runs to megabytes), so the
 * line finders are single linear passes, not a general position-tracking parser.
 */
import { errorLine } from '../../error-line.js';
import { normalizeMarker } from '../pep508.js';
import { trimEndChar } from '../text.js';
import { MAX_TOML_DEPTH, nestsDeeperThan, smolToml } from '../toml.js';
import { MAX_ENTRIES_PER_FILE } from './collector.js';

/** Lockfiles nest a few levels (package → files → table); the TOML limit serves for JSON too. */
const MAX_NESTING = MAX_TOML_DEPTH;
import { stripUrlCredentials } from '../urls.js';
import type { ExtractError } from '../types.js';
import { partitionPoint } from '../../sorted.js';

/**
 * Generous on purpose: lockfiles of large workspaces reach several megabytes; this only stops a
 * file that is clearly not a lockfile from costing seconds of parsing.
 */
export const MAX_LOCK_CHARS = 64_000_000;

/** 1-based line of every offset, by binary search over precomputed line starts. */
export class LineIndex {
  readonly #starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.#starts.push(i + 1);
  }

  /** 1-based line containing `offset`. */
  lineAt(offset: number): number {
    const starts = this.#starts;
    // The last line start at or before the offset (the first, 0, always is).
    return Math.max(1, partitionPoint(0, starts.length, (i) => starts[i]! <= offset));
  }

  /** 1-based column of `offset` on its line. */
  columnAt(offset: number): number {
    return offset - this.#starts[this.lineAt(offset) - 1]! + 1;
  }
}

const ARRAY_TABLE_HEADER = /^[ \t]*\[\[[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([A-Za-z0-9_.-]+))[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?$/;

/**
 * 1-based lines of every `[[name]]` header, in order. smol-toml returns the array of tables in
 * document order, so the i-th line belongs to the i-th element. Headers inside multi-line strings
 * are skipped so a description quoting `[[package]]` cannot shift the count.
 */
export function arrayTableLines(text: string, name: string): number[] {
  if (!text.includes('"""') && !text.includes("'''")) return headerLinesWithoutMultilineStrings(text, name);
  const lines: number[] = [];
  let inMultiline: '"""' | "'''" | null = null;
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const line = end === -1 ? text.slice(start) : text.slice(start, end);
    lineNumber++;
    if (inMultiline !== null) {
      if (countOccurrences(line, inMultiline) % 2 === 1) inMultiline = null;
    } else {
      const header = line.includes('[[') ? headerName(line) : null;
      if (header === name) lines.push(lineNumber);
      // Every value line may open a multi-line string, one holding `[[` too (`description = """see
      // [[x]]`); a header may not (a `"""` after it is in its comment).
      if (header === null) inMultiline = openedMultiline(line);
    }
    if (end === -1) break;
    start = end + 1;
  }
  return lines;
}

/**
 * The common case (every lock tool's output): jump from `[[` to `[[`, counting newlines between.
 * Each line is looked at once, whatever it holds: after a `[[` the search resumes at the end of
 * its line (resuming right after the `[[` made a comment of a million `[` quadratic).
 */
function headerLinesWithoutMultilineStrings(text: string, name: string): number[] {
  const lines: number[] = [];
  let lineNumber = 1;
  let counted = 0;
  for (let at = text.indexOf('[[', 0); at !== -1; ) {
    const lineStart = text.lastIndexOf('\n', at) + 1;
    for (let i = text.indexOf('\n', counted); i !== -1 && i < lineStart; i = text.indexOf('\n', i + 1)) lineNumber++;
    counted = lineStart;
    const lineEnd = text.indexOf('\n', at);
    if (headerName(text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd)) === name) lines.push(lineNumber);
    if (lineEnd === -1) break;
    at = text.indexOf('[[', lineEnd);
  }
  return lines;
}

/** The delimiter of a multi-line string that a line outside one leaves open (an odd count of it), or null. */
function openedMultiline(line: string): '"""' | "'''" | null {
  for (const delimiter of ['"""', "'''"] as const) {
    if (line.includes(delimiter) && countOccurrences(line, delimiter) % 2 === 1) return delimiter;
  }
  return null;
}

function headerName(line: string): string | null {
  const match = ARRAY_TABLE_HEADER.exec(line);
  return match === null ? null : (match[1] ?? match[2] ?? match[3] ?? null);
}

function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) count++;
  return count;
}

/** 1-based line of the first top-level `key = …` line, or null (for `lock-version`, `version`, …). */
export function keyLine(text: string, key: string): number | null {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^[ \\t]*${escaped}[ \\t]*=`, 'm').exec(text);
  return match === null ? null : new LineIndex(text).lineAt(match.index);
}

export type LockTable = { [key: string]: unknown };

export type LockParse<T> = { ok: true; value: T } | { ok: false; error: ExtractError };

export type LockTomlParse = { ok: true; value: LockTable; packageLines: number[] } | { ok: false; error: ExtractError };

/**
 * How a lock's messages name it: by the format (`poetry.lock`) when the file is named so (or is a
 * `pylock.<name>.toml`, named by itself), else the file read as that format
 * (`requirements.txt (read as poetry.lock)`, with `deps --format`): never a file that was not read.
 */
function lockLabel(file: string, format: string): string {
  const name = file.slice(file.lastIndexOf('/') + 1);
  if (name === format || name === '') return format;
  if (format === 'pylock.toml' && /^pylock\.[^/]+\.toml$/.test(name)) return name;
  return `${name} (read as ${format})`;
}

/**
 * Parses a TOML lockfile; a syntax error becomes one error naming the line. Never throws. The
 * `[[package]]` headers (`[[packages]]` in pylock.toml: `arrayName`) are counted first: a lock with
 * more packages than one file may give is refused before its tables are built (the tables of
 * 160,000 one-line packages took 270 MB).
 */
export function parseLockToml(text: string, file: string, format: string, arrayName = 'package'): LockTomlParse {
  const label = lockLabel(file, format);
  if (text.length > MAX_LOCK_CHARS) {
    return { ok: false, error: { file, line: null, message: `${label} is too large to read (${text.length} characters; the limit is ${MAX_LOCK_CHARS})` } };
  }
  const packageLines = arrayTableLines(text, arrayName);
  if (packageLines.length > MAX_ENTRIES_PER_FILE) {
    const message = `${label} has ${packageLines.length} [[${arrayName}]] tables, more than the ${MAX_ENTRIES_PER_FILE} Depwatch reads from one file; not read`;
    return { ok: false, error: { file, line: packageLines[MAX_ENTRIES_PER_FILE] ?? null, message } };
  }
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const deepKey = dottedKeyPast(source, MAX_NESTING);
  if (deepKey !== null) {
    // smol-toml would build one nested table per part: a 5 MB `a.a.a…` key took 7 s and 1.1 GB.
    const message = `${label} has a dotted key of more than ${MAX_NESTING} parts; not read`;
    return { ok: false, error: { file, line: new LineIndex(source).lineAt(deepKey), message } };
  }
  try {
    const value = smolToml().parse(source, { maxDepth: MAX_NESTING }) as LockTable;
    if (nestsDeeperThan(value, MAX_NESTING)) {
      return { ok: false, error: { file, line: null, message: `${label} has tables or arrays nested more than ${MAX_NESTING} levels deep; not read` } };
    }
    return { ok: true, value, packageLines };
  } catch (error) {
    if (error instanceof smolToml().TomlError) {
      const reason = errorLine(error).replace(/^Invalid TOML document:\s*/, '');
      return {
        ok: false,
        error: { file, line: error.line, message: `${label} is not valid TOML (line ${error.line}, column ${error.column}): ${reason}` },
      };
    }
    return { ok: false, error: { file, line: null, message: `${label} could not be read: ${describe(error)}` } };
  }
}

/** Parses a JSON lockfile; a syntax error becomes one error with the line and column. Never throws. */
export function parseLockJson(text: string, file: string, format: string): LockParse<unknown> {
  const label = lockLabel(file, format);
  if (text.length > MAX_LOCK_CHARS) {
    return { ok: false, error: { file, line: null, message: `${label} is too large to read (${text.length} characters; the limit is ${MAX_LOCK_CHARS})` } };
  }
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const deepAt = jsonNestingPast(source, MAX_NESTING);
  if (deepAt !== null) {
    // Refused before JSON.parse builds it: two million nested arrays cost V8 250 MB.
    const line = new LineIndex(source).lineAt(deepAt);
    return { ok: false, error: { file, line, message: `${label} has objects or arrays nested more than ${MAX_NESTING} levels deep; not read` } };
  }
  try {
    return { ok: true, value: JSON.parse(source) as unknown };
  } catch (error) {
    const reason = describe(error);
    // V8 reports a character offset ("… in JSON at position 123"), or for an unexpected token only a
    // quote of the text around it (unexpectedToken); people need line and column.
    const position = /position (\d+)/.exec(reason);
    const unexpected = position === null ? unexpectedToken(reason, source) : null;
    const atEnd = source.trim() === '' ? 0 : /^Unexpected end of JSON input/.test(reason) ? source.length : null;
    const offset = position !== null ? Number(position[1]) : unexpected !== null ? unexpected.offset : atEnd;
    const cleaned = unexpected?.reason ?? reason.replace(/\s*in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    if (offset === null) return { ok: false, error: { file, line: null, message: `${label} is not valid JSON: ${cleaned}` } };
    const lines = new LineIndex(source);
    const line = lines.lineAt(offset);
    const column = lines.columnAt(offset);
    return { ok: false, error: { file, line, message: `${label} is not valid JSON (line ${line}, column ${column}): ${cleaned}` } };
  }
}

/** Characters V8 quotes before an unexpected token when there are more (`..."` then ten characters). */
const V8_JSON_CONTEXT = 10;

/**
 * Node 20's JSON.parse gives no offset for an unexpected token, only a quote of up to ten characters
 * either side of it: `Unexpected token 'S', ..."x": SECRETVALU"... is not valid JSON`. The quote is
 * part of the file (a value there may be a credential), so it is not repeated; it says where the
 * token is: the first place the quote is found (the same characters earlier would have stopped the
 * parse there), at its tenth character when text before it was cut, else where the file starts.
 * The token is checked to be there; otherwise the offset is null (said without a place, never a wrong one).
 */
function unexpectedToken(reason: string, source: string): { reason: string; offset: number | null } | null {
  const m = /^(Unexpected token '[\s\S]{1,2}'), (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(reason);
  if (m === null) return null;
  const [, said, cutBefore, quote, cutAfter] = m as unknown as [string, string, string | undefined, string, string | undefined];
  const token = said.slice('Unexpected token \''.length, -1);
  const start = cutBefore ? source.indexOf(quote) : 0;
  const within = cutBefore ? V8_JSON_CONTEXT : cutAfter ? quote.length - V8_JSON_CONTEXT : quote.indexOf(token);
  const offset = start >= 0 && within >= 0 && source.startsWith(token, start + within) ? start + within : null;
  return { reason: said, offset };
}

/**
 * Offset where TOML text has more than `limit` dots between two of `= , [ ] { }`, a newline or a
 * comment, not counting dots in strings: only a dotted key can (a float has one dot, versions are
 * strings). Null when there is none. One pass, strings of every kind skipped.
 */
export function dottedKeyPast(text: string, limit: number): number | null {
  let dots = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (++dots > limit) return i;
    } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      const quote = text[i]!;
      const triple = quote + quote + quote;
      if (text.startsWith(triple, i)) {
        for (i += 3; i < n && !text.startsWith(triple, i); i++) if (c === 0x22 && text.charCodeAt(i) === 0x5c /* \ */) i++;
        // The closing run may be up to five quotes long (two of them content).
        i += 2;
        while (i + 1 < n && text.charCodeAt(i + 1) === c) i++;
      } else {
        for (i++; i < n; i++) {
          const d = text.charCodeAt(i);
          if (d === 0x5c /* \ */ && quote === '"') i++;
          else if (d === c || d === 0x0a) break;
        }
      }
    } else if (c === 0x23 /* # */) {
      while (i < n && text.charCodeAt(i) !== 0x0a) i++;
      dots = 0;
    } else if (c === 0x3d || c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x0a) {
      dots = 0;
    }
  }
  return null;
}

/** Offset of the first `{` or `[` nested more than `limit` deep in JSON text (strings skipped), or null. */
export function jsonNestingPast(text: string, limit: number): number | null {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    } else if (c === 34 /* " */) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    }
  }
  return null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isLockTable(value: unknown): value is LockTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Own-property lookup, so a package called `constructor` or `__proto__` is plain data. */
export function own(table: LockTable, key: string): unknown {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function ownString(table: LockTable, key: string): string | null {
  const value = own(table, key);
  return typeof value === 'string' ? value : null;
}

export function ownTable(table: LockTable, key: string): LockTable | null {
  const value = own(table, key);
  return isLockTable(value) ? value : null;
}

export function ownArray(table: LockTable, key: string): unknown[] {
  const value = own(table, key);
  return Array.isArray(value) ? value : [];
}

/** Strings of an array, dropping anything else (locks are machine-written; oddities are ignored). */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

const HASH = /^([A-Za-z0-9_-]+)[:=]([A-Za-z0-9+/=_-]+)$/;

/** `sha256:abc` (or pip's `sha256=abc`) → `sha256:abc`; anything else is not a hash. */
export function normalizeHash(value: string): string | null {
  const match = HASH.exec(value.trim());
  return match === null ? null : `${match[1]!.toLowerCase()}:${match[2]!}`;
}

/** Unique, in first-seen order: a lock lists each file once, but the same hash may repeat. */
export function collectHashes(values: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const value of values) {
    const hash = normalizeHash(value);
    if (hash !== null) seen.add(hash);
  }
  return [...seen];
}

/** Hashes of `[{file, hash}]` / `[{url, hash}]` arrays, as Poetry, PDM and uv write them. */
export function fileHashes(files: unknown): string[] {
  if (!Array.isArray(files)) return [];
  const raw: string[] = [];
  for (const file of files) {
    if (isLockTable(file)) {
      const hash = ownString(file, 'hash');
      if (hash !== null) raw.push(hash);
    }
  }
  return raw;
}

/**
 * A marker as packaging prints it. A marker our parser does not understand is kept as written:
 * the lock tool accepted it, and dropping it would hide that the entry is conditional.
 */
export function cleanMarker(marker: string | null): string | null {
  if (marker === null) return null;
  const trimmed = marker.trim();
  if (trimmed === '') return null;
  return normalizeMarker(trimmed) ?? trimmed;
}


const PYPI_INDEXES = new Set([
  'https://pypi.org/simple',
  'https://pypi.python.org/simple',
  'https://pypi.org/pypi',
  'https://pypi.python.org/pypi',
]);

/** Whether an index URL is PyPI itself (any of the spellings lock tools write). */
export function isPypiIndex(url: string): boolean {
  // Nearly every entry of a real lock names PyPI exactly as written here; skip the clean-up then.
  if (PYPI_INDEXES.has(url)) return true;
  return PYPI_INDEXES.has(trimEndChar(stripUrlCredentials(url).trim(), '/').replace(/^http:/, 'https:').toLowerCase());
}

/**
 * The warning for a lock version newer than we know. The entries are still read (the formats
 * have only ever grown), but a person should know the result may be incomplete.
 */
export function unknownVersionWarning(file: string, line: number | null, label: string, version: string, known: string): ExtractError {
  return {
    file,
    line,
    message: `${label} version ${version} is not one Depwatch knows (it reads ${known}); entries were read as the newest known version and some details may be missing`,
  };
}

/**
 * 1-based lines of the keys of every object nested one level inside the top-level object:
 * section → entry key → line. For Pipfile.lock that is `"default": { "requests": {` → the line
 * of `"requests"`. One pass over the text; only called after JSON.parse accepted it.
 */
export function jsonSectionKeyLines(text: string): Map<string, Map<string, number>> {
  const sections = new Map<string, Map<string, number>>();
  // Only the two outermost containers matter, so only their kinds are kept: a depth counter
  // covers the rest, and text nested a million deep costs no memory here.
  const outer: Array<'{' | '['> = [];
  let depth = 0;
  let line = 1;
  let section: string | null = null;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      line++;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth < 2) outer[depth] = c === 123 ? '{' : '[';
      depth++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (depth > 0) depth--;
    } else if (c === 34 /* " */) {
      const start = i;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
      // Only keys one or two objects deep matter; everything else is skipped without decoding.
      if ((depth === 1 || depth === 2) && outer[depth - 1] === '{' && nextNonSpace(text, i + 1) === ':') {
        const key = decodeJsonString(text.slice(start, i + 1));
        if (key === null) continue;
        if (depth === 1) {
          section = key;
        } else if (section !== null && outer[0] === '{') {
          let entries = sections.get(section);
          if (entries === undefined) {
            entries = new Map();
            sections.set(section, entries);
          }
          if (!entries.has(key)) entries.set(key, line);
        }
      }
    }
  }
  return sections;
}

function nextNonSpace(text: string, from: number): string | null {
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return c;
  }
  return null;
}

function decodeJsonString(literal: string): string | null {
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}
