/**
 * A database of its own for a test (or a file) on the run's PostgreSQL server (test/global-postgres.ts):
 * created empty, migrated by whoever opens it, dropped at the end.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openPostgres, type PgPool } from '../../src/store/postgres.js';

export interface TestDatabase {
  url: string;
  name: string;
  /** A migrated pool on it (a "replica"); closed by drop(). */
  open(options?: { max?: number }): Promise<PgPool>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`); // a generated identifier: [a-z0-9_] only
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pools: PgPool[] = [];
  return {
    url: url.toString(),
    name,
    async open(options = {}) {
      const pool = await openPostgres(url.toString(), options);
      pools.push(pool);
      return pool;
    },
    async drop() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
