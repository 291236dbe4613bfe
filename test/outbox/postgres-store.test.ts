/**
 * The PostgreSQL store's start-up on a real server: replicas starting together apply each
 * migration once (advisory lock), a database from a newer Depwatch is refused in one line, and a
 * claim takes rows with FOR UPDATE SKIP LOCKED so a concurrent claimant gets others at once.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresOutbox } from '../../src/store/outbox/postgres.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { readMigrations } from '../../src/store/db.js';
import { openPostgres, POSTGRES_MIGRATIONS_DIR } from '../../src/store/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { note } from './world.js';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

describe('PostgreSQL store start-up', () => {
  it('applies each migration once when four replicas start at the same moment', async () => {
    database = await createTestDatabase();
    const pools = await Promise.all([1, 2, 3, 4].map(() => database!.open({ max: 2 })));
    const { rows } = await pools[0]!.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    // Each migration shipped in migrations/postgres/ once, in order.
    expect(rows).toEqual(readMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => ({ version: m.version, name: m.name })));
    expect(rows[0]).toEqual({ version: 1, name: 'slack_outbox' });
    expect((await pools[3]!.query("SELECT to_regclass('slack_outbox') AS t")).rows[0].t).toBe('slack_outbox');
  });

  it('refuses a database written by a newer Depwatch, in one line', async () => {
    database = await createTestDatabase();
    const pool = await database.open();
    await pool.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from_the_future', now())");
    const latest = readMigrations(POSTGRES_MIGRATIONS_DIR).at(-1)!.version;
    await expect(openPostgres(database.url)).rejects.toThrow(`the PostgreSQL database was written by a newer version of Depwatch (schema 99, this version knows ${latest})`);
  });

  it('a replica running when a newer build migrates the database is not ready, and says a newer version wrote it', async () => {
    database = await createTestDatabase();
    const pool = await database.open();
    const replica = new PostgresWatchState(pool);
    expect(await replica.health()).toEqual({ ok: true });
    const latest = readMigrations(POSTGRES_MIGRATIONS_DIR).at(-1)!.version;
    await pool.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_a_newer_build', now())", [latest + 1]);
    const refusal = (await openPostgres(database.url).catch((err: Error) => err)) as Error;
    expect(await replica.health()).toEqual({ ok: false, reason: `store: ${refusal.message}` });
    expect(refusal.message).toBe(`the PostgreSQL database was written by a newer version of Depwatch (schema ${latest + 1}, this version knows ${latest}); upgrade Depwatch`);
    await pool.query('DELETE FROM schema_migrations WHERE version >= $1', [latest]);
    expect(await replica.health()).toEqual({ ok: false, reason: `store: PostgreSQL schema version ${latest - 1}, this build needs ${latest} (migrations not applied)` });
  });

  it('says in one line when the server cannot be reached', async () => {
    await expect(openPostgres('postgres://depwatch:x@127.0.0.1:1/none')).rejects.toThrow(/^cannot open the PostgreSQL database: /);
  });

  it('skips rows another transaction holds instead of waiting for them', async () => {
    database = await createTestDatabase();
    const pool = await database.open();
    const outbox = new PostgresOutbox(pool);
    const now = new Date('2026-01-05T09:00:00Z');
    await outbox.enqueue([note('C0A', 'a'), note('C0B', 'b')], now);
    // Another replica is in the middle of a claim: it holds row "a" locked, uncommitted.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT id FROM slack_outbox WHERE idempotency_key = 'a' FOR UPDATE");
      const started = Date.now();
      const claimed = await outbox.claim({ owner: 'replica-b', now, leaseMs: 60_000, limit: 10 });
      expect(claimed.map((r) => r.idempotencyKey)).toEqual(['b']);
      expect(Date.now() - started).toBeLessThan(5_000);
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect((await outbox.claim({ owner: 'replica-b', now, leaseMs: 60_000, limit: 10 })).map((r) => r.idempotencyKey)).toEqual(['a']);
  });
});
