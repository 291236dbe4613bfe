/**
 * Says in the log when the PostgreSQL database (DATABASE_URL) stops answering and when it answers
 * again. Without it an outage reads as a dozen lines a minute from the outbox, the job queue and the
 * scheduler, each quoting `connect ECONNREFUSED host:port` and none naming the database, and its end
 * is not said at all.
 *
 * A probe (`SELECT 1`) every `intervalMs`: the first failure logs "the PostgreSQL database is
 * unreachable: …" once; while it lasts the line is repeated every few minutes (src/outage-log.ts: a
 * reader of the last few minutes of log still sees it); the first success after logs "reachable
 * again" with how long it was out. The reason is one line, redacted (a connection error can quote the URL).
 */
import { errorLine } from '../error-line.js';
import type { Logger } from '../log.js';
import { outageLog } from '../outage-log.js';
import { redactSecrets } from '../redact.js';

/** What the probe needs of a pg Pool. */
export interface Probed {
  query(sql: string): Promise<unknown>;
}

export interface HealthOptions {
  logger: Pick<Logger, 'error' | 'warn' | 'info'>;
  intervalMs?: number;
  now?: () => Date;
}

export interface DatabaseHealth {
  /** False from the first failed probe until the next that succeeds. */
  reachable(): boolean;
  /** Probes once now (the timer calls this; tests too). */
  probe(): Promise<void>;
  stop(): void;
}

export const UNREACHABLE = 'the PostgreSQL database is unreachable';
export const STILL_UNREACHABLE = 'the PostgreSQL database is still unreachable';
export const REACHABLE_AGAIN = 'the PostgreSQL database is reachable again';

export function watchPostgresHealth(pool: Probed, options: HealthOptions): DatabaseHealth {
  const now = options.now ?? (() => new Date());
  const outage = outageLog({ now });
  let probing: Promise<void> | null = null;
  const probeOnce = async (): Promise<void> => {
    try {
      await pool.query('SELECT 1');
      const ended = outage.worked();
      if (ended) {
        const seconds = Math.round(ended.downMs / 1000);
        options.logger.info({ downSeconds: seconds, since: ended.since.toISOString() }, `${REACHABLE_AGAIN} (it was not for ${seconds} s)`);
      }
    } catch (err) {
      const reason = redactSecrets(errorLine(err)).replace(/\s+/g, ' ').slice(0, 300);
      const say = outage.failed();
      if (say?.first) options.logger.error({ reason }, `${UNREACHABLE}: ${reason}`);
      else if (say) options.logger.error({ reason, since: say.since.toISOString() }, `${STILL_UNREACHABLE} (since ${say.since.toISOString()}): ${reason}`);
    }
  };
  const probe = (): Promise<void> => {
    probing ??= probeOnce().finally(() => {
      probing = null;
    });
    return probing;
  };
  const timer = setInterval(() => void probe(), options.intervalMs ?? 5_000);
  timer.unref();
  return {
    reachable: () => outage.since() === null,
    probe,
    stop: () => clearInterval(timer),
  };
}
