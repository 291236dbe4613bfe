/**
 * `no-hashes`: pinned requirements files and lockfiles whose entries carry no hashes. Without them a
 * compromised index or mirror can serve different bytes under the same version.
 */
import { LOCK_FORMATS, type AuditContext } from '../context.js';
import { plural } from '../../plural.js';
import { fileFinding, type Finding } from '../findings.js';
import { hasIncompleteHashes, manifestsByPath } from './incomplete-hashes.js';

export function noHashesFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  const byPath = manifestsByPath(ctx.manifests);
  for (const m of ctx.manifests) {
    const isLock = LOCK_FORMATS.has(m.format);
    if (!isLock && m.format !== 'requirements') continue;
    // Hashed on some lines only: pip refuses the others, a failure `incomplete-hashes` reports.
    if (hasIncompleteHashes(m, byPath)) continue;
    const pinned = m.dependencies.filter((d) => d.source === 'registry' && d.version !== null && d.kind !== 'constraint');
    if (pinned.length === 0) continue;
    // A hand-written requirements file with ranges is not trying to be a lock; `unpinned` covers it.
    if (!isLock && m.dependencies.some((d) => d.source === 'registry' && d.version === null && d.kind === 'requirement')) continue;
    const missing = pinned.filter((d) => !d.hashes?.length);
    if (missing.length === 0) continue;
    findings.push(
      fileFinding({
        kind: 'no-hashes',
        severity: 'info',
        file: m.path,
        text: isLock
          ? `${missing.length} of ${plural(pinned.length, 'locked package')} in ${m.path} ${missing.length === 1 ? 'has' : 'have'} no hashes: regenerate the lock with hashes so installs verify what they download.`
          : m.lockedBy === 'rye'
            ? `${missing.length} of ${plural(pinned.length, 'pin')} in ${m.path} ${missing.length === 1 ? 'has' : 'have'} no --hash: lock with hashes (\`rye lock --generate-hashes\`, or \`generate-hashes = true\` under [tool.rye]) so installs verify what they download.`
            : `${missing.length} of ${plural(pinned.length, 'pin')} in ${m.path} ${missing.length === 1 ? 'has' : 'have'} no --hash: generate them (\`pip-compile --generate-hashes\` or \`uv pip compile --generate-hashes\`) and install with \`pip install --require-hashes\`.`,
        details: { without_hashes: missing.length, pinned: pinned.length, examples: missing.slice(0, 5).map((d) => d.name) },
      }),
    );
  }
  return findings;
}
