/**
 * Where the parts of a PEP 508 requirement sit in its text: the name and the version specifier as
 * written (`Django[bcrypt] >= 2.1, <3 ; python_version >= "3.8"` → `>= 2.1, <3`). The parsers
 * (src/python/pep508.ts) say what a requirement means; this says where to write, and callers
 * check that what sits here means what the parser said before they change a character.
 */

export interface RequirementText {
  /** The name as written. */
  name: string;
  /** The version specifier as written, without surrounding spaces or parentheses; empty (start = end) when none. */
  specStart: number;
  specEnd: number;
  /** `name @ url`: installed from a URL, nothing to rewrite. */
  url: boolean;
}

const NAME = /[ \t]*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[ \t]*(?:\[[^\]\n]*\][ \t]*)?/y;

/**
 * Locates the requirement that starts at `from` and ends before `end` (a requirement string, or the
 * requirement part of a pip line with its options and comment cut off). Null when it does not start
 * with a project name.
 */
export function locateRequirement(text: string, from = 0, end = text.length): RequirementText | null {
  NAME.lastIndex = from;
  const head = NAME.exec(text);
  if (!head || head.index !== from || NAME.lastIndex > end) return null;
  let at = NAME.lastIndex;
  if (text[at] === '@') return { name: head[1]!, specStart: at, specEnd: at, url: true };
  // Searched within the requirement only: callers pass a whole file with `end` at the line's end.
  const markerAt = text.slice(at, end).indexOf(';');
  let stop = markerAt === -1 ? end : at + markerAt;
  if (text[at] === '(') {
    const closeAt = text.slice(at, stop).indexOf(')');
    if (closeAt === -1) return null;
    const close = at + closeAt;
    at += 1;
    stop = close;
  }
  while (at < stop && (text[at] === ' ' || text[at] === '\t')) at++;
  while (stop > at && (text[stop - 1] === ' ' || text[stop - 1] === '\t')) stop--;
  return { name: head[1]!, specStart: at, specEnd: stop, url: false };
}
