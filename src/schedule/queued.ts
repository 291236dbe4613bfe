/**
 * Scheduled runs through the job queue, for replicas sharing PostgreSQL: every replica keeps its own
 * schedule timers (so no single replica is the clock), and when a slot comes each one enqueues a
 * `scheduled-run` job with the singleton key (schedule, slot time). The queue creates one job for
 * that key, whoever asks first, and one replica takes it: each slot runs once across replicas, and
 * catch-up at start (every replica does it) cannot repeat a slot that already ran.
 *
 * A replica that dies during a run leaves its job to be retried by another once its lease is over
 * (src/jobs/postgres.ts). A digest run that throws fails its job, and the queue tries it again
 * (`DIGEST_RETRY`, per job); once those retries are used up, the slot's next enqueue (catch-up at a
 * replica's start) makes a new job under its key: as on SQLite, where catch-up retakes a digest slot
 * left interrupted or failed. Safe: the digest's outbox rows are keyed by the slot
 * (`digest:<kind>:<channel>:<local slot time>`), so a rerun sends what is missing and nothing twice.
 * An alerts run that throws is logged and its job completed, not retried nor retaken (as on SQLite:
 * the next slot decides the same alerts, and the outbox posts each once whoever decides it).
 */
import { errorLine } from '../error-line.js';
import type { Logger } from '../log.js';
import type { Enqueued, JobQueue, JsonValue } from '../jobs/interface.js';
import type { ScheduleKind } from '../store/watches.js';
import type { JobRunner, JobSpec } from './scheduler.js';

export interface ScheduledRunPayload {
  [field: string]: JsonValue;
  key: string;
  channel: string;
  kind: ScheduleKind;
  cron: string;
  timeZone: string;
  since: string;
  slot: string;
}

/** Digest slots are run again when their run failed or was cut off; alerts slots are not (see above). */
export const rerunsFailedSlots = (kind: ScheduleKind): boolean => kind !== 'alerts';

/** A digest job's retries when its run throws (or its lease runs out): a few, a minute apart (GitHub or PyPI back). */
export const DIGEST_RETRY: SlotRetry = { limit: 3, delaySeconds: 60 };

export interface SlotRetry {
  /** Attempts after the first. */
  limit: number;
  delaySeconds: number;
}

/** The singleton key of a slot: the schedule's key (`kind:channel`) and the slot's instant. */
export const slotKey = (spec: JobSpec, slot: Date): string => `${spec.key}@${slot.toISOString()}`;

/** Enqueues the slot's job; a digest's with its retries, and made again if its job failed for good. */
export function enqueueSlot(queue: JobQueue, spec: JobSpec, slot: Date, digestRetry: SlotRetry = DIGEST_RETRY): Promise<Enqueued> {
  const payload: ScheduledRunPayload = { key: spec.key, channel: spec.channel, kind: spec.kind, cron: spec.cron, timeZone: spec.timeZone, since: spec.since.toISOString(), slot: slot.toISOString() };
  const retry = rerunsFailedSlots(spec.kind) ? { retryLimit: digestRetry.limit, retryDelaySeconds: digestRetry.delaySeconds, retakeFailed: true } : {};
  return queue.enqueue('scheduled-run', payload, { singletonKey: slotKey(spec, slot), ...retry });
}

/** Takes scheduled runs from the queue and runs them here, `concurrency` at once. */
export function workScheduledRuns(queue: JobQueue, run: JobRunner, options: { logger?: Logger; concurrency?: number } = {}): Promise<void> {
  return queue.work<ScheduledRunPayload>(
    'scheduled-run',
    async ({ payload: p }) => {
      const spec: JobSpec = { key: p.key, channel: p.channel, kind: p.kind, cron: p.cron, timeZone: p.timeZone, since: new Date(p.since) };
      const log = options.logger?.child({ job: p.key, slot: p.slot });
      log?.info('scheduled job started');
      try {
        await run(spec, new Date(p.slot));
        log?.info('scheduled job finished');
        return { ok: true, error: null };
      } catch (err) {
        const message = errorLine(err);
        log?.error({ err: message }, 'scheduled job failed');
        // A digest's job fails, for the queue to try again; an alerts job completes, not retried.
        if (rerunsFailedSlots(p.kind)) throw err;
        return { ok: false, error: message };
      }
    },
    { concurrency: options.concurrency ?? 2 },
  );
}
