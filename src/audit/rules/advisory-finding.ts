/**
 * One finding of an advisory group hitting a release: what an installed release (vulnerabilities.ts)
 * and the release a range resolves to today (resolved-range.ts) report alike, built in one place so
 * the two cannot drift. One object literal, no spreads: a large audit makes thousands of them. Its
 * keys keep the order they always had: a sweep stores JSON.stringify(finding) and takes a change of
 * that text for a changed finding (store/findings-diff.ts), so a new order would rewrite every open
 * finding once. `locationsOmitted: undefined` is left out of that text.
 */
import { describeAdvisory } from '../../advisories/description.js';
import { groupFixedVersions } from '../../advisories/match.js';
import { groupSeverity } from '../../advisories/alias-severity.js';
import type { AdvisoryGroup } from '../../advisories/aliases.js';
import type { OsvRecord } from '../../advisories/types.js';
import type { Finding, FindingLocation, Fix } from '../findings.js';

export interface ReleasePlaces {
  file: string;
  line: number | null;
  locations: FindingLocation[];
  locationsOmitted: number | undefined;
  details: Record<string, unknown>;
}

/**
 * @param malicious the text to say when the group reports the package as malicious (its fix is
 *   removal, whatever `fix` says), or null for a vulnerability.
 */
export function advisoryFinding(
  name: string,
  version: string,
  group: AdvisoryGroup,
  aliasRecords: ReadonlyMap<string, OsvRecord> | undefined,
  at: ReleasePlaces,
  malicious: string | null,
  fix: Fix,
): Finding {
  const severity = groupSeverity(group.records, name, aliasRecords);
  return {
    package: name,
    version,
    file: at.file,
    line: at.line,
    id: group.id,
    aliases: group.aliases,
    summary: describeAdvisory(group.records),
    cvss: severity.score,
    cvssVector: severity.vector,
    severityFrom: severity.source,
    fixedVersions: groupFixedVersions(group.records, name),
    locations: at.locations,
    locationsOmitted: at.locationsOmitted,
    details: at.details,
    kind: malicious !== null ? 'malicious' : 'vulnerability',
    severity: malicious !== null ? 'critical' : severity.level,
    fix: malicious !== null ? { version: null, text: malicious } : fix,
  };
}
