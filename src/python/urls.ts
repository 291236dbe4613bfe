/**
 * URLs found in manifests can carry credentials: a user and password or a token before the host
 * (`https://user:token@index.example/simple`, `git+https://ghp_…@github.com/…`) and secrets in the
 * query string or fragment (`?token=…`, `&X-Amz-Signature=…`, Azure's `sig=`). This is the one place
 * that knows how to find and remove them, for parsed URLs, for free text that quotes a URL (a parse
 * error echoing its line, a log message) and for the manifest text the GitHub blob cache keeps.
 *
 * Everything here is one left-to-right pass: URLs are found by their `://`, each character is looked
 * at a bounded number of times, so hostile text costs linear time (no regular expression backtracks).
 */

/** What a redacted query or fragment value reads as (pip writes `****` for a password too). */
export const REDACTED = '****';

/** Parameter names whose value is a secret, compared in lower case. */
const SECRET_PARAMS = new Set(['key', 'sig', 'pwd', 'pass', 'auth', 'authorization', 'session', 'sessionid', 'jwt']);
/** …and any name containing one of these (`access_token`, `X-Amz-Signature`, `client_secret`, `X-Amz-Credential`…). */
const SECRET_PARTS = ['token', 'secret', 'passw', 'signature', 'credential', 'apikey', 'api_key', 'api-key', 'accesskey', 'access_key'];

/** The exact rule, listed in docs/design.md: exact names, names containing a part, and `*_key` / `*-key` / `*.key`. */
export function isSecretParam(name: string): boolean {
  const lower = name.toLowerCase();
  if (SECRET_PARAMS.has(lower)) return true;
  if (SECRET_PARTS.some((part) => lower.includes(part))) return true;
  return /[_.-]key$/.test(lower);
}

/** Transports where a lone user before `@` is a token (on ssh, `git@` is an address, no secret). */
const TOKEN_USER_TRANSPORTS = new Set(['http', 'https', 'ftp', 'ftps']);

/** A stretch of text that is a secret: the userinfo before `@`, or a parameter's value. */
interface Span {
  start: number;
  end: number;
  kind: 'userinfo' | 'value';
}

const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isSchemeChar = (c: number) => isLetter(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
/** Where a URL quoted in free text ends: blanks, quotes, angle brackets, a backslash (an escaped quote). */
const endsUrlInText = (c: number) => c <= 32 || c === 34 || c === 39 || c === 96 || c === 60 || c === 62 || c === 92;

/**
 * The secret spans of every URL in `text`, in order and disjoint. In `text` mode a URL ends at a
 * blank or a quote; in `url` mode the whole string is URL (a value read from a manifest field).
 */
function secretSpans(text: string, mode: 'text' | 'url'): Span[] {
  // URLs, found by their "://": scheme start (walking back no further than the previous URL's
  // "://"), separator, and end (shared by every URL of one unbroken token, so computed once per token).
  // Each URL is read once the next one is found (it may end it), so none is kept: a text of a
  // hundred thousand `a://` made as many objects, and grew faster than linearly for it.
  const spans: Span[] = [];
  let floor = 0;
  let tokenEnd = -1;
  let pending: { start: number; sep: number; end: number } | null = null;
  for (let sep = text.indexOf('://'); sep !== -1; sep = text.indexOf('://', sep + 3)) {
    let start = sep;
    while (start > floor && isSchemeChar(text.charCodeAt(start - 1))) start--;
    while (start < sep && !isLetter(text.charCodeAt(start))) start++;
    if (mode === 'url') tokenEnd = text.length;
    else if (tokenEnd <= sep) {
      tokenEnd = sep + 3;
      while (tokenEnd < text.length && !endsUrlInText(text.charCodeAt(tokenEnd))) tokenEnd++;
    }
    // A URL nested in another one (`?next=https://u:p@h/`) is a URL of its own: the outer one stops
    // at its `://`, so no character is scanned twice and every span stays apart from the others.
    if (pending !== null) addUrlSpans(text, pending.start, pending.sep, sep < pending.end ? sep : pending.end, spans);
    if (pending === null) pending = { start, sep, end: tokenEnd };
    else {
      pending.start = start;
      pending.sep = sep;
      pending.end = tokenEnd;
    }
    floor = sep + 3;
  }
  if (pending !== null) addUrlSpans(text, pending.start, pending.sep, pending.end, spans);
  return spans;
}

/** The secret spans of the URL whose scheme starts at `start`, whose `://` is at `sep`, and that ends at `end`. */
function addUrlSpans(text: string, start: number, sep: number, end: number, spans: Span[]): void {
  const hostStart = sep + 3;
  let hostEnd = hostStart;
  let at = -1;
  for (; hostEnd < end; hostEnd++) {
    const c = text.charCodeAt(hostEnd);
    if (c === 47 || c === 63 || c === 35) break; // / ? #
    if (c === 64) at = hostEnd; // the last @ ends the userinfo (an unencoded @ in a password stays hidden)
  }
  if (at !== -1) {
    let hasPassword = false;
    for (let j = hostStart; j < at && !hasPassword; j++) hasPassword = text.charCodeAt(j) === 58;
    const scheme = text.slice(start, sep).toLowerCase();
    const transport = scheme.slice(scheme.lastIndexOf('+') + 1);
    if (hasPassword || TOKEN_USER_TRANSPORTS.has(transport)) spans.push({ start: hostStart, end: at, kind: 'userinfo' });
  }
  // Query and fragment parameters: name=value pairs after the first ? (or #), split by & and #.
  let name = -1; // where the current parameter's name starts
  let eq = -1; // its first =
  for (let j = hostEnd; j <= end; j++) {
    const c = j < end ? text.charCodeAt(j) : 38;
    if (c === 61) {
      if (eq === -1) eq = j;
      continue;
    }
    const separates = c === 38 || c === 35 || (c === 63 && name === -1); // & # and the ? that opens the query
    if (!separates) continue;
    if (name !== -1 && eq !== -1 && isSecretParam(text.slice(name, eq))) spans.push({ start: eq + 1, end: j, kind: 'value' });
    name = j + 1;
    eq = -1;
  }
}

/** Applies the spans: removed (userinfo with its `@`) or replaced by REDACTED (values). */
function strip(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let from = 0;
  for (const span of spans) {
    out += text.slice(from, span.start);
    if (span.kind === 'value') out += span.end > span.start ? REDACTED : '';
    from = span.kind === 'userinfo' ? span.end + 1 : span.end;
  }
  return out + text.slice(from);
}

/**
 * A URL read from a manifest field, without its credentials: `user:password@` and a lone token user
 * on http(s)/ftp are removed (an ssh user such as `git@` is kept: it is part of the address), and
 * secret query and fragment values read `****`. The whole string is taken as the URL.
 */
export function stripUrlCredentials(url: string): string {
  if (!url.includes('://')) return url;
  return strip(url, secretSpans(url, 'url'));
}

/**
 * stripUrlCredentials' answer, and whether what it removed held a credential written out rather than
 * only where one goes (one reading of the URL gives both): `https://${PIP_USER}:${PIP_PASSWORD}@host`
 * (pip expands `${VAR}` from the environment: the way Depwatch's own advice says to give them), a
 * lone user name (`https://alice@host`, `oauth2accesstoken@`, keyring's form) and `?token=$TOKEN`
 * hold no secret. Counted: a password or parameter value that is not only a variable, and a lone
 * user that is a token (a token's prefix, or 20 characters or more with letters and digits:
 * `https://ghp_…@github.com`).
 */
export function stripUrlCredentialsNoting(url: string): { url: string; literalCredentials: boolean } {
  if (!url.includes('://')) return { url, literalCredentials: false };
  const spans = secretSpans(url, 'url');
  return { url: strip(url, spans), literalCredentials: spans.some((span) => isLiteralCredential(url.slice(span.start, span.end), span.kind)) };
}

function isLiteralCredential(secret: string, kind: Span['kind']): boolean {
  if (kind === 'value') return secret !== '' && !isVariable(secret);
  const colon = secret.indexOf(':');
  if (colon === -1) return !isVariable(secret) && looksLikeToken(secret);
  const password = secret.slice(colon + 1);
  return password !== '' && !isVariable(password);
}

/** `${NAME}`, `$NAME` or `%NAME%`: a variable the installer or the shell fills in (a `${NAME:-default}` default may be a literal: not this). */
const isVariable = (text: string): boolean => /^(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%)$/.test(text);

/** A user name that is a token rather than a name: a token's prefix (GitHub, GitLab, PyPI, npm), or long with letters and digits. */
const looksLikeToken = (text: string): boolean => /^(?:gh[pousr]_|github_pat_|glpat-|pypi-|npm_)/.test(text) || (text.length >= 20 && /[0-9]/.test(text) && /[A-Za-z]/.test(text));

/** Free text (an error message, a log line) with the credentials of every URL in it removed, as stripUrlCredentials does. */
export function redactUrlSecrets(text: string): string {
  if (!text.includes('://')) return text;
  return strip(text, secretSpans(text, 'text'));
}

/**
 * Text with every URL secret overwritten by `*`, character for character: lines and columns stay
 * where they were, and redacting the result (redactUrlSecrets, stripUrlCredentials) gives exactly
 * what redacting the original gives. For keeping manifest text (the GitHub blob cache) so that
 * parsing it later yields the same audit, minus the secrets.
 */
export function maskUrlSecrets(text: string): string {
  if (!text.includes('://')) return text;
  const spans = secretSpans(text, 'text');
  if (spans.length === 0) return text;
  let out = '';
  let from = 0;
  for (const span of spans) {
    out += text.slice(from, span.start);
    const secret = text.slice(span.start, span.end);
    // The userinfo keeps its `:` so that it is still read as user:password (and removed) later.
    out += span.kind === 'userinfo' ? secret.replace(/[^:]/g, '*') : '*'.repeat(secret.length);
    from = span.end;
  }
  return out + text.slice(from);
}
