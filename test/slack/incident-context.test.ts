/**
 * What "Start incident" starts with: the incident's severity is the one the finding or the alert
 * has where the button was pressed. An unrated advisory counts as its channel says ("not rated" may
 * count as critical there); an alert's incident starts at its advisory's severity, not always high.
 */
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import type { Finding, RatedSeverity, Severity } from '../../src/audit/findings.js';
import { findingButtonValue } from '../../src/slack/blocks/audit-reply.js';
import { incidentContextResolver } from '../../src/slack/incident-context.js';
import type { AuditRecord } from '../../src/store/audits.js';
import type { AlertRow, FindingRow } from '../../src/store/watches.js';
import type { WatchService } from '../../src/watch/service.js';

const vuln = (severity: Severity): Finding => ({ kind: 'vulnerability', severity, package: 'urllib3', version: '1.24.1', file: 'requirements.txt', line: 2, id: 'PYSEC-2099-1', aliases: [], summary: 's', fix: { version: '2.0', text: 'Upgrade urllib3 to 2.0' } });

function auditWith(finding: Finding, unknownAs?: RatedSeverity): AuditRecord {
  const result: AuditResult = { target: 'octo/app@abc', dependencies: 1, findings: [finding], ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, advisorySource: 'api', ...(unknownAs ? { unknownAs } : {}) };
  return { id: 7, repo: 'octo/app', ref: 'main', requestedBranch: null, sha: 'a'.repeat(40), htmlUrl: 'https://github.com/octo/app', createdAt: '2026-01-01T00:00:00Z', requestedBy: null, channel: 'C0AUDIT0001', ts: '1.2', replyParts: [], private: false, counts: { critical: 0, high: 0, medium: 0, unknown: 1, low: 0, info: 0 }, completeness: null, result };
}

const fromAudit = (record: AuditRecord) => incidentContextResolver({ audits: { getAudit: async () => record }, watch: null })(findingButtonValue(record.id, record.result.findings[0]!));

/** A watch service that knows one alert on PYSEC-2099-1 in octo/app, its finding rows and its channel's setting. */
function watchWith(rows: Array<Pick<FindingRow, 'severity' | 'advisoryId'>>, unknownAs: RatedSeverity | null): WatchService {
  const affected = { repo: 'octo/app', repoUrl: null, version: '1.24.1', file: 'requirements.txt', line: 2, url: null, fix: 'Upgrade', fixVersion: '2.0', fixedBySha: null, fixedAt: null };
  const alert = { id: 3, channel: 'C0ALERTS001', advisoryId: 'PYSEC-2099-1', affected: [affected] } as unknown as AlertRow;
  const state = {
    channelUnknownAs: async () => unknownAs,
    findingsFor: async () => rows.map((r) => ({ repo: 'octo/app', ...r }) as FindingRow),
    watchesForChannel: async () => [],
    repoSummaries: async () => new Map([['octo/app', { private: false }]]),
  };
  return { alert: async () => alert, fixSource: () => ({ state, repoKeyOf: async () => 'octo/app' }) } as unknown as WatchService;
}

const fromAlert = (watch: WatchService) => incidentContextResolver({ audits: { getAudit: async () => undefined }, watch })('3');

describe('Start incident', () => {
  it('starts an unrated finding at the level its channel counts unrated advisories as', async () => {
    expect((await fromAudit(auditWith(vuln('unknown'), 'critical')))?.context.severity).toBe('critical');
    expect((await fromAudit(auditWith(vuln('unknown'), 'medium')))?.context.severity).toBe('medium');
    // Stored before the setting was kept: the default, high.
    expect((await fromAudit(auditWith(vuln('unknown'))))?.context.severity).toBe('high');
    expect((await fromAudit(auditWith(vuln('low'), 'critical')))?.context.severity).toBe('low');
  });

  it("starts an alert's incident at its advisory's severity, unrated counting as the alert's channel says", async () => {
    expect((await fromAlert(watchWith([{ severity: 'critical', advisoryId: 'PYSEC-2099-1' }, { severity: 'medium', advisoryId: 'PYSEC-0000-9' }], null)))?.context.severity).toBe('critical');
    expect((await fromAlert(watchWith([{ severity: 'unknown', advisoryId: 'PYSEC-2099-1' }], 'critical')))?.context.severity).toBe('critical');
    expect((await fromAlert(watchWith([{ severity: 'medium', advisoryId: 'PYSEC-2099-1' }], null)))?.context.severity).toBe('medium');
    // Its rows gone (fixed and pruned): high, as before.
    expect((await fromAlert(watchWith([], null)))?.context.severity).toBe('high');
  });
});
