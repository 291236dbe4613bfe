/** Checks shared by the fix tests: every line outside the edits is the same, byte for byte. */
import { diffArrays } from 'diff';
import { applyEdits } from '../../src/fix/edits.js';
import type { TextEdit } from '../../src/fix/types.js';

/** Lines with their own line endings (`\r\n`, `\n` or `\r`), so a changed ending counts as a changed line. */
export function linesWithEndings(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/**
 * Problems (empty when none): a line of `before` outside the `touched` ranges (1-based, inclusive)
 * that is missing or changed in `after`, or a line added anywhere but in place of touched lines.
 */
export function changesOutside(before: string, after: string, touched: readonly { first: number; last: number }[]): string[] {
  const inTouched = (line: number) => touched.some((r) => line >= r.first && line <= r.last);
  const parts = diffArrays(linesWithEndings(before), linesWithEndings(after));
  const problems: string[] = [];
  let oldLine = 0;
  let added = 0;
  let removed = 0;
  parts.forEach((part, i) => {
    if (part.removed) {
      for (let k = 1; k <= part.count!; k++) if (!inTouched(oldLine + k)) problems.push(`line ${oldLine + k} changed: ${JSON.stringify(part.value[k - 1])}`);
      oldLine += part.count!;
      removed += part.count!;
    } else if (part.added) {
      added += part.count!;
      if (!parts[i - 1]?.removed && !parts[i + 1]?.removed) problems.push(`lines inserted after line ${oldLine}: ${JSON.stringify(part.value)}`);
    } else {
      oldLine += part.count!;
    }
  });
  if (added > removed) problems.push(`${added - removed} more lines than before`);
  return problems;
}

export function apply(text: string, edits: readonly TextEdit[]): string {
  const out = applyEdits(text, edits);
  if (out === null) throw new Error('edits overlap');
  return out;
}
