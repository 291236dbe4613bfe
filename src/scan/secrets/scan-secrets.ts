/**
 * Finds credentials in any text file: known token formats, private key blocks, URLs with a
 * password, and high-entropy values assigned to names like `password`, `secret`, `token`,
 * `api_key`. A value never leaves this module: findings carry the kind, the position and a keyed
 * fingerprint (secrets/fingerprint.ts).
 *
 * Linear in the input: every pattern is a literal prefix plus one greedy class (formats.ts), and
 * the assignment and URL checks look a bounded number of characters around each hit; hits never
 * overlap, so the work per input character is bounded.
 */
import { isCommittedEnvFile, isEnvTemplate } from '../files/env-files.js';
import { isCodePath, isDockerfilePath, isExamplePath, isPythonPath, isTestPath } from '../paths.js';
import type { Report } from '../rule.js';
import type { Confidence, ScanSeverity } from '../types.js';
import { shannonEntropy } from './entropy.js';
import { curlCredentials } from './curl.js';
import { fingerprint } from './fingerprint.js';
import { isPublishedSample, TOKEN_FORMATS } from './formats.js';
import { keywordSigns } from './keyword-signs.js';
import { isPgpassPath, pgpassLogins } from './pgpass.js';
import { privateKeys } from './private-keys.js';
import { expansionDefault, expansionDefaultAt, expansionInQuotesEnd, isPlaceholder, literalDefault, looksRandom } from './placeholders.js';
import { LineIndex } from '../text.js';

export interface SecretReport extends Report {
  rule: string;
  severity: ScanSeverity;
  confidence: Confidence;
  secret: { kind: string; fingerprint: string };
}

/**
 * Names that hold credentials; matched anywhere inside an identifier (`DB_PASSWORD`, `stripeApiKey`).
 * A bare `pass` counts only as the last segment of a name (`DB_PASS`, `smtpPass`): see isLastSegment.
 * Azure's keys go by their own names in settings (`"AccountKey": …` in appsettings.json,
 * `account_key`, `AZURE_STORAGE_KEY`, Cosmos DB's `master_key`, `shared_access_key`).
 */
const SECRET_WORDS = 'pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|signing[_-]?key|encryption[_-]?key|credential|account[_-]?key|storage[_-]?(?:account[_-]?)?key|shared[_-]?access[_-]?key|master[_-]?key';
/**
 * gitleaks' generic-api-key keywords that SECRET_WORDS lacks: `key`, `auth`, `creds`
 * (`FERNET_KEY`, `HMAC_KEY`, `stripeKey`, `[api] key = …`, `auth:`, `DB_CREDS`). Each counts only as
 * the last segment of a name (isLastSegment: not `monkey`, `keyboard`, `author`, `auth_method`), and
 * what such a name is given must look generated, not merely unusual (genericValueLooksGenerated):
 * these words name dictionary keys, sort keys and auth modes far more often than secrets. Listed
 * after SECRET_WORDS, so `api_key`, `authKey` are read by their own words first.
 */
const GENERIC_WORDS = 'key|auth|creds';
const SECRET_NAME = new RegExp(`${SECRET_WORDS}|${GENERIC_WORDS}`, 'gi');
const GENERIC_WORD = new RegExp(`^(?:${GENERIC_WORDS})$`, 'i');
/** The words that count only as the last segment of a name. */
const LAST_SEGMENT_ONLY = new Set(['pass', 'key', 'auth', 'creds']);
/** A name holding one of SECRET_WORDS: a value given to it is judged as a credential's; any other name found is generic. */
const STRONG_SECRET_NAME = new RegExp(SECRET_WORDS, 'i');
/**
 * Keys that are public by design or name a place in data, not a credential: a public key (VAPID,
 * JWKS), a reCAPTCHA site key, Stripe's publishable key, database and cache keys, i18n keys.
 */
const NOT_A_SECRET_KEY = /(?:public|pub|site|publishable|primary|foreign|partition|sort|cache|row|range|hash|lookup|idempotency|dedupe?|unique|cursor|object|s3|bucket|file|map|dict|index|i18n|translation|message|locale|group|routing|shard|host|ssh[_-]?host|known[_-]?host)[_-]?key$/i;
/** Identifiers that mention a secret but hold something else: a path, a URL, a name, a length, a flag. */
const NOT_A_VALUE_NAME = /(?:_|\b|[a-z])(?:url|uri|path|file|filename|dir|name|id|ids|type|len|length|size|count|field|header|prefix|suffix|env|var|endpoint|hash|hashed|hasher|salt|policy|expiry|expires|ttl|timeout|format|regex|pattern|min|max|limit|length|required|enabled|label|placeholder|hint|prompt|help|message|msg|error|validator|class|tokens|tokenizer|tokenize|ref|refs|reference)$/i;
const IDENT_CHAR = /[A-Za-z0-9_.-]/;
const MAX_IDENT = 64;
const MAX_VALUE = 300;

/**
 * The most a value judged by its name and randomness alone is rated in tests, examples,
 * documentation and templates: fakes there look as random as real values. An AWS secret key by
 * name stays above the rest (its 40-character shape is its own), below the default gate.
 */
const RELAXED_CAP = { 'secret-assigned': 'low', 'secret-aws-secret-access-key': 'medium' } as const satisfies Record<string, ScanSeverity>;
/** The prefix Django's `startproject` gives a generated development SECRET_KEY: its own mark of a key not meant for production. */
const DJANGO_DEVELOPMENT_KEY = 'django-insecure-';

/** The keys of Azure connection strings, whose values end at `;`. */
const CONNECTION_STRING_KEY = /^(?:AccountKey|SharedAccessKey)$/i;

const AWS_SECRET_NAME = /aws.{0,20}secret|secret.{0,20}access.{0,5}key/i;

/** The token formats' keywords a file holds, all found in one pass over it (keyword-signs.ts). */
const formatKeywordsIn = keywordSigns(TOKEN_FORMATS.flatMap((f) => f.keywords));

/** How a file's text is read: code (an unquoted value is an expression), and which language's literals it has. */
interface Dialect {
  code: boolean;
  /** Python (and notebooks): `b"…"`, `r"…"`, `u"…"`, `rb"…"` are literals; `f"…{x}"` is an expression. */
  python: boolean;
  /** Shell scripts: `NAME=value` (no spaces, as the shell wants) assigns a literal unless it expands something. */
  shell: boolean;
  /** Markdown and reStructuredText: a backtick closes inline code, so it ends an unquoted value. */
  markup: boolean;
  /** Dockerfiles: `ENV NAME value` (the legacy form, no `=` after the name) sets NAME to value. */
  dockerfile: boolean;
}

export interface SecretScanContext {
  path: string;
  text: string;
  fingerprintKey: string | Uint8Array;
  lines: LineIndex;
}

export function scanSecrets(ctx: SecretScanContext): SecretReport[] {
  return scanText(ctx, pathTraits(ctx.path), null);
}

/**
 * The rules whose values redaction masks by where the scanner found them (secretValueSpans): the
 * ones judged by a name or a command around the value. Token formats, private keys and URL
 * passwords src/redact.ts finds itself, keeping a token's prefix.
 */
const MASKED_BY_SPAN = new Set(['secret-assigned', 'secret-aws-secret-access-key', 'secret-curl-auth-header', 'secret-curl-auth-user']);

/**
 * Where, in free text (a log line, an error message, a commit subject, a command's output), the
 * values lie that the scanner reports by a name or a command around them (MASKED_BY_SPAN): each as
 * [start, end), in order, not overlapping. Read as a plain text file is, with one difference: a
 * password-named setting given any non-placeholder literal counts (`password="Welcome1"`), as the
 * scanner reports in Python code, since the text may quote such code. Linear, as scanSecrets is.
 */
export function secretValueSpans(text: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  scanText({ path: FREE_TEXT_PATH, text, fingerprintKey: 'redaction', lines: new LineIndex(text) }, FREE_TEXT_TRAITS, found);
  const spans: Array<[number, number]> = [];
  for (const [start, end] of found.sort((a, b) => a[0] - b[0])) {
    const cut = inStringEnd(text, start, end);
    if (cut > start) spans.push([start, cut]);
  }
  return spans;
}

/**
 * Where a value read from free text ends inside a JSON string (redaction runs over stored JSON): at
 * an unescaped `"` (an unquoted value read to a `,` or `}` takes the string's closing quote), and
 * never between a backslash and the character it escapes, so what replaces it keeps the JSON valid.
 */
function inStringEnd(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && text[i] !== '"') {
    if (text[i] === '\\') {
      if (i + 1 >= end) break;
      i++;
    }
    i++;
  }
  return i;
}

/** Whether `at` is inside a URL (a `://` earlier in the same word): its query values are the URL rule's to mask (src/python/urls.ts). Bounded. */
function insideUrl(text: string, at: number): boolean {
  for (let p = at; p > 2 && at - p < 300; p--) {
    const c = text[p - 1]!;
    if (/[\s"'`<>]/.test(c)) return false;
    if (c === '/' && text[p - 2] === '/' && text[p - 3] === ':') return true;
  }
  return false;
}

/** What a file's path says about how to read it and how much to trust what is found there. */
interface PathTraits {
  /** Tests, examples, documentation and templates (see scanText). */
  relaxed: boolean;
  envFile: boolean;
  graphql: boolean;
  pgpass: boolean;
  dialect: Dialect;
}

function pathTraits(path: string): PathTraits {
  return {
    relaxed: isTestPath(path) || isExamplePath(path),
    envFile: isCommittedEnvFile(path),
    graphql: /\.(?:graphqls?|gql)$/i.test(path),
    pgpass: isPgpassPath(path),
    dialect: {
      code: isCodePath(path),
      python: isPythonPath(path) || /\.pyi$|\.ipynb$/i.test(path),
      shell: /\.(?:sh|bash|zsh|ksh)$/i.test(path),
      markup: /\.(?:md|markdown|mdx|rst)$/i.test(path),
      dockerfile: isDockerfilePath(path),
    },
  };
}

/** Free text is read as a plain text file is (secretValueSpans): its traits, worked out once, as every redacted text shares them. */
const FREE_TEXT_PATH = 'text.txt';
const FREE_TEXT_TRAITS = pathTraits(FREE_TEXT_PATH);

function scanText(ctx: SecretScanContext, traits: PathTraits, spans: Array<[number, number]> | null): SecretReport[] {
  const { path, text } = ctx;
  const reports: SecretReport[] = [];
  /** Values already reported, so a token assigned to `GITHUB_TOKEN` is one finding, not two. */
  const covered = new ReportedValues(text.length);
  /**
   * Tests, examples, documentation and templates: every check runs there too (a `.env.example` or
   * a test environment's `config/database.test.yml` often holds the real values), but what is found
   * is rated low confidence, as fake credentials are common there. Fixed-format tokens keep their
   * severity (a real one is as usable from a test as from anywhere, and a fake one rarely has the
   * format); a value judged only by its name and randomness is capped (RELAXED_CAP), as test keys,
   * UUIDs and fixture passwords look just as random and would otherwise fail the default gate.
   */
  const { relaxed, envFile, graphql, pgpass, dialect } = traits;

  const add = (rule: string, kind: string, value: string, start: number, severity: ScanSeverity, confidence: Confidence, message: string, fix: string) => {
    covered.add(start, start + value.length);
    if (spans !== null) {
      // Redaction wants where the value lies, not a report: no line index over the whole text, no keyed digest.
      if (MASKED_BY_SPAN.has(rule)) spans.push([start, start + value.length]);
      return;
    }
    const { line, column } = ctx.lines.position(start);
    reports.push({
      rule,
      line,
      column,
      severity,
      confidence: relaxed ? 'low' : confidence,
      message,
      fix,
      secret: { kind, fingerprint: fingerprint(ctx.fingerprintKey, value) },
    });
  };

  // Finding spans for redaction, the formats, private keys and URL passwords are left to
  // src/redact.ts, which keeps a token's prefix: a value of a known format is skipped below instead.
  const keywords = spans === null ? formatKeywordsIn(text) : new Set<string>();
  for (const format of keywords.size === 0 ? [] : TOKEN_FORMATS) {
    if (!format.keywords.some((k) => keywords.has(k))) continue;
    format.pattern.lastIndex = 0;
    for (let m = format.pattern.exec(text); m; m = format.pattern.exec(text)) {
      const token = m[0];
      if (token.length < format.minLength || token.length > format.maxLength) continue;
      const body = m[1] ?? token;
      if (!looksRandom(format.randomPart ? format.randomPart(body) : body) || format.isSample?.(token) || format.isName?.(body) || format.isEncoded?.(body) === false) continue;
      const refined = format.refine?.(token);
      const kind = refined?.kind ?? format.kind;
      add(format.rule, kind, token, m.index, refined?.severity ?? format.severity, 'high', `${article(kind)} ${kind} is written in this file; anyone who can read the repository (or its history) can use it.`, format.fix);
    }
  }

  for (const key of spans === null ? privateKeys(text) : []) {
    add('secret-private-key', key.kind, key.body, key.start, 'critical', 'high', 'A private key is written in this file; anyone who can read the repository (or its history) can use it.', 'Treat the key as compromised: replace it (and revoke certificates or deploy keys made with it), and load keys from a secret store or a file outside the repository.');
  }

  for (let at = spans === null ? text.indexOf('://') : -1; at !== -1; at = text.indexOf('://', at + 3)) {
    const found = urlPassword(text, at);
    if (!found || covered.has(found.start)) continue;
    add('secret-url-password', 'password in a URL', found.password, found.start, urlPasswordSeverity(found.host, relaxed && !isEnvTemplate(path)), found.confidence, `A URL with a password (${found.scheme}://user:…@…) is written in this file; anyone who can read the repository can log in.`, 'Remove the password from the URL: build it from an environment variable or use the client\'s separate credential setting; change the password.');
  }

  // Credentials in curl commands (gitleaks' curl-auth-header, curl-auth-user): before secret-named
  // settings, so `-H "X-API-Key: …"` is one finding. A known token format there was reported above.
  for (const found of curlCredentials(text)) {
    // A value of a known format is that format's to judge: reported above, or left out there as a sample (jwt.io's token) or a placeholder.
    if (covered.has(found.start) || ofKnownFormat(found.value) || isPublishedSample(found.value)) continue;
    const judged = judgeCurlCredential(found.value, found.scheme);
    if (!judged || (relaxed && !envFile && judged !== 'high')) continue;
    const header = found.kind === 'header';
    add(
      header ? 'secret-curl-auth-header' : 'secret-curl-auth-user',
      header ? `credential in a curl ${found.where} header` : 'password in a curl -u option',
      found.value,
      found.start,
      relaxed && !isEnvTemplate(path) ? 'low' : 'high',
      judged,
      header
        ? `A curl command sends a hard-coded credential in its ${found.where.startsWith('--') ? found.where : `${found.where} header`}; anyone who can read the repository (or its history) can use it.`
        : `A curl command logs in with a hard-coded password (${found.where} user:…); anyone who can read the repository (or its history) can use it.`,
      header
        ? 'Revoke the token, then pass it from the environment or a secret store (-H "Authorization: Bearer $API_TOKEN", or curl -H @file / --config with a file outside the repository).'
        : 'Change the password, then pass it from the environment (-u "$API_USER:$API_PASSWORD") or a .netrc file outside the repository (curl --netrc-file).',
    );
  }

  // PostgreSQL's password file: every password in it is a login (one finding a line), whatever it
  // looks like, unless it is plainly none: a placeholder, its own username or a stock default, as
  // in a URL. Before secret-named settings, so a `…:api_token:…` username does not report it again.
  if (pgpass) {
    for (const login of pgpassLogins(text)) {
      const { password, user } = login;
      if (covered.has(login.start) || plainlyNoPassword(password, user)) continue;
      const generated = judge(password) === 'high';
      if (relaxed && !generated) continue;
      add(
        'secret-pgpass-password',
        'password in a .pgpass file',
        password,
        login.start,
        relaxed ? 'low' : 'high',
        generated ? 'high' : 'medium',
        'A PostgreSQL password file (.pgpass) in the repository holds a password; anyone who can read the repository (or its history) can log in to that database.',
        'Change the password, remove the file from the repository (add it to .gitignore), and keep it outside the repository (~/.pgpass with mode 0600, or a path in PGPASSFILE).',
      );
    }
  }

  /** A value given to a secret-named setting: reported when it looks like a real credential. */
  const reportAssigned = (assigned: Assigned) => {
    // `${DB_PASSWORD:-Np9w…}`: the default written for an unset variable (or, `${X:+…}`, the value for a set one) is the value judged (and fingerprinted).
    const fallback = expansionDefault(assigned.value);
    let found = fallback ? { ...assigned, value: fallback.value, start: assigned.start + fallback.offset } : assigned;
    // A key of an Azure connection string (`…;AccountKey=<key>;EndpointSuffix=…`, in any case) ends at its `;`.
    const semicolon = CONNECTION_STRING_KEY.test(found.name) ? found.value.indexOf(';') : -1;
    if (semicolon > 0) found = { ...found, value: found.value.slice(0, semicolon) };
    if (covered.has(found.start) || isPublishedSample(found.value) || (spans !== null && ofKnownFormat(found.value))) return;
    // A name found by a generic word alone (`FERNET_KEY`, `auth`, `DB_CREDS`): its value counts only
    // when it looks generated (GENERIC_WORDS), or, under `auth`, when it is a login (Docker's config.json).
    const generic = !STRONG_SECRET_NAME.test(found.name);
    if (generic && NOT_A_SECRET_KEY.test(found.name)) return;
    const login = generic && /auth$/i.test(found.name) ? encodedLogin(found.value) : null;
    const judged = login ? judgeLogin(login) : generic ? (genericValueLooksGenerated(found.value) ? judge(found.value) : null) : judge(found.value);
    // bandit's B105/B106/B107: a password written in Python code (assigned, a keyword argument, a
    // default, compared) is reported whatever it looks like, as a team replacing bandit expects;
    // one too short or too plain for judge() (`"admin123"`, `"Welcome1"`) is a weak password, rated
    // below the default gate (weakPassword: placeholders and references stay quiet). Not in tests
    // and examples, whose fixtures are full of them.
    const weak = judged === null && !generic && !relaxed && (dialect.python || spans !== null) && isPasswordName(found.name) && weakPassword(found.value);
    // Where fake credentials are common, a value must look generated (long and random: judged high)
    // to count: a test's `password = "Passw0rd!"` stays quiet. A dotenv file holds settings wherever it is.
    if (relaxed && !envFile && judged !== 'high') return;
    if ((!judged && !weak) || namesSecretObject(found.name, found.value) || namesItself(found.name, found.value)) return;
    // A field's type in a GraphQL schema (`checkoutToken: UUIDFilterInput`); elsewhere a CamelCase
    // value may be a passphrase (`CorrectHorseBatteryStaple`).
    if (graphql && isTypeName(found.value)) return;
    if (isCodecovGraphToken(text, found.start)) return;
    // Compared values are mostly tokens of a parser or keys of a table (`token === "halfAMinute"`):
    // one counts only with letters and digits mixed, as generated credentials have.
    if (found.comparison && !(/[0-9]/.test(found.value) && /[A-Za-z]/.test(found.value))) return;
    if (spans !== null && insideUrl(text, found.start)) return; // redaction's URL rule masks a URL's query values
    const aws = AWS_SECRET_NAME.test(found.name) && /^[A-Za-z0-9/+]{40}$/.test(found.value);
    // Django writes `django-insecure-` before the keys `startproject` makes for development.
    const developmentKey = found.value.startsWith(DJANGO_DEVELOPMENT_KEY);
    const rule = aws ? 'secret-aws-secret-access-key' : 'secret-assigned';
    const severity: ScanSeverity = developmentKey ? 'low' : relaxed && !isEnvTemplate(path) ? RELAXED_CAP[rule] : aws ? 'critical' : weak ? 'medium' : 'high';
    const named = found.shown ? found.name : 'A secret-named setting';
    add(
      rule,
      aws ? 'AWS secret access key' : login ? 'login (base64 user:password)' : `value of ${found.shown ? found.name : 'a secret-named setting'}`,
      found.value,
      found.start,
      severity,
      aws ? 'high' : (judged ?? 'medium'),
      aws
        ? 'An AWS secret access key is written in this file; anyone who can read the repository (or its history) can use it.'
        : developmentKey
          ? `${named} is given a Django development key (django-insecure-…); it must not be the key a deployment uses.`
          : login
            ? `${named} holds a user name and password (base64 of user:password, as Docker's config.json keeps a registry login); anyone who can read the repository can log in.`
            : weak
              ? `${named} is given a hard-coded password (bandit B105/B106/B107); anyone who can read the repository can log in with it, and a short or plain one is easily guessed too.`
              : `${named} is given a hard-coded value that looks like a real credential (long and random); anyone who can read the repository can use it.`,
      'Read it from the environment or a secret store (os.environ["NAME"]), change the credential, and keep only a placeholder in example files.',
    );
  };

  // Secret-named settings, everywhere (tests and examples too: see `relaxed`).
  SECRET_NAME.lastIndex = 0;
  for (let m = SECRET_NAME.exec(text); m; m = SECRET_NAME.exec(text)) {
    if (LAST_SEGMENT_ONLY.has(m[0].toLowerCase()) && !isLastSegment(text, m.index, m.index + m[0].length)) continue; // passenger, bypass, pass_rate, monkey, keyboard, author
    const found = assignedValue(text, m.index, m.index + m[0].length, dialect);
    if (!found) continue;
    SECRET_NAME.lastIndex = Math.max(SECRET_NAME.lastIndex, found.end);
    // `Release GPG key: F3EF…`, `the auth: …`: a bare generic word after another word is prose, not a setting's name.
    if (found.name.length === m[0].length && GENERIC_WORD.test(found.name) && followsWordOnLine(text, m.index)) continue;
    reportAssigned(found);
  }
  // `mysql -p'…'`: the password stuck to `-p`, quoted (unquoted, `-pthread`, `-pipe` are other flags).
  if (dialect.shell && text.includes('-p')) {
    SHORT_PASSWORD_FLAG.lastIndex = 0;
    for (let m = SHORT_PASSWORD_FLAG.exec(text); m; m = SHORT_PASSWORD_FLAG.exec(text)) {
      const word = shellWord(text, m.index + m[0].length);
      if (!word || !/[A-Za-z]/.test(word.value)) continue;
      SHORT_PASSWORD_FLAG.lastIndex = Math.max(SHORT_PASSWORD_FLAG.lastIndex, word.end);
      reportAssigned({ name: '-p (password)', shown: true, ...word });
    }
  }
  return reports;
}

/** `-p` as a word of its own with a quote stuck to it: MySQL's and MariaDB's clients' password, `mysql -p'…'`. */
const SHORT_PASSWORD_FLAG = /(?<![^\s])-p(?=['"])/g;

/**
 * Which characters of the text lie inside a value already reported: one mark per character, so a
 * hit is checked in constant time. (A list of ranges walked in full for every hit was quadratic in
 * the number of findings: 2·10¹⁰ comparisons for a generated .env of 200,000 secrets.) Marking is
 * linear too: the values one pattern reports do not overlap (each is at most 300 characters), and
 * the patterns are a fixed list.
 */
class ReportedValues {
  private marks: Uint8Array | null = null;

  constructor(private readonly length: number) {}

  add(start: number, end: number): void {
    // Allocated on the first finding: most files have none.
    this.marks ??= new Uint8Array(this.length);
    this.marks.fill(1, start, end);
  }

  has(at: number): boolean {
    return this.marks !== null && this.marks[at] === 1;
  }
}

/** `scheme://user:password@host`: the password and where it starts, when it is not a placeholder. */
function urlPassword(text: string, at: number): { password: string; start: number; scheme: string; host: string | null; confidence: Confidence } | null {
  let s = at;
  while (s > 0 && at - s < 30 && /[A-Za-z0-9+.-]/.test(text[s - 1]!)) s--;
  const scheme = text.slice(s, at);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) return null;
  // The authority ends at the path, query, fragment or anything that ends the URL; its last `@`
  // separates the credentials from the host, as URL parsers read it (`u:p@x.com@db.internal`).
  let i = at + 3;
  let colon = -1;
  let lastAt = -1;
  for (; i < text.length && i - at < 260; i++) {
    const c = text[i]!;
    if (c === '@') lastAt = i;
    else if (c === ':' && colon === -1 && lastAt === -1) colon = i;
    else if (c === '/' || c === '?' || c === '#' || c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '"' || c === "'" || c === '`' || c === '<' || c === '>' || c === ',' || c === ';' || c === '(' || c === ')') break;
  }
  if (lastAt === -1 || colon === -1 || colon > lastAt) return null;
  const user = text.slice(at + 3, colon);
  // `postgres://app:${DB_PASSWORD:-Mp9w…}@db`: the default is the password wherever the variable is unset.
  const written = text.slice(colon + 1, lastAt);
  const fallback = expansionDefault(written);
  const password = fallback ? fallback.value : written;
  const passwordStart = colon + 1 + (fallback ? fallback.offset : 0);
  if (!/^[A-Za-z0-9[\]]/.test(text[lastAt + 1] ?? '')) return null; // no host after @
  // An `@` left unencoded in the password: its first part decides (`Xk9…@example.com` is no placeholder).
  if (password.length < 3 || isPlaceholder(password.split('@', 1)[0]!) || password === user) return null;
  const host = hostAfter(text, lastAt + 1);
  if (host !== null && isDocumentationHost(host)) return null;
  // A local development default naming its own account or database
  // (`saleor_read_only:saleor@localhost:5432/saleor`); anywhere else it may well be the real one.
  const p = password.toLowerCase();
  if (host !== null && isLoopback(host) && (user.toLowerCase().split(/[^a-z0-9]+/).includes(p) || databaseAfter(text, lastAt + 1).toLowerCase() === p)) return null;
  if (STOCK_PASSWORD.test(password)) return null;
  return { password, start: passwordStart, scheme: scheme.toLowerCase(), host, confidence: shannonEntropy(password) >= 3 ? 'high' : 'medium' };
}

/** Passwords that stand for "the default one" in examples and local setups: `postgres`, `root`, `admin`. */
const STOCK_PASSWORD = /^(?:pass|pw|pwd|secret|s3cr3t|admin|postgres|mysql|root|guest|dev|local)$/i;

/** A login's password that is plainly none: a placeholder, its own user name, or a stock default. */
const plainlyNoPassword = (password: string, user: string): boolean => isPlaceholder(password) || password === user || STOCK_PASSWORD.test(password);

/**
 * A URL's password is as usable from a test as from anywhere when it logs into a real server, but
 * tests, examples and docs mostly hold fixtures: a test database on this machine or a compose
 * service (`postgres://app:Xk9…@db:5432/app`, a single label). So there (but not in a dotenv
 * template, where real values are copied) a password for such a host is low, and one for any
 * other host (`db.internal.corp`, an IP address) medium: both said, neither failing the default
 * gate with the test suite's fixtures, as the assignment checks are capped (RELAXED_CAP).
 */
function urlPasswordSeverity(host: string | null, relaxed: boolean): ScanSeverity {
  if (!relaxed) return 'high';
  return host !== null && (isLoopback(host) || /^[A-Za-z0-9_-]+$/.test(host)) ? 'low' : 'medium';
}

/** The first path segment of a URL from just after its `@` (a database URL's database name). Bounded. */
function databaseAfter(text: string, from: number): string {
  let e = from;
  while (e < text.length && e - from < 300 && /[A-Za-z0-9.:[\]-]/.test(text[e]!)) e++;
  if (text[e] !== '/') return '';
  const s = ++e;
  while (e < text.length && e - s < 64 && /[A-Za-z0-9_.-]/.test(text[e]!)) e++;
  return text.slice(s, e);
}

/**
 * The host of a URL from just after its `@`, or null when what follows is not plainly a host ending
 * at a port, path, query, fragment, quote, blank or the end (`test_db`: not the reserved `test`).
 * Bounded.
 */
function hostAfter(text: string, from: number): string | null {
  let e = from;
  while (e < text.length && e - from < 255 && /[A-Za-z0-9.-]/.test(text[e]!)) e++;
  if (e < text.length && !/[:/?#"'`\s<>),;\]]/.test(text[e]!)) return null;
  return text.slice(from, e);
}

/**
 * Names reserved for documentation and tests (RFC 2606, RFC 6761): example.com, .net and .org with
 * their subdomains, and names under .example, .test or .invalid. No service there can be logged
 * into, so a password in such a URL is an illustration (a docstring's, a test's), not a credential.
 * A single label (`test`, a docker service named `example`) is an ordinary host, and so is
 * `localhost`: a local database's password is often the real one too.
 */
const DOCUMENTATION_HOST = /(?:^|\.)example\.(?:com|net|org)\.?$|\.(?:example|test|invalid)\.?$/i;
const isDocumentationHost = (host: string): boolean => DOCUMENTATION_HOST.test(host);
const isLoopback = (host: string): boolean => /^(?:localhost|127(?:\.\d{1,3}){3})$/i.test(host);

interface Assigned {
  name: string;
  /** Whether `name` may be printed: it is plainly a key (plausibleKey), never a slice of a value. */
  shown: boolean;
  value: string;
  start: number;
  end: number;
  /** Compared (`==`), not assigned. */
  comparison?: boolean;
}

/**
 * From a secret-like word inside an identifier, the identifier and the literal value assigned to it
 * (`NAME = "v"`, `name: v`, `NAME=v`, `"name": "v"`, `name="v"`, `NAME = b"v"` in Python, unquoted
 * `NAME=v` and `--name=v` / `--name v` flags in shell scripts), compared with it (`name == "v"`,
 * `"v" == name`), or given to it as a name/value pair
 * (`- name: NAME` then `value: v`); or null. Bounded look-around.
 */
function assignedValue(text: string, wordStart: number, wordEnd: number, dialect: Dialect): Assigned | null {
  return valueAfter(text, wordStart, wordEnd, dialect) ?? comparedBefore(text, wordStart, wordEnd, dialect);
}

/** The identifier around a secret-like word: its start, end and text. */
function identifierAround(text: string, wordStart: number, wordEnd: number): { s: number; e: number; name: string } {
  let s = wordStart;
  while (s > 0 && wordStart - s < MAX_IDENT && IDENT_CHAR.test(text[s - 1]!)) s--;
  let e = wordEnd;
  while (e < text.length && e - wordEnd < MAX_IDENT && IDENT_CHAR.test(text[e]!)) e++;
  return { s, e, name: text.slice(s, e) };
}

/**
 * A comparison written the other way round, the literal first: `if "…" == password:`,
 * `"…" !== token`. Read back from the name: the operator, then a quoted literal on the same line
 * (Python's b/r/u prefixes allowed, an f-string with a field not). Bounded look-behind.
 */
function comparedBefore(text: string, wordStart: number, wordEnd: number, dialect: Dialect): Assigned | null {
  const { s, name } = identifierAround(text, wordStart, wordEnd);
  if (NOT_A_VALUE_NAME.test(name) || /^existing/i.test(name)) return null;
  let i = s;
  for (const from = i; (text[i - 1] === ' ' || text[i - 1] === '\t') && from - i < 40; ) i--;
  // == != === !==
  if (text[i - 1] !== '=' || (text[i - 2] !== '=' && text[i - 2] !== '!')) return null;
  const negated = text[i - 2] === '!';
  i -= 2;
  if (!negated && (text[i - 1] === '=' || text[i - 1] === '!')) i--;
  if (text[i - 1] === '=' || text[i - 1] === '<' || text[i - 1] === '>') return null;
  for (const from = i; (text[i - 1] === ' ' || text[i - 1] === '\t') && from - i < 40; ) i--;
  const quote = text[i - 1];
  if (quote !== '"' && quote !== "'" && quote !== '`') return null;
  const end = i - 1;
  let k = end - 1;
  while (k >= 0 && end - k <= MAX_VALUE + 1 && text[k] !== quote && text[k] !== '\n') k--;
  if (k < 0 || text[k] !== quote) return null;
  const value = text.slice(k + 1, end);
  // Before the opening quote: a Python prefix (`b"…"`, `rb'…'`), else nothing of an identifier.
  let p = k;
  while (p > 0 && k - p < 2 && /[bBrRuUfF]/.test(text[p - 1]!)) p--;
  const prefix = text.slice(p, k);
  if (prefix && (!dialect.python || (p > 0 && IDENT_CHAR.test(text[p - 1]!)))) return null;
  if (!prefix && k > 0 && IDENT_CHAR.test(text[k - 1]!)) return null;
  if (/f/i.test(prefix) && value.includes('{')) return null; // `f"{prefix}…"`: an expression
  return { name, shown: plausibleKey(text, s, s + name.length), value, start: k + 1, end, comparison: true };
}

/** The value after a secret-like identifier: assigned (`= "…"`, `: …`), compared (`== "…"`), or paired (`name:` then `value:`). */
function valueAfter(text: string, wordStart: number, wordEnd: number, dialect: Dialect): Assigned | null {
  let s = wordStart;
  while (s > 0 && wordStart - s < MAX_IDENT && IDENT_CHAR.test(text[s - 1]!)) s--;
  const { code } = dialect;
  let e = wordEnd;
  while (e < text.length && e - wordEnd < MAX_IDENT && IDENT_CHAR.test(text[e]!)) e++;
  const name = text.slice(s, e);
  if (NOT_A_VALUE_NAME.test(name) || /^existing/i.test(name)) return null; // …Ref, existingSecret: where a secret is kept
  if (text[s - 1] === '{' && text[s - 2] === '$') return expansionDefaultAfter(text, s, e, name);
  if (dialect.shell && name.startsWith('-')) return flagValue(text, s, e, name);
  let i = e;
  // `NAME=value` in a shell script: a name alone as a word (start of a command, after `export`,
  // `;`, `&&`, another assignment), then `=` with no space: the shell's own assignment syntax.
  const shellAssignment =
    dialect.shell && text[e] === '=' && text[e + 1] !== '=' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && (s === 0 || /[\s;&|(]/.test(text[s - 1]!));
  // The closing quote of a JSON / dict key, or of a subscript or an argument; `\"` inside a JSON
  // string (a notebook cell's source).
  const closing = quoteAt(text, e);
  const quotedKey = closing > 0;
  i += closing;
  const opening = quotedKey ? quoteBefore(text, s) : 0;
  // `settings["db_password"] = "…"`, `ENV["STRIPE_SECRET"] ||= "…"`, `$config['api_key'] = '…'`:
  // a subscript assigned; the separator after the `]` is read as after a bare name.
  if (opening > 0 && text[s - opening - 1] === '[' && text[i] === ']') i++;
  else if (opening > 0 && text[i] === ',' && (opensArguments(text, s - opening) || followsAttributeObject(text, s - opening))) {
    // `os.environ.get("SECRET_KEY", "…")`, `define('DB_PASSWORD', '…')`, `props.put("api.token",
    // "…")`: a quoted secret name as the first argument gives the quoted second one to it (a
    // default, a definition, a property), as an assignment does. Python's `getattr(settings,
    // "SECRET_KEY", "…")` and `setattr(…)` take the object first: the name is their second argument.
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    const found = literalAt(text, i, dialect, { comparison: false, shellAssignment: false });
    if (!found || !/["'`]/.test(text[found.start - 1] ?? '')) return null; // a name or an expression: not a literal
    return { name, shown: plausibleKey(text, s, e), ...found };
  }
  while (text[i] === ' ' || text[i] === '\t') i++;
  // Separator: = : := => ||= ??= (a type annotation's `: str =` is handled by the value check), or
  // a comparison == != === !== (bandit B105: `if password == "…"` writes the password down too).
  let colon = false;
  let comparison = false;
  const spaced = !quotedKey && i > e;
  if ((text[i] === '|' || text[i] === '?') && text[i + 1] === text[i] && text[i + 2] === '=') i += 3; // Ruby's and JavaScript's "unless set"
  else if ((text[i] === '=' || text[i] === '!') && text[i + 1] === '=') {
    i += text[i + 2] === '=' ? 3 : 2;
    comparison = true;
  } else if (text[i] === ':' && text[i + 1] === '=') i += 2;
  else if (text[i] === '=' && text[i + 1] === '>') i += 2;
  else if (text[i] === '=' && text[i + 1] !== '=') i += 1;
  else if (text[i] === ':' && text[i + 1] !== ':') {
    i += 1;
    colon = true;
  } else if (dialect.dockerfile && spaced && isLegacyEnvName(text, s)) {
    // `ENV API_KEY dGhp…=`: BuildKit's legacy form, the value after a blank (its own `=` and all).
    const found = literalAt(text, i, dialect, { comparison: false, shellAssignment: false });
    return found && { name, shown: true, ...found };
  } else return pairedValue(text, s, e, name, dialect);
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (dialect.python && colon && !quotedKey && (text[i] === '"' || text[i] === "'")) {
    // A forward reference (`token_config: "TokenConfig"`, `api_token: "Optional[str]" = …`): the
    // quoted text is a type, and the value, if any, comes after the `=`.
    const annotation = quotedTypeEnd(text, i);
    if (annotation !== null) {
      i = annotation;
      while (text[i] === ' ' || text[i] === '\t') i++;
      if (text[i] !== '=' || text[i + 1] === '=') return null;
      i++;
      while (text[i] === ' ' || text[i] === '\t') i++;
    }
  } else if (code && colon && /[A-Za-z_]/.test(text[i] ?? '')) {
    // A type annotation (`password: str = "…"`): the value comes after the `=`.
    const from = i;
    while (i < text.length && i - from < MAX_IDENT && /[A-Za-z0-9_.[\], |]/.test(text[i]!)) i++;
    if (text[i] !== '=' || text[i + 1] === '=') return null;
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
  }
  // `pass :attr:`…`` (reStructuredText), `the token : …`: prose; a key's colon is attached to it.
  if (!code && colon && spaced && !/["'`]/.test(text[i] ?? '')) return null;
  const found = literalAt(text, i, dialect, { comparison, shellAssignment });
  return found && { name, shown: plausibleKey(text, s, e), ...found, comparison };
}

/** How many characters close a quoted name at `i`: 1 for `"` or `'`, 2 for `\"` or `\'` (a JSON string's escape), else 0. */
function quoteAt(text: string, i: number): number {
  if (text[i] === '"' || text[i] === "'") return 1;
  return text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === "'") ? 2 : 0;
}

/** How many characters open a quoted name ending just before `s`: as quoteAt, read backwards. */
function quoteBefore(text: string, s: number): number {
  if (text[s - 1] !== '"' && text[s - 1] !== "'") return 0;
  return text[s - 2] === '\\' ? 2 : 1;
}

/** Whether the quote at `q` opens a call's first argument: `(` before it, blanks allowed (`define( 'AUTH_KEY', …`). Bounded. */
function opensArguments(text: string, q: number): boolean {
  let p = q;
  while ((text[p - 1] === ' ' || text[p - 1] === '\t') && q - p < 40) p--;
  return text[p - 1] === '(';
}

/**
 * Whether the quote at `q` opens the second argument of Python's `getattr` or `setattr`, after an
 * object written as a (dotted) name, or calls of one: `getattr(settings, "SECRET_KEY", "…")`,
 * `getattr(django.conf.settings, …)`, `getattr(get_settings(), …)`. The attribute's default (or
 * new value) is the third. Bounded.
 */
function followsAttributeObject(text: string, q: number): boolean {
  let p = q;
  while ((text[p - 1] === ' ' || text[p - 1] === '\t') && q - p < 40) p--;
  if (text[p - 1] !== ',') return false;
  p--;
  for (const from = p; (text[p - 1] === ' ' || text[p - 1] === '\t') && from - p < 40; ) p--;
  const objectStart = attributeObjectStart(text, p);
  if (objectStart === null) return false;
  p = objectStart;
  for (const from = p; (text[p - 1] === ' ' || text[p - 1] === '\t') && from - p < 40; ) p--;
  if (text[p - 1] !== '(') return false;
  p--;
  return /(?:^|[^A-Za-z0-9_])[gs]etattr$/.test(text.slice(Math.max(0, p - 8), p));
}

/** How far back an object given to getattr is read: `apps.get_app_config("db").options()`. */
const MAX_OBJECT_CHARS = 200;

/**
 * Where the object ending at `end` starts, when it is a dotted name whose parts may be calls
 * (`settings`, `django.conf.settings`, `get_settings()`, `config.load("prod", strict=True).db`); a
 * call's brackets are matched by counting (brackets in a string argument can make it unmatched:
 * then it is not such an object). Null for anything else, or past MAX_OBJECT_CHARS. Each character
 * is looked at once.
 */
function attributeObjectStart(text: string, end: number): number | null {
  const limit = Math.max(0, end - MAX_OBJECT_CHARS);
  let p = end;
  for (;;) {
    if (text[p - 1] === ')') {
      let depth = 0;
      do {
        p--;
        if (text[p] === ')') depth++;
        else if (text[p] === '(') depth--;
      } while (depth > 0 && p > limit);
      if (depth !== 0) return null;
    }
    const nameEnd = p;
    while (p > limit && /[A-Za-z0-9_]/.test(text[p - 1]!)) p--;
    if (p === nameEnd || !/[A-Za-z_]/.test(text[p]!)) return null;
    if (text[p - 1] !== '.') return p;
    p--;
  }
}

/**
 * A variable expanded with a default (`${DB_PASSWORD:-…}`, `-`, `:=`, `=`) or an alternate value
 * (`:+`, `+`): the literal up to the closing brace, which is the value wherever the variable is
 * unset (set, for `+`); quoted, `${TOKEN:-'…'}`, or nested, `${A:-${B:-…}}`: see literalDefault.
 * Null when there is no default or it expands something. (Given to a key, `KEY: ${NAME:-…}`, the key's finding comes first and covers it; in a
 * URL, the URL's.) Bounded.
 */
function expansionDefaultAfter(text: string, s: number, e: number, name: string): Assigned | null {
  const operator = text[e] === ':' ? 2 : 1;
  if (text[e + operator - 1] !== '-' && text[e + operator - 1] !== '=' && text[e + operator - 1] !== '+') return null;
  const found = literalDefault(text, e + operator);
  if (found === null) return null;
  return { name, shown: plausibleKey(text, s, e), value: found.value, start: found.start, end: found.end };
}

/** Whether the identifier at `s` is the first word after a Dockerfile's `ENV` at the start of a line (a bounded look-behind). */
function isLegacyEnvName(text: string, s: number): boolean {
  const from = Math.max(0, s - 40);
  const m = /(?:^|\n)[ \t]*ENV[ \t]+$/i.exec(text.slice(from, s));
  return m !== null && (m[0].startsWith('\n') || from === 0 || text[from - 1] === '\n');
}

/**
 * A Python type written as text: a capitalised class name, a lower-case builtin or a dotted name,
 * optionally subscripted (`TokenConfig`, `str`, `models.Token`, `Optional[Token]`), and never a digit: a generated value in a
 * `name: "…"` line (YAML inside a string, a commented config line) is not a forward reference.
 */
const QUOTED_TYPE = /^(?:[A-Z][A-Za-z_]*|[a-z_]+|[A-Za-z_]+(?:\.[A-Za-z_]+)+)(?:\[[A-Za-z_.,| \[\]]*\])?$/;

/** Just past the closing quote when text[i] opens a one-line string holding a type name; else null. Bounded. */
function quotedTypeEnd(text: string, i: number): number | null {
  const quote = text[i]!;
  let j = i + 1;
  while (j < text.length && j - i <= MAX_IDENT * 2 && text[j] !== quote && text[j] !== '\n') j++;
  return text[j] === quote && QUOTED_TYPE.test(text.slice(i + 1, j)) ? j + 1 : null;
}

/** A command-line flag that names a credential as its last part: `--password`, `--db-password`, `--api-key`, `--client-secret`, `-pass`. */
const SECRET_FLAG = new RegExp(`^--?(?:[A-Za-z0-9]+[-_])*(?:${SECRET_WORDS}|secret[-_]?key)$`, 'i');

/**
 * A flag of a command in a shell script given a literal: `--password=v`, `--password v`,
 * `--api-key 'v'`. The flag must be a word of its own, end with the credential's name
 * (`--password-stdin`, `--token-file` are other flags) and not be a negation (`--no-password`).
 * A value separated by a blank may be an argument of a flag that takes none (psql's `--password`
 * only asks for one), so unquoted it counts only when it looks generated: upper and lower case
 * letters with digits, or hexadecimal. Bounded look-ahead.
 */
function flagValue(text: string, s: number, e: number, name: string): Assigned | null {
  if (s > 0 && !/\s/.test(text[s - 1]!)) return null;
  if (!SECRET_FLAG.test(name) || /^--?no[-_]/i.test(name)) return null;
  let i = e;
  const spaced = text[i] !== '=';
  if (!spaced) i++;
  else {
    while ((text[i] === ' ' || text[i] === '\t') && i - e < 40) i++;
    if (i === e) return null;
  }
  const word = shellWord(text, i) ?? expansionDefaultWord(text, i);
  if (!word) return null;
  if (spaced && !word.quoted && !(/[a-z]/.test(word.value) && /[A-Z]/.test(word.value) && /[0-9]/.test(word.value)) && !/^(?=.*[0-9])(?=.*[a-f])[0-9a-f]{16,}$/i.test(word.value)) return null;
  return { name, shown: plausibleKey(text, s, e), value: word.value, start: word.start, end: word.end };
}

/**
 * A shell word at `i` that is one expansion with a literal default, bare or double-quoted:
 * `${TOKEN:-…}`, `"${TOKEN:-…}"` (expansionDefaultAt). The default is the word wherever the variable
 * is unset, so it is what the flag is given; `quoted` when the default itself was quoted. Null when
 * anything follows the expansion within the word (`${A:-x}${B}`: computed). Bounded.
 */
function expansionDefaultWord(text: string, i: number): { value: string; start: number; end: number; quoted: boolean } | null {
  const inQuotes = text[i] === '"';
  const found = expansionDefaultAt(text, inQuotes ? i + 1 : i);
  if (found === null) return null;
  let end = found.end;
  if (inQuotes) {
    if (text[end] !== '"') return null;
    end++;
  }
  if (end < text.length && !/[\s;&|<>()]/.test(text[end]!)) return null;
  return { value: found.value, start: found.start, end: found.end, quoted: inQuotes || /["']/.test(text[found.start - 1] ?? '') };
}

/**
 * A literal shell word at `i`: single-quoted (anything but a quote), double-quoted or bare without
 * expansions (`$VAR`, `${…}`, `$(…)`, backticks) or escapes; a bare word is not another flag. Null
 * for anything computed, or with no end within MAX_VALUE characters.
 */
function shellWord(text: string, i: number): { value: string; start: number; end: number; quoted: boolean } | null {
  const quote = text[i];
  if (quote === "'" || quote === '"') {
    const start = i + 1;
    let j = start;
    while (j < text.length && j - start <= MAX_VALUE && text[j] !== quote && text[j] !== '\n') j++;
    if (text[j] !== quote) return null;
    const value = text.slice(start, j);
    if (quote === '"' && /[$`\\]/.test(value)) return null;
    return { value, start, end: j + 1, quoted: true };
  }
  const start = i;
  let j = start;
  while (j < text.length && j - start <= MAX_VALUE && !/[\s;&|<>()]/.test(text[j]!)) j++;
  const value = text.slice(start, j);
  if (j - start > MAX_VALUE || value.length === 0 || value.startsWith('-') || /[$`"'\\]/.test(value)) return null;
  return { value, start, end: j, quoted: false };
}

/**
 * `- name: DB_PASSWORD` then `value: "…"` (a Kubernetes env entry, an ECS task definition's
 * `{"name": …, "value": …}`, a flow mapping `{name: X, value: Y}`): the value given to the named
 * variable. The name must be the whole scalar of a `name` key, and `value` the key right after it in
 * the same item: on the next line at the `name` key's column, or after a comma. (`valueFrom:`, a
 * `value:` in the next list item, or one further down do not count.) Bounded look-around.
 */
function pairedValue(text: string, s: number, e: number, name: string, dialect: Dialect): Assigned | null {
  const isQuote = (c: string | undefined) => c === '"' || c === "'";
  const isBlank = (c: string | undefined) => c === ' ' || c === '\t';
  // Before the name: `name:` (either quoted), then the name's own opening quote, if any.
  let b = s;
  const open = isQuote(text[b - 1]) ? text[b - 1] : '';
  if (open) b--;
  for (const from = b; isBlank(text[b - 1]) && from - b < 40; ) b--;
  if (text[b - 1] !== ':') return null;
  b--;
  const keyQuote = isQuote(text[b - 1]) ? text[b - 1] : '';
  if (keyQuote) b--;
  if (b < 4 || text.slice(b - 4, b).toLowerCase() !== 'name') return null;
  b -= 4;
  if (keyQuote) {
    if (text[b - 1] !== keyQuote) return null;
    b--;
  }
  if (b > 0 && IDENT_CHAR.test(text[b - 1]!)) return null; // `image_name:`, `secret.name:`
  // After the name: its closing quote, then a comma (the next key follows, blank lines allowed:
  // pretty-printed JSON) or a line break (the next line must start at the `name` key's column).
  let i = e;
  if (open) {
    if (text[i] !== open) return null;
    i++;
  }
  while (isBlank(text[i]) && i - e < 40) i++;
  if (text[i] === ',') {
    i++;
    for (const from = i; i < text.length && i - from < 200 && /\s/.test(text[i]!); ) i++;
  } else {
    if (text[i] === '\r') i++;
    if (text[i] !== '\n') return null;
    i++;
    let lineStart = b;
    while (lineStart > 0 && b - lineStart < 200 && text[lineStart - 1] !== '\n') lineStart--;
    if (lineStart > 0 && text[lineStart - 1] !== '\n') return null;
    const column = b - lineStart;
    const from = i;
    while (text[i] === ' ' && i - from < 200) i++;
    if (i - from !== column) return null;
  }
  const valueQuote = isQuote(text[i]) ? text[i] : '';
  if (valueQuote) i++;
  if (text.slice(i, i + 5).toLowerCase() !== 'value') return null;
  i += 5;
  if (valueQuote) {
    if (text[i] !== valueQuote) return null;
    i++;
  }
  while (isBlank(text[i])) i++;
  if (text[i] !== ':') return null;
  i++;
  while (isBlank(text[i])) i++;
  const found = literalAt(text, i, dialect, { comparison: false, shellAssignment: false });
  return found && { name, shown: plausibleKey(text, s, e), ...found };
}

/** The literal value starting at `i` (after the separator), or null when what is there is an expression or has no end in reach. */
function literalAt(text: string, i: number, dialect: Dialect, how: { comparison: boolean; shellAssignment: boolean }): { value: string; start: number; end: number } | null {
  const { code } = dialect;
  const { comparison, shellAssignment } = how;
  // Python string prefixes: `b"…"`, `r'…'`, `u"…"`, `rb"…"`; an f-string is a literal only without a field.
  let fString = false;
  if (dialect.python) {
    const prefix = /^(?:[bB][rR]?|[rR][bBfF]?|[uU]|[fF][rR]?)(?=\\?["'])/.exec(text.slice(i, i + 4));
    if (prefix) {
      fString = /f/i.test(prefix[0]);
      i += prefix[0].length;
    }
  }
  // A quote, or an escaped one inside a JSON string (notebooks: `"password = \"…\"\n"`).
  const escaped = text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === "'");
  const quote = escaped ? text[i + 1] : text[i];
  if (quote === '"' || quote === "'" || quote === '`') {
    const start = i + (escaped ? 2 : 1);
    // `"${DB_PASSWORD:-"Kp9w…"}"`: the inner quotes quote the default (reportAssigned reads it out of the expansion).
    const expansionEnd = quote === '"' && !escaped ? expansionInQuotesEnd(text, start) : null;
    if (expansionEnd !== null) return { value: text.slice(start, expansionEnd), start, end: expansionEnd + 1 };
    let j = start;
    while (j < text.length && j - start <= MAX_VALUE && text[j] !== quote && text[j] !== '\n' && !(escaped && text[j] === '\\')) j++;
    if (text[j] !== (escaped ? '\\' : quote) || j - start > MAX_VALUE) return null;
    if (fString && text.slice(start, j).includes('{')) return null; // `f"{prefix}-…"`: an expression
    return { value: text.slice(start, j), start, end: j + 1 };
  }
  if (comparison) return null; // compared with another name or an expression
  if (shellAssignment) {
    // A word up to the shell's next separator; `$VAR`, `${…}`, `$(…)`, backticks and quoting
    // inside it make it computed (or too tangled to judge): not a literal.
    const start = i;
    let j = start;
    while (j < text.length && j - start <= MAX_VALUE && !/[\s;&|<>()]/.test(text[j]!)) j++;
    const value = text.slice(start, j);
    if (j - start > MAX_VALUE || /[$`"'\\]/.test(value)) return null;
    return { value, start, end: j };
  }
  if (code) return null; // unquoted in code: an expression (`password = get_password()`), not a value
  if (text[i] === '{' || text[i] === '[') return null; // an object or a list (`"token":{"ttl":3600}`), not a value; its own keys are read in turn
  const start = i;
  let j = start;
  // Up to a blank or a separator, or an escaped line break inside a JSON string (`…\n- next: …`),
  // or, in Markdown, the backtick closing inline code (`` `export API_KEY=<your-key>` ``). A `#`
  // starts a comment only after a blank in dotenv files and YAML, so inside a word it is part of the
  // value (`SECRET_KEY=k#9x@2m!…`, as Django's generated keys are).
  const stop = dialect.markup ? /[\s,;}\]`]/ : /[\s,;}\]]/;
  while (j < text.length && j - start <= MAX_VALUE && !stop.test(text[j]!) && !(text[j] === '\\' && /[nrt]/.test(text[j + 1] ?? ''))) j++;
  if (j - start > MAX_VALUE) return null;
  return { value: text.slice(start, j), start, end: j };
}

/**
 * Helm's convention for a value that names a Kubernetes Secret rather than holding one:
 * `passwordSecret: db-pass-3c9f2a1b`, `tlsSecret: web-tls-2025`. A camelCase name ending in
 * `Secret` whose value is an object name (lowercase DNS labels joined by `-` or `.`, not a UUID)
 * is such a reference; `clientSecret: "Xq7…"` is still a secret. (`…Ref` and `existing…` names
 * are references whatever their value: NOT_A_VALUE_NAME, assignedValue.)
 */
function namesSecretObject(name: string, value: string): boolean {
  return /[a-z0-9]Secret$/.test(name) && /^[a-z0-9]+(?:[-.][a-z0-9]+)+$/.test(value) && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}

/**
 * Regular-expression syntax (groups, negated classes, ranges, escapes, counted repeats) and printf
 * placeholders: a pattern that matches credentials, or a template for one, not one. The value is at
 * most MAX_VALUE characters, so the class scan is bounded.
 */
const PATTERN_OR_FORMAT = /\(\?P?[:=!<]|\[\^|\\[dwsbDWSB]|\[[^\]]{0,40}[A-Za-z0-9]-[A-Za-z0-9][^\]]{0,40}\]|\{\d+,\d*\}|%[sdr]|%\(\w+\)[sdr]/;

const words = (s: string): string => s.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

/**
 * A label naming its own key (`SECRET_MULTILINE = "SecretMultiline"`, `passwordLoginMode:
 * PasswordLoginModeEnum`): an enum member's or a schema field's name, not a value.
 */
function namesItself(name: string, value: string): boolean {
  const n = words(name);
  const v = words(value);
  // The key's own words, and at most more letters (`PasswordLoginModeEnum`): a digit after them
  // (`jwt-secret-8f3KqX…`) is a generated value that merely starts with its key's name.
  return n.length > 0 && v.startsWith(n) && /^[a-z]*$/.test(v.slice(n.length));
}

/**
 * A type or class name: two or more capitalised words, or acronyms, and no digits
 * (`UUIDFilterInput`, `TokenConfig`). Generated credentials mix cases and digits at random; a
 * capital starting every run of three or more lower-case letters, and no digit, is a name.
 */
const TYPE_NAME = /^(?:[A-Z][a-z]{2,}|[A-Z]{2,}(?=[A-Z][a-z]|$))(?:[A-Z][a-z]{2,}|[A-Z]{2,}(?=[A-Z][a-z]|$))+$/;
const isTypeName = (value: string): boolean => value.length <= MAX_IDENT && TYPE_NAME.test(value);

/**
 * Codecov's graph token (`https://codecov.io/gh/o/r/graph/badge.svg?token=…`): made to be
 * published in READMEs, it only reads a repository's coverage badge and graphs (Codecov's
 * documentation), unlike the upload token.
 */
function isCodecovGraphToken(text: string, valueStart: number): boolean {
  let s = valueStart;
  while (s > 0 && valueStart - s < 300 && !/[\s"'(<>]/.test(text[s - 1]!)) s--;
  return /^https?:\/\/(?:app\.)?codecov\.io\/[^?#]*\/graphs?\/[^?#]*\?(?:[^#]*&)?token=$/i.test(text.slice(s, valueStart));
}

/** Whether a value is, from its start, a token of a known format (TOKEN_FORMATS). */
function ofKnownFormat(value: string): boolean {
  return TOKEN_FORMATS.some((format) => {
    if (!format.keywords.some((k) => value.includes(k))) return false;
    format.pattern.lastIndex = 0;
    const m = format.pattern.exec(value);
    format.pattern.lastIndex = 0;
    return m !== null && m.index === 0;
  });
}

/**
 * A curl credential judged: a shell expansion (`$TOKEN`, `${TOKEN}`, `$(cat f)`) or Windows'
 * `%TOKEN%` is read at run time, not written here; a Basic value is judged by the password it
 * encodes when it decodes to `user:password` (`Basic dXNlcjpwYXNz` is user:pass, a placeholder).
 */
function judgeCurlCredential(value: string, scheme: string): Confidence | null {
  if (/[$`]|%[A-Za-z_]\w*%/.test(value) || isPlaceholder(value)) return null;
  if (scheme === 'basic' && /^[A-Za-z0-9+/]{8,}={0,2}$/.test(value)) {
    const decoded = Buffer.from(value, 'base64').toString('latin1');
    const colon = decoded.indexOf(':');
    if (colon > 0 && /^[\x20-\x7e]+$/.test(decoded)) {
      const password = decoded.slice(colon + 1);
      if (isPlaceholder(password) || /^\$|^%[A-Za-z_]\w*%$/.test(password)) return null;
      return judge(password);
    }
  }
  return judge(value);
}

/** Whether a value looks like a real credential, and how sure that is; null for placeholders and ordinary words. */
function judge(value: string): Confidence | null {
  if (value.length < 8 || !mayBeSecretText(value)) return null;
  const entropy = shannonEntropy(value);
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
  if (entropy >= 3.5 && value.length >= 16 && classes >= 2) return 'high';
  if (entropy >= 3 && value.length >= 10 && classes >= 2) return 'medium';
  return null;
}

/**
 * Whether a value may be a credential at all, whatever its length and randomness: not a
 * placeholder, a reference, words, a number, a URL or path, a pattern, a call, an environment
 * variable's name or markup.
 */
function mayBeSecretText(value: string): boolean {
  if (value.length > MAX_VALUE) return false;
  if (/\s/.test(value) || isPlaceholder(value)) return false;
  if (/^[a-z]+(?:[._-][a-z]+)*$/.test(value)) return false; // words: `redis.password`, `read-only`
  if (/^\d+(?:\.\d+)*$/.test(value)) return false; // numbers, versions
  if (/^(?:https?:\/\/|\/|\.\.?\/|~\/)/.test(value)) return false; // URLs and paths (URL passwords are checked apart)
  if (PATTERN_OR_FORMAT.test(value)) return false; // `TOKEN_RE = r"[A-Za-z0-9]{32,}"`, `"%(user)s:%(secret)s"`
  if (/^[A-Za-z_$][\w$.]*\(/.test(value)) return false; // a call in a code sample: `pgPass = require('pgpass')`
  if (/^[A-Z]+(?:_[A-Z]+)+$/.test(value)) return false; // an environment variable's name: `'proxy_pass': 'CLOUDSDK_PROXY_PASSWORD'`
  if (value.includes('</')) return false; // HTML: `proxy_pass=None</var>…`
  return true;
}

/**
 * A name that holds a password, by its last word: `PASSWORD`, `db_password`, `smtpPass`, `pwd`,
 * `passphrase` (not `bypass`, `compass`: a bare `pass` only as a segment of its own).
 */
function isPasswordName(name: string): boolean {
  const m = /(?:pass(?:word|wd|phrase)?|pwd)$/i.exec(name);
  if (!m) return false;
  if (m[0].toLowerCase() !== 'pass') return true;
  const before = name[m.index - 1] ?? '';
  return !/[A-Za-z0-9]/.test(before) || (/[A-Z]/.test(m[0][0]!) && /[a-z0-9]/.test(before));
}

/**
 * A password too short or too plain for judge() but a password all the same (`"admin123"`,
 * `"Welcome1"`, `"Summer24"`): six characters or more, letters with a digit or a symbol, and no
 * placeholder (`changeme1`, `your-password`), reference (`"{password}"`, `"${DB_PASSWORD}"`), word
 * or path (mayBeSecretText). A plain word (`"hunter"`) stays quiet: in code it is mostly a field's
 * or a form's name (`password="password1"` has a digit and counts).
 */
function weakPassword(value: string): boolean {
  return value.length >= 6 && /[A-Za-z]/.test(value) && /[^A-Za-z]/.test(value) && mayBeSecretText(value) && !STOCK_PASSWORD.test(value);
}

/**
 * Whether a value given to a generic name (`*_key`, `auth`, `*_creds`) looks generated, as a key or
 * token is: token characters only (base64, base64url, hex: no dots, slashes into words or blanks,
 * so no i18n key, file name or sentence), no placeholder (looksRandom), a digit, and either both
 * cases (base62/base64: `G8NPRVdD53X8…`) or one case with many digits and no separators (hex, a
 * UUID's 32 digits, `2mzp0zvzomhf…`). judge() then asks for 16 characters and an entropy of 3.5
 * (gitleaks' generic-api-key threshold).
 */
function genericValueLooksGenerated(written: string): boolean {
  // An unquoted value read inside a quoted string (`["FERNET_KEY=G8N…"]`, JSON text) runs to its
  // closing quote, as everywhere (literalAt): judged without it.
  const value = written.replace(/["']$/, '');
  if (!/^[A-Za-z0-9+/_=-]+$/.test(value) || !looksRandom(value) || !/[0-9]/.test(value)) return false;
  if (/[a-z]/.test(value) && /[A-Z]/.test(value)) return true;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return true;
  return /^[A-Za-z0-9]{20,}$/.test(value) && (value.match(/[0-9]/g) ?? []).length >= 4;
}

/** Whether blanks, then a letter or digit, come before `s` on its line (`GPG key:`): a name in prose. Bounded. */
function followsWordOnLine(text: string, s: number): boolean {
  let p = s;
  while ((text[p - 1] === ' ' || text[p - 1] === '\t') && s - p < 40) p--;
  return p < s && /[A-Za-z0-9]/.test(text[p - 1] ?? '');
}

/** The most base64 decoded for a login: `user:password` of any usual length. */
const MAX_LOGIN_BASE64 = 200;

/**
 * A login written as base64 of `user:password` (Docker's config.json `auths.<registry>.auth`, a
 * Basic credential): the user and password, when the value decodes to printable text with a colon
 * after a user name; else null. Bounded (MAX_LOGIN_BASE64).
 */
function encodedLogin(value: string): { user: string; password: string } | null {
  if (value.length < 8 || value.length > MAX_LOGIN_BASE64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return null;
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || !/^[\x20-\x7e]+$/.test(decoded)) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A login's password judged as a .pgpass file's is: any password counts unless plainly none (plainlyNoPassword) or under three characters. */
function judgeLogin(login: { user: string; password: string }): Confidence | null {
  const { user, password } = login;
  if (password.length < 3 || plainlyNoPassword(password, user)) return null;
  return judge(password) ?? 'medium';
}

/**
 * Whether text[start, end) is the last segment of its identifier: it starts after a
 * non-alphanumeric (`DB_PASS`, `redis.pass`) or at a camelCase change (`smtpPass`), and the
 * identifier ends with it. Not inside a word (`passenger`, `BYPASS`, `compass`, `PASSTHROUGH`), and
 * not before another segment, where `pass` is mostly a verb or a count (`pass_rate`, `--pass-arg`,
 * `resolution_pass_for_module`).
 */
function isLastSegment(text: string, start: number, end: number): boolean {
  const before = text[start - 1] ?? '';
  const startsSegment = !/[A-Za-z0-9]/.test(before) || (/[A-Z]/.test(text[start]!) && /[a-z0-9]/.test(before));
  return startsSegment && !IDENT_CHAR.test(text[end] ?? ' ');
}

/**
 * Whether the identifier at text[s, e) is plainly a key, so that it may be printed: it starts at a
 * boundary (the line's start, a blank, a quote, a bracket or a list separator; not `=`, `:` or `/`,
 * which come before values), ends before a character that is no part of a name (the producers have
 * checked the separator after it), is short, and has no long unbroken run. An identifier read from
 * inside a value that was not itself reported (`X=q5XJQEhFXGW3jDMLOrb9uP8umkMhynQZ…token=…`) is a
 * slice of that value: printing it would leak part of a secret, so the message says "a
 * secret-named setting" instead.
 */
function plausibleKey(text: string, s: number, e: number): boolean {
  if (s > 0 && !/[\s"'`{}()[\],;&|?!<>*@$]/.test(text[s - 1]!)) return false;
  if (e < text.length && IDENT_CHAR.test(text[e]!)) return false; // cut at MAX_IDENT
  const name = text.slice(s, e);
  return name.length <= MAX_SHOWN_NAME && name.split(/[_.-]/).every((segment) => segment.length <= MAX_SHOWN_SEGMENT);
}
const MAX_SHOWN_NAME = 48;
const MAX_SHOWN_SEGMENT = 24;

/** `An AWS access key id`, `An npm access token`, `A GitHub token`: by the kind's first sound. */
function article(kind: string): string {
  return /^(?:[AEIOUaeiou]|npm\b)/.test(kind) ? 'An' : 'A';
}
