/**
 * Upgrading a database that already watches repositories to repo_findings.closed_reason (SQLite
 * migration 032, PostgreSQL 013, a nullable ADD COLUMN): the findings stored before it survive as
 * they were, with no reason (closed by a fix, or still open), and the watch state reads and updates
 * them like any other row.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findingKey, type Finding } from '../../src/audit/findings.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import type { AuditRecord, FindingsUpdate, WatchStateStore } from '../../src/store/watch-state/types.js';
import { WatchStore } from '../../src/store/watches.js';
import { postgresUpgradedFrom, sqliteUpgradedFrom } from '../helpers/upgrade.js';

const FIRST_SEEN = '2026-01-05T09:00:00.000Z';
const FIXED_AT = '2026-02-01T09:00:00.000Z';
const NOW = new Date('2026-03-02T09:00:00.000Z');
const later = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);

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
const STILL_OPEN = vuln('PYSEC-1', 'urllib3');
const FIXED = vuln('PYSEC-2', 'django');

/** The rows a watching installation had before the migration: one finding open, one fixed by a commit. */
const OLD_ROWS = [
  { finding: STILL_OPEN, fixedAt: null, fixedBySha: null },
  { finding: FIXED, fixedAt: FIXED_AT, fixedBySha: 'fix1' },
];

const audit = (sha: string, now: Date): AuditRecord => ({
  repo: 'octo/app',
  display: 'octo/app',
  htmlUrl: 'https://github.com/octo/app',
  private: false,
  sha,
  packages: [],
  ignores: [],
  dependencies: 2,
  now,
  advisoriesMark: null,
});
const update = (findings: Finding[], sha: string, now: Date, extra: Partial<FindingsUpdate> = {}): FindingsUpdate => ({ repo: 'octo/app', findings, keyOf: findingKey, sha, now, baseline: false, ...extra });

interface Upgraded {
  store: WatchStateStore;
  /** closed_reason of every row, read by SQL (null for each row the migration added it to). */
  closedReasons(): Promise<Array<{ key: string; closed_reason: string | null }>>;
  close(): Promise<void>;
}

/** A SQLite file at migration 031 with OLD_ROWS in it, then opened as the bot opens it (every migration). */
async function upgradedSqlite(): Promise<Upgraded> {
  const db = sqliteUpgradedFrom(31, { table: 'repo_findings', column: 'closed_reason' }, (old) => {
    const insert = old.prepare(
      `INSERT INTO repo_findings (repo, key, kind, severity, package, version, advisory_id, json, first_seen, last_seen, fixed_at, fixed_by_sha, alertable)
       VALUES ('octo/app', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
    );
    for (const r of OLD_ROWS) insert.run(findingKey(r.finding), r.finding.kind, r.finding.severity, r.finding.package, r.finding.version, r.finding.id, JSON.stringify(r.finding), FIRST_SEEN, r.fixedAt ?? FIRST_SEEN, r.fixedAt, r.fixedBySha);
  });
  return {
    store: new SqliteWatchState(new WatchStore(db)),
    closedReasons: async () => db.prepare('SELECT key, closed_reason FROM repo_findings ORDER BY key').all() as Array<{ key: string; closed_reason: string | null }>,
    close: async () => {
      db.close();
    },
  };
}

/** A PostgreSQL database at migration 012 with OLD_ROWS in it, then opened as a replica opens it. */
async function upgradedPostgres(): Promise<Upgraded> {
  const { pool, drop } = await postgresUpgradedFrom(12, { table: 'repo_findings', column: 'closed_reason' }, async (old) => {
    for (const r of OLD_ROWS) {
      await old.query(
        `INSERT INTO repo_findings (repo, key, kind, severity, package, version, advisory_id, json, first_seen, last_seen, fixed_at, fixed_by_sha, alertable)
         VALUES ('octo/app', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, TRUE)`,
        [findingKey(r.finding), r.finding.kind, r.finding.severity, r.finding.package, r.finding.version, r.finding.id, JSON.stringify(r.finding), FIRST_SEEN, r.fixedAt ?? FIRST_SEEN, r.fixedAt, r.fixedBySha],
      );
    }
  });
  return {
    store: new PostgresWatchState(pool),
    closedReasons: async () => (await pool.query<{ key: string; closed_reason: string | null }>('SELECT key, closed_reason FROM repo_findings ORDER BY key COLLATE "C"')).rows,
    close: drop,
  };
}

describe.each([
  ['SQLite (migration 032)', upgradedSqlite],
  ['PostgreSQL (migration 013)', upgradedPostgres],
] as const)('findings stored before closed_reason, upgraded on %s', (_, upgrade) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  const open = async () => {
    const upgraded = await upgrade();
    close = upgraded.close;
    return upgraded;
  };

  it('keeps every row as it was, with no reason: the open one open, the fixed one fixed by its commit', async () => {
    const { store, closedReasons } = await open();
    expect(await closedReasons()).toEqual(OLD_ROWS.map((r) => ({ key: findingKey(r.finding), closed_reason: null })).sort((a, b) => (a.key < b.key ? -1 : 1)));
    const rows = (await store.findingsFor(['octo/app'])).map((f) => ({ advisory: f.advisoryId, firstSeen: f.firstSeen, fixedAt: f.fixedAt, fixedBySha: f.fixedBySha, closedReason: f.closedReason, finding: f.finding }));
    expect(rows).toEqual([
      { advisory: 'PYSEC-1', firstSeen: FIRST_SEEN, fixedAt: null, fixedBySha: null, closedReason: null, finding: STILL_OPEN },
      { advisory: 'PYSEC-2', firstSeen: FIRST_SEEN, fixedAt: FIXED_AT, fixedBySha: 'fix1', closedReason: null, finding: FIXED },
    ]);
    expect((await store.openFindings('octo/app')).map((f) => [f.advisoryId, f.closedReason])).toEqual([['PYSEC-1', null]]);
  });

  it('diffs the next audit against them as before: a fixed finding seen again is new, the open one keeps its first day, and an old row can be closed with a reason', async () => {
    const { store, closedReasons } = await open();
    const next = await store.recordAudit(audit('sha2', NOW), update([STILL_OPEN, FIXED], 'sha2', NOW));
    expect(next.stillOpen.map((f) => [f.advisoryId, f.firstSeen])).toEqual([['PYSEC-1', FIRST_SEEN]]);
    expect(next.added.map((f) => f.advisoryId)).toEqual(['PYSEC-2']);
    // Fixed, without a reason, then seen again: a new finding from today, not one open since January.
    expect((await store.findingsFor(['octo/app'])).map((f) => [f.advisoryId, f.firstSeen, f.fixedAt])).toEqual([
      ['PYSEC-1', FIRST_SEEN, null],
      ['PYSEC-2', NOW.toISOString(), null],
    ]);

    const reason = 'excluded by .depwatch.yml (test data)';
    const excluded = await store.recordAudit(audit('sha3', later(1)), update([FIXED], 'sha3', later(1), { closedReason: (f) => (f.package === 'urllib3' ? reason : null) }));
    expect(excluded.excluded.map((f) => [f.advisoryId, f.fixedBySha, f.closedReason])).toEqual([['PYSEC-1', null, reason]]);
    expect((await closedReasons()).map((r) => r.closed_reason).sort()).toEqual([reason, null].sort());
  });
});
