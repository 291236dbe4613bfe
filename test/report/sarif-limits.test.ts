/**
 * GitHub code scanning rejects a SARIF run of more than 25,000 results, or a result with more than
 * 1,000 locations, whole ("Analysis SARIF file rejected due to result limits"). The SARIF keeps
 * within them, the most severe first, and says what it left out: the run is then partial
 * (executionSuccessful false, an error notification naming how many and `--json`).
 */
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { fileFinding, type Finding } from '../../src/audit/findings.js';
import { renderSarif } from '../../src/report/sarif.js';
import type { CodeFinding, ScanResult } from '../../src/scan/types.js';

const codeFinding = (i: number, severity: CodeFinding['severity']): CodeFinding => ({
  kind: 'code',
  rule: severity === 'high' ? 'py-eval-exec' : 'py-try-except-pass',
  severity,
  confidence: 'high',
  file: `pkg/m${Math.floor(i / 100)}.py`,
  line: (i % 100) + 1,
  column: 5,
  message: 'Something risky.',
  fix: 'Do not.',
  content: i.toString(16).padStart(16, '0'),
});

const scanOf = (findings: CodeFinding[]): ScanResult => ({
  findings,
  ignored: [],
  skipped: [],
  notes: [],
  stats: { files: 1, textFiles: 1, pythonFiles: 1, binaryFiles: 0, bytes: 1 },
  fingerprintScope: 'installation',
  rules: [...new Set(findings.map((f) => f.rule))].map((id) => ({ id, kind: 'code' as const, title: id, help: 'Help.' })),
  partial: false,
});

const auditOf = (findings: Finding[], code: CodeFinding[]): AuditResult =>
  ({ target: 'app', dependencies: 1, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, partialReasons: [], advisorySource: 'mirror', code: scanOf(code) }) as AuditResult;

const runOf = (result: AuditResult) => JSON.parse(renderSarif(result, {})).runs[0];
const errors = (run: { invocations: { toolExecutionNotifications: { level: string; descriptor: { id: string }; message: { text: string } }[] }[] }) =>
  run.invocations[0]!.toolExecutionNotifications.filter((n) => n.level === 'error');

describe('a SARIF run over GitHub code scanning\'s limits', () => {
  it('keeps the 25,000 most severe results and says, as a partial result, how many it left out and where to find them', () => {
    // Worst first, as the reports order them: 20,000 high code findings, then 5,003 low ones; a low
    // dependency finding ranks with the low ones (before them: dependency findings come first).
    const code = [...Array.from({ length: 20_000 }, (_, i) => codeFinding(i, 'high')), ...Array.from({ length: 5_003 }, (_, i) => codeFinding(20_000 + i, 'low'))];
    const lockless = fileFinding({ kind: 'no-lockfile', severity: 'low', file: 'requirements.txt', text: 'Lock it.' });
    const run = runOf(auditOf([lockless], code));
    expect(run.results).toHaveLength(25_000);
    expect(run.results.filter((r: { level: string }) => r.level === 'error')).toHaveLength(20_000);
    expect(run.results[0].ruleId).toBe('depwatch/no-lockfile');
    // The last four low code findings (24,999 to 25,002) are the ones left out.
    const lastKept = run.results.at(-1).locations[0].physicalLocation;
    expect(`${lastKept.artifactLocation.uri}:${lastKept.region.startLine}`).toBe('pkg/m249.py:99');
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(errors(run)).toEqual([
      {
        level: 'error',
        descriptor: { id: 'depwatch/partial/sarif-limit' },
        message: { text: 'the SARIF leaves out 4 results of 25,004, the least severe (4 low): GitHub code scanning rejects a run of more than 25,000; "depwatch audit --json" lists them all' },
      },
    ]);
    // Cutting changes no kept result's fingerprint.
    expect(run.results[1].partialFingerprints.depwatchCode).toBe(`py-eval-exec|pkg/m0.py|${'0'.repeat(16)}`);
  });

  it('is whole and successful at exactly 25,000 results', () => {
    const run = runOf(auditOf([], Array.from({ length: 25_000 }, (_, i) => codeFinding(i, 'high'))));
    expect(run.results).toHaveLength(25_000);
    expect(run.invocations[0].executionSuccessful).toBe(true);
    expect(errors(run)).toEqual([]);
  });

  it('lists only the rules of the results it keeps when there would be more than 25,000 rules', () => {
    const advisories: Finding[] = Array.from({ length: 25_001 }, (_, i) => ({
      kind: 'vulnerability',
      id: `PYSEC-2099-${i}`,
      severity: 'medium',
      package: 'django',
      version: '2.1.5',
      file: 'requirements.txt',
      line: 1,
      summary: 'A flaw.',
      fix: { version: '9.9', text: 'Upgrade.' },
    }));
    const run = runOf(auditOf(advisories, [codeFinding(0, 'low')]));
    expect(run.results).toHaveLength(25_000);
    expect(run.tool.driver.rules).toHaveLength(25_000);
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).not.toContain('py-try-except-pass');
  });

  it('lists at most 1,000 locations of a result (a release pinned in more places) and says so', () => {
    const places = Array.from({ length: 1_500 }, (_, i) => ({ file: `svc${i}/requirements.txt`, line: 1, role: 'pin' as const }));
    const pinned: Finding = { ...fileFinding({ kind: 'outdated', severity: 'low', file: 'svc0/requirements.txt', line: 1, text: 'Upgrade.' }), package: 'django', version: '2.1.5', locations: places };
    const run = runOf(auditOf([pinned], []));
    expect(run.results[0].locations.length + run.results[0].relatedLocations.length).toBe(1_000);
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(errors(run).map((n) => n.message.text)).toEqual(['the SARIF lists only the first 1,000 places of 1 result pinned in more (GitHub code scanning rejects a result with more locations); "depwatch audit --json" lists them all']);
  });
});
