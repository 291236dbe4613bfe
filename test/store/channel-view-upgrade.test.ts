/**
 * Upgrading a database that already watches repositories to each channel's view (SQLite migration
 * 040, PostgreSQL 020: repo_findings.new_since, watches.baseline_said_ids, nullable ADD COLUMNs).
 * A channel told what a repository had before the list of what it was told was kept keeps the rule
 * of its time: a finding closed then and reopened after the upgrade is not alerted (an upgrade
 * posts nothing), and the rows read as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findingKey, type Finding } from '../../src/audit/findings.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import type { WatchStateStore } from '../../src/store/watch-state/types.js';
import { WatchStore } from '../../src/store/watches.js';
import { decideAlerts } from '../../src/watch/alerts.js';
import { announceWatchesStarted } from '../../src/watch/watch-started.js';
import { postgresUpgradedFrom, sqliteUpgradedFrom } from '../helpers/upgrade.js';

const CHANNEL = 'C0SECURITY1';
const WATCHED_AT = '2026-01-05T09:00:00.000Z';
const FIRST_SEEN = '2026-01-05T10:00:00.000Z';
const EXCLUDED_AT = '2026-02-01T09:00:00.000Z';
const NOW = new Date('2026-03-02T09:00:00.000Z');

const vuln = (id: string, pkg: string): Finding => ({
  kind: 'vulnerability',
  severity: 'high',
  package: pkg,
  version: '1.0',
  file: 'requirements.txt',
  line: 1,
  id,
  summary: `${pkg} is vulnerable`,
  fix: { version: '9.9.9', text: `upgrade ${pkg} to 9.9.9` },
});
const OPEN = vuln('PYSEC-1', 'urllib3');
const EXCLUDED = vuln('PYSEC-2', 'django');

/** What the older version stored: the repository baselined, the channel told, one baseline finding open and one closed since (its file excluded). */
const SEED: Array<[string, unknown[]]> = [
  ['INSERT INTO watches (repo, channel, added_by, added_at, baseline_said_at) VALUES (?, ?, ?, ?, ?)', ['octo/app', CHANNEL, 'U1', WATCHED_AT, FIRST_SEEN]],
  ['INSERT INTO repo_state (repo, display, audited_sha, audited_at, checked_at, baseline_at) VALUES (?, ?, ?, ?, ?, ?)', ['octo/app', 'octo/app', 'sha1', FIRST_SEEN, FIRST_SEEN, FIRST_SEEN]],
  ...[
    [OPEN, null, null],
    [EXCLUDED, EXCLUDED_AT, 'excluded by .depwatch.yml (vendored)'],
  ].map(([f, fixedAt, reason]): [string, unknown[]] => {
    const finding = f as Finding;
    return [
      `INSERT INTO repo_findings (repo, key, kind, severity, package, version, advisory_id, json, first_seen, last_seen, fixed_at, fixed_by_sha, alertable, closed_reason)
       VALUES ('octo/app', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
      [findingKey(finding), finding.kind, finding.severity, finding.package, finding.version, finding.id, JSON.stringify(finding), FIRST_SEEN, FIRST_SEEN, fixedAt, false, reason],
    ];
  }),
];
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

async function upgradedSqlite(): Promise<{ store: WatchStateStore; close: () => Promise<void> }> {
  const db = sqliteUpgradedFrom(39, { table: 'watches', column: 'baseline_said_ids' }, (old) => {
    for (const [sql, params] of SEED) old.prepare(sql).run(...params.map((p) => (typeof p === 'boolean' ? Number(p) : p)));
  });
  return { store: new SqliteWatchState(new WatchStore(db)), close: async () => void db.close() };
}

async function upgradedPostgres(): Promise<{ store: WatchStateStore; close: () => Promise<void> }> {
  const { pool, drop } = await postgresUpgradedFrom(19, { table: 'watches', column: 'baseline_said_ids' }, async (old) => {
    for (const [sql, params] of SEED) await old.query(numbered(sql), params);
  });
  return { store: new PostgresWatchState(pool), close: drop };
}

describe.each([
  ['SQLite (migration 040)', upgradedSqlite],
  ['PostgreSQL (migration 020)', upgradedPostgres],
] as const)('watches and findings stored before each channel’s view was kept, upgraded on %s', (_, upgrade) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('reads them as told, with nothing kept of what was said, and alerts nothing when the finding closed then reopens', async () => {
    const upgraded = await upgrade();
    close = upgraded.close;
    const { store } = upgraded;
    expect(await store.watchesForChannel(CHANNEL)).toEqual([expect.objectContaining({ baselineSaidAt: FIRST_SEEN, baselineSaid: null })]);
    expect((await store.findingsFor(['octo/app'])).map((f) => [f.advisoryId, f.newSince, f.closedReason])).toEqual([
      ['PYSEC-1', null, null],
      ['PYSEC-2', null, 'excluded by .depwatch.yml (vendored)'],
    ]);

    // The exclusion removed: the finding reopens as it was.
    const audit = { repo: 'octo/app', display: 'octo/app', htmlUrl: 'https://github.com/octo/app', private: false, sha: 'sha2', packages: [], ignores: [], dependencies: 2, now: NOW, advisoriesMark: null, advisoriesRead: true };
    await store.recordAudit(audit, { repo: 'octo/app', findings: [OPEN, EXCLUDED], keyOf: findingKey, sha: 'sha2', now: NOW, baseline: false });
    expect(await announceWatchesStarted(CHANNEL, store, NOW)).toBe(0);
    expect(await decideAlerts(CHANNEL, { state: store, now: () => NOW })).toEqual({ recorded: 0, changed: 0, resolved: 0 });
    expect(await store.outbox.rows({ channel: CHANNEL })).toEqual([]);
  });
});
