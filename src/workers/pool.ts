/**
 * A small bounded pool of worker threads for CPU-heavy pure work (parsing manifests, matching
 * advisories, evaluating rules), so the main thread's event loop stays free to ack Slack within its
 * 3 seconds however big the repository being audited.
 *
 * A job is a task name from the worker's fixed table (see entry.ts) and a structured-clone input. A
 * job that needs I/O (GitHub, OSV, PyPI, SQLite: main-thread things) calls back by method name to the
 * job's handlers, which run here on the main thread; while it waits, its worker runs other jobs. So
 * a worker holds up to `jobsPerWorker` jobs at once, and the pool starts up to `size` workers.
 *
 * Failures stay inside the job: a worker that runs out of memory (heap capped per worker), crashes,
 * or computes for longer than `computeBudgetMs` without a word is stopped, its jobs fail with a
 * WorkerJobError saying so, and the next job gets a fresh worker. The process itself never stops.
 *
 * The entry may be compiled JavaScript (dist/, `npm start`) or TypeScript (tests under vitest, the
 * benchmarks under tsx): a `.ts` entry is loaded through tsx's loader registered inside the worker.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { fromWireError, toWireError, type FromWorker, type ToWorker } from './protocol.js';

export interface WorkerPoolOptions {
  /** The worker's entry module (it calls serveTasks). */
  entry: URL;
  /** Most workers at once (default: one per core but one, between 1 and 4). */
  size?: number;
  /** Most jobs in progress per worker (default 4); more wait in the pool's queue. */
  jobsPerWorker?: number;
  /** Longest a worker may compute without a word while it holds a job (default 60 s). */
  computeBudgetMs?: number;
  /** Heap limit of each worker in MB (default 1024): a job that needs more fails, not the process. */
  maxHeapMb?: number;
  logger?: Logger;
}

/** Main-thread answers to a job's calls, by method name. Their results must be structured-clone data. */
export type JobHandlers = Record<string, (arg: never) => unknown>;

/** A job that could not finish for a reason outside its own code (memory, time, a crashed or closed worker). */
export class WorkerJobError extends Error {
  override name = 'WorkerJobError';
}

interface Job {
  id: number;
  task: string;
  input: unknown;
  handlers: JobHandlers;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /** Calls to the main thread this job is waiting for. */
  waitingCalls: number;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
  /** Last message sent to or received from the worker: it has been computing since. */
  lastActivity: number;
  dead: boolean;
}

export const DEFAULT_COMPUTE_BUDGET_MS = 60_000;
export const DEFAULT_MAX_HEAP_MB = 1024;

const seconds = (ms: number) => `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** A worker for `entry`: compiled JavaScript directly, TypeScript through tsx (dev dependency). */
function startWorker(entry: URL, maxHeapMb: number): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } };
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly size: number;
  private readonly jobsPerWorker: number;
  private readonly budgetMs: number;
  private readonly maxHeapMb: number;
  private nextJob = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = Math.max(1, options.size ?? defaultPoolSize());
    this.jobsPerWorker = Math.max(1, options.jobsPerWorker ?? 4);
    this.budgetMs = options.computeBudgetMs ?? DEFAULT_COMPUTE_BUDGET_MS;
    this.maxHeapMb = options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB;
  }

  /** Runs `task` on `input` in a worker; `handlers` answer its calls for I/O on this thread. */
  run<T>(task: string, input: unknown, handlers: JobHandlers = {}): Promise<T> {
    if (this.closed) return Promise.reject(new WorkerJobError('the worker pool is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: ++this.nextJob, task, input, handlers, resolve: resolve as (value: unknown) => void, reject, waitingCalls: 0 });
      this.dispatch();
    });
  }

  /** Starts the workers now rather than on the first job (their start-up takes a moment). */
  warm(): void {
    while (!this.closed && this.slots.length < this.size) this.spawn();
  }

  /** Workers running, jobs in progress and jobs waiting for a worker. */
  stats(): { workers: number; running: number; queued: number } {
    return { workers: this.slots.length, running: this.slots.reduce((n, s) => n + s.jobs.size, 0), queued: this.queue.length };
  }

  /** Fails the waiting jobs and those in progress, and stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new WorkerJobError('the worker pool is closed'));
    const slots = this.slots.splice(0);
    this.stopWatchdog();
    await Promise.all(slots.map((slot) => this.retire(slot, 'the worker pool is closed')));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let slot = this.slots.filter((s) => s.jobs.size < this.jobsPerWorker).sort((a, b) => a.jobs.size - b.jobs.size)[0];
      // A fresh worker rather than sharing one, while the pool may still grow.
      if ((!slot || slot.jobs.size > 0) && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.jobs.set(job.id, job);
      slot.worker.ref();
      this.send(slot, { type: 'job', job: job.id, task: job.task, input: job.input }, job);
    }
    this.updateWatchdog();
  }

  private spawn(): Slot {
    const worker = startWorker(this.options.entry, this.maxHeapMb);
    const slot: Slot = { worker, jobs: new Map(), lastActivity: Date.now(), dead: false };
    worker.unref();
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (err: Error & { code?: string }) => {
      const reason =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `ran out of memory (over the ${this.maxHeapMb} MB a worker may use)`
          : `stopped by an error in the worker (${toWireError(err).message})`;
      void this.fail(slot, reason);
    });
    worker.on('exit', (code) => {
      if (!slot.dead) void this.fail(slot, `stopped: its worker exited (code ${code})`);
    });
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    slot.lastActivity = Date.now();
    const job = slot.jobs.get(message.job);
    if (!job) return;
    if (message.type === 'done') {
      slot.jobs.delete(job.id);
      if (slot.jobs.size === 0) slot.worker.unref();
      if (message.ok) job.resolve(message.value);
      else job.reject(fromWireError(message.error));
      this.dispatch();
      return;
    }
    job.waitingCalls += 1;
    const handler = Object.hasOwn(job.handlers, message.method) ? job.handlers[message.method] : undefined;
    void (async () => {
      if (!handler) throw new Error(`the job "${job.task}" asked for "${message.method}", which nothing answers`);
      return handler(message.arg as never);
    })().then(
      (value) => this.reply(slot, job, { type: 'reply', call: message.call, ok: true, value }),
      (err: unknown) => this.reply(slot, job, { type: 'reply', call: message.call, ok: false, error: toWireError(err) }),
    );
  }

  private reply(slot: Slot, job: Job, message: ToWorker): void {
    job.waitingCalls -= 1;
    if (slot.dead || !slot.jobs.has(job.id)) return;
    try {
      slot.worker.postMessage(message);
    } catch (err) {
      // An answer that cannot be cloned is a bug in a handler: the call fails, not the worker.
      if (message.type === 'reply') slot.worker.postMessage({ type: 'reply', call: message.call, ok: false, error: toWireError(err) });
    }
    slot.lastActivity = Date.now();
  }

  private send(slot: Slot, message: ToWorker, job: Job): void {
    try {
      slot.worker.postMessage(message);
      slot.lastActivity = Date.now();
    } catch (err) {
      // An input that cannot be cloned never reaches the worker: only this job fails.
      slot.jobs.delete(job.id);
      if (slot.jobs.size === 0) slot.worker.unref();
      job.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Stops a worker that failed; its jobs fail with `reason`, waiting jobs go to other workers. */
  private async fail(slot: Slot, reason: string): Promise<void> {
    if (slot.dead) return;
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    this.options.logger?.warn({ jobs: [...slot.jobs.values()].map((j) => j.task), reason }, 'worker stopped');
    await this.retire(slot, reason);
    this.dispatch();
  }

  private async retire(slot: Slot, reason: string): Promise<void> {
    slot.dead = true;
    const jobs = [...slot.jobs.values()];
    slot.jobs.clear();
    for (const job of jobs) job.reject(new WorkerJobError(`${job.task}: ${reason}`));
    await slot.worker.terminate().catch(() => undefined);
  }

  /** Checks the workers holding runnable jobs for a computation that overran its budget. */
  private updateWatchdog(): void {
    const busy = this.slots.some((s) => s.jobs.size > 0);
    if (!busy) {
      this.stopWatchdog();
      return;
    }
    if (this.watchdog) return;
    const every = Math.max(10, Math.min(1000, Math.floor(this.budgetMs / 4)));
    this.watchdog = setInterval(() => {
      const now = Date.now();
      for (const slot of [...this.slots]) {
        const computing = [...slot.jobs.values()].some((j) => j.waitingCalls === 0);
        if (computing && now - slot.lastActivity > this.budgetMs) {
          void this.fail(slot, `took more than ${seconds(this.budgetMs)} of computation and was stopped`);
        }
      }
      if (!this.slots.some((s) => s.jobs.size > 0)) this.stopWatchdog();
    }, every);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }
}
