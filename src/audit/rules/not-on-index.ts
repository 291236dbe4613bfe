/**
 * `not-on-index`: a pinned, locked or merely required registry package the package index (PyPI, or the mirror
 * PYPI_URL names) answers 404 for. Nothing else reports it: no advisory knows a name that is not
 * there, and the outdated and yanked checks have no history to read, so without this rule the audit
 * passed it in silence while `depwatch package` called the same name "avoid". Each case is a risk:
 * - the project configures another index: the package probably comes from there, and anyone can
 *   register its name on PyPI, whose higher version pip (or a merged source) then installs instead
 *   (dependency confusion);
 * - it configures none: pip could not install it from PyPI at all, so the name is a typo, or a
 *   removed project's, which anyone can register again.
 *
 * Only what the index answered counts: a registry that failed (the map is null, the audit partial)
 * or was not asked (offline, said by a notice) gives no finding, and nor does a name it was not asked
 * about. VCS, URL and path sources are not from the index (namedPackages lists registry releases only).
 */
import { packageSourceKind } from '../../python/index-options.js';
import { stripUrlCredentials } from '../../python/urls.js';
import { namedPackages, type AuditContext } from '../context.js';
import type { Finding } from '../findings.js';
import { someNames } from '../../plural.js';

/** Hosts of PyPI itself: an `--index-url https://pypi.org/simple` names no other index. */
const PYPI_HOSTS = new Set(['pypi.org', 'pypi.python.org', 'files.pythonhosted.org']);

/** The most index URLs a finding names (details and text); a tree naming more is counted. */
const MAX_NAMED_INDEXES = 3;

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * The package sources other than PyPI the tree's manifests configure (indexes, `--find-links`
 * pages and folders: pip merges them all with PyPI), credentials stripped, each once, in file order.
 */
export function otherIndexes(ctx: Pick<AuditContext, 'manifests'>): string[] {
  const urls = new Set<string>();
  for (const m of ctx.manifests) {
    for (const option of m.options) {
      if (packageSourceKind(option) !== null && isOtherIndex(option.value)) urls.add(stripUrlCredentials(option.value));
    }
  }
  return [...urls];
}

function isOtherIndex(url: string): boolean {
  const host = hostOf(url);
  return host === null || !PYPI_HOSTS.has(host);
}

export function notOnIndexFindings(ctx: AuditContext): Finding[] {
  const registry = ctx.registry;
  if (!registry) return [];
  const treeIndexes = otherIndexes(ctx);
  const findings: Finding[] = [];
  // Installed releases, then names only a range asks for (version null): pip looks either up by name.
  for (const pkg of namedPackages(ctx)) {
    // Absent from the map: not asked, so nothing is known; null: the index answered that it has no such project.
    if (!registry.has(pkg.name) || registry.get(pkg.name) !== null) continue;
    // The index a lock entry names for this very package (uv.lock's `source = { registry = … }`) first.
    const indexes = [...new Set([...pkg.entries.flatMap((e) => (e.url && isOtherIndex(e.url) ? [stripUrlCredentials(e.url)] : [])), ...treeIndexes])];
    const confusion = indexes.length > 0;
    const release = pkg.version === null ? pkg.name : `${pkg.name} ${pkg.version}`;
    const text = confusion
      ? `${release} is not on the package index (PyPI): it probably comes from the other index this project configures (${someNames(indexes, MAX_NAMED_INDEXES)}), and anyone can register the name on PyPI, whose release the installer may then take instead (dependency confusion). Reserve the name on PyPI, or make the private index the only one for it (uv \`explicit = true\` index, pip \`--index-url\` with no extra index).`
      : `${release} is not on the package index (PyPI), and the project configures no other index, so pip could not install it from there: a typo, or a project removed from PyPI. Check the name; a removed project's name can be registered again by anyone.`;
    findings.push({
      kind: 'not-on-index',
      severity: 'medium',
      package: pkg.name,
      version: pkg.version,
      file: pkg.file,
      line: pkg.line,
      fix: { version: null, text },
      details: {
        risk: confusion ? 'dependency-confusion' : 'typo-or-removed',
        other_indexes: indexes.slice(0, MAX_NAMED_INDEXES),
        ...(indexes.length > MAX_NAMED_INDEXES ? { other_indexes_omitted: indexes.length - MAX_NAMED_INDEXES } : {}),
        direct: pkg.direct,
      },
    });
  }
  return findings;
}
