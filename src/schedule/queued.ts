/**
 * Scheduled runs through the job queue, for replicas sharing PostgreSQL: every replica keeps its own
 * node-cron timers (so no single replica is the clock), and when a slot comes each one enqueues a
 * `scheduled-run` job with the singleton key (schedule, slot time). The queue creates one job for
 * that key, whoever asks first, and one replica takes it: each slot runs once across replicas, and
 * catch-up at start (every replica does it) cannot repeat a slot that already ran.
 *
 * A replica that dies during a run leaves its job to be retried by another once its lease is over
 * (src/jobs/postgres.ts). A run that throws is logged and not retried, as on SQLite: a digest that
 * failed half-way is not posted again on a guess; alerts go through the outbox, which posts each
 * once whoever decides them (docs/jobs.md).
 */
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

/** The singleton key of a slot: the schedule's key (`kind:channel`) and the slot's instant. */
export const slotKey = (spec: JobSpec, slot: Date): string => `${spec.key}@${slot.toISOString()}`;

export function enqueueSlot(queue: JobQueue, spec: JobSpec, slot: Date): Promise<Enqueued> {
  const payload: ScheduledRunPayload = { key: spec.key, channel: spec.channel, kind: spec.kind, cron: spec.cron, timeZone: spec.timeZone, since: spec.since.toISOString(), slot: slot.toISOString() };
  return queue.enqueue('scheduled-run', payload, { singletonKey: slotKey(spec, slot) });
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
        const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
        log?.error({ err: message }, 'scheduled job failed');
        return { ok: false, error: message };
      }
    },
    { concurrency: options.concurrency ?? 2 },
  );
}
