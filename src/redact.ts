/**
 * Masks secrets in free text (error messages, URLs, log lines, paths): the values the secret scanner
 * reports by the name or command around them (`DB_PASSWORD=…`, `FERNET_KEY: …`, `"auth": "…"`,
 * `password="…"`, `curl -H "Authorization: Bearer …"`: secretValueSpans), every token format the secret
 * scanner knows (src/scan/secrets/formats.ts: AWS, GitHub, GitLab, Slack, Stripe, Google, OpenAI,
 * PyPI, Anthropic, npm, SendGrid, Azure, JWT), private keys, and the credentials of any URL
 * (userinfo, and query values such as `token=` or `X-Amz-Signature=`, by the one rule of
 * src/python/urls.ts). Apart from log.ts so the CLI can use it without loading pino at start-up.
 *
 * One list of formats, the scanner's: a format added there is redacted here without anyone
 * remembering to. A token keeps its fixed prefix (`sk_live_…[redacted]`, `AKIA…[redacted]`) so the
 * message still says what was there and where to look; the random part never appears. Redacting
 * is idempotent (the marker is not a token) and linear: each pattern is linear on its own (see
 * formats.ts) and they run one after the other, each only when one of its keywords is present
 * (found for all of them in one pass).
 */
import { TOKEN_FORMATS } from './scan/secrets/formats.js';
import { maskUrlSecrets, redactUrlSecrets } from './python/urls.js';
import { keywordSigns } from './scan/secrets/keyword-signs.js';
import { secretValueSpans } from './scan/secrets/scan-secrets.js';

/**
 * Slack, GitHub and PyPI tokens of any length, not only the lengths the scanner reports: the
 * scanner's exact shapes keep its findings precise, but redaction must not let through a token a
 * few characters shorter or longer than today's (Slack and GitHub have changed theirs before). Its
 * keywords are among the scanner's (`xox`, `xapp-`, `gh?_`, `github_pat_`, `pypi-`), so the one scan
 * for signs covers it.
 */
const LOOSE_TOKEN_PATTERN = /\b(xox[abprs]-|xapp-|gh[pousr]_|github_pat_|pypi-)([A-Za-z0-9_-]{20,})/g;
const LOOSE_KEYWORDS = ['xoxa-', 'xoxb-', 'xoxp-', 'xoxr-', 'xoxs-', 'xapp-', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'pypi-'];

const PRIVATE_KEY_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

/** Longest prefix kept: enough for `hooks.slack.com/` or `sk-ant-admin01-`, never a JWT's payload. */
const PREFIX_KEPT = 16;

/** The formats, each with its own copy of the pattern (a global regex keeps state between uses). */
const FORMATS = TOKEN_FORMATS.map((f) => ({ keywords: f.keywords, pattern: new RegExp(f.pattern.source, f.pattern.flags) }));

/**
 * Every keyword whose presence is a sign of a secret (a URL, a private key, a token format), found
 * in one pass (keyword-signs.ts, as the scanner finds them): most text (a report piece, a log line)
 * has none and is returned as is, and text that has some (a report piece quoting advisory URLs)
 * runs only the formats whose keywords it holds. A `pypi-AgE` token too short for the PyPI format
 * still holds the loose rule's `pypi-`, which it masks.
 */
const signsIn = keywordSigns(['://', 'PRIVATE KEY-----', ...FORMATS.flatMap((f) => f.keywords), ...LOOSE_KEYWORDS]);

export function redactSecrets(text: string): string {
  const named = replaceSpans(text, secretValueSpans(text), () => '…[redacted]');
  const signs = signsIn(named);
  if (signs.size === 0) return named;
  // Redacting a URL removes or stars text and never makes a keyword: the signs of `named` hold for `out`.
  let out = signs.has('://') ? redactUrlSecrets(named) : named;
  if (signs.has('PRIVATE KEY-----')) out = out.replace(PRIVATE_KEY_PATTERN, '[private key]');
  for (const format of FORMATS) {
    if (!format.keywords.some((k) => signs.has(k))) continue;
    out = out.replace(format.pattern, (match: string, random?: string) => `${visiblePrefix(match, random)}…[redacted]`);
  }
  if (!LOOSE_KEYWORDS.some((k) => signs.has(k))) return out;
  return out.replace(LOOSE_TOKEN_PATTERN, (_match, prefix: string) => `${prefix}…[redacted]`);
}

/** The fixed part before the random one (`xoxb-`, `sk_live_`, `AccountKey=`), at most PREFIX_KEPT characters. */
function visiblePrefix(match: string, random: string | undefined): string {
  const fixed = typeof random === 'string' && match.endsWith(random) ? match.length - random.length : 0;
  return match.slice(0, Math.min(fixed, PREFIX_KEPT));
}

/**
 * Text kept for parsing later (the GitHub blob cache, the snapshot an audit reads) with every URL
 * secret and the random part of every token overwritten by `*`, character for character: lines and
 * columns stay put, a token keeps its prefix (`sk_live_******…`), and no value is kept that works.
 */
export function maskSecrets(text: string): string {
  let out = maskUrlSecrets(replaceSpans(text, secretValueSpans(text), (length) => '*'.repeat(length)));
  const signs = signsIn(out);
  for (const format of FORMATS) {
    if (!format.keywords.some((k) => signs.has(k))) continue;
    out = out.replace(format.pattern, (match: string, random?: string) => {
      const kept = typeof random === 'string' && match.endsWith(random) ? match.length - random.length : Math.min(4, match.length);
      return match.slice(0, kept) + '*'.repeat(match.length - kept);
    });
  }
  return out;
}

/**
 * Text with each of `spans` (in order, not overlapping) replaced: the values the scanner reports by
 * the name or command around them (`FERNET_KEY=…`, `password="…"`, `curl -u user:…`), which no
 * format of their own gives away. The marker and the stars are placeholders to the scanner, so
 * redacting again changes nothing.
 */
function replaceSpans(text: string, spans: ReadonlyArray<readonly [number, number]>, by: (length: number) => string): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start) + by(end - start);
    at = end;
  }
  return out + text.slice(at);
}
