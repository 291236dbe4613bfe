/**
 * How long a thread of the outbox's may grow: an alert's complete list of repositories
 * (alert-list.ts) and a digest's details (outbox/renderers.ts) are complete lists, spread over as
 * many replies as they take, posted at the channel's pace (about one a second after a short burst:
 * pacing.ts). Past a limit, a thread would hold the channel's other messages (other alerts, a new
 * /audit's continuations) behind it for most of a minute, so each stops there, its last reply saying
 * what it left out: never cut silently.
 *
 * One limit for both: they are the same kind of thread (a list of repositories, one message of the
 * channel's, posted by the outbox) held to the same pace. An /audit reply's thread has a limit of its
 * own (MAX_REPLY_CONTINUATIONS, audit-service.ts): it is re-posted at each Ignore… click.
 */

/** Replies one such thread takes at most, the last of them saying what was left out. */
export const MAX_THREAD_PARTS = 40;

/**
 * `parts` as they are when they fit in MAX_THREAD_PARTS; else the first MAX_THREAD_PARTS handed to
 * `close`, which makes the last of them say what was left out (`left`: the parts beyond them).
 */
export function capThread<T>(parts: readonly T[], close: (kept: T[], left: number) => T[]): T[] {
  if (parts.length <= MAX_THREAD_PARTS) return [...parts];
  return close(parts.slice(0, MAX_THREAD_PARTS), parts.length - MAX_THREAD_PARTS);
}
