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
 *
 * Advisory data is each replica's own (its local mirror), synced when that replica starts a sweep.
 * A batch must not match with data older than the starter's and call "fixed" what its copy merely
 * lacks: the payload carries the newest `modified` the starter's data holds, a batch whose data is
 * older syncs first, and one that still is (the sync failed) closes no vulnerability finding and
 * says so in its warnings and the log. (The sweep itself never closes the finding of an advisory
 * its data does not hold at all, whoever started it: sweep.ts.)
 */
import type { AdvisorySource } from '../advisories/types.js';
import { errorLine } from '../error-line.js';
import { HEADS_BATCH_SIZE } from '../github/heads.js';
import { RECHECKS_PER_SWEEP, sweep, sweepLogFields, type SweepOptions, type SweepResult } from '../watch/sweep.js';
import { settled, type JobQueue, type JsonValue } from './interface.js';

export interface SweepBatchPayload {
  [field: string]: JsonValue;
  sweep: string;
  repos: string[];
  /**
   * The newest `modified` of the advisory data the starter matched with (after its refresh); null
   * when that is a live service (the OSV API) or unknown. Missing from batches a previous version
   * enqueued (read as null).
   */
  advisoriesAsOf: string | null;
  /** This batch's share of the sweep's RECHECKS_PER_SWEEP (rechecksShare). Missing from batches a previous version enqueued (then a whole sweep's). */
  maxRechecks: number;
}

/**
 * Batch `n`'s share of a sweep's re-checks (`max`, sweep.ts RECHECKS_PER_SWEEP), so the whole sweep
 * stays within it however many batches it has: even shares, and one more each for the next
 * `max % batches` batches in turn (`turn`: one window per turn, the next turn the batches after
 * it), so with more batches than re-checks every batch gets some over successive turns.
 */
export function rechecksShare(max: number, batches: number, n: number, turn: number): number {
  const even = Math.floor(max / batches);
  const extra = max % batches;
  const start = (turn % batches) * extra;
  const position = (((n - start) % batches) + batches) % batches;
  return even + (position < extra ? 1 : 0);
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
  // The starter refreshed the advisories and runs the after-sweep work once; a batch does neither
  // (it syncs only when its data is older than the starter's: catchUp).
  const { refreshAdvisories: _refresh, afterSweep: _after, onSweepEnd: _end, ...batchOptions } = options;
  const attempts = new Map<string, number>();
  // Batches taken at once that are all behind share one sync.
  let syncing: Promise<void> | null = null;
  const refresh = options.refreshAdvisories;
  const sync = refresh
    ? () =>
        (syncing ??= refresh().finally(() => {
          syncing = null;
        }))
    : null;
  return queue.work<SweepBatchPayload>(
    'sweep-batch',
    async (job) => {
      const behind = await catchUp(options, sync, job.payload.advisoriesAsOf ?? null);
      const result = await sweep({ ...batchOptions, repos: job.payload.repos, ...(behind ? { mayCloseAdvisories: false } : {}), ...(typeof job.payload.maxRechecks === 'number' ? { maxRechecks: job.payload.maxRechecks } : {}) });
      if (behind) result.warnings.push(behind);
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

/** The newest `modified` a source's data holds: null when empty, undefined for a live service (nothing to be behind). */
function newestHeld(source: AdvisorySource): string | null | undefined {
  const freshness = source.freshness?.();
  return freshness ? freshness.newestModified : undefined;
}

const sourceOf = (options: SweepOptions): AdvisorySource => (typeof options.advisories === 'function' ? options.advisories() : options.advisories);

/** Whether data whose newest record is `held` lacks what a copy with newest `asOf` holds (an unreadable time counts as older). */
function olderThan(held: string | null | undefined, asOf: string): boolean {
  if (held === undefined) return false;
  if (held === null) return true;
  return !(Date.parse(held) >= Date.parse(asOf));
}

/**
 * Brings this replica's advisory data up to the starter's (`asOf`): nothing to do when it is not
 * older, else a sync. Null when the data is now at least as new; else why it is not, as a warning.
 */
async function catchUp(options: SweepOptions, sync: (() => Promise<void>) | null, asOf: string | null): Promise<string | null> {
  if (asOf === null || !olderThan(newestHeld(sourceOf(options)), asOf)) return null;
  const log = options.logger?.child({ component: 'sweep-batch' });
  let failed = sync ? null : 'this replica does not sync';
  if (sync) {
    log?.info({ asOf }, "sweep batch: this replica's advisory data is older than the sweep's; syncing first");
    await sync().catch((err: unknown) => {
      failed = errorLine(err);
    });
  }
  const held = newestHeld(sourceOf(options));
  if (!olderThan(held, asOf)) return null;
  const warning = `advisory data older than the sweep's (newest record here ${held ?? 'none'}, the sweep's ${asOf}) and ${failed === null ? 'still so after a sync' : `the sync failed (${failed})`}: nothing was marked fixed on its account`;
  log?.warn({ asOf, held }, `sweep batch: ${warning}`);
  return warning;
}

export interface QueuedSweepOptions {
  batchSize?: number;
  /** How often the starter looks at its batches. */
  pollMs?: number;
}

/** One sweep through the queue, from the replica that needs it: same result as `sweep`, work shared. */
export async function sweepThroughQueue(queue: JobQueue, options: SweepOptions, queued: QueuedSweepOptions = {}): Promise<SweepResult> {
  const startedAt = options.now();
  const result: SweepResult = { startedAt, finishedAt: startedAt, repos: 0, audited: [], rematched: 0, upToDate: 0, failed: [], added: [], fixed: [], excluded: [], stillOpen: 0, warnings: [], newSecrets: 0, partialRepos: {} };
  const repos = options.repos ?? (await options.state.watchedRepos());
  if (repos.length === 0) return result;
  if (options.refreshAdvisories) {
    try {
      await options.refreshAdvisories();
    } catch (err) {
      result.warnings.push(`advisory refresh failed (${errorLine(err)}); matched against the data already held`);
    }
  }
  // What a batch's replica must hold at least before it may call anything fixed (catchUp).
  const advisoriesAsOf = newestHeld(sourceOf(options)) ?? null;
  const size = Math.max(1, queued.batchSize ?? HEADS_BATCH_SIZE);
  const sweepId = `sweep@${new Date(Math.floor(startedAt.getTime() / 60_000) * 60_000).toISOString()}`;
  const batches: string[][] = [];
  for (let start = 0; start < repos.length; start += size) batches.push(repos.slice(start, start + size));
  // Turns by the hour the sweep started: the same for every replica enqueuing it, the next for the next hour's.
  const turn = Math.floor(startedAt.getTime() / 3_600_000);
  const maxRechecks = (n: number) => rechecksShare(options.maxRechecks ?? RECHECKS_PER_SWEEP, batches.length, n, turn);
  const jobs = await Promise.all(batches.map((batch, n) => queue.enqueue<SweepBatchPayload>('sweep-batch', { sweep: sweepId, repos: batch, advisoriesAsOf, maxRechecks: maxRechecks(n) }, { singletonKey: `${sweepId}:${n}` })));
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
    for (const a of part.audited) result.audited.push(a);
    result.rematched += part.rematched;
    result.upToDate += part.upToDate;
    for (const f of part.failed) result.failed.push(f);
    for (const f of part.added) result.added.push(f);
    for (const f of part.fixed) result.fixed.push(f);
    // A replica of a version before `excluded` sends none.
    for (const e of part.excluded ?? []) result.excluded.push(e);
    result.stillOpen += part.stillOpen;
    result.newSecrets += part.newSecrets;
    for (const w of part.warnings) if (!result.warnings.includes(w)) result.warnings.push(w);
    // A replica of a version before `partialRepos` sends none.
    for (const [kind, n] of Object.entries(part.partialRepos ?? {})) result.partialRepos[kind] = (result.partialRepos[kind] ?? 0) + n;
  }
  if (options.afterSweep) await options.afterSweep().catch((err: unknown) => options.logger?.error({ err }, 'after-sweep work failed'));
  result.finishedAt = options.now();
  options.logger?.child({ component: 'sweep' }).info({ ...sweepLogFields(result), batches: batches.length }, 'sweep finished');
  return result;
}
