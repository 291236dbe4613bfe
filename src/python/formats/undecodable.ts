/**
 * What the line-based formats (requirements files, setup.cfg) share about characters that stand for
 * bytes that are not text (ExtractContext.undecodable): where they are once the text's byte order
 * mark is dropped, and the words for a line not read because it holds one.
 */

/**
 * The text without a leading byte order mark (U+FEFF; a second one after the mark the decoder
 * drops), and the undecodable offsets, which count from the text as given, moved to match.
 */
export function withoutByteOrderMark(text: string, undecodable: readonly number[] | undefined): { content: string; undecodable: readonly number[] | undefined } {
  if (!text.startsWith('\uFEFF')) return { content: text, undecodable };
  return { content: text.slice(1), undecodable: undecodable?.map((offset) => offset - 1) };
}

/** The error for a line not read because it holds a NUL byte or bytes that are not UTF-8. */
export function undecodableLineMessage(nul: boolean): string {
  return nul ? 'holds a NUL byte; not read' : 'not valid UTF-8; not read';
}
