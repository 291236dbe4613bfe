/**
 * `unpinned`: a direct requirement that nothing fixes to one version (no exact pin, no lockfile, no
 * constraint), so every install may bring a different release. Says how many known advisories the
 * allowed range admits, when the registry's releases and the package's advisories are both known.
 * Fail closed: when its advisory list or the registry's releases could not be read (offline), it
 * claims nothing ("no known advisory" would be a guess), says the range was not resolved, and is
 * rated as a range that admits one (medium), not as a clean one (low). The release the range
 * resolves to today is audited on its own (resolved-range.ts). A Dockerfile's `pip install flask` is
 * hadolint's DL3013: the advice pins it in the Dockerfile or installs from a pinned requirements file
 * (the pin written as any installer there takes it: pip's, uv's and pipx's alike).
 */
import { rangeAdmission, specifierAlternatives } from '../../advisories/range-admission.js';
import type { AuditContext } from '../context.js';
import type { Finding } from '../findings.js';
import { isDockerfilePath } from '../../scan/paths.js';

export function unpinnedFindings(ctx: AuditContext): Finding[] {
  return ctx.unpinned.map((dep) => {
    const releases = ctx.registry?.get(dep.name)?.releases.filter((r) => !r.yanked).map((r) => r.version) ?? null;
    // A Poetry union is its alternatives; a constraint not understood is said so, never read as "any version".
    const understood = specifierAlternatives(dep.specifier) !== null;
    // Absent when the advisory details could not be read (the audit's warnings say so).
    const advisories = ctx.packageAdvisories.get(dep.name) ?? null;
    // Which advisories the range admits, not every release each hits: a record stops at its first (as before the review needed the releases).
    const admission = releases && understood ? rangeAdmission(dep.name, dep.specifier, releases, advisories, false) : null;
    const newest = admission?.newest ?? null;
    const admitted = admission?.admitted?.map((a) => a.record) ?? null;
    const range = dep.specifier ? `"${dep.specifier}"` : 'any version';
    const risk =
      advisories === null
        ? ' Whether a known advisory hits the allowed releases could not be checked (advisory details unavailable).'
        : !understood
          ? ' Its constraint was not understood, so the releases it allows were not resolved and whether a known advisory hits them was not checked.'
          : admitted === null
          ? ' The range was not resolved (PyPI\'s releases were not read), so whether a known advisory hits the release it installs was not checked.'
          : admitted.length === 0
            ? ' No known advisory hits the allowed releases.'
            : ` The allowed range admits ${admitted.length} known ${admitted.length === 1 ? 'vulnerability' : 'vulnerabilities'} (${admitted.slice(0, 3).map((r) => r.id).join(', ')}${admitted.length > 3 ? ', …' : ''}).`;
    return {
      kind: 'unpinned',
      // Low only when the allowed releases were read and no advisory hits them.
      severity: admitted === null || admitted.length > 0 ? 'medium' : 'low',
      package: dep.name,
      version: null,
      file: dep.file,
      line: dep.line,
      fix: {
        version: newest,
        text: isDockerfilePath(dep.file)
          ? `${dep.name} allows ${range} where ${dep.file} installs it: pin it there${newest ? ` (${dep.name}==${newest}, the newest release allowed)` : ''}, or install from a pinned requirements file (pip install -r requirements.txt, compiled with pip-compile or uv pip compile).${risk}`
          : `${dep.name} allows ${range}: pin it${newest ? ` (${dep.name}==${newest} is the newest release allowed)` : ''} or lock it (uv lock, poetry lock, pip-compile).${risk}`,
      },
      details: { specifier: dep.specifier, admits: admitted?.map((r) => r.id) ?? null, group: dep.group },
    } satisfies Finding;
  });
}
