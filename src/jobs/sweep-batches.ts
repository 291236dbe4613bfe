/**
 * A sweep split into batch jobs that any replica may take: the replica that starts the sweep (the
 * one running the scheduled job that needs it) refreshes the advisories, cuts the watched
 * repositories into batches of HEADS_BATCH_SIZE (one GraphQL heads query each) and enqueues one
 * `sweep-batch` job per batch; every replica with a batch worker sweeps those repositories
 * (src/watch/sweep.ts with `repos`) and reports counts, and the starter waits for all of them.
 *
 * Retries are safe: a batch retried after partial work (its replica died, or it threw) sweeps its
 * repositories again; what the first attempt stored is simply the state the second one starts
 * from (a repository audited already is unchanged now and re-matched). Alerts are not sent from
 * here at all: they are decided from the stored findings by the channel's alerts job and go
 * through the outbox, whose idempotency keys post each alert once (docs/jobs.md, docs/outbox.md).
 *
 * Batch keys are `sweep@<minute the sweep started>:<n>`: two replicas starting a sweep in the same
 * minute share its batches instead of sweeping twice. The starter dying is covered too: its
 * scheduled job is retried elsewhere, enqueues the same keys (nothing new) and waits for them.
 */
import { HEADS_BATCH_SIZE } from '../github/heads.js';
import { sweep, type SweepOptions, type SweepResult } from '../watch/sweep.js';
import { settled, type JobQueue, type JsonValue } from './interface.js';

export interface SweepBatchPayload {
  [field: string]: JsonValue;
  sweep: string;
  repos: string[];
}

/** What a batch job returns: its part of the SweepResult (all but its times), as JSON. */
type BatchOutput = Omit<SweepResult, 'startedAt' | 'finishedAt'>;

export interface BatchWorkerOptions {
  /** Batches this replica sweeps at once. */
  concurrency?: number;
  /** Test hook: runs after a batch is swept and before its job completes (tests make the replica "die" here). */
  afterBatch?: (payload: SweepBatchPayload, attempt: number) => Promise<void>;
}

/** Takes sweep batches from the queue and sweeps them here, with this replica's clients and store. */
export function workSweepBatches(queue: JobQueue, options: SweepOptions, worker: BatchWorkerOptions = {}): Promise<void> {
  // The starter refreshed the advisories and runs the after-sweep work once; a batch does neither.
  const { refreshAdvisories: _refresh, afterSweep: _after, onSweepEnd: _end, ...batchOptions } = options;
  const attempts = new Map<string, number>();
  return queue.work<SweepBatchPayload>(
    'sweep-batch',
    async (job) => {
      const result = await sweep({ ...batchOptions, repos: job.payload.repos });
      const attempt = (attempts.get(job.id) ?? 0) + 1;
      attempts.set(job.id, attempt);
      await worker.afterBatch?.(job.payload, attempt);
      attempts.delete(job.id);
      const { startedAt: _started, finishedAt: _finished, ...output } = result;
      return (output satisfies BatchOutput) as unknown as JsonValue;
    },
    { concurrency: worker.concurrency ?? 2 },
  );
}

export interface QueuedSweepOptions {
  batchSize?: number;
  /** How often the starter looks at its batches. */
  pollMs?: number;
}

/** One sweep through the queue, from the replica that needs it: same result as `sweep`, work shared. */
export async function sweepThroughQueue(queue: JobQueue, options: SweepOptions, queued: QueuedSweepOptions = {}): Promise<SweepResult> {
  const startedAt = options.now();
  const result: SweepResult = { startedAt, finishedAt: startedAt, repos: 0, audited: [], rematched: 0, upToDate: 0, failed: [], added: [], fixed: [], stillOpen: 0, warnings: [], newSecrets: 0 };
  const repos = options.repos ?? (await options.state.watchedRepos());
  if (repos.length === 0) return result;
  if (options.refreshAdvisories) {
    try {
      await options.refreshAdvisories();
    } catch (err) {
      result.warnings.push(`advisory refresh failed (${(err as Error).message.split('\n')[0]}); matched against the data already held`);
    }
  }
  const size = Math.max(1, queued.batchSize ?? HEADS_BATCH_SIZE);
  const sweepId = `sweep@${new Date(Math.floor(startedAt.getTime() / 60_000) * 60_000).toISOString()}`;
  const batches: string[][] = [];
  for (let start = 0; start < repos.length; start += size) batches.push(repos.slice(start, start + size));
  const jobs = await Promise.all(batches.map((batch, n) => queue.enqueue<SweepBatchPayload>('sweep-batch', { sweep: sweepId, repos: batch }, { singletonKey: `${sweepId}:${n}` })));
  const byId = new Map((await settled(queue, 'sweep-batch', jobs.map((j) => j.id), { intervalMs: queued.pollMs ?? 1000 })).map((o) => [o.id, o]));
  for (const [n, job] of jobs.entries()) {
    const outcome = byId.get(job.id)!;
    if (outcome.state !== 'completed' || outcome.output === null) {
      // Fail closed: a batch that never finished is said to be missing, never counted as clean.
      const error = (outcome.output as { error?: string } | null)?.error ?? 'no result';
      result.warnings.push(`sweep batch ${n + 1} of ${batches.length} failed (${error}): its ${batches[n]!.length} repositories were not swept`);
      result.repos += batches[n]!.length;
      continue;
    }
    const part = outcome.output as unknown as BatchOutput;
    result.repos += part.repos;
    result.audited.push(...part.audited);
    result.rematched += part.rematched;
    result.upToDate += part.upToDate;
    result.failed.push(...part.failed);
    result.added.push(...part.added);
    result.fixed.push(...part.fixed);
    result.stillOpen += part.stillOpen;
    result.newSecrets += part.newSecrets;
    for (const w of part.warnings) if (!result.warnings.includes(w)) result.warnings.push(w);
  }
  if (options.afterSweep) await options.afterSweep().catch((err: unknown) => options.logger?.error({ err }, 'after-sweep work failed'));
  result.finishedAt = options.now();
  return result;
}
