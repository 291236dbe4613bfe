/**
 * The outputs a step's script gives itself, and what it writes into each: a `run:` script's lines
 * to `$GITHUB_OUTPUT` (`echo "title=$TITLE" >> "$GITHUB_OUTPUT"`, the `name<<EOF` form over several
 * lines, `cat <<EOF >> "$GITHUB_OUTPUT"`, the old `::set-output name=title::`), and what
 * `actions/github-script`'s script returns (its `result` output) or passes to `core.setOutput`.
 * The same for the variables it sets for the later steps of its job: lines to `$GITHUB_ENV`, which
 * the runner reads in the same `name=value` and `name<<EOF` forms, and github-script's
 * `core.exportVariable`; and the directories it puts first on the later steps' PATH: lines to
 * `$GITHUB_PATH` (each line one directory) and github-script's `core.addPath`. (The old `::set-env`
 * and `::add-path` commands are refused by the runner unless a workflow turns insecure commands back
 * on, and are not read.) gha-flows.ts asks of each written value whether it holds untrusted text.
 *
 * Only what a line shows is taken: an output named on the line (or opened by `name<<EOF` there) and
 * the `${{ }}`, shell variables (`$TITLE`, `${TITLE}`, not inside single quotes) and, in JavaScript,
 * `context.payload.*` and `process.env.*` its value holds there. A value built in a variable first
 * (`T=$(jq …)`, `const t = …; return t`), a file written and then appended, an output of another
 * action: not followed, so an output is never called untrusted on a guess (an output read with
 * `${{ }}` is everywhere in workflows, and a rule that flagged them all would be turned off).
 * One pass over the script's lines.
 */
import { findExpressions } from './gha-expressions.js';
import { whereInSource, type WorkflowValue } from './workflow.js';

/** What a written value reads that may carry untrusted text. */
export type WrittenRead =
  /** A `${{ … }}`, by the text between its braces. */
  | { kind: 'expression'; text: string }
  /** A shell or `process.env` variable, as written (`$TITLE`, `process.env.TITLE`). */
  | { kind: 'variable'; name: string; spelled: string }
  /** `context.payload.issue.title` in github-script: the event's field `github.event.issue.title`. */
  | { kind: 'payload'; path: string[]; spelled: string };

export interface OutputWrite {
  /** The output's name as written (`result` for what github-script returns; `PATH` for a directory put on it). */
  output: string;
  /** How: for the message. `GITHUB_ENV` and `exportVariable` set an environment variable of the later steps, `GITHUB_PATH` and `addPath` a directory of their PATH, the others an output. */
  how: 'GITHUB_OUTPUT' | 'return' | 'setOutput' | 'GITHUB_ENV' | 'exportVariable' | 'GITHUB_PATH' | 'addPath';
  /** The file's line of the write (the script's line from 0 while it is read), and the column where that line's command starts. */
  line: number;
  column?: number;
  reads: WrittenRead[];
}

/** A redirection's target: `$GITHUB_OUTPUT`, `${GITHUB_ENV}`, `$env:GITHUB_PATH` (PowerShell), `%GITHUB_ENV%` (cmd); group 1 or 2 or 3 names the file. */
const INTO_FILE = /\$\{?(GITHUB_OUTPUT|GITHUB_ENV|GITHUB_PATH)\b\}?|\$env:(GITHUB_OUTPUT|GITHUB_ENV|GITHUB_PATH)\b|%(GITHUB_OUTPUT|GITHUB_ENV|GITHUB_PATH)%/i;
const fileOf = (into: RegExpExecArray): 'GITHUB_OUTPUT' | 'GITHUB_ENV' | 'GITHUB_PATH' => (into[1] ?? into[2] ?? into[3])!.toUpperCase() as 'GITHUB_OUTPUT' | 'GITHUB_ENV' | 'GITHUB_PATH';
const SET_OUTPUT = /::set-output\s+name=([A-Za-z_][\w-]{0,99})::/;
const NAME_VALUE = /(?:^|[\s"'{;(])([A-Za-z_][\w-]{0,99})=/;
const MULTILINE = /(?:^|[\s"'{;(])([A-Za-z_][\w-]{0,99})<<([A-Za-z_][\w-]{0,99})/;
/** `cat <<EOF >> "$GITHUB_OUTPUT"`, `cat >> "$GITHUB_OUTPUT" <<'EOF'`: a here-document of output lines (its delimiter quoted: no expansion). */
const SHELL_HEREDOC = /(?:^|[\s;])(?:cat|tee)\b[^<\n]{0,200}<<-?\s*(['"]?)([A-Za-z_]\w{0,99})\1/;

/** A script's writes to its outputs, each at its line: a `run:` script's or github-script's. */
export function outputWrites(script: WorkflowValue, how: 'run' | 'github-script'): OutputWrite[] {
  const read = how === 'run' ? shellWrites : scriptWrites;
  // Read in the script as written (each write at its own line) or, when its quoting hides some there
  // (a double-quoted script of `\n` escapes), in its value, at its start (as gha-pr-head.ts places commands).
  // Each write at its line's first character that is not a space.
  const sourceLines = script.source.split('\n');
  const inSource = read(script.source).map((w) => ({ ...w, ...whereInSource(script, w.line, /^\s*/.exec(sourceLines[w.line] ?? '')![0].length) }));
  const inValue = script.value === script.source ? [] : read(script.value);
  return inValue.length > inSource.length ? inValue.map((w) => ({ ...w, line: script.line, column: script.column })) : inSource;
}

/** The writes of a shell script, each with its line in the text (from 0). */
function shellWrites(text: string): OutputWrite[] {
  const writes: OutputWrite[] = [];
  /** Inside a here-document going to $GITHUB_OUTPUT or $GITHUB_ENV: its delimiter, whether `$VAR` expands in it, and the file. */
  let heredoc: { end: string; expands: boolean; file: OutputWrite['how'] } | null = null;
  /** Inside a `name<<EOF` value: the write its lines add to, and the delimiter that ends it. */
  let multiline: { write: OutputWrite; end: string } | null = null;
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    if (heredoc) {
      if (line.trim() === heredoc.end) {
        heredoc = null;
        multiline = null;
        continue;
      }
      // A directory a line of $GITHUB_PATH names, whatever it holds.
      if (heredoc.file === 'GITHUB_PATH') {
        writes.push({ output: 'PATH', how: 'GITHUB_PATH', line: k, reads: readsIn(line, 0, heredoc.expands) });
        continue;
      }
      // An output line as the file holds it: `name=value`, `name<<EOF`, or a line of a multiline value.
      if (multiline) {
        if (line.trim() === multiline.end) multiline = null;
        else multiline.write.reads.push(...readsIn(line, 0, heredoc.expands));
        continue;
      }
      const opens = MULTILINE.exec(line);
      const named = opens ? null : NAME_VALUE.exec(line);
      if (opens) {
        const write: OutputWrite = { output: opens[1]!, how: heredoc.file, line: k, reads: [] };
        writes.push(write);
        multiline = { write, end: opens[2]! };
      } else if (named) writes.push({ output: named[1]!, how: heredoc.file, line: k, reads: readsIn(line, named.index + named[0].length, heredoc.expands) });
      continue;
    }
    const into = INTO_FILE.exec(line);
    const setOutput = SET_OUTPUT.exec(line);
    if (setOutput) {
      writes.push({ output: setOutput[1]!, how: 'GITHUB_OUTPUT', line: k, reads: readsIn(line, setOutput.index + setOutput[0].length, true) });
      continue;
    }
    if (!into) continue;
    const opened = SHELL_HEREDOC.exec(line);
    if (opened) {
      heredoc = { end: opened[2]!, expands: opened[1] === '', file: fileOf(into) };
      continue;
    }
    // What the line writes: its text before the redirection (`>>`, `| tee -a`) into the file.
    const cut = Math.max(line.lastIndexOf('>', into.index), line.lastIndexOf('|', into.index));
    const written = cut > 0 ? line.slice(0, cut) : line;
    const file = fileOf(into);
    if (file === 'GITHUB_PATH') {
      // The line's last command (or a group's every command) writes the directory: all it reads.
      const commands = /\}\s*>?\s*$/.test(written) ? [written] : commandsOf(written).slice(-1);
      writes.push({ output: 'PATH', how: 'GITHUB_PATH', line: k, reads: readsIn(commands[0]!, 0, true) });
      continue;
    }
    // A value open in one file (`body<<EOF` to $GITHUB_OUTPUT) is not continued by a line to the other.
    if (multiline && multiline.write.how === file) {
      // `echo "EOF" >> "$GITHUB_OUTPUT"` ends the value; any other line written there is part of it.
      if (new RegExp(`(?:^|[\\s"'])${multiline.end}(?:$|[\\s"'])`).test(written.replace(/^\s*(?:echo|printf)\b/, ''))) multiline = null;
      else multiline.write.reads.push(...readsIn(written, 0, true));
      continue;
    }
    const opens = MULTILINE.exec(written);
    if (opens) {
      const write: OutputWrite = { output: opens[1]!, how: file, line: k, reads: [] };
      writes.push(write);
      // `{ echo "body<<EOF"; echo "$BODY"; echo EOF; } >> "$GITHUB_OUTPUT"` opens and closes on one line.
      const rest = written.slice(opens.index + opens[0].length);
      const close = rest.search(new RegExp(`(?:^|[\\s"'])${opens[2]}(?:$|[\\s"';])`));
      write.reads.push(...readsIn(written.slice(0, opens.index + opens[0].length + (close === -1 ? rest.length : close)), opens.index + opens[0].length, true));
      if (close === -1) multiline = { write, end: opens[2]! };
      continue;
    }
    // The redirection takes the last command of the line, or every command of a group before it:
    // `{ echo "a=1"; echo "b=$B"; } >> "$GITHUB_OUTPUT"` writes a and b, `echo "a=1"; echo "b=$B" >> …` only b.
    const group = /\}\s*>?\s*$/.test(written);
    const commands = commandsOf(written);
    commands.forEach((command, c) => {
      const named = group || c === commands.length - 1 ? NAME_VALUE.exec(command) : null;
      if (named) writes.push({ output: named[1]!, how: file, line: k, reads: readsIn(command, named.index + named[0].length, true) });
    });
  }
  return writes;
}

/** A line's commands, split at `;`, `&&` and `||` outside its `${{ }}` (whose `||` is the expression's). */
function commandsOf(line: string): string[] {
  const masked = line.split('');
  for (const e of findExpressions(line)) masked.fill('x', e.start, e.start + e.text.length + 5);
  const commands: string[] = [];
  let from = 0;
  for (const separator of masked.join('').matchAll(/;|&&|\|\|/g)) {
    commands.push(line.slice(from, separator.index));
    from = separator.index + separator[0].length;
  }
  commands.push(line.slice(from));
  return commands;
}

/**
 * The `${{ }}` and shell variables of a line from `from` on. Quotes are followed from the line's
 * start: a variable inside single quotes (`'$TITLE'`) is text, not expanded, nor is any in a
 * here-document whose delimiter is quoted; a `${{ }}` is substituted by GitHub wherever it is.
 */
function readsIn(line: string, from: number, expands: boolean): WrittenRead[] {
  const reads: WrittenRead[] = [];
  for (const e of findExpressions(line)) if (e.start >= from) reads.push({ kind: 'expression', text: e.text });
  if (!expands) return reads;
  let single = false;
  let double = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '$' && line.startsWith('${{', i)) {
      // Substituted before the shell reads the line, whatever quotes are around it: taken above.
      const close = line.indexOf('}}', i + 3);
      if (close === -1) break;
      i = close + 1;
    } else if (c === '\\' && !single) i++;
    else if (c === "'" && !double) single = !single;
    else if (c === '"' && !single) double = !double;
    else if (c === '$' && !single && i >= from) {
      const variable = SHELL_VARIABLE.exec(line.slice(i, i + 420));
      if (!variable) continue;
      reads.push({ kind: 'variable', name: variable[1] ?? variable[2] ?? variable[3]!, spelled: variable[0] });
      i += variable[0].length - 1;
    }
  }
  return reads;
}

/** `${TITLE}` (`${TITLE:-x}` too), `$env:TITLE` (PowerShell), `$TITLE`. */
const SHELL_VARIABLE = /^\$(?:\{([A-Za-z_]\w{0,200})[^}]{0,200}\}|env:([A-Za-z_]\w{0,200})|([A-Za-z_]\w{0,200}))/;

/** `return …` (the `result` output) and `core.setOutput('name', …)` of a github-script script, each with its line (from 0). */
function scriptWrites(text: string): OutputWrite[] {
  const writes: OutputWrite[] = [];
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    if (/^\s*\/\//.test(line)) continue;
    const set = /\bcore\.(setOutput|exportVariable)\(\s*(['"`])([A-Za-z_][\w-]{0,99})\2\s*,/.exec(line);
    const addPath = set ? null : /\bcore\.addPath\(/.exec(line);
    const returned = set || addPath ? null : /\breturn\b/.exec(line);
    if (addPath) writes.push({ output: 'PATH', how: 'addPath', line: k, reads: jsReads(line.slice(addPath.index + addPath[0].length)) });
    else if (set) writes.push({ output: set[3]!, how: set[1] === 'setOutput' ? 'setOutput' : 'exportVariable', line: k, reads: jsReads(line.slice(set.index + set[0].length)) });
    else if (returned) writes.push({ output: 'result', how: 'return', line: k, reads: jsReads(line.slice(returned.index + returned[0].length)) });
  }
  return writes;
}

/** What a JavaScript value on one line reads: `${{ }}`, `context.payload.*` fields, `process.env.*` variables. */
function jsReads(text: string): WrittenRead[] {
  const reads: WrittenRead[] = findExpressions(text).map((e) => ({ kind: 'expression' as const, text: e.text }));
  for (const m of text.matchAll(/\bcontext\.payload((?:\.[A-Za-z_]\w{0,100}|\[\d{1,9}\]){1,20})/g)) {
    const path = ['github', 'event', ...m[1]!.split(/[.[\]]/).filter((s) => s !== '').map((s) => s.toLowerCase())];
    reads.push({ kind: 'payload', path, spelled: m[0] });
  }
  for (const m of text.matchAll(/\bprocess\.env(?:\.([A-Za-z_]\w{0,200})|\[\s*(['"])([A-Za-z_]\w{0,200})\2\s*\])/g)) {
    reads.push({ kind: 'variable', name: m[1] ?? m[3]!, spelled: m[0] });
  }
  return reads;
}
