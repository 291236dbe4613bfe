/**
 * Bytes to text for scanning: binary files are recognised and passed over, UTF-8 is strict, UTF-16
 * with a byte order mark is read as text, and a line index turns offsets into 1-based line and
 * column without splitting the text into lines.
 */
import { partitionPoint } from '../sorted.js';

export type Decoded =
  /** `encoding`: the decoder's name (`utf-8`, `utf-16le`, `latin-1`, or the one a PEP 263 cookie named, such as `shift_jis`). */
  | { kind: 'text'; text: string; encoding: string }
  /**
   * Not UTF-8 and no declared encoding, or (Python) a PEP 263 cookie naming a codec that is not
   * decoded here or that the bytes do not follow (`declared`, as written): read as UTF-8 when they
   * are, else as Latin-1, so secrets (ASCII) are still found, but code rules cannot trust it.
   * `unsupported`: the codec is one no decoder here reads (utf-7, unicode_escape…).
   */
  | { kind: 'not-utf8'; text: string; declared?: string; unsupported?: boolean }
  | { kind: 'binary' };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const latin1 = new TextDecoder('latin1');
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
  // Python reads its source in the codec a PEP 263 cookie names, whatever the bytes look like:
  // `# coding: utf-7` makes `+AG8AcwAu…-` the code `os.system(…)`, and `unicode_escape` makes `\n`
  // inside a comment a new line. So a cookie decides, and a codec that cannot be decoded here is
  // never read as UTF-8 in its place: code rules would see a comment where Python runs code.
  const cookie = python ? codingCookie(bytes) : null;
  if (cookie !== null) {
    // Decoded as pip decodes a requirements file (decodeWith): Python's latin-1 byte for byte, cp1252
    // by its table (Node 20's TextDecoder reads it as latin-1: CP1252_HIGH).
    const label = pipCodecLabel(cookie);
    if (label === 'utf-8') return decodeUtf8(bytes, cookie);
    if (label === null) return { kind: 'not-utf8', text: utf8OrLatin1(bytes), declared: cookie, unsupported: true };
    const text = decodeWith(bytes, label);
    return text === null ? { kind: 'not-utf8', text: utf8OrLatin1(bytes), declared: cookie } : { kind: 'text', text, encoding: label };
  }
  return decodeUtf8(bytes, null);
}

function decodeUtf8(bytes: Uint8Array, declared: string | null): Decoded {
  try {
    return { kind: 'text', text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    return { kind: 'not-utf8', text: latin1.decode(bytes), ...(declared !== null ? { declared } : {}) };
  }
}

/** Strict UTF-8, else Latin-1 (every byte a character: ASCII secrets are still found). */
export function utf8OrLatin1(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/** Strict UTF-8, or null when the bytes are not (a file with NUL bytes that may still be text). */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * A line-based file (a requirements file, setup.cfg) whose bytes are not all UTF-8 text: `text` as a
 * lenient decoder reads it, each invalid byte sequence one U+FFFD (the WHATWG decoder's count), and
 * `undecodable`, in order, the offsets in `text` of each character that stands for bytes that are
 * not text: those U+FFFD, and each NUL. A genuine U+FFFD (the bytes EF BF BD) is text and is not
 * listed. An invalid sequence never swallows a line break (LF is no continuation byte), so each is
 * confined to its line, and readers can drop that line alone.
 */
export type DecodedLines = { kind: 'text'; text: string; undecodable: readonly number[] } | { kind: 'binary' };

const utf8Lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Bytes to text for a file whose name says it is a line-based manifest: UTF-8 (its byte order mark
 * dropped) or UTF-16 with a mark as `decode` reads them, and otherwise line by line. NUL bytes alone
 * do not make it binary: git's heuristic (a NUL in the first 8 KB) is for files of unknown kind,
 * and here the name says what the file is; pip reads a NUL like any character (a comment holding
 * one is dropped). So it is binary only when most of its lines, and at least MIN_BINARY_LINES of
 * them, hold NUL or invalid bytes (an archive or UTF-16 without a mark, renamed, is that: every line
 * of it), which one line of errors per line would bury; a text file with a stray NUL or a Latin-1
 * comment is read, even a one-line one, and readers say what each bad line costs.
 * Linear: one pass over the bytes when they are not UTF-8, none more when they are.
 */
export function decodeLines(bytes: Uint8Array): DecodedLines {
  if (utf16ByMark(bytes) !== null) {
    const decoded = decode(bytes, false);
    return decoded.kind === 'text' ? { kind: 'text', text: decoded.text, undecodable: [] } : { kind: 'binary' };
  }
  const hasNul = bytes.includes(0);
  if (!hasNul) {
    try {
      return { kind: 'text', text: utf8.decode(bytes), undecodable: [] };
    } catch {
      // Not UTF-8: found line by line below.
    }
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const { undecodable, lines, badLines } = undecodableOffsets(bytes, start);
  if (hasNul && badLines >= MIN_BINARY_LINES && badLines * 2 > lines) return { kind: 'binary' };
  return { kind: 'text', text: utf8Lenient.decode(bytes.subarray(start)), undecodable };
}

/**
 * The fewest bad lines that make a file binary: a majority of one or two lines is no evidence (a
 * one-line file whose only NUL is in a comment pip drops is text), and a file of so few lines costs
 * at most that many errors when read. UTF-16 without a mark has a NUL in every line, and one more
 * line after its last line end (the high byte of LF), so even a two-line one has three.
 */
const MIN_BINARY_LINES = 3;

/**
 * Walks the bytes as the WHATWG UTF-8 decoder does (one U+FFFD for each maximal invalid subpart,
 * the byte that broke a sequence read again), counting UTF-16 code units, so each offset is where
 * TextDecoder puts that character. Counts the lines and those holding such a character, lines
 * ended as both readers of these files end them (requirements: `str.splitlines`; setup.cfg: its
 * INI split): at CRLF, LF or a lone CR. (splitlines' rarer breaks, \v \f \x1c-\x1e \x85
 * U+2028 U+2029, are not counted: setup.cfg does not split there, and a text file rarely holds them.)
 */
function undecodableOffsets(bytes: Uint8Array, start: number): { undecodable: number[]; lines: number; badLines: number } {
  const undecodable: number[] = [];
  let offset = 0;
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  let lines = 0;
  let badLines = 0;
  let lineIsBad = false;
  /** The last byte read ended a line with CR: an LF right after it ends no line more (CRLF). */
  let afterCr = false;
  const bad = () => {
    undecodable.push(offset++);
    lineIsBad = true;
  };
  const endLine = () => {
    lines++;
    if (lineIsBad) badLines++;
    lineIsBad = false;
  };
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (needed === 0) {
      const crBefore = afterCr;
      afterCr = b === 0x0d;
      if (b < 0x80) {
        if (b === 0) bad();
        else offset++;
        if (b === 0x0d || (b === 0x0a && !crBefore)) endLine();
      } else if (b >= 0xc2 && b <= 0xdf) needed = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3;
      } else bad();
      continue;
    }
    if (b < lower || b > upper) {
      // The sequence so far is one U+FFFD; this byte starts afresh.
      needed = seen = 0;
      lower = 0x80;
      upper = 0xbf;
      bad();
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    if (++seen === needed) {
      offset += needed === 3 ? 2 : 1;
      needed = seen = 0;
    }
  }
  if (needed !== 0) bad();
  // A last line without its line end counts too.
  const last = bytes[bytes.length - 1];
  if (offset > 0 && last !== 0x0a && last !== 0x0d) endLine();
  return { undecodable, lines, badLines };
}

/**
 * Text when the bytes are valid UTF-16 (the decoder drops the byte order mark) and, read so, hold
 * no NUL in their first 4096 characters (the same heuristic as for bytes); otherwise binary that
 * happens to start with the two bytes of a mark.
 */
/** How much of a file's start is looked at to tell UTF-16 text without a byte order mark, or text padded with NULs. */
const SHAPE_PREFIX = 8192;

/**
 * UTF-16 text without a byte order mark, told by its shape, or null: in the first 8 KB, at least
 * half of the two-byte units are an ASCII-range character (a NUL byte on one side: `p\0a\0` is
 * little-endian, `\0p\0a` big-endian), at most one in eight of those has its NUL on the other side
 * (a character such as 가 U+AC00 or ─ U+2500 is `00 AC` little-endian), and no unit is NUL itself
 * (text has none; binary formats are full of `00 00`). Then the whole file must decode strictly,
 * with no NUL character in its first 4096. Windows tools write such files (a settings.json saved
 * by `Out-File -Encoding Unicode` from some hosts, .NET's `Encoding.Unicode.GetBytes`), and a
 * token in one is as usable as in UTF-8. Not for manifests or Python (pip and CPython do not read
 * them as UTF-16), only for finding secrets. One bounded pass over the prefix.
 */
export function decodeUtf16ByShape(bytes: Uint8Array): { text: string; encoding: 'utf-16le' | 'utf-16be' } | null {
  const encoding = utf16Shape(bytes);
  if (encoding === null) return null;
  const decoded = decodeUtf16(bytes, encoding);
  return decoded.kind === 'text' ? { text: decoded.text, encoding } : null;
}

/** The byte order of UTF-16 text by its shape in the first 8 KB (see `decodeUtf16ByShape`), or null. One bounded pass. */
function utf16Shape(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const units = Math.min(bytes.length, SHAPE_PREFIX) >> 1;
  let little = 0;
  let big = 0;
  for (let k = 0; k < units; k++) {
    const first = bytes[2 * k]!;
    const second = bytes[2 * k + 1]!;
    if (first === 0 && second === 0) return null;
    if (second === 0) little++;
    else if (first === 0) big++;
  }
  if (units === 0) return null;
  // A clear majority on one side, not all: a character whose other byte is 0x00 (가 U+AC00, 一
  // U+4E00, ─ U+2500, Ā U+0100) puts a NUL on the other side, and the strict decode decides.
  return little * 2 >= units && big * 8 <= little ? 'utf-16le' : big * 2 >= units && little * 8 <= big ? 'utf-16be' : null;
}

/**
 * UTF-16 text without a byte order mark told by what it decodes to, or null: for a file that is
 * mostly non-ASCII (Korean, Chinese, Russian saved as UTF-16LE by Windows tools), few bytes are NUL
 * and `decodeUtf16ByShape` does not see it; an ASCII token in it (`ghp_…`, `password = "…"`) is as
 * usable as anywhere. The first 8 KB must decode strictly (no lone surrogate, no NUL unit, an even
 * length when that is the whole file) and be almost all letters, marks, digits, punctuation,
 * symbols and spaces (control, unassigned and private-use characters at most 1 in 100); then the
 * whole file must decode strictly. Compressed and compiled binaries fail at once: their `00 00`
 * units, lone surrogates (one random unit in 32) and private-use characters (one in 10). When
 * both byte orders pass, the one yielding more ASCII wins: a real file's spaces, line ends and
 * tokens are ASCII in its own order and CJK or unassigned in the other. Bounded: the prefix is
 * checked before the whole file is decoded. Secrets only, as for `decodeUtf16ByShape`.
 */
export function decodeUtf16ByContent(bytes: Uint8Array): { text: string; encoding: 'utf-16le' | 'utf-16be' } | null {
  const encoding = utf16ByContent(bytes);
  if (encoding === null) return null;
  const decoded = decodeUtf16(bytes, encoding);
  return decoded.kind === 'text' ? { text: decoded.text, encoding } : null;
}

/** Characters that are not text: controls other than whitespace, unassigned and private-use code points. */
const NOT_TEXT = /(?![\t\n\v\f\r])[\p{Cc}\p{Cn}\p{Co}]/gu;
/** Characters of text: letters, marks, digits, punctuation, symbols, spaces and line ends. */
const TEXT = /[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Z}\t\n\v\f\r]/gu;
const ASCII = /[\t\n\r\x20-\x7e]/g;

/** The byte order in which the first 8 KB decode to text (see `decodeUtf16ByContent`), or null. One bounded pass each way. */
function utf16ByContent(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (isTarArchive(bytes)) return null;
  const whole = bytes.length <= SHAPE_PREFIX;
  if (bytes.length < 2 || (whole && bytes.length % 2 !== 0)) return null;
  const prefix = bytes.subarray(0, whole ? bytes.length : SHAPE_PREFIX);
  let best: 'utf-16le' | 'utf-16be' | null = null;
  let bestAscii = -1;
  for (const encoding of ['utf-16le', 'utf-16be'] as const) {
    const text = textOfPrefix(prefix, encoding, whole);
    if (text === null) continue;
    const ascii = count(text, ASCII);
    // A whole file with no ASCII in it holds no secret (their formats are ASCII): binary as before,
    // and the tiny binaries that decode to a few CJK characters by chance stay so.
    if (whole && ascii === 0) continue;
    if (ascii > bestAscii) [best, bestAscii] = [encoding, ascii];
  }
  return best;
}

/** The prefix decoded strictly in one byte order when it reads as text, else null. */
function textOfPrefix(prefix: Uint8Array, encoding: 'utf-16le' | 'utf-16be', whole: boolean): string | null {
  let units = prefix;
  if (!whole) {
    // The cut may split a surrogate pair: its high half, the last unit, is left for the whole decode.
    const last = encoding === 'utf-16le' ? prefix[prefix.length - 1]! : prefix[prefix.length - 2]!;
    if (last >= 0xd8 && last <= 0xdb) units = prefix.subarray(0, prefix.length - 2);
  }
  let text: string;
  try {
    text = (encoding === 'utf-16le' ? utf16le : utf16be).decode(units);
  } catch {
    return null;
  }
  if (text.length === 0 || text.includes('\0')) return null;
  const characters = text.length - count(text, /[\ud800-\udbff]/g);
  if (count(text, NOT_TEXT) * 100 > characters) return null;
  return count(text, TEXT) * 100 >= characters * 95 ? text : null;
}

function count(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  let n = 0;
  while (pattern.exec(text) !== null) n++;
  return n;
}

/**
 * Whether bytes passed over as binary are still text that could not be decoded: the shape of UTF-16
 * (one side of each two-byte unit NUL, as `decodeUtf16ByShape` tells it: UTF-16 cut to an odd
 * length, or with a broken surrogate) or of UTF-32 (`t\0\0\0o\0\0\0`) in the first 8 KB. Only those
 * shapes, and UTF-16 whose first 8 KB read as text (`decodeUtf16ByContent`) but not the rest:
 * printable bytes among NULs are also what a tar archive's headers are (names and octal numbers
 * padded with NULs), and a binary format with ASCII headers, and those are binary as ever.
 * Bounded passes over the first 8 KB.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (isTarArchive(bytes)) return false;
  return utf16Shape(bytes) !== null || utf32Shape(bytes) || utf16ByContent(bytes) !== null;
}

/**
 * A tar archive (an uncompressed `.tar`, a fixture of tests): POSIX and GNU headers say `ustar` at
 * offset 257; the old v7 header does not, and is told by its checksum (the sum of the header's 512
 * bytes, the checksum field counted as spaces, written in octal at offset 148). Archives are not
 * scanned inside, here as for `.tar.gz` or `.zip`: they are binary.
 */
export function isTarArchive(bytes: Uint8Array): boolean {
  if (bytes.length < 512) return false;
  if (latin1.decode(bytes.subarray(257, 262)) === 'ustar') return true;
  if (bytes[0] === 0) return false;
  const field = latin1.decode(bytes.subarray(148, 156));
  const written = /^ *([0-7]{1,7})[ \0]*$/.exec(field);
  if (written === null) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : bytes[i]!;
  return sum === parseInt(written[1]!, 8);
}

/**
 * UTF-32 text by its shape, with or without a byte order mark: in the first 8 KB every four-byte
 * unit is a code point (at most 0x10FFFF, never NUL: binary formats are full of zero words) and at
 * least half are ASCII-range (`t\0\0\0` little-endian, `\0\0\0t` big-endian). One bounded pass.
 */
function utf32Shape(bytes: Uint8Array): boolean {
  const units = Math.min(bytes.length, SHAPE_PREFIX) >> 2;
  if (units < 4) return false;
  let little = 0;
  let big = 0;
  let littleAscii = 0;
  let bigAscii = 0;
  for (let k = 0; k < units; k++) {
    const [a, b, c, d] = [bytes[4 * k]!, bytes[4 * k + 1]!, bytes[4 * k + 2]!, bytes[4 * k + 3]!];
    if ((a | b | c | d) === 0) return false;
    if (d === 0 && c <= 0x10) {
      little++;
      if (b === 0 && c === 0) littleAscii++;
    }
    if (a === 0 && b <= 0x10) {
      big++;
      if (b === 0 && c === 0) bigAscii++;
    }
  }
  return (little === units && littleAscii * 2 >= units) || (big === units && bigAscii * 2 >= units);
}

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

/**
 * The codec a PEP 263 cookie names (`# -*- coding: utf-7 -*-`) on the first line, or on the
 * second after a blank or comment line, as written, or null. Lines end at `\n`, `\r\n` or a lone `\r`, as Python's do; the cookie is ASCII,
 * so the bytes are read as Latin-1 (only the first few hundred: a cookie is near the top).
 */
export function codingCookie(bytes: Uint8Array): string | null {
  const head = latin1.decode(bytes.subarray(0, 400));
  const [first = '', second = ''] = head.split(/\r\n|\r|\n/, 2);
  const cookie = (line: string) => CODING.exec(line.length > 200 ? line.slice(0, 200) : line)?.[1] ?? null;
  // The second line counts only after a blank or comment line (CPython's tokenizer stops looking
  // at the first line of code).
  return cookie(first) ?? (/^[ \t\f]*(?:#|$)/.test(first) ? cookie(second) : null);
}

/**
 * Python's codec names (encodings/aliases.py, normalised as Python does: case and `_`/`-`/space
 * alike) that a WHATWG TextDecoder reads the same way, by the decoder's label. Each of these is
 * ASCII-compatible or a standard multi-byte encoding the decoder implements in full (shift_jis,
 * euc-jp, iso-2022-jp, gbk, big5, euc-kr), so the code Python sees is the code the rules see; where
 * the WHATWG decoder is a superset (cp932 for shift_jis, windows-1254 for iso-8859-9) it reads
 * more files than Python, never different code. Anything else (utf-7, unicode_escape,
 * raw_unicode_escape, EBCDIC, utf-16/32 without a byte order mark, an unknown name) is not decoded.
 */
const PYTHON_CODECS: [RegExp, string][] = [
  [/^(?:utf-?8|u8|utf|utf8-ucs[24]|cp65001|utf-8-sig|ascii|us-ascii|646|us)$/, 'utf-8'],
  [/^(?:latin-?1|iso-?8859-1|iso-ir-100|l1|latin|8859|cp819|iso-latin-1|csisolatin1)$/, 'windows-1252'],
  [/^(?:cp-?1252|windows-1252)$/, 'windows-1252'],
  [/^(?:cp-?125([0-8])|windows-125([0-8]))$/, 'windows-125$1$2'],
  [/^iso-?8859-(2|3|4|5|6|7|8|9|10|13|14|15|16)$/, 'iso-8859-$1'],
  [/^(?:latin-?2|l2)$/, 'iso-8859-2'],
  [/^(?:cyrillic)$/, 'iso-8859-5'],
  [/^(?:greek|greek8)$/, 'iso-8859-7'],
  [/^(?:hebrew)$/, 'iso-8859-8'],
  [/^(?:latin-?9|l9)$/, 'iso-8859-15'],
  [/^koi8-r$/, 'koi8-r'],
  [/^koi8-u$/, 'koi8-u'],
  [/^(?:cp866|866|ibm866)$/, 'ibm866'],
  [/^(?:mac-?roman|macintosh)$/, 'macintosh'],
  [/^mac-?cyrillic$/, 'x-mac-cyrillic'],
  [/^(?:cp874|windows-874)$/, 'windows-874'],
  [/^(?:shift-?jis|sjis|s-jis|cp932|ms932|mskanji|ms-kanji|windows-31j)$/, 'shift_jis'],
  [/^(?:euc-?jp|ujis|u-jis)$/, 'euc-jp'],
  [/^(?:iso-?2022-?jp|csiso2022jp)$/, 'iso-2022-jp'],
  [/^(?:euc-?kr|ks-c-5601(?:-1987)?|ksx1001|ks-x-1001|cp949|uhc)$/, 'euc-kr'],
  [/^(?:gbk|cp936|ms936|936|gb2312(?:-1980|-80)?|euc-?cn|chinese)$/, 'gbk'],
  [/^gb18030(?:-2000)?$/, 'gb18030'],
  [/^(?:big5(?:-tw|hkscs)?|csbig5|cp950)$/, 'big5'],
];

/** The TextDecoder label for a Python codec name, or null when it has none here. */
function whatwgLabel(cookie: string): string | null {
  const name = cookie.toLowerCase().replace(/[_ ]/g, '-');
  // CPython's own shortcut (tokenizer.c get_normal_name): `utf-8-…` and `latin-1-…` variants (`utf-8-unix`, Emacs's).
  if (name.startsWith('utf-8-')) return 'utf-8';
  if (/^(?:latin-1|iso-8859-1|iso-latin-1)-/.test(name)) return 'windows-1252';
  for (const [pattern, label] of PYTHON_CODECS) {
    const m = pattern.exec(name);
    if (m) return label.replace(/\$(\d)/g, (_, k: string) => m[Number(k)] ?? '');
  }
  return null;
}

/**
 * A requirements file's encoding as pip reads it (its req_file decodes with utils/encoding.py's
 * auto_decode): a byte order mark decides; otherwise a line among the first two (split at LF only)
 * that starts with `#` and holds `coding:` or `coding=` followed by a name declares the codec, as
 * written (`# -*- coding: latin-1 -*-`, `#coding=cp1252`, `# vim: set fileencoding=latin-1`); pip
 * decodes the whole file with it, strictly. Without either, pip uses the locale's encoding: UTF-8
 * on the machines that install (and what depwatch reads otherwise).
 */
export type PipDeclared =
  /** No coding line (or a byte order mark, which wins): read as usual. */
  | { kind: 'none' }
  /** `codec`: the declared name as written; `line`: 1 or 2. `label`: how depwatch decodes it (pipCodecLabel). */
  | { kind: 'text'; text: string; codec: string; label: string; line: number }
  /** A codec no decoder here reads as pip would (utf-7, an unknown name): nothing is read. */
  | { kind: 'unknown'; codec: string; line: number }
  /** The bytes are not text in the declared codec: pip fails on the file too. */
  | { kind: 'invalid'; codec: string; label: string; line: number };

/** pip's pattern, on bytes read as Latin-1 (`\s` and `\w` of a bytes pattern are ASCII). */
const PIP_CODING = /coding[:=][ \t\n\r\f\v]*([-A-Za-z0-9_.]+)/;

/** The codec a pip coding line declares and its 1-based line, or null (none, or a byte order mark first). */
export function pipCodingLine(bytes: Uint8Array): { codec: string; line: number } | null {
  if (utf16ByMark(bytes) !== null || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) return null;
  // UTF-32 marks: FF FE 00 00 is the UTF-16 LE mark already; 00 00 FE FF is not text pip reads here.
  let start = 0;
  for (let line = 1; line <= 2 && start < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    // Only a line starting with `#`; a very long one is looked at in its first kilobyte (a coding line is short).
    if (bytes[start] === 0x23) {
      const m = PIP_CODING.exec(latin1.decode(bytes.subarray(start, Math.min(end, start + 1024))));
      if (m) return { codec: m[1]!, line };
    }
    if (newline === -1) break;
    start = newline + 1;
  }
  return null;
}

/**
 * The TextDecoder label that reads a Python codec name exactly as Python does, or null. Python's
 * `latin-1` maps each byte to the code point of its value; the WHATWG `latin1` label is
 * windows-1252 (0x80 is `€`), so it is `iso-8859-1` here, decoded byte for byte (decodeWith).
 */
export function pipCodecLabel(codec: string): string | null {
  const label = whatwgLabel(codec);
  if (label !== 'windows-1252') return label;
  return /^(?:cp-?1252|windows-1252)$/.test(codec.toLowerCase().replace(/[_ ]/g, '-')) ? label : 'iso-8859-1';
}

/**
 * Whether a requirements file with these bytes would be decoded by its coding line rather than
 * read as UTF-8 (load.ts readText): one declares a codec other than UTF-8, known here or not. A
 * snapshot keeps such a file's own bytes (TreeFile.ownBytes), since whether the line applies
 * depends on the file's format, which only the loader knows.
 */
export function declaresOtherCodec(bytes: Uint8Array): boolean {
  const declared = pipCodingLine(bytes);
  return declared !== null && pipCodecLabel(declared.codec) !== 'utf-8';
}

/**
 * Python's cp1252 for bytes 0x80–0x9F (Lib/encodings/cp1252.py); 0 where it defines none (0x81,
 * 0x8D, 0x8F, 0x90, 0x9D: a strict decode fails there, and so does pip). Spelled out because Node
 * 20's TextDecoder (since 20.18.3; 22.13.0 on 22) decodes `windows-1252`, and every label naming it
 * (`latin1`, `ascii`), byte for byte as ISO-8859-1: a Latin-1 fast path taken before ICU is asked,
 * so small and full ICU builds alike (nodejs/node#56542, #60888). 0x80 comes out as the C1 control
 * U+0080, not `€`. Every other byte is the same in both.
 */
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/** `bytes` as Python's strict cp1252 decodes them (CP1252_HIGH), or null at a byte it leaves undefined. */
function decodeCp1252(bytes: Uint8Array): string | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let out = '';
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80 || b > 0x9f) continue;
    const code = CP1252_HIGH[b - 0x80]!;
    if (code === 0) return null;
    out += text.slice(from, i) + String.fromCharCode(code);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** `bytes` decoded strictly with a label pipCodecLabel gave, or null when they are not text in it. */
export function decodeWith(bytes: Uint8Array, label: string): string | null {
  if (label === 'iso-8859-1') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (label === 'windows-1252') return decodeCp1252(bytes);
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** A requirements file's bytes as pip decodes them when a coding line declares their codec (PipDeclared). */
export function pipDeclaredDecode(bytes: Uint8Array): PipDeclared {
  const declared = pipCodingLine(bytes);
  if (declared === null) return { kind: 'none' };
  const { codec, line } = declared;
  const label = pipCodecLabel(codec);
  if (label === null) return { kind: 'unknown', codec, line };
  const text = decodeWith(bytes, label);
  return text === null ? { kind: 'invalid', codec, label, line } : { kind: 'text', text, codec, label, line };
}

/** Offsets to 1-based (line, column); built on first use, in one pass. */
export class LineIndex {
  private starts: Int32Array | null = null;

  constructor(private readonly text: string) {}

  position(offset: number): { line: number; column: number } {
    const starts = this.lineStarts();
    // The last line start at or before the offset (the first, 0, always is).
    const line = Math.max(0, partitionPoint(0, starts.length, (i) => starts[i]! <= offset) - 1);
    return { line: line + 1, column: offset - starts[line]! + 1 };
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

  /** The offset of a 1-based line and column (a column below 1 read as 1), or -1 when there is no such line. */
  offset(line: number, column: number): number {
    const starts = this.lineStarts();
    return line < 1 || line > starts.length ? -1 : starts[line - 1]! + Math.max(1, column) - 1;
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
