/**
 * A database an older Depwatch stored rows in, then opened by this one: the migrations up to
 * `before` applied, the rows that version would have written (`seed`), then every other migration
 * applied as opening it does. The upgrade tests of migrations that change stored rows start here,
 * on SQLite and on a real PostgreSQL alike, and check that the column they add is not there yet.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';
import { migrate, readMigrations, type Db } from '../../src/store/db.js';
import { migratePostgres, POSTGRES_MIGRATIONS_DIR, type PgPool } from '../../src/store/postgres.js';
import { createTestDatabase } from './postgres.js';
import { migrationsDir, openTestDb, tempDbPath } from '../watch/helpers.js';

/** The column a migration adds, which must not be there before it. */
export interface AddedColumn {
  table: string;
  column: string;
}

export function sqliteUpgradedFrom(before: number, added: AddedColumn, seed: (old: Database.Database) => void): Db {
  const path = tempDbPath();
  const old = new Database(path);
  migrate(old, readMigrations(migrationsDir()).filter((m) => m.version <= before));
  seed(old);
  expect(old.prepare('SELECT name FROM pragma_table_info(?) WHERE name = ?').all(added.table, added.column)).toEqual([]);
  old.close();
  const db = openTestDb(path);
  expect((db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v).toBeGreaterThan(before);
  return db;
}

export async function postgresUpgradedFrom(before: number, added: AddedColumn, seed: (old: pg.Pool) => Promise<void>): Promise<{ pool: PgPool; drop: () => Promise<void> }> {
  const database = await createTestDatabase();
  const old = new pg.Pool({ connectionString: database.url, max: 1 });
  try {
    await migratePostgres(old, readMigrations(POSTGRES_MIGRATIONS_DIR).filter((m) => m.version <= before));
    await seed(old);
    const column = await old.query('SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND column_name = $2', [added.table, added.column]);
    expect(column.rows).toEqual([]);
  } finally {
    await old.end();
  }
  const pool = await database.open();
  expect(Number((await pool.query<{ v: number }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]!.v)).toBeGreaterThan(before);
  return { pool, drop: () => database.drop() };
}
