/**
 * The one place an Octokit is built. Everything else receives it, so tests hand in one pointed at the
 * loopback fake (test/fakes/github.ts) and nothing else knows how authentication works.
 *
 * ---- README: GitHub access (copy as is) ----------------------------------------------------------
 * Depwatch only reads. Give it one of:
 *
 * - `GITHUB_TOKEN`: a fine-grained personal access token limited to the repositories to audit, with
 *   the repository permissions **Contents: Read-only** and **Metadata: Read-only** (metadata is
 *   granted automatically). A classic token needs `repo` for private repositories, no scope for
 *   public ones.
 * - A GitHub App (better for a team: its limit grows with the installation, and it is not tied to a
 *   person): create an App with **Contents: Read-only** and **Metadata: Read-only**, no webhooks and no
 *   other permission, install it on the repositories to audit, and set `GITHUB_APP_ID`,
 *   `GITHUB_APP_PRIVATE_KEY` (the PEM; `\n` escapes are accepted on one line) and
 *   `GITHUB_APP_INSTALLATION_ID` (the number at the end of the installation's settings URL).
 * - Nothing: public repositories only, at 60 requests an hour, fine for a first try.
 *
 * `GITHUB_API_URL` points at GitHub Enterprise Server: `https://ghe.example.com/api/v3`.
 * ---------------------------------------------------------------------------------------------------
 *
 * Rate limits: short waits (up to `maxRateLimitWaitSeconds`, one minute by default) are sat out and the
 * request retried once or twice; anything longer fails at once with RateLimitError { resetAt }, so a
 * Slack reply can say when to come back instead of hanging for an hour.
 */
import Bottleneck from 'bottleneck/light.js';
import { App, Octokit } from 'octokit';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { observedFetch, USER_AGENT } from '../http.js';
import { appKeyError, rateLimitFromError } from './errors.js';

export type { Octokit };

export interface GitHubClientOptions {
  logger?: Logger;
  userAgent?: string;
  /** Longest rate-limit wait, in seconds, worth sitting out before failing with RateLimitError. */
  maxRateLimitWaitSeconds?: number;
  /** How many times a rate-limited request is retried after a short wait. */
  maxRateLimitRetries?: number;
  /** Retries of 5xx answers and network failures (octokit's retry plugin: waits of 1, 4, 9… units). */
  retries?: number;
  /**
   * Milliseconds per second of every wait octokit computes (retry backoff, rate-limit waits, and the
   * spacing of writes and GraphQL queries). 1000 in production; tests set it to a few milliseconds
   * so retries and spacing are real but instant.
   */
  retryUnitMs?: number;
}

/**
 * The product and its version, as every other service is told (src/http.ts): no web address, since
 * Depwatch has no published home page to point at.
 */
export const DEFAULT_USER_AGENT = USER_AGENT;

type GitHubConfig = Config['github'];

/**
 * Builds the Octokit for `config`: installation of a GitHub App when one is configured, else
 * `GITHUB_TOKEN`, else unauthenticated. Async because an App client is obtained through the App.
 */
export async function createGitHubClient(config: GitHubConfig, options: GitHubClientOptions = {}): Promise<Octokit> {
  const ClientClass = clientClass(config, options);
  if (config.app) {
    const app = new App({
      appId: config.app.appId,
      privateKey: config.app.privateKey,
      Octokit: ClientClass,
    });
    const installationId = Number(config.app.installationId);
    if (!Number.isSafeInteger(installationId) || installationId <= 0) {
      throw new Error('GITHUB_APP_INSTALLATION_ID: must be the installation number (digits only)');
    }
    return (await app.getInstallationOctokit(installationId)) as Octokit;
  }
  return config.token ? new ClientClass({ auth: config.token }) : new ClientClass();
}

function clientClass(config: GitHubConfig, options: GitHubClientOptions): typeof Octokit {
  const log = options.logger?.child({ component: 'github' });
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const maxRetries = options.maxRateLimitRetries ?? 2;
  const unitMs = options.retryUnitMs ?? 1000;

  const onLimit = (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const retry = retryCount < maxRetries && retryAfter <= maxWait;
    log?.warn({ method: request.method, url: request.url, retryAfter, retryCount, retry }, `GitHub ${kind} rate limit`);
    return retry;
  };

  return Octokit.plugin(rateLimitErrors).defaults({
    baseUrl: config.apiUrl.replace(/\/+$/, ''),
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    // Every attempt (retries included) is counted by the bot's metrics, like the shared HTTP layer's.
    request: { fetch: observedFetch('GitHub') },
    log: {
      debug: (message: string) => log?.debug(message),
      info: (message: string) => log?.info(message),
      warn: (message: string) => log?.warn(message),
      error: (message: string) => log?.error(message),
    },
    throttle: {
      ...spacingGroups(unitMs),
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: unitMs,
      fallbackSecondaryRateRetryAfter: 60,
    },
    // 429 is left to throttling (which knows the reset time) instead of blind 1 s / 4 s / 9 s retries.
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: unitMs, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
  }) as typeof Octokit;
}

/**
 * GitHub asks integrators to leave at least a second between writes (and counts GraphQL queries
 * with them), and more between requests that notify people or search; octokit's throttling spaces
 * them so (1, 3 and 2 seconds), in limiters it shares across the process. These are the same
 * limiters measured in `unitMs`: one set per unit, shared by every client built with it, so the bot's
 * clients still keep those gaps between them, and a test's clients keep them in milliseconds.
 */
const spacing = new Map<number, { write: Bottleneck.Group; notifications: Bottleneck.Group; search: Bottleneck.Group }>();

function spacingGroups(unitMs: number) {
  let groups = spacing.get(unitMs);
  if (groups === undefined) {
    const group = (id: string, units: number) => new Bottleneck.Group({ id: `depwatch-${id}-${unitMs}`, maxConcurrent: 1, minTime: units * unitMs });
    groups = { write: group('write', 1), notifications: group('notifications', 3), search: group('search', 2) };
    spacing.set(unitMs, groups);
  }
  return groups;
}

/**
 * Registered after octokit's own plugins, so its error hook is the outermost: it sees a rate-limited
 * response only once throttling has decided not to wait, and turns it into RateLimitError { resetAt };
 * an App key the signer refused (before any request left) becomes GitHubCredentialsError, never
 * "GitHub could not be reached".
 */
function rateLimitErrors(octokit: { hook: Octokit['hook'] }): Record<string, never> {
  octokit.hook.error('request', (error) => {
    throw rateLimitFromError(error) ?? appKeyError(error) ?? error;
  });
  return {};
}
