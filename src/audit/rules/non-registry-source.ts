/**
 * `non-registry-source`: packages installed from a VCS, a URL or a path instead of a registry
 * release. They escape advisory matching and version review; a branch reference moves under you.
 */
import type { AuditContext } from '../context.js';
import type { Finding } from '../findings.js';

const FULL_COMMIT = /@[0-9a-f]{40}(?:[#&]|$)|[?&#]rev=[0-9a-f]{40}|#[0-9a-f]{40}$/i;

/** The project itself (`-e .`, a workspace member at the root) is not a third-party source. */
const isProjectItself = (url: string | undefined) => !url || /^(\.|\.\/|file:\.?\/?\.?)$/.test(url.trim()) || url.trim() === '.';

export function nonRegistrySourceFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const d of ctx.dependencies) {
    if (d.source === 'registry') continue;
    if (d.source === 'path' && (isProjectItself(d.url) || d.kind === 'locked')) continue;
    const key = `${d.name}|${d.url ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const pinnedCommit = d.source === 'vcs' && FULL_COMMIT.test(d.url ?? '');
    const what = d.source === 'vcs' ? `a VCS checkout (${d.url ?? 'unknown URL'})` : d.source === 'url' ? `a URL (${d.url ?? ''})` : `a local path (${d.url ?? ''})`;
    findings.push({
      kind: 'non-registry-source',
      severity: d.source === 'vcs' && !pinnedCommit ? 'medium' : d.source === 'path' ? 'info' : 'low',
      package: d.name || null,
      version: d.version,
      file: d.file,
      line: d.line,
      fix: {
        version: null,
        text: `${d.name || 'This requirement'} is installed from ${what}, which advisories and version checks cannot follow: use a released version from PyPI${d.source === 'vcs' && !pinnedCommit ? ', or at least pin the full commit hash instead of a branch or tag' : ''}.`,
      },
      details: { source: d.source, url: d.url ?? null, editable: d.editable, pinned_commit: d.source === 'vcs' ? pinnedCommit : null },
    });
  }
  return findings;
}
