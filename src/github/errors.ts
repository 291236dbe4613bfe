/**
 * What can go wrong when Depwatch talks to GitHub, as errors whose messages can be shown to a Slack
 * user as they are. None of them ever carries a token: messages are built from the repository name,
 * the HTTP status and GitHub's own `message`, and even that goes through redactSecrets.
 */
import { ServiceError } from '../http.js';
import { redactSecrets } from '../log.js';

export interface RepoName {
  owner: string;
  repo: string;
}

/** The repository does not exist, or the configured credentials cannot see it (GitHub answers both with 404). */
export class RepoNotFoundError extends Error {
  override name = 'RepoNotFoundError';
  constructor(
    readonly owner: string,
    readonly repo: string,
  ) {
    super(`I can't see ${owner}/${repo} with the configured GitHub credentials`);
  }
}

/** The branch, tag or commit asked for does not exist in a repository we can see. */
export class RefNotFoundError extends Error {
  override name = 'RefNotFoundError';
  constructor(
    readonly owner: string,
    readonly repo: string,
    readonly ref: string,
  ) {
    super(`${owner}/${repo} has no branch, tag or commit named "${ref}"`);
  }
}

/** GitHub's primary or secondary rate limit is exhausted; nothing will work before `resetAt`. */
export class RateLimitError extends ServiceError {
  override name = 'RateLimitError';
  constructor(
    readonly resetAt: Date,
    readonly secondary = false,
  ) {
    super(
      'GitHub',
      `GitHub's ${secondary ? 'secondary ' : ''}rate limit is exhausted until ${resetAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}; try again after that`,
    );
  }
}

/** Any other failure of the GitHub API (5xx, bad credentials, network): a ServiceError naming GitHub. */
export class GitHubServiceError extends ServiceError {
  override name = 'GitHubServiceError';
  constructor(message: string, status?: number, options: { cause?: unknown } = {}) {
    super('GitHub', redactSecrets(message), { ...options, ...(status === undefined ? {} : { status }) });
  }
}

/**
 * The GitHub App's private key could not sign the token GitHub's sign-in asks for: a settings
 * problem found before any request left, not GitHub failing to answer. Classified with a 401 as
 * credentials for whoever runs Depwatch (no "try again in a few minutes"). Start-up checks the key
 * (src/github/app-key.ts), so this is what is left: a key the check let through that the signer refuses.
 */
export class GitHubCredentialsError extends GitHubServiceError {
  override name = 'GitHubCredentialsError';
}

/**
 * What the App's token signer throws for a key it cannot use: WebCrypto's DataError ("Invalid
 * keyData"), or universal-github-app-jwt's own errors about the key. Its text is not kept: it may
 * quote a line of the key.
 */
export function appKeyError(err: unknown): GitHubCredentialsError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { name, message } = err as { name?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (name !== 'DataError' && !text.startsWith('[universal-github-app-jwt]') && !/'privateKey` option/.test(text)) return undefined;
  return new GitHubCredentialsError(
    'GitHub App private key (GITHUB_APP_PRIVATE_KEY) cannot sign in to GitHub, so GitHub was not asked: set it to the .pem file GitHub generated for the App (in a .env file in double quotes, or on one line with \\n escapes)',
  );
}

/** The shape of octokit's RequestError that we rely on, without importing its class. */
interface ResponseLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isResponseLike(err: unknown): err is ResponseLike {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number' && answeredStatus(err) !== undefined;
}

/**
 * The HTTP status GitHub answered with, or undefined when there was no answer. octokit reports a
 * request that never got one (DNS failure, refused connection, reset, timeout) as a RequestError
 * with status 500 and no response, or passes an AbortError on with status 500: that 500 is
 * octokit's, not GitHub's, and such a failure is a network error, said as one.
 */
export function answeredStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, response, name } = err as { status?: unknown; response?: unknown; name?: unknown };
  if (typeof status !== 'number') return undefined;
  if (name === 'AbortError') return undefined;
  if (status === 500 && name === 'HttpError' && (response === undefined || response === null)) return undefined;
  return status;
}

/** GraphQL reports an exhausted limit as 200 with `errors[].type` RATE_LIMITED (octokit rethrows it without a status). */
function isGraphqlRateLimited(err: unknown): err is { response?: ResponseLike['response'] } {
  if (typeof err !== 'object' || err === null) return false;
  const { data, response } = err as { data?: unknown; response?: { data?: unknown } };
  const errors = (data as { errors?: unknown } | undefined)?.errors ?? (response?.data as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) && errors.some((e) => (e as { type?: unknown } | null)?.type === 'RATE_LIMITED');
}

function header(err: ResponseLike, name: string): string | undefined {
  const value = err.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/**
 * Reads the rate-limit verdict of a failed response: GitHub signals an exhausted limit with 403 or 429
 * plus `x-ratelimit-remaining: 0` (primary) or `retry-after` / a "secondary rate limit" message.
 * Returns undefined for any other failure.
 */
export function rateLimitFromError(err: unknown, now = Date.now()): RateLimitError | undefined {
  if (err instanceof RateLimitError) return err;
  if (isGraphqlRateLimited(err)) {
    const reset = Number(err.response?.headers?.['x-ratelimit-reset']);
    return new RateLimitError(Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : new Date(now + 60_000));
  }
  if (!isResponseLike(err) || (err.status !== 403 && err.status !== 429)) return undefined;
  const remaining = header(err, 'x-ratelimit-remaining');
  const retryAfter = header(err, 'retry-after');
  const secondary = /secondary rate limit/i.test(err.message);
  if (remaining !== '0' && retryAfter === undefined && !secondary && err.status !== 429) return undefined;
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) {
    return new RateLimitError(new Date(now + Number(retryAfter) * 1000), secondary);
  }
  const reset = Number(header(err, 'x-ratelimit-reset'));
  if (remaining === '0' && Number.isFinite(reset) && reset > 0) return new RateLimitError(new Date(reset * 1000), secondary);
  // GitHub's advice when it gives no time: wait at least a minute.
  return new RateLimitError(new Date(now + 60_000), secondary);
}

/**
 * Whether `err` is a request to GitHub failing (what toGitHubError words) rather than a fault of
 * the code around it: octokit's RequestError (it carries the status, and wraps every fetch failure
 * as one with status 500), its AbortError (status 500 too), the errors above, a ServiceError, or a
 * bare network failure (undici's "fetch failed", a socket error code, a timeout). A TypeError from
 * reading an answer of another shape is none of these: worded as "GitHub did not answer", it would
 * hide a bug behind advice to try again.
 */
export function isGitHubRequestFailure(err: unknown): boolean {
  if (err instanceof RepoNotFoundError || err instanceof RefNotFoundError || err instanceof ServiceError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { status, name, message, code, cause } = err as { status?: unknown; name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
  if (typeof status === 'number') return true;
  if (name === 'AbortError' || name === 'TimeoutError') return true;
  if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return true;
  return name === 'TypeError' && message === 'fetch failed' && cause !== undefined;
}

/**
 * Turns whatever octokit threw for a request about `name` into one of the errors above. 404, and 403
 * without rate-limit signals, mean "not visible with these credentials": GitHub hides private
 * repositories behind 404 and answers 403 when an App installation does not cover the repository.
 */
export function toGitHubError(err: unknown, name: RepoName, what = 'request'): Error {
  if (err instanceof RepoNotFoundError || err instanceof RefNotFoundError || err instanceof RateLimitError || err instanceof GitHubServiceError) {
    return err;
  }
  const keyError = appKeyError(err);
  if (keyError) return keyError;
  const limited = rateLimitFromError(err);
  if (limited) return limited;
  if (isResponseLike(err)) {
    if (err.status === 404 || err.status === 403) return new RepoNotFoundError(name.owner, name.repo);
    if (err.status === 401) return new GitHubServiceError(unauthorizedMessage(err), 401, { cause: err });
    return new GitHubServiceError(`GitHub failed the ${what} for ${name.owner}/${name.repo} (HTTP ${err.status}: ${firstLine(err.message)})`, err.status, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new GitHubServiceError(`GitHub could not be reached for ${name.owner}/${name.repo}: ${firstLine(message)}`, undefined, { cause: err });
}

/**
 * What a 401 means, by whether the request carried credentials: wrong or expired ones, or none at
 * all (GitHub's GraphQL API, which the sweep's head lookup uses, answers 401 to every anonymous
 * request, public repositories included). octokit keeps the name of the header it sent on its
 * errors, its value redacted.
 */
export function unauthorizedMessage(err: unknown): string {
  const headers = (err as { request?: { headers?: unknown } } | null)?.request?.headers;
  const sent = typeof headers === 'object' && headers !== null && Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  return sent
    ? 'GitHub rejected the configured credentials (401 Bad credentials): check GITHUB_TOKEN or the GitHub App settings'
    : 'GitHub wants credentials and none are configured (401): set GITHUB_TOKEN, or the GitHub App settings';
}

// Not errorLine (src/error-line.ts): takes text (octokit's message, or any thrown value's), and marks the cap with an ellipsis.
function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Whether a failed request may succeed when asked again later: no answer (network error, timeout),
 * a 5xx, 408 or 429, a rate limit, a 401. A 403, 404 or 422 about one object is GitHub's lasting
 * answer for it at that commit: a repository partial for that is not audited again on every sweep
 * (src/watch/partial-state.ts needsRecheck). A 401 is about the bot's credentials (expired or
 * rotated mid-sweep), not the repository: once the operator fixes them, the next sweep reads it.
 * Takes what octokit threw or one of the errors above.
 */
export function mayPass(err: unknown): boolean {
  if (err instanceof RateLimitError) return true;
  if (err instanceof RepoNotFoundError || err instanceof RefNotFoundError) return false;
  const status = err instanceof ServiceError ? err.status : answeredStatus(err);
  return status === undefined || status >= 500 || status === 401 || status === 408 || status === 429;
}

/**
 * Why one request failed, short enough for the problem line of one file: the HTTP status with
 * GitHub's own words (without the documentation link octokit appends), or that no answer came
 * (network error, timeout). One line, never a stack; secrets redacted.
 */
export function shortFailure(err: unknown): string {
  const status = answeredStatus(err);
  let said = (err instanceof Error ? err.message : String(err)).split('\n', 1)[0] ?? '';
  const link = said.lastIndexOf(' - http');
  if (link > 0) said = said.slice(0, link);
  said = redactSecrets(firstLine(said.trim()));
  if (status === undefined) return said ? `no answer (${said})` : 'no answer';
  return said ? `HTTP ${status} (${said})` : `HTTP ${status}`;
}
