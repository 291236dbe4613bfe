/**
 * The one way Depwatch talks HTTP to the services it depends on (OSV, PyPI, GitHub, Slack):
 * a per-attempt timeout, retries with exponential backoff and jitter on 5xx / 429 / network
 * failures (429 honours Retry-After), a descriptive User-Agent, and JSON parsing that turns a
 * malformed or unexpected answer into a ServiceError naming the service instead of trusting it.
 *
 * Error messages carry the service, the method and the path, never the query string or any
 * credentials embedded in the URL, and never a stack trace.
 */
import type { z } from 'zod';
import { TimeoutError, type HttpAnswer, type SendInit, type Transport } from './http-transport.js';
import { redactSecrets } from './redact.js';
import { ServiceError, type ServiceName } from './service-error.js';
import { packageVersion } from './version.js';

export { ServiceError, type ServiceName };

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * How one attempt ended, as the metrics count it: an HTTP status class (429 apart: rate limiting is
 * worth its own line), Slack's `ok: false` in a 200 (`api_error`), or no answer at all.
 */
export type RequestOutcome = '2xx' | '3xx' | '4xx' | '429' | '5xx' | 'api_error' | 'timeout' | 'cancelled' | 'network';

export interface RequestObservation {
  service: ServiceName;
  outcome: RequestOutcome;
  /** Until the answer's headers (or the failure). */
  seconds: number;
}

export type RequestObserver = (observation: RequestObservation) => void;

const observers = new Set<RequestObserver>();

/**
 * Hears about every attempt made through `request` and through the clients given an `observedFetch`
 * (octokit, Slack's WebClient). The bot registers its metrics here; the CLI registers nothing, so it
 * never loads a metrics library. Returns the function that stops observing.
 */
export function observeRequests(observer: RequestObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

function report(service: ServiceName, outcome: RequestOutcome, seconds: number): void {
  const observation = { service, outcome, seconds };
  for (const observer of observers) {
    try {
      observer(observation);
    } catch {
      // Counting must never fail a request.
    }
  }
}

function statusOutcome(status: number): RequestOutcome {
  if (status === 429) return '429';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return status >= 300 ? '3xx' : '2xx';
}

/** Slack answers most failures with 200 and `{"ok":false}`: read a copy of the body to tell. */
async function slackOutcome(res: Response): Promise<RequestOutcome> {
  if (res.status !== 200 || !res.headers.get('content-type')?.includes('json')) return statusOutcome(res.status);
  try {
    const body = (await res.clone().json()) as { ok?: unknown } | null;
    return body?.ok === false ? 'api_error' : '2xx';
  } catch {
    return '2xx';
  }
}

/**
 * `fetch` that reports each call to the observers, for the shared layer below and for the clients that
 * take a fetch of their own (octokit's `request.fetch`, the Slack WebClient's `fetch`). Resolves the
 * global fetch at call time, so a test's stub still applies.
 */
export function observedFetch(service: ServiceName, fetchImpl?: FetchLike): FetchLike {
  return async (input, init) => {
    const impl = fetchImpl ?? (globalThis.fetch as FetchLike);
    if (observers.size === 0) return impl(input, init);
    const started = performance.now();
    let res: Response;
    try {
      res = await impl(input, init);
    } catch (err) {
      const signal = init?.signal;
      const timedOut = signal?.aborted && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
      report(service, timedOut ? 'timeout' : signal?.aborted ? 'cancelled' : 'network', (performance.now() - started) / 1000);
      throw err;
    }
    const seconds = (performance.now() - started) / 1000;
    if (service === 'Slack') void slackOutcome(res).then((outcome) => report(service, outcome, seconds));
    else report(service, statusOutcome(res.status), seconds);
    return res;
  };
}

/** An attempt through fetch: the Response rides along for `request`'s callers. */
interface FetchAnswer extends HttpAnswer {
  response: Response;
}

/**
 * One attempt through `fetch` (observed as observedFetch does), its timeout an AbortSignal that keeps
 * guarding the body, so a server that stalls mid-answer is still cut off.
 */
function fetchTransport(service: ServiceName, fetchImpl?: FetchLike): Transport<FetchAnswer> {
  const send = observedFetch(service, fetchImpl);
  return async (url, init) => {
    const timeout = AbortSignal.timeout(init.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await send(url, { method: init.method, headers: init.headers, body: init.body, signal });
    } catch (err) {
      if (timeout.aborted && !init.signal?.aborted) throw Object.assign(new TimeoutError(init.timeoutMs), { cause: err });
      throw err;
    }
    return {
      response,
      status: response.status,
      ok: response.ok,
      headers: response.headers,
      text: () => response.text(),
      discard: async () => {
        await response.body?.cancel();
      },
    };
  };
}

/** A transport whose every attempt the observers hear about (fetch reports through observedFetch). */
function observedTransport(service: ServiceName, transport: Transport): Transport {
  return async (url, init) => {
    if (observers.size === 0) return transport(url, init);
    const started = performance.now();
    try {
      const answer = await transport(url, init);
      report(service, statusOutcome(answer.status), (performance.now() - started) / 1000);
      return answer;
    } catch (err) {
      report(service, isTimeout(err) ? 'timeout' : init.signal?.aborted ? 'cancelled' : 'network', (performance.now() - started) / 1000);
      throw err;
    }
  };
}

const isTimeout = (err: unknown): boolean => err instanceof TimeoutError || (err instanceof Error && err.name === 'TimeoutError');

/** Descriptive, as PyPI and OSV ask of API clients: who we are and which runtime. */
export const USER_AGENT = `depwatch/${packageVersion()} (Python dependency audit; node/${process.versions.node})`;

export interface RequestOptions {
  service: ServiceName;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON (content-type set for you). */
  json?: unknown;
  headers?: Record<string, string>;
  /** Per attempt, covering the body too. */
  timeoutMs?: number;
  /** Extra attempts after the first. */
  retries?: number;
  /** First backoff step; each retry doubles it (with jitter), up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A Retry-After longer than this is clamped to it, so a confused server cannot park us for hours. */
  maxRetryAfterMs?: number;
  fetch?: FetchLike;
  /**
   * Sends each attempt instead of fetch (OSV's keep-alive agents, see http-transport.ts). Taken by
   * requestJson and requestText; not by `request`, which hands its callers a fetch Response.
   */
  transport?: Transport;
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRIES = 3;

/** `GET api.osv.dev/v1/vulns/X`: enough to say what failed, without query strings or user:password@. */
export function describeRequest(method: string, url: string | URL): string {
  return `${method} ${describeUrl(String(url))}`;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Retry-After is either delta-seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with jitter: somewhere in the upper half of base·2^attempt, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** Drops anything URL-shaped (credentials, query strings) and token-shaped from error text. */
function scrub(text: string): string {
  return redactSecrets(text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => describeUrl(url)));
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(URL)';
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    // undici hides the useful part (ECONNREFUSED, ECONNRESET…) in `cause`.
    if (cause instanceof Error && cause.message && cause.message !== err.message) return scrub(`${err.message} (${cause.message})`);
    return scrub(err.message);
  }
  return scrub(String(err));
}

/**
 * Sends a request, retrying transient failures. Resolves with the Response for any status that is
 * not worth retrying (including 4xx, which callers interpret); rejects with a ServiceError when the
 * service stays unreachable, slow or failing after every attempt.
 */
export async function request(url: string | URL, options: RequestOptions): Promise<Response> {
  return (await withRetries(url, options, fetchTransport(options.service, options.fetch))).response;
}

/**
 * The retry loop of `request`, `requestJson` and `requestText`, over whichever transport sends the attempts. With
 * `read`, an answer worth keeping is also read inside the loop, so a body cut off half-way (a reset
 * connection, a stall past the attempt's time) is retried as an attempt that failed before its
 * headers is; without it the caller reads the body (a fetch Response handed on).
 */
async function withRetries<A extends HttpAnswer, R = A>(url: string | URL, options: RequestOptions, transport: Transport<A>, read?: (answer: A) => Promise<R>): Promise<R> {
  const {
    service,
    method = options.json === undefined ? 'GET' : 'POST',
    timeoutMs = DEFAULT_TIMEOUT_MS,
    retries = DEFAULT_RETRIES,
    backoffMs = 500,
    maxBackoffMs = 30_000,
    maxRetryAfterMs = 60_000,
  } = options;
  // Worded only when something failed: most requests never need it.
  const what = (): string => describeRequest(method, url);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  const init: SendInit = { method, headers, body, timeoutMs, signal: options.signal };

  for (let attempt = 0; ; attempt++) {
    const last = attempt >= retries;
    let failure: ServiceError;
    let waitMs = backoffDelay(attempt, backoffMs, maxBackoffMs);
    let answered = false;
    try {
      const res = await transport(url, init);
      answered = true;
      // The attempt's timeout keeps guarding the body, so a server that stalls mid-answer is still cut off.
      if (!isRetryableStatus(res.status)) return read ? await read(res) : (res as unknown as R);
      await res.discard().catch(() => undefined);
      failure = new ServiceError(service, `${service} answered ${res.status} to ${what()}${last && attempt > 0 ? ` (after ${attempt + 1} attempts)` : ''}`, {
        status: res.status,
      });
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      if (retryAfter !== undefined) waitMs = Math.min(retryAfter, maxRetryAfterMs);
    } catch (err) {
      if (options.signal?.aborted) throw new ServiceError(service, `${service} request cancelled: ${what()}`, { cause: err });
      if (answered) failure = bodyFailure(err, service, what);
      else {
        failure = new ServiceError(
          service,
          isTimeout(err)
            ? `${service} did not answer ${what()} within ${formatMs(timeoutMs)}`
            : `${service} is unreachable (${what()}): ${errorText(err)}`,
          { cause: err },
        );
      }
    }
    if (last) throw failure;
    await sleep(waitMs, options.signal).catch((err: unknown) => {
      throw new ServiceError(service, `${service} request cancelled while waiting to retry: ${what()}`, { cause: err });
    });
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** A request's description, given as text or worded only when an error needs it. */
type RequestWording = string | (() => string);
const worded = (what: RequestWording): string => (typeof what === 'string' ? what : what());

/** A body that could not be read to its end, worded for a person. */
function bodyFailure(err: unknown, service: ServiceName, what: RequestWording): ServiceError {
  // The attempt's own timer says TimeoutError (both transports); AbortError is the caller cancelling.
  const message = isTimeout(err)
    ? `${service} did not finish its answer to ${worded(what)} in time`
    : err instanceof Error && err.name === 'AbortError'
        ? `${service} request cancelled while its answer to ${worded(what)} was read`
        : `${service} broke off its answer to ${worded(what)}: ${errorText(err)}`;
  return new ServiceError(service, message, { cause: err });
}

/** A JSON body, parsed; a malformed one is one line naming the service and the request. */
export function parseJson(text: string, status: number, service: ServiceName, what: RequestWording): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ServiceError(service, `${service} returned malformed JSON to ${worded(what)}`, { cause: err, status });
  }
}

/** Checks a decoded answer against its expected shape; the first problem is named, the data is not echoed. */
export function checkShape<T>(schema: z.ZodType<T>, value: unknown, service: ServiceName, what: RequestWording): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new ServiceError(service, `${service} returned an unexpected answer to ${worded(what)}${where}: ${issue?.message ?? 'invalid'}`);
}

/**
 * Request + status check + JSON + shape. Non-2xx answers become ServiceErrors carrying `status`,
 * so callers can treat a 404 as "not found" rather than an outage.
 */
export async function requestJson<T>(url: string | URL, schema: z.ZodType<T>, options: RequestOptions): Promise<T> {
  return (await answerJson(url, schema, options, false))!.value;
}

/** An answer whose status and headers matter to the caller; `text` is the body of a 2xx answer, else null. */
export interface TextAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text: string | null;
}

/**
 * A request whose every answer is the caller's to interpret (PyPI's: a 304 means "still fresh", a
 * 404 "no such project"), its 2xx body read inside the retry loop as requestJson's is, so a body cut
 * off half-way is asked for again rather than failing the lookup. Other answers' bodies are dropped.
 */
export async function requestText(url: string | URL, options: RequestOptions): Promise<TextAnswer> {
  const transport = options.transport ? observedTransport(options.service, options.transport) : fetchTransport(options.service, options.fetch);
  return withRetries(url, options, transport, async (answer) => {
    if (!answer.ok) await answer.discard().catch(() => undefined);
    return { status: answer.status, headers: answer.headers, text: answer.ok ? await answer.text() : null };
  });
}

/**
 * requestJson for a lookup whose "no such thing" is an expected answer (an alias id OSV may not
 * hold): a 404 resolves to null, anything else found to `{ value }`. No error is built for a 404,
 * which hundreds of such answers would pay for.
 */
export async function requestJsonIfFound<T>(url: string | URL, schema: z.ZodType<T>, options: RequestOptions): Promise<{ value: T } | null> {
  return answerJson(url, schema, options, true);
}

async function answerJson<T>(url: string | URL, schema: z.ZodType<T>, options: RequestOptions, notFoundIsNull: boolean): Promise<{ value: T } | null> {
  // Worded only when something failed, as in withRetries.
  const what = (): string => describeRequest(options.method ?? (options.json === undefined ? 'GET' : 'POST'), url);
  // The callers' requests are queries (OSV's), safe to repeat when a body is cut off half-way.
  const { status, text } = await requestText(url, options);
  if (text === null) {
    if (notFoundIsNull && status === 404) return null;
    throw new ServiceError(options.service, `${options.service} answered ${status} to ${what()}`, { status });
  }
  return { value: checkShape(schema, parseJson(text, status, options.service, what), options.service, what) };
}

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep input order.
 * The first failure stops new work from starting and is what the promise rejects with.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(Math.floor(limit) || 1, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}

/**
 * A concurrency cap shared by several callers: at most `limit` tasks run at once, the rest wait in
 * arrival order. Unlike mapLimit it spans calls, so one client's batches, record fetches and
 * package queries together never exceed what the service tolerates.
 */
export function createLimiter(limit: number): <T>(task: () => Promise<T>, signal?: AbortSignal) => Promise<T> {
  const max = Math.max(1, Math.floor(limit) || 1);
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    running -= 1;
    const next = waiting.shift();
    if (next) next();
  };
  return async <T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      // A caller that gave up while this task waited (another task of its batch failed) starts nothing.
      signal?.throwIfAborted();
      return await task();
    } finally {
      release();
    }
  };
}
