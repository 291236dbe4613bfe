/**
 * The job queue that replicas share, in PostgreSQL, through pg-boss 10 (docs/jobs.md says why that
 * library and that major): jobs are rows, taken with FOR UPDATE SKIP LOCKED by whichever replica
 * polls first, so any replica runs any job and no job runs twice at once.
 *
 * - Lease: a taken job must finish within `leaseSeconds`. A replica that dies mid-job leaves it
 *   active; pg-boss's maintenance (run by one replica at a time) fails it once the lease is over, and
 *   it is retried (up to `retryLimit` times) by whichever replica polls next. The handler of a live
 *   replica that overruns its lease is failed the same way, so a job never runs longer than that.
 * - Singletons: a key is claimed in our own table (migrations/postgres: job_singletons) in the same
 *   transaction that creates the job, so replicas racing for a scheduled slot create one job, and
 *   asking again after the job was done and archived still creates nothing.
 * - It runs on the bot's own `pg` pool (pg-boss's `db` option): no second pool, one set of settings.
 */
import PgBoss from 'pg-boss';
import type { Logger } from '../log.js';
import { outageLog } from '../outage-log.js';
import type { PgClient, PgPool } from '../store/postgres.js';
import { QUEUE_NAMES, type Enqueued, type EnqueueOptions, type JobHandler, type JobOutcome, type JobQueue, type JobState, type JsonValue, type QueueName, type QueueStats, type WorkOptions } from './interface.js';

/** pg-boss's own tables live in their own schema, migrated by pg-boss under its advisory lock. */
const SCHEMA = 'pgboss';

/** pg_advisory_lock key for starting the queue: "depj" in ASCII (migrations use "depw"). */
const START_LOCK_KEY = 0x6465706a;

export interface PostgresQueueOptions {
  /** How long a taken job may run before another replica may take it (default 15 minutes: a sweep batch takes well under one). */
  leaseSeconds?: number;
  /** Attempts after the first (a failed handler or an expired lease); default 3. */
  retryLimit?: number;
  /** Seconds before a failed job is offered again; default 5. */
  retryDelaySeconds?: number;
  /** How often an idle worker looks for a job (pg-boss allows 0.5 s at least); default 2. */
  pollingIntervalSeconds?: number;
  /** How often expired leases are looked for; default 30. */
  maintenanceIntervalSeconds?: number;
  logger?: Logger;
}

export class PostgresQueue implements JobQueue {
  readonly kind = 'postgres' as const;
  private readonly boss: PgBoss;
  private started: Promise<void> | null = null;

  constructor(
    private readonly pool: PgPool,
    private readonly options: PostgresQueueOptions = {},
  ) {
    // The database down fails pg-boss's maintenance at every round (its workers' failed polls it
    // keeps quiet, and retries): said at the first error, then every few minutes, and once when a
    // statement works again, not once a round per replica (src/outage-log.ts; the database's own
    // line names the outage).
    const outage = outageLog();
    this.boss = new PgBoss({
      db: {
        executeSql: async (text, values) => {
          const result = await pool.query(text, values);
          const ended = outage.worked();
          if (ended) options.logger?.info({ failedForMs: ended.downMs, since: ended.since.toISOString() }, 'job queue works again');
          return result;
        },
      },
      schema: SCHEMA,
      // Schedules are ours (src/schedule, timers in each replica, one job per slot), not pg-boss's cron.
      schedule: false,
      supervise: true,
      migrate: true,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
      // Finished jobs stay queryable (outcomes) for a day, then move to pg-boss's archive.
      archiveCompletedAfterSeconds: 86_400,
    });
    this.boss.on('error', (err: Error) => {
      const say = outage.failed();
      if (say) options.logger?.error({ err: err.message, since: say.since.toISOString() }, 'job queue error');
    });
  }

  /**
   * Creates pg-boss's schema and our queues. Idempotent; replicas starting together take turns under
   * an advisory lock of ours: pg-boss 10 creates its schema before taking its own lock, and two
   * replicas on a fresh database collide on CREATE SCHEMA without this.
   */
  start(): Promise<void> {
    this.started ??= this.underStartLock(async () => {
      await this.boss.start();
      for (const name of QUEUE_NAMES) {
        const settings = {
          name,
          policy: 'standard' as const,
          retryLimit: this.options.retryLimit ?? 3,
          retryDelay: this.options.retryDelaySeconds ?? 5,
          expireInSeconds: this.options.leaseSeconds ?? 900,
        };
        if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, settings);
        else await this.boss.createQueue(name, settings);
      }
    });
    return this.started;
  }

  private async underStartLock(work: () => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [START_LOCK_KEY]);
      try {
        await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [START_LOCK_KEY]).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  }

  async enqueue<P extends JsonValue>(name: QueueName, payload: P, options: EnqueueOptions = {}): Promise<Enqueued> {
    await this.start();
    const send = {
      ...(options.runAt ? { startAfter: options.runAt } : {}),
      // This job's own retries, over its queue's (createQueue's) defaults.
      ...(options.retryLimit !== undefined ? { retryLimit: options.retryLimit } : {}),
      ...(options.retryDelaySeconds !== undefined ? { retryDelay: options.retryDelaySeconds } : {}),
    };
    const data = { payload } as object;
    if (options.singletonKey === undefined) {
      const id = await this.boss.send(name, data, send);
      if (id === null) throw new Error(`the job queue did not create a ${name} job`);
      return { id, created: true };
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const claimed = await client.query<{ job_id: string }>(
        'INSERT INTO job_singletons (queue, key, job_id, created_at) VALUES ($1, $2, gen_random_uuid(), now()) ON CONFLICT (queue, key) DO NOTHING RETURNING job_id',
        [name, options.singletonKey],
      );
      let mine = claimed.rows[0]?.job_id;
      if (mine === undefined) {
        // Someone else's: the row is committed (a conflict waits for the other transaction to end).
        // Retaking, the row is locked: of replicas retaking a failed job at once, one makes the new
        // job, the others wait for it and then see it (not failed) under the key.
        const theirs = await client.query<{ job_id: string }>(`SELECT job_id FROM job_singletons WHERE queue = $1 AND key = $2${options.retakeFailed ? ' FOR UPDATE' : ''}`, [name, options.singletonKey]);
        const id = theirs.rows[0]!.job_id;
        if (options.retakeFailed && (await this.failedForGood(client, name, id))) {
          const retaken = await client.query<{ job_id: string }>('UPDATE job_singletons SET job_id = gen_random_uuid() WHERE queue = $1 AND key = $2 RETURNING job_id', [name, options.singletonKey]);
          mine = retaken.rows[0]!.job_id;
        } else {
          await client.query('COMMIT');
          return { id, created: false };
        }
      }
      await this.boss.send(name, data, { ...send, id: mine, db: inTransaction(client) });
      await client.query('COMMIT');
      return { id: mine, created: true };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Whether the job failed and will not be tried again (its retries used up); a job archived or deleted as done is not. */
  private async failedForGood(client: PgClient, name: QueueName, id: string): Promise<boolean> {
    const { rows } = await client.query<{ state: string }>(
      `SELECT state::text AS state FROM ${SCHEMA}.job WHERE name = $1 AND id = $2::uuid
       UNION ALL SELECT state::text FROM ${SCHEMA}.archive WHERE name = $1 AND id = $2::uuid`,
      [name, id],
    );
    return rows.some((r) => r.state === 'failed');
  }

  async work<P extends JsonValue>(name: QueueName, handler: JobHandler<P>, options: WorkOptions = {}): Promise<void> {
    await this.start();
    // One pg-boss worker per slot: each takes one job at a time, so a slow job never holds up a batch of others.
    for (let i = 0; i < Math.max(1, options.concurrency ?? 1); i++) {
      await this.boss.work<{ payload: P }>(name, { batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2 }, async ([job]) => {
        const output = await handler({ id: job!.id, name, payload: job!.data.payload });
        // Wrapped, so any JSON value (a number, a list) comes back as it went in.
        return { value: output ?? null };
      });
    }
  }

  async outcomes(name: QueueName, ids: readonly string[]): Promise<JobOutcome[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string; state: string; output: { value?: JsonValue; message?: string } | null }>(
      `SELECT id, state::text AS state, output FROM ${SCHEMA}.job WHERE name = $1 AND id = ANY($2::uuid[])
       UNION ALL SELECT id, state::text, output FROM ${SCHEMA}.archive WHERE name = $1 AND id = ANY($2::uuid[])`,
      [name, ids],
    );
    return rows.map((r) => {
      const state = stateOf(r.state);
      const output = r.output === null ? null : state === 'failed' ? { error: String(r.output.message ?? 'failed') } : (r.output.value ?? null);
      return { id: r.id, state, output };
    });
  }

  async stats(): Promise<QueueStats[]> {
    await this.start();
    const { rows } = await this.pool.query<{ name: QueueName; waiting: string; active: string; lag: number | null }>(
      `SELECT name,
              count(*) FILTER (WHERE state < 'active' AND start_after <= now()) AS waiting,
              count(*) FILTER (WHERE state = 'active') AS active,
              EXTRACT(EPOCH FROM now() - min(start_after) FILTER (WHERE state < 'active' AND start_after <= now()))::float8 AS lag
         FROM ${SCHEMA}.job WHERE name = ANY($1) AND state <= 'active' GROUP BY name`,
      [QUEUE_NAMES],
    );
    const byName = new Map(rows.map((r) => [r.name, r]));
    return QUEUE_NAMES.map((name) => {
      const r = byName.get(name);
      return { name, waiting: Number(r?.waiting ?? 0), active: Number(r?.active ?? 0), lagSeconds: Math.max(0, r?.lag ?? 0) };
    });
  }

  async forgetSingletons(name: QueueName, before: Date): Promise<number> {
    const res = await this.pool.query('DELETE FROM job_singletons WHERE queue = $1 AND created_at < $2', [name, before]);
    return res.rowCount ?? 0;
  }

  /** Stops polling and waits (up to `timeoutMs`) for running jobs; the pool is the caller's to close. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.started) return;
    await this.started.catch(() => undefined);
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: timeoutMs });
  }
}

/** pg-boss's statements on our transaction's client. */
function inTransaction(client: PgClient): PgBoss.Db {
  return { executeSql: (text, values) => client.query(text, values) };
}

function stateOf(state: string): JobState {
  if (state === 'created' || state === 'retry') return 'waiting';
  if (state === 'active' || state === 'completed') return state;
  return 'failed';
}
