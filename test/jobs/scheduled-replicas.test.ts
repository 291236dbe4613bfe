/**
 * Two bot replicas with their own job queue connections to one real PostgreSQL: both catch up the
 * Monday slot after downtime and both tick afterwards, and the weekly digest is posted once, by one
 * of them. The slot went through the queue (one job under its singleton key), not through job_runs.
 * Once with the watch state in a SQLite file both share, once as replicas run with DATABASE_URL:
 * the watch state and the outbox in PostgreSQL, each replica with its own SQLite file. A digest job
 * whose run failed is tried again by the queue, and made again at the next start once its retries
 * are used up: posted once either way (its outbox rows are keyed by the slot).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { settled } from '../../src/jobs/interface.js';
import { PostgresQueue } from '../../src/jobs/postgres.js';
import type { WatchService } from '../../src/watch/service.js';
import { registryOf, project, release } from '../audit/helpers.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { openTestDb, startWorld, tempDbPath, type World } from '../watch/helpers.js';

const CHANNEL = 'C0DEPS00001';
let world: World | undefined;
let database: TestDatabase | undefined;
const queues: PostgresQueue[] = [];
afterEach(async () => {
  await world?.close();
  await Promise.all(queues.splice(0).map((q) => q.stop(2_000)));
  await database?.drop();
});

/** The shared watch state, where writing a digest fails while `failures` lasts (the database restarting). */
class FlakyState extends PostgresWatchState {
  failures = 0;
  override async recordDigest(...args: Parameters<PostgresWatchState['recordDigest']>) {
    if (this.failures-- > 0) throw new Error('the database is restarting');
    return super.recordDigest(...args);
  }
}

/**
 * A watched repository with an outdated pin (a digest to send), its watch state in PostgreSQL behind
 * a FlakyState, and a job queue there. The caller keeps the world and database for afterEach.
 */
async function digestWorldWithFlakyState(): Promise<{ world: World; database: TestDatabase; state: FlakyState; queue: PostgresQueue }> {
  const registry = registryOf([project('requests', [release('2.2.0', '2014-01-24T00:00:00Z'), release('3.0.0', '2025-01-01T00:00:00Z')])]);
  const world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-05T12:00:00Z', registry });
  world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
  const database = await createTestDatabase();
  const state = new FlakyState(await database.open({ max: 4 }));
  const queue = new PostgresQueue(await database.open({ max: 4 }), { pollingIntervalSeconds: 0.5 });
  queues.push(queue);
  return { world, database, state, queue };
}

/** Both replicas start (catching up missed slots) and tick; the weekly digests posted, once the first is there and a second had time to come. */
async function bothCatchUpAndTick(a: WatchService, b: WatchService) {
  a.start();
  b.start();
  await Promise.all([a.scheduler.idle(), b.scheduler.idle()]);
  await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
  const digests = () => world!.slack.messages(CHANNEL).filter((m) => m.text.startsWith('Weekly dependency updates'));
  const deadline = Date.now() + 20_000;
  while (digests().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 2_000)); // time for a second post, were there one
  return digests();
}

describe('scheduled runs across replicas', () => {
  it('posts a weekly digest once when two replicas both catch up its slot and tick', async () => {
    const registry = registryOf([project('requests', [release('2.2.0', '2014-01-24T00:00:00Z'), release('3.0.0', '2025-01-01T00:00:00Z')])]);
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-05T12:00:00Z', registry });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
    database = await createTestDatabase();
    const replica = async () => {
      const queue = new PostgresQueue(await database!.open({ max: 4 }), { pollingIntervalSeconds: 0.5 });
      queues.push(queue);
      return world!.service({ jobs: queue });
    };
    const setup = world.service();
    await setup.watch.handleCommand('watch octo/app', { userId: 'U0ADMIN0001', channelId: CHANNEL });
    await setup.watch.stop();

    world.clock.set('2025-01-09T12:30:00Z'); // Thursday: Monday 09:00's digest is due
    const [a, b] = [await replica(), await replica()];
    const digests = await bothCatchUpAndTick(a.watch, b.watch);
    expect(digests).toHaveLength(1);
    const pool = await database.open({ max: 1 });
    const slots = await pool.query<{ key: string; job_id: string }>("SELECT key, job_id FROM job_singletons WHERE queue = 'scheduled-run' AND key LIKE 'weekly:%'");
    expect(slots.rows.map((r) => r.key)).toEqual([`weekly:${CHANNEL}@2025-01-06T09:00:00.000Z`]);
    expect(await queues[0]!.outcomes('scheduled-run', [slots.rows[0]!.job_id])).toMatchObject([{ state: 'completed', output: { ok: true } }]);
    expect(a.watch.store.jobRuns(`weekly:${CHANNEL}`)).toEqual([]);
    expect(world.slack.violations).toEqual([]);
  });

  it('posts a weekly digest once when two replicas share the watch state in PostgreSQL, the watch set through one of them', async () => {
    const registry = registryOf([project('requests', [release('2.2.0', '2014-01-24T00:00:00Z'), release('3.0.0', '2025-01-01T00:00:00Z')])]);
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-05T12:00:00Z', registry });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
    database = await createTestDatabase();
    const replica = async () => {
      const queue = new PostgresQueue(await database!.open({ max: 4 }), { pollingIntervalSeconds: 0.5 });
      queues.push(queue);
      return world!.service({ jobs: queue, db: openTestDb(tempDbPath()), state: new PostgresWatchState(await database!.open({ max: 4 })) });
    };
    const [a, b] = [await replica(), await replica()];
    await a.watch.handleCommand('watch octo/app', { userId: 'U0ADMIN0001', channelId: CHANNEL });

    world.clock.set('2025-01-09T12:30:00Z'); // Thursday: Monday 09:00's digest is due
    const digests = await bothCatchUpAndTick(a.watch, b.watch);
    expect(digests).toHaveLength(1);
    // Read from the shared watch state: the repository's pin and its major update.
    expect(digests[0]!.text).toContain('1 major');
    // The digest went through the shared outbox, once.
    const pool = await database.open({ max: 1 });
    const rows = await pool.query<{ idempotency_key: string; state: string }>("SELECT idempotency_key, state FROM slack_outbox WHERE kind = 'digest' ORDER BY id");
    expect(rows.rows).toEqual([{ idempotency_key: expect.stringContaining('weekly'), state: 'posted' }]);
    // Neither replica's own SQLite file holds the watch.
    expect(a.watch.store.watchedRepos()).toEqual([]);
    expect(b.watch.store.watchedRepos()).toEqual([]);
    expect(world.slack.violations).toEqual([]);
  });

  it('posts the Monday 09:00 weekly digest once when both replicas could not enqueue it during a database blip', async () => {
    const registry = registryOf([project('requests', [release('2.2.0', '2014-01-24T00:00:00Z'), release('3.0.0', '2025-01-01T00:00:00Z')])]);
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-05T12:00:00Z', registry });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
    database = await createTestDatabase();
    const outage = { down: false, refused: 0 };
    /** The queue as a replica sees it while PostgreSQL is stopped: every enqueue refused. */
    class OutageQueue extends PostgresQueue {
      override enqueue(...args: Parameters<PostgresQueue['enqueue']>) {
        if (outage.down) {
          outage.refused++;
          return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
        }
        return super.enqueue(...args);
      }
    }
    const replica = async () => {
      const queue = new OutageQueue(await database!.open({ max: 4 }), { pollingIntervalSeconds: 0.5 });
      queues.push(queue);
      return world!.service({ jobs: queue, enqueueRetry: { firstMs: 100, maxMs: 200 } });
    };
    const [a, b] = [await replica(), await replica()];
    await a.watch.handleCommand('watch octo/app', { userId: 'U0ADMIN0001', channelId: CHANNEL });
    a.watch.start();
    b.watch.start();
    await Promise.all([a.watch.scheduler.idle(), b.watch.scheduler.idle()]);

    // Monday 09:00 comes during the blip: both replicas' timers fire and cannot enqueue.
    outage.down = true;
    world.clock.set('2025-01-06T09:00:00Z');
    a.timer.active.get(`weekly:${CHANNEL}`)!.fire(world.clock.now());
    b.timer.active.get(`weekly:${CHANNEL}`)!.fire(world.clock.now());
    for (let i = 0; i < 100 && outage.refused < 6; i++) await new Promise((r) => setTimeout(r, 20));
    world.clock.set('2025-01-06T09:01:00Z');
    outage.down = false;

    const digests = () => world!.slack.messages(CHANNEL).filter((m) => m.text.startsWith('Weekly dependency updates'));
    const deadline = Date.now() + 20_000;
    while (digests().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2_000)); // time for a second post, were there one
    expect(digests()).toHaveLength(1);
    const pool = await database.open({ max: 1 });
    const jobs = await pool.query<{ key: string }>("SELECT key FROM job_singletons WHERE queue = 'scheduled-run' AND key LIKE 'weekly:%'");
    expect(jobs.rows).toEqual([{ key: `weekly:${CHANNEL}@2025-01-06T09:00:00.000Z` }]);
    await Promise.all([a.watch.stop(), b.watch.stop()]);
    expect(world.slack.violations).toEqual([]);
  });

  it('runs a digest job whose run failed again through the queue, and posts it once', async () => {
    const flaky = await digestWorldWithFlakyState();
    ({ world, database } = flaky);
    const { state, queue } = flaky;
    const bot = world.service({ jobs: queue, db: openTestDb(tempDbPath()), state, digestRetry: { limit: 2, delaySeconds: 0 } });
    await bot.watch.handleCommand('watch octo/app', { userId: 'U0ADMIN0001', channelId: CHANNEL });

    world.clock.set('2025-01-09T12:30:00Z'); // Thursday: Monday 09:00's digest is due
    state.failures = 1;
    const digests = () => world!.slack.messages(CHANNEL).filter((m) => m.text.startsWith('Weekly dependency updates'));
    bot.watch.start();
    await bot.watch.scheduler.idle();
    const pool = await database.open({ max: 1 });
    const jobOf = async () => (await pool.query<{ job_id: string }>("SELECT job_id FROM job_singletons WHERE queue = 'scheduled-run' AND key LIKE 'weekly:%'")).rows.map((r) => r.job_id);
    const [jobId] = await jobOf();
    const [outcome] = await settled(queue, 'scheduled-run', [jobId!], { intervalMs: 100 });
    expect(state.failures).toBe(-1); // failed once, then read again
    expect(outcome).toMatchObject({ state: 'completed', output: { ok: true } });
    const attempts = await pool.query<{ retry_count: number }>('SELECT retry_count FROM pgboss.job WHERE id = $1', [jobId]);
    expect(attempts.rows).toEqual([{ retry_count: 1 }]);
    const deadline = Date.now() + 10_000;
    while (digests().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // A restart's catch-up finds the slot's job done: nothing more.
    await bot.watch.stop();
    const again = world.service({ jobs: queue, db: openTestDb(tempDbPath()), state });
    again.watch.start();
    await again.watch.scheduler.idle();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(digests()).toHaveLength(1);
    expect(await jobOf()).toEqual([jobId]);
    expect(world.slack.violations).toEqual([]);
  });

  it('makes a digest slot whose job failed for good again at the next start, and runs it once', async () => {
    const flaky = await digestWorldWithFlakyState();
    ({ world, database } = flaky);
    const { state, queue } = flaky;
    const noRetry = { limit: 0, delaySeconds: 0 };
    const first = world.service({ jobs: queue, db: openTestDb(tempDbPath()), state, digestRetry: noRetry });
    await first.watch.handleCommand('watch octo/app', { userId: 'U0ADMIN0001', channelId: CHANNEL });
    world.clock.set('2025-01-09T12:30:00Z');
    state.failures = 1;
    first.watch.start();
    await first.watch.scheduler.idle();
    const pool = await database.open({ max: 1 });
    const jobOf = async () => (await pool.query<{ job_id: string }>("SELECT job_id FROM job_singletons WHERE queue = 'scheduled-run' AND key LIKE 'weekly:%'")).rows.map((r) => r.job_id);
    const [failedJob] = await jobOf();
    expect(await settled(queue, 'scheduled-run', [failedJob!], { intervalMs: 100 })).toMatchObject([{ state: 'failed' }]);
    await first.watch.stop();
    const digests = () => world!.slack.messages(CHANNEL).filter((m) => m.text.startsWith('Weekly dependency updates'));
    expect(digests()).toHaveLength(0);

    // The next start's catch-up makes the slot's job again, under the same key; it runs once.
    const second = world.service({ jobs: queue, db: openTestDb(tempDbPath()), state, digestRetry: noRetry });
    second.watch.start();
    await second.watch.scheduler.idle();
    const [retaken] = await jobOf();
    expect(retaken).not.toBe(failedJob);
    expect(await settled(queue, 'scheduled-run', [retaken!], { intervalMs: 100 })).toMatchObject([{ state: 'completed', output: { ok: true } }]);
    const deadline = Date.now() + 10_000;
    while (digests().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await second.watch.scheduler.tick();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(digests()).toHaveLength(1);
    expect(await jobOf()).toEqual([retaken]);
    expect(world.slack.violations).toEqual([]);
  });
});
