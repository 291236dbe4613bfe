/**
 * Runs each channel's schedules (alerts, weekly, monthly, quarterly), built from the store at start
 * and rebuilt by `reload()` after every change.
 *
 * - Time zones: each job fires in its channel's IANA zone (else the installation's).
 * - No overlap: an in-process lock per job key, plus a job_runs row per (job, scheduled time) that is
 *   claimed once, so the same slot never runs twice, even across processes. A digest slot whose run
 *   was interrupted (the process died) or failed is claimed again when it comes up: the digest's
 *   rows are keyed by the slot, so the rerun sends what was missing and nothing twice.
 * - Catch-up: at start, each job's most recent scheduled time before now (not earlier than the
 *   schedule itself) is run if no run is recorded for it: once, however many ticks were missed.
 * - A slot that passes while the job is still running is run once right after it (coalesced).
 *
 * - Replicas (PostgreSQL): given a job queue, a due slot is enqueued with the singleton key
 *   (schedule, slot) instead of being claimed in job_runs and run here; one replica takes it
 *   (queued.ts). Every replica keeps its timers and catch-up, and the slot still runs once. A digest
 *   slot's job that failed is retried by the queue, and once its retries are used up, made again
 *   by the next catch-up (as job_runs retakes it on SQLite); an alerts slot's is not.
 *   A slot that could not be enqueued (the database unreachable) is tried again, further apart each
 *   time (`enqueueRetry`), by the catch-up rule: the job's latest due slot is enqueued. So the slot
 *   is enqueued once the database is back, unless a later slot of the job came first (which is then
 *   the one run, as catch-up at start would). The singleton key keeps it once across replicas.
 *   Given `shared` schedules (the watch state on PostgreSQL), every replica builds its timers from
 *   them, and reads them again every `refreshMs` (a minute): a schedule changed through another
 *   replica is followed within that time.
 *
 * Time is injected: `now()` for the clock and a CronTimer for the ticks (occurrenceTimer in production,
 * a hand-fired fake in tests). Jobs run in the background, never in a Slack request's path.
 */
import type { Logger } from '../log.js';
import { errorLine } from '../error-line.js';
import { outageLog, type OutageLog } from '../outage-log.js';
import { redactSecrets } from '../redact.js';
import type { ScheduleKind, ScheduleRow, WatchStore } from '../store/watches.js';
import type { JobQueue } from '../jobs/interface.js';
import { nextOccurrence, previousOccurrence } from './cron.js';
import { enqueueSlot, rerunsFailedSlots, workScheduledRuns, type SlotRetry } from './queued.js';

export interface JobSpec {
  /** `kind:channel`, the lock and job_runs key. */
  key: string;
  channel: string;
  kind: ScheduleKind;
  cron: string;
  timeZone: string;
  /** Slots before this (when the schedule was set) are never caught up. */
  since: Date;
}

export interface TimerHandle {
  stop(): void;
}

/**
 * Calls `fire(scheduledFor)` whenever `spec.cron` matches in `spec.timeZone`. A fire that throws or
 * rejects is the timer's to contain: it is logged and the next slot is still armed.
 */
export interface CronTimer {
  schedule(spec: JobSpec, fire: (scheduledFor: Date) => void | Promise<void>): TimerHandle;
}

/** The longest single wait: the clock is looked at again at least this often (sleep, clock changes). */
const LONGEST_WAIT_MS = 60 * 60_000;

/**
 * Production ticks: waits for each slot's instant as nextOccurrence reckons it, not node-cron's
 * runtime, which never fires a slot whose wall time a DST gap skipped (cron.ts says when those run).
 *
 * A fire's failure never leaves the timer: a rejection dropped here would be unhandled, and Node
 * ends the process on one (node-cron caught and logged them). It is logged as one line, through the
 * logger (whose lines are redacted) or, without one, redacted to stderr; the next slot is armed
 * whatever happened.
 */
export function createOccurrenceTimer(logger?: Logger): CronTimer {
  const report = (spec: JobSpec, slot: Date, err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    if (logger) logger.error({ job: spec.key, slot: slot.toISOString(), err: message }, 'scheduler: scheduled run failed');
    else process.stderr.write(`${redactSecrets(`scheduler: scheduled run of ${spec.key} for ${slot.toISOString()} failed: ${message}`.replace(/\s+/g, ' '))}\n`);
  };
  return {
    schedule(spec, fire) {
      let timeout: NodeJS.Timeout | null = null;
      let stopped = false;
      const arm = (from: Date) => {
        if (stopped) return;
        const slot = nextOccurrence(spec.cron, spec.timeZone, from);
        if (!slot) {
          // None within the lookahead (29 February can be ~450 days off): look again later rather
          // than leave the schedule with nothing armed, forever.
          timeout = setTimeout(() => arm(new Date()), LONGEST_WAIT_MS);
          return;
        }
        const wait = () => {
          if (stopped) return;
          const left = slot.getTime() - Date.now();
          if (left > 0) {
            timeout = setTimeout(wait, Math.min(left, LONGEST_WAIT_MS));
            return;
          }
          try {
            Promise.resolve(fire(slot)).catch((err: unknown) => report(spec, slot, err));
          } catch (err) {
            report(spec, slot, err);
          } finally {
            arm(new Date(Math.max(Date.now(), slot.getTime())));
          }
        };
        wait();
      };
      arm(new Date());
      return {
        stop: () => {
          stopped = true;
          if (timeout) clearTimeout(timeout);
        },
      };
    },
  };
}

/** The production timer without a logger of its own (its failures go to stderr, redacted). */
export const occurrenceTimer: CronTimer = createOccurrenceTimer();

export type JobRunner = (job: JobSpec, scheduledFor: Date) => Promise<void>;

/** Schedules and zones kept where every replica reads them (WatchStateStore). */
export interface SharedSchedules {
  activeSchedules(): Promise<ScheduleRow[]>;
  channelTimeZone(channel: string): Promise<string | null>;
}

export interface SchedulerOptions {
  store: WatchStore;
  run: JobRunner;
  /** The installation's zone (config TZ), for channels without their own. */
  defaultTimeZone: string;
  now?: () => Date;
  timer?: CronTimer;
  logger?: Logger;
  /** How far back catch-up looks (a quarterly job needs ~92 days). */
  lookbackDays?: number;
  /** Replicas sharing PostgreSQL: slots go through this queue and run once across them (queued.ts). */
  queue?: JobQueue;
  /** Queue mode: how often a digest job whose run threw is tried again, and how long apart (default DIGEST_RETRY). */
  digestRetry?: SlotRetry;
  /** Schedules read from here instead of `store` (replicas); `refreshMs`: how often they are read again. */
  shared?: { schedules: SharedSchedules; refreshMs?: number };
  /** Queue mode: how soon a slot that could not be enqueued is tried again (doubling up to `maxMs`). */
  enqueueRetry?: EnqueueRetry;
}

export interface EnqueueRetry {
  firstMs: number;
  maxMs: number;
}

/** A database restart or failover takes seconds to minutes: tried soon, then at most every five minutes. */
export const ENQUEUE_RETRY: EnqueueRetry = { firstMs: 5_000, maxMs: 5 * 60_000 };

/** How far back catch-up looks by default: a quarterly job needs ~92 days, a yearly cron a year. */
export const CATCH_UP_LOOKBACK_DAYS = 400;

export function jobKey(kind: ScheduleKind, channel: string): string {
  return `${kind}:${channel}`;
}

export class Scheduler {
  private readonly now: () => Date;
  private readonly timer: CronTimer;
  private readonly jobs = new Map<string, { spec: JobSpec; handle: TimerHandle }>();
  private readonly runningJobs = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  private started = false;
  /** Registering this replica as a taker of scheduled runs (queue mode). */
  private queueWorker: Promise<void> | null = null;
  private refresher: NodeJS.Timeout | null = null;
  private firstLoad: Promise<void> = Promise.resolve();
  /** Queue mode: per job, the slot whose enqueue failed, how often in a row, and the pending retry. */
  private readonly enqueueRetries = new Map<string, { slot: Date; failures: number; timer: NodeJS.Timeout | null }>();
  /** Shared schedules that cannot be read (the database down): said at the first refresh, every few minutes, and at the end. */
  private readonly unreadSchedules: OutageLog;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? (() => new Date());
    this.timer = options.timer ?? createOccurrenceTimer(options.logger);
    this.unreadSchedules = outageLog({ now: this.now });
  }

  /** Builds the jobs and catches up missed runs (in the background; await `idle()` to wait for them). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { queue } = this.options;
    if (queue) {
      // The queue's leases take care of runs a dead replica left behind.
      this.queueWorker ??= workScheduledRuns(queue, this.options.run, { ...(this.options.logger ? { logger: this.options.logger } : {}) }).catch((err: unknown) => {
        this.options.logger?.error({ err: (err as Error).message }, 'scheduler: cannot take scheduled runs from the job queue');
      });
    } else {
      const interrupted = this.options.store.markInterruptedRuns(this.now());
      if (interrupted > 0) this.options.logger?.warn({ interrupted }, 'scheduler: runs left unfinished by the previous process were marked interrupted');
    }
    const catchUp = () => {
      for (const { spec } of this.jobs.values()) void this.trigger(spec.key);
    };
    const { shared } = this.options;
    if (shared) {
      // Missed slots are caught up after the first read that succeeds: a start that cannot reach the
      // shared state catches up at a later refresh instead of never.
      let caughtUp = false;
      const load = async () => {
        if ((await this.loadShared(shared.schedules)) && !caughtUp && this.started) {
          caughtUp = true;
          catchUp();
        }
      };
      this.firstLoad = load();
      this.refresher = setInterval(() => void load(), shared.refreshMs ?? 60_000);
      this.refresher.unref();
      return;
    }
    this.reload();
    catchUp();
  }

  /** Re-reads schedules and zones from the store; call after every change. New slots only: no catch-up. */
  reload(): void | Promise<void> {
    if (!this.started) return;
    if (this.options.shared) return this.loadShared(this.options.shared.schedules).then(() => undefined);
    const store = this.options.store;
    this.rebuild(store.activeSchedules().map((s) => this.specOf(s, store.channelTimeZone(s.channel))));
  }

  /** Whether the schedules could be read (the timers are rebuilt from them). */
  private async loadShared(source: SharedSchedules): Promise<boolean> {
    try {
      const schedules = await source.activeSchedules();
      const zones = new Map<string, string | null>();
      for (const channel of new Set(schedules.map((s) => s.channel))) zones.set(channel, await source.channelTimeZone(channel));
      if (this.started) this.rebuild(schedules.map((s) => this.specOf(s, zones.get(s.channel) ?? null)));
      const ended = this.unreadSchedules.worked();
      if (ended) this.options.logger?.info({ failedForMs: ended.downMs, since: ended.since.toISOString() }, 'scheduler: the schedules can be read again');
      return true;
    } catch (err) {
      // The timers already built keep running; the next refresh tries again. Every replica refreshes
      // every minute: one line a minute each while the database is down, unless kept for the first
      // and every few minutes (the database's own line says the outage).
      const say = this.unreadSchedules.failed();
      if (say) this.options.logger?.error({ err: (err as Error).message, since: say.since.toISOString() }, 'scheduler: cannot read the schedules; keeping the ones loaded');
      return false;
    }
  }

  private rebuild(specs: readonly JobSpec[]): void {
    const wanted = new Map(specs.map((spec) => [spec.key, spec]));
    for (const [key, job] of this.jobs) {
      const next = wanted.get(key);
      if (next && next.cron === job.spec.cron && next.timeZone === job.spec.timeZone) {
        job.spec = next;
        continue;
      }
      job.handle.stop();
      this.jobs.delete(key);
    }
    for (const [key, spec] of wanted) {
      if (this.jobs.has(key)) continue;
      const handle = this.timer.schedule(spec, (scheduledFor) => this.trigger(key, scheduledFor));
      this.jobs.set(key, { spec, handle });
    }
  }

  /** The jobs as built now. */
  specs(): JobSpec[] {
    return [...this.jobs.values()].map((j) => j.spec);
  }

  /**
   * Runs the job's latest due slot if it has not run. `firedFor` is the time the timer fired for:
   * a timer a few milliseconds early must not make the slot look like the previous one.
   */
  trigger(key: string, firedFor?: Date): Promise<void> {
    const job = this.jobs.get(key);
    if (!job) return Promise.resolve();
    const running = this.runningJobs.get(key);
    if (running) {
      this.rerun.add(key);
      return running;
    }
    const promise = this.runDue(job.spec, firedFor).finally(() => {
      this.runningJobs.delete(key);
      if (this.rerun.delete(key) && this.started) void this.trigger(key);
    });
    this.runningJobs.set(key, promise);
    return promise;
  }

  /** Every job's due slot, as if every timer fired now (tests advance the clock, then tick). */
  async tick(): Promise<void> {
    await Promise.all([...this.jobs.keys()].map((key) => this.trigger(key)));
  }

  /** Resolves when no job is running. */
  async idle(): Promise<void> {
    await this.firstLoad;
    await this.queueWorker;
    while (this.runningJobs.size > 0) await Promise.allSettled([...this.runningJobs.values()]);
  }

  /** Stops every timer and waits for running jobs to finish. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.refresher) clearInterval(this.refresher);
    this.refresher = null;
    for (const job of this.jobs.values()) job.handle.stop();
    this.jobs.clear();
    for (const retry of this.enqueueRetries.values()) if (retry.timer) clearTimeout(retry.timer);
    this.enqueueRetries.clear();
    await this.idle();
  }

  private specOf(s: ScheduleRow, channelZone: string | null): JobSpec {
    const tz = channelZone ?? this.options.defaultTimeZone;
    return { key: jobKey(s.kind, s.channel), channel: s.channel, kind: s.kind, cron: s.cron, timeZone: tz, since: new Date(s.updatedAt) };
  }

  /**
   * Enqueues the slot; when that fails, arms a retry of the job's due slot (see the header). A retry
   * whose due slot is a later one says the earlier slot was passed over, once.
   */
  private async enqueue(queue: JobQueue, spec: JobSpec, slot: Date): Promise<void> {
    const log = this.options.logger;
    const pending = this.enqueueRetries.get(spec.key);
    // An alerts slot passed over loses nothing (the next decides the same alerts); a digest's is a digest not sent.
    if (pending && pending.slot.getTime() < slot.getTime() && rerunsFailedSlots(spec.kind)) {
      log?.warn({ job: spec.key, slot: pending.slot.toISOString(), later: slot.toISOString() }, 'scheduler: a scheduled run that could not be enqueued was passed over: a later one is due');
    }
    try {
      const { created } = await enqueueSlot(queue, spec, slot, this.options.digestRetry);
      if (pending?.timer) clearTimeout(pending.timer);
      this.enqueueRetries.delete(spec.key);
      if (created) log?.info({ job: spec.key, slot: slot.toISOString() }, 'scheduled job enqueued');
      if (pending) log?.info({ job: spec.key, slot: slot.toISOString(), failures: pending.failures }, 'scheduler: the scheduled run is enqueued after failed tries');
    } catch (err) {
      // Counted across the job's slots until one is enqueued: an outage spanning slots backs off, and is said, once.
      const failures = (pending?.failures ?? 0) + 1;
      const { firstMs, maxMs } = this.options.enqueueRetry ?? ENQUEUE_RETRY;
      const delay = Math.min(maxMs, firstMs * 2 ** Math.min(failures - 1, 30));
      if (pending?.timer) clearTimeout(pending.timer);
      const entry: { slot: Date; failures: number; timer: NodeJS.Timeout | null } = { slot, failures, timer: null };
      this.enqueueRetries.set(spec.key, entry);
      // Said at the first failure, then only now and then (the 8th, 16th… ~10 min, then ~40 min apart):
      // the database's own line says the outage (src/store/postgres-health.ts).
      if (failures === 1 || (failures >= 8 && Number.isInteger(Math.log2(failures)))) {
        log?.error({ job: spec.key, slot: slot.toISOString(), failures, retryInMs: delay, err: errorLine(err) }, 'scheduler: cannot enqueue the scheduled run; trying again');
      }
      if (!this.started) return;
      entry.timer = setTimeout(() => {
        entry.timer = null;
        if (!this.jobs.has(spec.key)) this.enqueueRetries.delete(spec.key); // the schedule was removed or changed meanwhile
        else if (this.started) void this.trigger(spec.key);
      }, delay);
      entry.timer.unref?.();
    }
  }

  private async runDue(spec: JobSpec, firedFor?: Date): Promise<void> {
    const now = this.now();
    const at = firedFor && firedFor.getTime() > now.getTime() ? firedFor : now;
    let slot: Date | null;
    try {
      slot = previousOccurrence(spec.cron, spec.timeZone, at, this.options.lookbackDays ?? CATCH_UP_LOOKBACK_DAYS);
    } catch (err) {
      this.options.logger?.error({ job: spec.key, err: (err as Error).message }, 'scheduler: cannot evaluate the schedule');
      return;
    }
    if (!slot || slot.getTime() < spec.since.getTime()) return;
    const { store, queue } = this.options;
    if (queue) {
      await this.enqueue(queue, spec, slot);
      return;
    }
    // A digest slot whose run a crash cut off (interrupted) or that threw is run again when it comes
    // up (at the next start's catch-up): its outbox rows are keyed by the slot, so the rerun writes
    // what is missing and never posts twice. An alerts slot is not: the next one decides the same.
    // The store can fail (busy, closed at shutdown): the slot is then not run and the failure is
    // logged; nothing here rejects, as the timer and catch-up drop these promises.
    const log = this.options.logger?.child({ job: spec.key, slot: slot.toISOString() });
    let claimed: boolean;
    try {
      claimed = store.claimJobRun(spec.key, slot, now, { retake: rerunsFailedSlots(spec.kind) });
    } catch (err) {
      log?.error({ err: errorMessage(err) }, 'scheduler: cannot claim the scheduled run; it did not run');
      return;
    }
    if (!claimed) return;
    log?.info('scheduled job started');
    let failure: string | undefined;
    try {
      await this.options.run(spec, slot);
    } catch (err) {
      failure = errorMessage(err);
      log?.error({ err: failure }, 'scheduled job failed');
    }
    try {
      store.finishJobRun(spec.key, slot, this.now(), failure);
      if (failure === undefined) log?.info('scheduled job finished');
    } catch (err) {
      // The row stays running: the next start marks it interrupted (and a digest slot is run again).
      log?.error({ err: errorMessage(err) }, 'scheduler: cannot record how the scheduled run ended');
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
