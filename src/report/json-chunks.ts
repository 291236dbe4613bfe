/**
 * JSON written in pieces, exactly as `JSON.stringify(value, null, 2)` would write it whole. A report
 * of 100,000 findings is 40-60 MB of JSON; building it as one string (and handing that string to
 * stdout, which copies it) added about 80 MB to the CLI's peak memory, past issue 12's 300 MB
 * bound. Arrays wrapped in `streamed()` are produced one element at a time from any iterable, so
 * neither the mapped array nor the whole text ever exists at once.
 */

const STREAMED = Symbol('streamed');

export interface Streamed<T> {
  readonly [STREAMED]: Iterable<T>;
}

/**
 * An array whose elements are made, and written, one at a time. Each element is a plain JSON value
 * (a finding, a SARIF result) written whole: a streamed array never holds another, so nothing is
 * searched inside them (a walk over every field of every finding, when elements could).
 */
export const streamed = <T>(items: Iterable<T>): Streamed<T> => ({ [STREAMED]: items });

/** Each item mapped as it is taken: what a streamed array of a report's values is made from. */
export function* lazyMap<T, U>(items: readonly T[], map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

const isStreamed = (value: unknown): value is Streamed<unknown> => typeof value === 'object' && value !== null && STREAMED in value;

/**
 * Whether anything below `value` is streamed (then `value` is written piece by piece too). Asked
 * of every element a report streams, so it walks without making arrays of values.
 */
function holdsStreamed(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (STREAMED in value) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsStreamed(item)) return true;
    return false;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  // A plain object: for…in sees exactly its own enumerable string keys, as Object.values does.
  for (const key in value) if (holdsStreamed((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * `JSON.stringify(value, null, 2)` of a value nested at `indent`, as JSON.stringify nests it. The
 * value is stringified inside as many one-element arrays as it is deep, and the wrapping cut off:
 * JSON.stringify then indents every line itself, where re-indenting its text with a regular
 * expression was most of the cost of writing a large report.
 */
function leaf(value: unknown, indent: string, inArray: boolean): string | undefined {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return inArray ? 'null' : undefined;
  if (!indent) return JSON.stringify(value, null, 2) as string | undefined;
  const depth = indent.length >> 1;
  let wrapped: unknown = value;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  const inner = text.slice(wrapperOpening(depth).length, text.length - wrapperClosing(depth).length);
  // A toJSON() giving nothing comes out as null inside an array: outside one, it is left out.
  if (inner === 'null' && value !== null && !inArray && JSON.stringify(value) === undefined) return undefined;
  return inner;
}

/** `[\n  [\n    ` … : what JSON.stringify writes before a value wrapped in `depth` arrays. */
const wrapperOpening = (depth: number): string => (openings[depth] ??= Array.from({ length: depth }, (_, i) => `[\n${'  '.repeat(i + 1)}`).join(''));
/** … `\n  ]\n]`: what it writes after the value. */
const wrapperClosing = (depth: number): string => (closings[depth] ??= Array.from({ length: depth }, (_, i) => `\n${'  '.repeat(depth - 1 - i)}]`).join(''));
const openings: string[] = [];
const closings: string[] = [];

/**
 * A streamed array's elements, written whole a batch at a time: the batch is stringified as one
 * array, wrapped as deep as the array sits (see leaf), and its brackets cut off, which leaves
 * exactly the elements' lines with their separators. The bench's 5.8 MB report (3,852 elements)
 * was one JSON.stringify call per element, each element two pieces passed up three generators
 * and encoded on its own: JSON.stringify alone took 25 ms one element at a time and 17-18 ms in
 * batches of 16 to 256 (the same elements, measured alone); in the CLI, writing the report took
 * 55 ms wall and 92 ms CPU (median of 11 runs), 48 and 70 in batches. The CPU beyond the wall
 * was V8 optimizing the hot per-element path on its other threads (piece, items, leaf and the
 * write loop, some twice after deoptimizing: about 130 ms of compile time by
 * --log-function-events), which batches no longer make hot.
 *
 * Batches are sized by the text they make, not by count, so a report with huge elements (a fix
 * text of megabytes) never makes one huge string: after each batch the next is sized to come out
 * at about BATCH_UNITS, from the length of the elements just written. Elements inside a batch
 * are written by JSON.stringify itself, so what it does with undefined, functions, symbols and
 * toJSON() giving nothing in an array (null) holds for them as it does for any array.
 */
function* streamedItems(values: Iterable<unknown>, indent: string): Generator<string> {
  const depth = indent.length >> 1;
  const cutBefore = wrapperOpening(depth).length + 1; // the batch's own `[`
  const cutAfter = wrapperClosing(depth).length + indent.length + 2; // its `\n${indent}]`
  let batch: unknown[] = [];
  let size = FIRST_BATCH;
  let first = true;
  const written = (): string => {
    let wrapped: unknown = batch;
    for (let i = 0; i < depth; i++) wrapped = [wrapped];
    const text = JSON.stringify(wrapped, null, 2);
    const elements = text.slice(cutBefore, text.length - cutAfter);
    size = Math.max(1, Math.min(MAX_BATCH, Math.floor((batch.length * BATCH_UNITS) / Math.max(1, elements.length))));
    batch = [];
    return elements;
  };
  for (const value of values) {
    batch.push(value);
    if (batch.length < size) continue;
    yield first ? '[' : ',';
    first = false;
    yield written();
  }
  if (batch.length > 0) {
    yield first ? '[' : ',';
    first = false;
    yield written();
  }
  yield first ? '[]' : `\n${indent}]`;
}

/** The text a batch of streamed elements is sized to come out at (a quarter of a 64 KB write block, see writeChunks). */
const BATCH_UNITS = 1 << 14;
/** One element first: its length sizes the next batch, so no batch is made blind. */
const FIRST_BATCH = 1;
/**
 * However small the elements (batches of 16 to 256 findings cost the same). A batch's text is
 * about BATCH_UNITS unless its elements are far larger than the ones before: at most this many
 * times the largest.
 */
const MAX_BATCH = 64;

/** An ordinary array's elements, searched for the streamed arrays inside. */
function* items(values: readonly unknown[], indent: string): Generator<string> {
  let first = true;
  for (const value of values) {
    yield `${first ? '[' : ','}\n${indent}  `;
    first = false;
    yield* piece(value, `${indent}  `, true);
  }
  yield first ? '[]' : `\n${indent}]`;
}

function* piece(value: unknown, indent: string, inArray: boolean): Generator<string> {
  if (isStreamed(value)) return yield* streamedItems(value[STREAMED], indent);
  if (!holdsStreamed(value)) {
    const text = leaf(value, indent, inArray);
    if (text !== undefined) yield text;
    return;
  }
  if (Array.isArray(value)) return yield* items(value, indent);
  // JSON.stringify leaves out of an object what has no JSON form.
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) return yield '{}';
  let first = true;
  for (const [key, v] of entries) {
    yield `${first ? '{' : ','}\n${indent}  ${JSON.stringify(key)}: `;
    first = false;
    yield* piece(v, `${indent}  `, false);
  }
  yield `\n${indent}}`;
}

/** The pieces of `JSON.stringify(value, null, 2)`, with `streamed()` arrays expanded as they go. */
export function jsonChunks(value: unknown): Generator<string> {
  return piece(value, '', false);
}

/** The whole text at once (tests, and callers that need a string). */
export const jsonText = (value: unknown): string => [...jsonChunks(value)].join('');

/** Lines joined with line breaks (and one after the last), a thousand at a time. */
export function* linesInChunks(lines: readonly string[], size = 1_000): Generator<string> {
  for (let i = 0; i < lines.length; i += size) yield `${lines.slice(i, i + size).join('\n')}\n`;
}
