/**
 * The shell text a Dockerfile RUN instruction runs, read as the shell reads it: its shell form, the
 * script an exec-form shell is given with -c, and the here-document bodies a shell runs, each
 * without its comments; and the words of one command (commandWords). Shared by the code scan's
 * RUN rules (docker-pipe-to-shell) and the audit's reading of `pip install` in Dockerfiles
 * (src/python/formats/dockerfile.ts), so both read the same commands. Linear in the text.
 */
import { execFormWordsAt, lineInArgs, type Instruction } from './dockerfile.js';
import { partitionPoint } from '../../sorted.js';

/** A shell or an interpreter, maybe after sudo or env settings; the name is group 1, its arguments follow the match. */
export const RUNNER = /^(?:sudo\s+(?:-\S+\s+){0,4})?(?:env\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+){0,4}(?:\/(?:usr\/)?(?:local\/)?bin\/)?(sh|bash|zsh|dash|ash|ksh|python[0-9.]*|perl|ruby|node)(?=[\s;&|()<>]|$)/;

/** Shells an exec-form RUN may start by name (`["/bin/sh", "-c", "…"]`). */
const SHELL = /^(?:\/(?:usr\/)?(?:local\/)?bin\/)?(?:sh|bash|zsh|dash|ash|ksh)$/;

/** One shell text a RUN runs, and the Dockerfile line each of its characters is on. */
export interface RunScript {
  text: string;
  /** The 1-based line of the character at `offset` in `text`. */
  lineAt(offset: number): number;
}

/** The shell text a RUN runs (locatedRunScripts), without where it is. */
export function runScripts(ins: Instruction, limit: number): string[] {
  return locatedRunScripts(ins, limit).map((script) => script.text);
}

/**
 * The shell text a RUN runs, each without its comments (blanked once, here: a here-document's before its
 * lines are joined, when a comment still ends at its line): its shell form as written; in exec form, the script a shell is given
 * with -c (`["/bin/sh", "-c", "curl … | sh"]`; any other program runs no pipeline); and the bodies
 * of its here-documents when a shell runs them, as BuildKit does for a RUN that is only `<<EOF`,
 * or a shell reading its script on stdin (`RUN bash -e <<EOF`). A body is one script: lines
 * continued with a backslash or after a pipe are joined, other line ends separate commands (`;`).
 * Each text keeps the length of what it was read from (a comment is blanked, a line end becomes a
 * `;` or blanks), so each character's line is the line it was written on.
 */
export function locatedRunScripts(ins: Instruction, limit: number): RunScript[] {
  const exec = execFormWordsAt(ins.args);
  if (exec) {
    const words = exec.map((w) => w.word);
    if (!SHELL.test(words[0] ?? '')) return [];
    const script = dashCScript(words, 1, (word) => word);
    if (script === null) return []; // a script file, or stdin
    const line = lineInArgs(ins, exec[script]!.at);
    return [{ text: withoutComments(words[script]!.slice(0, limit)), lineAt: () => line }];
  }
  const scripts: RunScript[] = [{ text: withoutComments(ins.args.slice(0, limit)), lineAt: (offset) => lineInArgs(ins, offset) }];
  if (!ins.hereDocuments) return scripts;
  // The command around the here-documents: its words less flags (--mount=…) and the `<<EOF`s.
  const rest = ins.args
    .split(/\s+/, 50)
    .filter((w) => w !== '' && !w.startsWith('--') && !/^\d*<<-?/.test(w))
    .join(' ');
  const runner = RUNNER.exec(rest);
  if (rest === '' || (runner && /^(?:sh|bash|zsh|dash|ash|ksh)$/.test(runner[1]!) && runsStdin(runner[1]!, rest.slice(runner[0].length)))) {
    ins.hereDocuments.forEach((whole, n) => {
      const body = whole.slice(0, limit);
      const text = withoutComments(body)
        .replace(/\\\r?\n/g, (m) => ' '.repeat(m.length))
        .replace(/\|[ \t]*\r?\n/g, (m) => `|${' '.repeat(m.length - 1)}`)
        .replace(/\r?\n/g, (m) => (m.length === 2 ? ' ;' : ';'));
      scripts.push({ text, lineAt: bodyLines(body, ins.hereDocumentLines?.[n] ?? ins.line) });
    });
  }
  return scripts;
}

/** The line of each offset of a here-document's body, whose first line is `first`: a binary search of its line ends. */
function bodyLines(body: string, first: number): (offset: number) => number {
  const ends: number[] = [];
  for (let at = body.indexOf('\n'); at !== -1; at = body.indexOf('\n', at + 1)) ends.push(at);
  // How many line ends come before the offset.
  return (offset) => first + partitionPoint(0, ends.length, (i) => ends[i]! < offset);
}

/**
 * Which of a shell's arguments (from `from`) is the script it runs with -c (`sh -c "…"`, `bash
 * -euo pipefail -c "…"`, `bash -o pipefail -c "…"`), or null when it is given none (a script file,
 * stdin). Read as the shell reads its options: `-o`/`-O` (and `+o`) take the next word, as do
 * `--rcfile` and `--init-file`; `--` or `-` ends them; the first other word is the script when -c
 * was given. `value`: a word's value (quotes removed, for a shell-form word). Looks at a bounded
 * number of words.
 */
export function dashCScript(words: readonly string[], from: number, value: (word: string) => string): number | null {
  let dashC = false;
  for (let w = from; w < words.length && w < from + MAX_WORDS; w++) {
    const word = value(words[w]!);
    if (word === '--' || word === '-') return dashC && w + 1 < words.length ? w + 1 : null;
    if (/^[-+][A-Za-z]+$/.test(word)) {
      if (word[0] === '-' && word.includes('c')) dashC = true;
      if (/[oO]/.test(word)) w++;
    } else if (word.startsWith('--')) {
      if (word === '--rcfile' || word === '--init-file') w++;
    } else return dashC ? w : null;
  }
  return null;
}

/**
 * Whether `name args…` runs the program it reads on stdin. Given one by argument (`python3 -c "…"`,
 * `python -m json.tool`, `node -e "…"`, `perl -ne '…'`, `sh -c "…"`, `bash install.sh`) it reads
 * stdin as data: the download is parsed, not run. `sh -s`, `python3 -`, or no program at all run it.
 * Looks at a bounded number of words.
 */
export function runsStdin(name: string, args: string): boolean {
  const flags = FLAGS[name.replace(/[0-9.]+$/, '')] ?? FLAGS.sh!;
  const command = commandWords(args);
  if (command.stdinRedirected) return false; // `sh < local.sh`: the shell reads that file, not the pipe
  const words = command.words;
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    if (word === '-' || word === '--') return true; // stdin named, or the options end: the rest are the script's arguments
    if (!word.startsWith('-')) return false; // a script path
    if (word.startsWith('--')) {
      if (/^--(?:eval|print)(?:=|$)/.test(word)) return false;
      continue;
    }
    for (let c = 1; c < word.length; c++) {
      const letter = word[c]!;
      if (flags.program.includes(letter)) return false;
      if (flags.stdin.includes(letter)) return true;
      if (flags.argument.includes(letter)) {
        if (c === word.length - 1) w++; // `python3 -W ignore -`: its argument is the next word
        break; // `-Wignore`: the rest of the word is its argument
      }
    }
  }
  return true;
}

/** Per runner, the short options that give the program by argument, that say it comes from stdin, and that take an argument of their own. */
const FLAGS: Record<string, { program: string; stdin: string; argument: string }> = {
  sh: { program: 'c', stdin: 's', argument: 'oO' },
  python: { program: 'cm', stdin: '', argument: 'WXQ' },
  perl: { program: 'eE', stdin: '', argument: 'IMmdDx' },
  ruby: { program: 'e', stdin: '', argument: 'rIECxT0F' },
  node: { program: 'ep', stdin: '', argument: 'r' },
};

/** At most this many words of a command are kept (runsStdin looks at a bounded number). */
const MAX_WORDS = 12;
/** A redirection at the start of a word: its file descriptor, operator and target (`2>&1`, `>/dev/null`, `< in`, `&>log`, `>>f`). */
const REDIRECTION = /(\d*)(&>>?|>>|>&|>\||<&|<<<|<<-?|<>|>|<)[ \t]*("[^"]*"|'[^']*'|[^\s;&|()<>]*)/y;
const SPACE = /[ \t\r\n]/;
const OPERATOR = /[;&|()]/;

/**
 * The words of the command at the start of `text` (its arguments, when `text` follows a program's
 * name), as the shell splits them: up to the first `;`, `&`, `|` or `)` (so `&&` and `||` too),
 * without its redirections, which are not arguments (`sh 2>&1`, `sh >/dev/null`), quotes,
 * escaped characters and command substitutions kept together (`-c "a; b"` is two words, so are
 * `echo $(cat a b)` and `echo a\ b`). `wholePart`: nothing follows the command in `text` (no
 * operator ended it); `stdinRedirected`: its standard input is a file or a here-document (`< f`,
 * `0<f`, `<<EOF`, `<<<s`), not what is piped to it. One pass, left to right; comments were cut before.
 * `from`: where the command starts in `text`; `maxWords`: how many words are kept (the rest are
 * passed over), `starts` where each kept word starts in `text`; `end`: where the command ends (at
 * the operator that ended it, or the end of `text`), so a caller reads a whole script command by
 * command in one pass.
 */
export function commandWords(text: string, from = 0, maxWords = MAX_WORDS): { words: string[]; starts: number[]; wholePart: boolean; stdinRedirected: boolean; end: number } {
  const words: string[] = [];
  const starts: number[] = [];
  let stdinRedirected = false;
  let k = from;
  while (k < text.length) {
    const c = text[k]!;
    if (SPACE.test(c)) {
      k++;
      continue;
    }
    if (OPERATOR.test(c)) return { words, starts, wholePart: false, stdinRedirected, end: k };
    REDIRECTION.lastIndex = k;
    const redirection = /[0-9<>&]/.test(c) ? REDIRECTION.exec(text) : null;
    // `&` alone (not `&>`) is an operator, caught above; a word of digits alone (`sh 2 x`) is a word.
    if (redirection && redirection[2] !== undefined) {
      const fd = redirection[1] === '' ? (redirection[2].startsWith('<') ? '0' : '1') : redirection[1];
      if (fd === '0' && redirection[2].startsWith('<') && !(redirection[2] === '<&' && redirection[3] === '0')) stdinRedirected = true;
      k = REDIRECTION.lastIndex;
      continue;
    }
    // A word: up to white space or an operator, a quoted stretch, an escaped character, a
    // `$(…)` or `` `…` `` read whole.
    const start = k;
    while (k < text.length && !SPACE.test(text[k]!) && !OPERATOR.test(text[k]!) && text[k] !== '<' && text[k] !== '>') k = pastPart(text, k);
    if (words.length < maxWords) {
      words.push(text.slice(start, k));
      starts.push(start);
    }
  }
  return { words, starts, wholePart: true, stdinRedirected, end: k };
}

/**
 * Where the part of a word that starts at `k` ends: past a quoted stretch (`"…"` with its `\"`s,
 * `'…'`), an escaped character (`\;`), a command substitution (`$(…)`, its parentheses counted,
 * `` `…` ``), or the one character. To the end of the text when one is never closed.
 */
function pastPart(text: string, k: number): number {
  const c = text[k]!;
  if (c === '\\') return Math.min(k + 2, text.length);
  if (c === "'") {
    const close = text.indexOf("'", k + 1);
    return close === -1 ? text.length : close + 1;
  }
  if (c === '"' || c === '`') {
    for (let at = k + 1; at < text.length; at++) {
      if (text[at] === '\\') at++;
      else if (text[at] === c) return at + 1;
    }
    return text.length;
  }
  if (c === '$' && text[k + 1] === '(') {
    // Parentheses counted, quoted stretches inside passed whole (pastPart does not come back here: no recursion).
    let depth = 0;
    let at = k + 1;
    while (at < text.length) {
      const d = text[at]!;
      if (d === '(') depth++;
      else if (d === ')' && --depth === 0) return at + 1;
      at = d === '\\' || d === "'" || d === '"' || d === '`' ? pastPart(text, at) : at + 1;
    }
    return text.length;
  }
  return k + 1;
}

/**
 * The script without its comments, each blanked (spaces, so every other character keeps its
 * offset): a `#` that starts a word (at the start, or after white space or an operator), outside
 * quotes, comments out the rest of its line. One pass.
 */
export function withoutComments(script: string): string {
  if (!script.includes('#')) return script;
  let out = '';
  let from = 0;
  let quote: string | null = null;
  for (let k = 0; k < script.length; k++) {
    const c = script[k]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') k++;
      continue;
    }
    if (c === '\\') k++;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (k === 0 || /[\s;&|()]/.test(script[k - 1]!))) {
      const end = script.indexOf('\n', k);
      out += script.slice(from, k) + ' '.repeat((end === -1 ? script.length : end) - k);
      if (end === -1) return out;
      from = end;
      k = end;
    }
  }
  return out + script.slice(from);
}
