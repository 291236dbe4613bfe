/**
 * A replica of an older build running on a schema a newer build migrated (a rolling upgrade): its
 * background work (sweeps, schedules, reminders, the outbox, the job queue's workers) stops, once,
 * and never starts on such a schema, while /healthz goes on answering not ready with the reason.
 * The schema is read from the run's real PostgreSQL, moved on by a row a newer build would write;
 * a schema that cannot be read (the database down) stops nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { guardBackgroundWork, type BackgroundWork } from '../../src/ops/background-work.js';
import type { PgPool } from '../../src/store/postgres.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

/** Work that ticks every few milliseconds while it runs, as the replica's timers do. */
function tickingWork(): BackgroundWork & { ticks: number; starts: number; stops: number } {
  let timer: NodeJS.Timeout | null = null;
  const work = {
    ticks: 0,
    starts: 0,
    stops: 0,
    start() {
      work.starts++;
      timer = setInterval(() => work.ticks++, 2);
    },
    async stop() {
      work.stops++;
      if (timer) clearInterval(timer);
    },
  };
  return work;
}

function recorder() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_fields: unknown, msg: string) => void lines.push({ level, msg });
  return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info') } as never };
}

/** What a newer build's migration leaves: a schema version this build does not know. */
async function migrateByNewerBuild(pool: PgPool): Promise<number> {
  const { rows } = await pool.query<{ v: number }>("INSERT INTO schema_migrations (version, name, applied_at) SELECT MAX(version) + 1, 'from_a_newer_build', now() FROM schema_migrations RETURNING version AS v");
  return rows[0]!.v;
}

const NEWER = /^store: the PostgreSQL database was written by a newer version of Depwatch \(schema (\d+), this version knows (\d+)\); upgrade Depwatch$/;

let database: TestDatabase;
afterEach(async () => {
  await database?.drop();
});

describe('background work on a schema a newer build migrated', () => {
  it('stops once the schema is newer, keeps /healthz not ready with the reason, and stops nothing twice at shutdown', async () => {
    database = await createTestDatabase();
    const pool = await database.open();
    const state = new PostgresWatchState(pool);
    const work = tickingWork();
    const { lines, logger } = recorder();
    const guard = guardBackgroundWork({ work, schema: () => state.schemaVerdict(), logger, checkEveryMs: 20 });
    await guard.start();
    await new Promise((r) => setTimeout(r, 100)); // a few looks at the schema, which is this build's
    expect(guard.running()).toBe(true);
    expect(work.ticks).toBeGreaterThan(0);
    expect(await state.health()).toEqual({ ok: true });

    const version = await migrateByNewerBuild(pool);
    for (let i = 0; i < 200 && guard.running(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(guard.running()).toBe(false);
    expect(work.stops).toBe(1);
    const ticks = work.ticks;
    await new Promise((r) => setTimeout(r, 30));
    expect(work.ticks).toBe(ticks);
    const health = await state.health();
    expect(health).toEqual({ ok: false, reason: expect.stringMatching(NEWER) });
    expect(NEWER.exec((health as { reason: string }).reason)?.[1]).toBe(String(version));
    expect(lines).toEqual([{ level: 'error', msg: expect.stringMatching(/^stopping background work \(sweeps, schedules, incident reminders, outbox delivery, job queue workers\): the PostgreSQL database was written by a newer version of Depwatch/) }]);

    await guard.check();
    await guard.stop();
    expect(work.stops).toBe(1);
    expect(work.starts).toBe(1);
  });

  it('never starts on a schema a newer build migrated, and stops what was started before it', async () => {
    database = await createTestDatabase();
    const pool = await database.open();
    const state = new PostgresWatchState(pool);
    await migrateByNewerBuild(pool);
    const work = tickingWork();
    const { lines, logger } = recorder();
    const guard = guardBackgroundWork({ work, schema: () => state.schemaVerdict(), logger, checkEveryMs: 3_600_000 });
    await guard.start();
    expect(work.starts).toBe(0);
    expect(work.stops).toBe(1);
    expect(guard.running()).toBe(false);
    expect(lines.map((l) => l.msg)).toEqual([expect.stringMatching(/^not starting background work .*written by a newer version of Depwatch/)]);
    expect(await state.health()).toEqual({ ok: false, reason: expect.stringMatching(NEWER) });
    await guard.stop();
    expect(work.stops).toBe(1);
  });
});

describe('background work when the schema cannot be read', () => {
  it('goes on: an unreachable database is an outage, not a newer schema', async () => {
    const work = tickingWork();
    const { lines, logger } = recorder();
    let down = false;
    const guard = guardBackgroundWork({
      work,
      schema: () => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return { state: 'current' };
      },
      logger,
      checkEveryMs: 3_600_000,
    });
    await guard.start();
    down = true;
    await guard.check();
    await guard.check();
    expect(guard.running()).toBe(true);
    expect(work.stops).toBe(0);
    expect(lines).toEqual([]); // the outage is the database's line to say, not one more every check
    await guard.stop();
    expect(work.stops).toBe(1);
  });
});
