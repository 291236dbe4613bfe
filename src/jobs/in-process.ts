/**
 * The job queue of a single bot on SQLite: jobs run in this process, as they always have (the schedule
 * timer fires, the sweep runs here). Nothing survives a restart, and nothing needs to: the scheduler's
 * job_runs table (SQLite) already says which slots ran, and a sweep is simply run again.
 *
 * It keeps the PostgreSQL queue's promises that callers rely on: a singleton key creates one job,
 * payloads are copied as JSON, a job waits for `runAt`, at most `concurrency` run at once per queue,
 * a failed job is retried as often as it was enqueued to be (none by default), then reported, never
 * thrown at whoever enqueued it, and a singleton key whose job failed may be retaken (`retakeFailed`).
 */
import { randomUUID } from 'node:crypto';
import { errorLine } from '../error-line.js';
import type { Logger } from '../log.js';
import { QUEUE_NAMES, type Enqueued, type EnqueueOptions, type JobHandler, type JobOutcome, type JobQueue, type JsonValue, type QueueName, type QueueStats, type WorkOptions } from './interface.js';

interface QueuedJob {
  id: string;
  name: QueueName;
  payload: JsonValue;
  dueAt: number;
  state: JobOutcome['state'];
  output: JsonValue | null;
  /** Attempts left after a failure, and the wait before the next. */
  retriesLeft: number;
  retryDelayMs: number;
}

/** Finished jobs remembered for outcomes(): enough for a sweep's batches, bounded for a bot that runs for months. */
const KEEP_FINISHED = 10_000;

export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private readonly jobs = new Map<string, QueuedJob>();
  private readonly singletons = new Map<string, { id: string; at: number }>();
  private readonly finished: string[] = [];
  private readonly workers = new Map<QueueName, { handler: JobHandler<JsonValue>; concurrency: number; running: number }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: { logger?: Logger; now?: () => Date } = {}) {}

  private now(): number {
    return (this.options.now?.() ?? new Date()).getTime();
  }

  async enqueue<P extends JsonValue>(name: QueueName, payload: P, options: EnqueueOptions = {}): Promise<Enqueued> {
    const singleton = options.singletonKey === undefined ? undefined : `${name}\0${options.singletonKey}`;
    const existing = singleton === undefined ? undefined : this.singletons.get(singleton);
    const retaken = existing !== undefined && options.retakeFailed === true && this.jobs.get(existing.id)?.state === 'failed';
    if (existing !== undefined && !retaken) return { id: existing.id, created: false };
    const job: QueuedJob = {
      id: randomUUID(),
      name,
      payload: JSON.parse(JSON.stringify(payload)) as JsonValue,
      dueAt: options.runAt?.getTime() ?? this.now(),
      state: 'waiting',
      output: null,
      retriesLeft: Math.max(0, options.retryLimit ?? 0),
      retryDelayMs: Math.max(0, options.retryDelaySeconds ?? 0) * 1000,
    };
    this.jobs.set(job.id, job);
    if (singleton !== undefined) this.singletons.set(singleton, { id: job.id, at: existing?.at ?? this.now() });
    if (job.dueAt > this.now()) this.wakeAt(name, job.dueAt);
    queueMicrotask(() => this.pump(name));
    return { id: job.id, created: true };
  }

  /**
   * Pumps `name` once `dueAt` has come by this queue's clock. A timer runs on the monotonic clock,
   * the due time on Date's, and the two drift (a virtual machine's clock is stepped): a timer that
   * fires while the job is not yet due by Date waits for the rest, where it used to pump once and
   * leave the job waiting for good.
   */
  private wakeAt(name: QueueName, dueAt: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (dueAt > this.now()) this.wakeAt(name, dueAt);
      else this.pump(name);
    }, Math.max(1, dueAt - this.now()));
    timer.unref();
    this.timers.add(timer);
  }

  async work<P extends JsonValue>(name: QueueName, handler: JobHandler<P>, options: WorkOptions = {}): Promise<void> {
    if (this.workers.has(name)) throw new Error(`a worker for ${name} is registered already`);
    this.workers.set(name, { handler: handler as JobHandler<JsonValue>, concurrency: Math.max(1, options.concurrency ?? 1), running: 0 });
    this.pump(name);
  }

  async outcomes(_name: QueueName, ids: readonly string[]): Promise<JobOutcome[]> {
    return ids.flatMap((id) => {
      const job = this.jobs.get(id);
      return job ? [{ id, state: job.state, output: job.output }] : [];
    });
  }

  async stats(): Promise<QueueStats[]> {
    const now = this.now();
    return QUEUE_NAMES.map((name) => {
      const jobs = [...this.jobs.values()].filter((j) => j.name === name);
      const due = jobs.filter((j) => j.state === 'waiting' && j.dueAt <= now);
      const oldest = Math.min(...due.map((j) => j.dueAt));
      return { name, waiting: due.length, active: jobs.filter((j) => j.state === 'active').length, lagSeconds: due.length ? Math.max(0, (now - oldest) / 1000) : 0 };
    });
  }

  async forgetSingletons(name: QueueName, before: Date): Promise<number> {
    let forgotten = 0;
    for (const [key, { at }] of this.singletons) {
      if (!key.startsWith(`${name}\0`) || at >= before.getTime()) continue;
      this.singletons.delete(key);
      forgotten++;
    }
    return forgotten;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Starts as many due jobs of `name` as its worker has room for. */
  private pump(name: QueueName): void {
    const worker = this.workers.get(name);
    if (!worker || this.stopped) return;
    const now = this.now();
    for (const job of this.jobs.values()) {
      if (worker.running >= worker.concurrency) return;
      if (job.name !== name || job.state !== 'waiting' || job.dueAt > now) continue;
      job.state = 'active';
      worker.running++;
      const run = worker
        .handler({ id: job.id, name, payload: job.payload })
        .then(
          (output) => {
            job.state = 'completed';
            job.output = output === undefined ? null : (JSON.parse(JSON.stringify(output)) as JsonValue);
          },
          (err: unknown) => {
            const error = errorLine(err);
            this.options.logger?.error({ queue: name, job: job.id, err: error, retriesLeft: job.retriesLeft }, 'job failed');
            if (job.retriesLeft > 0 && !this.stopped) {
              job.retriesLeft--;
              job.state = 'waiting';
              job.dueAt = this.now() + job.retryDelayMs;
              if (job.retryDelayMs > 0) this.wakeAt(name, job.dueAt);
              return;
            }
            job.state = 'failed';
            job.output = { error };
          },
        )
        .finally(() => {
          worker.running--;
          this.running.delete(run);
          if (job.state !== 'waiting') this.forgetOld(job.id);
          this.pump(name);
        });
      this.running.add(run);
    }
  }

  private forgetOld(id: string): void {
    this.finished.push(id);
    while (this.finished.length > KEEP_FINISHED) {
      const old = this.jobs.get(this.finished.shift()!);
      if (old) this.jobs.delete(old.id);
      // The singleton stays taken: a key names one piece of work, done once, whenever it is asked again.
    }
  }
}
