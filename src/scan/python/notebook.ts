/**
 * A Jupyter notebook (`.ipynb`) read as the Python its code cells run: the cells joined into one
 * text, line for line, with IPython's own syntax blanked (ipython-cell.ts), so the Python rules run
 * on it as on a `.py` file, in one parse (imports in the first cell apply to the calls in the last,
 * as they do in the kernel). Outputs, markdown and raw cells are not code and are left out.
 *
 * Each line of that text knows its cell (numbered from 1 among all cells, as Jupyter shows them),
 * its line in the cell and where its source string is in the JSON, so a finding is reported in the
 * `.ipynb` at the JSON line of that source line (see NotebookPython.places for why that line).
 *
 * The JSON is read by the reader the lockfiles use (limits on size and nesting, one line for a file
 * that does not parse), and every pass here is linear: a notebook of megabytes and thousands of
 * cells costs a few passes over its text and the parse the same Python would cost in a `.py` file.
 */
import { parseLockJson } from '../../python/formats/lock-lines.js';
import { baseName } from '../paths.js';
import { LineIndex } from '../text.js';
import { cellPython } from './ipython-cell.js';
import { sourcePlaces, type SourcePlaces } from './notebook-places.js';
import { partitionPoint } from '../../sorted.js';

/** A place in a notebook: its cell (1-based among all cells), the line in the cell, and the line and column in the JSON file. */
export interface NotebookPlace {
  cell: number;
  cellLine: number;
  line: number;
  column: number;
}

/** Something about a cell the code rules could not read (its code was not checked): partial. */
export interface NotebookGap {
  cell: number;
  /** The line in the cell, null when the gap is the whole cell. */
  cellLine: number | null;
  /** The same line in the joined Python text (1-based), null when it has none there. */
  line: number | null;
  message: string;
}

export type NotebookRead =
  | { kind: 'python'; python: NotebookPython; gaps: NotebookGap[] }
  /** A notebook of another language (an R or Julia kernel): not Python, as a `.R` file is not. */
  | { kind: 'other-language'; language: string }
  /** Not a notebook Jupyter could open: one clear line (with its line in the file when known). */
  | { kind: 'invalid'; line: number | null; message: string };

const LONE_CR = /\r(?!\n)/g;

/** Reads a notebook's JSON text (lone CRs already made LF, as the scan does for every file). */
export function readNotebook(text: string, path: string): NotebookRead {
  const name = baseName(path);
  const parsed = parseLockJson(text, path, name);
  if (!parsed.ok) {
    // The reader names the file first (the scan's line names its path); it never quotes the text.
    const message = parsed.error.message.replace(new RegExp(`^${escapeRegExp(name)} (?:is )?`), '');
    return { kind: 'invalid', line: parsed.error.line, message };
  }
  const doc = parsed.value;
  if (!isObject(doc)) return { kind: 'invalid', line: 1, message: 'not a Jupyter notebook (the JSON is not an object with `cells`)' };
  // nbformat 4 has `cells`; nbformat 3 a list of `worksheets`, each with its `cells`, numbered on across them.
  const v3 = !Array.isArray(own(doc, 'cells')) && Array.isArray(own(doc, 'worksheets'));
  const listed = v3 ? (own(doc, 'worksheets') as unknown[]).map((w) => (isObject(w) ? own(w, 'cells') : undefined)) : [own(doc, 'cells')];
  if (!listed.every(Array.isArray)) return { kind: 'invalid', line: 1, message: 'not a Jupyter notebook (no `cells` list)' };
  const cells = (listed as unknown[][]).flat();
  const language = notebookLanguage(doc);
  if (language !== null && !PYTHON_LANGUAGE.test(language)) return { kind: 'other-language', language };

  const codeKey = v3 ? 'input' : 'source';
  const sources: { cell: number; parts: string[] }[] = [];
  const unread: number[] = [];
  cells.forEach((cell, i) => {
    if (!isObject(cell) || own(cell, 'cell_type') !== 'code') return;
    const source = own(cell, codeKey);
    if (typeof source === 'string') sources.push({ cell: i, parts: [source] });
    else if (Array.isArray(source) && source.every((s) => typeof s === 'string')) sources.push({ cell: i, parts: source as string[] });
    else unread.push(i + 1); // nbformat would refuse it; its code, if any, is not known
  });
  return joinCells(text, sources, sourcePlaces(text, codeKey, v3), cells.length, unread);
}

/** Kernels whose cells are Python (`language_info.name`, the kernel's `language`). */
const PYTHON_LANGUAGE = /^(?:i?python\d*(?:\.\d+)*|pyspark|pypy\d*)$/;

/** The language a notebook declares (`language_info.name`, the kernel's `language`), lower case, or null. */
function notebookLanguage(doc: Record<string, unknown>): string | null {
  const metadata = own(doc, 'metadata');
  if (!isObject(metadata)) return null;
  const info = own(metadata, 'language_info');
  const kernel = own(metadata, 'kernelspec');
  const name = (isObject(info) ? own(info, 'name') : undefined) ?? (isObject(kernel) ? own(kernel, 'language') : undefined) ?? own(metadata, 'language');
  return typeof name === 'string' && name.trim() !== '' ? name.trim().toLowerCase() : null;
}

/**
 * The joined Python and its map back to the notebook. Two passes over the code cells: one to
 * count lines (so the map is a few typed arrays, not an object per line), one to fill them.
 */
function joinCells(json: string, sources: { cell: number; parts: string[] }[], places: SourcePlaces, cellCount: number, unread: number[]): NotebookRead {
  // The places found by the walk must be the strings JSON.parse gave, one for one; else (a key
  // repeated in odd ways) no finding is placed on a line that may be another's: line 1, the cell in the message.
  const placed = places.length === cellCount && sources.every((s) => places[s.cell]?.length === s.parts.length);
  const cellsPython = sources.map((s) => {
    // Lone CRs end lines, as in a `.py` file; CR to LF keeps every length, so the strings are cut again where they were.
    const joined = s.parts.join('');
    const source = joined.includes('\r') ? joined.replace(LONE_CR, '\n') : joined;
    let from = 0;
    const parts = source === joined ? s.parts : s.parts.map((p) => source.slice(from, (from += p.length)));
    return { cell: s.cell, parts, source, python: cellPython(source) };
  });
  let total = 0;
  for (const c of cellsPython) total += c.python.lines.length;
  const map = {
    cell: new Int32Array(total),
    cellLine: new Int32Array(total),
    /** Offset in the JSON of the opening quote of the string the line starts in (-1: not placed). */
    quote: new Int32Array(total),
    /** Where the line starts in that string's decoded text, plus the characters IPython removed before it. */
    offset: new Int32Array(total),
  };
  const gaps: NotebookGap[] = unread.map((cell) => ({ cell, cellLine: null, line: null, message: `a code cell whose \`source\` is not text (a string or a list of strings); not read` }));
  const texts: string[] = [];
  let at = 0;
  for (const { cell, parts, source, python } of cellsPython) {
    const starts = placed ? places[cell]! : null;
    // Walks the cell's lines and its strings together: the string a line starts in, and where in it.
    let part = 0;
    let partStart = 0;
    let lineStart = 0;
    const firstOfCell = at;
    for (let k = 0; k < python.lines.length; k++) {
      while (part < parts.length - 1 && lineStart >= partStart + parts[part]!.length) partStart += parts[part++]!.length;
      map.cell[at] = cell + 1;
      map.cellLine[at] = k + 1;
      map.quote[at] = starts ? starts[part]! : -1;
      map.offset[at] = lineStart - partStart + (python.shifts?.[k] ?? 0);
      texts.push(python.lines[k]!);
      const nl = source.indexOf('\n', lineStart);
      lineStart = nl === -1 ? source.length : nl + 1;
      at++;
    }
    if (python.unclosed !== null) {
      const line = firstOfCell + python.unclosed.line;
      gaps.push({ cell: cell + 1, cellLine: python.unclosed.line, line, message: `${python.unclosed.what} opened here is not closed in the cell (IPython would not run it); code rules not run on this cell` });
    }
  }
  return { kind: 'python', python: new NotebookPython(json, texts.join('\n'), map), gaps };
}

/** The joined Python text of a notebook's code cells, and where each of its lines is in the notebook. */
export class NotebookPython {
  constructor(
    private readonly json: string,
    /** The code cells' Python, joined: what the rules read. */
    readonly text: string,
    private readonly map: { cell: Int32Array; cellLine: Int32Array; quote: Int32Array; offset: Int32Array },
  ) {
    this.jsonLines = new LineIndex(json);
  }

  /** The cell and its line of a 1-based line of `text`. */
  cellOf(line: number): { cell: number; cellLine: number } {
    const i = Math.min(Math.max(line, 1), this.map.cell.length) - 1;
    return { cell: this.map.cell[i] ?? 0, cellLine: this.map.cellLine[i] ?? line };
  }

  /**
   * Places in the notebook of positions in `text` (1-based lines and columns), in the order given.
   *
   * The line is the JSON line where the source line is: Jupyter writes a cell's source as a list
   * of strings, one line each, one a JSON line (`json.dump(indent=1)`), so that is the line a
   * reviewer opens, GitHub's code scanning annotates and a `git diff` shows; the column is in that
   * JSON line (escapes counted as written), so SARIF's region points at the code itself. A source
   * written as one string puts the whole cell on one JSON line: that line, the cell and its line in
   * the message. When the strings could not be placed (see joinCells): line 1.
   *
   * Positions are walked in order within each string, from where the last one ended: linear
   * however many findings a long string has.
   */
  places(positions: readonly { line: number; column: number }[]): NotebookPlace[] {
    const order = positions.map((_, i) => i).sort((a, b) => positions[a]!.line - positions[b]!.line || positions[a]!.column - positions[b]!.column);
    const out: NotebookPlace[] = new Array(positions.length);
    let walk = { quote: -1, decoded: 0, raw: 0 };
    for (const i of order) {
      const { line, column } = positions[i]!;
      const { cell, cellLine } = this.cellOf(line);
      const k = Math.min(Math.max(line, 1), this.map.cell.length) - 1;
      const quote = this.map.quote[k] ?? -1;
      if (quote < 0) {
        out[i] = { cell, cellLine, line: 1, column: 1 };
        continue;
      }
      const target = (this.map.offset[k] ?? 0) + column - 1;
      if (walk.quote !== quote || walk.decoded > target) walk = { quote, decoded: 0, raw: quote + 1 };
      walk = this.advance(walk, target);
      const { line: jsonLine, column: jsonColumn } = this.jsonPosition(walk.raw);
      out[i] = { cell, cellLine, line: jsonLine, column: jsonColumn };
    }
    return out;
  }

  /**
   * The reverse of places: positions in the JSON text (1-based lines and columns, such as a secret
   * found in the notebook's text) as positions in `text`, or null where the JSON there is no code
   * cell's source (outputs, metadata, markdown). Walked in order as places is: linear.
   */
  codePositions(positions: readonly { line: number | null; column: number | null }[]): ({ line: number; column: number } | null)[] {
    const offsets = positions.map((p) => (p.line === null ? -1 : this.jsonLines.offset(p.line, p.column ?? 1)));
    const order = offsets.map((_, i) => i).sort((a, b) => offsets[a]! - offsets[b]!);
    const out: ({ line: number; column: number } | null)[] = new Array(positions.length).fill(null);
    const { quote, offset } = this.map;
    let walk = { quote: -1, decoded: 0, raw: 0 };
    for (const i of order) {
      const at = offsets[i]!;
      // The last line whose string opens at or before the position (quotes grow with the lines).
      const k = lastAtOrBefore(quote, at, quote.length);
      if (at < 0 || k < 0 || quote[k]! < 0) continue;
      const q = quote[k]!;
      if (walk.quote !== q || walk.raw > at) walk = { quote: q, decoded: 0, raw: q + 1 };
      while (walk.raw < at && walk.raw < this.json.length && this.json.charCodeAt(walk.raw) !== 0x22 /* " */) {
        walk.raw += this.json.charCodeAt(walk.raw) === 0x5c /* \ */ ? (this.json[walk.raw + 1] === 'u' ? 6 : 2) : 1;
        walk.decoded++;
      }
      if (walk.raw !== at) continue; // past the string's end: not in this source
      // Among the lines that start in this string, the last that starts at or before the position.
      const first = firstAtOrAfter(quote, q, k + 1);
      const j = Math.max(first, partitionPoint(first, k + 1, (m) => offset[m]! <= walk.decoded) - 1);
      out[i] = { line: j + 1, column: Math.max(1, walk.decoded - offset[j]! + 1) };
    }
    return out;
  }

  /** Steps through a JSON string from `walk` until `target` decoded characters are behind (or the string ends). */
  private advance(walk: { quote: number; decoded: number; raw: number }, target: number) {
    let { decoded, raw } = walk;
    const json = this.json;
    while (decoded < target && raw < json.length && json.charCodeAt(raw) !== 0x22 /* " */) {
      raw += json.charCodeAt(raw) === 0x5c /* \ */ ? (json[raw + 1] === 'u' ? 6 : 2) : 1;
      decoded++;
    }
    return { quote: walk.quote, decoded, raw };
  }

  /** Lines of the JSON text, found by one index built on first use. */
  private readonly jsonLines: LineIndex;

  private jsonPosition(offset: number): { line: number; column: number } {
    return this.jsonLines.position(offset);
  }
}

/** The last index below `end` whose value is at most `value` in a non-decreasing array, or -1. */
function lastAtOrBefore(values: Int32Array, value: number, end: number): number {
  return partitionPoint(0, end, (i) => values[i]! <= value) - 1;
}

/** The first index below `end` whose value is at least `value` in a non-decreasing array (`end` when none is). */
function firstAtOrAfter(values: Int32Array, value: number, end: number): number {
  return partitionPoint(0, end, (i) => values[i]! < value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property lookup: a notebook's keys are data (`__proto__` is a key like any other). */
function own(table: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
