/**
 * What `depwatch fix` would write for one entry of a TOML manifest (Pipfile, pyproject.toml), for
 * the audit's fix advice to say the same text: the advice is followed by hand, and rebuilding the
 * entry from what the parser kept lost the rest of an inline table (`index = "internal"`, which
 * keeps a package on a private index; Poetry's `optional = true`). The rewriter edits inside the
 * quotes only, so the entry it leaves is the one written, with its version moved. Pure.
 */
import type { ManifestFormat } from '../python/types.js';
import type { FixTarget, RewriteResult } from './types.js';
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

/** What the rewriter made of one file, read once (see ManifestRewriter.prepare), and where its lines start. */
interface PreparedFile {
  text: string;
  rewrite: (targets: readonly FixTarget[]) => RewriteResult;
  lineStarts: number[];
}

function prepareFile(text: string, file: string, format: ManifestFormat): PreparedFile | null {
  const rewriter = rewriterFor(format);
  if (rewriter === null) return null;
  const lineStarts = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1);
  const rewrite = rewriter.prepare?.(text, file) ?? ((targets: readonly FixTarget[]) => rewriter.rewrite(text, file, targets));
  return { text, rewrite, lineStarts };
}

/** What `depwatch fix` would write for one entry of a TOML manifest, or null when it would not rewrite it. */
export interface EntryRewriter {
  (text: string, file: string, format: ManifestFormat, move: EntryMove): string | null;
  /**
   * Why `depwatch fix` leaves the entry as written although it excludes the fix (a `!=` of the fix,
   * a lower bound above it, a split line), in fix's words (without its "not rewritten: "), or null
   * when fix moves it or it admits the fix: while it stays, fix moves no pin of the release in its
   * project (src/fix/plan.ts), and the audit's advice says so.
   */
  refusal(text: string, file: string, format: ManifestFormat, move: EntryMove): string | null;
}

/**
 * An entry rewriter for one audit: each file is prepared once, on its first entry (the advice asks
 * about one entry at a time, a file's entries in turn, and reading the file again for each made a
 * 2,000-entry pyproject.toml cost 90 s); the text must be the same string for a file to be reused.
 * Held by the audit that makes it, so nothing outlives it.
 */
export function createEntryRewriter(): EntryRewriter {
  const prepared = new Map<string, PreparedFile | null>();
  const ready = (text: string, file: string, format: ManifestFormat): PreparedFile | null => {
    const key = `${format}\0${file}`;
    let known = prepared.get(key);
    if (known === undefined || (known !== null && known.text !== text)) {
      known = prepareFile(text, file, format);
      prepared.set(key, known);
    }
    return known;
  };
  const rewriter = (text: string, file: string, format: ManifestFormat, move: EntryMove): string | null => {
    const preparedFile = ready(text, file, format);
    return preparedFile === null ? null : rewrittenEntry(preparedFile, text, move);
  };
  rewriter.refusal = (text: string, file: string, format: ManifestFormat, move: EntryMove): string | null => {
    const preparedFile = ready(text, file, format);
    return preparedFile === null ? null : refusalOf(preparedFile, move);
  };
  return rewriter;
}

/** The reason the rewriter gives for leaving the entry at `move.line` as written, or null. */
function refusalOf(ready: PreparedFile, move: EntryMove): string | null {
  if (move.line === null) return null;
  const result = ready.rewrite([{ name: move.name, from: move.from, to: move.to, advisories: [] }]);
  const refused = result.leftAlone.find((l) => l.kind === 'not-understood' && l.line === move.line && l.package === move.name);
  return refused === undefined ? null : refused.reason.replace(/^not rewritten: /, '');
}

/** The entry as the fixer rewrites it, or null when it would not rewrite it (then the caller says it its own way). */
function rewrittenEntry(ready: PreparedFile, text: string, move: EntryMove): string | null {
  if (move.line === null) return null;
  const result = ready.rewrite([{ name: move.name, from: move.from, to: move.to, advisories: [] }]);
  const change = result.changes.find((c) => c.line === move.line && c.package === move.name);
  if (change === undefined) return null;
  const firstLine = ready.lineStarts[change.lines.first - 1] ?? text.length;
  const lastLineStart = ready.lineStarts[change.lines.last - 1] ?? text.length;
  const lastLineEnd = lineEnd(text, lastLineStart);
  const edit = result.edits.find((e) => e.start >= firstLine && e.end <= lastLineEnd);
  if (edit === undefined) return null;
  // The entry's own lines with the edit made: not a copy of the whole file per entry.
  const lines = text.slice(firstLine, lastLineEnd);
  const after = lines.slice(0, edit.start - firstLine) + edit.text + lines.slice(edit.end - firstLine);
  if (move.shape === 'line') return after.trim();
  // The quoted string holding the edit: the rewriter only edits strings written plainly (no escapes,
  // one line), and the version comes before any marker, so no quote sits between the opening one and it.
  const editAt = edit.start - firstLine;
  const open = Math.max(after.lastIndexOf('"', editAt), after.lastIndexOf("'", editAt));
  if (open < 0) return null;
  const close = after.indexOf(after[open]!, editAt + edit.text.length);
  if (close === -1) return null;
  return after.slice(open, close + 1);
}

function lineEnd(text: string, start: number): number {
  const end = text.indexOf('\n', start);
  return end === -1 ? text.length : end;
}
