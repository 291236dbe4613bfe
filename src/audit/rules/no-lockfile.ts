/**
 * `no-lockfile`: a project manifest (pyproject.toml, Pipfile, setup.cfg, setup.py, requirements.in) declares
 * ranges and no lockfile or compiled requirements file fixes them, so builds are not reproducible. A
 * Rye lock (`requirements.lock`, `requirements-dev.lock`, in requirements format) is a lockfile here
 * (lockfilesCovering), whatever it pins.
 */
import { posix } from 'node:path';
import { LOCK_FORMATS, lockfilesCovering, type AuditContext } from '../context.js';
import { fileFinding, type Finding } from '../findings.js';

const LOCK_SUGGESTION: Record<string, string> = {
  pyproject: 'commit a lockfile (`uv lock`, `poetry lock`, `pdm lock` or `rye lock`)',
  pipfile: 'commit Pipfile.lock (`pipenv lock`)',
  'setup-cfg': 'pin the deployed set in a compiled requirements file (`pip-compile setup.cfg`)',
  'setup-py': 'pin the deployed set in a compiled requirements file (`pip-compile setup.py`)',
  requirements: 'compile it to a pinned requirements.txt with hashes (`pip-compile --generate-hashes`)',
};

export function noLockfileFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  for (const m of ctx.manifests) {
    if (LOCK_FORMATS.has(m.format)) continue;
    // Plain requirements.txt files (and a conda environment's pip: list, one by another name, and a
    // Dockerfile's pip installs, a command line of one) are covered by `unpinned`; only pip-tools inputs expect a compiled twin.
    if ((m.format === 'requirements' && !m.path.endsWith('.in')) || m.format === 'conda-env' || m.format === 'dockerfile') continue;
    const ranged = m.dependencies.filter((d) => d.kind === 'requirement' && d.source === 'registry' && d.version === null);
    if (ranged.length === 0) continue;
    if (lockfilesCovering(m, ctx.manifests).length > 0) continue;
    if (hasCompiledTwin(m.path, ctx)) continue;
    findings.push(
      fileFinding({
        kind: 'no-lockfile',
        severity: 'low',
        file: m.path,
        text: `${m.path} allows ranges for ${ranged.length} ${ranged.length === 1 ? 'dependency' : 'dependencies'} and nothing locks them: ${LOCK_SUGGESTION[m.format] ?? 'commit a lockfile'}, so every install gets the releases you audited.`,
        details: { ranged: ranged.length },
      }),
    );
  }
  return findings;
}

/** A fully pinned requirements file in the same directory (what pip-compile produces) counts as a lock. */
function hasCompiledTwin(path: string, ctx: AuditContext): boolean {
  const dir = posix.dirname(path);
  return ctx.manifests.some(
    (m) =>
      m.format === 'requirements' &&
      m.path !== path &&
      posix.dirname(m.path) === dir &&
      !m.path.endsWith('.in') &&
      m.dependencies.length > 0 &&
      m.dependencies.every((d) => d.version !== null || d.source !== 'registry'),
  );
}
