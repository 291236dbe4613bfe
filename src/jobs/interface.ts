/**
 * Background jobs behind one small interface, so the scheduler and the sweep do not care where they
 * run: in this process (SQLite, one bot: in-process.ts) or through a queue in PostgreSQL that every
 * replica shares (postgres.ts, pg-boss): any replica may take any job, and a job whose replica died
 * is retried by another once its lease runs out (docs/jobs.md).
 *
 *   await queue.enqueue('sweep-batch', { repos }, { singletonKey: `sweep:${id}:3` });
 *   await queue.work('sweep-batch', async (job) => sweepRepos(job.payload.repos), { concurrency: 2 });
 *
 * Payloads are plain JSON: they cross a database on the PostgreSQL side, so the in-process queue
 * copies them too, and a test on SQLite catches what would not survive the trip.
 */

/** The job queues Depwatch uses; a fixed set, so a metric label never carries anything else. */
export const QUEUE_NAMES = ['scheduled-run', 'sweep-batch'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface EnqueueOptions {
  /**
   * At most one job with this key is ever created in the queue (a scheduled slot, a sweep's batch):
   * replicas that enqueue the same key race harmlessly, and the loser is told `created: false`.
   */
  singletonKey?: string;
  /** Not before this time. */
  runAt?: Date;
  /**
   * Attempts after the first, for this job: a handler that throws, or a lease that ran out (its
   * replica died). Default: the queue's (PostgreSQL: its `retryLimit`; in process: none).
   */
  retryLimit?: number;
  /** Seconds before a failed attempt is tried again; default the queue's. */
  retryDelaySeconds?: number;
  /**
   * With `singletonKey`: when the key's job failed for good (its retries used up), a new job is made
   * under the key instead of answering `created: false`. Only for work a rerun cannot repeat (a
   * digest slot: its outbox rows are keyed by the slot).
   */
  retakeFailed?: boolean;
}

export interface Enqueued {
  /** The job's id (the existing job's when a singleton key was taken already). */
  id: string;
  created: boolean;
}

export interface Job<P> {
  id: string;
  name: QueueName;
  payload: P;
}

/** Runs one job; what it returns (plain JSON) is kept as the job's output. Throwing fails the attempt. */
export type JobHandler<P> = (job: Job<P>) => Promise<JsonValue | void>;

export interface WorkOptions {
  /** Jobs of this queue run at once in this process. */
  concurrency?: number;
}

export type JobState = 'waiting' | 'active' | 'completed' | 'failed';

export interface JobOutcome {
  id: string;
  state: JobState;
  output: JsonValue | null;
}

/** What /metrics shows of one queue. */
export interface QueueStats {
  name: QueueName;
  /** Jobs due and not yet taken. */
  waiting: number;
  active: number;
  /** Seconds the oldest due job has waited to be taken (0 when none waits): a replica shortage shows here first. */
  lagSeconds: number;
}

export interface JobQueue {
  readonly kind: 'in-process' | 'postgres';
  enqueue<P extends JsonValue>(name: QueueName, payload: P, options?: EnqueueOptions): Promise<Enqueued>;
  work<P extends JsonValue>(name: QueueName, handler: JobHandler<P>, options?: WorkOptions): Promise<void>;
  /** Where these jobs stand (unknown ids are left out). */
  outcomes(name: QueueName, ids: readonly string[]): Promise<JobOutcome[]>;
  stats(): Promise<QueueStats[]>;
  /**
   * Forgets the singleton keys of `name` claimed before `before`, so they do not pile up for ever;
   * returns how many. Only for keys nobody asks for again after that time (a scheduled slot older
   * than the catch-up lookback, a sweep's batch): asked again, such a key makes a new job.
   */
  forgetSingletons(name: QueueName, before: Date): Promise<number>;
  /** Stops taking jobs and waits for the running ones. */
  stop(): Promise<void>;
}

/** Waits until every job is completed or failed, polling every `intervalMs`; gives their outcomes. */
export async function settled(queue: JobQueue, name: QueueName, ids: readonly string[], options: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<JobOutcome[]> {
  const interval = options.intervalMs ?? 1000;
  for (;;) {
    options.signal?.throwIfAborted();
    const outcomes = await queue.outcomes(name, ids);
    if (outcomes.length === ids.length && outcomes.every((o) => o.state === 'completed' || o.state === 'failed')) return outcomes;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
