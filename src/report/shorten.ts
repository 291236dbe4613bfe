/**
 * Long problem lines made short: a parse error can quote a 5,000-character line. Every format shows
 * the start of the message and the whole place (`file:line`), with "…" where text was cut.
 */

/** Problem lines are cut to this many characters in every format. */
export const PROBLEM_LINE_MAX = 200;

/** One line of at most `max` characters, cut at a word where one is near, ending with "…" when cut. */
export function shorten(text: string, max: number = PROBLEM_LINE_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const room = Math.max(0, max - 1);
  const space = flat.lastIndexOf(' ', room);
  const cut = space >= room * 0.75 ? space : room;
  return `${flat.slice(0, cut).trimEnd()}…`;
}

export interface Problem {
  file: string;
  line: number | null;
  message: string;
}

/** `file:line` as shown everywhere. */
export const placeOf = (file: string, line: number | null): string => `${file}${line ? `:${line}` : ''}`;

/** The message of a problem shortened so that "file:line: message" stays within `max` (the place is never cut). */
export function shortProblemMessage(p: Problem, max: number = PROBLEM_LINE_MAX): string {
  return shorten(p.message, Math.max(40, max - placeOf(p.file, p.line).length - 2));
}
