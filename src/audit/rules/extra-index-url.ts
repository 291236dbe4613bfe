/**
 * `extra-index-url`: more than one package index. pip (and tools that copy its behaviour) pick the
 * highest version from any index, so anyone who registers an internal package's name on PyPI can
 * take over the install (dependency confusion, CVE-2018-20225).
 */
import type { AuditContext } from '../context.js';
import type { Finding } from '../findings.js';

const EXTRA_INDEX = new Set(['extra-index-url', 'poetry-source', 'source']);

export function extraIndexUrlFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  for (const m of ctx.manifests) {
    const extras = m.options.filter((o) => o.name === 'extra-index-url');
    // Pipfile and Poetry list every index as a source: more than one means several are consulted.
    const sources = m.options.filter((o) => EXTRA_INDEX.has(o.name) && o.name !== 'extra-index-url');
    const flagged = [...extras, ...(sources.length > 1 ? sources.slice(1) : [])];
    const seen = new Set<string>();
    for (const o of flagged) {
      const url = redactUrl(o.value);
      if (seen.has(url)) continue;
      seen.add(url);
      findings.push({
        kind: 'extra-index-url',
        severity: 'medium',
        package: null,
        version: null,
        file: m.path,
        line: o.line,
        fix: {
          version: null,
          text: `${m.path} adds the index ${url}: installers take the highest version from any index, so a public package with an internal name wins. Serve internal and public packages through one index that you control (--index-url), or pin with hashes.`,
        },
        details: { url, option: o.name },
      });
    }
    for (const o of m.options.filter((x) => (x.name === 'index-url' || x.name === 'extra-index-url') && /^http:\/\//i.test(x.value))) {
      findings.push({
        kind: 'extra-index-url',
        severity: 'medium',
        package: null,
        version: null,
        file: m.path,
        line: o.line,
        fix: { version: null, text: `${m.path} uses an index over plain HTTP (${redactUrl(o.value)}): anyone on the path can change what is installed. Use HTTPS.` },
        details: { url: redactUrl(o.value), option: o.name, insecure: true },
      });
    }
  }
  return findings;
}

/** Index URLs often carry credentials (https://user:token@host/simple): never repeat them. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, '$1***@');
}
