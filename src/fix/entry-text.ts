/**
 * What `depwatch fix` would write for one entry of a TOML manifest (Pipfile, pyproject.toml), for
 * the audit's fix advice to say the same text: the advice is followed by hand, and rebuilding the
 * entry from what the parser kept lost the rest of an inline table (`index = "internal"`, which
 * keeps a package on a private index; Poetry's `optional = true`). The rewriter edits inside the
 * quotes only, so the entry it leaves is the one written, with its version moved. Pure.
 */
import type { ManifestFormat } from '../python/types.js';
import { applyEdits } from './edits.js';
import { rewriterFor } from './formats/index.js';

export interface EntryMove {
  /** PEP 503 name, the line the parser reports for the entry, and the move. */
  name: string;
  line: number | null;
  from: string;
  to: string;
  /**
   * `string`: the entry is a PEP 508 string (`[project]` dependencies): the quoted string is what to
   * write. `line`: a `name = …` entry (Pipfile, Poetry), or the `version = …` line of its own table.
   */
  shape: 'string' | 'line';
}

/** The entry as the fixer rewrites it, or null when it would not rewrite it (then the caller says it its own way). */
export function rewrittenTomlEntry(text: string, file: string, format: ManifestFormat, move: EntryMove): string | null {
  const rewriter = rewriterFor(format);
  if (rewriter === null || move.line === null) return null;
  const result = rewriter.rewrite(text, file, [{ name: move.name, from: move.from, to: move.to, advisories: [] }]);
  const change = result.changes.find((c) => c.line === move.line && c.package === move.name);
  if (change === undefined) return null;
  const firstLine = lineStart(text, change.lines.first);
  const lastLineEnd = lineEnd(text, lineStart(text, change.lines.last));
  const edit = result.edits.find((e) => e.start >= firstLine && e.end <= lastLineEnd);
  if (edit === undefined) return null;
  const after = applyEdits(text, [edit]);
  if (after === null) return null;
  const shift = edit.text.length - (edit.end - edit.start);
  if (move.shape === 'line') return after.slice(firstLine, lastLineEnd + shift).trim();
  // The quoted string holding the edit: the rewriter only edits strings written plainly (no escapes,
  // one line), and the version comes before any marker, so no quote sits between the opening one and it.
  const open = Math.max(after.lastIndexOf('"', edit.start), after.lastIndexOf("'", edit.start));
  if (open < firstLine) return null;
  const close = after.indexOf(after[open]!, edit.start + edit.text.length);
  if (close === -1 || close >= lastLineEnd + shift) return null;
  return after.slice(open, close + 1);
}

/** Offset where 1-based line `n` starts. */
function lineStart(text: string, n: number): number {
  let at = 0;
  for (let line = 1; line < n; line++) {
    const next = text.indexOf('\n', at);
    if (next === -1) return text.length;
    at = next + 1;
  }
  return at;
}

function lineEnd(text: string, start: number): number {
  const end = text.indexOf('\n', start);
  return end === -1 ? text.length : end;
}
