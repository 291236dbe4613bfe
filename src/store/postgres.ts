/**
 * The PostgreSQL side of the store (DATABASE_URL): a pg Pool and forward-only migrations from
 * migrations/postgres/NNN_name.sql, applied at start under an advisory lock so that replicas
 * starting together migrate once, one after the other, each migration in its own transaction.
 */
import pg from 'pg';
import { join } from 'node:path';
import { MIGRATIONS_DIR, readMigrations, StoreError, type Migration } from './db.js';
import { newerSchemaText } from './schema-verdict.js';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

export const POSTGRES_MIGRATIONS_DIR = join(MIGRATIONS_DIR, 'postgres');

/** pg_advisory_lock key for migrations: "depw" in ASCII, so it is recognisable in pg_locks. */
export const MIGRATION_LOCK_KEY = 0x64657077;

export interface PostgresOptions {
  migrationsDir?: string;
  /** Connections in the pool. */
  max?: number;
}

/** Connects, migrates and returns the pool; a database that cannot be reached is one StoreError line. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PgPool> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => undefined);
  try {
    await migratePostgres(pool, readMigrations(options.migrationsDir ?? POSTGRES_MIGRATIONS_DIR));
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof StoreError) throw err;
    throw new StoreError(`cannot open the PostgreSQL database: ${(err as Error).message}`);
  }
  return pool;
}

/** Applies every migration newer than the database under the advisory lock; refuses a newer database. */
export async function migratePostgres(pool: PgPool, migrations: Migration[]): Promise<{ applied: number[] }> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL
      )`);
      const current = Number((await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0);
      const latest = migrations.at(-1)?.version ?? 0;
      if (current > latest) {
        throw new StoreError(newerSchemaText('PostgreSQL', current, latest));
      }
      const applied: number[] = [];
      for (const m of migrations) {
        if (m.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new StoreError(`PostgreSQL migration ${m.version}_${m.name} failed: ${(err as Error).message}`);
        }
        applied.push(m.version);
      }
      return { applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

/** Runs `work` in a transaction on one pooled client (the domain writes its state and outbox rows in it). */
export async function inTransaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
