/** `vulnerability` and `malicious`: installed releases that OSV advisories hit, one finding per alias group. */
import { groupByAlias } from '../../advisories/aliases.js';
import { fixedVersions } from '../../advisories/match.js';
import { groupSeverity } from '../../advisories/alias-severity.js';
import type { OsvRecord } from '../../advisories/types.js';
import { compareVersions } from '../../python/pep440.js';
import type { AuditContext } from '../context.js';
import type { Finding } from '../findings.js';
import { smallestFix } from '../fix.js';
import { upgradeHow } from './fix-hints.js';

const isMalicious = (id: string) => id.startsWith('MAL-');

export function vulnerabilityFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  for (const pkg of ctx.packages) {
    const records = ctx.hits.get(`${pkg.name}@${pkg.version}`) ?? [];
    if (records.length === 0) continue;
    const known = ctx.packageAdvisories.get(pkg.name) ?? records;
    const releases = ctx.registry?.get(pkg.name)?.releases ?? null;
    const fix = smallestFix(pkg.name, pkg.version, known, releases);

    for (const group of groupByAlias(records)) {
      const ids = [group.id, ...group.aliases];
      const severity = groupSeverity(group.records, pkg.name, ctx.aliasRecords);
      const fixed = [...new Set(group.records.flatMap((r) => fixedVersions(r, pkg.name)))].sort(compareVersions);
      const base = {
        package: pkg.name,
        version: pkg.version,
        file: pkg.primary.file,
        line: pkg.primary.line,
        id: group.id,
        aliases: group.aliases,
        summary: summaryOf(group.records),
        cvss: severity.score,
        cvssVector: severity.vector,
        severityFrom: severity.source,
        fixedVersions: fixed,
        details: { direct: pkg.direct, locations: pkg.entries.map((e) => `${e.file}${e.line ? `:${e.line}` : ''}`) },
      };
      if (ids.some(isMalicious)) {
        findings.push({
          ...base,
          kind: 'malicious',
          severity: 'critical',
          fix: {
            version: null,
            text: `Remove ${pkg.name} now: ${group.id} reports it as malicious. Treat every machine that installed ${pkg.name} ${pkg.version} as compromised and rotate the credentials it could reach.`,
          },
        });
        continue;
      }
      findings.push({
        ...base,
        kind: 'vulnerability',
        severity: severity.level,
        fix: fix.ok
          ? { version: fix.version, text: `Upgrade ${pkg.name} to ${fix.version} (clears every advisory above): ${upgradeHow(pkg.primary, pkg.name, fix.version)}.` }
          : { version: null, text: `No single upgrade fixes this (${fix.reason}). Remove ${pkg.name}, or apply the mitigation the advisory describes and ignore it with a reason and an expiry.` },
      });
    }
  }
  return findings;
}

function summaryOf(records: OsvRecord[]): string {
  const withSummary = records.find((r) => r.summary?.trim());
  if (withSummary) return withSummary.summary!.trim();
  const details = records.find((r) => r.details?.trim())?.details?.trim() ?? '';
  // Only the first break matters: searching for it, rather than splitting all of a long text, keeps
  // this from scanning every advisory's whole details.
  const end = details.search(/(?<=\.)\s|\n/);
  const firstSentence = end === -1 ? details : details.slice(0, end);
  return firstSentence.length > 160 ? `${firstSentence.slice(0, 159)}…` : firstSentence;
}
