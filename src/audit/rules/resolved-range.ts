/**
 * `vulnerability` of a range: a direct requirement nothing pins (`urllib3==1.24.*`, `django>=2.1`)
 * installs, today, the newest non-yanked release it admits. That is the release `pip install -r`
 * (and pip-audit -r) resolves it to, so its advisories are reported as the advisories of an installed
 * release are, and fail the gate the same way: a range that admits only vulnerable releases no longer
 * passes as "no known vulnerabilities". The `unpinned` finding of the same requirement stays (pin it or
 * lock it); this one says which release the range resolves to today and what to move it to.
 *
 * Only when PyPI's releases and the package's advisories were both read: offline, the range is not
 * resolved and the `unpinned` finding says so (src/audit/rules/unpinned.ts).
 */
import { affects } from '../../advisories/match.js';
import { groupByAlias } from '../../advisories/aliases.js';
import { isMaliciousGroup } from '../../advisories/malicious.js';
import { rangeAdmission, specifierAlternatives } from '../../advisories/range-admission.js';
import { isUnion } from '../../python/poetry-constraint.js';
import type { Dependency } from '../../python/types.js';
import { placeOf } from '../../place.js';
import type { AuditContext } from '../context.js';
import { MAX_LISTED_PLACES, type Finding, type FindingLocation } from '../findings.js';
import { smallestFix } from '../fix.js';
import { advisoryFinding } from './advisory-finding.js';

export function resolvedRangeFindings(ctx: AuditContext): Finding[] {
  // The same name and resolved release at several places is one release: its findings list them all.
  const byRelease = new Map<string, { name: string; version: string; ranges: Dependency[] }>();
  for (const dep of ctx.unpinned) {
    const project = ctx.registry?.get(dep.name);
    const advisories = ctx.packageAdvisories.get(dep.name);
    if (!project || !advisories || specifierAlternatives(dep.specifier) === null) continue;
    const releases = project.releases.filter((r) => !r.yanked).map((r) => r.version);
    const newest = rangeAdmission(dep.name, dep.specifier, releases, null).newest;
    if (newest === null) continue;
    const key = `${dep.name}@${newest}`;
    const release = byRelease.get(key) ?? { name: dep.name, version: newest, ranges: [] };
    release.ranges.push(dep);
    byRelease.set(key, release);
  }

  const findings: Finding[] = [];
  for (const { name, version, ranges } of byRelease.values()) {
    const advisories = ctx.packageAdvisories.get(name)!;
    const hitting = advisories.filter((r) => !r.withdrawn && affects(r, name, version));
    if (hitting.length === 0) continue;
    const groups = groupByAlias(hitting);
    const fix = smallestFix(name, version, advisories, ctx.registry?.get(name)?.releases ?? null);
    const primary = ranges[0]!;
    const where = ranges.slice(0, MAX_LISTED_PLACES);
    const locations: FindingLocation[] = where.map((d) => ({ file: d.file, line: d.line, role: 'declaration', specifier: d.specifier }));
    // A Poetry union (`==2.10 || ==2.11.2`) reads as one requirement only with a space after the name.
    const declared = isUnion(primary.specifier) ? `${name} ${primary.specifier}` : `${name}${primary.specifier}`;
    const resolves = `${declared} (${placeOf(primary.file, primary.line)}) is not pinned: pip installs the newest release it allows, which today is ${version}`;
    const vulnerabilities = groups.filter((g) => !isMaliciousGroup(g)).length;
    const text = fix.ok
      ? `${resolves}, and ${vulnerabilities === 1 ? 'an advisory hits it' : `${vulnerabilities} advisories hit it`}. Pin it to ${fix.version} (\`${name}==${fix.version}\`) or raise its lower bound to ${fix.version} (\`${name}>=${fix.version}\`), then lock it.`
      : `${resolves}, and no single release fixes this (${fix.reason}). Remove ${name}, or apply the mitigation the advisory describes and ignore it with a reason and an expiry.`;
    const details: Record<string, unknown> = {
      direct: true,
      locations: where.map((d) => placeOf(d.file, d.line)),
      // The finding's version is not written anywhere: it is what the range resolves to today.
      resolved_from: primary.specifier,
    };
    if (ranges.length > MAX_LISTED_PLACES) details.locations_omitted = ranges.length - MAX_LISTED_PLACES;
    const at = {
      file: primary.file,
      line: primary.line,
      locations,
      locationsOmitted: ranges.length > MAX_LISTED_PLACES ? ranges.length - MAX_LISTED_PLACES : undefined,
      details,
    };
    const upgrade = { version: fix.ok ? fix.version : null, text };
    for (const group of groups) {
      const removal = isMaliciousGroup(group)
        ? `Remove ${name} now: ${group.id} reports it as malicious. ${resolves}; treat every machine that installed it as compromised and rotate the credentials it could reach.`
        : null;
      findings.push(advisoryFinding(name, version, group, ctx.aliasRecords, at, removal, upgrade));
    }
  }
  return findings;
}
