/**
 * Upgrading a database that already holds /audit replies to audits.completeness (SQLite migration
 * 033, PostgreSQL 014, a nullable ADD COLUMN): the audits stored before it are read as they were,
 * and App Home still tells a partial one from a complete one, from its stored result. A revision
 * (an ignore) then keeps the column like any new row's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { PostgresAuditState } from '../../src/store/audit-state/postgres.js';
import { SqliteAuditState } from '../../src/store/audit-state/sqlite.js';
import type { AuditStateStore } from '../../src/store/audit-state/types.js';
import { postgresUpgradedFrom, sqliteUpgradedFrom } from '../helpers/upgrade.js';

const base = { target: 'octo/x@abc', dependencies: 1, findings: [], ignored: [], notes: [], errors: [], warnings: [], notices: [], advisorySource: 'api' as const };
const COMPLETE: AuditResult = { ...base, partial: false, partialReasons: [] };
const LOCK_UNREAD: AuditResult = {
  ...base,
  errors: [{ file: 'poetry.lock', line: 4, message: 'not valid TOML' }],
  partial: true,
  partialReasons: [{ kind: 'unread', file: 'poetry.lock', line: 4, message: 'not valid TOML' }],
};
// Stored before partialReasons existed: its warnings say why.
const OSV_DOWN_OLD: AuditResult = { ...base, warnings: ['advisories unavailable (HTTP 503): vulnerabilities were NOT checked'], partial: true };

/** The rows an installation had before the migration, one repository each, oldest first. */
const OLD_ROWS: Array<[string, AuditResult | string]> = [
  ['octo/complete', COMPLETE],
  ['octo/locked', LOCK_UNREAD],
  ['octo/osv-down', OSV_DOWN_OLD],
  // A result no longer readable as JSON: nothing is claimed about it either way.
  ['octo/garbled', '{"target": '],
];
const COLUMNS = `(repo, repo_key, ref, sha, html_url, created_at, requested_by, counts, result, private)`;
const valuesOf = (repo: string, result: AuditResult | string, i: number) => [
  repo,
  repo,
  'main',
  'a'.repeat(40),
  `https://github.com/${repo}`,
  new Date(Date.UTC(2026, 0, 1, 9, i)).toISOString(),
  'U0ALICE0001',
  '{"critical":0,"high":0,"medium":0,"unknown":0,"low":0,"info":0}',
  typeof result === 'string' ? result : JSON.stringify(result),
];

interface Upgraded {
  store: AuditStateStore;
  /** Runs SQL on the upgraded database, bypassing the store (as a damaged or hand-edited row would). */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function upgradedSqlite(): Promise<Upgraded> {
  const db = sqliteUpgradedFrom(32, { table: 'audits', column: 'completeness' }, (old) => {
    const insert = old.prepare(`INSERT INTO audits ${COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`);
    OLD_ROWS.forEach(([repo, result], i) => insert.run(...valuesOf(repo, result, i)));
  });
  return {
    store: new SqliteAuditState(db),
    sql: async (text, params = []) => {
      const statement = db.prepare(text.replace(/\$\d+/g, '?'));
      return statement.reader ? (statement.all(...params) as Record<string, unknown>[]) : (statement.run(...params), []);
    },
    close: async () => {
      db.close();
    },
  };
}

async function upgradedPostgres(): Promise<Upgraded> {
  const { pool, drop } = await postgresUpgradedFrom(13, { table: 'audits', column: 'completeness' }, async (old) => {
    for (const [i, [repo, result]] of OLD_ROWS.entries()) {
      await old.query(`INSERT INTO audits ${COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, false)`, valuesOf(repo, result, i));
    }
  });
  return { store: new PostgresAuditState(pool), sql: async (text, params = []) => (await pool.query(text, params)).rows, close: drop };
}

describe.each([
  ['SQLite (migration 033)', upgradedSqlite],
  ['PostgreSQL (migration 014)', upgradedPostgres],
] as const)('audits stored before completeness was kept, upgraded on %s', (_, upgrade) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('tells App Home which are partial from their stored results, and nothing about one it cannot read', async () => {
    const upgraded = await upgrade();
    close = upgraded.close;
    const recent = await upgraded.store.recentAudits(10, { admin: true });
    expect(Object.fromEntries(recent.map((a) => [a.repo, a.completeness]))).toEqual({
      'octo/complete': { partial: false, pending: [], vulnerabilitiesUnchecked: false, reasons: 0, firstReason: null },
      'octo/locked': { partial: true, pending: [], vulnerabilitiesUnchecked: false, reasons: 1, firstReason: 'poetry.lock:4 not read completely: not valid TOML' },
      'octo/osv-down': { partial: true, pending: [], vulnerabilitiesUnchecked: true, reasons: 1, firstReason: 'advisories unavailable (HTTP 503): vulnerabilities were NOT checked' },
      'octo/garbled': null,
    });
  });

  it('writes what it worked out into the column once, so later renders do not read the old results again', async () => {
    const upgraded = await upgrade();
    close = upgraded.close;
    const first = await upgraded.store.recentAudits(10, { admin: true });
    const columns = await upgraded.sql('SELECT repo, completeness FROM audits ORDER BY id');
    expect(Object.fromEntries(columns.map((r) => [r.repo, r.completeness === null ? null : JSON.parse(r.completeness as string)]))).toEqual({
      ...Object.fromEntries(first.map((a) => [a.repo, a.completeness])),
      // Nothing to write for a result that cannot be read: it stays not known.
      'octo/garbled': null,
    });
    // The results are no longer what App Home reads: wiping them changes nothing it shows.
    await upgraded.sql(`UPDATE audits SET result = '{}' WHERE repo <> 'octo/garbled'`);
    expect(await upgraded.store.recentAudits(10, { admin: true })).toEqual(first);
  });

  it('reads a damaged completeness as not known, for that row only, without failing the list', async () => {
    const upgraded = await upgrade();
    close = upgraded.close;
    await upgraded.store.recentAudits(10, { admin: true });
    await upgraded.sql(`UPDATE audits SET completeness = '{"partial": tru' WHERE repo = 'octo/locked'`);
    // Valid JSON of the wrong shape must not read as complete either.
    await upgraded.sql(`UPDATE audits SET completeness = '{"partial": "yes"}' WHERE repo = 'octo/osv-down'`);
    const recent = await upgraded.store.recentAudits(10, { admin: true });
    expect(Object.fromEntries(recent.map((a) => [a.repo, a.completeness]))).toMatchObject({
      'octo/complete': { partial: false, reasons: 0 },
      'octo/locked': null,
      'octo/osv-down': null,
    });
    expect((await upgraded.store.latestAuditForRepo('octo/locked'))?.completeness).toBeNull();
    const locked = await upgraded.store.latestAuditForRepo('octo/locked');
    expect((await upgraded.store.getAudit(locked!.id))?.completeness).toBeNull();
  });

  it('stores the column with the next revision of an old row', async () => {
    const upgraded = await upgrade();
    close = upgraded.close;
    const locked = await upgraded.store.latestAuditForRepo('octo/locked');
    await upgraded.store.reviseResult(locked!.id, (record) => ({ ...record.result, errors: [], partial: false, partialReasons: [] }));
    expect((await upgraded.store.latestAuditForRepo('octo/locked'))?.completeness).toMatchObject({ partial: false, reasons: 0 });
  });
});
