/**
 * One notebook code cell as the Python IPython compiles from it, line for line. IPython reads its
 * own syntax before Python does: line magics (`%pip install x`), shell escapes (`!ls`, `x = !ls`),
 * help (`?obj`, `obj?`), auto-call escapes (`/f x`, `,f x`, `;f x`) and cell magics (`%%bash`).
 * tree-sitter cannot parse those, so they are blanked here, each line kept (as an empty line, or
 * `None` at its indentation when it is indented, so an `if` or `for` whose body it is still has one),
 * and line n of the cell stays line n of its Python. The rest of the cell is left as written.
 *
 * IPython finds an escape only at the start of a logical line (its token transformer): `% b`
 * continuing `("a %s"` on the next line is Python's modulo, and `!ls` inside a triple-quoted string
 * is text. So the cell is read with a small tokenizer that knows strings, comments, brackets and
 * backslash continuations; it reads each character once, so a cell of megabytes stays linear.
 */

/** Cell magics whose body is Python (timed, profiled, captured or run in a new interpreter): only their first line is IPython's. */
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'python', 'python3', 'px', 'memit', 'snakeviz']);

export interface CellPython {
  /** The cell's lines as Python, as many as the cell has. */
  lines: string[];
  /**
   * Characters IPython removed at the start of each line before reading it (the first line's
   * indentation, `>>> ` or `In [1]: ` prompts), to add back to a column; null when none were.
   */
  shifts: Int32Array | null;
  /** `%%bash` and other cell magics whose body is not Python: the cell was blanked whole. */
  magic: string | null;
  /**
   * A string, bracket or backslash continuation left open at the end of the cell (1-based line
   * where it opened): IPython refuses such a cell, and read as one text with the next cells it
   * would swallow them, so the cell was blanked and the caller says its code was not checked.
   */
  unclosed: { line: number; what: string } | null;
}

/** The cell's Python. `source` is the cell's whole text, lone CRs already made LF. */
export function cellPython(source: string): CellPython {
  const lines = source.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const shifts = stripIPythonCleanups(lines);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first !== -1 && lines[first]!.startsWith('%%')) {
    const name = /^%%([\w.]+)/.exec(lines[first]!)?.[1] ?? '';
    const writesPython = name === 'writefile' && /\.pyw?\s*$/i.test(lines[first]!);
    if (PYTHON_CELL_MAGICS.has(name) || writesPython) lines[first] = '';
    else return { lines: lines.map(() => ''), shifts, magic: `%%${name}`, unclosed: null };
  }
  const unclosed = blankIPythonSyntax(lines);
  if (unclosed !== null) return { lines: lines.map(() => ''), shifts, magic: null, unclosed };
  return { lines, shifts, magic: null, unclosed: null };
}

/**
 * IPython's clean-ups before anything else (its `cleanup_transforms`): leading blank lines do not
 * count, the first line's indentation is removed from every line that starts with it, and a cell
 * pasted from a console has its `>>> ` / `... ` or `In [1]: ` / `...: ` prompts removed. Done in
 * place; the characters removed from each line are returned (null when none were).
 */
function stripIPythonCleanups(lines: string[]): Int32Array | null {
  let shifts: Int32Array | null = null;
  const strip = (i: number, n: number) => {
    if (n === 0) return;
    shifts ??= new Int32Array(lines.length);
    shifts[i]! += n;
    lines[i] = lines[i]!.slice(n);
  };
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first === -1) return null;
  const indent = /^[ \t]*/.exec(lines[first]!)![0];
  if (indent !== '') for (let i = first; i < lines.length; i++) if (lines[i]!.startsWith(indent)) strip(i, indent.length);
  for (const { initial, prompt } of PROMPTS) {
    if (!initial.test(lines[first]!) && !(first + 1 < lines.length && prompt.test(lines[first + 1]!))) continue;
    for (let i = first; i < lines.length; i++) strip(i, prompt.exec(lines[i]!)?.[0].length ?? 0);
    break;
  }
  return shifts;
}

/** IPython's PromptStrippers: the classic `>>> ` console and IPython's own `In [n]: `. */
const PROMPTS = [
  { initial: /^>>>(?: |$)/, prompt: /^(?:>>>|\.\.\.)(?: |$)/ },
  { initial: /^(?:In \[\d+\]: |\s*\.\.\.+: ?)/, prompt: /^(?:In \[\d+\]: |\s*\.\.\.+: ?)/ },
];

/** Characters that start an IPython escape at the start of a logical line. */
const ESCAPES = new Set(['%', '!', '?', '/', ',', ';']);

/**
 * Blanks every logical line that holds IPython syntax, in place; returns what is left open at the
 * end of the cell, if anything. One pass over the characters.
 */
function blankIPythonSyntax(lines: string[]): CellPython['unclosed'] {
  /** Inside a triple-quoted string: its quote, and the line it opened on. */
  let triple: { quote: string; line: number } | null = null;
  /** Open brackets, and the line the outermost one opened on. */
  let depth = 0;
  let depthFrom = 0;
  /** The previous line ended with a backslash (outside a comment): this one continues it. */
  let continued = false;
  /** The current logical line: its first physical line, and whether it holds IPython syntax. */
  let logicalStart = 0;
  let ipython = false;
  /** The logical line is IPython's from its start: its rest is not Python (no strings or brackets to follow). */
  let escaped = false;

  const blank = (from: number, to: number) => {
    for (let i = from; i <= to; i++) {
      const indent = /^[ \t]*/.exec(lines[i]!)![0];
      // The first line keeps a statement where IPython's call was, so a block whose body it is still has one.
      lines[i] = i === from && indent !== '' ? `${indent}None` : '';
    }
  };

  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const end = line.endsWith('\r') ? line.length - 1 : line.length;
    const atStart = triple === null && depth === 0 && !continued;
    if (atStart) {
      logicalStart = n;
      ipython = false;
      escaped = false;
      let i = 0;
      while (i < end && (line[i] === ' ' || line[i] === '\t')) i++;
      if (i < end && ESCAPES.has(line[i]!)) ipython = escaped = true;
    }
    let lastSignificant = '';
    let comment = false;
    let i = 0;
    if (escaped) i = end;
    for (; i < end; i++) {
      const c = line[i]!;
      if (triple !== null) {
        if (c === '\\') i++;
        else if (line.startsWith(triple.quote, i)) {
          i += 2;
          triple = null;
          lastSignificant = '"';
        }
        continue;
      }
      if (c === '#') {
        comment = true;
        break;
      }
      if (c === '"' || c === "'") {
        if (line.startsWith(c + c + c, i)) {
          triple = { quote: c + c + c, line: n + 1 };
          i += 2;
          continue;
        }
        // A one-line string: to its closing quote, or to the end of the line (a `\` there continues it on the next).
        for (i++; i < end && line[i] !== c; i++) if (line[i] === '\\') i++;
        lastSignificant = c;
        continue;
      }
      if (c === '(' || c === '[' || c === '{') {
        if (depth++ === 0) depthFrom = n + 1;
      } else if (c === ')' || c === ']' || c === '}') {
        if (depth > 0) depth--;
      } else if (c === '?' || (c === '!' && line[i + 1] !== '=') || (c === '%' && depth === 0 && lastSignificant === '=')) {
        // Help (`obj?`), or what IPython assigns from (`x = !ls`, `x = %time f()`): the rest is not Python.
        ipython = escaped = true;
        break;
      }
      if (c !== ' ' && c !== '\t') lastSignificant = c;
    }
    // A backslash ending the line outside a comment continues the logical line (inside a one-line string too, and IPython's own line).
    continued = triple === null && !comment && end > 0 && line[end - 1] === '\\';
    if (escaped) depth = 0;
    if (triple === null && depth === 0 && !continued && ipython) blank(logicalStart, n);
  }
  if (triple !== null) return { line: triple.line, what: 'a triple-quoted string' };
  if (depth > 0) return { line: depthFrom, what: 'a bracket' };
  // A trailing backslash on IPython's own line (`!pip install \`) is the shell's to read.
  if (continued && !escaped) return { line: lines.length, what: 'a backslash continuation' };
  return null;
}
