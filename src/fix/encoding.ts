/**
 * A file's bytes to the text a fix edits, and that text back to bytes in the same encoding: UTF-8
 * (with or without a byte order mark) or UTF-16 LE / BE with its mark, which pip reads and Windows
 * writes (PowerShell 5's `pip freeze > requirements.txt`). UTF-16 is recognised by its mark exactly
 * as the audit recognises it (`utf16ByMark`, src/scan/text.ts), so a file the audit read as UTF-16
 * is written back as UTF-16.
 *
 * The text keeps the mark as its first character (U+FEFF) and every line ending as it is, so the
 * edits, given in offsets of that text, are the only change. A file is only taken when its text,
 * encoded again, is its bytes exactly (no odd trailing byte, no lone surrogate, no invalid UTF-8):
 * anything else is refused with its reason, and nothing that cannot be written back byte for byte
 * outside the edits is ever written.
 */
import { decodeWith, pipDeclaredDecode, utf16ByMark } from '../scan/text.js';

export type Charset = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * How a file was saved: its character encoding and whether it starts with a byte order mark, or
 * (a requirements file) the codec its coding line declares, which pip decodes it with: `codec` as
 * written, `label` the decoder's (pipCodecLabel).
 */
export type FileEncoding = { charset: Charset; bom: boolean } | { charset: 'declared'; bom: false; codec: string; label: string };

export type ExactText = { ok: true; text: string; encoding: FileEncoding } | { ok: false; reason: string };

// ignoreBOM: the mark is kept in the text (as U+FEFF), so encoding the text writes it back.
const DECODERS = {
  'utf-8': new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }),
  'utf-16le': new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }),
  'utf-16be': new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true }),
} satisfies Record<Charset, unknown>;

const NAMES: Record<Charset, string> = { 'utf-8': 'UTF-8', 'utf-16le': 'UTF-16 LE', 'utf-16be': 'UTF-16 BE' };

/** "UTF-16 LE with a byte order mark", "UTF-8", "latin-1, the encoding its coding line declares": for messages. */
export const encodingName = (e: FileEncoding): string =>
  e.charset === 'declared' ? `${e.codec}, the encoding its coding line declares` : `${NAMES[e.charset]}${e.bom ? ' with a byte order mark' : ''}`;

export class EncodingError extends Error {
  override name = 'EncodingError';
}

/**
 * The text of `bytes` and how they were saved, or why they cannot be written back byte for byte.
 * `pipCoding`: the bytes are a requirements file's own, whose coding line pip honours (the audit
 * read it so: pipDeclaredDecode); a codec that is not UTF-8 is taken only when it is one byte a
 * character, which this module writes back exactly.
 */
export function decodeExact(bytes: Uint8Array, options: { pipCoding?: boolean } = {}): ExactText {
  if (options.pipCoding === true) {
    const declared = pipDeclaredDecode(bytes);
    if (declared.kind === 'unknown') return { ok: false, reason: `its coding line declares the encoding ${declared.codec}, which Depwatch cannot read` };
    if (declared.kind !== 'none' && declared.label !== 'utf-8') {
      if (declared.kind === 'invalid') return { ok: false, reason: `it is not valid ${declared.codec} text, the encoding its coding line declares` };
      const { text, codec, label } = declared;
      if (singleByteTable(label) === null) return { ok: false, reason: `its coding line declares ${codec}, which Depwatch reads but cannot write back` };
      const back = encodeSingleByte(text, label);
      if (back === null || !back.equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) return { ok: false, reason: `its ${codec} text does not encode back to the same bytes` };
      return { ok: true, text, encoding: { charset: 'declared', bom: false, codec, label } };
    }
  }
  const charset: Charset = utf16ByMark(bytes) ?? 'utf-8';
  let text: string;
  try {
    text = DECODERS[charset].decode(bytes);
  } catch {
    if (charset === 'utf-8') return { ok: false, reason: 'it is not valid UTF-8' };
    const why = bytes.length % 2 === 1 ? 'its byte count is odd' : 'it holds a lone surrogate';
    return { ok: false, reason: `it starts with a ${NAMES[charset]} byte order mark but is not valid ${NAMES[charset]} (${why})` };
  }
  const encoding: FileEncoding = { charset, bom: text.startsWith('\uFEFF') };
  // Belt and braces: the decoders are strict, but what is written back must be these very bytes.
  if (!Buffer.from(encodeBytes(text, charset)).equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
    return { ok: false, reason: `its ${NAMES[charset]} text does not encode back to the same bytes` };
  }
  return { ok: true, text, encoding };
}

/**
 * `text` (as decodeExact gives it, edited) as bytes in `encoding`. Throws EncodingError when the
 * text would not read back as itself (a lone surrogate) or has lost or gained its byte order mark.
 */
export function encodeExact(text: string, encoding: FileEncoding): Buffer {
  if (encoding.charset === 'declared') {
    // A character the codec has no byte for (a `é` is one in latin-1, a `€` is not): refused, never replaced.
    const bytes = encodeSingleByte(text, encoding.label);
    if (bytes === null || decodeWith(bytes, encoding.label) !== text) throw new EncodingError(`the rewritten text cannot be written as ${encoding.codec} exactly; not written`);
    return bytes;
  }
  if (text.startsWith('\uFEFF') !== encoding.bom) throw new EncodingError(`the rewritten text ${encoding.bom ? 'lost' : 'gained'} its byte order mark; not written`);
  const bytes = encodeBytes(text, encoding.charset);
  let back: string | null;
  try {
    back = DECODERS[encoding.charset].decode(bytes);
  } catch {
    back = null;
  }
  if (back !== text) throw new EncodingError(`the rewritten text cannot be written as ${NAMES[encoding.charset]} exactly; not written`);
  return bytes;
}

function encodeBytes(text: string, charset: Charset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  const le = Buffer.from(text, 'utf16le');
  return charset === 'utf-16le' ? le : le.swap16();
}

/**
 * Codecs of more than one byte a character (shift_jis, euc-kr, gbk, big5…, which pip reads when a
 * coding line names them): TextDecoder reads them, but Node has no encoder for them, so a file in
 * one is planned and left alone with the reason rather than written.
 */
const MULTI_BYTE = new Set(['shift_jis', 'euc-jp', 'iso-2022-jp', 'euc-kr', 'gbk', 'gb18030', 'big5', 'utf-8']);

const singleByteTables = new Map<string, Map<string, number> | null>();

/**
 * Character → byte for a one-byte-a-character codec (latin-1, cp1252, iso-8859-x, koi8-r…), built
 * once by decoding each of the 256 bytes; a byte the codec leaves undefined has no character. Null
 * for any other codec.
 */
function singleByteTable(label: string): Map<string, number> | null {
  const known = singleByteTables.get(label);
  if (known !== undefined) return known;
  let table: Map<string, number> | null = null;
  if (!MULTI_BYTE.has(label)) {
    table = new Map();
    for (let b = 0; b < 256; b++) {
      const ch = decodeWith(Uint8Array.of(b), label);
      if (ch !== null && ch.length === 1 && !table.has(ch)) table.set(ch, b);
    }
  }
  singleByteTables.set(label, table);
  return table;
}

/** `text` in a one-byte-a-character codec, or null when a character has no byte in it. */
function encodeSingleByte(text: string, label: string): Buffer | null {
  const table = singleByteTable(label);
  if (table === null) return null;
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const b = table.get(text[i]!);
    if (b === undefined) return null;
    out[i] = b;
  }
  return out;
}
