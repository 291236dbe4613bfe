/**
 * An edit of a message whose outcome is unknown is sent again, not given up. chat.update of one
 * message (its channel and ts) with the same content is idempotent: whether or not Slack applied
 * the first try, the second leaves the message as wanted. A timeout, a lost connection, a 5xx or a
 * rate limit says nothing about whether the edit was made, so treating it as a refusal (posting the
 * content again somewhere else) posts a copy of what may already be there.
 *
 * Only an answer in which Slack refused the edit (chat.update's errors: `cant_update_message`,
 * `message_not_found`, `edit_window_closed`, `msg_too_long`, `invalid_blocks`, `channel_not_found`,
 * `is_inactive`, …) is final at once; what Slack answers while it is itself in trouble
 * (`fatal_error`, `service_unavailable`, `update_failed`, …) is retried as a 5xx is: the outbox's
 * transient failures (outbox/failures.ts), one list for both.
 */
import { failureKind } from './outbox/failures.js';
import { rateLimitedRetryAfter } from './pacing.js';

/**
 * Whether `err` leaves the edit's outcome unknown (worth sending again), and how long Slack asked to
 * wait first (seconds; undefined: no word). null: Slack refused the edit, or the failure is not
 * Slack's (a bug of ours): sending it again would not help. The outbox's classification
 * (failures.ts): a failure it would retry as transient is one whose outcome is unknown; a 429 that
 * a client retrying rate limits itself (the interactive one) still met after its retries is a
 * request error there, as a timeout or a lost connection is.
 */
export function outcomeUnknown(err: unknown): { retryAfter: number | undefined } | null {
  // A client that hands 429s to its caller (rejectRateLimitedCalls: the pacer's way) says how long.
  const retryAfter = rateLimitedRetryAfter(err);
  if (retryAfter !== undefined) return { retryAfter };
  return failureKind(err) === 'transient' ? { retryAfter: undefined } : null;
}

export interface EditRetryOptions {
  /** Tries in all, the first included (default EDIT_ATTEMPTS). */
  attempts?: number;
  /** Wait before the second try, doubled for each one after, when Slack said nothing of how long (default EDIT_BACKOFF_MS). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told before each wait (for the log). */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
}

/**
 * Tries of one edit. Someone is waiting for the reply (a stage of /audit), and the interactive
 * client already retries 5xx and lost connections a few times itself: three tries here, about a
 * second and a half of waiting besides any Retry-After, before the caller falls back.
 */
export const EDIT_ATTEMPTS = 3;
export const EDIT_BACKOFF_MS = 500;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `edit()` (one chat.update of one message, with the same content each time), sent again after a
 * failure that leaves its outcome unknown, waiting Retry-After when Slack gave one. Throws at once
 * what Slack refused, and the last failure once the tries ran out: then, and only then, may the
 * caller conclude the edit did not happen.
 */
export async function editIdempotently<T>(edit: () => Promise<T>, options: EditRetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? EDIT_ATTEMPTS);
  const backoffMs = options.backoffMs ?? EDIT_BACKOFF_MS;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await edit();
    } catch (err) {
      const unknown = outcomeUnknown(err);
      if (unknown === null || attempt >= attempts) throw err;
      const waitMs = unknown.retryAfter !== undefined ? unknown.retryAfter * 1000 : backoffMs * 2 ** (attempt - 1);
      options.onRetry?.(err, attempt, waitMs);
      await sleep(waitMs);
    }
  }
}
