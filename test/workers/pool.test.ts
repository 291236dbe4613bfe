/**
 * The worker pool: jobs run in other threads and cross the boundary as structured-clone data; their
 * I/O calls are answered on the main thread; their failures (an exception, memory, a runaway loop)
 * fail the job and never the process, and the main thread's event loop stays free meanwhile.
 */
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerJobError, WorkerPool, type WorkerPoolOptions } from '../../src/workers/pool.js';

const ENTRY = new URL('./fixture-worker.ts', import.meta.url);

/** The error a job failed with (the test fails if it succeeded). */
async function failure(job: Promise<unknown>): Promise<Error> {
  try {
    await job;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the job succeeded');
}

describe('WorkerPool', () => {
  const pools: WorkerPool[] = [];
  const pool = (options: Partial<WorkerPoolOptions> = {}) => {
    const created = new WorkerPool({ entry: ENTRY, size: 1, ...options });
    pools.push(created);
    return created;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  it('runs a task in another thread, with structured data both ways', async () => {
    const input = { when: new Date('2024-05-01T00:00:00Z'), names: new Map([['django', ['2.1.5']]]), tags: new Set(['a']) };
    const out = await pool().run<{ input: typeof input; threadId: number }>('echo', input);
    expect(out.threadId).not.toBe(threadId);
    expect(out.input).toEqual(input);
    expect(out.input.when).toBeInstanceOf(Date);
  });

  it("answers a job's calls with its handlers on the main thread; a handler's error reaches the job as name and message only", async () => {
    const seen: number[] = [];
    const out = await pool().run('ask', { n: 21 }, {
      double: (n: number) => {
        seen.push(threadId);
        return n * 2;
      },
      fail: () => {
        throw new RangeError('OSV did not answer\n    at secret/stack/frame.js:1:1');
      },
    });
    expect(seen).toEqual([threadId]);
    expect(out).toEqual({ doubled: 42, caught: { name: 'RangeError', message: 'OSV did not answer', stackLines: 1 } });
  });

  it("rejects with the task's own error name and first line, without the worker's stack", async () => {
    const err = await failure(pool().run('throw', null));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('OwnError');
    expect(err.message).toBe('a line for people');
    expect(err.stack).not.toMatch(/fixture-worker/);
  });

  it('refuses a task that is not in the worker table, and an uncloneable result, without losing the worker', async () => {
    const p = pool();
    await expect(p.run('constructor', null)).rejects.toThrow('unknown worker task "constructor"');
    await expect(p.run('uncloneable', null)).rejects.toThrow(/could not be cloned/);
    await expect(p.run('echo', 1)).resolves.toMatchObject({ input: 1 });
  });

  it('keeps the main event loop free while a worker computes', async () => {
    const p = pool();
    await p.run('echo', null); // started and loaded
    const lags: number[] = [];
    let last = Date.now();
    const ticker = setInterval(() => {
      const now = Date.now();
      lags.push(now - last - 20);
      last = now;
    }, 20);
    await p.run('spin', { ms: 1500 });
    clearInterval(ticker);
    expect(lags.length).toBeGreaterThan(10);
    // A generous bound: the loop never stalled for anything like the 1.5 s the worker computed.
    expect(Math.max(...lags)).toBeLessThan(750);
  });

  it('stops a job that computes past its budget, and serves the next job with a fresh worker', async () => {
    const p = pool({ computeBudgetMs: 1500 });
    await p.run('echo', null);
    const err = await failure(p.run('spin', { ms: null }));
    expect(err).toBeInstanceOf(WorkerJobError);
    expect(err.message).toMatch(/^spin: took more than 1\.5 s of computation and was stopped$/);
    await expect(p.run('echo', 'after')).resolves.toMatchObject({ input: 'after' });
  });

  it('fails a job that runs out of memory, not the process, and keeps serving', async () => {
    const p = pool({ maxHeapMb: 48 });
    const err = await failure(p.run('allocate', null));
    expect(err).toBeInstanceOf(WorkerJobError);
    expect(err.message).toMatch(/ran out of memory \(over the 48 MB a worker may use\)/);
    await expect(p.run('echo', 'still here')).resolves.toMatchObject({ input: 'still here' });
  });

  it('lets another job use the worker while one waits for the main thread', async () => {
    const p = pool({ size: 1, jobsPerWorker: 2 });
    let go: (value: string) => void = () => {};
    const released = new Promise<string>((resolve) => (go = resolve));
    const waiting = p.run('wait', null, { go: () => released });
    await expect(p.run('echo', 'meanwhile')).resolves.toMatchObject({ input: 'meanwhile' });
    go('went');
    await expect(waiting).resolves.toBe('went');
  });

  it('is bounded: jobs beyond size × jobsPerWorker wait in its queue', async () => {
    const p = pool({ size: 1, jobsPerWorker: 1 });
    const jobs = [p.run('spin', { ms: 200 }), p.run('spin', { ms: 200 }), p.run('spin', { ms: 200 })];
    expect(p.stats()).toEqual({ workers: 1, running: 1, queued: 2 });
    await Promise.all(jobs);
    expect(p.stats()).toEqual({ workers: 1, running: 0, queued: 0 });
  });

  it('fails the jobs in progress and the waiting ones when closed', async () => {
    const p = pool({ size: 1, jobsPerWorker: 1 });
    const running = failure(p.run('wait', null, { go: () => new Promise(() => {}) }));
    const queued = failure(p.run('echo', null));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await p.close();
    expect(await running).toBeInstanceOf(WorkerJobError);
    expect((await queued).message).toBe('the worker pool is closed');
    await expect(p.run('echo', null)).rejects.toThrow('the worker pool is closed');
  });
});
