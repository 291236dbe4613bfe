/** Applying span edits to a text: the one place where a file's new text is assembled. */
import type { TextEdit } from './types.js';

/** The text with the edits applied, or null when two edits overlap (a rewriter bug; nothing is written then). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string | null {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const edit of sorted) {
    if (edit.start < at || edit.end < edit.start) return null;
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}
