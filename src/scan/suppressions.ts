/**
 * Inline suppressions, in a comment on the finding's line:
 * - `# nosec` (bandit's): every rule; `# nosec B602, B607` only the rules with those bandit ids
 *   (or our own ids: `# nosec py-eval-exec`);
 * - `# depwatch: ignore[rule-id, other-id]`, or `# depwatch: ignore` for every rule on that line.
 *
 * Only a comment counts, never text that merely contains the words (`"grep '# nosec'"`): in Python
 * files the comments are the parser's (scan-python.ts), elsewhere a marker must start a comment of
 * the file's language (commentStyle): `#` or `//`, at the start of the line or after a space, and
 * in a file whose comments are `#` only (shell, YAML, TOML, Dockerfiles, .env, INI…) that `#` must
 * not be inside a quoted string of the line (commentStart). Which
 * findings a marker covers is scan.ts's (finalize): those reported on its line, and for Python those
 * of the statement whose first or last line it is on (bandit reads a marker on the first line of a
 * multi-line statement; the last is where a trailing comment goes after the closing bracket).
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
   * comment), else `shell` (any quote opens one; backslash escapes outside quotes, in double
   * quotes and in `$'…'`). Unset for the others, whose markers are matched as before.
   */
  quotes?: 'shell' | 'yaml';
}

export const HASH_COMMENTS: CommentStyle = { hash: true, slash: false, quotes: 'shell' };
const YAML_COMMENTS: CommentStyle = { hash: true, slash: false, quotes: 'yaml' };
const YAML = /\.ya?ml$/i;

/** Languages whose line comments are `//` only (C-like); `#` there is code (a preprocessor line, a private field). */
const SLASH_ONLY = /\.(?:js|mjs|cjs|ts|mts|cts|tsx|jsx|go|java|kt|kts|scala|cs|c|cc|cpp|cxx|h|hh|hpp|rs|swift|dart|groovy|gradle|jsonc|json5|proto|sol)$/i;
/** Both (PHP). */
const BOTH = /\.php\d?$/i;
/** No comments at all (JSON): a marker there would be inside a string. */
const NONE = /\.json$/i;

/** The comment markers of a file by its name; `#` (shells, YAML, TOML, Dockerfiles, .env, INI…) unless known otherwise. */
export function commentStyle(path: string): CommentStyle {
  if (SLASH_ONLY.test(path)) return { hash: false, slash: true };
  if (BOTH.test(path)) return { hash: true, slash: true };
  if (NONE.test(path)) return { hash: false, slash: false };
  return YAML.test(path) ? YAML_COMMENTS : HASH_COMMENTS;
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

const patterns = (marker: string) => ({
  hash: new RegExp(`(?:^|[ \\t])#[ \\t]{0,10}${marker}`, 'i'),
  slash: new RegExp(`(?:^|[ \\t])\\/\\/[ \\t]{0,10}${marker}`, 'i'),
  both: new RegExp(`(?:^|[ \\t])(?:#|\\/\\/)[ \\t]{0,10}${marker}`, 'i'),
});
const NOSEC = patterns('nosec\\b');
const DEPWATCH = patterns('depwatch:[ \\t]{0,10}ignore\\b');
const ID = /[A-Za-z][A-Za-z0-9_-]*/g;

const pick = (p: ReturnType<typeof patterns>, style: CommentStyle): RegExp | null => (style.hash ? (style.slash ? p.both : p.hash) : style.slash ? p.slash : null);

/**
 * The suppression written on one line (or in one comment's text), if any, for a file with these
 * comment markers. Only a bounded stretch after the marker is read.
 */
export function suppressionOnLine(text: string, line: number, style: CommentStyle = HASH_COMMENTS): Suppression | null {
  // Cheap test first: most lines mention neither.
  if (!text.includes('nosec') && !text.includes('depwatch')) return null;
  if (style.quotes && !style.slash) {
    // Only the comment is read: from the `#` that starts it (quotes after it are the comment's).
    const start = commentStart(text, style.quotes);
    if (start === -1) return null;
    text = text.slice(start);
  }
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

export function suppresses(s: Suppression, rule: RuleInfo | { id: string; bandit?: string[] }): boolean {
  if (s.ids === null) return true;
  return s.ids.some((id) => id === rule.id || (rule.bandit ?? []).some((b) => b.toUpperCase() === id.toUpperCase()));
}
