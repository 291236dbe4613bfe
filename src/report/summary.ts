/** Counts and one-line summaries shared by every format (and the Slack layouts). */
import type { AuditResult } from '../audit/audit.js';
import type { ScanResult } from '../scan/types.js';
import { DEFAULT_UNKNOWN_AS, SEVERITY_ORDER, severityOrder, type RatedSeverity, type Severity } from '../audit/findings.js';
import { plural } from '../plural.js';
import { scanPartialReasons } from '../audit/code-scan.js';
import { notReached } from '../audit/partial.js';
import { isVulnerability, vulnerablePackages, type PackageGroup } from './packages.js';

/** Counts by severity of anything with one: dependency findings, code findings. */
export function countBySeverity(findings: readonly { severity: Severity }[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** "3 high, 2 not rated, treated as high, 1 medium": the non-zero counts, worst first. */
export function severityCounts(findings: readonly { severity: Severity }[], unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS): string {
  const counts = countBySeverity(findings);
  return severityOrder(unknownAs)
    .filter((s) => counts[s] > 0)
    .map((s) => (s === 'unknown' ? `${counts[s]} not rated, treated as ${unknownAs}` : `${counts[s]} ${s}`))
    .join(', ');
}

/**
 * Whether the code scan left anything unscanned (an archive that could not be read, a file too
 * large, a rule that failed): then its findings are those of what could be scanned, and every place
 * the code section renders says so in its own heading, not only at the top of the report.
 */
export function codeScanIncomplete(scan: ScanResult): boolean {
  return scan.partial || scanPartialReasons(scan).length > 0;
}

/** Said with the code section's counts when codeScanIncomplete. */
export const CODE_SCAN_PARTIAL = 'PARTIAL: not all code was scanned';

/** "3 code findings (1 high, 2 medium)". A scan rule always rates what it finds, so no count is "not rated". */
export function codeSummary(scan: ScanResult): string {
  const counts = severityCounts(scan.findings);
  const found = `${plural(scan.findings.length, 'code finding')}${counts ? ` (${counts})` : ''}`;
  return codeScanIncomplete(scan) ? `${found} in what could be scanned (${CODE_SCAN_PARTIAL})` : found;
}

/**
 * Where the vulnerabilities are: "in 20 packages", or "in 1200 releases of 4 packages" when a package
 * is pinned at several versions (each release is fixed on its own), so the count of packages is of
 * the same thing as the audit's count of packages (distinct names).
 */
export function vulnerableWhere(groups: readonly PackageGroup[]): string {
  const names = new Set(groups.map((g) => g.package)).size;
  return groups.length > names ? `in ${plural(groups.length, 'release')} of ${plural(names, 'package')}` : `in ${plural(names, 'package')}`;
}

export function summaryLine(result: AuditResult): string {
  const vulns = result.findings.filter(isVulnerability);
  const packages = vulnerablePackages(vulns);
  const other = result.findings.length - vulns.length;
  const ignored = result.ignored.length + (result.code?.ignored.length ?? 0);
  return (
    `${result.target}: ${plural(result.dependencies, 'dependency', 'dependencies')}, ` +
    (vulns.length
      ? `${plural(vulns.length, 'vulnerability', 'vulnerabilities')} ${vulnerableWhere(packages)} (${severityCounts(vulns, result.unknownAs ?? DEFAULT_UNKNOWN_AS)})`
      : // No advisory source answered: "no known vulnerabilities" would be an answer to a question
        // never asked (the Slack reply says the same: audit-reply.ts).
        result.partial && notReached(result, 'advisories')
        ? 'vulnerabilities NOT checked'
        : 'no known vulnerabilities') +
    `, ${plural(other, 'other finding')}` +
    (result.code ? `, ${codeSummary(result.code)}` : '') +
    (ignored ? `, ${ignored} ignored` : '') +
    (result.partial ? ' (PARTIAL: not everything was read or checked)' : '')
  );
}

/** An advisory's page on OSV. */
export const osvUrl = (id: string) => `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
