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
  let value = '';
  let user = '';
  for (let i = from; i < to; i++) {
    const c = text[i]!;
    if (c === ':') {
      if (field === 3) user = value;
      if (field === 4) break;
      field++;
      fieldStart = i + 1;
      value = '';
      continue;
    }
    // A backslash makes the next character literal; one ending the line is itself.
    const literal = c === '\\' && i + 1 < to ? text[++i]! : c;
    if (field >= 3) value += literal; // only the username and the password are kept

  }
  if (field < 4 || value === '') return null;
  return { user, password: value, start: fieldStart };
}
