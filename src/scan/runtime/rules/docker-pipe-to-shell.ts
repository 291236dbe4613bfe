/**
 * RUN downloads a script and runs it in the same breath (`curl … | sh`, `wget -O- | bash`,
 * `curl … | python3 -`, `bash <(curl …)`, `sh -c "$(curl …)"`): whatever the server (or anyone
 * between it and the build) returns that day runs as root in the image, unchecked, and the build
 * cannot be reproduced. A separate rule because nothing else looks at what RUN runs; hadolint and
 * trivy leave it out too, but installers for Python tools (Poetry, uv, pip's get-pip.py) are
 * commonly fetched this way.
 *
 * Read as the shell reads it, once: a comment (a word starting with `#`) ends the command line;
 * `;`, `&`, `&&`, `||`, `|` and `)` end a command; redirections (`2>&1`, `>/dev/null`, `<file`,
 * `&>log`) are not arguments. So `… | sh # why`, `… | bash;` and `… | sh 2>&1` run the download.
 *
 * Linear: comments are cut in one pass, the command is split once at its pipes, and each part is
 * read once or twice, from its start, by one left-to-right pass (commandWords).
 */
import { execFormWords, type Instruction } from '../dockerfile.js';
import type { DockerfileRule } from '../rule.js';

const DOWNLOADER = /(?:^|[\s;&(/])(?:curl|wget)(?=\s|$)/;
/** A shell or an interpreter, maybe after sudo or env settings; the name is group 1, its arguments follow the match. */
const RUNNER = /^(?:sudo\s+(?:-\S+\s+){0,4})?(?:env\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+){0,4}(?:\/(?:usr\/)?(?:local\/)?bin\/)?(sh|bash|zsh|dash|ash|ksh|python[0-9.]*|perl|ruby|node)(?=[\s;&|()<>]|$)/;
/** `tee f` copies what it reads on to the next command: `curl … | tee install.sh | sh` still runs the download. */
const PASS_THROUGH = /^tee(?=[\s;&|()<>]|$)/;
/** `bash <(curl …)`, `sh -c "$(curl …)"`, `python3 -c "$(wget -qO- …)"`: a download run without a pipe. */
const SUBSTITUTED = /(?:sh|bash|zsh|python[0-9.]*)\s+(?:-c\s+)?["']?(?:<\(|\$\()\s*(?:curl|wget)(?=\s)/;

export const rule: DockerfileRule = {
  info: {
    id: 'docker-pipe-to-shell',
    kind: 'runtime',
    severity: 'medium',
    confidence: 'high',
    title: 'RUN pipes a download into a shell',
    help: 'curl … | sh runs whatever the server returns at build time, as root, without any check: a compromised or changed script goes straight into the image, and the build cannot be reproduced. Download to a file, verify its checksum (sha256sum -c) or signature, then run it; or install from a package manager with pinned versions.',
  },
  check(df, report) {
    for (const stage of df.stages) {
      for (const ins of stage.instructions) {
        if (ins.keyword !== 'RUN') continue;
        const downloadsIntoRunner = shellCommands(ins).some((text) => {
          const command = text.slice(0, MAX_SCRIPT);
          return /curl|wget/.test(command) && (pipesDownloadIntoRunner(command) || SUBSTITUTED.test(command));
        });
        if (!downloadsIntoRunner) continue;
        report({
          line: ins.line,
          column: ins.column,
          message: 'RUN downloads a script and runs it straight away (curl/wget piped into a shell or interpreter): whatever the server returns at build time runs in the image unchecked.',
          fix: 'Download to a file (curl -fsSLo install.sh <url>), check it (echo "<sha256>  install.sh" | sha256sum -c -), then run it; or pin the tool with the package manager (pip install poetry==<version>).',
        });
      }
    }
  },
};

/** The most of one script that is read (a RUN's text, a `-c` script, a here-document): bounded for a hostile Dockerfile. */
const MAX_SCRIPT = 20_000;

/** Shells an exec-form RUN may start by name (`["/bin/sh", "-c", "…"]`). */
const SHELL = /^(?:\/(?:usr\/)?(?:local\/)?bin\/)?(?:sh|bash|zsh|dash|ash|ksh)$/;

/**
 * The shell text a RUN runs, each without its comments (cut once, here: a here-document's before its
 * lines are joined, when a comment still ends at its line): its shell form as written; in exec form, the script a shell is given
 * with -c (`["/bin/sh", "-c", "curl … | sh"]`; any other program runs no pipeline); and the bodies
 * of its here-documents when a shell runs them, as BuildKit does for a RUN that is only `<<EOF`,
 * or a shell reading its script on stdin (`RUN bash -e <<EOF`). A body is one script: lines
 * continued with a backslash or after a pipe are joined, other line ends separate commands.
 */
function shellCommands(ins: Instruction): string[] {
  const exec = execFormWords(ins.args);
  if (exec) {
    if (!SHELL.test(exec[0] ?? '')) return [];
    let dashC = false;
    for (const word of exec.slice(1, 12)) {
      if (/^-[A-Za-z]+$/.test(word)) dashC ||= word.includes('c');
      else if (!word.startsWith('--')) return dashC ? [withoutComments(word.slice(0, MAX_SCRIPT))] : []; // the script given with -c, else a script file
    }
    return [];
  }
  const commands = [withoutComments(ins.args.slice(0, MAX_SCRIPT))];
  if (!ins.hereDocuments) return commands;
  // The command around the here-documents: its words less flags (--mount=…) and the `<<EOF`s.
  const rest = ins.args
    .split(/\s+/, 50)
    .filter((w) => w !== '' && !w.startsWith('--') && !/^\d*<<-?/.test(w))
    .join(' ');
  const runner = RUNNER.exec(rest);
  if (rest === '' || (runner && /^(?:sh|bash|zsh|dash|ash|ksh)$/.test(runner[1]!) && runsStdin(runner[1]!, rest.slice(runner[0].length)))) {
    for (const body of ins.hereDocuments) commands.push(withoutComments(body.slice(0, MAX_SCRIPT)).replace(/\\\r?\n/g, ' ').replace(/\|[ \t]*\r?\n/g, '| ').replace(/\r?\n/g, ' ; '));
  }
  return commands;
}

/**
 * Whether one part of a pipeline downloads (curl, wget) and a later one runs what it reads, through
 * any `tee` between them. `||` is not a pipe.
 */
function pipesDownloadIntoRunner(command: string): boolean {
  const parts: string[] = [];
  let start = 0;
  for (let k = 0; k < command.length; k++) {
    if (command[k] !== '|') continue;
    if (command[k + 1] === '|') {
      k++;
      continue;
    }
    parts.push(command.slice(start, k));
    start = k + 1;
  }
  parts.push(command.slice(start));
  // Whether the download reaches the start of the current part. Each part is looked at once or twice.
  let downloaded = false;
  for (const part of parts) {
    const first = part.trimStart();
    if (downloaded) {
      const runner = RUNNER.exec(first);
      if (runner && runsStdin(runner[1]!, first.slice(runner[0].length))) return true;
    }
    // The download is the last command of its part (`cd /tmp && curl …`); `tee f` alone passes it on.
    downloaded = DOWNLOADER.test(part.split(/&&|;/).pop()!) || (downloaded && PASS_THROUGH.test(first) && commandWords(first.slice(3)).wholePart);
  }
  return false;
}

/**
 * Whether `name args…` runs the program it reads on stdin. Given one by argument (`python3 -c "…"`,
 * `python -m json.tool`, `node -e "…"`, `perl -ne '…'`, `sh -c "…"`, `bash install.sh`) it reads
 * stdin as data: the download is parsed, not run. `sh -s`, `python3 -`, or no program at all run it.
 * Looks at a bounded number of words.
 */
function runsStdin(name: string, args: string): boolean {
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
 * without its redirections, which are not arguments (`sh 2>&1`, `sh >/dev/null`), quotes kept
 * together (`-c "a; b"` is two words). `wholePart`: nothing follows the command in `text` (no
 * operator ended it); `stdinRedirected`: its standard input is a file or a here-document (`< f`,
 * `0<f`, `<<EOF`, `<<<s`), not what is piped to it. One pass, left to right; comments were cut before.
 */
function commandWords(text: string): { words: string[]; wholePart: boolean; stdinRedirected: boolean } {
  const words: string[] = [];
  let stdinRedirected = false;
  let k = 0;
  while (k < text.length) {
    const c = text[k]!;
    if (SPACE.test(c)) {
      k++;
      continue;
    }
    if (OPERATOR.test(c)) return { words, wholePart: false, stdinRedirected };
    REDIRECTION.lastIndex = k;
    const redirection = /[0-9<>&]/.test(c) ? REDIRECTION.exec(text) : null;
    // `&` alone (not `&>`) is an operator, caught above; a word of digits alone (`sh 2 x`) is a word.
    if (redirection && redirection[2] !== undefined) {
      const fd = redirection[1] === '' ? (redirection[2].startsWith('<') ? '0' : '1') : redirection[1];
      if (fd === '0' && redirection[2].startsWith('<') && !(redirection[2] === '<&' && redirection[3] === '0')) stdinRedirected = true;
      k = REDIRECTION.lastIndex;
      continue;
    }
    // A word: up to white space or an operator, a quoted stretch read whole.
    const start = k;
    while (k < text.length && !SPACE.test(text[k]!) && !OPERATOR.test(text[k]!) && text[k] !== '<' && text[k] !== '>') {
      const quote = text[k];
      if (quote === '"' || quote === "'") {
        const close = text.indexOf(quote, k + 1);
        k = close === -1 ? text.length : close + 1;
      } else k++;
    }
    if (words.length < MAX_WORDS) words.push(text.slice(start, k));
  }
  return { words, wholePart: true, stdinRedirected };
}

/**
 * The script without its comments: a `#` that starts a word (at the start, or after white space or
 * an operator), outside quotes, comments out the rest of its line. One pass.
 */
function withoutComments(script: string): string {
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
      out += script.slice(from, k);
      if (end === -1) return out;
      from = end;
      k = end;
    }
  }
  return out + script.slice(from);
}
