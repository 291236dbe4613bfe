/**
 * The boundary every parser result crosses on its way out: each string in it (dependency URLs,
 * specifiers, markers, option values, include paths, and the text of errors, which often quotes the
 * line that failed) has its URL credentials and tokens (every format the secret scanner knows) removed
 * by src/redact.ts, so `stripe>=1 ; sk_live_…` fails as "Invalid marker: 'sk_live_…[redacted]'". Parsers strip the URLs
 * they understand; this catches what they echo without understanding, such as
 * `bad @ https://u:pa55w0rd@h/x.whl ;; ((` in an error message. The walk is generic on purpose: a
 * field added to ExtractResult later is covered without anyone remembering to.
 */
import type { ExtractResult, ManifestFormatModule } from '../types.js';
import { redactSecrets } from '../../redact.js';

/** The module, with `extract` returning only redacted text. */
export function withSecretsRedacted(module: ManifestFormatModule): ManifestFormatModule {
  return {
    format: module.format,
    matches: (path) => module.matches(path),
    extract: (text, context) => redactResult(module.extract(text, context)),
  };
}

export function redactResult(result: ExtractResult): ExtractResult {
  redactInPlace(result);
  return result;
}

/**
 * Replaces, in place, every string of a parser result by its redacted form (redactSecrets tests
 * cheap keywords first, so the rewrite is rare). Results are plain trees
 * built by the parser (objects and arrays, a few levels deep), so the walk has no cycles to fear.
 */
function redactInPlace(node: unknown): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const value: unknown = node[i];
      if (typeof value === 'string') node[i] = redactSecrets(value);
      else if (value !== null && typeof value === 'object') redactInPlace(value);
    }
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (typeof value === 'string') record[key] = redactSecrets(value);
    else if (value !== null && typeof value === 'object') redactInPlace(value);
  }
}
