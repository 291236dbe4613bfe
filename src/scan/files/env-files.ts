/** Which files are dotenv files, and which of those are templates meant to be committed. */
import { baseName } from '../paths.js';

const TEMPLATE = /(?:^|[._-])(?:example|sample|template|tmpl|tpl|dist|defaults?|schema)(?:[._-]|$)/i;

/** `.env`, `.env.production`, `prod.env`, but not `.env.example`, `.env.sample`, `.env.template`. */
export function isCommittedEnvFile(path: string): boolean {
  const base = baseName(path);
  return isDotenvName(base) && !TEMPLATE.test(base);
}

/** `.env`, `.env.<anything>`, `<anything>.env`: a dotenv file by its name, template or not. */
const isDotenvName = (base: string): boolean => base === '.env' || base.startsWith('.env.') || (base.endsWith('.env') && base.length > 4);

/**
 * `.env.example`, `.env.sample`, `example.env`: a dotenv template, meant to hold placeholders. Real
 * values are often copied into one from the `.env` beside it (the commonest way a credential is
 * committed), so a random-looking value there is rated as in a `.env`, never capped as a test's is.
 */
export function isEnvTemplate(path: string): boolean {
  const base = baseName(path);
  return isDotenvName(base) && TEMPLATE.test(base);
}

/** `config/secret.py`, `config/secrets.py`, `app/config/secret_settings.py`. */
export function isSecretConfigFile(path: string): boolean {
  return /(?:^|\/)config\/secrets?[^/]*\.py$/i.test(path);
}

/** Whether a dotenv text gives any variable a real-looking value (not empty, not a placeholder such as `changeme`). */
export function envHasValues(text: string, isPlaceholder: (v: string) => boolean): boolean {
  for (const raw of text.split('\n', 10_000)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const value = line.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
    if (value && !isPlaceholder(value)) return true;
  }
  return false;
}
