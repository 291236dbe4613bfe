/**
 * `non-registry-source`: packages installed from a VCS, a URL or a path instead of a registry
 * release. Nothing verifies that what is there is the release it claims to be, version review does
 * not follow them, and a branch reference moves under you. Advisories follow only those whose
 * version is known (isRatedRelease): the others escape them too, and the finding says which.
 */
import { isArchiveLocation } from '../../python/archive-name.js';
import { isRatedRelease, type AuditContext } from '../context.js';
import type { Finding } from '../findings.js';

const FULL_COMMIT = /@[0-9a-f]{40}(?:[#&]|$)|[?&#]rev=[0-9a-f]{40}|#[0-9a-f]{40}$/i;

/** The project itself (`-e .`, a workspace member at the root) is not a third-party source. */
const isProjectItself = (url: string | undefined) => !url || /^(\.|\.\/|file:\.?\/?\.?)$/.test(url.trim()) || url.trim() === '.';

export function nonRegistrySourceFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const d of ctx.dependencies) {
    if (d.source === 'registry') continue;
    // A lock lists the project and its workspace members as local folders: the project's own code.
    // A local wheel or sdist it locks is a third-party file like any other.
    if (d.source === 'path' && (isProjectItself(d.url) || (d.kind === 'locked' && !isArchiveLocation(d.url)))) continue;
    const key = `${d.name}|${d.url ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const pinnedCommit = d.source === 'vcs' && FULL_COMMIT.test(d.url ?? '');
    const what = d.source === 'vcs' ? `a VCS checkout (${d.url ?? 'unknown URL'})` : d.source === 'url' ? `a URL (${d.url ?? ''})` : `a local path (${d.url ?? ''})`;
    const rated = isRatedRelease(d);
    const escapes = rated
      ? `which nothing verifies is the release ${d.version} published on PyPI (advisories are matched by its name and version; version checks cannot follow it)`
      : 'which advisories and version checks cannot follow';
    findings.push({
      kind: 'non-registry-source',
      severity: d.source === 'vcs' && !pinnedCommit ? 'medium' : d.source === 'path' ? 'info' : 'low',
      package: d.name || null,
      version: d.version,
      file: d.file,
      line: d.line,
      fix: {
        version: null,
        text: `${d.name || 'This requirement'} is installed from ${what}, ${escapes}: use a released version from PyPI${d.source === 'vcs' && !pinnedCommit ? ', or at least pin the full commit hash instead of a branch or tag' : ''}.`,
      },
      details: { source: d.source, url: d.url ?? null, editable: d.editable, pinned_commit: d.source === 'vcs' ? pinnedCommit : null, advisories_checked: rated },
    });
  }
  return findings;
}
