/**
 * Masks secrets in free text (error messages, URLs, log lines): Slack and GitHub tokens, PyPI API
 * tokens, private keys, and the credentials of any URL (userinfo, and query values such as `token=`
 * or `X-Amz-Signature=`, by the one rule of src/python/urls.ts). Apart from log.ts so the CLI can
 * use it without loading pino at start-up.
 */
import { redactUrlSecrets } from './python/urls.js';

const TOKEN_PATTERN = /\b(xox[abprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|pypi-[A-Za-z0-9_-]{40,})\b/g;
const PRIVATE_KEY_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

export function redactSecrets(text: string): string {
  return redactUrlSecrets(text)
    .replace(PRIVATE_KEY_PATTERN, '[private key]')
    .replace(TOKEN_PATTERN, (t) => `${t.slice(0, 5)}…[redacted]`);
}
