/**
 * The YAML parser, loaded on first use. Only trees with a `.depwatch.yml`, a conda
 * `environment.yml`, a CI workflow or Kubernetes/Compose files need it, and loading it cost every
 * audit and scan about 60 ms of start-up (see on-first-use.ts).
 */
import { onFirstUse } from './on-first-use.js';

export const yaml = onFirstUse<typeof import('yaml')>('yaml');

/**
 * Given to every parse of YAML Depwatch did not write (a repository's files, templates): at the
 * library's default level its warnings (an unknown tag, a key that is a collection) go to
 * process.emitWarning, and Node prints them on stderr with the file's raw line, terminal escapes
 * and all, in the CLI and in the bot's logs. 'error' keeps the errors, which `parse` still throws
 * ('silent' would drop them); a reader that needs the warnings reads `doc.warnings`. Errors are
 * not prettified: a reader says where one is with yamlErrorLine.
 */
export const QUIET_YAML = { logLevel: 'error', prettyErrors: false } as const;

/**
 * A parse error's first line as the library words it with `prettyErrors` on (`… at line L, column
 * C`), made from its offset. Untrusted text is parsed with `prettyErrors: false` (QUIET_YAML): the
 * library's pretty form copies the whole line an error is on, once per error, so one long line of
 * stray brackets (an error a character) cost its length squared: a 64 KB line in a compose file took
 * 4.8 s, a megabyte about twenty minutes.
 */
export function yamlErrorLine(error: { message: string; pos: readonly [number, number] }, counter: { linePos(offset: number): { line: number; col: number } }): string {
  const first = error.message.split('\n')[0]!;
  if (error.pos[0] < 0) return first;
  const { line, col } = counter.linePos(error.pos[0]);
  return `${first} at line ${line}, column ${col}`;
}

/**
 * Whether YAML text might nest deeper than `limit`. A bound, not a parse: each block level starts
 * at least one column right of its parent, so a line's indentation plus its `- `, `? ` and `: `
 * indicators bound its depth; flow levels are counted as unmatched brackets anywhere, quotes and
 * comments included (that only overestimates).
 */
export function yamlMayNestDeeperThan(text: string, limit: number): boolean {
  let flow = 0;
  let lineDepth = 0;
  let atIndent = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a /* \n */) {
      lineDepth = 0;
      atIndent = true;
      continue;
    }
    if (atIndent && c === 0x20) {
      if (++lineDepth > limit) return true;
      continue;
    }
    atIndent = false;
    if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++flow > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (flow > 0) flow--;
    } else if (c === 0x2d /* - */ || c === 0x3f /* ? */ || c === 0x3a /* : */) {
      const next = text.charCodeAt(i + 1);
      if ((Number.isNaN(next) || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d) && ++lineDepth > limit) return true;
    }
  }
  return false;
}

/**
 * Runs a parse of untrusted YAML with Error.stackTraceLimit at 0, restored after. The library makes
 * an Error for every problem it meets, and hostile text (a run of `]` or `"`) is a problem per
 * character: capturing each one's stack was three quarters of the parse (40,000 stray brackets: 520
 * ms, 135 ms without stacks). No caller reads the stacks of these errors, only their messages and
 * positions. The parse is synchronous, so nothing else runs while the limit is 0.
 */
export function withoutErrorStacks<T>(parse: () => T): T {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parse();
  } finally {
    Error.stackTraceLimit = saved;
  }
}

/**
 * How many closing flow brackets (`]`, `}`) close nothing: quotes and comments are not told apart,
 * so a bracket there counts when it closes nothing, and one that opens there may hide a later
 * stray one (an estimate, for bounding the parser's work). Each stray bracket is an error to the
 * YAML library, which keeps every error: a megabyte of them held about 330 MB.
 */
export function strayFlowClosers(text: string): number {
  let open = 0;
  let stray = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) open++;
    else if (c === 0x5d || c === 0x7d) {
      if (open > 0) open--;
      else stray++;
    }
  }
  return stray;
}

/** How many flow-collection brackets (`[`, `]`, `{`, `}`) the text holds, quotes and comments included. */
export function flowBrackets(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d) n++;
  }
  return n;
}
