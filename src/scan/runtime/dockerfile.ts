/**
 * A Dockerfile as a list of instructions grouped in build stages, following the Dockerfile
 * reference: parser directives (`# escape=`), comments (also between continuation lines), line
 * continuations with the escape character, and here-documents (`RUN <<EOF … EOF`), whose bodies
 * are not instructions; here-documents are recognised as BuildKit's parser recognises them
 * (moby/buildkit frontend/dockerfile/parser). Linear in the text.
 */
import { partitionPoint } from '../../sorted.js';

export interface Instruction {
  /** Upper case: FROM, USER, ADD, ENV, ARG… */
  keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
  column: number;
  /**
   * Where each physical line's part of `args` starts (`at`, an offset in `args`) and its 1-based
   * line, in order: a word of a continued instruction is on the line of the last part starting at
   * or before it (lineInArgs). One entry per line that holds text; the keyword's line first.
   */
  argsLines: readonly { at: number; line: number }[];
  /** The bodies of the here-documents it opens (`RUN <<EOF` … `EOF`), in order, lines joined with `\n`; absent when none. */
  hereDocuments?: string[];
  /** The 1-based line of each here-document body's first line, with hereDocuments. */
  hereDocumentLines?: number[];
}

export interface Stage {
  from: Instruction;
  /** The image reference after FROM flags (`python:3.12-slim`, `$BASE`, `builder`). */
  image: string;
  /** `AS name`, lower case, or null. */
  name: string | null;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Instructions before the first FROM (ARG only, per the reference). */
  preamble: Instruction[];
  stages: Stage[];
  /** What could not be read as instructions (a here-document never closed): the rules did not see it. */
  problems: string[];
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives: only at the very top, before any comment, blank line or instruction.
  for (const line of lines) {
    const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line.length > 200 ? '' : line);
    if (!m) break;
    if (m[1]!.toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2];
  }
  const instructions: Instruction[] = [];
  const problems: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i]!;
    const trimmed = first.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    const start = i;
    const column = first.length - trimmed.length + 1;
    // Each line's own part, joined once at the end: cutting the escape off a string built up line
    // by line copies all of it again on every continuation line, quadratic in the instruction.
    const parts: string[] = [];
    /** The 0-based line of each part. */
    const partLines: number[] = [];
    let part = trimmed;
    // Continuations: the line ends with the escape character (trailing spaces allowed).
    while (endsWithEscape(lines[i]!, escape) && i + 1 < lines.length) {
      part = part.trimEnd().slice(0, -1).trimEnd();
      if (part !== '') {
        parts.push(part);
        partLines.push(i);
      }
      i++;
      // Comment lines inside a continuation are dropped, blank ones too.
      while (i < lines.length && /^\s*(#|$)/.test(lines[i]!) && i + 1 < lines.length) i++;
      part = lines[i]!.trim();
    }
    parts.push(part);
    partLines.push(i);
    const joined = parts.join(' ');
    i++;
    const space = joined.search(/\s/);
    const keyword = (space === -1 ? joined : joined.slice(0, space)).toUpperCase();
    const afterKeyword = space === -1 ? '' : joined.slice(space + 1);
    const args = afterKeyword.trim();
    const instruction: Instruction = { keyword, args, line: start + 1, column, argsLines: argsLinesOf(parts, partLines, joined.length - afterKeyword.trimStart().length) };
    instructions.push(instruction);
    // Here-documents: their bodies follow the instruction, one after the other, each up to a line
    // that is exactly its delimiter (after leading tabs, for `<<-`), as BuildKit reads them.
    for (const heredoc of hereDocuments(keyword, args)) {
      const bodyStart = i;
      while (i < lines.length && (heredoc.chomp ? lines[i]!.replace(/^\t+/, '') : lines[i]!) !== heredoc.delimiter) i++;
      (instruction.hereDocuments ??= []).push(lines.slice(bodyStart, i).join('\n'));
      (instruction.hereDocumentLines ??= []).push(bodyStart + 1);
      if (i === lines.length) {
        // BuildKit refuses the file ("unterminated heredoc"); what follows was not read as instructions.
        const word = heredoc.delimiter.length > 40 ? `${heredoc.delimiter.slice(0, 40)}…` : heredoc.delimiter;
        problems.push(`line ${start + 1}: the here-document <<${word} is never closed (no line "${word}" follows it), so docker cannot build this file; nothing after line ${start + 1} was checked`);
        break;
      }
      i++;
    }
  }
  const out: Dockerfile = { preamble: [], stages: [], problems };
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const asAt = words.findIndex((w) => w.toUpperCase() === 'AS');
      out.stages.push({ from: ins, image: words[0] ?? '', name: asAt > 0 ? words[asAt + 1]?.toLowerCase() ?? null : null, instructions: [] });
    } else if (out.stages.length === 0) {
      out.preamble.push(ins);
    } else {
      out.stages[out.stages.length - 1]!.instructions.push(ins);
    }
  }
  return out;
}

/**
 * Where each part (a physical line's text, joined with single spaces) starts in the instruction's
 * `args`, which start at `argsStart` of the joined text; the keyword's part starts before them (0).
 */
function argsLinesOf(parts: readonly string[], partLines: readonly number[], argsStart: number): { at: number; line: number }[] {
  const out: { at: number; line: number }[] = [];
  let at = 0;
  for (let p = 0; p < parts.length; p++) {
    out.push({ at: Math.max(0, at - argsStart), line: partLines[p]! + 1 });
    at += parts[p]!.length + 1;
  }
  return out;
}

/** The 1-based line of the character at `offset` in the instruction's `args` (a binary search of its argsLines). */
export function lineInArgs(ins: Pick<Instruction, 'argsLines' | 'line'>, offset: number): number {
  const parts = ins.argsLines;
  if (parts.length === 0) return ins.line;
  return parts[Math.max(0, partitionPoint(0, parts.length, (i) => parts[i]!.at <= offset) - 1)]!.line;
}

/** The instructions whose shell form may open here-documents (ONBUILD too, before one of them). */
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);

/**
 * The here-documents an instruction opens, by BuildKit's rule: only RUN, COPY and ADD (also after
 * ONBUILD), only in shell form (not `["sh", "-c", …]`), and only a shell word of its own that is
 * `<<WORD` or `<<-WORD`, optionally after a file descriptor (`3<<EOF`), the word optionally quoted
 * (`<<"EOF"`). So `<<` inside quotes (`python -c "print(1<<n)"`), inside a word (`cat<<EOF`) and
 * here-strings (`<<<`) open none.
 */
function hereDocuments(keyword: string, args: string): { delimiter: string; chomp: boolean }[] {
  let rest = args;
  let instruction = keyword;
  if (instruction === 'ONBUILD') {
    const space = rest.search(/\s/);
    instruction = (space === -1 ? rest : rest.slice(0, space)).toUpperCase();
    rest = space === -1 ? '' : rest.slice(space + 1).trimStart();
  }
  if (!HEREDOC_INSTRUCTIONS.has(instruction) || !rest.includes('<<') || isExecForm(rest)) return [];
  const found: { delimiter: string; chomp: boolean }[] = [];
  for (const word of shellWords(rest)) {
    // ^\d*<<-?[^<]+$, without a regular expression.
    let k = 0;
    while (k < word.length && word[k]! >= '0' && word[k]! <= '9') k++;
    if (!word.startsWith('<<', k)) continue;
    k += 2;
    const chomp = word[k] === '-';
    if (chomp) k++;
    const quoted = word.slice(k);
    if (quoted === '' || quoted.includes('<')) continue;
    const delimiter = unquote(quoted);
    if (delimiter !== '') found.push({ delimiter, chomp });
  }
  return found;
}

/** Exec form: after any `--flag`s, a JSON array of strings. */
const isExecForm = (args: string): boolean => execFormWords(args) !== null;

/** The words of an exec-form instruction (`RUN ["sh", "-c", "make"]`, after any `--flag`s); null for shell form. */
export function execFormWords(args: string): string[] | null {
  const start = afterFlags(args);
  if (!args.startsWith('[', start)) return null;
  try {
    const value: unknown = JSON.parse(args.slice(start));
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
  } catch {
    return null;
  }
}

/** Where an instruction's text starts after its `--flag`s (`RUN --mount=… [`). */
function afterFlags(args: string): number {
  const flag = /--\S*\s*/y;
  let start = 0;
  while (flag.test(args)) start = flag.lastIndex;
  return start;
}

/**
 * The words of an exec-form instruction with where each string starts in `args` (its opening
 * quote), for the line it is on; null for shell form. A JSON string holds no line break, so each
 * word is on one line.
 */
export function execFormWordsAt(args: string): { word: string; at: number }[] | null {
  const words = execFormWords(args);
  if (words === null) return null;
  // Valid JSON of strings: each `"` outside a string opens the next one; inside, `\` escapes one character.
  const out: { word: string; at: number }[] = [];
  for (let k = afterFlags(args); k < args.length && out.length < words.length; k++) {
    if (args[k] !== '"') continue;
    out.push({ word: words[out.length]!, at: k });
    for (k++; k < args.length && args[k] !== '"'; k++) if (args[k] === '\\') k++;
  }
  return out;
}

/** A shell line split into words as written (quotes and backslashes kept): blanks inside quotes or after a backslash do not split. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let start = -1;
  let quote: '"' | "'" | null = null;
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') k++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (start !== -1) words.push(line.slice(start, k));
      start = -1;
      continue;
    }
    if (start === -1) start = k;
    if (c === '"' || c === "'") quote = c;
    else if (c === '\\') k++;
  }
  if (start !== -1) words.push(line.slice(start));
  return words;
}

/** A shell word's value: quotes removed, backslash escapes resolved (`"EOF"`, `'EOF'`, `E\OF` are EOF). */
export function unquote(word: string): string {
  let out = '';
  let quote: '"' | "'" | null = null;
  for (let k = 0; k < word.length; k++) {
    const c = word[k]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && k + 1 < word.length) out += word[++k];
      else out += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '\\' && k + 1 < word.length) out += word[++k];
    else out += c;
  }
  return out;
}

function endsWithEscape(line: string, escape: string): boolean {
  const t = line.trimEnd();
  return t.endsWith(escape) && !t.trimStart().startsWith('#');
}

/**
 * The settings of an ENV, LABEL or ARG, by BuildKit's rules: ENV and LABEL take `KEY=value
 * KEY2="v 2"`, or the legacy `KEY value` (the rest of the line, `=` and all) when their first word
 * has no `=` (`ENV API_KEY abc=` sets API_KEY to `abc=`); ARG has no legacy form, each word is
 * `NAME[=default]`.
 */
export function keyValues(keyword: string, args: string): { key: string; value: string | null }[] {
  const out: { key: string; value: string | null }[] = [];
  if (keyword !== 'ARG' && !(shellWords(args)[0] ?? '').includes('=')) {
    const [key, ...rest] = args.split(/\s+/);
    if (key) out.push({ key, value: rest.length ? rest.join(' ') : null });
    return out;
  }
  const re = /([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  for (const m of args.matchAll(re)) {
    const raw = m[2];
    out.push({ key: m[1]!, value: raw === undefined ? null : raw.replace(/^(["'])(.*)\1$/, '$2') });
  }
  return out;
}
