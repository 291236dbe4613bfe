/**
 * Credentials written into curl commands, as gitleaks' curl-auth-header and curl-auth-user rules
 * find them: `curl -H "Authorization: Bearer …"`, `-H 'X-API-Key: …'`, `--oauth2-bearer …` and
 * `-u user:password`, in shell scripts, Dockerfiles, CI YAML and Markdown alike. This module only
 * finds the values and where they start; scan-secrets.ts judges them (placeholders, randomness,
 * test and documentation caps) like every other secret.
 *
 * Linear: each `curl` is followed to the end of its command line (continuations included, at most
 * MAX_COMMAND characters), read once as shell words, and the search goes on after it.
 */

export interface CurlCredential {
  /** `header`: an authorization header or --oauth2-bearer; `user`: the password of -u/--user. */
  kind: 'header' | 'user';
  /** The header's name (`Authorization`, `X-API-Key`) or `-u`; for messages. */
  where: string;
  /** The auth scheme written before the value (`Bearer`, `Basic`, `Token`), lower-cased, or ''. */
  scheme: string;
  value: string;
  /** Offset of the value's first character in the text. */
  start: number;
}

const CURL = /(?<![A-Za-z0-9_.\/-])curl(?:\.exe)?(?=[ \t])/g;
const MAX_COMMAND = 4000;
/** Headers that carry a credential. */
const AUTH_HEADER = /^\s*(authorization|proxy-authorization|x-api-key|api-key|apikey|x-auth-token|x-access-token|private-token|x-gitlab-token|x-vault-token)\s*:\s*(?:(bearer|basic|token|bot|apikey)\s+)?(\S+)\s*$/i;

interface Word {
  text: string;
  /** The text offset of each character of `text`. */
  at: number[];
}

export function curlCredentials(text: string): CurlCredential[] {
  const out: CurlCredential[] = [];
  if (!text.includes('curl')) return out;
  CURL.lastIndex = 0;
  for (let m = CURL.exec(text); m; m = CURL.exec(text)) {
    const words = commandWords(text, m.index + m[0].length);
    CURL.lastIndex = Math.max(CURL.lastIndex, words.end);
    const list = words.words;
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      const next = list[i + 1];
      if (w.text === '-H' || w.text === '--header' || w.text === '--proxy-header') {
        if (next) header(next, out);
      } else if (w.text.startsWith('-H') && w.text.length > 2 && !w.text.startsWith('--')) {
        header({ text: w.text.slice(2), at: w.at.slice(2) }, out);
      } else if (w.text === '-u' || w.text === '--user' || w.text === '--proxy-user' || w.text === '-U') {
        if (next) user(next, w.text, out);
      } else if (w.text.startsWith('-u') && w.text.length > 2 && !w.text.startsWith('--')) {
        user({ text: w.text.slice(2), at: w.at.slice(2) }, '-u', out);
      } else if (w.text === '--oauth2-bearer' && next && next.text.length > 0) {
        out.push({ kind: 'header', where: '--oauth2-bearer', scheme: 'bearer', value: next.text, start: next.at[0]! });
      }
    }
  }
  return out;
}

function header(word: Word, out: CurlCredential[]): void {
  const m = AUTH_HEADER.exec(word.text);
  if (!m) return;
  const value = m[3]!;
  const offset = word.text.replace(/\s+$/, '').length - value.length;
  out.push({ kind: 'header', where: m[1]!, scheme: (m[2] ?? '').toLowerCase(), value, start: word.at[offset]! });
}

function user(word: Word, flag: string, out: CurlCredential[]): void {
  const colon = word.text.indexOf(':');
  if (colon <= 0 || colon === word.text.length - 1) return; // no password: curl asks for it
  out.push({ kind: 'user', where: flag, scheme: '', value: word.text.slice(colon + 1), start: word.at[colon + 1]! });
}

/**
 * The shell words of one command from `from` to the end of its line (a `\` before the line break
 * continues it), with each character's offset. Quotes group words; `\"` outside quotes opens and
 * closes a quote too, as a command inside a JSON or YAML string is written. Stops at `;`, `|`, `&`
 * and backticks outside quotes (another command), and after MAX_COMMAND characters.
 */
function commandWords(text: string, from: number): { words: Word[]; end: number } {
  const words: Word[] = [];
  let current: Word | null = null;
  let quote: '"' | "'" | '\\"' | null = null;
  let i = from;
  const limit = Math.min(text.length, from + MAX_COMMAND);
  const push = (c: string, at: number) => {
    current ??= { text: '', at: [] };
    current.text += c;
    current.at.push(at);
  };
  const endWord = () => {
    if (current) words.push(current);
    current = null;
  };
  for (; i < limit; i++) {
    const c = text[i]!;
    if (quote === '\\"') {
      if (c === '\\' && text[i + 1] === '"') {
        quote = null;
        i++;
      } else if (c === '\n') break;
      else push(c, i);
      continue;
    }
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\n') break;
      else if (quote === '"' && c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) push(text[++i]!, i);
      else push(c, i);
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      endWord();
      i += text[i + 1] === '\r' ? 2 : 1;
      continue;
    }
    if (c === '\\' && text[i + 1] === '"') {
      quote = '\\"';
      current ??= { text: '', at: [] };
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      current ??= { text: '', at: [] };
      continue;
    }
    if (c === '\n' || c === ';' || c === '|' || c === '&' || c === '`') break;
    if (c === ' ' || c === '\t' || c === '\r') endWord();
    else push(c, i);
  }
  endWord();
  return { words, end: i };
}
