/**
 * Two replicas on one real PostgreSQL (two pools, two queues, as two bot processes would have):
 * a scheduled slot both of them fire for runs once, a sweep's eight batch jobs are shared between
 * them, and a replica killed mid-job (SIGKILL, in a process of its own) has its job finished by the
 * other once the lease is over.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settled } from '../../src/jobs/interface.js';
import { PostgresQueue, type PostgresQueueOptions } from '../../src/jobs/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

/** Short leases and quick polls, so expiry is seen in seconds; the dying worker uses the same. */
const FAST: PostgresQueueOptions = { leaseSeconds: 2, retryDelaySeconds: 0, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1 };

let database: TestDatabase;
const queues: PostgresQueue[] = [];
const replica = async () => {
  const queue = new PostgresQueue(await database.open({ max: 4 }), FAST);
  queues.push(queue);
  return queue;
};

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop(2_000)));
  await database.drop();
});

describe('jobs across two replicas on PostgreSQL', () => {
  it('starts four replicas at the same moment on a fresh database', async () => {
    const four = await Promise.all([1, 2, 3, 4].map(() => replica()));
    await Promise.all(four.map((q) => q.start()));
    expect((await four[3]!.stats()).map((s) => s.name).sort()).toEqual(['scheduled-run', 'sweep-batch']);
  });

  it('runs a scheduled slot once when both replicas fire for it', async () => {
    const [a, b] = [await replica(), await replica()];
    const ran: string[] = [];
    await a.work('scheduled-run', async () => void ran.push('a'));
    await b.work('scheduled-run', async () => void ran.push('b'));
    const slot = { singletonKey: 'weekly:C0TEAM@2026-12-07T09:00:00.000Z' };
    const [fromA, fromB] = await Promise.all([a.enqueue('scheduled-run', { kind: 'weekly' }, slot), b.enqueue('scheduled-run', { kind: 'weekly' }, slot)]);
    expect([fromA.created, fromB.created].sort()).toEqual([false, true]);
    expect(fromA.id).toBe(fromB.id);
    await settled(a, 'scheduled-run', [fromA.id], { intervalMs: 100 });
    await new Promise((r) => setTimeout(r, 1500)); // room for a second run, were there one
    expect(ran).toHaveLength(1);
  });

  it('shares the eight batch jobs of a sweep between two replicas', async () => {
    const [a, b] = [await replica(), await replica()];
    const byReplica = { a: [] as number[], b: [] as number[] };
    const batch = (who: 'a' | 'b') => async (job: { payload: { batch: number } }) => {
      byReplica[who].push(job.payload.batch);
      await new Promise((r) => setTimeout(r, 400)); // a batch takes a while: the other replica takes the next one meanwhile
      return { batch: job.payload.batch, by: who };
    };
    await a.work('sweep-batch', batch('a'), { concurrency: 2 });
    await b.work('sweep-batch', batch('b'), { concurrency: 2 });
    const jobs = await Promise.all(Array.from({ length: 8 }, (_, n) => a.enqueue('sweep-batch', { batch: n }, { singletonKey: `sweep:1:${n}` })));
    const outcomes = await settled(b, 'sweep-batch', jobs.map((j) => j.id), { intervalMs: 100 });
    expect(outcomes.every((o) => o.state === 'completed')).toBe(true);
    expect([...byReplica.a, ...byReplica.b].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(byReplica.a.length).toBeGreaterThan(0);
    expect(byReplica.b.length).toBeGreaterThan(0);
  });

  it('finishes on the other replica a job whose replica died mid-job, once the lease is over', async () => {
    const survivor = await replica();
    const job = await survivor.enqueue('sweep-batch', { batch: 0 }, { singletonKey: 'sweep:2:0' });
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'dying-worker.ts')], { env: { ...process.env, DATABASE_URL: database.url }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes(`TAKEN ${job.id}`)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the dying worker exited (${code}) before taking the job: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect((await survivor.outcomes('sweep-batch', [job.id]))[0]!.state).toBe('active');

    const finishedBy: string[] = [];
    await survivor.work('sweep-batch', async (j) => {
      finishedBy.push(j.id);
      return 'done by the survivor';
    });
    const [outcome] = await settled(survivor, 'sweep-batch', [job.id], { intervalMs: 200 });
    expect(outcome).toMatchObject({ state: 'completed', output: 'done by the survivor' });
    expect(finishedBy).toEqual([job.id]);
  });
});
