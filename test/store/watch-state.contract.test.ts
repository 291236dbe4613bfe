/**
 * The watch state's contract, run against both implementations: SQLite (two connections to one
 * file, as two processes would have) and the run's real PostgreSQL (two pools on one database, as
 * two replicas would have). Every case reads like what the sweep and the alerts rely on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findingKey, type Finding } from '../../src/audit/findings.js';
import type { OutboundMessage, OutboxRow } from '../../src/store/outbox/types.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import type { AuditRecord, FindingsUpdate, WatchStateStore } from '../../src/store/watch-state/types.js';
import { WatchStore, type AffectedRepo, type AlertRow } from '../../src/store/watches.js';
import { recordAlertDeliveries } from '../../src/watch/alerts.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { openTestDb, tempDbPath } from '../watch/helpers.js';

type Dialect = 'sqlite' | 'postgres';

/** `writePartialReasons`: writes the column's text as is, as a hand edit or another version would. */
async function openStores(dialect: Dialect): Promise<{ stores: [WatchStateStore, WatchStateStore]; close: () => Promise<void>; writePartialReasons: (repo: string, text: string) => Promise<void> }> {
  if (dialect === 'sqlite') {
    const path = tempDbPath();
    const dbs = [openTestDb(path), openTestDb(path)];
    return {
      stores: [new SqliteWatchState(new WatchStore(dbs[0]!)), new SqliteWatchState(new WatchStore(dbs[1]!))],
      close: async () => dbs.forEach((db) => db.close()),
      writePartialReasons: async (repo, text) => void dbs[0]!.prepare('UPDATE repo_state SET partial_reasons = ? WHERE repo = ?').run(text, repo),
    };
  }
  const database = await createTestDatabase();
  const pools = await Promise.all([database.open({ max: 4 }), database.open({ max: 4 })]);
  return {
    stores: [new PostgresWatchState(pools[0]!), new PostgresWatchState(pools[1]!)],
    close: () => database.drop(),
    writePartialReasons: async (repo, text) => void (await pools[0]!.query('UPDATE repo_state SET partial_reasons = $1 WHERE repo = $2', [text, repo])),
  };
}

const T0 = new Date('2026-03-02T09:00:00.000Z');
const later = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);
const CHANNEL = 'C0SECURITY1';

const vuln = (id: string, pkg: string, version: string): Finding => ({
  kind: 'vulnerability',
  severity: 'high',
  package: pkg,
  version,
  file: 'requirements.txt',
  line: 1,
  id,
  summary: `${pkg} is vulnerable`,
  fix: { version: '9.9.9', text: `upgrade ${pkg} to 9.9.9` },
});

const audit = (repo: string, sha: string, now: Date, mark: string | null = 'mark-1'): AuditRecord => ({
  repo,
  display: repo,
  htmlUrl: `https://github.com/${repo}`,
  private: false,
  sha,
  packages: [{ name: 'requests', version: '2.2.0', direct: true, entries: [{ file: 'requirements.txt', line: 1, kind: 'requirement', direct: true, specifier: '==2.2.0', group: 'main' }] }],
  ignores: [],
  dependencies: 1,
  now,
  advisoriesMark: mark,
});

const update = (repo: string, findings: Finding[], sha: string | null, now: Date, extra: Partial<FindingsUpdate> = {}): FindingsUpdate => ({ repo, findings, keyOf: findingKey, sha, now, baseline: false, ...extra });

const affected = (repo: string, fixedAt: string | null = null): AffectedRepo => ({
  repo,
  repoUrl: `https://github.com/${repo}`,
  version: '2.2.0',
  file: 'requirements.txt',
  line: 1,
  url: null,
  fix: 'upgrade',
  fixVersion: '9.9.9',
  fixedBySha: fixedAt ? 'abc' : null,
  fixedAt,
});

const post = (alert: AlertRow): OutboundMessage[] => [{ kind: 'advisory-alert', data: { alertId: alert.id }, channel: alert.channel, op: 'post', messageKey: alert.clientKey, idempotencyKey: alert.clientKey }];
const edit = (alert: AlertRow, version: string): OutboundMessage[] => [{ kind: 'advisory-alert', data: { alertId: alert.id, version }, channel: alert.channel, op: 'update', messageKey: alert.clientKey, idempotencyKey: `${alert.clientKey}@${version}` }];

describe.each<Dialect>(['sqlite', 'postgres'])('the watch state on %s', (dialect) => {
  let close: (() => Promise<void>) | undefined;
  let writePartialReasons: (repo: string, text: string) => Promise<void> = async () => undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  const open = async () => {
    const opened = await openStores(dialect);
    close = opened.close;
    writePartialReasons = opened.writePartialReasons;
    return opened.stores;
  };

  it('keeps each watch once, lists watched repositories once, and never takes back an admin link', async () => {
    const [a, b] = await open();
    expect(await a.addWatch({ repo: 'octo/b', channel: CHANNEL, userId: 'U1', private: true, adminLinked: true, now: T0 })).toBe(true);
    expect(await b.addWatch({ repo: 'octo/b', channel: CHANNEL, userId: 'U2', private: true, adminLinked: false, now: T0 })).toBe(false);
    await a.addWatch({ repo: 'octo/a', channel: 'C0OTHER0001', userId: 'U1', private: false, adminLinked: false, now: T0 });
    await a.addWatch({ repo: 'octo/b', channel: 'C0OTHER0001', userId: 'U1', private: false, adminLinked: false, now: T0 });
    expect(await b.watchedRepos()).toEqual(['octo/a', 'octo/b']);
    expect(await b.watchesForChannel(CHANNEL)).toEqual([{ repo: 'octo/b', channel: CHANNEL, addedBy: 'U1', addedAt: T0.toISOString(), private: true, adminLinked: true, baselineSaidAt: null, baselineSaid: null }]);
    // Every watch, by repository then channel: what pull-request reviews go by.
    expect((await a.allWatches()).map((w) => `${w.repo} ${w.channel}`)).toEqual(['octo/a C0OTHER0001', `octo/b ${CHANNEL}`, 'octo/b C0OTHER0001'].sort());
  });

  it('takes a baseline only from an audit that read the advisories, and keeps it', async () => {
    const [a, b] = await open();
    await a.recordAudit({ ...audit('octo/app', 'sha1', T0), advisoriesRead: false }, update('octo/app', [], 'sha1', T0, { baseline: true }));
    expect((await b.repoSummaries(['octo/app'])).get('octo/app')?.baselineAt).toBeNull();
    await b.recordAudit({ ...audit('octo/app', 'sha1', later(1)), advisoriesRead: true }, update('octo/app', [], 'sha1', later(1), { baseline: true }));
    await a.recordAudit({ ...audit('octo/app', 'sha2', later(2)), advisoriesRead: false }, update('octo/app', [], 'sha2', later(2)));
    expect((await a.repoStates(['octo/app'])).get('octo/app')?.baselineAt).toBe(later(1).toISOString());
  });

  it("tells a channel what a repository already had once per watch, whichever replica gets there first", async () => {
    const [a, b] = await open();
    await a.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: false, now: T0 });
    const said = (key: string): OutboundMessage => ({ kind: 'watch-started', data: { key }, channel: CHANNEL, op: 'post', messageKey: key, idempotencyKey: key });
    const told = await Promise.all([a.recordWatchStarted({ repo: 'octo/app', channel: CHANNEL, said: ['PYSEC-1'], now: later(1) }, [said('one')]), b.recordWatchStarted({ repo: 'octo/app', channel: CHANNEL, said: ['PYSEC-1'], now: later(1) }, [said('two')])]);
    expect(told.filter(Boolean)).toHaveLength(1);
    expect([await a.outbox.row('one'), await a.outbox.row('two')].filter((r) => r !== null)).toHaveLength(1);
    expect((await b.watchesForChannel(CHANNEL))[0]).toMatchObject({ baselineSaidAt: later(1).toISOString(), baselineSaid: ['PYSEC-1'] });
    // Not watched (any more): nothing to tell, nothing written.
    expect(await a.recordWatchStarted({ repo: 'octo/gone', channel: CHANNEL, said: [], now: later(2) }, [said('three')])).toBe(false);
    expect(await a.outbox.row('three')).toBeNull();
  });

  it('diffs audits against what was open: a baseline that never alerts, a new finding that does, a fix by its commit', async () => {
    const [a, b] = await open();
    const first = await a.recordAudit(audit('octo/app', 'sha1', T0), update('octo/app', [vuln('PYSEC-1', 'requests', '2.2.0')], 'sha1', T0, { baseline: true }));
    expect(first.added.map((f) => [f.advisoryId, f.alertable])).toEqual([['PYSEC-1', false]]);

    const second = await b.recordAudit(audit('octo/app', 'sha2', later(1)), update('octo/app', [vuln('PYSEC-1', 'requests', '2.2.0'), vuln('PYSEC-2', 'urllib3', '1.0')], 'sha2', later(1)));
    expect(second.added.map((f) => [f.advisoryId, f.alertable])).toEqual([['PYSEC-2', true]]);
    expect(second.stillOpen.map((f) => [f.advisoryId, f.firstSeen, f.alertable])).toEqual([['PYSEC-1', T0.toISOString(), false]]);

    const third = await a.recordAudit(audit('octo/app', 'sha3', later(2)), update('octo/app', [vuln('PYSEC-2', 'urllib3', '1.0')], 'sha3', later(2)));
    expect(third.fixed.map((f) => [f.advisoryId, f.fixedBySha, f.fixedAt])).toEqual([['PYSEC-1', 'sha3', later(2).toISOString()]]);
    expect((await b.openFindings('octo/app')).map((f) => f.advisoryId)).toEqual(['PYSEC-2']);

    const state = (await b.repoStates(['octo/app', 'octo/never'])).get('octo/app');
    expect(state).toMatchObject({ auditedSha: 'sha3', headOid: 'sha3', auditedAt: later(2).toISOString(), dependencies: 1, advisoriesMark: 'mark-1', error: null });
    expect(state!.packages[0]).toMatchObject({ name: 'requests', version: '2.2.0' });
  });

  it('counts open findings of some kinds per repository in one read, fixed ones and other kinds left out', async () => {
    const [a, b] = await open();
    const unpinned: Finding = { kind: 'unpinned', severity: 'low', package: 'flask', version: null, file: 'requirements.txt', line: 2, fix: { version: null, text: 'pin it' } };
    await a.recordAudit(audit('octo/app', 'sha1', T0), update('octo/app', [vuln('PYSEC-1', 'requests', '2.2.0'), vuln('PYSEC-2', 'urllib3', '1.0'), unpinned], 'sha1', T0));
    await a.recordAudit(audit('octo/lib', 'sha1', T0), update('octo/lib', [vuln('PYSEC-1', 'requests', '2.2.0')], 'sha1', T0));
    await a.recordAudit(audit('octo/lib', 'sha2', later(1)), update('octo/lib', [], 'sha2', later(1))); // fixed
    const counts = await b.openCounts(['octo/app', 'octo/lib', 'octo/never'], ['vulnerability', 'malicious']);
    expect([...counts]).toEqual([['octo/app', 2]]);
    expect((await b.openCounts(['octo/app'], ['unpinned'])).get('octo/app')).toBe(1);
    expect((await b.openCounts([], ['vulnerability'])).size).toBe(0);
  });

  it('counts the repositories using each package, for the typosquat rule, alike on every replica', async () => {
    const [a, b] = await open();
    expect(await b.packageUsage()).toEqual([]);
    // A release installed from outside the index (a git checkout) is rated, but its name is no use of a PyPI project.
    const fromGit = { ...audit('x', 's', T0).packages[0]!, name: 'internal-tool', outsideIndex: true as const };
    const twoPackages = { ...audit('octo/api', 'sha1', T0), packages: [...audit('x', 's', T0).packages, { ...audit('x', 's', T0).packages[0]!, name: 'flask' }, fromGit] };
    await a.recordAudit(audit('octo/app', 'sha1', T0), update('octo/app', [], 'sha1', T0, { baseline: true }));
    await a.recordAudit(twoPackages, update('octo/api', [], 'sha1', T0, { baseline: true }));
    expect((await b.packageUsage()).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { name: 'flask', repos: 1 },
      { name: 'requests', repos: 2 },
    ]);
  });

  it("moves a channel's package-health baseline only with the digest that was new, in its transaction", async () => {
    const [a, b] = await open();
    const digest = (key: string): OutboundMessage[] => [{ kind: 'digest', data: { key }, channel: CHANNEL, op: 'post', messageKey: key, idempotencyKey: key }];
    const snapshot = (verdict: 'ok' | 'avoid') => ({ package: 'fading', verdict, reasons: verdict === 'ok' ? [] : ['archived'], owners: ['alice'] });
    expect(await a.recordDigest(digest('weekly:1'), { channel: CHANNEL, snapshots: [snapshot('ok')] }, T0)).toBe(true);
    expect(await b.healthSeen(CHANNEL)).toEqual(new Map([['fading', snapshot('ok')]]));
    // A rerun of the same slot on the other replica writes nothing and leaves the baseline alone.
    expect(await b.recordDigest(digest('weekly:1'), { channel: CHANNEL, snapshots: [snapshot('avoid')] }, later(1))).toBe(false);
    expect((await a.healthSeen(CHANNEL)).get('fading')?.verdict).toBe('ok');
    expect(await b.recordDigest(digest('weekly:2'), { channel: CHANNEL, snapshots: [snapshot('avoid')] }, later(2))).toBe(true);
    expect((await a.healthSeen(CHANNEL)).get('fading')).toEqual(snapshot('avoid'));
    expect(await a.healthSeen('C0OTHER0001')).toEqual(new Map());
  });

  it('keeps open what an audit cannot vouch for', async () => {
    const [a] = await open();
    await a.recordAudit(audit('octo/app', 'sha1', T0), update('octo/app', [vuln('PYSEC-1', 'requests', '2.2.0'), vuln('PYSEC-2', 'urllib3', '1.0')], 'sha1', T0));
    const partial = await a.recordAudit(audit('octo/app', 'sha2', later(1)), update('octo/app', [], 'sha2', later(1), { mayClose: (f) => f.package !== 'urllib3' }));
    expect(partial.fixed.map((f) => f.advisoryId)).toEqual(['PYSEC-1']);
    const unread = await a.recordAudit(audit('octo/app', 'sha3', later(2)), update('octo/app', [], 'sha3', later(2), { closeMissing: false }));
    expect(unread.fixed).toEqual([]);
    expect((await a.openFindings('octo/app')).map((f) => f.advisoryId)).toEqual(['PYSEC-2']);
  });

  it('closes a finding whose file is now excluded as no longer checked, with its reason and no commit, and clears that when it is seen again', async () => {
    const [a, b] = await open();
    await a.recordAudit(audit('octo/app', 'sha1', T0), update('octo/app', [vuln('PYSEC-1', 'requests', '2.2.0'), vuln('PYSEC-2', 'urllib3', '1.0')], 'sha1', T0));
    const reason = 'excluded by .depwatch.yml (test data)';
    const excluded = await b.recordAudit(audit('octo/app', 'sha2', later(1)), update('octo/app', [], 'sha2', later(1), { closedReason: (f) => (f.package === 'urllib3' ? reason : null) }));
    expect(excluded.fixed.map((f) => [f.advisoryId, f.fixedBySha, f.closedReason])).toEqual([['PYSEC-1', 'sha2', null]]);
    expect(excluded.excluded.map((f) => [f.advisoryId, f.fixedBySha, f.closedReason])).toEqual([['PYSEC-2', null, reason]]);
    const stored = async () => (await a.findingsFor(['octo/app'])).map((f) => [f.advisoryId, f.fixedAt !== null, f.fixedBySha, f.closedReason]).sort();
    expect(await stored()).toEqual([['PYSEC-1', true, 'sha2', null], ['PYSEC-2', true, null, reason]]);
    // Seen again (the entry removed): open, without the reason.
    await a.recordAudit(audit('octo/app', 'sha3', later(2)), update('octo/app', [vuln('PYSEC-2', 'urllib3', '1.0')], 'sha3', later(2)));
    expect(await stored()).toEqual([['PYSEC-1', true, 'sha2', null], ['PYSEC-2', false, null, null]]);
    // Never fixed, only not looked at for a while: it keeps the day it was first seen (not "new this month").
    expect((await a.findingsFor(['octo/app'])).find((f) => f.advisoryId === 'PYSEC-2')!.firstSeen).toBe(T0.toISOString());
  });

  it('brings back a finding closed without a fix (ignored, excluded) as it was: a baseline one still does not alert, a fixed one seen again does', async () => {
    const [a, b] = await open();
    await a.recordAudit(audit('octo/app', 'sha1', T0), update('octo/app', [vuln('PYSEC-1', 'requests', '2.2.0'), vuln('PYSEC-2', 'urllib3', '1.0')], 'sha1', T0, { baseline: true }));
    const ignored = 'ignored in .depwatch.yml: not reachable';
    await b.recordAudit(audit('octo/app', 'sha2', later(1)), update('octo/app', [], 'sha2', later(1), { closedReason: (f) => (f.package === 'urllib3' ? ignored : null) }));
    await a.recordAudit(audit('octo/app', 'sha3', later(2)), update('octo/app', [vuln('PYSEC-1', 'requests', '2.2.0'), vuln('PYSEC-2', 'urllib3', '1.0')], 'sha3', later(2)));
    const rows = (await b.findingsFor(['octo/app'])).map((f) => [f.advisoryId, f.fixedAt, f.closedReason, f.alertable]).sort();
    expect(rows).toEqual([
      ['PYSEC-1', null, null, true],
      ['PYSEC-2', null, null, false],
    ]);
  });

  it('records checks, errors and re-matches for a fleet, each batch in one go', async () => {
    const [a, b] = await open();
    for (const repo of ['octo/a', 'octo/b']) await a.recordAudit(audit(repo, 'sha1', T0), update(repo, [vuln('PYSEC-1', 'requests', '2.2.0')], 'sha1', T0));
    await b.markChecked([
      { repo: 'octo/a', private: true, now: later(1), advisoriesMark: 'mark-2' },
      { repo: 'octo/b', private: false, now: later(1) },
    ]);
    await b.markError('octo/c', 'Not Found', later(1));
    const diffs = await a.recordRematches([
      { findings: update('octo/a', [], null, later(2)), checked: { repo: 'octo/a', private: true, now: later(2), advisoriesMark: 'mark-3' } },
      { findings: update('octo/b', [vuln('PYSEC-1', 'requests', '2.2.0'), vuln('PYSEC-9', 'requests', '2.2.0')], null, later(2)), checked: { repo: 'octo/b', private: false, now: later(2) } },
    ]);
    expect(diffs.map((d) => [d.added.map((f) => f.advisoryId), d.fixed.map((f) => f.advisoryId)])).toEqual([
      [[], ['PYSEC-1']],
      [['PYSEC-9'], []],
    ]);
    const states = await b.repoStates(['octo/a', 'octo/b', 'octo/c']);
    expect([...states.keys()]).toEqual(['octo/a', 'octo/b', 'octo/c']);
    expect(states.get('octo/a')).toMatchObject({ private: true, checkedAt: later(2).toISOString(), advisoriesMark: 'mark-3' });
    expect(states.get('octo/b')).toMatchObject({ advisoriesMark: 'mark-1', checkedAt: later(2).toISOString() });
    expect(states.get('octo/c')).toMatchObject({ error: 'Not Found', auditedSha: null, display: 'octo/c' });
    expect((await a.findingsFor(['octo/b', 'octo/a'], ['vulnerability'])).map((f) => [f.repo, f.advisoryId, f.fixedAt !== null])).toEqual([
      ['octo/b', 'PYSEC-1', false],
      ['octo/b', 'PYSEC-9', false],
      ['octo/a', 'PYSEC-1', true],
    ]);
    expect(await a.findingsFor(['octo/a'], ['outdated'])).toEqual([]);
  });

  it('remembers when a sweep last failed on a repository after a re-match clears the error, until an audit is stored', async () => {
    const [a, b] = await open();
    await a.recordAudit(audit('octo/app', 'sha1', T0), update('octo/app', [], 'sha1', T0, { baseline: true }));
    await b.markError('octo/app', 'GitHub answered 500', later(1));
    // The order of re-checks (rechecksAllowed) reads it: a re-check that threw goes to the back.
    await a.markChecked([{ repo: 'octo/app', private: false, now: later(2) }]);
    await b.recordRematches([{ findings: update('octo/app', [], null, later(3)), checked: { repo: 'octo/app', private: false, now: later(3), advisoriesMark: 'mark-2' } }]);
    expect((await a.repoStates(['octo/app'])).get('octo/app')).toMatchObject({ error: null, errorAt: later(1).toISOString(), checkedAt: later(3).toISOString() });
    await b.recordAudit(audit('octo/app', 'sha2', later(4)), update('octo/app', [], 'sha2', later(4)));
    expect((await a.repoStates(['octo/app'])).get('octo/app')).toMatchObject({ error: null, errorAt: null, auditedAt: later(4).toISOString() });
  });

  it("keeps a partial audit's reasons until a complete audit; a clean re-match clears only the advisory source's", async () => {
    const [a, b] = await open();
    const unread = { kind: 'unread' as const, text: 'poetry.lock:4 not read completely: not valid TOML' };
    const osvDown = { kind: 'advisories' as const, text: 'advisories unavailable (OSV answered 503): vulnerabilities were NOT checked' };
    await a.recordAudit({ ...audit('octo/app', 'sha1', T0), partialReasons: [unread, osvDown] }, update('octo/app', [], 'sha1', T0, { baseline: true }));
    expect((await b.repoSummaries(['octo/app'])).get('octo/app')?.partialReasons).toEqual([unread, osvDown]);
    // A re-match that could not be trusted (no mark given) checked nothing again.
    await b.markChecked([{ repo: 'octo/app', private: false, now: later(1) }]);
    expect((await a.repoStates(['octo/app'])).get('octo/app')?.partialReasons).toEqual([unread, osvDown]);
    await b.markChecked([{ repo: 'octo/app', private: false, now: later(2), advisoriesMark: null }]);
    expect((await a.repoStates(['octo/app'])).get('octo/app')?.partialReasons).toEqual([unread]);
    await b.markChecked([{ repo: 'octo/app', private: false, now: later(3), advisoriesMark: 'mark-2' }]);
    expect((await a.repoStates(['octo/app'])).get('octo/app')?.partialReasons).toEqual([unread]);
    // An error leaves them (the error is said first); a complete audit clears them.
    await a.markError('octo/app', 'Not Found', later(4));
    expect((await b.repoSummaries(['octo/app'])).get('octo/app')).toMatchObject({ error: 'Not Found', partialReasons: [unread] });
    await a.recordAudit(audit('octo/app', 'sha2', later(5)), update('octo/app', [], 'sha2', later(5)));
    expect((await b.repoSummaries(['octo/app'])).get('octo/app')).toMatchObject({ error: null, partialReasons: [] });
    await b.markChecked([{ repo: 'octo/app', private: false, now: later(6), advisoriesMark: 'mark-3' }]);
    expect((await a.repoStates(['octo/app'])).get('octo/app')?.partialReasons).toEqual([]);
  });

  it('keeps the reasons that decide a re-check when there are more than it stores, and counts those it left out', async () => {
    const [a, b] = await open();
    const lines = Array.from({ length: 25 }, (_, i) => ({ kind: 'unread' as const, text: `requirements.txt:${i + 2} could not be parsed`, transient: false }));
    const pypiDown = { kind: 'data-source' as const, text: 'package registry unavailable (PyPI answered 503): outdated and yanked releases were not checked', transient: true };
    const osvDown = { kind: 'advisories' as const, text: 'advisories unavailable (OSV answered 503)', transient: true };
    const unscanned = { kind: 'unscanned' as const, text: 'code and configuration were not scanned: HTTP 502', transient: true };
    await a.recordAudit({ ...audit('octo/app', 'sha1', T0), partialReasons: [...lines, pypiDown, osvDown, unscanned] }, update('octo/app', [], 'sha1', T0, { baseline: true }));
    const stored = (await b.repoStates(['octo/app'])).get('octo/app')?.partialReasons ?? [];
    expect(stored).toEqual([...lines.slice(0, 16), pypiDown, osvDown, unscanned, { kind: 'unread', text: '9 more not kept (only 20 reasons are stored)', transient: false, omitted: 9 }]);
    expect((await b.repoSummaries(['octo/app'])).get('octo/app')?.partialReasons).toEqual(stored);
    // A clean re-match drops the advisories reason and keeps the count.
    await b.markChecked([{ repo: 'octo/app', private: false, now: later(1), advisoriesMark: 'mark-2' }]);
    expect((await a.repoStates(['octo/app'])).get('octo/app')?.partialReasons).toEqual(stored.filter((r) => r.kind !== 'advisories'));
  });

  it.each(['not JSON', '{"kind":"unread","text":"x"}', '["x"]', '[{"kind":"unread"}]', '42'])('reads damaged stored reasons %s as one reason, and a clean re-match neither fails on them nor cleans them', async (damaged) => {
    const [a, b] = await open();
    const osvDown = { kind: 'advisories' as const, text: 'advisories unavailable (OSV answered 503)' };
    await a.recordAudit({ ...audit('octo/app', 'sha1', T0), partialReasons: [osvDown] }, update('octo/app', [], 'sha1', T0, { baseline: true }));
    await a.recordAudit({ ...audit('octo/lib', 'sha1', T0), partialReasons: [osvDown] }, update('octo/lib', [], 'sha1', T0, { baseline: true }));
    await writePartialReasons('octo/app', damaged);
    const unreadable = [{ kind: 'unread', text: 'stored reasons could not be read' }];
    expect((await b.repoSummaries(['octo/app'])).get('octo/app')?.partialReasons).toEqual(unreadable);
    expect((await b.repoStates(['octo/app'])).get('octo/app')?.partialReasons).toEqual(unreadable);
    // One commit for the fleet: the damaged row does not fail the other repository's bookkeeping.
    await b.markChecked([
      { repo: 'octo/app', private: false, now: later(1), advisoriesMark: 'mark-2' },
      { repo: 'octo/lib', private: false, now: later(1), advisoriesMark: 'mark-2' },
    ]);
    const states = await a.repoStates(['octo/app', 'octo/lib']);
    expect(states.get('octo/app')).toMatchObject({ advisoriesMark: 'mark-2', partialReasons: unreadable });
    expect(states.get('octo/lib')).toMatchObject({ advisoriesMark: 'mark-2', partialReasons: [] });
  });

  it('keeps a run of partial sweeps from its first one until a complete sweep ends it, for every replica', async () => {
    const [a, b] = await open();
    expect(await b.sweepProblems()).toBeNull();
    await a.recordSweepProblems([], T0); // complete, with nothing before it: nothing to say
    expect(await b.sweepProblems()).toBeNull();
    await a.recordSweepProblems(['advisory refresh failed (OSV answered 503)'], later(1));
    await b.recordSweepProblems(['re-matching failed (worker ran out of memory)', 'sweep batch 2 of 3 failed'], later(2));
    expect(await a.sweepProblems()).toEqual({ problems: ['re-matching failed (worker ran out of memory)', 'sweep batch 2 of 3 failed'], more: 0, since: later(1).toISOString(), problemsSince: later(2).toISOString(), lastAt: later(2).toISOString(), recoveredAt: null, previousRecoveredAt: null });
    await a.recordSweepProblems([], later(3));
    expect(await b.sweepProblems()).toMatchObject({ problems: [], since: later(1).toISOString(), recoveredAt: later(3).toISOString(), previousRecoveredAt: null });
    await b.recordSweepProblems([], later(4)); // still complete: the run stays recovered when it was
    expect(await a.sweepProblems()).toMatchObject({ since: later(1).toISOString(), recoveredAt: later(3).toISOString() });
    await b.recordSweepProblems([`token ghp_${'c'.repeat(36)} refused`], later(5));
    expect(await a.sweepProblems()).toEqual({ problems: [expect.not.stringContaining('c'.repeat(36))], more: 0, since: later(5).toISOString(), problemsSince: later(5).toISOString(), lastAt: later(5).toISOString(), recoveredAt: null, previousRecoveredAt: later(3).toISOString() });
    // The next recovery is the last one.
    await a.recordSweepProblems([], later(6));
    expect(await b.sweepProblems()).toMatchObject({ since: later(5).toISOString(), recoveredAt: later(6).toISOString(), previousRecoveredAt: null });
  });

  it("keeps what the pull-request reviews could not list for the next sweep on any replica, beside the sweep's own problems and apart from them", async () => {
    const [a, b] = await open();
    expect(await b.pullListingProblems()).toBeNull();
    await a.recordSweepProblems(['advisory refresh failed (OSV answered 503)'], later(1));
    expect(await a.changePullListingProblems(null, '{"failing":[{"repo":"octo/app"}],"notices":[]}', [], later(1))).toBe(0);
    expect(await b.changePullListingProblems('{"failing":[{"repo":"octo/app"}],"notices":[]}', '{"failing":[],"notices":[]}', [], later(2))).toBe(0);
    expect(await a.pullListingProblems()).toBe('{"failing":[],"notices":[]}');
    expect(await b.sweepProblems()).toMatchObject({ problems: ['advisory refresh failed (OSV answered 503)'], since: later(1).toISOString(), recoveredAt: null });
    await b.recordSweepProblems([], later(3));
    expect(await a.pullListingProblems()).toBe('{"failing":[],"notices":[]}');
  });

  it('records what the pull-request reviews could not list, with its messages, only over the text it was decided from, even when two replicas race', async () => {
    const [a, b] = await open();
    const notice = (key: string): OutboundMessage[] => [{ kind: 'pull-requests-not-listed', data: { key }, channel: CHANNEL, op: 'post', messageKey: key, idempotencyKey: key }];
    // Both read nothing kept yet, and both post: one of them is written.
    const first = await Promise.all([
      a.changePullListingProblems(null, '{"by":"a"}', notice('pr-not-listed:a'), later(1)),
      b.changePullListingProblems(null, '{"by":"b"}', notice('pr-not-listed:b'), later(1)),
    ]);
    expect([...first].sort()).toEqual([1, null]);
    const won = first[0] === 1 ? 'a' : 'b';
    expect(await b.pullListingProblems()).toBe(`{"by":"${won}"}`);
    // Both decide from what won; again one of them is written.
    const second = await Promise.all([
      a.changePullListingProblems(`{"by":"${won}"}`, '{"by":"a2"}', notice('pr-not-listed:a2'), later(2)),
      b.changePullListingProblems(`{"by":"${won}"}`, '{"by":"b2"}', notice('pr-not-listed:b2'), later(2)),
    ]);
    expect([...second].sort()).toEqual([1, null]);
    const won2 = second[0] === 1 ? 'a2' : 'b2';
    // A decision from a text that is no longer kept writes nothing.
    expect(await a.changePullListingProblems(null, '{"by":"late"}', notice('pr-not-listed:late'), later(3))).toBeNull();
    expect(await a.changePullListingProblems(`{"by":"${won}"}`, '{"by":"late"}', notice('pr-not-listed:late'), later(3))).toBeNull();
    expect(await a.pullListingProblems()).toBe(`{"by":"${won2}"}`);
    expect((await b.outbox.rows({ channel: CHANNEL })).map((r) => r.idempotencyKey)).toEqual([`pr-not-listed:${won}`, `pr-not-listed:${won2}`]);
  });

  it('keeps the messages naming pull requests not reviewed for the next sweep on any replica, apart from what could not be listed', async () => {
    const [a, b] = await open();
    expect(await b.pullNotReviewedNotices()).toBeNull();
    expect(await a.changePullListingProblems(null, '{"failing":[],"notices":[]}', [], later(1))).toBe(0);
    // The listing's row being there already is not this one's: nothing was read, nothing is kept.
    expect(await a.changePullNotReviewedNotices(null, '{"notices":[{"channel":"C1","key":"pr-review-not-reviewed:C1:ab"}]}', [], later(1))).toBe(0);
    expect(await b.pullNotReviewedNotices()).toBe('{"notices":[{"channel":"C1","key":"pr-review-not-reviewed:C1:ab"}]}');
    expect(await b.changePullNotReviewedNotices('{"notices":[{"channel":"C1","key":"pr-review-not-reviewed:C1:ab"}]}', '{"notices":[]}', [], later(2))).toBe(0);
    expect(await a.pullNotReviewedNotices()).toBe('{"notices":[]}');
    expect(await a.pullListingProblems()).toBe('{"failing":[],"notices":[]}');
    // Nor is this row the listing's: each is compared with what was read of it alone.
    expect(await b.changePullListingProblems('{"notices":[]}', '{"failing":[{"repo":"octo/app"}],"notices":[]}', [], later(2))).toBeNull();
    expect(await a.pullListingProblems()).toBe('{"failing":[],"notices":[]}');
    await b.recordSweepProblems(['advisory refresh failed (OSV answered 503)'], later(3));
    expect(await a.pullNotReviewedNotices()).toBe('{"notices":[]}');
    expect(await a.sweepProblems()).toMatchObject({ problems: ['advisory refresh failed (OSV answered 503)'], since: later(3).toISOString() });
  });

  it('records the messages naming pull requests not reviewed, with their posts and edits, only over the text they were decided from, even when two replicas race', async () => {
    const [a, b] = await open();
    const message = (key: string, op: 'post' | 'update' = 'post', edit = key): OutboundMessage[] => [{ kind: 'pull-requests-not-reviewed', data: { key }, channel: CHANNEL, op, messageKey: key, idempotencyKey: edit }];
    // Both read nothing kept yet, and both post (each saw other pull requests: other keys): one of them is written.
    const first = await Promise.all([
      a.changePullNotReviewedNotices(null, '{"by":"a"}', message('pr-review-not-reviewed:a'), later(1)),
      b.changePullNotReviewedNotices(null, '{"by":"b"}', message('pr-review-not-reviewed:b'), later(1)),
    ]);
    expect([...first].sort()).toEqual([1, null]);
    const won = first[0] === 1 ? 'a' : 'b';
    expect(await a.pullNotReviewedNotices()).toBe(`{"by":"${won}"}`);
    // Both decide from what won: one says it is over, the other would edit it back; one of them is written.
    const second = await Promise.all([
      a.changePullNotReviewedNotices(`{"by":"${won}"}`, '{"by":"a2"}', message(`pr-review-not-reviewed:${won}`, 'update', `pr-review-not-reviewed:${won}:over`), later(2)),
      b.changePullNotReviewedNotices(`{"by":"${won}"}`, '{"by":"b2"}', message(`pr-review-not-reviewed:${won}`, 'update', `pr-review-not-reviewed:${won}:changed@2`), later(2)),
    ]);
    expect([...second].sort()).toEqual([1, null]);
    const won2 = second[0] === 1 ? 'a2' : 'b2';
    // A decision from a text that is no longer kept writes nothing, not even what it keeps.
    expect(await b.changePullNotReviewedNotices(null, '{"by":"late"}', message('pr-review-not-reviewed:late'), later(3))).toBeNull();
    expect(await b.changePullNotReviewedNotices(`{"by":"${won}"}`, '{"by":"late"}', [], later(3))).toBeNull();
    expect(await b.pullNotReviewedNotices()).toBe(`{"by":"${won2}"}`);
    expect((await a.outbox.rows({ channel: CHANNEL })).map((r) => r.idempotencyKey)).toEqual([`pr-review-not-reviewed:${won}`, `pr-review-not-reviewed:${won}:${won2 === 'a2' ? 'over' : 'changed@2'}`]);
    expect(await a.pullListingProblems()).toBeNull();
  });

  it('keeps since when a run has had its current problems, and how many it had beyond those it keeps, for every replica', async () => {
    const [a, b] = await open();
    const batches = (n: number) => Array.from({ length: n }, (_, i) => `sweep batch ${i + 1} of ${n} failed`);
    await a.recordSweepProblems(['advisory refresh failed (OSV answered 503)'], later(1));
    await b.recordSweepProblems(['advisory refresh failed (OSV answered 503)'], later(2));
    expect(await a.sweepProblems()).toMatchObject({ since: later(1).toISOString(), problemsSince: later(1).toISOString(), lastAt: later(2).toISOString() });
    await a.recordSweepProblems(batches(12), later(3));
    await b.recordSweepProblems(batches(12), later(4));
    expect(await b.sweepProblems()).toMatchObject({ problems: batches(12).slice(0, 10), more: 2, since: later(1).toISOString(), problemsSince: later(3).toISOString(), lastAt: later(4).toISOString() });
    await b.recordSweepProblems(['advisory refresh failed (OSV answered 503)'], later(5));
    expect(await a.sweepProblems()).toMatchObject({ more: 0, problemsSince: later(5).toISOString() });
    await a.recordSweepProblems([], later(6));
    expect(await b.sweepProblems()).toMatchObject({ problems: [], more: 0, since: later(1).toISOString(), recoveredAt: later(6).toISOString() });
  });

  it('keeps problemsSince while the problems mean the same, whatever their details, and stores the latest, for every replica', async () => {
    const [a, b] = await open();
    await a.recordSweepProblems(['advisory refresh failed (connect ETIMEDOUT after 30012 ms); matched against the data already held'], later(1));
    await b.recordSweepProblems(['advisory refresh failed (HTTP 503 (Service Unavailable), request 4f1c); matched against the data already held'], later(2));
    expect(await a.sweepProblems()).toMatchObject({ problems: [expect.stringContaining('HTTP 503')], problemsSince: later(1).toISOString(), lastAt: later(2).toISOString() });
    // Which batch was lost, and how many, is a detail too; a problem of another kind is not.
    await a.recordSweepProblems(['sweep batch 2 of 4 failed (job 12 lost): its 250 repositories were not swept'], later(3));
    await b.recordSweepProblems(['sweep batch 1 of 4 failed (job 31 lost): its 250 repositories were not swept', 'sweep batch 4 of 4 failed (job 34 lost): its 17 repositories were not swept'], later(4));
    expect(await a.sweepProblems()).toMatchObject({ problems: [expect.stringContaining('batch 1 of 4'), expect.stringContaining('batch 4 of 4')], problemsSince: later(3).toISOString() });
    await b.recordSweepProblems(['re-matching failed (worker ran out of memory): unchanged repositories were not re-checked'], later(5));
    expect(await a.sweepProblems()).toMatchObject({ problemsSince: later(5).toISOString() });
  });

  it('masks secrets in a stored sweep error and cuts it to 300 characters', async () => {
    const [a, b] = await open();
    await a.markError('octo/app', `refused https://u:ghp_${'b'.repeat(36)}@github.com/x ${'.'.repeat(900)}`, T0);
    const error = (await b.repoSummaries(['octo/app'])).get('octo/app')?.error ?? '';
    expect(error).toMatch(/^refused https:\/\//);
    expect(error).not.toContain('b'.repeat(36));
    expect(error).toHaveLength(300);
  });

  it('reads repository summaries that match the whole state on the columns they cover, without the stored packages', async () => {
    const [a, b] = await open();
    await a.recordAudit({ ...audit('octo/app', 'sha1', T0), display: 'Octo/App', dependencies: 7 }, update('octo/app', [], 'sha1', T0, { baseline: true }));
    await a.recordAudit(audit('octo/lib', 'sha1', T0), update('octo/lib', [], 'sha1', T0, { baseline: true }));
    await a.markChecked([{ repo: 'octo/lib', private: true, now: later(1) }]);
    await a.markError('octo/gone', 'Not Found', later(1));
    const asked = ['octo/gone', 'octo/app', 'octo/never', 'octo/lib'];
    const states = await b.repoStates(asked);
    const summaries = await b.repoSummaries(asked);
    expect([...summaries.keys()]).toEqual(['octo/gone', 'octo/app', 'octo/lib']);
    for (const [repo, state] of states) {
      const { repo: name, display, htmlUrl, private: isPrivate, auditedSha, dependencies, error, checkedAt, partialReasons, baselineAt } = state;
      expect(summaries.get(repo)).toStrictEqual({ repo: name, display, htmlUrl, private: isPrivate, auditedSha, dependencies, error, checkedAt, partialReasons, baselineAt });
    }
    expect(summaries.get('octo/app')).toMatchObject({ display: 'Octo/App', dependencies: 7, auditedSha: 'sha1', private: false });
    expect(summaries.get('octo/lib')).toMatchObject({ private: true, checkedAt: later(1).toISOString() });
    expect(summaries.get('octo/gone')).toMatchObject({ error: 'Not Found', auditedSha: null });
    expect(await b.repoSummaries([])).toEqual(new Map());
  });

  it('reads channel settings and ignores as audit rules, one per advisory and package whatever its case', async () => {
    const [a, b] = await open();
    expect(await a.channelUnknownAs(CHANNEL)).toBeNull();
    await a.setChannelUnknownAs(CHANNEL, 'medium', 'U1', T0);
    expect(await b.channelUnknownAs(CHANNEL)).toBe('medium');
    await a.addIgnore({ channel: CHANNEL, advisory: 'pysec-1', package: null, reason: 'not reachable', until: null, userId: 'U1', now: T0 });
    await b.addIgnore({ channel: CHANNEL, advisory: 'PYSEC-1', package: null, reason: 'still not reachable', until: '2026-12-31', userId: 'U1', now: T0 });
    await b.addIgnore({ channel: CHANNEL, advisory: 'PYSEC-1', package: 'requests', reason: 'vendored', until: null, userId: 'U1', now: T0 });
    expect((await a.ignoreRulesForChannel(CHANNEL)).map((r) => [r.id, r.package, r.reason, r.until, r.source]).sort()).toEqual(
      [
        ['PYSEC-1', null, 'still not reachable', '2026-12-31', `channel ${CHANNEL}`],
        ['PYSEC-1', 'requests', 'vendored', null, `channel ${CHANNEL}`],
      ].sort(),
    );
  });

  it('keeps the channel commands’ settings where every replica reads them: watches removed, time zone, schedules, ignores', async () => {
    const [a, b] = await open();
    await a.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: T0 });
    await a.addWatch({ repo: 'octo/api', channel: 'C0QUIET0001', userId: 'U1', private: false, adminLinked: true, now: T0 });
    // A new channel gets the default schedules, enabled.
    expect((await b.schedulesForChannel(CHANNEL)).map((s) => [s.kind, s.cron, s.enabled, s.updatedBy])).toEqual([
      ['alerts', '0 * * * *', true, 'default'],
      ['monthly', '0 9 1 * *', true, 'default'],
      ['quarterly', '0 9 1 1,4,7,10 *', true, 'default'],
      ['weekly', '0 9 * * 1', true, 'default'],
    ]);
    expect(await b.channelTimeZone(CHANNEL)).toBeNull();
    await a.setChannelTimeZone(CHANNEL, 'Europe/Berlin', 'U2', later(1));
    expect(await b.channelTimeZone(CHANNEL)).toBe('Europe/Berlin');
    await a.setSchedule({ channel: CHANNEL, kind: 'weekly', cron: '30 8 * * 2', userId: 'U2', now: later(1) });
    await b.setSchedule({ channel: CHANNEL, kind: 'monthly', cron: null, userId: 'U2', now: later(1) });
    const schedules = await a.schedulesForChannel(CHANNEL);
    expect(schedules.find((s) => s.kind === 'weekly')).toMatchObject({ cron: '30 8 * * 2', enabled: true, updatedBy: 'U2', updatedAt: later(1).toISOString() });
    // Off keeps its cron, for when it is turned on again.
    expect(schedules.find((s) => s.kind === 'monthly')).toMatchObject({ cron: '0 9 1 * *', enabled: false });
    expect((await b.activeSchedules()).map((s) => `${s.channel} ${s.kind}`)).toEqual([
      `${CHANNEL} alerts`, `${CHANNEL} quarterly`, `${CHANNEL} weekly`,
      'C0QUIET0001 alerts', 'C0QUIET0001 monthly', 'C0QUIET0001 quarterly', 'C0QUIET0001 weekly',
    ].sort());
    // A channel that watches nothing any more runs no schedule.
    expect(await b.removeWatch({ repo: 'octo/api', channel: 'C0QUIET0001', userId: 'U1', now: later(2) })).toBe(true);
    expect(await a.removeWatch({ repo: 'octo/api', channel: 'C0QUIET0001', userId: 'U1', now: later(2) })).toBe(false);
    expect((await a.activeSchedules()).every((s) => s.channel === CHANNEL)).toBe(true);
    await a.addIgnore({ channel: CHANNEL, advisory: 'PYSEC-1', package: null, reason: 'not reachable', until: null, userId: 'U1', now: T0 });
    await a.addIgnore({ channel: CHANNEL, advisory: 'PYSEC-1', package: 'requests', reason: 'vendored', until: '2026-12-31', userId: 'U1', now: T0 });
    await a.addIgnore({ channel: CHANNEL, advisory: 'PYSEC-2', package: null, reason: 'test only', until: null, userId: 'U3', now: T0 });
    expect((await b.ignoresForChannel(CHANNEL)).map((i) => [i.advisory, i.package, i.reason, i.until, i.createdBy])).toEqual([
      ['PYSEC-1', null, 'not reachable', null, 'U1'],
      ['PYSEC-1', 'requests', 'vendored', '2026-12-31', 'U1'],
      ['PYSEC-2', null, 'test only', null, 'U3'],
    ].sort((x, y) => String(x).localeCompare(String(y))));
    expect(await b.removeIgnore({ channel: CHANNEL, advisory: 'pysec-1', userId: 'U1', now: later(3) })).toBe(2);
    expect((await a.ignoresForChannel(CHANNEL)).map((i) => i.advisory)).toEqual(['PYSEC-2']);
  });

  it('records a (channel, advisory) alert once, with its outbox post, even when two replicas race', async () => {
    const [a, b] = await open();
    const input = { channel: CHANNEL, advisoryId: 'PYSEC-2', affected: [affected('octo/app')], now: T0 };
    const raced = await Promise.all([a.recordAlert(input, post), b.recordAlert(input, post), a.recordAlert(input, post), b.recordAlert(input, post)]);
    const winners = raced.filter((r): r is AlertRow => r !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ channel: CHANNEL, advisoryId: 'PYSEC-2', clientKey: `${CHANNEL}:PYSEC-2`, state: 'recorded', messageTs: null, affected: input.affected });
    expect(await b.recordAlert({ ...input, now: later(1) }, post)).toBeNull();
    const rows = await a.outbox.rows({ channel: CHANNEL });
    expect(rows.map((r) => [r.op, r.idempotencyKey, r.data])).toEqual([['post', `${CHANNEL}:PYSEC-2`, { alertId: winners[0]!.id }]]);
    expect(await b.alertsForChannel(CHANNEL)).toEqual([winners[0]]);
    expect(await b.alert(winners[0]!.id)).toEqual(winners[0]);
  });

  it('alerts a code finding once per repository, whichever replica sees it first and however often it is seen', async () => {
    const [a, b] = await open();
    const secret = { rule: 'secret-github-token', file: 'app/bot.py', fingerprint: 'f1' };
    const risky = { rule: 'py-eval-exec', file: 'app/views.py', fingerprint: 'h:2' };
    const announce = (fresh: { rule: string }[]): OutboundMessage[] => [{ kind: 'secret-alert', data: { rules: fresh.map((f) => f.rule) }, channel: CHANNEL, op: 'post', messageKey: 'secret:octo/app:sha1', idempotencyKey: 'secret:octo/app:sha1' }];
    const input = { repo: 'octo/app', sha: 'sha1', findings: [secret, risky], now: T0 };
    const raced = await Promise.all([a.recordCodeFindings(input, announce), b.recordCodeFindings(input, announce)]);
    // Both found new by one replica, which announced them in one message; the other found none.
    expect(raced.map((r) => r.length).sort()).toEqual([0, 2]);
    expect(raced.flat()).toEqual([risky, secret]);
    // A later commit with the same two and one new: only the new one, announced on its own.
    const later2 = { rule: 'secret-aws-key', file: 'deploy/env.py', fingerprint: 'f3' };
    const next = await b.recordCodeFindings({ repo: 'octo/app', sha: 'sha2', findings: [secret, risky, later2], now: later(1) }, (fresh) => [
      { kind: 'secret-alert', data: { rules: fresh.map((f) => f.rule) }, channel: CHANNEL, op: 'post', messageKey: 'secret:octo/app:sha2', idempotencyKey: 'secret:octo/app:sha2' },
    ]);
    expect(next).toEqual([later2]);
    // The same finding in another repository is that repository's own.
    expect(await a.recordCodeFindings({ repo: 'octo/api', sha: 'sha9', findings: [secret], now: later(2) }, () => [])).toEqual([secret]);
    const rows = await a.outbox.rows({ channel: CHANNEL });
    expect(rows.map((r) => r.idempotencyKey)).toEqual(['secret:octo/app:sha1', 'secret:octo/app:sha2']);
    expect(rows[1]!.data).toEqual({ rules: ['secret-aws-key'] });
    expect(rows[0]!.data).toEqual({ rules: ['py-eval-exec', 'secret-github-token'] });
  });

  it('changes an alert only as it was read: a replica deciding from a stale read writes nothing', async () => {
    const [a, b] = await open();
    const alert = (await a.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-2', affected: [affected('octo/app')], now: T0 }, post))!;
    const grown = [affected('octo/app'), affected('octo/lib')];
    const [first, second] = await Promise.all([
      a.changeAlert(alert, { affected: grown, resolved: false, now: later(1) }, edit(alert, 'a')),
      b.changeAlert(alert, { affected: grown, resolved: false, now: later(1) }, edit(alert, 'b')),
    ]);
    expect([first, second].sort()).toEqual([false, true]);
    expect((await a.outbox.rows({ channel: CHANNEL })).map((r) => r.op)).toEqual(['post', 'update']);

    const current = (await b.alert(alert.id))!;
    expect(current).toMatchObject({ state: 'recorded', affected: grown });
    const fixed = grown.map((x) => ({ ...x, fixedAt: later(2).toISOString() }));
    expect(await b.changeAlert(current, { affected: fixed, resolved: true, now: later(2) }, edit(alert, 'resolved'))).toBe(true);
    expect(await b.alert(alert.id)).toMatchObject({ state: 'resolved', resolvedAt: later(2).toISOString(), affected: fixed });
    const resolved = (await a.alert(alert.id))!;
    expect(await a.changeAlert(resolved, { affected: grown, resolved: false, now: later(3) }, edit(alert, 'reopened'))).toBe(true);
    expect(await a.alert(alert.id)).toMatchObject({ state: 'posted', resolvedAt: null, affected: grown });
  });

  it('copies what the outbox delivered onto the alert: its ts, or its failure', async () => {
    const [a, b] = await open();
    const one = (await a.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-1', affected: [affected('octo/app')], now: T0 }, post))!;
    const two = (await a.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-2', affected: [affected('octo/app')], now: T0 }, post))!;
    await b.recordAlertMessage(one.id, '1700000000.000100', later(1));
    await b.markAlertFailure(two.id, 'channel_not_found', true, later(1));
    expect(await a.alert(one.id)).toMatchObject({ state: 'posted', messageTs: '1700000000.000100', postedAt: later(1).toISOString() });
    expect(await a.alert(two.id)).toMatchObject({ state: 'failed', attempts: 1, lastError: 'channel_not_found' });
    expect(await a.announce(post(one), later(2))).toBe(0);
  });

  it('reads outbox rows by their keys in one read, from any replica', async () => {
    const [a, b] = await open();
    const message = (key: string, channel = CHANNEL): OutboundMessage => ({ kind: 'advisory-alert', data: { key }, channel, op: 'post', messageKey: key, idempotencyKey: key });
    await a.outbox.enqueue([message('k1'), message('k2'), message('k3', 'C0OTHER0001')], T0);
    const rows = await b.outbox.rowsByKey(['k3', 'k1', 'missing', 'k1']);
    expect([...rows.keys()].sort()).toEqual(['k1', 'k3']);
    expect(rows.get('k3')).toMatchObject({ idempotencyKey: 'k3', channel: 'C0OTHER0001', state: 'pending', data: { key: 'k3' } });
    expect(rows.get('k1')).toEqual(await a.outbox.row('k1'));
    expect((await b.outbox.rowsByKey([])).size).toBe(0);
  });

  it('copies every delivery onto the channel’s alerts with one read of the outbox: own posts, refusals, and dependency messages', async () => {
    const [a, b] = await open();
    const dependencyKey = `dependency:${CHANNEL}:octo/app:requests@2.2.0:${T0.toISOString()}`;
    const saidByDependency = { ...affected('octo/app'), announcedWith: dependencyKey };
    const posted = (await a.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-1', affected: [affected('octo/app')], now: T0 }, post))!;
    const refused = (await a.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-2', affected: [affected('octo/app')], now: T0 }, post))!;
    const onlyDependency = (await a.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-3', affected: [saidByDependency], now: T0 }, () => []))!;
    const thenOwn = (await a.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-4', affected: [saidByDependency], now: T0 }, post))!;
    await a.recordAlertMessage(thenOwn.id, '1700000000.000300', T0);
    await a.outbox.enqueue([{ kind: 'dependency-advisories', data: {}, channel: CHANNEL, op: 'post', messageKey: dependencyKey, idempotencyKey: dependencyKey }], T0);
    // The deliverer's work: every post but the refused one in Slack.
    const claimed = await a.outbox.claim({ owner: 'test', now: later(1), leaseMs: 60_000, limit: 10, channel: CHANNEL });
    const ts: Record<string, string> = { [posted.clientKey]: '1700000000.000100', [dependencyKey]: '1700000000.000300', [thenOwn.clientKey]: '1700000000.000400' };
    for (const row of claimed) {
      expect(await a.outbox.beginSend(row, later(1), 60_000)).toBe(true);
      const sent = { ...row, state: 'posting' } as OutboxRow;
      if (row.idempotencyKey === refused.clientKey) await a.outbox.release(sent, { error: 'channel_not_found', retryAt: later(2), giveUp: true, failure: 'permanent', now: later(1) });
      else await a.outbox.recordPosted(sent, ts[row.idempotencyKey]!, later(1));
    }

    const reads: string[] = [];
    const outbox = new Proxy(b.outbox, {
      get: (target, name, receiver) => {
        if (name === 'row' || name === 'rowsByKey' || name === 'rows') reads.push(String(name));
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await recordAlertDeliveries(CHANNEL, Object.assign(Object.create(b) as WatchStateStore, { outbox }), later(2));
    expect(reads).toEqual(['rowsByKey']);
    expect(await a.alert(posted.id)).toMatchObject({ state: 'posted', messageTs: '1700000000.000100' });
    expect(await a.alert(refused.id)).toMatchObject({ state: 'failed', lastError: 'channel_not_found' });
    expect(await a.alert(onlyDependency.id)).toMatchObject({ state: 'posted', messageTs: '1700000000.000300' });
    // Said by the dependency message, then posted on its own: its own message is the one to reply under.
    expect(await a.alert(thenOwn.id)).toMatchObject({ messageTs: '1700000000.000400' });
  });

  it('is ready when its schema is this build’s', async () => {
    const [a] = await open();
    expect(await a.health()).toEqual({ ok: true });
  });
});
