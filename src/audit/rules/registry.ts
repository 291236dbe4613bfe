/** `outdated` and `yanked`: what PyPI says about each installed release. */
import { classifyBump, daysBetween, findRelease, latestStable, newerThanPinned, pinnedRelease, releasesBetween, type PinOperator, type ProjectInfo } from '../../python/releases.js';
import { compareVersions, isPrerelease, isValidVersion } from '../../python/pep440.js';
import { registryPackages, type AuditContext, type PackageUse } from '../context.js';
import type { Finding } from '../findings.js';
import { upgradeSteps } from '../fix-wording.js';
import { auditProjectFiles, upgradeAdvice } from './fix-hints.js';

/** The operator of the pin pip installs the package by: null for a lock entry, which names its very release. */
function pinOperator(pkg: PackageUse): PinOperator | null {
  if (pkg.entries.some((e) => e.kind === 'locked')) return null;
  return pkg.entries.some((e) => e.specifier.startsWith('===')) ? '===' : '==';
}

/**
 * The release pip installs: a lock entry's own; for a pin, the one pip takes of those it admits
 * (pinnedRelease: `==2.0` takes a local `2.0+cpu` on an index that serves them, yanked only when
 * all are, as `depwatch check` judges it).
 */
function installedRelease(info: ProjectInfo, pkg: PackageUse, operator: PinOperator | null) {
  return operator === null ? findRelease(info, pkg.version) : pinnedRelease(info, pkg.version, operator);
}

export function registryFindings(ctx: AuditContext): Finding[] {
  if (!ctx.registry) return [];
  const findings: Finding[] = [];
  const project = auditProjectFiles(ctx);
  // PyPI's releases are not what a VCS checkout, URL or local archive installs: those are rated by advisories only.
  for (const pkg of registryPackages(ctx.packages)) {
    const info = ctx.registry.get(pkg.name);
    if (!info) continue;
    const where = { package: pkg.name, version: pkg.version, file: pkg.primary.file, line: pkg.primary.line };
    const operator = pinOperator(pkg);
    const pinned = installedRelease(info, pkg, operator);
    const latest = latestStable(info, { includePre: isValidVersion(pkg.version) && isPrerelease(pkg.version) });

    if (pinned?.yanked) {
      const to = latest && compareVersions(latest, pkg.version) > 0 ? latest : null;
      findings.push({
        ...where,
        kind: 'yanked',
        severity: 'medium',
        fix: {
          version: to,
          text: `${pkg.name} ${pkg.version} was yanked by its maintainers${pinned.yankedReason ? ` ("${pinned.yankedReason}")` : ''}: move off it${to ? `, for example to ${to}: ${upgradeSteps(upgradeAdvice(pkg, to, project))}` : ''}.`,
        },
        details: { reason: pinned.yankedReason, direct: pkg.direct },
      });
    }

    if (!latest || !newerThanPinned(latest, pkg.version, operator)) continue;
    const bump = classifyBump(pkg.version, latest);
    const latestInfo = info.releases.find((r) => r.version === latest);
    const days = pinned?.uploadTime && latestInfo?.uploadTime ? daysBetween(pinned.uploadTime, latestInfo.uploadTime) : null;
    findings.push({
      ...where,
      kind: 'outdated',
      severity: bump === 'major' ? 'low' : 'info',
      fix: { version: latest, text: `${bump === 'major' ? 'A new major release: read its changelog, then ' : ''}${upgradeSteps(upgradeAdvice(pkg, latest, project))}.` },
      details: {
        latest,
        bump,
        releases_behind: releasesBetween(info, pkg.version, latest),
        days_behind: days,
        pinned_released: pinned?.uploadTime ?? null,
        direct: pkg.direct,
      },
    });
  }
  return findings;
}
