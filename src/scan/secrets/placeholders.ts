/**
 * Values that stand in for a credential rather than being one: `changeme`, `your-api-key`,
 * `<token>`, `${DB_PASSWORD}`, `xxxxxxxx`, AWS's documented `AKIAIOSFODNN7EXAMPLE`. Reporting them
 * would teach people to ignore the scanner.
 */
import { shannonEntropy } from './entropy.js';

const WORDS = /(?:change[_-]?me|changeit|example|placeholder|dummy|fake|sample|redacted|replace[_-]?me|your[_-]|my[_-]?(?:secret|password|token|key)|insert[_-]|enter[_-]|put[_-]|fill[_-]?in|todo|fixme|secret[_-]?here|password[_-]?here|token[_-]?here|key[_-]?here|not[_-]?a[_-]?(?:real|secret)|do[_-]?not[_-]?use|test[_-]?(?:key|token|secret|password)|x{4,}|\*{3,}|\.{3,}|0{6,}|1234567|abcdef(?:gh)?$)/i;
const EXACT = new Set(['password', 'passwd', 'secret', 'token', 'apikey', 'api_key', 'none', 'null', 'nil', 'undefined', 'true', 'false', 'test', 'testing', 'admin', 'root', 'default', 'foobar', 'foo', 'bar', 'baz', 'qwerty', 'letmein', 'pass', 'guest', 'user', 'username', 'string', 'str', 'value', 'empty', 'required', 'optional']);
/** References to a value kept elsewhere: `${VAR}`, `$VAR`, `%(name)s`, `{{ var }}`, `<token>`, `os.environ[…]`. */
const REFERENCE = /^(?:\$\{?[A-Za-z_]|%\(|\{\{|\{[A-Za-z_]|<[^>]*>$|\[[A-Z_]+\]$|env[:(.]|os\.|process\.env|secrets?\.|vault:|!vault|arn:aws:secretsmanager)/i;

export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (EXACT.has(v.toLowerCase())) return true;
  if (REFERENCE.test(v) || v.includes('${') || v.includes('{{')) return true;
  if (WORDS.test(v)) return true;
  // One character repeated, or two alternating: `aaaaaaaa`, `abababab`.
  if (new Set(v).size <= 2) return true;
  return false;
}

/** The random part of a token, judged: too regular to be a real credential (`ghp_xxxx…`, `sk_live_0000…`). */
export function looksRandom(body: string): boolean {
  return !isPlaceholder(body) && shannonEntropy(body) >= 3;
}
