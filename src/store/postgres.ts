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

/** A pool of `max` connections, not yet connected, migrated or checked (openPostgres does all three). */
export function postgresPool(url: string, max: number): PgPool {
  const pool = new pg.Pool({ connectionString: withPgSslMode(url), max });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** Connects, migrates and returns the pool; a database that cannot be reached is one StoreError line. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PgPool> {
  const pool = postgresPool(url, options.max ?? 10);
  try {
    await migratePostgres(pool, readMigrations(options.migrationsDir ?? POSTGRES_MIGRATIONS_DIR));
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof StoreError) throw err;
    throw new StoreError(`cannot open the PostgreSQL database: ${(err as Error).message}${untrustedCertificateHint(err)}`);
  }
  return pool;
}

/**
 * pg 8 reads sslmode=prefer, require and verify-ca as verify-full (the server's certificate and name
 * are checked), unlike libpq, where require only encrypts, and says so with a multi-line warning on
 * stderr at the first connection. Depwatch keeps pg's stricter meaning, asking for it by its own
 * name so that pg has nothing to warn about, and says it in one logged line (sslModeNote).
 * `uselibpqcompat=true` (pg's switch to libpq's meanings) is left as written.
 */
const VERIFIED_AS_FULL = new Set(['prefer', 'require', 'verify-ca']);

function libpqSslMode(url: URL): string | null {
  if (url.searchParams.get('uselibpqcompat') === 'true') return null;
  const mode = url.searchParams.get('sslmode');
  return mode !== null && VERIFIED_AS_FULL.has(mode) ? mode : null;
}

/** The URL handed to pg: sslmode=prefer|require|verify-ca as verify-full (pg's meaning, said by name). */
export function withPgSslMode(databaseUrl: string): string {
  if (!URL.canParse(databaseUrl)) return databaseUrl;
  const url = new URL(databaseUrl);
  if (libpqSslMode(url) === null) return databaseUrl;
  url.searchParams.set('sslmode', 'verify-full');
  return url.toString();
}

/** One line for the log when DATABASE_URL's sslmode is verified more strictly than libpq would, or null. */
export function sslModeNote(databaseUrl: string): string | null {
  const mode = URL.canParse(databaseUrl) ? libpqSslMode(new URL(databaseUrl)) : null;
  if (mode === null) return null;
  return `DATABASE_URL: sslmode=${mode} is verified as sslmode=verify-full (the server's certificate and host name are checked); for a private CA add sslrootcert=/path/to/ca.pem`;
}

/** Node's codes for a server certificate that could not be trusted (node:tls, OpenSSL's verify errors). */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What to do when the server's TLS certificate is not trusted: the fix is in DATABASE_URL, and never switching verification off unasked. */
export function untrustedCertificateHint(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !UNTRUSTED_CERTIFICATE.has(code)) return '';
  return (
    ' (the server\'s TLS certificate is not trusted: add sslrootcert=/path/to/ca.pem, the CA your PostgreSQL provider gives, to DATABASE_URL; ' +
    'or, to encrypt without verifying the server as libpq\'s sslmode=require does, uselibpqcompat=true&sslmode=require)'
  );
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
