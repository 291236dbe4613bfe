/**
 * The SARIF writer works out once what it leaves out to stay within GitHub code scanning's limits and
 * hands it back with the text: the CLI's PARTIAL lines and exit status are those sentences, the same
 * as the file's notifications, never a second computation that could come out otherwise.
 */
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { fileFinding } from '../../src/audit/findings.js';
import { sarifReport } from '../../src/report/sarif.js';
import { GITHUB_SARIF_LIMITS } from '../../src/report/sarif-limits.js';

const lockless = (file: string, severity: 'low' | 'info') => fileFinding({ kind: 'no-lockfile', severity, file, text: 'Lock it.' });

const auditOf = (findings: AuditResult['findings']): AuditResult =>
  ({ target: 'app', dependencies: 1, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, partialReasons: [], advisorySource: 'mirror' }) as AuditResult;

type Notification = { level: string; descriptor: { id: string }; message: { text: string } };

describe('what the SARIF writer says it left out', () => {
  it('is the sentences of the file\'s sarif-limit notifications, for the command named', () => {
    const findings = [lockless('a/requirements.txt', 'low'), lockless('b/requirements.txt', 'low'), lockless('c/requirements.txt', 'info')];
    const report = sarifReport(auditOf(findings), { sarifCommand: 'scan' }, { ...GITHUB_SARIF_LIMITS, resultsPerRun: 2 });
    const run = JSON.parse([...report.chunks].join('')).runs[0];
    const said = (run.invocations[0].toolExecutionNotifications as Notification[]).filter((n) => n.descriptor.id === 'depwatch/partial/sarif-limit').map((n) => n.message.text);
    expect(run.results).toHaveLength(2);
    expect(report.leftOut).toEqual(said);
    expect(report.leftOut).toEqual(['the SARIF leaves out 1 result of 3, the least severe (1 info): GitHub code scanning rejects a run of more than 2; "depwatch scan --json" lists them all']);
  });

  it('is nothing for a SARIF within every limit', () => {
    const report = sarifReport(auditOf([lockless('requirements.txt', 'low')]), {});
    expect(report.leftOut).toEqual([]);
    expect(JSON.parse([...report.chunks].join('')).runs[0].invocations[0].executionSuccessful).toBe(true);
  });
});
