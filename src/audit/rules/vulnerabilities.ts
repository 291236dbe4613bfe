/** `vulnerability` and `malicious`: installed releases that OSV advisories hit, one finding per alias group. */
import { describeAdvisory } from '../../advisories/description.js';
import { groupFixedVersions } from '../../advisories/match.js';
import { groupSeverity } from '../../advisories/alias-severity.js';
import { isMaliciousGroup } from '../../advisories/malicious.js';
import type { AuditContext, PackageUse } from '../context.js';
import { MAX_LISTED_PLACES, type Finding, type Fix } from '../findings.js';
import { smallestFix } from '../fix.js';
import { upgradeSentence } from '../fix-wording.js';
import { placeOf } from '../../place.js';
import { locationsOf, projectFiles, upgradeAdvice } from './fix-hints.js';

export function vulnerabilityFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  const project = projectFiles(ctx.manifests, ctx.entryRewriter);
  for (const pkg of ctx.packages) {
    const key = `${pkg.name}@${pkg.version}`;
    const records = ctx.hits.get(key) ?? [];
    const groups = ctx.hitGroups.get(key) ?? [];
    if (groups.length === 0) continue;
    const known = ctx.packageAdvisories.get(pkg.name) ?? records;
    const releases = ctx.registry?.get(pkg.name)?.releases ?? null;
    const fix = smallestFix(pkg.name, pkg.version, known, releases);
    const { locations, omitted: locationsOmitted } = locationsOf(pkg, project);
    const malicious = groups.map(isMaliciousGroup);
    const vulnerabilities = malicious.filter((m) => !m).length;
    // One upgrade for every advisory of the release, so every finding of the package carries the same fix.
    const upgrade: Fix = fix.ok
      ? pkg.fromRegistry === false
        ? { version: fix.version, text: outsideIndexUpgrade(pkg, fix.version, vulnerabilities) }
        : ((advice) => ({ version: advice.to, text: upgradeSentence(advice, vulnerabilities), advice }))(upgradeAdvice(pkg, fix.version, project))
      : { version: null, text: `No single upgrade fixes this (${fix.reason}). Remove ${pkg.name}, or apply the mitigation the advisory describes and ignore it with a reason and an expiry.` };
    // Online, a fix not rounded to a release PyPI listed is marked, so no fix writes it (fail closed).
    if (fix.ok && releases === null && ctx.registryAsked) upgrade.unverified = true;

    // The same for every advisory of the release: made once and shared by its findings.
    const details: Record<string, unknown> = {
      direct: pkg.direct,
      locations: pkg.entries.slice(0, MAX_LISTED_PLACES).map((e) => placeOf(e.file, e.line)),
    };
    if (pkg.entries.length > MAX_LISTED_PLACES) details.locations_omitted = pkg.entries.length - MAX_LISTED_PLACES;

    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const severity = groupSeverity(group.records, pkg.name, ctx.aliasRecords);
      // One object literal per finding, no spreads: a large audit makes thousands of them. Its keys
      // keep the order they always had: a sweep stores JSON.stringify(finding) and takes a change
      // of that text for a changed finding (store/findings-diff.ts), so a new order would rewrite
      // every open finding once. `locationsOmitted: undefined` is left out of that text.
      const finding: Finding = {
        package: pkg.name,
        version: pkg.version,
        file: pkg.primary.file,
        line: pkg.primary.line,
        id: group.id,
        aliases: group.aliases,
        summary: describeAdvisory(group.records),
        cvss: severity.score,
        cvssVector: severity.vector,
        severityFrom: severity.source,
        fixedVersions: groupFixedVersions(group.records, pkg.name),
        locations,
        locationsOmitted: locationsOmitted || undefined,
        details,
        kind: malicious[g] ? 'malicious' : 'vulnerability',
        severity: malicious[g] ? 'critical' : severity.level,
        fix: malicious[g]
          ? {
              version: null,
              text: `Remove ${pkg.name} now: ${group.id} reports it as malicious. Treat every machine that installed ${pkg.name} ${pkg.version} as compromised and rotate the credentials it could reach.`,
            }
          : upgrade,
      };
      findings.push(finding);
    }
  }
  return findings;
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
