/** Counts and one-line summaries shared by every format (and the Slack layouts). */
import type { AuditResult } from '../audit/audit.js';
import { DEFAULT_UNKNOWN_AS, SEVERITY_ORDER, severityOrder, type Finding, type Severity } from '../audit/findings.js';

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function summaryLine(result: AuditResult): string {
  const vulns = result.findings.filter((f) => f.kind === 'vulnerability' || f.kind === 'malicious');
  const counts = countBySeverity(vulns);
  const unknownAs = result.unknownAs ?? DEFAULT_UNKNOWN_AS;
  const bySeverity = severityOrder(unknownAs)
    .filter((s) => counts[s] > 0)
    .map((s) => (s === 'unknown' ? `${counts[s]} not rated, treated as ${unknownAs}` : `${counts[s]} ${s}`));
  const other = result.findings.length - vulns.length;
  return (
    `${result.target}: ${result.dependencies} dependencies, ` +
    (vulns.length ? `${vulns.length} ${vulns.length === 1 ? 'vulnerability' : 'vulnerabilities'} (${bySeverity.join(', ')})` : 'no known vulnerabilities') +
    `, ${other} other ${other === 1 ? 'finding' : 'findings'}` +
    (result.ignored.length ? `, ${result.ignored.length} ignored` : '') +
    (result.partial ? ' (PARTIAL: not everything was read or checked)' : '')
  );
}

export const location = (f: Finding) => (f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '');
