/**
 * The digests: builders over stored history, and their delivery through the Slack outbox (summary,
 * thread details, chart) to the loopback Slack: one digest per slot, 429s waited out.
 */
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/audit/findings.js';
import { findingKey } from '../../src/audit/findings.js';
import { SlackDelivery } from '../../src/slack/outbox/slack-delivery.js';
import { createBulkSlackClient } from '../../src/slack/pacing.js';
import { SqliteOutbox } from '../../src/store/outbox/sqlite.js';
import { WatchStore, type StoredPackage } from '../../src/store/watches.js';
import { buildMonthlyDigest, buildWeeklyDigest, runDigest, type DigestOptions } from '../../src/watch/digests.js';
import { planDependencyMessages } from '../../src/watch/dependency-alerts.js';
import { monthlyDigestLayout, weeklyDigestLayout } from '../../src/slack/blocks/digest.js';
import { outboxRenderers } from '../../src/slack/outbox/renderers.js';
import { blockText } from '../slack/app-world.js';
import { project, registryOf, release } from '../audit/helpers.js';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { scanTree } from '../../src/scan/scan.js';
import { readTarball } from '../../src/scan/tarball-source.js';
import { CodeScanStore } from '../../src/store/code-scans.js';
import { tarballOf } from '../helpers/tarball.js';
import { drainOutbox, openTestDb, vulnerabilityFinding } from './helpers.js';

const CHANNEL = 'C0REVIEW001';
const vuln = (id: string, pkg: string, version: string, severity: Finding['severity']): Finding => vulnerabilityFinding(id, pkg, severity, version);
const pkg = (name: string, version: string, direct = true): StoredPackage => ({ name, version, direct, entries: [{ file: 'requirements.txt', line: 1, kind: 'requirement', direct, specifier: `==${version}`, group: 'main' }] });

/** A repository whose history is written month by month, as sweeps would have. */
function seed(store: WatchStore) {
  store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: new Date('2024-09-01T00:00:00Z') });
  store.saveAudit({ repo: 'octo/app', display: 'octo/app', htmlUrl: 'https://github.com/octo/app', private: false, sha: 'a'.repeat(40), packages: [pkg('requests', '2.2.0'), pkg('six', '1.10.0')], ignores: [{ id: 'PYSEC-3', reason: 'test only', until: '2025-03-20', package: null, source: '.depwatch.yml' }], dependencies: 2, now: new Date('2024-09-01T00:00:00Z') });
  const apply = (at: string, findings: Finding[], sha: string, baseline = false) =>
    store.applyFindings({ repo: 'octo/app', findings, keyOf: findingKey, sha, now: new Date(at), kinds: new Set(['vulnerability', 'malicious']), baseline });
  const a = vuln('PYSEC-1', 'requests', '2.2.0', 'high');
  const b = vuln('PYSEC-2', 'six', '1.10.0', 'critical');
  const c = vuln('PYSEC-3', 'requests', '2.2.0', 'medium');
  apply('2024-10-10T00:00:00Z', [a], 'sha1', true);
  apply('2024-12-05T00:00:00Z', [a, b], 'sha2');
  apply('2025-02-20T00:00:00Z', [b, c], 'sha3'); // a fixed by sha3
}

describe('monthly security review', () => {
  it('does not count as fixed a finding closed because exclude: now keeps its file out (no longer checked)', () => {
    const store = new WatchStore(openTestDb());
    seed(store);
    const d = vuln('PYSEC-4', 'six', '1.10.0', 'high');
    const open = [vuln('PYSEC-2', 'six', '1.10.0', 'critical'), vuln('PYSEC-3', 'requests', '2.2.0', 'medium')];
    store.applyFindings({ repo: 'octo/app', findings: [...open, d], keyOf: findingKey, sha: 'sha4', now: new Date('2025-02-22T00:00:00Z'), kinds: new Set(['vulnerability']), baseline: false });
    store.applyFindings({ repo: 'octo/app', findings: open, keyOf: findingKey, sha: 'sha5', now: new Date('2025-02-25T00:00:00Z'), kinds: new Set(['vulnerability']), baseline: false, closedReason: (f) => (f.id === 'PYSEC-4' ? 'excluded by .depwatch.yml (fixtures)' : null) });
    const digest = buildMonthlyDigest({ rows: store.findingsFor(['octo/app']), ignores: [], now: new Date('2025-03-01T09:00:00Z') });
    expect(digest.fixedThisMonth.map((r) => [r.advisoryId, r.fixedBySha])).toEqual([['PYSEC-1', 'sha3']]);
    expect(digest.open.total).toBe(2);
  });

  it('counts open vulnerabilities by severity and age, new and fixed this month, expiring ignores and six months of history', () => {
    const store = new WatchStore(openTestDb());
    seed(store);
    const digest = buildMonthlyDigest({ rows: store.findingsFor(['octo/app']), ignores: store.repoState('octo/app')!.ignores, now: new Date('2025-03-01T09:00:00Z') });
    expect(digest.open).toEqual({ total: 2, bySeverity: { critical: 1, high: 0, medium: 1, low: 0 }, byAge: { under30: 1, from30to90: 1, over90: 0 } });
    expect(digest.newThisMonth.map((r) => r.advisoryId)).toEqual(['PYSEC-3']);
    expect(digest.fixedThisMonth.map((r) => [r.advisoryId, r.fixedBySha])).toEqual([['PYSEC-1', 'sha3']]);
    expect(digest.expiringIgnores.map((i) => `${i.id} ${i.until}`)).toEqual(['PYSEC-3 2025-03-20']);
    expect(digest.chart.map((p) => [p.label, p.critical, p.high, p.medium])).toEqual([
      ['Oct 2024', 0, 1, 0],
      ['Nov 2024', 0, 1, 0],
      ['Dec 2024', 1, 1, 0],
      ['Jan 2025', 1, 1, 0],
      ['Feb 2025', 1, 0, 1],
      ['Mar 2025', 1, 0, 1],
    ]);
  });
});

/**
 * A dependency added with advisories it has had for years is said in the channel once ("now depends
 * on pillow 8.0.0, which has 3 known advisories": dependency-alerts.ts), not as 3 new advisories:
 * the monthly review counts it the same way, beside the advisories that were new.
 */
describe('monthly security review of a month that added a dependency with known advisories', () => {
  const digestOf = () => {
    const store = new WatchStore(openTestDb());
    seed(store);
    const open = [vuln('PYSEC-2', 'six', '1.10.0', 'critical'), vuln('PYSEC-3', 'requests', '2.2.0', 'medium')];
    const pillow = ['PYSEC-21', 'PYSEC-22', 'PYSEC-23'].map((id) => vuln(id, 'pillow', '8.0.0', 'high'));
    // The sweep that saw pillow 8.0.0 first: its advisories arrived with it.
    store.applyFindings({ repo: 'octo/app', findings: [...open, ...pillow], keyOf: findingKey, sha: 'sha4', now: new Date('2025-02-24T00:00:00Z'), kinds: new Set(['vulnerability', 'malicious']), baseline: false, newDependency: (f) => f.package === 'pillow' });
    return buildMonthlyDigest({ rows: store.findingsFor(['octo/app']), ignores: [], now: new Date('2025-03-01T09:00:00Z') });
  };

  it('counts the new advisories apart from the dependency that brought its known ones', () => {
    const digest = digestOf();
    expect(digest.newThisMonth.map((r) => r.advisoryId)).toEqual(['PYSEC-3']);
    expect(digest.newDependencies?.map((d) => [d.repo, d.package, d.version, d.advisories.map((r) => r.advisoryId).sort()])).toEqual([['octo/app', 'pillow', '8.0.0', ['PYSEC-21', 'PYSEC-22', 'PYSEC-23']]]);
    // Still open vulnerabilities: counted as open.
    expect(digest.open.total).toBe(5);
  });

  it('says so in the summary, its notification text and the thread', () => {
    const layout = monthlyDigestLayout(digestOf(), { timeZone: 'UTC' });
    expect(layout.summary.text).toBe('Monthly security review — 1 Mar 2025: 5 open (1 critical, 3 high), 1 new advisory, 1 new dependency with 3 known advisories, 1 fixed');
    const summary = JSON.stringify(layout.summary.blocks);
    expect(summary).toContain('*New advisories this month*\\n1');
    expect(summary).toContain('*New dependencies with advisories*\\n1 (3 advisories)');
    const details = JSON.stringify(layout.details.blocks);
    expect(details).toContain('*New advisories this month (1)*');
    expect(details).toMatch(/\*Dependencies added this month with known advisories \(1\)\*.*octo\/app\*: pillow 8\.0\.0/);
  });

  it('counts one advisory a new dependency brought as the channel was told it: a new advisory, with its own alert', () => {
    const store = new WatchStore(openTestDb());
    seed(store);
    const open = [vuln('PYSEC-2', 'six', '1.10.0', 'critical'), vuln('PYSEC-3', 'requests', '2.2.0', 'medium')];
    store.applyFindings({ repo: 'octo/app', findings: [...open, vuln('PYSEC-21', 'pillow', '8.0.0', 'high')], keyOf: findingKey, sha: 'sha4', now: new Date('2025-02-24T00:00:00Z'), kinds: new Set(['vulnerability', 'malicious']), baseline: false, newDependency: (f) => f.package === 'pillow' });
    const digest = buildMonthlyDigest({ rows: store.findingsFor(['octo/app']), ignores: [], now: new Date('2025-03-01T09:00:00Z') });
    expect(digest.newThisMonth.map((r) => r.advisoryId).sort()).toEqual(['PYSEC-21', 'PYSEC-3']);
    expect(digest.newDependencies ?? []).toEqual([]);
  });
});

/**
 * The review counts what the channel was told (the alert planner's own grouping): an advisory that
 * also hit a repository that did not just add the dependency had its own alert, and the dependency
 * message said only the rest.
 */
describe('monthly security review of a dependency added the month one of its advisories was published', () => {
  it('counts the advisory published this month once, with its own alert, and the dependency with the advisories its message said', () => {
    const store = new WatchStore(openTestDb());
    const apply = (repo: string, at: string, findings: Finding[], newDependency = false, baseline = false) =>
      store.applyFindings({ repo, findings, keyOf: findingKey, sha: `${repo}@${at}`, now: new Date(at), kinds: new Set(['vulnerability', 'malicious']), baseline, newDependency: () => newDependency });
    const [x, y, z] = ['PYSEC-31', 'PYSEC-32', 'PYSEC-33'].map((id) => vuln(id, 'pillow', '8.0.0', 'high'));
    // octo/app has had pillow 8.0.0 for a year; advisory X is published this month.
    apply('octo/app', '2024-03-01T00:00:00Z', [], false, true);
    apply('octo/app', '2025-02-20T00:00:00Z', [x!]);
    // octo/api adds pillow 8.0.0 the same sweep: it brings X, Y and Z.
    apply('octo/api', '2025-02-20T00:00:00Z', [x!, y!, z!], true);
    const rows = store.findingsFor(['octo/app', 'octo/api']);

    // What the channel was told: X in its own alert, one dependency message for Y and Z.
    const openByAdvisory = new Map<string, typeof rows>();
    for (const r of rows) openByAdvisory.set(r.advisoryId!, [...(openByAdvisory.get(r.advisoryId!) ?? []), r]);
    const told = planDependencyMessages({ channel: CHANNEL, openByAdvisory, alerts: new Map(), dependencyOnly: new Set(), summaries: new Map() });
    expect([...told.byAdvisory.keys()].sort()).toEqual(['PYSEC-32', 'PYSEC-33']);
    expect(told.messages.size).toBe(1);

    const digest = buildMonthlyDigest({ channel: CHANNEL, rows, ignores: [], now: new Date('2025-03-01T09:00:00Z') });
    expect([...new Set(digest.newThisMonth.map((r) => r.advisoryId))]).toEqual(['PYSEC-31']);
    expect(digest.newDependencies?.map((d) => [d.repo, d.package, d.advisories.map((r) => r.advisoryId).sort()])).toEqual([['octo/api', 'pillow', ['PYSEC-32', 'PYSEC-33']]]);
    expect(monthlyDigestLayout(digest, { timeZone: 'UTC' }).summary.text).toContain('1 new advisory, 1 new dependency with 2 known advisories');
  });
});

describe('weekly dependency updates', () => {
  it('sorts outdated pins by major, minor and patch, and lists yanked and oldest pins', () => {
    const registry = new Map([
      ['requests', project('requests', [release('2.2.0', '2014-01-24T00:00:00Z'), release('2.2.1', '2014-02-01T00:00:00Z'), release('3.0.0', '2025-01-01T00:00:00Z')])],
      ['six', project('six', [release('1.10.0', '2015-10-07T00:00:00Z', { yanked: true, yankedReason: 'broken wheel' }), release('1.11.0', '2017-09-17T00:00:00Z')])],
    ]);
    const digest = buildWeeklyDigest({ repos: [{ repo: 'octo/app', packages: [pkg('requests', '2.2.0'), pkg('six', '1.10.0')] }], registry, now: new Date('2025-03-03T09:00:00Z') });
    expect(digest.totals).toEqual({ major: 1, minor: 1, patch: 0, yanked: 1, repos: 1 });
    expect(digest.repos[0]!.outdated.map((o) => `${o.package} ${o.version}->${o.latest} ${o.bump} ${o.releasesBehind}`)).toEqual(['requests 2.2.0->3.0.0 major 2', 'six 1.10.0->1.11.0 minor 1']);
    expect(digest.repos[0]!.yanked).toEqual([{ package: 'six', version: '1.10.0', reason: 'broken wheel', file: 'requirements.txt', line: 1 }]);
    expect(digest.repos[0]!.oldestPins.map((p) => p.package)).toEqual(['requests', 'six']);
  });
});

describe('posting digests', () => {
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('posts the monthly summary, its details in the thread and the chart as an image there', async () => {
    const f = (fake = await startFakeSlack());
    const store = new WatchStore(openTestDb());
    seed(store);
    const recorded = await runDigest('monthly', CHANNEL, { state: new SqliteWatchState(store), registry: null, now: () => new Date('2025-03-01T09:00:00Z'), defaultTimeZone: 'UTC' });
    expect(recorded.written).toBe(true);
    expect(f.messages(CHANNEL)).toEqual([]); // written to the outbox, not posted yet
    const report = await drainOutbox(store.db, f.url);
    expect(report.posted).toHaveLength(2);
    const [summary] = f.messages(CHANNEL);
    expect(report.posted[0]?.messageTs).toBe(summary?.ts);
    expect(summary?.text).toBe('Monthly security review — 1 Mar 2025: 2 open (1 critical, 0 high), 1 new, 1 fixed');
    const thread = f.thread(CHANNEL, summary!.ts);
    expect(JSON.stringify(thread[0]?.blocks)).toContain('Ignores expiring within 30 days');
    const [file] = f.files();
    expect(file).toMatchObject({ completed: true, channel: CHANNEL, thread_ts: summary!.ts, filename: 'open-vulnerabilities.png' });
    expect(file?.content?.subarray(1, 4).toString()).toBe('PNG');
    expect(f.violations).toEqual([]);
  });

  it('posts no chart when the server has no font for its labels, and says so in one line with its numbers', async () => {
    const f = (fake = await startFakeSlack());
    const store = new WatchStore(openTestDb());
    seed(store);
    await runDigest('monthly', CHANNEL, { state: new SqliteWatchState(store), registry: null, now: () => new Date('2025-03-01T09:00:00Z'), defaultTimeZone: 'UTC' });
    const report = await drainOutbox(store.db, f.url, { renderers: outboxRenderers({ fontFamilies: () => [] }) });
    expect(report.posted).toHaveLength(2);
    expect(f.files()).toEqual([]);
    const [summary] = f.messages(CHANNEL);
    expect(blockText(summary!.blocks ?? [])).toContain('Details in the thread.');
    expect(blockText(summary!.blocks ?? [])).not.toContain('chart');
    const thread = blockText(f.thread(CHANNEL, summary!.ts).flatMap((m) => m.blocks ?? []));
    const lines = thread.split('\n').filter((line) => line.includes('No chart'));
    expect(lines).toEqual(['No chart this month: the server has no font to draw its labels with. Open vulnerabilities at each month end: Oct 2024 1, Nov 2024 1, Dec 2024 2, Jan 2025 2, Feb 2025 2, Mar 2025 2.']);
    expect(f.violations).toEqual([]);
  });

  it('posts the quarterly clean-up with archived and long-unreleased packages from PyPI', async () => {
    const f = (fake = await startFakeSlack());
    const store = new WatchStore(openTestDb());
    seed(store);
    store.applyFindings({
      repo: 'octo/app',
      findings: [{ kind: 'no-lockfile', severity: 'low', package: null, version: null, file: 'requirements.txt', line: null, fix: { version: null, text: 'Lock the requirements with pip-compile' } }],
      keyOf: findingKey,
      sha: 'sha3',
      now: new Date('2025-02-20T00:00:00Z'),
      kinds: new Set(['no-lockfile']),
      baseline: false,
    });
    const statusRegistry = {
      async project(name: string) {
        return name === 'six'
          ? { ...project('six', [release('1.10.0', '2015-10-07T00:00:00Z')]), status: 'archived' as const, statusReason: 'use the standard library' }
          : project('requests', [release('2.2.0', '2014-01-24T00:00:00Z')]);
      },
    };
    await runDigest('quarterly', CHANNEL, { state: new SqliteWatchState(store), registry: registryOf([]), statusRegistry, now: () => new Date('2025-04-01T09:00:00Z'), defaultTimeZone: 'UTC' });
    await drainOutbox(store.db, f.url);
    const [summary] = f.messages(CHANNEL);
    expect(summary?.text).toBe('Quarterly audit and clean-up — 1 Apr 2025: 1 hygiene finding, 2 packages to reconsider');
    const details = JSON.stringify(f.thread(CHANNEL, summary!.ts).map((m) => m.blocks));
    expect(details).toContain('archived on PyPI (“use the standard library”)');
    expect(details).toContain('`requests`: no release since 2014-01-24');
    expect(details).toContain('Lock the requirements with pip-compile');
    expect(f.violations).toEqual([]);
  });

  it('lists code and configuration findings of each repository’s last scanned commit in the quarterly digest', async () => {
    const f = (fake = await startFakeSlack());
    const db = openTestDb();
    const store = new WatchStore(db);
    seed(store);
    const scan = await scanTree(await readTarball(await tarballOf({ 'app/views.py': 'def f(q):\n    return eval(q)\n', 'app/settings.py': 'DEPLOY_TOKEN = "ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST"\n', Dockerfile: 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64) + '\n', '.gitignore': '.env\n*.env\nconfig/secret*.py\n' })).then((t) => t.source));
    new CodeScanStore(db).put('octo/app', 'a'.repeat(40), 'any-key', scan, new Date('2025-03-01T00:00:00Z'));
    await runDigest('quarterly', CHANNEL, { state: new SqliteWatchState(store), registry: registryOf([]), now: () => new Date('2025-04-01T09:00:00Z'), defaultTimeZone: 'UTC', codeScans: new CodeScanStore(db) });
    await drainOutbox(db, f.url);
    const [summary] = f.messages(CHANNEL);
    expect(JSON.stringify(summary!.blocks)).toContain('*Code findings*\\n3');
    const details = JSON.stringify(f.thread(CHANNEL, summary!.ts).map((m) => m.blocks));
    expect(details).toContain('*Code and configuration (1 repository)*');
    // Counted nouns agree with their counts: "1 hardcoded secret", never "1 hardcoded secrets".
    expect(details).toContain('• *octo/app*: 1 critical, 1 high, 1 medium (1 hardcoded secret · 1 risky code finding · 1 container or workflow setting)');
    expect(f.violations).toEqual([]);
  });

  it('splits a digest too big for one message across thread replies within Slack limits', async () => {
    const f = (fake = await startFakeSlack());
    const store = new WatchStore(openTestDb());
    const names = Array.from({ length: 400 }, (_, i) => `package-number-${i}`);
    for (let r = 0; r < 30; r++) {
      store.addWatch({ repo: `octo/service-${r}`, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: new Date('2025-01-01T00:00:00Z') });
      store.saveAudit({ repo: `octo/service-${r}`, display: `octo/service-${r}`, htmlUrl: `https://github.com/octo/service-${r}`, private: false, sha: 'b'.repeat(40), packages: names.slice(r * 10, r * 10 + 40).map((n) => pkg(n, '1.0.0')), ignores: [], dependencies: 40, now: new Date('2025-01-01T00:00:00Z') });
    }
    const registry = registryOf(names.map((n) => project(n, [release('1.0.0', '2020-01-01T00:00:00Z'), release('2.0.0', '2024-01-01T00:00:00Z')])));
    await runDigest('weekly', CHANNEL, { state: new SqliteWatchState(store), registry, now: () => new Date('2025-03-03T09:00:00Z'), defaultTimeZone: 'UTC' });
    await drainOutbox(store.db, f.url);
    expect(f.messages(CHANNEL)).toHaveLength(1);
    const thread = f.thread(CHANNEL, f.messages(CHANNEL)[0]!.ts);
    expect(thread.length).toBeGreaterThan(1);
    const all = JSON.stringify(thread.map((m) => m.blocks));
    for (let r = 0; r < 30; r++) expect(all).toContain(`octo/service-${r}*`);
    expect(f.violations).toEqual([]);
  });
});

describe('a digest through the outbox', () => {
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const SLOT = new Date('2025-03-01T09:00:00Z');
  const monthly = (store: WatchStore, at: string, slot = SLOT): DigestOptions => ({ state: new SqliteWatchState(store), slot, registry: null, now: () => new Date(at), defaultTimeZone: 'UTC' });

  it('is posted once for a slot, however often the slot is run', async () => {
    const f = (fake = await startFakeSlack());
    const store = new WatchStore(openTestDb());
    seed(store);
    expect((await runDigest('monthly', CHANNEL, monthly(store, '2025-03-01T09:00:05Z'))).written).toBe(true);
    await drainOutbox(store.db, f.url);
    // The same slot again (a retried job, a second replica, a restart): nothing is added or posted.
    expect((await runDigest('monthly', CHANNEL, monthly(store, '2025-03-01T09:20:00Z'))).written).toBe(false);
    const again = await drainOutbox(store.db, f.url);
    expect(again.posted).toEqual([]);
    expect(f.messages(CHANNEL)).toHaveLength(1);
    expect(f.files()).toHaveLength(1);
    // The next slot is a new digest.
    expect((await runDigest('monthly', CHANNEL, monthly(store, '2025-04-01T09:00:00Z', new Date('2025-04-01T09:00:00Z')))).written).toBe(true);
    await drainOutbox(store.db, f.url);
    expect(f.messages(CHANNEL)).toHaveLength(2);
    expect(f.violations).toEqual([]);
  });

  it('is keyed by the slot as the channel’s clock reads it, and not written again for a slot sent under its instant before the upgrade', async () => {
    const store = new WatchStore(openTestDb());
    seed(store);
    const berlin: DigestOptions = { ...monthly(store, '2025-03-01T08:00:05Z', new Date('2025-03-01T08:00:00Z')), slotTimeZone: 'Europe/Berlin' };
    expect(await runDigest('monthly', CHANNEL, berlin)).toEqual({ key: `digest:monthly:${CHANNEL}:2025-03-01T09:00`, written: true });
    // The same wall-clock slot worked out in another zone (the channel moved) is the same digest.
    const newYork: DigestOptions = { ...monthly(store, '2025-03-02T12:00:00Z', new Date('2025-03-01T14:00:00Z')), slotTimeZone: 'America/New_York' };
    expect(await runDigest('monthly', CHANNEL, newYork)).toEqual({ key: `digest:monthly:${CHANNEL}:2025-03-01T09:00`, written: false });

    const upgraded = new WatchStore(openTestDb());
    seed(upgraded);
    new SqliteOutbox(upgraded.db).write([{ kind: 'digest', data: {}, channel: CHANNEL, op: 'post', messageKey: `digest:monthly:${CHANNEL}:2025-03-01T09:00:00.000Z`, idempotencyKey: `digest:monthly:${CHANNEL}:2025-03-01T09:00:00.000Z` }], new Date('2025-03-01T09:00:05Z'));
    expect((await runDigest('monthly', CHANNEL, monthly(upgraded, '2025-03-01T10:00:00Z'))).written).toBe(false);
    expect(await new SqliteOutbox(upgraded.db).rows()).toHaveLength(1);
  });

  it('is not posted twice when a deliverer dies after Slack accepted its summary or part of its thread', async () => {
    // Slack's clock and ours agree: the look for an earlier post starts a little before it was sent.
    const f = (fake = await startFakeSlack({ startTs: Date.parse('2025-03-01T09:00:10Z') / 1000 }));
    const store = new WatchStore(openTestDb());
    seed(store);
    await runDigest('monthly', CHANNEL, monthly(store, '2025-03-01T09:00:00Z'));
    let clock = Date.parse('2025-03-01T09:00:10Z');
    const now = () => new Date(clock);
    const api = createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: f.url });
    const dying = new SlackDelivery({ db: store.db, api, now, pacer: { minIntervalMs: 1 }, deliverer: { owner: 'replica-a', afterSend: () => Promise.reject(new Error('killed')) } });
    await expect(dying.deliver()).rejects.toThrow('killed');
    expect(f.messages(CHANNEL)).toHaveLength(1);

    // The other replica takes the summary over once the lease ran out, finds it in the channel and
    // records it; its thread's first reply is accepted, the second refused, so the thread is half there.
    clock += 61_000;
    const survivor = new SlackDelivery({ db: store.db, api, now, pacer: { minIntervalMs: 1 }, deliverer: { owner: 'replica-b' } });
    f.failNext('files.getUploadURLExternal', 'internal_error');
    const first = await survivor.deliver();
    expect(first.reconciled.map((r) => r.kind)).toEqual(['digest']);
    expect(first.failed.map((x) => x.row.kind)).toEqual(['digest-thread']);
    const summary = f.messages(CHANNEL)[0]!;
    const partial = f.thread(CHANNEL, summary.ts).length;
    expect(partial).toBeGreaterThan(0);
    expect(f.files()).toHaveLength(0);

    // After the backoff the thread row is sent again: the replies already there are not posted again.
    clock += 5 * 60_000;
    const second = await survivor.deliver();
    expect(second.posted.map((r) => r.kind)).toEqual(['digest-thread']);
    expect(f.messages(CHANNEL)).toHaveLength(1);
    // The replies already there, plus the chart's message.
    expect(f.thread(CHANNEL, summary.ts).length).toBe(partial + 1);
    expect(f.files().filter((file) => file.completed)).toHaveLength(1);
    expect(f.callsTo('conversations.replies')).toHaveLength(1);
    await survivor.stop();
    expect(f.violations).toEqual([]);
  });

  it('waits out a 429 on its summary and posts it once, paced', async () => {
    const f = (fake = await startFakeSlack());
    const store = new WatchStore(openTestDb());
    seed(store);
    await runDigest('monthly', CHANNEL, monthly(store, '2025-03-01T09:00:00Z'));
    f.rateLimitNext('chat.postMessage', 1);
    const started = Date.now();
    const report = await drainOutbox(store.db, f.url, { minIntervalMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(report.delivery.slack.pacer.rateLimited).toBe(1);
    expect(report.posted.map((r) => r.kind)).toEqual(['digest', 'digest-thread']);
    expect(report.failed).toEqual([]);
    expect(f.messages(CHANNEL)).toHaveLength(1);
    // The 429 was Slack refusing, not a send: one attempt counted.
    expect((await new SqliteOutbox(store.db).rows()).map((r) => r.attempts)).toEqual([1, 1]);
    // Calls in the channel keep the pacing interval, the resend after the 429 included.
    const posts = f.callsTo('chat.postMessage').map((c) => c.time);
    for (let i = 1; i < posts.length; i++) expect(posts[i]! - posts[i - 1]!).toBeGreaterThanOrEqual(290);
    expect(f.violations).toEqual([]);
  });
});

describe('weekly dependency updates with packages the registry knows nothing of', () => {
  it('counts and says them, and gives no all-clear while any is unknown', () => {
    const registry = new Map([['requests', project('requests', [release('2.31.0', '2023-05-22T00:00:00Z')])]]) as Map<string, ReturnType<typeof project> | null>;
    registry.set('ghost', null);
    // ghost pinned in two repositories is one package that could not be checked, not two.
    const digest = buildWeeklyDigest({
      repos: [
        { repo: 'octo/app', packages: [pkg('ghost', '1.0.0'), pkg('phantom', '2.0.0')] },
        { repo: 'octo/api', packages: [pkg('ghost', '1.0.0')] },
      ],
      registry,
      now: new Date('2025-03-03T09:00:00Z'),
    });
    expect(digest.unchecked).toBe(2);
    const layout = weeklyDigestLayout(digest, { timeZone: 'UTC' });
    expect(layout.summary.text).toContain('⚠️ 2 packages could not be checked for updates');
    expect(blockText(layout.summary.blocks)).toContain('2 packages could not be checked for updates: not on the index, or the registry did not answer for them.');
    expect(blockText(layout.details.blocks)).not.toContain('Everything is on its latest release. 🎉');
    expect(blockText(layout.details.blocks)).toContain('2 packages could not be checked for updates');
  });
});
