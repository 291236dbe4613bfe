/**
 * /metrics shows the shared job queue: how many jobs wait and how long the oldest has waited, read
 * from PostgreSQL at scrape time, so a shortage of replicas is visible before schedules slip.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { settled } from '../../src/jobs/interface.js';
import { PostgresQueue } from '../../src/jobs/postgres.js';
import { createMetrics, type Metrics } from '../../src/ops/metrics.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

let database: TestDatabase | undefined;
let metrics: Metrics | undefined;
let queue: PostgresQueue | undefined;
afterEach(async () => {
  metrics?.close();
  await queue?.stop(2_000);
  await database?.drop();
});

describe('job queue metrics', () => {
  it('reports the depth and lag of the queue, and their fall once a replica takes the jobs', async () => {
    database = await createTestDatabase();
    queue = new PostgresQueue(await database.open({ max: 4 }), { pollingIntervalSeconds: 0.5 });
    metrics = createMetrics({ processMetrics: false });
    metrics.watchJobQueue(queue);
    const jobs = await Promise.all([1, 2].map((n) => queue!.enqueue('sweep-batch', { n })));
    await new Promise((r) => setTimeout(r, 1200));
    let text = await metrics.text();
    expect(sample(text, 'depwatch_job_queue_depth{queue="sweep-batch",state="waiting"}')).toBe(2);
    expect(sample(text, 'depwatch_job_queue_depth{queue="scheduled-run",state="waiting"}')).toBe(0);
    expect(sample(text, 'depwatch_job_queue_lag_seconds{queue="sweep-batch"}')).toBeGreaterThanOrEqual(1);

    await queue.work('sweep-batch', async () => undefined);
    await settled(queue, 'sweep-batch', jobs.map((j) => j.id), { intervalMs: 100 });
    text = await metrics.text();
    expect(sample(text, 'depwatch_job_queue_depth{queue="sweep-batch",state="waiting"}')).toBe(0);
    expect(sample(text, 'depwatch_job_queue_lag_seconds{queue="sweep-batch"}')).toBe(0);
  });

  it('shows no job series when no queue is watched (a bot that has not started one)', async () => {
    metrics = createMetrics({ processMetrics: false });
    expect(await metrics.text()).not.toMatch(/depwatch_job_queue_depth\{/);
  });
});
