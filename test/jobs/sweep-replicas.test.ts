/**
 * A sweep through the job queue of two replicas sharing one real PostgreSQL (watch state in a shared
 * store: SQLite here until the store moves to PostgreSQL). The batch that finds a new advisory
 * "dies" after storing its findings and is retried; both replicas then decide the channel's alerts
 * (the worst case), and the alert is posted once: alerts come from the stored findings and go
 * through the outbox, so re-sweeping after partial work cannot double them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { PostgresQueue } from '../../src/jobs/postgres.js';
import { ADVISORY_ALERT, WATCH_STARTED } from '../../src/watch/messages.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { afterWatchStarted, startWorld, type World } from '../watch/helpers.js';

const URLLIB3 = fixtureRecord('PYSEC-2019-132');
const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
const CHANNEL = 'C0SECURITY1';
const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };

let world: World | undefined;
let database: TestDatabase | undefined;
const queues: PostgresQueue[] = [];
afterEach(async () => {
  await world?.close();
  await Promise.all(queues.splice(0).map((q) => q.stop(2_000)));
  await database?.drop();
});

describe('a sweep split into jobs across replicas', () => {
  it('alerts once when a batch is retried after it stored its findings', async () => {
    world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
    world.github.addRepo({ owner: 'octo', name: 'api', files: { 'requirements.txt': 'requests==2.2.0\nurllib3==1.24.1\n' } });
    database = await createTestDatabase();
    let dieAfterNextBatch = false;
    const batchesSwept: string[] = [];
    const replica = async (name: string) => {
      const queue = new PostgresQueue(await database!.open({ max: 4 }), { pollingIntervalSeconds: 0.5, retryDelaySeconds: 0 });
      queues.push(queue);
      return world!.service({
        jobs: queue,
        sweepBatches: {
          afterBatch: async (payload) => {
            batchesSwept.push(`${name} ${payload.sweep}`);
            if (!dieAfterNextBatch) return;
            dieAfterNextBatch = false;
            throw new Error('replica lost after storing its batch');
          },
        },
      });
    };
    const [a, b] = [await replica('a'), await replica('b')];
    await a.watch.handleCommand('watch octo/app', { userId: 'U0ADMIN0001', channelId: CHANNEL });
    await a.watch.handleCommand('watch octo/api', { userId: 'U0ADMIN0001', channelId: CHANNEL });
    a.watch.start();
    b.watch.start();
    await a.watch.runJob(alertsJob, world.clock.now()); // the baseline: nothing to alert
    expect(afterWatchStarted(world.slack.messages(CHANNEL))).toEqual([]); // the baseline: said once ("Now watching"), nothing alerted

    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    dieAfterNextBatch = true;
    await Promise.all([a.watch.runJob(alertsJob, world.clock.now()), b.watch.runJob(alertsJob, world.clock.now())]);

    // The second sweep's one batch ran twice (the first attempt stored its findings, then failed)...
    expect(batchesSwept.filter((s) => s.endsWith('sweep@2025-01-06T10:30:00.000Z'))).toHaveLength(2);
    // ...and the new advisory, hitting both repositories, was alerted once.
    const rows = (await a.watch.outbox.rows({ channel: CHANNEL })).filter((r) => r.kind !== WATCH_STARTED);
    expect(rows.map((r) => [r.kind, r.op, r.state])).toEqual([[ADVISORY_ALERT, 'post', 'posted']]);
    expect(rows[0]!.data).toMatchObject({ advisoryId: 'PYSEC-2014-13' });
    expect(afterWatchStarted(world.slack.messages(CHANNEL))).toHaveLength(1);
    expect(world.slack.violations).toEqual([]);
  });
});
