/**
 * Inline suppressions, in a comment on the finding's line:
 * - `# nosec` (bandit's): every rule but secrets (see suppresses); `# nosec B602, B607` only the
 *   rules with those bandit ids (or our own ids: `# nosec py-eval-exec`);
 * - `# depwatch: ignore[rule-id, other-id]`, or `# depwatch: ignore` for every rule on that line.
 *
 * Only a comment counts, never text that merely contains the words (`"grep '# nosec'"`): in Python
 * files the comments are the parser's (scan-python.ts), elsewhere a marker must start a comment of
 * the file's language (commentStyle): `#` or `//`, at the start of the line or after a space, and
 * that comment must start outside the strings of the language. In a file whose comments are `#`
 * only (shell, YAML, TOML, Dockerfiles, .env, INI…) the line's quotes are read (commentStart), and
 * TOML's `"""`/`'''` strings from line to line; in a file with `//` comments (JS/TS, Go, Rust, Java,
 * C…) its strings, character literals, template literals, raw and multi-line strings, regular
 * expressions (JS) and block comments, those that run over lines carried from one line to the next
 * (codeReader). Whatever cannot be told (a quote never closed on a line that cannot continue it, a
 * regular expression never closed) fails closed: no comment on that line, the finding stays.
 * Which findings a marker covers is scan.ts's (finalize): those reported on its line, and for Python
 * those of the statement whose first or last line it is on (bandit reads a marker on the first line
 * of a multi-line statement; the last is where a trailing comment goes after the closing bracket).
 * In a Dockerfile, also those of the instruction right below the comment lines it is on
 * (commentLinesAbove): Docker reads a `#` that does not start a line as an argument, so
 * `FROM alpine:latest # depwatch: ignore[…]` breaks `docker build`, and a comment line above the
 * instruction is where hadolint users write theirs. Other tools' markers (`# hadolint ignore=DL3007`)
 * are not read: they name other rules, and a marker that suppresses must say depwatch or nosec.
 *
 * `depwatch:` is matched in any case (`# Depwatch: IGNORE[…]`); `nosec` only in lower case, as bandit
 * reads it (`# NOSEC` suppresses nothing there either).
 */
import type { RuleInfo } from './rule.js';

export interface Suppression {
  /** null: every rule. */
  ids: string[] | null;
  kind: 'nosec' | 'depwatch';
  line: number;
}

/** Which comment markers a file's language has. */
export interface CommentStyle {
  hash: boolean;
  slash: boolean;
  /**
   * How quotes are read in a `#`-only file, to tell a comment from a `#` inside a string: `yaml`
   * (a quote opens a string only at the start of a word: `don't # nosec` is a plain scalar and a
   * comment), `toml` (any quote opens one; `"""` and `'''` strings run over lines), else `shell`
   * (any quote opens one; backslash escapes outside quotes, in double quotes and in `$'…'`). Unset
   * for the others.
   */
  quotes?: 'shell' | 'yaml' | 'toml';
  /** How the strings of a language with `//` comments are read, to find where its comment starts (codeReader). */
  code?: CodeDialect;
}

/** What the strings of a language with `//` comments look like. */
export interface CodeDialect {
  /**
   * `'x'` is one character (C, Java, Go, Rust…): a `'` that does not make one is a lifetime, a
   * label or a digit separator (`'a`, `1'000`), not a quote. Else `'` opens a string (JS, PHP, Dart…).
   */
  charLiterals: boolean;
  /** `` `…` ``: a JS template literal (escapes, `${…}`) or a Go raw string (no escapes); both run over lines. */
  backtick?: 'template' | 'raw';
  /** `"""…"""` strings (and `'''…'''` where `'` opens strings) run over lines; `tripleEscapes`: with backslash escapes. */
  triple?: boolean;
  tripleEscapes?: boolean;
  /** Every string may run over lines (Rust, PHP); else one still open at the end of a line ends there, unless a `\` continues it. */
  multiLine?: boolean;
  /** JS: regular expression literals, told from a division by what comes before the `/`. */
  regex?: boolean;
  /** Rust: `r"…"`/`r#"…"#` raw strings, and block comments that nest. */
  rust?: boolean;
  /** PHP: `#` starts a comment too (`#[` an attribute), and a file starts as HTML until `<?`. */
  php?: boolean;
  /** C#: `@"…"` verbatim strings (no escapes, `""` a quote) run over lines. */
  verbatim?: boolean;
  /** C++: `R"delim(…)delim"` raw strings run over lines. */
  rawCpp?: boolean;
}

export const HASH_COMMENTS: CommentStyle = { hash: true, slash: false, quotes: 'shell' };
const YAML_COMMENTS: CommentStyle = { hash: true, slash: false, quotes: 'yaml' };
const TOML_COMMENTS: CommentStyle = { hash: true, slash: false, quotes: 'toml' };
const YAML = /\.ya?ml$/i;
const TOML = /\.toml$/i;

/** Languages whose line comments are `//` only (C-like), by extension, with their strings; `#` there is code (a preprocessor line, a private field). */
const SLASH_ONLY: [RegExp, CodeDialect][] = [
  [/\.(?:js|mjs|cjs|ts|mts|cts|tsx|jsx)$/i, { charLiterals: false, backtick: 'template', regex: true }],
  [/\.go$/i, { charLiterals: true, backtick: 'raw' }],
  [/\.rs$/i, { charLiterals: true, multiLine: true, rust: true }],
  [/\.(?:java|swift)$/i, { charLiterals: true, triple: true, tripleEscapes: true }],
  [/\.(?:kt|kts|scala)$/i, { charLiterals: true, triple: true }],
  [/\.cs$/i, { charLiterals: true, triple: true, verbatim: true }],
  [/\.(?:dart|groovy|gradle)$/i, { charLiterals: false, triple: true, tripleEscapes: true }],
  [/\.(?:c|cc|cpp|cxx|h|hh|hpp)$/i, { charLiterals: true, rawCpp: true }],
  [/\.(?:jsonc|json5|proto|sol)$/i, { charLiterals: false }],
];
/** Both (PHP). */
const BOTH = /\.php\d?$/i;
const PHP: CodeDialect = { charLiterals: false, multiLine: true, php: true };
/** No comments at all (JSON): a marker there would be inside a string. */
const NONE = /\.json$/i;

/** The comment markers of a file by its name; `#` (shells, YAML, TOML, Dockerfiles, .env, INI…) unless known otherwise. */
export function commentStyle(path: string): CommentStyle {
  for (const [ext, code] of SLASH_ONLY) if (ext.test(path)) return { hash: false, slash: true, code };
  if (BOTH.test(path)) return { hash: true, slash: true, code: PHP };
  if (NONE.test(path)) return { hash: false, slash: false };
  return YAML.test(path) ? YAML_COMMENTS : TOML.test(path) ? TOML_COMMENTS : HASH_COMMENTS;
}

const isSpace = (c: string) => c === ' ' || c === '\t';
const isWord = (c: string) => /[\p{L}\p{N}_]/u.test(c);

/**
 * Where the line's `#` comment starts (a `#` outside quotes, at the start of the line or after
 * unescaped white space), or -1 if it has none or it cannot be told: an unterminated quote, or
 * quotes nested in a `$(…)` or backticks inside double quotes. Then a marker is not read, and the
 * finding stays reported. One pass left to right, so linear in the line however it is quoted.
 */
export function commentStart(text: string, quotes: 'shell' | 'yaml'): number {
  const shell = quotes === 'shell';
  let quote: '' | "'" | '"' | '$' = ''; // '$': inside $'…'
  let atWordStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = '';
      continue;
    }
    if (quote === '"' || quote === '$') {
      if (c === '\\') i++;
      // A substitution's own quotes nest here (shell, and shell in a YAML block): not read, fail closed.
      else if (quote === '"' && (c === '`' || (c === '$' && text[i + 1] === '('))) return -1;
      else if (c === (quote === '"' ? '"' : "'")) quote = '';
      continue;
    }
    if (c === '#' && atWordStart) return i;
    if (c === '\\' && shell) {
      i++;
      atWordStart = false;
    } else if (c === '"' || c === "'") {
      // In YAML a quote after a word's letters is part of a plain scalar (`don't`), not a string.
      if (shell || i === 0 || !isWord(text[i - 1]!)) quote = c === "'" && shell && text[i - 1] === '$' ? '$' : c;
      atWordStart = false;
    } else atWordStart = isSpace(c);
  }
  return -1;
}

/**
 * Where the comment of each line of a TOML file starts (a `#` outside strings, at the start of the
 * line or after white space), or -1: a reader takes the file's lines in order, because `"""` and
 * `'''` strings run over lines (a `# nosec` line inside one is text). A one-line string still open
 * at the end of its line (not valid TOML) ends the line with no comment.
 */
function tomlReader(): (text: string) => number {
  let triple: '' | '"' | "'" = '';
  return (text) => {
    const n = text.length;
    let atWordStart = true;
    for (let i = 0; i < n; ) {
      const c = text[i]!;
      if (triple) {
        if (c === '\\' && triple === '"') i += 2;
        else if (c === triple && text[i + 1] === triple && text[i + 2] === triple) {
          // Up to two more quotes are the string's own last characters (`""""a""""`).
          i += 3;
          for (let k = 0; k < 2 && text[i] === triple; k++) i++;
          triple = '';
          atWordStart = false;
        } else i++;
        continue;
      }
      if (c === '#' && atWordStart) return i;
      if (c === '"' || c === "'") {
        atWordStart = false;
        if (text[i + 1] === c && text[i + 2] === c) {
          triple = c;
          i += 3;
          continue;
        }
        let j = i + 1;
        while (j < n && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
        if (j >= n) return -1;
        i = j + 1;
        continue;
      }
      atWordStart = isSpace(c);
      i++;
    }
    return -1;
  };
}

const CODE = 0;
const STRING = 1;
const BLOCK = 2;
const TEMPLATE = 3;
const RAW = 4;
const TRIPLE = 5;
const RUST_RAW = 6;
const HTML = 7;
const VERBATIM = 8;
const CLOSER = 9;
/** The prefixes of a C++ raw string (`R"x(…)x"`, `u8R"(…)"`). */
const CPP_RAW = new Set(['R', 'LR', 'uR', 'UR', 'u8R']);

/** Words after which a JS `/` starts a regular expression (`return /x/`), not a division (`total / 2`). */
const REGEX_AFTER = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);
const isIdent = (c: string | undefined) => c !== undefined && (/[A-Za-z0-9_$]/.test(c) || (c > '\x7f' && isWord(c)));

/**
 * Where the line comment of each line of a file in a `//` language starts (its `//`, or PHP's `#`),
 * or -1 when the line has none or it cannot be told. A reader takes the file's lines in order and
 * carries what is open at the end of one to the next: a block comment, a JS template literal (and
 * the `${…}` in it), a Go raw string, a `"""` text block, a C# verbatim or C++ raw string, a Rust or PHP string, a string continued
 * by a `\`. One pass over each line, left to right, so linear in the file however it is quoted;
 * only constant lookahead (a character literal, a raw string's `#`s, which the pass then skips).
 * `file`: the reader starts at the start of a file (PHP: in HTML until `<?`), else on a line of code.
 */
export function codeReader(d: CodeDialect, file = false): (text: string) => number {
  let mode = d.php && file ? HTML : CODE;
  let quote = ''; // STRING, TRIPLE: the closing quote
  let depth = 0; // BLOCK: how deep (Rust nests them); RUST_RAW: the `#`s that close it
  let closer = ''; // CLOSER: what ends the string (a C++ raw string's `)delim"`)
  const braces: number[] = []; // JS: the `${…}` open in template literals, each with the `{` open inside it
  let prev = ''; // JS: the last character of code that is not white space ('a' for a word or number), '' at the start
  let word = ''; // JS: the last word of code, if short
  return (text) => {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text[i]!;
      switch (mode) {
        case HTML:
          if (c === '<' && text[i + 1] === '?') mode = CODE;
          i++;
          continue;
        case VERBATIM:
          if (c !== '"') i++;
          else if (text[i + 1] === '"') i += 2; // "" is a quote inside
          else {
            i++;
            mode = CODE;
          }
          prev = '"';
          continue;
        case CLOSER:
          if (c === ')' && text.startsWith(closer, i)) {
            i += closer.length;
            mode = CODE;
          } else i++;
          prev = '"';
          continue;
        case BLOCK:
          if (c === '*' && text[i + 1] === '/') {
            i += 2;
            if (--depth === 0) mode = CODE;
          } else if (d.rust && c === '/' && text[i + 1] === '*') {
            i += 2;
            depth++;
          } else i++;
          continue;
        case STRING:
          if (c === '\\') i += 2;
          else {
            i++;
            if (c === quote) mode = CODE;
          }
          prev = quote;
          continue;
        case TRIPLE:
          if (c === '\\' && d.tripleEscapes) i += 2;
          else if (c === quote && text[i + 1] === quote && text[i + 2] === quote) {
            i += 3;
            while (text[i] === quote) i++; // the string's own last quotes come before the three that close it
            mode = CODE;
          } else i++;
          prev = quote;
          continue;
        case TEMPLATE:
          if (c === '\\') i += 2;
          else if (c === '`') {
            i++;
            mode = CODE;
            prev = '`';
          } else if (c === '$' && text[i + 1] === '{') {
            i += 2;
            braces.push(0);
            mode = CODE;
            prev = '{';
          } else i++;
          continue;
        case RAW:
          i++;
          if (c === '`') mode = CODE;
          prev = '`';
          continue;
        case RUST_RAW:
          i++;
          if (c === '"') {
            let h = 0;
            while (h < depth && text[i + h] === '#') h++;
            if (h === depth) {
              i += h;
              mode = CODE;
            }
          }
          prev = '"';
          continue;
      }
      // Code.
      const next = text[i + 1];
      if (c === '/' && next === '/') return i;
      if (c === '#' && d.php && next !== '[') return i;
      if (c === '/' && next === '*') {
        mode = BLOCK;
        depth = 1;
        i += 2;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') {
        i++;
        continue;
      }
      if (d.php && c === '?' && next === '>') {
        mode = HTML;
        i += 2;
        continue;
      }
      if (isIdent(c)) {
        if (d.rust) {
          // r"…", r#"…"#, br"…", cr"…": raw strings, no escapes, closed by `"` and as many `#`s.
          const r = (c === 'b' || c === 'c') && next === 'r' ? i + 1 : i;
          if (text[r] === 'r') {
            let j = r + 1;
            while (text[j] === '#') j++;
            if (text[j] === '"') {
              mode = RUST_RAW;
              depth = j - r - 1;
              i = j + 1;
              continue;
            }
          }
        }
        let j = i + 1;
        while (j < n && isIdent(text[j])) j++;
        if (d.rawCpp && text[j] === '"' && j - i <= 3 && CPP_RAW.has(text.slice(i, j))) {
          // Its delimiter: up to 16 characters, then `(`; else not a raw string.
          let k = j + 1;
          while (k < n && k <= j + 17 && text[k] !== '(' && text[k] !== ')' && text[k] !== '\\' && text[k] !== ' ' && text[k] !== '"') k++;
          if (text[k] === '(') {
            mode = CLOSER;
            closer = ')' + text.slice(j + 1, k) + '"';
            i = k + 1;
            continue;
          }
        }
        if (d.regex) word = j - i <= 10 ? text.slice(i, j) : '';
        prev = 'a';
        i = j;
        continue;
      }
      if (d.verbatim && c === '@' && (next === '"' || (next === '$' && text[i + 2] === '"'))) {
        mode = VERBATIM;
        i += next === '"' ? 2 : 3;
        continue;
      }
      if (c === '"' || (c === "'" && !d.charLiterals)) {
        mode = d.triple && next === c && text[i + 2] === c ? TRIPLE : STRING;
        quote = c;
        i += mode === TRIPLE ? 3 : 1;
        continue;
      }
      if (c === "'") {
        // A character literal is skipped whole; any other `'` is a lifetime, a label or a digit separator.
        if (next === '\\') {
          let j = i + 3;
          while (j < n && j <= i + 12 && text[j] !== "'") j++;
          if (text[j] !== "'") return -1; // not closed where a literal would be: cannot be told
          i = j + 1;
        } else {
          const code = text.charCodeAt(i + 1);
          const size = code >= 0xd800 && code <= 0xdbff ? 2 : 1;
          i += next !== undefined && next !== "'" && text[i + 1 + size] === "'" ? 2 + size : 1;
        }
        prev = 'a';
        continue;
      }
      if (c === '`' && d.backtick) {
        mode = d.backtick === 'raw' ? RAW : TEMPLATE;
        i++;
        continue;
      }
      if (braces.length && (c === '{' || c === '}')) {
        const top = braces.length - 1;
        if (c === '{') braces[top]!++;
        else if (braces[top] === 0) {
          braces.pop();
          mode = TEMPLATE; // back in the template literal the `${` was in
        } else braces[top]!--;
        prev = c;
        i++;
        continue;
      }
      if (c === '/' && d.regex && (prev === 'a' ? REGEX_AFTER.has(word) : !/^[)\]}"'`]$/.test(prev))) {
        // A regular expression: to its closing `/`, past escapes and `[…]` classes; never closed on the line: cannot be told.
        let j = i + 1;
        let inClass = false;
        for (; j < n; j++) {
          const r = text[j];
          if (r === '\\') j++;
          else if (r === '[') inClass = true;
          else if (r === ']') inClass = false;
          else if (r === '/' && !inClass) break;
        }
        if (j >= n) return -1;
        i = j + 1;
        prev = 'a';
        word = '';
        continue;
      }
      prev = c;
      i++;
    }
    // A one-line string open at the end of the line ends there (broken code; the line had no
    // comment after its quote), unless a `\` as its last character continues it.
    if (mode === STRING && !d.multiLine && i <= n) mode = CODE;
    return -1;
  };
}

/** How a file's lines are read for where their comment starts, in order (`file`) or one line alone; null: markers are matched on the whole line. */
function lineReader(style: CommentStyle, file: boolean): ((text: string) => number) | null {
  if (style.code) return codeReader(style.code, file);
  if (style.quotes === 'toml') return tomlReader();
  const quotes = style.quotes;
  if (quotes) return (text) => commentStart(text, quotes);
  return null;
}

const patterns = (marker: string, flags = 'i') => ({
  hash: new RegExp(`(?:^|[ \\t])#[ \\t]{0,10}${marker}`, flags),
  slash: new RegExp(`(?:^|[ \\t])\\/\\/[ \\t]{0,10}${marker}`, flags),
  both: new RegExp(`(?:^|[ \\t])(?:#|\\/\\/)[ \\t]{0,10}${marker}`, flags),
});
// bandit matches `nosec` in lower case only; depwatch's own marker in any case.
const NOSEC = patterns('nosec\\b', '');
const DEPWATCH = patterns('depwatch:[ \\t]{0,10}ignore\\b');
const ID = /[A-Za-z][A-Za-z0-9_-]*/g;

const pick = (p: ReturnType<typeof patterns>, style: CommentStyle): RegExp | null => (style.hash ? (style.slash ? p.both : p.hash) : style.slash ? p.slash : null);
/** Global only to start at an offset (lastIndex): a line's comment is searched where it starts, not copied out first. */
const DEPWATCH_WORD = /depwatch/gi;
/** Whether a text (from `from`) can hold a marker at all: the cheap test before any line or comment is read; in the same case as the markers are matched. */
export const mentionsMarker = (text: string, from = 0): boolean => {
  if (text.includes('nosec', from)) return true;
  DEPWATCH_WORD.lastIndex = from;
  return DEPWATCH_WORD.test(text);
};

/**
 * The suppression written on one line read alone (or in one comment's text), if any, for a file
 * with these comment markers: strings that run over lines are not known here (fileSuppressions
 * reads a file's lines in order). Only a bounded stretch after the marker is read.
 */
export function suppressionOnLine(text: string, line: number, style: CommentStyle = HASH_COMMENTS): Suppression | null {
  // Cheap test first: most lines mention neither.
  if (!mentionsMarker(text)) return null;
  const read = lineReader(style, false);
  if (read) {
    // Only the comment is read: from the `#` or `//` that starts it (quotes after it are the comment's).
    const start = read(text);
    if (start === -1) return null;
    text = text.slice(start);
  }
  return markerIn(text, line, style);
}

/**
 * The suppressions of a file outside Python, by 1-based line: its lines read in order, once, so a
 * string or block comment open at the end of one line is known on the next (a `// nosec` line
 * inside a template literal is text). A file that mentions neither marker is not read at all.
 */
export function fileSuppressions(text: string, style: CommentStyle): (line: number) => Suppression | null {
  if (!mentionsMarker(text)) return () => null;
  const read = lineReader(style, true);
  const comments = new Map<number, string>();
  for (let start = 0, line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const lineText = text.slice(start, end > start && text[end - 1] === '\r' ? end - 1 : end); // CRLF: a `\` ending a line is still last
    const at = read ? read(lineText) : 0;
    if (at !== -1 && mentionsMarker(lineText, at)) comments.set(line, lineText.slice(at));
    start = end + 1;
  }
  return (line) => {
    const comment = comments.get(line);
    return comment === undefined ? null : markerIn(comment, line, style);
  };
}

function markerIn(text: string, line: number, style: CommentStyle): Suppression | null {
  const dep = pick(DEPWATCH, style)?.exec(text);
  if (dep) {
    const end = dep.index + dep[0].length;
    const rest = text.slice(end, end + 500);
    if (!rest.startsWith('[')) return { ids: null, kind: 'depwatch', line };
    const close = rest.indexOf(']');
    const inside = close === -1 ? rest.slice(1) : rest.slice(1, close);
    return { ids: inside.match(ID) ?? [], kind: 'depwatch', line };
  }
  const nosec = pick(NOSEC, style)?.exec(text);
  if (nosec) {
    const end = nosec.index + nosec[0].length;
    const rest = text.slice(end, end + 300);
    // Ids follow directly (`# nosec B602,B607` or `# nosec: B602`); anything after another `#` is a comment.
    const idsPart = rest.replace(/^[:\s]+/, '').split('#')[0]!;
    const ids = /^[A-Za-z]/.test(idsPart) ? idsPart.match(ID) ?? [] : [];
    return { ids: ids.length ? ids : null, kind: 'nosec', line };
  }
  return null;
}

/**
 * Whether a marker covers a rule. A bare `# nosec` covers every rule but the secret ones: it is
 * bandit's marker, and a project coming from bandit has hundreds written for a `shell=True` or an
 * `assert`, never meant to hide a token on the same line (gitleaks, the secret scanner such a
 * project ran beside bandit, never read them). A secret is hidden only by a marker that says so:
 * `# depwatch: ignore` (bare or with the rule's id), or `# nosec` naming the rule or its bandit id
 * (`# nosec B105` for a hard-coded password).
 */
export function suppresses(s: Suppression, rule: RuleInfo | { id: string; kind?: RuleInfo['kind']; bandit?: string[] }): boolean {
  if (s.ids === null) return !(s.kind === 'nosec' && rule.kind === 'secret');
  return s.ids.some((id) => id === rule.id || (rule.bandit ?? []).some((b) => b.toUpperCase() === id.toUpperCase()));
}

/** At most this many comment lines above a Dockerfile instruction are read for its marker. */
const MAX_COMMENT_LINES_ABOVE = 50;

/**
 * The comment lines directly above a Dockerfile instruction's first line, nearest first: each
 * starts with `#` (after white space), with no blank or other line between. Bounded.
 */
export function commentLinesAbove(lineText: (line: number) => string, line: number): number[] {
  const above: number[] = [];
  for (let n = line - 1; n >= 1 && above.length < MAX_COMMENT_LINES_ABOVE; n--) {
    if (!/^[ \t]*#/.test(lineText(n))) break;
    above.push(n);
  }
  return above;
}
