/**
 * Values that stand in for a credential rather than being one: `changeme`, `your-api-key`,
 * `<token>`, `${DB_PASSWORD}`, `xxxxxxxx`, AWS's documented `AKIAIOSFODNN7EXAMPLE`. Reporting them
 * would teach people to ignore the scanner.
 */
import { shannonEntropy } from './entropy.js';

const WORDS = /(?:change[_-]?me|changeit|example|placeholder|dummy|fake|sample|redacted|replace[_-]?me|your[_-]|my[_-]?(?:secret|password|token|key)|insert[_-]|enter[_-]|put[_-]|fill[_-]?in|todo|fixme|secret[_-]?here|password[_-]?here|token[_-]?here|key[_-]?here|not[_-]?a[_-]?(?:real|secret)|do[_-]?not[_-]?use|test[_-]?(?:key|token|secret|password)|x{4,}|\*{3,}|\.{3,}|0{6,}|1234567|abcdef(?:gh)?$)/i;
/** A name for the value as its whole value: `myAccountKey`, `my_storage_key` (Microsoft's connection-string samples). */
const MY_NAMED_KEY = /^my[_-]?[A-Za-z]{0,24}?[_-]?(?:secret|password|token|key)$/i;
const EXACT = new Set(['password', 'passwd', 'secret', 'token', 'apikey', 'api_key', 'none', 'null', 'nil', 'undefined', 'true', 'false', 'test', 'testing', 'admin', 'root', 'default', 'foobar', 'foo', 'bar', 'baz', 'qwerty', 'letmein', 'pass', 'guest', 'user', 'username', 'string', 'str', 'value', 'empty', 'required', 'optional']);
/** References to a value kept elsewhere: `${VAR}`, `$VAR`, `%(name)s`, `{{ var }}`, `<token>`, `os.environ[…]`. */
const REFERENCE = /^(?:\$\{?[A-Za-z_]|%\(|\{\{|\{[A-Za-z_]|<[^>]*>$|\[[A-Z_]+\]$|env[:(.]|os\.|process\.env|secrets?\.|vault:|!vault|arn:aws:secretsmanager)/i;

export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  // `${DB_PASSWORD:-Kp9w…}`: a reference, but with a literal written down for when it is unset (or, `:+`, set).
  const fallback = expansionDefault(v);
  if (fallback) return isPlaceholder(fallback.value);
  if (EXACT.has(v.toLowerCase())) return true;
  if (REFERENCE.test(v) || v.includes('${') || v.includes('{{')) return true;
  if (WORDS.test(v) || MY_NAMED_KEY.test(v)) return true;
  // One character repeated, or two alternating: `aaaaaaaa`, `abababab`.
  if (new Set(v).size <= 2) return true;
  return false;
}

/**
 * A variable's expansion with a literal in it, as a whole value: a default, `${NAME:-…}`,
 * `${NAME-…}`, the assigning `:=` and `=`, and an alternate value, `${NAME:+…}` and `${NAME+…}`
 * (used when the variable is set: as much a value written down as a default).
 */
const EXPANSION_WITH_DEFAULT = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=+]/;
/** The same at a default's start, the name bounded (a nested default, `${A:-${B:-…}}`). */
const NESTED_EXPANSION = /^\$\{[A-Za-z_][A-Za-z0-9_]{0,63}:?[-=+]/;
/** How deep nested defaults are followed: `${A:-${B:-${C:-…}}}`. */
const MAX_NESTING = 4;
const MAX_DEFAULT = 300;

/**
 * The literal default of a value that is one shell or compose expansion with a default
 * (`${POSTGRES_PASSWORD:-Kp9w…}`), and where it starts in the value; null for anything else. That
 * default is used wherever the variable is unset, so it is as much written down as a bare value.
 * The closing brace may be missing (an unquoted YAML value is read up to it); a default that expands
 * something itself (`${A:-$B}`) or has more after the brace is computed, not a literal. A quoted
 * default (`${TOKEN:-'Sp9w…'}`) and a nested one (`${A:-${B:-Xq8…}}`) are literals too: see literalDefault.
 */
export function expansionDefault(value: string): { value: string; offset: number } | null {
  const m = EXPANSION_WITH_DEFAULT.exec(value);
  if (!m) return null;
  // Whole, or whole but for the last closing brace.
  const found = literalDefault(value, m[0].length);
  const closed = found !== null && found.end === value.length ? found : literalDefault(`${value}}`, m[0].length);
  if (closed === null || (closed !== found && closed.end !== value.length + 1)) return null;
  return { value: closed.value, offset: closed.start };
}

/**
 * The literal default of an expansion whose default starts at `start` (just past `:-`, `-`, `:=`,
 * `=`, `:+` or `+`): the characters up to the closing brace, with one pair of matching quotes around them
 * removed (`${TOKEN:-'Sp9w…'}`: the shell's value has none), or, when the default is an expansion
 * with a default itself (`${A:-${B:-Xq8…}}`), that one's, followed at most MAX_NESTING deep. `start`
 * and `end` (just past the closing brace) are indexes in `text`. Null when the default expands
 * something (`$`, a backtick) or does not end on its line. Bounded: each level reads at most MAX_DEFAULT characters.
 */
export function literalDefault(text: string, start: number, depth = 0): { value: string; start: number; end: number } | null {
  const first = text[start];
  if (first === '$') {
    const inner = nestedDefault(text, start, depth);
    return inner !== null && text[inner.end] === '}' ? { ...inner, end: inner.end + 1 } : null;
  }
  const quote = first === '"' || first === "'" ? first : null;
  const from = quote ? start + 1 : start;
  if (quote === '"' && text[from] === '$') {
    // `${A:-"${B:-'…'}"}`: inside double quotes the shell still expands, so a quoted default may be
    // an expansion with a default of its own, quoted in turn; followed as a nested one is.
    const inner = nestedDefault(text, from, depth);
    return inner !== null && text[inner.end] === '"' && text[inner.end + 1] === '}' ? { ...inner, end: inner.end + 2 } : null;
  }
  let j = from;
  // Quoted, up to the same quote; else a quote is a character of the default (`${PW:-a"b}` in YAML).
  const stop = quote === '"' ? /[}$`"\n]/ : quote === "'" ? /[}$`'\n]/ : /[}$`\n]/;
  while (j < text.length && j - from <= MAX_DEFAULT && !stop.test(text[j]!)) j++;
  if (quote !== null) {
    if (text[j] !== quote) return null;
    j++;
  }
  if (text[j] !== '}') return null;
  return { value: text.slice(from, quote ? j - 1 : j), start: from, end: j + 1 };
}

/**
 * The literal default of the expansion with a default starting at `start` (`${TOKEN:-…}`, the `$`),
 * as literalDefault reads it; `end` is just past the expansion's closing brace. Null for anything else.
 */
export function expansionDefaultAt(text: string, start: number): { value: string; start: number; end: number } | null {
  return text[start] === '$' ? nestedDefault(text, start, 0) : null;
}

/** The literal default of the expansion starting at `start` (`${B:-…}`), one level deeper; `end` is just past its closing brace. */
function nestedDefault(text: string, start: number, depth: number): { value: string; start: number; end: number } | null {
  const m = depth < MAX_NESTING ? NESTED_EXPANSION.exec(text.slice(start, start + 72)) : null;
  return m ? literalDefault(text, start + m[0].length, depth + 1) : null;
}

/**
 * A double-quoted value that is one expansion whose default is double-quoted itself, starting at
 * `start` (just past the outer opening quote): `"${DB_PASSWORD:-"Kp9w…"}"`. The shell reads the
 * inner quotes as quoting the default, not as ending the outer string, so the value runs to the quote
 * after the `}`. Where that `}` is (the end of the value), when the outer closing quote follows it;
 * else null. Bounded, as literalDefault is.
 */
export function expansionInQuotesEnd(text: string, start: number): number | null {
  if (text[start] !== '$') return null;
  const m = NESTED_EXPANSION.exec(text.slice(start, start + 72));
  if (m === null || text[start + m[0].length] !== '"') return null;
  const found = literalDefault(text, start + m[0].length);
  return found !== null && text[found.end] === '"' ? found.end : null;
}

/**
 * The random part of a fixed-format token (`ghp_…`, `AKIA…`, `xoxb-…`), judged: too regular to be a
 * real credential (`ghp_xxxx…`, `sk_live_0000…`, `AKIAIOSFODNN7EXAMPLE`, `ghp_1234567890abcdef…`).
 *
 * Anchored, unlike isPlaceholder's word search for assigned values: a generated body of 20 to 40
 * base62 characters holds `test`, `fake`, `todo` or `xxxx` somewhere about once in a thousand tokens,
 * and dropping those silently is a missed credential. So a word counts only as the whole body, at
 * its start or end, or as a whole part between `-`, `_` or `.`; what is looked for anywhere is long
 * enough never to occur in a random body (one character six times running).
 */
export function looksRandom(body: string): boolean {
  return !isPlaceholderBody(body) && shannonEntropy(body) >= 3;
}

const PLACEHOLDER_WORD = 'example|examplekey|sample|dummy|fake|test|testing|placeholder|redacted|changeme|replaceme|your|here|todo|fixme|secret|token|key|password|insert|notreal';
/** A word, or a typed-in run (`1234567890…`, `abcdef…`), starting the body; a word or `abcdef` ending it. */
const WORD_AT_START = /^(?:example|sample|dummy|fake|test|your|placeholder|redacted|changeme|replaceme|insert|todo|fixme|notreal|0?123456|abcdef)/i;
const WORD_AT_END = /(?:example|examplekey|sample|dummy|fake|test|placeholder|redacted|here|todo|fixme|abcdef(?:gh)?)$/i;
const WHOLE_PART = new RegExp(`^(?:${PLACEHOLDER_WORD}|x{3,})$`, 'i');
/** One character six times running (`xxxxxx`, `000000`, `******`), an ellipsis (a shortened token in documentation). */
const NEVER_RANDOM = /(.)\1{5}|\.{3}|…/;

function isPlaceholderBody(body: string): boolean {
  const v = body.trim();
  if (v.length === 0 || EXACT.has(v.toLowerCase()) || REFERENCE.test(v) || v.includes('${') || v.includes('{{')) return true;
  if (new Set(v).size <= 2) return true;
  if (WORD_AT_START.test(v) || WORD_AT_END.test(v) || NEVER_RANDOM.test(v)) return true;
  return v.split(/[-_.]/).some((part) => WHOLE_PART.test(part));
}
