/**
 * What a "Start incident" button starts with. Buttons carry ids only: an /audit reply's button is
 * `auditId:findingToken`, an alert's is the alert id. Both are re-read from the store here.
 */
import type { IncidentContext } from '../incidents/types.js';
import type { ResolvedIncidentSource } from './listeners/incidents/deps.js';
import { blobLineUrl } from '../github/links.js';
import type { AuditStateStore } from '../store/audit-state/types.js';
import type { WatchService } from '../watch/service.js';
import { DEFAULT_UNKNOWN_AS, effectiveSeverity, severityRank, type RatedSeverity, type Severity } from '../audit/findings.js';
import type { IncidentSeverity } from '../incidents/types.js';
import { findByToken, parseFindingButtonValue } from './blocks/audit-reply.js';
import { osvUrl } from './blocks/audit-reply.js';

const INCIDENT_SEVERITIES = new Set<string>(['critical', 'high', 'medium', 'low']);

/**
 * An incident's starting severity for a finding's: an unrated one counts as the channel says
 * (`unknownAs`: "not rated" may count as critical there), as it does in the reply and the alert.
 * Anything below the incident scale (info) starts at the default, as before.
 */
function incidentSeverity(severity: Severity, unknownAs: RatedSeverity): IncidentSeverity {
  const effective = effectiveSeverity(severity, unknownAs);
  return (INCIDENT_SEVERITIES.has(effective) ? effective : 'high') as IncidentSeverity;
}

/**
 * The worst severity the watch state records for an alert's advisory in the repositories it lists,
 * unrated counting as the alert's channel says; null when none is recorded any more.
 */
async function alertSeverity(watch: WatchService, channel: string, advisoryId: string, displays: readonly string[]): Promise<IncidentSeverity | null> {
  const { state, repoKeyOf } = watch.fixSource();
  const keys = (await Promise.all(displays.map((display) => repoKeyOf(display)))).filter((key): key is string => key !== null);
  if (!keys.length) return null;
  const unknownAs = (await state.channelUnknownAs(channel)) ?? DEFAULT_UNKNOWN_AS;
  const rows = (await state.findingsFor(keys)).filter((row) => row.advisoryId === advisoryId);
  if (!rows.length) return null;
  const worst = rows.reduce((a, b) => (severityRank(b.severity, unknownAs) > severityRank(a.severity, unknownAs) ? b : a));
  return incidentSeverity(worst.severity, unknownAs);
}

/**
 * Whether any of an alert's repositories (as it displays them) is private: linked as private, or
 * found private since. One whose watch is gone can no longer be told, so it counts as private. An
 * alert names only repositories its own channel watches, so that channel's watches are the ones read.
 */
async function anyPrivate(watch: WatchService, channel: string, displays: readonly string[]): Promise<boolean> {
  const { state, repoKeyOf } = watch.fixSource();
  const keys = await Promise.all(displays.map((display) => repoKeyOf(display)));
  if (keys.some((key) => key === null)) return true;
  const known = keys.filter((key): key is string => key !== null);
  const [watches, summaries] = await Promise.all([state.watchesForChannel(channel), state.repoSummaries(known)]);
  return known.some((key) => summaries.get(key)?.private === true || watches.some((w) => w.repo === key && w.private));
}

export function incidentContextResolver(sources: { audits: Pick<AuditStateStore, 'getAudit'>; watch: WatchService | null }) {
  return async (value: string): Promise<ResolvedIncidentSource | null> => {
    const fromAudit = parseFindingButtonValue(value);
    if (fromAudit) {
      const record = await sources.audits.getAudit(fromAudit.auditId);
      const finding = record ? findByToken(record.result, fromAudit.token) : undefined;
      if (!record || !finding) return null;
      const what = finding.id ? `${finding.id} in ${finding.package} ${finding.version}` : `${finding.kind} in ${finding.package ?? record.repo}`;
      const context: IncidentContext = {
        title: `${what} (${record.repo})`.slice(0, 150),
        severity: incidentSeverity(finding.severity, record.result.unknownAs ?? DEFAULT_UNKNOWN_AS),
        advisory: finding.id
          ? { id: finding.id, aliases: finding.aliases ?? [], summary: finding.summary ?? '', url: osvUrl(finding.id), package: finding.package ?? '' }
          : null,
        repos: [
          {
            repo: record.repo,
            version: finding.version,
            file: finding.file,
            line: finding.line,
            url: finding.file ? blobLineUrl(record.htmlUrl, record.sha, finding.file, finding.line) : null,
          },
        ],
        fix: finding.fix.text,
        // Unknown (audits stored before it was kept) counts as private, as everywhere.
        private: record.private !== false,
      };
      return { context, channel: record.channel };
    }
    const watch = sources.watch;
    if (!/^\d{1,15}$/.test(value) || !watch) return null;
    const alert = await watch.alert(Number(value));
    if (!alert) return null;
    const open = alert.affected.filter((a) => !a.fixedAt);
    const context: IncidentContext = {
      title: `${alert.advisoryId} in ${open.length || alert.affected.length} watched ${alert.affected.length === 1 ? 'repository' : 'repositories'}`,
      // The advisory's own severity (a critical one starts critical); high when the rows are gone.
      severity: (await alertSeverity(watch, alert.channel, alert.advisoryId, alert.affected.map((a) => a.repo))) ?? 'high',
      advisory: { id: alert.advisoryId, url: osvUrl(alert.advisoryId) },
      repos: (open.length ? open : alert.affected).map((a) => ({ repo: a.repo, version: a.version, file: a.file, line: a.line, url: a.url })),
      fix: alert.affected.find((a) => a.fix)?.fix ?? null,
      private: await anyPrivate(watch, alert.channel, alert.affected.map((a) => a.repo)),
    };
    return { context, channel: alert.channel };
  };
}
