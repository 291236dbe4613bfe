/**
 * Upgrading a database whose Ignore… modal saved one advisory more than once for a repository
 * (SQLite migration 037, PostgreSQL 018): the newest of each advisory and package stays, the one
 * saved last, so a shorter expiry saved after a longer one finally holds; every package's ignore of
 * the advisory, and other repositories' ignores, are untouched.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresAuditState } from '../../src/store/audit-state/postgres.js';
import { SqliteAuditState } from '../../src/store/audit-state/sqlite.js';
import { migrate, readMigrations } from '../../src/store/db.js';
import { migratePostgres, POSTGRES_MIGRATIONS_DIR } from '../../src/store/postgres.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { migrationsDir, openTestDb, tempDbPath } from '../watch/helpers.js';

/** repo_key, advisory_id, package, reason, until: in the order the old version stored them. */
const OLD_ROWS: Array<[string, string, string | null, string, string | null]> = [
  ['octo/shop', 'PYSEC-2023-221', 'werkzeug', 'first reason', '2999-12-31'],
  ['octo/shop', 'PYSEC-2023-221', 'werkzeug', 'first reason', '2999-12-31'],
  ['octo/shop', 'pysec-2023-221', 'werkzeug', 'only until next month', '2027-01-15'],
  ['octo/shop', 'PYSEC-2023-221', null, 'every package', null],
  ['octo/other', 'PYSEC-2023-221', 'werkzeug', 'another repository', null],
];

const EXPECTED = [
  ['pysec-2023-221', 'werkzeug', 'only until next month', '2027-01-15'],
  ['PYSEC-2023-221', null, 'every package', null],
];

const INSERT = (p: (n: number) => string) =>
  `INSERT INTO ignores (repo_key, advisory_id, package, reason, until, created_by, created_at) VALUES (${[1, 2, 3, 4, 5, 6, 7].map(p).join(', ')})`;

describe('ignores saved more than once, upgraded to one per advisory and package', () => {
  it('keeps the newest on SQLite', async () => {
    const path = tempDbPath();
    const old = new Database(path);
    migrate(old, readMigrations(migrationsDir()).filter((m) => m.version <= 36));
    for (const row of OLD_ROWS) old.prepare(INSERT(() => '?')).run(...row, 'U0ALICE0001', '2026-12-01T00:00:00.000Z');
    old.close();
    const db = openTestDb(path);
    try {
      const state = new SqliteAuditState(db);
      expect((await state.ignoresForRepo('octo/shop')).map((i) => [i.advisoryId, i.package, i.reason, i.until])).toEqual(EXPECTED);
      expect(await state.ignoresForRepo('octo/other')).toHaveLength(1);
    } finally {
      db.close();
    }
  });

  it('keeps the newest on PostgreSQL', async () => {
    const database = await createTestDatabase();
    try {
      const old = new pg.Pool({ connectionString: database.url, max: 1 });
      try {
        await migratePostgres(old, readMigrations(POSTGRES_MIGRATIONS_DIR).filter((m) => m.version <= 17));
        for (const row of OLD_ROWS) await old.query(INSERT((n) => `$${n}`), [...row, 'U0ALICE0001', '2026-12-01T00:00:00.000Z']);
      } finally {
        await old.end();
      }
      const state = new PostgresAuditState(await database.open());
      expect((await state.ignoresForRepo('octo/shop')).map((i) => [i.advisoryId, i.package, i.reason, i.until])).toEqual(EXPECTED);
      expect(await state.ignoresForRepo('octo/other')).toHaveLength(1);
    } finally {
      await database.drop();
    }
  });
});
