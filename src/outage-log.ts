/**
 * When to say an outage in the log: at its first failure, again at most every `repeatMs` (default
 * OUTAGE_REPEAT_MS) while it lasts (a reader of the last few minutes of log still sees it), and once
 * when it ends. The PostgreSQL health probe, the outbox's delivery rounds, the scheduler, the job
 * queue and the incident reminders say their outages this way; each keeps its own words and
 * fields, this only decides when.
 */
export interface OutageLog {
  /** A failure: what to say of it, or null when it is to be kept quiet (said less than `repeatMs` ago). */
  failed(): { first: boolean; since: Date } | null;
  /** A success: how long the outage it ends lasted, or null when there was none. */
  worked(): { since: Date; downMs: number } | null;
  /** Since when it has been failing, or null when it is not. */
  since(): Date | null;
}

/**
 * How often an outage is said again while it lasts, by default: the one interval of every loop that
 * says its outages (a reader of the last few minutes of log sees each of them).
 */
const OUTAGE_REPEAT_MS = 5 * 60_000;

export function outageLog(options: { repeatMs?: number; now?: () => Date } = {}): OutageLog {
  const now = options.now ?? (() => new Date());
  const repeatMs = options.repeatMs ?? OUTAGE_REPEAT_MS;
  let since: Date | null = null;
  let saidAt = 0;
  return {
    failed() {
      const at = now();
      if (since && at.getTime() - saidAt < repeatMs) return null;
      saidAt = at.getTime();
      const first = since === null;
      since ??= at;
      return { first, since };
    },
    worked() {
      if (!since) return null;
      const ended = { since, downMs: now().getTime() - since.getTime() };
      since = null;
      return ended;
    },
    since: () => since,
  };
}
