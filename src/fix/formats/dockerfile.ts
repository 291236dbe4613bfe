/**
 * Dockerfiles: the pins of their `pip install` lines, and pipx's and uv's tools (src/python/formats/dockerfile.ts).
 *
 * The parser says which requirements a RUN instruction installs; this finds each as a word of that
 * instruction in the file (its physical lines, continuation lines included), checks the word means
 * what the parser read, and rewrites the version specifier's characters only. Only words whose
 * characters in the file are the requirement's are rewritten: a plain word (`django==2.1.5`), one
 * wholly in single or double quotes without anything the shell would expand or unescape inside
 * (`'django==2.1.5'`, `"celery[redis]==5.3.0"`), or a string of an exec-form RUN
 * (`["pip", "install", "django==2.1.5"]`) without escapes, or such a word's value after
 * `--with=` / `--from=` / `--spec=` / `--preinstall=`, and each requirement of a `--with` list
 * (`'six==1.16.0,django==2.1.5'`); uv's `name@version` has its version
 * rewritten after the `@` when the fix is a version of its own; and the new text must mean the same to
 * the shell in that place (no `<` or `>` unquoted, which would be a redirection). A pin set through
 * ENV, in a here-document, or split by quotes is left alone with the reason. The planner reads the
 * rewritten file again and keeps it only if every other requirement reads as before (plan.ts
 * rewriteProblem), so a word found wrongly can cost the fix, never the file.
 */
import { dockerfileFormat } from '../../python/formats/dockerfile.js';
import { listParts } from '../../python/formats/install-commands.js';
import { normalizeName } from '../../python/names.js';
import { normalizeSpecifier } from '../../python/pep508.js';
import { execFormWords, parseDockerfile } from '../../scan/runtime/dockerfile.js';
import { pushTo } from '../group.js';
import { locateRequirement, type RequirementText } from '../requirement-text.js';
import { specifierContains } from '../../python/pep440.js';
import type { Dependency } from '../../python/types.js';
import type { FixTarget, ManifestRewriter, RewriteResult } from '../types.js';
import { installedFrom, leftAlone } from '../left-alone.js';
import { widenForTargets } from './requirements.js';
import { partitionPoint } from '../../sorted.js';

export const dockerfileRewriter: ManifestRewriter = {
  format: 'dockerfile',
  rewrite: rewriteDockerfile,
};

/** How a word sits in the file: what its characters are inside (the requirement's, here) and what may not be written there. */
type Quoting = 'plain' | 'single' | 'double' | 'json';

/** A word of a RUN instruction whose characters in the file are its value: where the value is, and how it is quoted. */
interface Word {
  start: number;
  end: number;
  quoting: Quoting;
}

interface Line {
  start: number;
  end: number;
}

const NOT_WRITTEN_HERE =
  "the pin is not written as a word of the RUN instruction the rewriter can change (set through ENV, in a here-document or a shell's -c script, or quoted in parts); change it by hand";

function rewriteDockerfile(text: string, file: string, targets: readonly FixTarget[]): RewriteResult {
  const result: RewriteResult = { edits: [], changes: [], leftAlone: [], rehash: [] };
  const wanted = new Map<string, FixTarget[]>();
  for (const t of targets) pushTo(wanted, t.name, t);
  if (wanted.size === 0) return result;
  // `# escape=`` ` changes what continues a line: such a file is left to the user.
  const otherEscape = /^(?:#[^\n]*\n)*?#\s*escape\s*=\s*`/i.test(text.replace(/^\uFEFF/, ''));

  const lines = physicalLines(text);
  const instructions = instructionSpans(text);
  // The requirements of each instruction, by its first line (0-based); those in no instruction's
  // own lines (a here-document's body) under -1.
  const byInstruction = new Map<number, Dependency[]>();
  for (const dep of dockerfileFormat.extract(text, { file }).dependencies) {
    const mine = wanted.get(dep.name);
    if (!mine || dep.line === null) continue;
    if (dep.source !== 'registry') {
      for (const t of mine.filter((t) => dep.version === t.from)) {
        result.leftAlone.push(leftAlone('non-registry', t, file, dep.line, installedFrom(dep.source)));
      }
      continue;
    }
    pushTo(byInstruction, instructionAt(instructions, dep.line), dep);
  }

  for (const [first, deps] of byInstruction) {
    // The words of the instruction that are a wanted requirement, by their line and what they mean
    // (name and specifier as the parser prints them), in order: each requirement the parser read
    // on a line takes the first word there meaning it, once. A map, not a search per requirement:
    // a RUN of 100,000 pins.
    const byMeaning = new Map<string, ({ word: Word } & FoundRequirement)[]>();
    if (!otherEscape && first !== -1) {
      for (const word of wordsOfInstruction(text, lines, first)) {
        for (const found of requirementsIn(text, word)) {
          const name = normalizeName(found.located.name);
          if (!wanted.has(name)) continue;
          const line = lineOf(lines, word.start) + 1;
          pushTo(byMeaning, `${line}\u0000${name}\u0000${found.specifier}`, { word, ...found });
        }
      }
    }
    const next = new Map<string, number>();
    for (const dep of deps) {
      const line = dep.line!;
      const key = `${line}\u0000${dep.name}\u0000${dep.specifier}`;
      const nth = next.get(key) ?? 0;
      next.set(key, nth + 1);
      const mine = wanted.get(dep.name)!.filter((t) => specifierContains(dep.specifier, t.from, INSIDE) && !specifierContains(dep.specifier, t.to, INSIDE));
      if (mine.length === 0) continue;
      const hit = byMeaning.get(key)?.[nth];
      if (hit === undefined) {
        for (const t of mine) result.leftAlone.push(leftAlone('not-understood', t, file, dep.line, NOT_WRITTEN_HERE));
        continue;
      }
      const { word, located, atVersion } = hit;
      const before = text.slice(located.specStart, located.specEnd);
      const widened = widenForTargets(atVersion ? `==${before}` : before, mine, file, dep.line, result.leftAlone);
      const { moved } = widened;
      if (moved.length === 0) continue;
      // uv's `name@version` names one version: a fix that needs more (a range) is written by hand.
      const pinned = atVersion ? /^==([0-9][0-9A-Za-z.+!_-]*)$/.exec(widened.written)?.[1] : undefined;
      if (atVersion && pinned === undefined) {
        for (const t of moved) result.leftAlone.push(leftAlone('not-understood', t, file, dep.line, `not rewritten: uv's name@version names one version, and the fix needs ${widened.written}; change it by hand`));
        continue;
      }
      const written = pinned ?? widened.written;
      const unsafe = unsafeIn(word.quoting, written);
      if (unsafe !== null) {
        for (const t of moved) result.leftAlone.push(leftAlone('not-understood', t, file, dep.line, `not rewritten: ${written} ${unsafe}; change it by hand`));
        continue;
      }
      result.edits.push({ start: located.specStart, end: located.specEnd, text: written });
      const specLine = lineOf(lines, located.specStart) + 1;
      // As written: `@2.1.5` → `@2.2.28` for uv's name@version.
      const shown = atVersion ? { before: `@${before}`, after: `@${written}` } : { before, after: written };
      for (const t of moved) {
        result.changes.push({ file, line, lines: { first: specLine, last: specLine }, package: t.name, ...shown, fromVersion: t.from, toVersion: t.to, hashesRemoved: 0 });
      }
    }
  }
  return result;
}

const INSIDE = { containsPrereleases: true } as const;

/** A requirement a word of the RUN holds: where its specifier is written, what it means (normalized), and whether it is uv's `name@version`. */
interface FoundRequirement {
  located: RequirementText;
  specifier: string;
  /** `ruff@0.6.0`: the specifier's characters are the version alone, meaning `==0.6.0`. */
  atVersion: boolean;
}

/** Options of uv and pipx whose value is a requirement, joined to them by `=` (`--with=django==2.1.5`); the value is read after it. */
const REQUIREMENT_OPTION = /^--(?:with|from|spec|preinstall)=/;
/**
 * uv's `name@version` (with extras): `name==version` to uv (src/python/formats/install-commands.ts
 * requirementValues reads it so); `@latest` or a URL after the `@` is no pin.
 */
const AT_VERSION = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\[[^\]]*\])?@([0-9][0-9A-Za-z.+!_-]*)$/;

/**
 * The requirements a word of the RUN holds: the word itself, or the value of a REQUIREMENT_OPTION,
 * each of its parts when it is a `--with` list (split as uv splits one: listParts; a word of one
 * requirement is one part). What the parser read each word as is not known here: a part stands for
 * a requirement only when it means one the parser read at that line. Linear in the word.
 */
function requirementsIn(text: string, word: Word): FoundRequirement[] {
  const option = REQUIREMENT_OPTION.exec(text.slice(word.start, Math.min(word.end, word.start + 16)));
  const start = word.start + (option?.[0].length ?? 0);
  const found: FoundRequirement[] = [];
  for (const [from, to] of listParts(text.slice(start, word.end))) {
    const part = requirementAt(text, start + from, start + to);
    if (part !== null) found.push(part);
  }
  return found;
}

/** The requirement text[start, end) is (uv's `name@version` too), or null. */
function requirementAt(text: string, start: number, end: number): FoundRequirement | null {
  const at = text.slice(start, end).includes('@') ? AT_VERSION.exec(text.slice(start, end)) : null;
  if (at !== null) {
    const specStart = end - at[2]!.length;
    return { located: { name: at[1]!, specStart, specEnd: end, url: false }, specifier: `==${at[2]}`, atVersion: true };
  }
  const located = locateRequirement(text, start, end);
  if (located === null || located.url) return null;
  return { located, specifier: normalizeSpecifier(text.slice(located.specStart, located.specEnd)), atVersion: false };
}

/** Why `written` cannot stand in a word quoted so (the shell would read it otherwise), or null. */
function unsafeIn(quoting: Quoting, written: string): string | null {
  if (quoting === 'plain' && !/^[A-Za-z0-9_.=~!,+-]*$/.test(written)) return 'would need quotes in the shell command (an unquoted < or > is a redirection)';
  if (quoting === 'single' && written.includes("'")) return "holds ', which would end the quoted word";
  if ((quoting === 'double' || quoting === 'json') && /["\\$`]/.test(written)) return 'holds a character that would end or change the quoted word';
  return null;
}

/** Each instruction's first and last line (1-based, its continuation lines; not its here-documents' bodies), in order. */
function instructionSpans(text: string): { first: number; last: number }[] {
  const { preamble, stages } = parseDockerfile(text.replace(/^\uFEFF/, ''));
  return [...preamble, ...stages.flatMap((stage) => [stage.from, ...stage.instructions])].map((ins) => ({
    first: ins.line,
    last: ins.argsLines[ins.argsLines.length - 1]?.line ?? ins.line,
  }));
}

/** The 0-based first line of the instruction whose own lines hold `line` (a binary search), or -1 (a here-document's body). */
function instructionAt(spans: readonly { first: number; last: number }[], line: number): number {
  const span = spans[Math.max(0, partitionPoint(0, spans.length, (i) => spans[i]!.first <= line) - 1)];
  return span !== undefined && span.first <= line && line <= span.last ? span.first - 1 : -1;
}

/** Lines split at `\n` (a `\r` before it stays out of the line), as the Dockerfile reader splits them. */
function physicalLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) {
    lines.push({ start, end: at > start && text[at - 1] === '\r' ? at - 1 : at });
    start = at + 1;
  }
  lines.push({ start, end: text.length });
  return lines;
}

/** The 0-based line holding an offset. */
function lineOf(lines: readonly Line[], offset: number): number {
  return Math.max(0, partitionPoint(0, lines.length, (i) => lines[i]!.start <= offset) - 1);
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * The words of the instruction starting on line `first` whose characters are their value, across
 * its continuation lines (a line ending in `\`; comment lines between them are not its text), as
 * the shell splits them; an exec-form RUN's strings. A word that starts a comment ends the reading
 * (the reader joins the lines, so the comment takes the rest of the instruction).
 */
function wordsOfInstruction(text: string, lines: readonly Line[], first: number): Word[] {
  const parts: Line[] = [];
  for (let i = first; i < lines.length; i++) {
    const line = lines[i]!;
    const content = text.slice(line.start, line.end);
    if (i > first && /^\s*(#|$)/.test(content)) continue;
    const trimmed = content.trimEnd();
    if (!trimmed.endsWith('\\') || i + 1 >= lines.length) {
      parts.push(line);
      break;
    }
    parts.push({ start: line.start, end: line.start + trimmed.length - 1 });
  }
  const whole = parts.map((p) => text.slice(p.start, p.end)).join(' ');
  // After the keyword (`ONBUILD RUN` is one).
  const args = whole.replace(/^\s*(?:ONBUILD\s+)?\S+\s*/i, '');
  if (execFormWords(args) !== null) return parts.flatMap((p) => jsonStrings(text, p));
  const words: Word[] = [];
  for (const part of parts) {
    const ended = shellWordsIn(text, part, words);
    if (ended) break;
  }
  return words;
}

/** The double-quoted strings of a line without escapes: an exec-form RUN's words. */
function jsonStrings(text: string, line: Line): Word[] {
  const words: Word[] = [];
  for (let k = line.start; k < line.end; k++) {
    if (text[k] !== '"') continue;
    const close = text.indexOf('"', k + 1);
    if (close === -1 || close > line.end) break;
    if (!text.slice(k + 1, close).includes('\\')) words.push({ start: k + 1, end: close, quoting: 'json' });
    k = close;
  }
  return words;
}

/**
 * The shell words of one physical line (its part of the instruction) whose value is their
 * characters, added to `words`; true when a comment ends the instruction there. Quotes do not span
 * lines here (a word quoted across a continuation is not one the rewriter changes).
 */
function shellWordsIn(text: string, line: Line, words: Word[]): boolean {
  let k = line.start;
  while (k < line.end) {
    const c = text[k]!;
    if (isBlank(c) || ';&|()<>'.includes(c)) {
      k++;
      continue;
    }
    if (c === '#') return true;
    const start = k;
    let simple = true;
    let quoting: Quoting = 'plain';
    while (k < line.end && !isBlank(text[k]) && !';&|()<>'.includes(text[k]!)) {
      const q = text[k]!;
      if (q === "'" || q === '"') {
        const close = text.indexOf(q, k + 1);
        if (close === -1 || close >= line.end) return false;
        // Wholly quoted, and nothing inside the shell reads otherwise.
        if (k === start && (close + 1 === line.end || isBlank(text[close + 1]) || ';&|()<>'.includes(text[close + 1]!))) {
          quoting = q === "'" ? 'single' : 'double';
          if (q === '"' && /["\\$`]/.test(text.slice(k + 1, close))) simple = false;
        } else simple = false;
        k = close + 1;
      } else {
        if (q === '\\' || q === '$' || q === '`') simple = false;
        k++;
      }
    }
    if (!simple) continue;
    words.push(quoting === 'plain' ? { start, end: k, quoting } : { start: start + 1, end: k - 1, quoting });
  }
  return false;
}
