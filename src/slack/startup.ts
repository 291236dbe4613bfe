/**
 * Start-up against Slack, told in one line when it fails. Before the bot listens, its tokens are
 * checked (`auth.test` for the bot token, `apps.connections.open` for the app-level token in Socket
 * Mode) through a client that retries little and logs nothing, so a rejected token, a revoked one or
 * an unreachable Slack is a StartupError naming the variable to fix, not a stack trace after
 * "listening". Listening itself (a port in use) fails the same way.
 */
import { webApi, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { redactSecrets } from '../redact.js';

/** A start-up failure, with a message written for the person starting the bot (one line, no secrets). */
export class StartupError extends Error {
  override name = 'StartupError';
  constructor(message: string, options?: ErrorOptions) {
    super(redactSecrets(message), options);
  }
}

export interface SlackAccess {
  /** SLACK_API_URL (the Web API base). */
  apiUrl: string;
  botToken: string;
  /** Socket Mode: the app-level token. */
  appToken?: string;
  /** Per request; Slack's own timeout is 30 s, a start-up check needs less. */
  timeoutMs?: number;
}

/** The bot's identity as Slack knows it (auth.test). */
export interface BotIdentity {
  botId: string | undefined;
  botUserId: string | undefined;
  team: string | undefined;
}

type TokenVariable = 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN';

/** Why Slack refuses a token, and what the person starting the bot can do about it. */
const TOKEN_HINTS: Record<string, (variable: TokenVariable) => string> = {
  invalid_auth: (v) => (v === 'SLACK_BOT_TOKEN' ? 'copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions of your app' : 'create an app-level token (xapp-…) with connections:write under Basic Information → App-Level Tokens'),
  not_authed: (v) => `${v} is empty or was not sent`,
  token_revoked: () => 'the token was revoked (the app was uninstalled, or the token rotated): reinstall the app and copy the new token',
  token_expired: () => 'the token expired: turn token rotation off for this app, or copy a fresh token',
  account_inactive: () => 'the app or its workspace was deactivated: reinstall the app and copy the new token',
  not_allowed_token_type: (v) => (v === 'SLACK_BOT_TOKEN' ? 'this is not a bot token: use the Bot User OAuth Token (xoxb-…)' : 'this is not an app-level token: use the xapp-… token from Basic Information → App-Level Tokens'),
  team_disabled: () => 'the workspace is disabled',
  socket_mode_not_enabled: () => 'turn Socket Mode on in the app settings (or unset SLACK_APP_TOKEN to use HTTP mode)',
};

const silent: BoltLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/** Checks the tokens before anything listens; throws StartupError with one line when Slack says no. */
export async function checkSlackAccess(access: SlackAccess): Promise<BotIdentity> {
  const client = (token: string) =>
    new webApi.WebClient(token, {
      slackApiUrl: `${access.apiUrl.replace(/\/+$/, '')}/`,
      logger: silent,
      timeout: access.timeoutMs ?? 10_000,
      // One quick retry covers a blip; an unreachable Slack is reported within seconds, not minutes.
      retryConfig: { retries: 1, factor: 1, minTimeout: 300, maxTimeout: 300 },
      rejectRateLimitedCalls: false,
    });
  let identity: BotIdentity;
  try {
    const auth = await client(access.botToken).auth.test();
    identity = { botId: auth.bot_id, botUserId: auth.user_id, team: auth.team };
  } catch (err) {
    throw slackStartupError(err, 'SLACK_BOT_TOKEN', access.apiUrl);
  }
  if (access.appToken) {
    try {
      // Hands out a WebSocket URL that is never used; Bolt asks for its own right after.
      await client(access.appToken).apps.connections.open();
    } catch (err) {
      throw slackStartupError(err, 'SLACK_APP_TOKEN', access.apiUrl);
    }
  }
  return identity;
}

/** A Web API failure at start-up, as one line naming what to fix. */
export function slackStartupError(err: unknown, variable: TokenVariable, apiUrl: string): StartupError {
  if (err instanceof StartupError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === webApi.ErrorCode.PlatformError) {
    const slackError = String((err as webApi.WebAPIPlatformError).data?.error ?? 'unknown_error');
    const hint = TOKEN_HINTS[slackError]?.(variable) ?? 'see https://api.slack.com/methods/auth.test#errors';
    return new StartupError(`Slack rejected ${variable} (${slackError}): ${hint}`, { cause: err });
  }
  if (code === webApi.ErrorCode.RequestError) {
    return new StartupError(`cannot reach Slack at ${apiUrl} (${networkCause(err as webApi.WebAPIRequestError)}): check SLACK_API_URL and the network`, { cause: err });
  }
  if (code === webApi.ErrorCode.HTTPError) {
    const status = (err as webApi.WebAPIHTTPError).statusCode;
    return new StartupError(`Slack answered HTTP ${status} at ${apiUrl}: check SLACK_API_URL (it ends in /api)`, { cause: err });
  }
  if (code === webApi.ErrorCode.RateLimitedError) {
    return new StartupError(`Slack rate-limited the start-up check of ${variable}: try again in a minute`, { cause: err });
  }
  return new StartupError(`could not check ${variable} with Slack at ${apiUrl}: ${firstLine(err)}`, { cause: err });
}

/** A failure to listen on PORT (HTTP mode), as one line. */
export function listenStartupError(err: unknown, port: number): StartupError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return new StartupError(`port ${port} is already in use: stop the other process, or set PORT to a free port`, { cause: err });
  if (code === 'EACCES') return new StartupError(`not allowed to listen on port ${port}: set PORT to a port above 1023`, { cause: err });
  return new StartupError(`could not listen on port ${port} (${firstLine(err)}): check PORT`, { cause: err });
}

/** The innermost reason of a failed request: ECONNREFUSED, ENOTFOUND, a timeout… */
function networkCause(err: webApi.WebAPIRequestError): string {
  let cause: unknown = err.original;
  for (let depth = 0; depth < 5 && cause; depth++) {
    const c = cause as { code?: unknown; cause?: unknown; name?: unknown; message?: unknown };
    if (typeof c.code === 'string' && c.code) return c.code;
    if (c.name === 'TimeoutError' || c.name === 'AbortError') return 'timed out';
    if (!c.cause) return firstLine(cause);
    cause = c.cause;
  }
  return firstLine(err);
}

// Not errorLine (src/error-line.ts): networkCause passes causes that need not be Errors, and each is cut to one line and capped.
const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);
