/**
 * A replica's background work (sweeps, schedules, incident reminders, the outbox's delivery loop,
 * the job queue's workers) runs only while the database's schema is not newer than this build.
 *
 * During a rolling upgrade the first replica of the new build migrates the shared database; a
 * replica of the previous build then answers /healthz 503 (schema-verdict.ts) and leaves the load
 * balancer's rotation, but its timers would go on writing with the previous build's SQL to the new
 * schema, which nothing promises works (docs/store.md, "Rolling upgrades"). So the schema is looked
 * at before the work starts (a newer one: it never starts), and every `checkEveryMs` while it runs
 * and whenever /healthz answers not ready (main.ts calls `check`): a newer one stops it, once, for
 * good (a schema is never migrated back). Health goes on
 * answering with the reason; Slack requests are still answered (a load balancer stops sending them).
 *
 * A schema that cannot be read (the database down) is not a newer one: the work goes on, and its
 * own loops say the outage (src/outage-log.ts).
 */
import type { Logger } from '../log.js';
import type { SchemaVerdict } from '../store/schema-verdict.js';

export interface BackgroundWork {
  start(): void;
  /**
   * Stops every part and waits for what is running to finish; also called when the work never
   * started, for the parts started before it (the job queue). Safe to call on parts never started.
   */
  stop(): Promise<void>;
}

export interface GuardOptions {
  work: BackgroundWork;
  /** The schema against this build; throws when it cannot be read. */
  schema: () => SchemaVerdict | Promise<SchemaVerdict>;
  logger: Pick<Logger, 'error' | 'warn' | 'info'>;
  /** How often the schema is looked at while the work runs (default 30 s: one indexed MAX). */
  checkEveryMs?: number;
}

export interface GuardedWork {
  /** Starts the work unless the schema is newer (then says so and never starts it). */
  start(): Promise<void>;
  /** Looks at the schema now (the timer calls this; tests too); stops the work when it is newer. */
  check(): Promise<void>;
  /** Whether the work runs now. */
  running(): boolean;
  /** Shutdown: stops the work if it runs (once, whoever asks). */
  stop(): Promise<void>;
}

/** What the work is, in the log's words. */
const WHAT = 'background work (sweeps, schedules, incident reminders, outbox delivery, job queue workers)';

export function guardBackgroundWork(options: GuardOptions): GuardedWork {
  let state: 'idle' | 'running' | 'stopped' = 'idle';
  let timer: NodeJS.Timeout | null = null;
  let stopping: Promise<void> | null = null;

  /** The reason the schema is newer, or null (current, behind, or unreadable). */
  const newer = async (): Promise<string | null> => {
    try {
      const verdict = await options.schema();
      return verdict.state === 'newer' ? verdict.reason : null;
    } catch {
      // Not said here: every 30 s through an outage would be the flood src/outage-log.ts spares
      // the log; the database's own line (postgres-health.ts) and the loops' say it.
      return null;
    }
  };

  const stop = (): Promise<void> => {
    if (timer) clearInterval(timer);
    timer = null;
    const was = state;
    state = 'stopped';
    stopping ??= was === 'running' ? options.work.stop() : Promise.resolve();
    return stopping;
  };

  const check = async (): Promise<void> => {
    if (state !== 'running') return;
    const reason = await newer();
    if (reason === null || state !== 'running') return;
    options.logger.error({ reason }, `stopping ${WHAT}: ${reason}; /healthz says so until this replica is replaced`);
    await stop();
  };

  return {
    async start() {
      if (state !== 'idle') return;
      const reason = await newer();
      if (state !== 'idle') return; // stopped while the schema was read
      if (reason !== null) {
        options.logger.error({ reason }, `not starting ${WHAT}: ${reason}; /healthz says so until this replica is replaced`);
        // What was started before (the job queue, started at start-up to refuse a start it cannot
        // serve) stops too.
        state = 'stopped';
        stopping = options.work.stop();
        await stopping;
        return;
      }
      state = 'running';
      options.work.start();
      timer = setInterval(() => void check(), options.checkEveryMs ?? 30_000);
      timer.unref();
    },
    check,
    running: () => state === 'running',
    stop,
  };
}
