/**
 * How large a SARIF is once gzip-compressed, as GitHub code scanning counts it (it rejects a file
 * over 10 MB so, see sarif-limits.ts), measured while its text is made, in one pass.
 *
 * Most files are far under the limit: gzip never makes a file more than a few bytes in 64 KB larger,
 * so a text within a percent of the limit fits uncompressed, and its pieces are kept and handed back
 * to be written as they are (nothing compressed, nothing made twice). Past that the text is
 * compressed as it comes, a piece of about 64 KB at a time, each with the 32 KB before it as its
 * dictionary: deflate looks back no further than 32 KB, so each piece compresses as it would in one
 * pass over the whole file, and the sizes add up to within a percent of that pass, above it (a
 * block ends at each piece: a generated SARIF of 9 MB came out 0.6% over). Every byte is compressed
 * once, and only the last 32 KB of text is held. The sizes at the end of each piece, with how many
 * results were written by then, are the marks fitGzipped cuts by.
 */
import { deflateRawSync } from 'node:zlib';
import { GZIP_FRAME_BYTES, type CompressedSizes, type SizeMark } from './sarif-limits.js';

/** How far back deflate finds repeated text: the dictionary each piece is given. */
const WINDOW_BYTES = 32 * 1024;

/** Either the whole text (it fits uncompressed), or how large it is compressed. */
export type Measured = { uncompressedFits: true; chunks: string[] } | { uncompressedFits: false; sizes: CompressedSizes };

/** Whether a text of `raw` bytes fits in `limit` whatever gzip makes of it (a stored block adds 5 bytes in at most 64 KB). */
const fitsUncompressed = (raw: number, limit: number) => raw + Math.ceil(raw / 100) + GZIP_FRAME_BYTES <= limit;

/**
 * Reads `chunks` (a SARIF's text, in order) to its end. `pulled()` is how many results its maker
 * has taken so far: a result taken while a piece was made is written by the end of the next one,
 * at the latest, which is what each mark's `written` counts on.
 */
export function measureGzipped(chunks: Iterable<string>, pulled: () => number, limit: number): Measured {
  // A piece small enough that a small limit still has many marks; 64 KB keeps the dictionaries a third of the work.
  const pieceBytes = Math.min(64 * 1024, Math.max(4 * 1024, Math.floor(limit / 128)));
  let held: { chunk: string; written: number; started: number }[] | null = [];
  let raw = 0;
  let before = 0;
  const piece: string[] = [];
  let pieceLength = 0;
  let dictionary = Buffer.alloc(0);
  let compressed = 0;
  const marks: SizeMark[] = [];

  const compressPiece = (written: number, started: number) => {
    const input = Buffer.from(piece.join(''));
    compressed += deflateRawSync(input, dictionary.length > 0 ? { dictionary } : {}).length;
    dictionary = input.length >= WINDOW_BYTES ? Buffer.from(input.subarray(input.length - WINDOW_BYTES)) : Buffer.concat([dictionary, input]).subarray(-WINDOW_BYTES);
    piece.length = 0;
    pieceLength = 0;
    marks.push({ written, started, bytes: compressed });
  };
  const add = (chunk: string, written: number, started: number) => {
    piece.push(chunk);
    pieceLength += chunk.length;
    // Characters, not bytes: a piece of non-ASCII text is larger, which only makes it fewer pieces.
    if (pieceLength >= pieceBytes) compressPiece(written, started);
  };

  for (const chunk of chunks) {
    const now = pulled();
    raw += Buffer.byteLength(chunk);
    if (held !== null) {
      held.push({ chunk, written: before, started: now });
      if (!fitsUncompressed(raw, limit)) {
        for (const h of held) add(h.chunk, h.written, h.started);
        held = null;
      }
    } else {
      add(chunk, before, now);
    }
    before = now;
  }
  if (held !== null) return { uncompressedFits: true, chunks: held.map((h) => h.chunk) };
  if (pieceLength > 0 || marks.length === 0) compressPiece(before, before);
  // Everything is written at the end.
  const last = marks.at(-1)!;
  if (last.written < before) marks.push({ written: before, started: before, bytes: last.bytes });
  return { uncompressedFits: false, sizes: { marks, total: compressed + GZIP_FRAME_BYTES } };
}
