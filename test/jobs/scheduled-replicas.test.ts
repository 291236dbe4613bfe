/**
 * Two bot replicas with their own job queue connections to one real PostgreSQL: both catch up the
 * Monday slot after downtime and both tick afterwards, and the weekly digest is posted once, by one
 * of them. The slot went through the queue (one job under its singleton key), not through job_runs.
 * Once with the watch state in a SQLite file both share, once as replicas run with DATABASE_URL:
 * the watch state and the outbox in PostgreSQL, each replica with its own SQLite file.
 */
import { afterEach, describe, expect, it } from 'vitest';
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
});
