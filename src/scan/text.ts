/**
 * Bytes to text for scanning: binary files are recognised and passed over, UTF-8 is strict, UTF-16
 * with a byte order mark is read as text, and a line index turns offsets into 1-based line and
 * column without splitting the text into lines.
 */

export type Decoded =
  | { kind: 'text'; text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin-1' | 'windows-1252' }
  /** Not UTF-8 and no declared encoding: read as Latin-1 so secrets (ASCII) are still found, but code rules cannot trust it. */
  | { kind: 'not-utf8'; text: string }
  | { kind: 'binary' };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const latin1 = new TextDecoder('latin1');
const windows1252 = new TextDecoder('windows-1252');
const utf16le = new TextDecoder('utf-16le', { fatal: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true });

/** PEP 263: `# -*- coding: latin-1 -*-` on one of the first two lines. */
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** The UTF-16 encoding a byte order mark names, or null when the bytes do not start with one. */
export function utf16ByMark(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

export function decode(bytes: Uint8Array, python: boolean): Decoded {
  // UTF-16 text is full of NUL bytes, so it is recognised by its byte order mark before the NUL
  // test below would call it binary: Windows tools write it (PowerShell 5's Out-File and `>`), and
  // a config.yaml saved so holds its credentials like any other.
  const utf16 = utf16ByMark(bytes);
  if (utf16 !== null) return decodeUtf16(bytes, utf16);
  // A NUL byte in the first 8 KB: binary (git's own heuristic).
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return { kind: 'binary' };
  try {
    return { kind: 'text', text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    const text = latin1.decode(bytes);
    if (python) {
      const declared = declaredEncoding(text);
      if (declared === 'latin-1') return { kind: 'text', text, encoding: 'latin-1' };
      if (declared === 'windows-1252') return { kind: 'text', text: windows1252.decode(bytes), encoding: 'windows-1252' };
    }
    return { kind: 'not-utf8', text };
  }
}

/**
 * Text when the bytes are valid UTF-16 (the decoder drops the byte order mark) and, read so, hold
 * no NUL in their first 4096 characters (the same heuristic as for bytes); otherwise binary that
 * happens to start with the two bytes of a mark.
 */
function decodeUtf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): Decoded {
  let text: string;
  try {
    text = (encoding === 'utf-16le' ? utf16le : utf16be).decode(bytes);
  } catch {
    return { kind: 'binary' };
  }
  if (text.slice(0, 4096).includes('\0')) return { kind: 'binary' };
  return { kind: 'text', text, encoding };
}

function declaredEncoding(text: string): 'latin-1' | 'windows-1252' | null {
  const firstTwo = text.slice(0, 400).split('\n', 2);
  for (const line of firstTwo) {
    const m = CODING.exec(line.length > 200 ? line.slice(0, 200) : line);
    if (!m) continue;
    const name = m[1]!.toLowerCase().replace(/_/g, '-');
    if (/^(?:latin-?1|iso-?8859-1|l1|iso8859-1)$/.test(name)) return 'latin-1';
    if (/^(?:cp-?1252|windows-1252)$/.test(name)) return 'windows-1252';
  }
  return null;
}

/** Offsets to 1-based (line, column); built on first use, in one pass. */
export class LineIndex {
  private starts: Int32Array | null = null;

  constructor(private readonly text: string) {}

  position(offset: number): { line: number; column: number } {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  /** The text of a 1-based line (without its newline). */
  line(n: number): string {
    const starts = this.lineStarts();
    if (n < 1 || n > starts.length) return '';
    const start = starts[n - 1]!;
    const end = n < starts.length ? starts[n]! - 1 : this.text.length;
    return this.text.slice(start, end);
  }

  get count(): number {
    return this.lineStarts().length;
  }

  private lineStarts(): Int32Array {
    if (this.starts) return this.starts;
    let count = 1;
    for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) count++;
    const starts = new Int32Array(count);
    let k = 1;
    for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) starts[k++] = i + 1;
    this.starts = starts;
    return starts;
  }
}
