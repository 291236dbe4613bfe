/**
 * A Dockerfile as a list of instructions grouped in build stages, following the Dockerfile
 * reference: parser directives (`# escape=`), comments (also between continuation lines), line
 * continuations with the escape character, and here-documents (`RUN <<EOF … EOF`), whose bodies
 * are not instructions. Linear in the text.
 */

export interface Instruction {
  /** Upper case: FROM, USER, ADD, ENV, ARG… */
  keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
  column: number;
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
    let part = trimmed;
    // Continuations: the line ends with the escape character (trailing spaces allowed).
    while (endsWithEscape(lines[i]!, escape) && i + 1 < lines.length) {
      part = part.trimEnd().slice(0, -1).trimEnd();
      if (part !== '') parts.push(part);
      i++;
      // Comment lines inside a continuation are dropped, blank ones too.
      while (i < lines.length && /^\s*(#|$)/.test(lines[i]!) && i + 1 < lines.length) i++;
      part = lines[i]!.trim();
    }
    parts.push(part);
    const joined = parts.join(' ');
    i++;
    const space = joined.search(/\s/);
    const keyword = (space === -1 ? joined : joined.slice(0, space)).toUpperCase();
    const args = space === -1 ? '' : joined.slice(space + 1).trim();
    instructions.push({ keyword, args, line: start + 1, column });
    // Here-documents: skip their bodies up to each delimiter.
    for (const m of args.matchAll(/<<-?\s?["']?([A-Za-z_][A-Za-z0-9_]*)["']?/g)) {
      const delimiter = m[1]!;
      while (i < lines.length && lines[i]!.trim() !== delimiter) i++;
      i++;
    }
  }
  const out: Dockerfile = { preamble: [], stages: [] };
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

function endsWithEscape(line: string, escape: string): boolean {
  const t = line.trimEnd();
  return t.endsWith(escape) && !t.trimStart().startsWith('#');
}

/** `KEY=value KEY2="v 2"` or the legacy `KEY value` form of ENV / LABEL; ARG gives `NAME[=default]`. */
export function keyValues(args: string): { key: string; value: string | null }[] {
  const out: { key: string; value: string | null }[] = [];
  if (!args.includes('=')) {
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
