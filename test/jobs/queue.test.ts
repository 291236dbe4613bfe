/**
 * The job interface's promises, kept by both queues: in process (SQLite, one bot) and in
 * PostgreSQL (pg-boss on the test run's real server). A singleton key makes one job however often
 * it is asked for, payloads travel as JSON, runAt holds a job back, concurrency bounds a queue, a
 * failing job is retried as often as it was enqueued to be and then reported as failed, a singleton
 * key whose job failed is retaken only when asked to, and stats() shows depth and lag.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../src/jobs/in-process.js';
import { settled, type JobQueue } from '../../src/jobs/interface.js';
import { PostgresQueue } from '../../src/jobs/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

const until = async (check: () => Promise<boolean> | boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

const kinds: [string, () => Promise<{ queue: JobQueue; close: () => Promise<void> }>][] = [
  ['in process', async () => ({ queue: new InProcessQueue(), close: async () => undefined })],
  [
    'PostgreSQL',
    async () => {
      const database: TestDatabase = await createTestDatabase();
      const queue = new PostgresQueue(await database.open({ max: 6 }), { pollingIntervalSeconds: 0.5, retryLimit: 0 });
      return { queue, close: () => database.drop() };
    },
  ],
];

describe.each(kinds)('the job queue (%s)', (_kind, make) => {
  let queue: JobQueue;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ queue, close } = await make());
  });
  afterEach(async () => {
    await queue.stop();
    await close();
  });

  it('creates one job for a singleton key, however often it is asked for', async () => {
    const asked = await Promise.all([1, 2, 3, 4].map(() => queue.enqueue('scheduled-run', { slot: 'a' }, { singletonKey: 'weekly:C1@2026-12-07T09:00:00.000Z' })));
    expect(asked.filter((e) => e.created)).toHaveLength(1);
    expect(new Set(asked.map((e) => e.id)).size).toBe(1);
    const ran: unknown[] = [];
    await queue.work('scheduled-run', async (job) => void ran.push(job.payload));
    await settled(queue, 'scheduled-run', [asked[0]!.id], { intervalMs: 50 });
    // Asked again after it ran: still nothing new.
    expect((await queue.enqueue('scheduled-run', { slot: 'a' }, { singletonKey: 'weekly:C1@2026-12-07T09:00:00.000Z' })).created).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(ran).toEqual([{ slot: 'a' }]);
  });

  it('forgets singleton keys claimed before a time, and only those of the queue named', async () => {
    const key = 'alerts:C1@2024-01-01T09:00:00.000Z';
    const first = await queue.enqueue('scheduled-run', { slot: 'old' }, { singletonKey: key });
    await queue.enqueue('sweep-batch', { n: 1 }, { singletonKey: key });
    expect(await queue.forgetSingletons('scheduled-run', new Date(Date.now() - 60_000))).toBe(0);
    expect(await queue.forgetSingletons('scheduled-run', new Date(Date.now() + 60_000))).toBe(1);
    // Forgotten, the key makes a new job if asked again; the other queue's key is still taken.
    const again = await queue.enqueue('scheduled-run', { slot: 'old' }, { singletonKey: key });
    expect(again.created).toBe(true);
    expect(again.id).not.toBe(first.id);
    expect((await queue.enqueue('sweep-batch', { n: 1 }, { singletonKey: key })).created).toBe(false);
  });

  it('keeps what a job returns, and says which failed', async () => {
    await queue.work<{ n: number }>('sweep-batch', async (job) => {
      if (job.payload.n < 0) throw new Error('negative batch');
      return { doubled: job.payload.n * 2 };
    });
    const good = await queue.enqueue('sweep-batch', { n: 21 });
    const bad = await queue.enqueue('sweep-batch', { n: -1 });
    const outcomes = await settled(queue, 'sweep-batch', [good.id, bad.id], { intervalMs: 50 });
    expect(outcomes.find((o) => o.id === good.id)).toMatchObject({ state: 'completed', output: { doubled: 42 } });
    expect(outcomes.find((o) => o.id === bad.id)).toMatchObject({ state: 'failed', output: { error: expect.stringContaining('negative batch') } });
  });

  it('retries a job as often as it was enqueued to be, and retakes a singleton key whose job failed only when asked to', async () => {
    const tries = new Map<string, number>();
    await queue.work<{ slot: string; failures: number }>('scheduled-run', async (job) => {
      const n = (tries.get(job.payload.slot) ?? 0) + 1;
      tries.set(job.payload.slot, n);
      if (n <= job.payload.failures) throw new Error(`attempt ${n} failed`);
      return { attempt: n };
    });
    // Fails once, retried once (the queue's own default here is no retries).
    const retried = await queue.enqueue('scheduled-run', { slot: 'a', failures: 1 }, { singletonKey: 'weekly:C1@a', retryLimit: 1, retryDelaySeconds: 0, retakeFailed: true });
    // Fails for good: no retries.
    const failed = await queue.enqueue('scheduled-run', { slot: 'b', failures: 1 }, { singletonKey: 'weekly:C1@b', retryLimit: 0, retakeFailed: true });
    const outcomes = await settled(queue, 'scheduled-run', [retried.id, failed.id], { intervalMs: 50 });
    expect(outcomes.find((o) => o.id === retried.id)).toMatchObject({ state: 'completed', output: { attempt: 2 } });
    expect(outcomes.find((o) => o.id === failed.id)).toMatchObject({ state: 'failed' });
    // A done job's key is not retaken; a failed one's is, when asked to, once.
    expect((await queue.enqueue('scheduled-run', { slot: 'a', failures: 1 }, { singletonKey: 'weekly:C1@a', retakeFailed: true })).created).toBe(false);
    expect((await queue.enqueue('scheduled-run', { slot: 'b', failures: 1 }, { singletonKey: 'weekly:C1@b' })).created).toBe(false);
    const retakes = await Promise.all([1, 2, 3].map(() => queue.enqueue('scheduled-run', { slot: 'b', failures: 1 }, { singletonKey: 'weekly:C1@b', retakeFailed: true })));
    expect(retakes.filter((e) => e.created)).toHaveLength(1);
    expect(new Set(retakes.map((e) => e.id))).toEqual(new Set([retakes.find((e) => e.created)!.id]));
    expect(await settled(queue, 'scheduled-run', [retakes[0]!.id], { intervalMs: 50 })).toMatchObject([{ state: 'completed', output: { attempt: 2 } }]);
    expect(tries).toEqual(new Map([['a', 2], ['b', 2]]));
  });

  it('holds a job back until runAt', async () => {
    const started: number[] = [];
    await queue.work('sweep-batch', async () => void started.push(Date.now()));
    const runAt = new Date(Date.now() + 1500);
    const job = await queue.enqueue('sweep-batch', { later: true }, { runAt });
    await settled(queue, 'sweep-batch', [job.id], { intervalMs: 50 });
    expect(started[0]).toBeGreaterThanOrEqual(runAt.getTime() - 50);
  });

  it('runs at most `concurrency` jobs of a queue at once', async () => {
    let running = 0;
    let most = 0;
    await queue.work(
      'sweep-batch',
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 200));
        running--;
      },
      { concurrency: 2 },
    );
    const jobs = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => queue.enqueue('sweep-batch', { n })));
    await settled(queue, 'sweep-batch', jobs.map((j) => j.id), { intervalMs: 50 });
    expect(most).toBe(2);
  });

  it('shows the depth of a queue and how long its oldest job has waited', async () => {
    const job = await queue.enqueue('sweep-batch', { waiting: true });
    await new Promise((r) => setTimeout(r, 1200));
    const stats = (await queue.stats()).find((s) => s.name === 'sweep-batch')!;
    expect(stats.waiting).toBe(1);
    expect(stats.lagSeconds).toBeGreaterThanOrEqual(1);
    await queue.work('sweep-batch', async () => undefined);
    await settled(queue, 'sweep-batch', [job.id], { intervalMs: 50 });
    await until(async () => (await queue.stats()).every((s) => s.waiting === 0 && s.lagSeconds === 0));
  });
});

describe('the in-process queue and its clock', () => {
  it('runs a delayed job even when the clock it is due by falls behind the timer (a stepped clock)', async () => {
    let behindMs = 0;
    const queue = new InProcessQueue({ now: () => new Date(Date.now() - behindMs) });
    try {
      await queue.work('sweep-batch', async () => undefined);
      const job = await queue.enqueue('sweep-batch', { later: true }, { runAt: new Date(Date.now() + 100) });
      behindMs = 60; // stepped back after the job was queued: the timer fires before the job is due by this clock
      const outcomes = await settled(queue, 'sweep-batch', [job.id], { intervalMs: 20, signal: AbortSignal.timeout(3_000) });
      expect(outcomes).toEqual([{ id: job.id, state: 'completed', output: null }]);
    } finally {
      await queue.stop();
    }
  });
});
