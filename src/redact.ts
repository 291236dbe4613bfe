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
 * few characters shorter or longer than today's (Slack and GitHub have changed theirs before).
 * Heroku, Figma and Fly.io the same: the scanner holds them to the one length every token has
 * today, which none of them promises. Its keywords are among the scanner's (`xox`, `xapp-`, `gh?_`,
 * `github_pat_`, `pypi-`, `HRKU-`, `fo1_`), so the one scan for signs covers it (Figma's `gd_` is the
 * format's keyword, in every `figd_`).
 */
const LOOSE_TOKEN_PATTERN = /\b(xox[abprs]-|xapp-|gh[pousr]_|github_pat_|pypi-|HRKU-|figd_|fo1_)([A-Za-z0-9_-]{20,})/g;
const LOOSE_KEYWORDS = ['xoxa-', 'xoxb-', 'xoxp-', 'xoxr-', 'xoxs-', 'xapp-', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'pypi-', 'HRKU-', 'gd_', 'fo1_'];

/**
 * Atlassian's tokens, whose length Atlassian says varies, with or without the `=` and checksum the
 * scanner asks for; Terraform Cloud's, whatever the length of the secret after `.atlasv1.` or of
 * the id before it, which names the token and goes with the secret; and Fly.io's macaroons, whose
 * length depends on their caveats. Their keywords are the formats'.
 */
const LOOSE_VENDOR_TOKENS: readonly { keywords: readonly string[]; pattern: RegExp }[] = [
  { keywords: ['ATATT3'], pattern: /\b(ATATT3)[A-Za-z0-9_=-]{20,}/g },
  // A match starts only where a run of letters and digits does: the run is read once however it ends.
  { keywords: ['lasv1.'], pattern: /(?<![A-Za-z0-9_])[A-Za-z0-9]{8,}\.(atlasv1\.)[A-Za-z0-9_=-]{20,}/g },
  // Fly.io's macaroons, of any length and however they start after the prefix (standard base64: `+` and `/` too).
  { keywords: ['fm2_', 'fm1a_', 'fm1r_'], pattern: /\b(fm2_|fm1[ar]_)[A-Za-z0-9+/]{20,}={0,2}/g },
];

const PRIVATE_KEY_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

/** Longest prefix kept: enough for `hooks.slack.com/` or `sk-ant-admin01-`, never a JWT's payload. */
const PREFIX_KEPT = 16;

/** The formats, each with its own copy of the pattern (a global regex keeps state between uses). */
const FORMATS = TOKEN_FORMATS.map((f) => ({ keywords: f.keywords, pattern: new RegExp(f.pattern.source, f.pattern.flags), lead: f.variableLead ?? 0 }));

/** Redaction's own signs besides the formats' keywords, for the test that holds their first characters to KEYWORD_FIRST_CHARACTERS_LIMIT. */
export const REDACTION_SIGNS: readonly string[] = ['://', 'PRIVATE KEY-----', ...LOOSE_KEYWORDS, ...LOOSE_VENDOR_TOKENS.flatMap((t) => t.keywords)];

/**
 * Every keyword whose presence is a sign of a secret (a URL, a private key, a token format), found
 * in one pass (keyword-signs.ts, as the scanner finds them): most text (a report piece, a log line)
 * has none and is returned as is, and text that has some (a report piece quoting advisory URLs)
 * runs only the formats whose keywords it holds. A `pypi-AgE` token too short for the PyPI format
 * still holds the loose rule's `pypi-`, which it masks.
 */
const signsIn = keywordSigns([...FORMATS.flatMap((f) => f.keywords), ...REDACTION_SIGNS]);

export function redactSecrets(text: string): string {
  const named = replaceSpans(text, secretValueSpans(text), () => '…[redacted]');
  const signs = signsIn(named);
  if (signs.size === 0) return named;
  // Redacting a URL removes or stars text and never makes a keyword: the signs of `named` hold for `out`.
  let out = signs.has('://') ? redactUrlSecrets(named) : named;
  if (signs.has('PRIVATE KEY-----')) out = out.replace(PRIVATE_KEY_PATTERN, '[private key]');
  for (const format of FORMATS) {
    if (!format.keywords.some((k) => signs.has(k))) continue;
    out = out.replace(format.pattern, (match: string, random?: string) => `${visiblePrefix(match, random, format.lead)}…[redacted]`);
  }
  for (const loose of LOOSE_VENDOR_TOKENS) {
    if (loose.keywords.some((k) => signs.has(k))) out = out.replace(loose.pattern, (_match, prefix: string) => `${prefix}…[redacted]`);
  }
  if (!LOOSE_KEYWORDS.some((k) => signs.has(k))) return out;
  return out.replace(LOOSE_TOKEN_PATTERN, (_match, prefix: string) => `${prefix}…[redacted]`);
}

/**
 * The fixed part before the random one (`xoxb-`, `sk_live_`, `AccountKey=`), at most PREFIX_KEPT
 * characters; after `lead` characters that name the token (TokenFormat.variableLead), which are not shown.
 */
function visiblePrefix(match: string, random: string | undefined, lead: number): string {
  const fixed = typeof random === 'string' && match.endsWith(random) ? match.length - random.length : 0;
  const from = Math.min(lead, fixed);
  return match.slice(from, Math.min(fixed, from + PREFIX_KEPT));
}

/**
 * Text kept for parsing later (the GitHub blob cache, the snapshot an audit reads) with every URL
 * secret and the random part of every token overwritten by `*`, character for character: lines and
 * columns stay put, a token keeps its prefix (`sk_live_******…`; a Terraform token only its
 * `atlasv1.`), and no value is kept that works: tokens of a length the formats do not read yet are
 * starred after their prefix, as redactSecrets masks them.
 */
export function maskSecrets(text: string): string {
  let out = maskUrlSecrets(replaceSpans(text, secretValueSpans(text), (length) => '*'.repeat(length)));
  const signs = signsIn(out);
  for (const format of FORMATS) {
    if (!format.keywords.some((k) => signs.has(k))) continue;
    out = out.replace(format.pattern, (match: string, random?: string) => {
      const kept = typeof random === 'string' && match.endsWith(random) ? match.length - random.length : Math.min(4, match.length);
      const lead = Math.min(format.lead, kept);
      return '*'.repeat(lead) + match.slice(lead, kept) + '*'.repeat(match.length - kept);
    });
  }
  // Lengths the formats do not read yet are starred after their prefix too, as redactSecrets masks them.
  for (const loose of LOOSE_VENDOR_TOKENS) {
    if (loose.keywords.some((k) => signs.has(k))) out = out.replace(loose.pattern, starredAround);
  }
  if (LOOSE_KEYWORDS.some((k) => signs.has(k))) out = out.replace(LOOSE_TOKEN_PATTERN, starredAround);
  return out;
}

/** A loose match with everything but its prefix starred (a Terraform id before `atlasv1.` too: it holds no `.`). */
function starredAround(match: string, prefix: string): string {
  const at = match.indexOf(prefix);
  return '*'.repeat(at) + prefix + '*'.repeat(match.length - at - prefix.length);
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
