/**
 * One commit that pins many vulnerable releases in a watched repository: from ALERT_SUMMARY_FROM
 * messages about one repository in one run, the planner says them in one summary for that
 * repository instead, each advisory recorded as said by it. Run again after a crash (or by a
 * replica that recorded some meanwhile), it plans the rest under the summary already written; an
 * advisory that summary does not say gets a summary of its own. The monthly review counts each
 * advisory once either way.
 */
import { describe, expect, it } from 'vitest';
import { findingKey, type Finding } from '../../src/audit/findings.js';
import { WatchStore, type FindingRow } from '../../src/store/watches.js';
import { ALERT_SUMMARY_FROM, MIN_GROUPED, planDependencyMessages, summaryMessageKey } from '../../src/watch/dependency-alerts.js';
import { buildMonthlyDigest } from '../../src/watch/digests.js';
import { ADVISORIES_SUMMARY, DEPENDENCY_ADVISORIES, type AdvisoriesSummary } from '../../src/watch/messages.js';
import { openTestDb, vulnerabilityFinding } from './helpers.js';

const CHANNEL = 'C0REVIEW001';
const AT = '2025-02-20T00:00:00Z';
const vuln = (id: string, pkg: string, severity: Finding['severity'] = 'high'): Finding => vulnerabilityFinding(id, pkg, severity);

/** octo/app, watched for a year, then one commit adding these findings with their dependencies. */
function added(findings: Finding[]): FindingRow[] {
  const store = new WatchStore(openTestDb());
  const apply = (at: string, list: Finding[], baseline: boolean) =>
    store.applyFindings({ repo: 'octo/app', findings: list, keyOf: findingKey, sha: `app@${at}`, now: new Date(at), kinds: new Set(['vulnerability']), baseline, newDependency: () => !baseline });
  apply('2024-03-01T00:00:00Z', [], true);
  apply(AT, findings, false);
  return store.findingsFor(['octo/app']);
}

const byAdvisory = (rows: FindingRow[]) => {
  const map = new Map<string, FindingRow[]>();
  for (const r of rows) map.set(r.advisoryId!, [...(map.get(r.advisoryId!) ?? []), r]);
  return map;
};

const summaries = new Map([['octo/app', { repo: 'octo/app', display: 'octo/app', htmlUrl: null, private: false, auditedSha: 'app', dependencies: 0, error: null, checkedAt: AT, partialReasons: [], baselineAt: AT }]]);

/** One package with two advisories (a dependency message), and `singles` packages with one each (an alert each). */
const flood = (singles: number) => [vuln('PYSEC-1', 'django', 'critical'), vuln('PYSEC-2', 'django', 'medium'), ...Array.from({ length: singles }, (_, i) => vuln(`PYSEC-${100 + i}`, `pkg${i}`, 'unknown'))];

describe('a commit that would post many messages about one repository', () => {
  it('says them below the threshold as before: a dependency message and an alert each', () => {
    const rows = added(flood(ALERT_SUMMARY_FROM - 2));
    const plan = planDependencyMessages({ channel: CHANNEL, openByAdvisory: byAdvisory(rows), alerts: new Map(), dependencyOnly: new Set(), summaries });
    expect([...plan.messages.values()].map((m) => m.kind)).toEqual([DEPENDENCY_ADVISORIES]);
    expect([...plan.byAdvisory.keys()].sort()).toEqual(['PYSEC-1', 'PYSEC-2']);
    expect(MIN_GROUPED).toBe(2);
  });

  it('says them in one summary from the threshold on, every advisory recorded as said by it, worst first', () => {
    const rows = added(flood(ALERT_SUMMARY_FROM - 1));
    const plan = planDependencyMessages({ channel: CHANNEL, openByAdvisory: byAdvisory(rows), alerts: new Map(), dependencyOnly: new Set(), summaries });
    const key = summaryMessageKey(CHANNEL, 'octo/app', AT);
    expect([...plan.messages.keys()]).toEqual([key]);
    const summary = plan.messages.get(key)!;
    expect(summary.kind).toBe(ADVISORIES_SUMMARY);
    const data = summary.data as AdvisoriesSummary;
    expect(data).toMatchObject({ repo: 'octo/app', total: ALERT_SUMMARY_FROM + 1, packages: ALERT_SUMMARY_FROM, bySeverity: { critical: 1, medium: 1, unknown: ALERT_SUMMARY_FROM - 1 } });
    expect(data.worst[0]).toMatchObject({ id: 'PYSEC-1', severity: 'critical', package: 'django' });
    // Nothing dropped: every advisory is said, by the summary.
    expect([...plan.byAdvisory.keys()].sort()).toEqual([...new Set(rows.map((r) => r.advisoryId!))].sort());
    expect([...plan.byAdvisory.values()].every((said) => said.get('octo/app') === key)).toBe(true);
    expect([...data.advisoryIds].sort()).toEqual([...plan.byAdvisory.keys()].sort());
  });

  it('plans the rest under the summary already written after a crash, and a summary of its own for advisories it does not say', () => {
    const rows = added(flood(ALERT_SUMMARY_FROM + 3));
    const all = byAdvisory(rows);
    const first = planDependencyMessages({ channel: CHANNEL, openByAdvisory: all, alerts: new Map(), dependencyOnly: new Set(), summaries });
    const [key, written] = [...first.messages][0]!;
    const summariesWritten = new Map([[key, new Set((written.data as AdvisoriesSummary).advisoryIds)]]);
    // The run crashed after recording PYSEC-1: the rest are still new, and said by the summary written.
    const rest = new Map([...all].filter(([id]) => id !== 'PYSEC-1'));
    const again = planDependencyMessages({ channel: CHANNEL, openByAdvisory: rest, alerts: new Map(), dependencyOnly: new Set(), summaries, summariesWritten });
    expect([...again.messages.keys()]).toEqual([key]);
    // Advisories fresh again that it never said (an ignore removed): not taken as said by it.
    const other = added(Array.from({ length: ALERT_SUMMARY_FROM }, (_, i) => vuln(`PYSEC-${900 + i}`, `other${i}`)));
    const later = planDependencyMessages({ channel: CHANNEL, openByAdvisory: byAdvisory(other), alerts: new Map(), dependencyOnly: new Set(), summaries, summariesWritten });
    expect([...later.messages.keys()]).toHaveLength(1);
    expect([...later.messages.keys()][0]).not.toBe(key);
    expect([...later.messages.keys()][0]!.startsWith(`${key}:`)).toBe(true);
  });

  it('counts each advisory once in the monthly review, as before', () => {
    const rows = added(flood(ALERT_SUMMARY_FROM + 3));
    const digest = buildMonthlyDigest({ channel: CHANNEL, rows, ignores: [], now: new Date('2025-03-01T09:00:00Z') });
    const counted = new Set([...digest.newThisMonth, ...(digest.newDependencies ?? []).flatMap((d) => d.advisories)].map((r) => r.advisoryId));
    expect(counted.size).toBe(new Set(rows.map((r) => r.advisoryId)).size);
  });
});
