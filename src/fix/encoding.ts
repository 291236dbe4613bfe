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
import { utf16ByMark } from '../scan/text.js';

export type Charset = 'utf-8' | 'utf-16le' | 'utf-16be';

/** How a file was saved: its character encoding and whether it starts with a byte order mark. */
export interface FileEncoding {
  charset: Charset;
  bom: boolean;
}

export type ExactText = { ok: true; text: string; encoding: FileEncoding } | { ok: false; reason: string };

// ignoreBOM: the mark is kept in the text (as U+FEFF), so encoding the text writes it back.
const DECODERS = {
  'utf-8': new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }),
  'utf-16le': new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }),
  'utf-16be': new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true }),
} satisfies Record<Charset, unknown>;

const NAMES: Record<Charset, string> = { 'utf-8': 'UTF-8', 'utf-16le': 'UTF-16 LE', 'utf-16be': 'UTF-16 BE' };

/** "UTF-16 LE with a byte order mark", "UTF-8": for messages. */
export const encodingName = (e: FileEncoding): string => `${NAMES[e.charset]}${e.bom ? ' with a byte order mark' : ''}`;

export class EncodingError extends Error {
  override name = 'EncodingError';
}

/** The text of `bytes` and how they were saved, or why they cannot be written back byte for byte. */
export function decodeExact(bytes: Uint8Array): ExactText {
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
