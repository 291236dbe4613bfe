/**
 * How a failed Slack call should be treated by the outbox (docs/outbox.md, "Failures"), and whether
 * an edit of the bot's may have been made (idempotent-edit.ts: a transient failure leaves it unknown):
 *
 * - transient: the network, a timeout, a 5xx, Slack saying it is down or rate limiting. Slack may
 *   be back in a minute or in hours: the row keeps being retried, with capped backoff, for a day.
 * - permanent: Slack answered and refused the request itself (channel_not_found, not_in_channel,
 *   is_archived, invalid_auth, msg_too_long…). The same request gets the same answer: the row fails
 *   at once instead of knocking five more times.
 * - unknown: anything else (our own errors, an odd HTTP status): retried a few times, as before.
 */
import { webApi } from '@slack/bolt';

export type FailureKind = 'transient' | 'permanent' | 'unknown';

/**
 * Platform errors (`ok: false`) that say "not now" rather than "no": Slack's own trouble
 * (`fatal_error`: "some aspect of the operation" may have succeeded; chat.update's `update_failed`),
 * a request that arrived cut short, a rate limit, a workspace or channel in migration.
 */
const TRANSIENT_PLATFORM_ERRORS: ReadonlySet<string> = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'update_failed',
  'request_timeout',
  'ratelimited',
  'rate_limited',
  'external_channel_migrating',
  'team_added_to_org',
]);

export function failureKind(err: unknown): FailureKind {
  if (typeof err !== 'object' || err === null) return 'unknown';
  const e = err as { code?: unknown; statusCode?: unknown; data?: { error?: unknown } };
  switch (e.code) {
    // The request never got an answer: refused connection, reset, DNS, the client's timeout.
    case webApi.ErrorCode.RequestError:
    case webApi.ErrorCode.RateLimitedError:
      return 'transient';
    case webApi.ErrorCode.HTTPError:
      return typeof e.statusCode === 'number' && (e.statusCode >= 500 || e.statusCode === 408) ? 'transient' : 'unknown';
    case webApi.ErrorCode.PlatformError:
      return typeof e.data?.error === 'string' && TRANSIENT_PLATFORM_ERRORS.has(e.data.error) ? 'transient' : 'permanent';
    default:
      return 'unknown';
  }
}
