/**
 * How setuptools turns the strings of a requirement list into requirements, shared by the readers
 * of setup.py and setup.cfg: both hand setuptools' `Distribution` a list of strings, and it reads
 * `install_requires` and `extras_require` through `_reqs.parse` whichever file they came from.
 */

/** One line of a string value, with the source line it starts on. */
export interface Piece {
  text: string;
  line: number;
}

/**
 * setuptools' `_reqs.parse_strings`: every line of every string, stripped; blank lines and `#`
 * lines dropped (jaraco.text `yield_lines`); `" #…"` cut off (`drop_comment`); a line ending in a
 * backslash joined to the next (`join_continuation`, which drops the backslash and the character
 * before it).
 */
export function requirementLines(strings: readonly (readonly Piece[])[]): Piece[] {
  const lines: Piece[] = [];
  for (const string of strings) {
    for (const piece of string) {
      const text = piece.text.trim();
      if (text === '' || text.startsWith('#')) continue;
      const comment = text.indexOf(' #');
      lines.push({ text: comment === -1 ? text : text.slice(0, comment), line: piece.line });
    }
  }
  const joined: Piece[] = [];
  for (let i = 0; i < lines.length; i++) {
    const { line } = lines[i]!;
    if (!lines[i]!.text.endsWith('\\')) {
      const text = lines[i]!.text.trim();
      if (text !== '') joined.push({ text, line });
      continue;
    }
    // `text.slice(0, -2).trim() + next`, line after line, without copying the line joined so far
    // at every step (quadratic in a run of continued lines): the parts are cut from the end in
    // place and joined once. Lines start trimmed, so only the end of the joined text needs trimming.
    const parts = [lines[i]!.text];
    const ends = [parts[0]!.length];
    const lastChar = () => parts.at(-1)![ends.at(-1)! - 1]!;
    const dropLastChar = () => {
      if (--ends[ends.length - 1]! === 0) {
        parts.pop();
        ends.pop();
      }
    };
    let complete = true;
    while (parts.length > 0 && lastChar() === '\\') {
      if (i + 1 >= lines.length) {
        complete = false;
        break;
      }
      dropLastChar();
      if (parts.length > 0) dropLastChar();
      while (parts.length > 0 && /\s/.test(lastChar())) dropLastChar();
      const next = lines[++i]!.text;
      if (next !== '') {
        parts.push(next);
        ends.push(next.length);
      }
    }
    const text = parts.map((part, k) => part.slice(0, ends[k])).join('').trim();
    if (complete && text !== '') joined.push({ text, line });
  }
  return joined;
}
