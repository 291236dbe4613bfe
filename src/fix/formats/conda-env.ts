/**
 * Conda environment files (`environment.yml`): the requirements of their `pip:` list.
 *
 * The parser (src/python/formats/conda-env.ts) reads the list as conda does: the entries, one a line,
 * are the requirements file conda writes and hands to pip. So that text is rewritten by the
 * requirements rewriter, which finds each specifier and checks it means what was read, and each of
 * its edits is put back into the YAML entry it falls in. That is only done where the entry's
 * characters in the file are the requirement's characters (a plain scalar, or a quoted one without
 * escapes, on one line) and the new text keeps the entry's YAML meaning (a quoted string stays
 * validly quoted, a plain one does not gain a comment or a key). A flow list (`pip: [a==1, b==2]`,
 * where a widened `>=1,<3` would split the entry), a block scalar, or an entry with escapes or folded
 * over lines is left alone with the reason. `-r other.txt` entries are read as requirements files of
 * their own and rewritten there.
 */
import { pipRequirementsText, readCondaEnv, type PipEntry, type PipLine } from '../../python/formats/conda-env.js';
import type { EntryChange, FixTarget, ManifestRewriter, RewriteResult, TextEdit } from '../types.js';
import { leftAlone } from '../left-alone.js';
import { requirementsRewriter } from './requirements.js';

export const condaEnvRewriter: ManifestRewriter = {
  format: 'conda-env',
  rewrite: rewriteCondaEnv,
};

/** Python's `str.splitlines` boundaries, as the requirements reader numbers lines (src/fix/formats/requirements.ts). */
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;

/** A pip line in the requirements text and in the file. */
interface Placed {
  pip: PipLine;
  /** Offsets in the requirements text: the line is `requirements.slice(start, start + pip.text.length)`. */
  start: number;
}

function rewriteCondaEnv(text: string, file: string, targets: readonly FixTarget[]): RewriteResult {
  const result: RewriteResult = { edits: [], changes: [], leftAlone: [], rehash: [] };
  if (targets.length === 0) return result;
  const env = readCondaEnv(text, file);
  if ('read' in env || env.pipLines.length === 0) return result;

  const requirements = pipRequirementsText(env.pipLines);
  const placed: Placed[] = [];
  let at = 0;
  for (const pip of env.pipLines) {
    placed.push({ pip, start: at });
    at += pip.text.length + 1;
  }
  const rewritten = requirementsRewriter.rewrite(requirements, file, targets);
  // Line numbers of the requirements text → lines of the YAML, as the parser maps them (so they name the same entries).
  const yamlLine = (line: number) => env.pipLines[line - 1]?.line ?? line;
  const ranges = lineRanges(requirements);

  for (const l of rewritten.leftAlone) result.leftAlone.push({ ...l, line: l.line === null ? null : yamlLine(l.line) });
  for (const r of rewritten.rehash) result.rehash.push({ ...r, line: yamlLine(r.line) });

  const kept = new Set<TextEdit>();
  for (const c of rewritten.changes) {
    const from = ranges[c.lines.first - 1]?.start ?? 0;
    const to = ranges[c.lines.last - 1]?.end ?? requirements.length;
    const mine = rewritten.edits.filter((e) => e.start < to && e.end > from);
    const mapped = mine.map((e) => inFile(text, placed, e));
    const refused = mapped.find((m): m is { reason: string } => 'reason' in m);
    if (refused) {
      const target = targets.find((t) => t.name === c.package && t.from === c.fromVersion)!;
      result.leftAlone.push(leftAlone('not-understood', target, file, yamlLine(c.line), refused.reason));
      continue;
    }
    for (const m of mapped as TextEdit[]) {
      if (![...kept].some((k) => k.start === m.start && k.end === m.end)) kept.add(m);
    }
    result.changes.push(inYaml(c, yamlLine));
  }
  result.edits.push(...kept);
  // A requirement left alone no longer has its hashes removed.
  const changedLines = new Set(result.changes.map((c) => c.line));
  result.rehash = result.rehash.filter((r) => changedLines.has(r.line));
  return result;
}

function inYaml(c: EntryChange, yamlLine: (line: number) => number): EntryChange {
  return { ...c, line: yamlLine(c.line), lines: { first: yamlLine(c.lines.first), last: yamlLine(c.lines.last) } };
}

/** Where each line of the requirements text starts and ends, numbered as the requirements reader numbers them. */
function lineRanges(text: string): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  let start = 0;
  LINE_BREAK.lastIndex = 0;
  for (let m = LINE_BREAK.exec(text); m !== null; m = LINE_BREAK.exec(text)) {
    ranges.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  if (start < text.length) ranges.push({ start, end: text.length });
  return ranges;
}

/**
 * An edit of the requirements text as an edit of the YAML file, or why it cannot be one: it must
 * fall within one entry whose characters in the file are its value, and leave the entry what it was
 * in YAML, a string in the same style.
 */
function inFile(text: string, placed: readonly Placed[], edit: TextEdit): TextEdit | { reason: string } {
  const line = placed.find((p) => edit.start >= p.start && edit.end <= p.start + p.pip.text.length);
  if (!line) return { reason: 'the rewrite would join or remove entries of the `pip:` list; change it by hand' };
  const entry = line.pip.entry;
  const unsafe = unrewritable(text, entry);
  if (unsafe !== null) return { reason: `${unsafe}; change it by hand` };
  const offset = entry.start + (edit.start - line.start);
  const value = entry.value.slice(0, edit.start - line.start) + edit.text + entry.value.slice(edit.end - line.start);
  const broken = changesYamlMeaning(entry.style, value);
  if (broken !== null) return { reason: `not rewritten: the new requirement ${broken}; change it by hand` };
  return { start: offset, end: offset + (edit.end - edit.start), text: edit.text };
}

/** Why the entry's characters in the file are not its requirement's characters, or null when they are. */
function unrewritable(text: string, entry: PipEntry): string | null {
  if (entry.flow) return 'the entry is in a flow-style list (`pip: [...]`), where a rewritten constraint could split it at a comma';
  if (entry.style === 'BLOCK_LITERAL' || entry.style === 'BLOCK_FOLDED') return 'the entry is a YAML block scalar (`|` or `>`)';
  if (text.slice(entry.start, entry.end) !== entry.value) return 'the entry is written with YAML escapes or folded over lines, so the rewriter cannot find its constraint in the file';
  return null;
}

/** Why `value` written in place of the entry's text would not read back as `value` in that style, or null. */
function changesYamlMeaning(style: string, value: string): string | null {
  if (/[\r\n]/.test(value)) return 'would span lines';
  if (style === 'QUOTE_DOUBLE' && /["\\]/.test(value)) return 'holds `"` or `\\`, which would end or escape the double-quoted string';
  if (style === 'QUOTE_SINGLE' && value.includes("'")) return "holds `'`, which would end the single-quoted string";
  if (style === 'PLAIN' && (/[ \t]#|:[ \t]|:$/.test(value) || value !== value.trim())) return 'would read as a YAML comment, key or padding in an unquoted entry';
  return null;
}
