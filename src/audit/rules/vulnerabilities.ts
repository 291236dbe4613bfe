/** `vulnerability` and `malicious`: installed releases that OSV advisories hit, one finding per alias group. */
import { isMaliciousGroup } from '../../advisories/malicious.js';
import type { AuditContext, PackageUse } from '../context.js';
import { MAX_LISTED_PLACES, type Finding, type Fix } from '../findings.js';
import { smallestFix } from '../fix.js';
import { upgradeSentence } from '../fix-wording.js';
import { advisoryFinding } from './advisory-finding.js';
import { placeOf } from '../../place.js';
import { auditProjectFiles, locationsOf, upgradeAdvice, type ProjectFiles } from './fix-hints.js';

export function vulnerabilityFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  const project = auditProjectFiles(ctx);
  for (const pkg of ctx.packages) {
    const key = `${pkg.name}@${pkg.version}`;
    const records = ctx.hits.get(key) ?? [];
    const groups = ctx.hitGroups.get(key) ?? [];
    if (groups.length === 0) continue;
    const known = ctx.packageAdvisories.get(pkg.name) ?? records;
    const fix = smallestFix(pkg.name, pkg.version, known, ctx.registry?.get(pkg.name)?.releases ?? null);
    const { locations, omitted: locationsOmitted } = locationsOf(pkg, project);
    const malicious = groups.map(isMaliciousGroup);
    // One upgrade for every advisory of the release, so every finding of the package carries the same fix.
    const upgrade: Fix = fix.ok
      ? releaseUpgrade(ctx, pkg, fix.version, malicious.filter((m) => !m).length, project)
      : { version: null, text: `No single upgrade fixes this (${fix.reason}). Remove ${pkg.name}, or apply the mitigation the advisory describes and ignore it with a reason and an expiry.` };

    // The same for every advisory of the release: made once and shared by its findings.
    const details: Record<string, unknown> = {
      direct: pkg.direct,
      locations: pkg.entries.slice(0, MAX_LISTED_PLACES).map((e) => placeOf(e.file, e.line)),
    };
    if (pkg.entries.length > MAX_LISTED_PLACES) details.locations_omitted = pkg.entries.length - MAX_LISTED_PLACES;

    const at = { file: pkg.primary.file, line: pkg.primary.line, locations, locationsOmitted: locationsOmitted || undefined, details };
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const removal = malicious[g]
        ? `Remove ${pkg.name} now: ${group.id} reports it as malicious. Treat every machine that installed ${pkg.name} ${pkg.version} as compromised and rotate the credentials it could reach.`
        : null;
      findings.push(advisoryFinding(pkg.name, pkg.version, group, ctx.aliasRecords, at, removal, upgrade));
    }
  }
  return findings;
}

/**
 * The upgrade of an installed release to `to`, the smallest fix of `advisories` of its advisories:
 * advice for each file that pins it, or by hand when it comes from outside the index. Online, a fix
 * not rounded to a release PyPI listed is marked, so no fix writes it (fail closed): every upgrade
 * of a release is made here (ignored-fix.ts too), so none can go without the mark.
 */
export function releaseUpgrade(ctx: AuditContext, pkg: PackageUse, to: string, advisories: number, project: ProjectFiles): Fix {
  let upgrade: Fix;
  if (pkg.fromRegistry === false) upgrade = { version: to, text: outsideIndexUpgrade(pkg, to, advisories) };
  else {
    const advice = upgradeAdvice(pkg, to, project);
    upgrade = { version: advice.to, text: upgradeSentence(advice, advisories), advice };
  }
  if (ctx.registryAsked && !ctx.registry?.get(pkg.name)?.releases) upgrade.unverified = true;
  return upgrade;
}

/**
 * The upgrade of a release installed only from outside the index (a VCS checkout, a URL, a local
 * wheel or sdist): no pin to edit and no lock command moves it (a lock re-resolves the same source),
 * so the advice names the source to change, by hand.
 */
function outsideIndexUpgrade(pkg: PackageUse, to: string, advisories: number): string {
  const clears = advisories === 1 ? 'clears its advisory' : advisories === 2 ? 'clears both advisories' : `clears all ${advisories} advisories`;
  return `Upgrade ${pkg.name} ${pkg.version} to ${to} (${clears}): it is installed from outside the index (${placeOf(pkg.primary.file, pkg.primary.line)}), which no pin or lock command moves: point that source at ${to} or later (a release from PyPI, or a later tag, commit or file) by hand.`;
}
