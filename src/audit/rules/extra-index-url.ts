/**
 * `extra-index-url`: more than one package index consulted for the same names. pip (and Pipenv, PDM,
 * Poetry's supplemental sources) pick the best version from every index, so anyone who registers an
 * internal package's name on PyPI can take over the install (dependency confusion, CVE-2018-20225).
 * Indexes over plain HTTP are flagged too: anyone on the path can change what is installed. So are
 * pip's `--find-links` pages (merged with the indexes like an extra index; a local folder is the
 * project's own) and `--trusted-host` (pip then checks no certificate for that host).
 */
// Parsers strip credentials already; stripping again here keeps a report safe from any format that forgets.
import { stripUrlCredentials } from '../../python/urls.js';
import type { ManifestOption } from '../../python/types.js';
import type { AuditContext } from '../context.js';
import { fileFinding, type Finding } from '../findings.js';

/**
 * How each format's index options behave (option names come from the format modules):
 * - `extra-index-url` (pip, Pipfile's later sources, Poetry lock's legacy sources): merged with the main index;
 * - `poetry-source-supplemental`: searched alongside the primary source;
 * - `pdm-source`, `poetry-source`: PDM merges every source, and several primary Poetry sources are all searched;
 * - `uv-index`: uv stops at the first index that has a name (its default strategy), a smaller risk.
 */
const MERGED = new Set(['extra-index-url', 'poetry-source-supplemental', 'find-links']);
const SEVERAL_ARE_MERGED = new Set(['pdm-source', 'poetry-source']);
const FIRST_MATCH = new Set(['uv-index']);
const INDEX_OPTIONS = new Set(['index-url', 'extra-index-url', 'find-links', 'poetry-source', 'poetry-source-supplemental', 'poetry-source-explicit', 'pdm-source', 'uv-index', 'uv-index-default', 'uv-index-explicit']);

/** A `--find-links` folder (`./wheels`) holds the project's own files: only a page on the web is another source. */
const isWebPage = (value: string): boolean => /^https?:\/\//i.test(value);

function riskyIndexes(options: ManifestOption[]): { option: ManifestOption; firstMatch: boolean }[] {
  const out = options.filter((o) => MERGED.has(o.name) && (o.name !== 'find-links' || isWebPage(o.value))).map((option) => ({ option, firstMatch: false }));
  for (const name of SEVERAL_ARE_MERGED) {
    const all = options.filter((o) => o.name === name);
    for (const option of all.slice(1)) out.push({ option, firstMatch: false });
  }
  for (const option of options) if (FIRST_MATCH.has(option.name)) out.push({ option, firstMatch: true });
  return out;
}

export function extraIndexUrlFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  for (const m of ctx.manifests) {
    const seen = new Set<string>();
    for (const { option, firstMatch } of riskyIndexes(m.options)) {
      const url = stripUrlCredentials(option.value);
      if (seen.has(url)) continue;
      seen.add(url);
      findings.push(
        fileFinding({
          kind: 'extra-index-url',
          severity: firstMatch ? 'low' : 'medium',
          file: m.path,
          line: option.line,
          text: firstMatch
            ? `${m.path} adds the index ${url}. uv takes each package from the first index that has it, which limits dependency confusion; mark internal-only indexes \`explicit = true\` and pin their packages to them.`
            : `${m.path} adds ${option.name === 'find-links' ? 'the package page' : 'the index'} ${url}: the installer takes the highest version from any index${option.name === 'find-links' ? ' or page' : ''}, so a public package with an internal name wins. Serve internal and public packages through one index you control, or tie internal packages to their index (explicit sources) and pin with hashes.`,
          details: { url, option: option.name },
        }),
      );
    }
    for (const o of m.options.filter((x) => x.name === 'trusted-host')) {
      findings.push(
        fileFinding({
          kind: 'extra-index-url',
          severity: 'medium',
          file: m.path,
          line: o.line,
          text: `${m.path} marks ${o.value} as a trusted host: pip checks no certificate for it (and accepts plain HTTP), so anyone on the path can change what is installed from it. Serve it over HTTPS with a valid certificate and drop --trusted-host.`,
          details: { host: o.value, option: o.name, insecure: true },
        }),
      );
    }
    for (const o of m.options.filter((x) => INDEX_OPTIONS.has(x.name) && /^http:\/\//i.test(x.value))) {
      findings.push(
        fileFinding({
          kind: 'extra-index-url',
          severity: 'medium',
          file: m.path,
          line: o.line,
          text: `${m.path} uses an index over plain HTTP (${stripUrlCredentials(o.value)}): anyone on the path can change what is installed. Use HTTPS.`,
          details: { url: stripUrlCredentials(o.value), option: o.name, insecure: true },
        }),
      );
    }
  }
  return findings;
}
