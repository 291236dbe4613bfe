/**
 * Requirements files (`requirements*.txt`, pip-tools `.in`, constraints, anything reached by `-r`/`-c`).
 *
 * The parser (src/python/formats/requirements.ts, pip's own line grammar) says which requirement
 * starts on which line and what it means; this finds the version specifier on that line, checks
 * it means what the parser read, and rewrites those characters only. When the requirement is
 * rewritten its `--hash` options go too (they are the old release's files; pip would refuse the
 * new one), on the same line or on the continuation lines below; a continuation line left empty
 * is removed, and the line that then ends the requirement loses its trailing `\` so it does not
 * swallow the next one. Line endings, comments, case, extras, markers and spacing stay as written.
 */
import { requirementsFormat } from '../../python/formats/requirements.js';
import { normalizeName } from '../../python/names.js';
import { normalizeSpecifier } from '../../python/pep508.js';
import { specifierContains } from '../../python/pep440.js';
import { pushTo } from '../group.js';
import { locateRequirement } from '../requirement-text.js';
import type { EntryChange, FixTarget, LeftAlone, ManifestRewriter, RewriteResult, TextEdit } from '../types.js';
import { installedFrom, leftAlone } from '../left-alone.js';
import { widenPep440 } from '../widen.js';

export const requirementsRewriter: ManifestRewriter = {
  format: 'requirements',
  rewrite: rewriteRequirements,
};

/** Python's `str.splitlines` boundaries, as the parser splits lines (so line numbers agree). */
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
/** pip: a comment line ends a continuation. */
const COMMENT_LINE = /^[ \t]*#/;
/** pip's `--hash` option, also as optparse abbreviates it (`--has`), as `--hash=value` or `--hash value`. */
const HASH_FLAG = /^--h(?:a(?:s(?:h)?)?)?(?:=(.*))?$/;

interface PhysicalLine {
  /** Offset of the first character, just after the previous line break (after a BOM on line 1). */
  start: number;
  /** Offset just after the last character, before the line break. */
  end: number;
  /** Offset where the next line starts (after the line break). */
  next: number;
}

function physicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  let start = text.startsWith('\uFEFF') ? 1 : 0;
  LINE_BREAK.lastIndex = start;
  for (let m = LINE_BREAK.exec(text); m !== null; m = LINE_BREAK.exec(text)) {
    lines.push({ start, end: m.index, next: m.index + m[0].length });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ start, end: text.length, next: text.length });
  return lines;
}

/** Where a line's comment starts (pip: `#` at the start or after whitespace), or its end. */
function commentStart(text: string, line: PhysicalLine): number {
  for (let i = line.start; i < line.end; i++) {
    if (text[i] === '#' && (i === line.start || text[i - 1] === ' ' || text[i - 1] === '\t')) return i;
  }
  return line.end;
}

/** The end of a line's content before a trailing continuation `\` (and the spaces before it). */
function beforeContinuation(text: string, start: number, end: number): number {
  let at = end;
  while (at > start && text[at - 1] === '\\') at--;
  return at;
}

const endsWithBackslash = (text: string, line: PhysicalLine) => line.end > line.start && text[line.end - 1] === '\\';

function rewriteRequirements(text: string, file: string, targets: readonly FixTarget[]): RewriteResult {
  const result: RewriteResult = { edits: [], changes: [], leftAlone: [], rehash: [] };
  const wanted = new Map<string, FixTarget[]>();
  for (const t of targets) pushTo(wanted, t.name, t);
  if (wanted.size === 0) return result;

  const lines = physicalLines(text);
  const { dependencies } = requirementsFormat.extract(text, { file });
  for (const dep of dependencies) {
    const mine = wanted.get(dep.name);
    if (!mine || dep.line === null) continue;
    if (dep.source !== 'registry') {
      // The vulnerable release itself, from a wheel URL or a VCS `#egg=name==version`: nothing here to move.
      for (const t of mine.filter((t) => dep.version === t.from)) {
        result.leftAlone.push(leftAlone('non-registry', t, file, dep.line, installedFrom(dep.source)));
      }
      continue;
    }
    const line = lines[dep.line - 1];
    const located = line ? locateOnLine(text, line) : null;
    const sameAsParsed =
      located !== null && !located.url && normalizeName(located.name) === dep.name && normalizeSpecifier(text.slice(located.specStart, located.specEnd)) === dep.specifier;
    if (!line || !located || !sameAsParsed) {
      for (const t of mine.filter((t) => specifierContains(dep.specifier, t.from, { containsPrereleases: true }) && !specifierContains(dep.specifier, t.to, { containsPrereleases: true }))) {
        result.leftAlone.push(leftAlone('not-understood', t, file, dep.line, 'the requirement is written in a way the rewriter does not understand (split over lines, or not where the parser read it); change it by hand'));
      }
      continue;
    }

    const before = text.slice(located.specStart, located.specEnd);
    const { written, moved } = widenForTargets(before, mine, file, dep.line, result.leftAlone);
    if (moved.length === 0) continue;

    const { edits, lastLine, hashesRemoved } = rewriteLogicalLine(text, lines, dep.line, { start: located.specStart, end: located.specEnd, text: written }, located.optionsStart);
    result.edits.push(...edits);
    for (const t of moved) {
      result.changes.push(change(file, dep.line, lastLine, t, before, written, hashesRemoved));
      if (hashesRemoved > 0) result.rehash.push({ package: t.name, from: t.from, line: dep.line, removed: hashesRemoved });
    }
  }
  return result;
}

/** The requirement on a physical line: where its specifier is, and where its options begin. */
function locateOnLine(text: string, line: PhysicalLine) {
  const comment = commentStart(text, line);
  const content = beforeContinuation(text, line.start, comment);
  let start = line.start;
  while (start < content && (text[start] === ' ' || text[start] === '\t')) start++;
  // pip: the requirement is every space-separated token before the first one starting with `-`.
  let optionsStart = content;
  for (let i = start + 1; i < content; i++) {
    if (text[i] === '-' && text[i - 1] === ' ') {
      optionsStart = i;
      break;
    }
  }
  const located = locateRequirement(text, start, optionsStart);
  return located === null ? null : { ...located, optionsStart };
}

/**
 * Edits for one logical line: the specifier replaced, every `--hash` removed from the line and its
 * continuation lines, emptied continuation lines deleted, and a dangling `\` removed.
 */
function rewriteLogicalLine(text: string, lines: PhysicalLine[], first: number, spec: TextEdit, optionsStart: number) {
  // The physical lines pip joins into this requirement (a comment line ends the join and is not ours).
  const extent: number[] = [first - 1];
  for (let i = first - 1; endsWithBackslash(text, lines[i]!) && i + 1 < lines.length && !COMMENT_LINE.test(text.slice(lines[i + 1]!.start, lines[i + 1]!.end)); i++) {
    extent.push(i + 1);
  }

  let hashesRemoved = 0;
  const newContent = new Map<number, string>();
  const deleted = new Set<number>();
  let movedComment: string | null = null;
  for (const index of extent) {
    const line = lines[index]!;
    // On the requirement's own line the options begin after its text (the spaces before them go with them).
    let from = line.start;
    if (index === first - 1) {
      from = optionsStart;
      while (from > spec.end && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
    }
    const stop = beforeContinuation(text, from, commentStart(text, line));
    const { kept, removed } = withoutHashes(text.slice(from, stop));
    hashesRemoved += removed;
    const head = index === first - 1 ? text.slice(line.start, spec.start) + spec.text + text.slice(spec.end, from) : '';
    const content = head + kept + text.slice(stop, line.end);
    const rest = text.slice(stop, line.end);
    if (index !== first - 1 && kept.trim() === '' && /^[ \t]*\\*$/.test(rest)) deleted.add(index);
    else if (index !== first - 1 && index === extent[extent.length - 1] && kept.trim() === '' && text[stop] === '#') {
      // Only its comment is left (`    --hash=sha256:… # pinned by ops`): the line goes, and the
      // comment moves to the end of the requirement, which no longer continues into it.
      deleted.add(index);
      movedComment = rest;
    } else newContent.set(index, content);
  }
  // The requirement used to end on a line now deleted: the last kept line must not continue into the next one.
  const lastOriginal = extent[extent.length - 1]!;
  if (deleted.has(lastOriginal)) {
    const lastKept = [...extent].reverse().find((i) => !deleted.has(i))!;
    const content = newContent.get(lastKept)!;
    let end = content.length;
    while (end > 0 && content[end - 1] === '\\') end--;
    while (end > 0 && (content[end - 1] === ' ' || content[end - 1] === '\t')) end--;
    newContent.set(lastKept, content.slice(0, end) + (movedComment === null ? '' : `  ${movedComment}`));
  }

  const edits: TextEdit[] = [];
  for (const index of extent) {
    const line = lines[index]!;
    if (deleted.has(index)) edits.push({ start: line.start, end: line.next, text: '' });
    else if (newContent.get(index) !== text.slice(line.start, line.end)) edits.push({ start: line.start, end: line.end, text: newContent.get(index)! });
  }
  const touched = extent.filter((i) => deleted.has(i) || newContent.get(i) !== text.slice(lines[i]!.start, lines[i]!.end));
  return { edits, lastLine: Math.max(first, ...touched.map((i) => i + 1)), hashesRemoved };
}

/**
 * Options text without its `--hash` options (each with the spaces before it), and how many there
 * were. Split into words in one pass (no regular expression that could backtrack on long blanks).
 */
function withoutHashes(options: string): { kept: string; removed: number } {
  let kept = '';
  let removed = 0;
  let at = 0;
  const words = [...options.matchAll(/[^ \t]+/g)];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const flag = HASH_FLAG.exec(word[0]);
    if (!flag) continue;
    // `--hash value`: the value is the next word.
    const last = flag[1] === undefined && i + 1 < words.length ? words[++i]! : word;
    kept += options.slice(at, word.index);
    // The blanks before the option go with it.
    let cut = kept.length;
    while (cut > 0 && (kept[cut - 1] === ' ' || kept[cut - 1] === '\t')) cut--;
    kept = kept.slice(0, cut);
    at = last.index! + last[0].length;
    removed++;
  }
  return { kept: kept + options.slice(at), removed };
}

function change(file: string, line: number, last: number, t: FixTarget, before: string, after: string, hashesRemoved: number): EntryChange {
  return { file, line, lines: { first: line, last }, package: t.name, before, after, fromVersion: t.from, toVersion: t.to, hashesRemoved };
}

/**
 * A requirement's specifier as written, widened for each of its targets in turn, and the targets it
 * now admits; a target whose widening is refused (a range it cannot move) is left alone, with why.
 * Shared by the line formats that rewrite a specifier in place (requirements files, Dockerfile RUN lines).
 */
export function widenForTargets(before: string, targets: readonly FixTarget[], file: string, line: number | null, leftAloneOut: LeftAlone[]): { written: string; moved: FixTarget[] } {
  let written = before;
  const moved: FixTarget[] = [];
  for (const t of targets) {
    const widening = widenPep440(written, t.from, t.to);
    if (widening.kind === 'widened') {
      written = widening.text;
      moved.push(t);
    } else if (widening.kind === 'refused') {
      leftAloneOut.push(leftAlone('not-understood', t, file, line, `not rewritten: ${widening.reason}`));
    }
  }
  return { written, moved };
}

