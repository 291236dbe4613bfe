/**
 * A call that adds something to Slack (a message, an ephemeral, a file, a reaction) is sent once:
 * when its answer is lost (a timeout, a dropped connection, a 5xx), Slack may have applied it, and
 * sending it again posts a copy in the channel. The interactive client (Bolt's, bot.ts) retries
 * those failures for every other call, which are reads or edits of one message to the same content
 * (idempotent: a second try leaves Slack as wanted). The bulk client (pacing.ts) retries nothing for
 * the same reason, its posts being the outbox's, which looks for the message before posting again.
 *
 * A 429 is never ambiguous (Slack did not apply the call), so those calls still wait out Retry-After
 * and go again, as @slack/web-api does for every call. A post whose answer was lost fails to its
 * caller, which says so (a command's answer is not posted again without knowing whether it is there).
 */
import { webApi } from '@slack/bolt';

type WebClient = webApi.WebClient;
type RetryOptions = NonNullable<webApi.WebClientOptions['retryConfig']>;

/**
 * The library's own retry after a 429: it waits Retry-After, then throws this for p-retry to send
 * the call again (a WebAPIRequestError around "A rate limit was exceeded", @slack/web-api 7-8,
 * makeRequest). Every other failure of an attempt leaves its outcome unknown or is Slack's answer.
 */
function isRateLimitRetry(err: unknown): boolean {
  const e = err as { code?: unknown; original?: unknown } | null;
  return e?.code === webApi.ErrorCode.RequestError && e.original instanceof Error && e.original.message.startsWith('A rate limit was exceeded');
}

/**
 * `base` (the client's retries and backoff) for calls that must not be sent twice: only the
 * library's retry after a 429 goes again. @slack/web-api hands retryConfig to p-retry, whose
 * `onFailedAttempt` ends the retries by throwing: the caller gets the attempt's own error.
 */
function rateLimitsOnly(base: RetryOptions | undefined): RetryOptions {
  const policy: RetryOptions & { onFailedAttempt: (err: unknown) => void } = {
    ...base,
    onFailedAttempt: (err) => {
      if (!isRateLimitRetry(err)) throw err;
    },
  };
  return policy;
}

/** The client's methods that add something each time they are sent. */
const ADDING_METHODS = {
  chat: ['postMessage', 'postEphemeral', 'scheduleMessage', 'meMessage'],
  files: ['uploadV2', 'completeUploadExternal'],
  // Sent again after Slack applied it, reactions.add answers `already_reacted`: a failure for a success.
  reactions: ['add'],
} as const;

const armed = new WeakSet<WebClient>();

/**
 * Makes `client`'s adding methods (ADDING_METHODS) go through a client of the same token and
 * options whose retries are rateLimitsOnly. Once per client: Bolt keeps one client per token, and
 * every listener's `client` comes from there, so every post the bot makes is covered, however it
 * is reached (reply-target.ts, audit-service.ts, the incident listeners, the outbox on app.client).
 */
export function sendAddingCallsOnce(client: WebClient, options: webApi.WebClientOptions): void {
  if (armed.has(client)) return;
  armed.add(client);
  const once = new webApi.WebClient(client.token, { ...options, retryConfig: rateLimitsOnly(options.retryConfig) });
  for (const [family, methods] of Object.entries(ADDING_METHODS)) {
    const from = once[family as keyof typeof ADDING_METHODS] as Record<string, unknown>;
    const to = client[family as keyof typeof ADDING_METHODS] as Record<string, unknown>;
    for (const method of methods) to[method] = from[method];
  }
}
