/**
 * How one HTTP attempt travels, under the retry loop of http.ts: through `fetch` (the default, and
 * what tests inject), or through a keep-alive `node:http` / `node:https` Agent.
 *
 * Why a second way: undici's fetch builds a Request, a Headers object, a web ReadableStream and an
 * AbortSignal pair for every call, which costs ~1.3 ms of CPU per request in a cold process against
 * ~0.36 ms for `http.request` on a kept-alive socket (measured against the loopback OSV, 866
 * requests, 64 in flight). A first API-mode audit sends hundreds of small requests to OSV, so that
 * difference is most of its CPU time. The npm `undici` package's `request` was also measured: cheaper
 * once warm (~0.25 ms) but its loading costs ~300 ms in a fresh CLI process, so the built-in module
 * wins where it matters (a one-shot CLI audit) and adds no dependency.
 *
 * A transport does one attempt and enforces its own timeout (covering the body too); retries,
 * backoff, Retry-After and error wording stay in http.ts, the same for both transports.
 */
import http from 'node:http';
import https from 'node:https';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';

/** What one attempt sends. */
export interface SendInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Covers the whole attempt: connection, headers and body. */
  timeoutMs: number;
  /** The caller's own cancellation. */
  signal?: AbortSignal;
}

/** An answer whose body is still to be read (once) or discarded. */
export interface HttpAnswer {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  /**
   * The body as text; rejects with a `TimeoutError` when the attempt's time runs out meanwhile, and
   * with why the attempt ended otherwise (connection lost, cancelled) when it ended first.
   */
  text(): Promise<string>;
  /** Drops the body (an answer not worth reading, e.g. before a retry). */
  discard(): Promise<void>;
}

export type Transport<A extends HttpAnswer = HttpAnswer> = (url: string | URL, init: SendInit) => Promise<A>;

/** The error an attempt ends with when its time ran out (named like the DOMException fetch uses). */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(ms: number) {
    super(`no complete answer within ${ms} ms`);
  }
}

export interface KeepAliveOptions {
  /** Sockets per origin: requests beyond this wait for a free socket (the caller's cap is usually lower). */
  maxSockets: number;
}

const decoders: Record<string, (buffer: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

/**
 * Keep-alive agents shared by every transport of the process with the same socket cap, as fetch
 * shares its pool: a client made later (the next audit's) finds the connections, and their TLS
 * sessions, still open. Idle sockets do not keep the process alive.
 */
const agents = new Map<string, http.Agent>();

function agentFor(protocol: string, maxSockets: number): http.Agent {
  const key = `${protocol}${maxSockets}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    if (protocol === 'https:') agent = new https.Agent({ keepAlive: true, maxSockets });
    else if (protocol === 'http:') agent = new http.Agent({ keepAlive: true, maxSockets });
    else throw new TypeError(`unsupported protocol ${protocol}`);
    agents.set(key, agent);
  }
  return agent;
}

/**
 * One attempt's course, kept the same way by both transports: who waits on it now (the answer's
 * promise, then its body's), its time limit and cancellation, and why it ended before its body was
 * read (it failed, was cancelled or discarded): the body's data is gone then, complete or not, so
 * a read after that rejects at once, with why it ended, rather than wait for an 'end' that has
 * passed or will never come. Why, as a function: a discarded answer (hundreds of 404s an audit
 * drops) makes its Error, stack and all, only if something still reads it.
 */
export class AttemptCourse {
  private waiting: ((err: Error) => void) | undefined;
  private done = false;
  private endedEarly: (() => Error) | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void => this.fail(this.signal?.reason as Error);

  /**
   * @param reject the answer's promise's, which waits first
   * @param timeoutMs the attempt's time, as its TimeoutError says it
   * @param remainingMs what is left of it now (less than timeoutMs once the attempt waited for a stream)
   * @param stop what ends the attempt's traffic when it fails (a request destroyed, a stream reset)
   */
  constructor(
    reject: (err: Error) => void,
    timeoutMs: number,
    remainingMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly stop: () => void,
  ) {
    this.waiting = reject;
    this.timer = setTimeout(() => this.fail(new TimeoutError(timeoutMs)), remainingMs);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  /** Ends the attempt with `err` (only before it finished: its connection may serve another by then). */
  fail(err: Error): void {
    if (this.done) return;
    this.finish();
    this.endedEarly = () => err;
    this.stop();
    const waiter = this.waiting;
    this.waiting = undefined;
    waiter?.(err);
  }

  /** The answer's headers are in: its promise is resolved, and nothing waits until its body is read. */
  answered(): void {
    this.waiting = undefined;
  }

  /** The body, read to its end; rejects with why the attempt ended when it ended first. */
  read(body: NodeJS.ReadableStream): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.endedEarly !== undefined) return reject(this.endedEarly());
      this.waiting = reject;
      const chunks: Buffer[] = [];
      body.on('data', (chunk: Buffer) => chunks.push(chunk));
      body.on('end', () => {
        this.waiting = undefined;
        this.finish();
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      });
    });
  }

  /** Drops the answer unread (`drop` lets its body go: drained, or its stream reset). */
  discard(drop: () => void): void {
    if (this.done) return;
    this.finish();
    this.endedEarly = () => new Error('the answer was discarded before its body was read');
    drop();
  }
}

/** A header of an answer as fetch's Headers gives it: repeated values joined, absent as null. */
export function headerValue(headers: Record<string, string | string[] | number | undefined>, name: string): string | null {
  const value = headers[name.toLowerCase()];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * A transport over keep-alive agents (one per protocol and socket cap, see `agents`), for http://
 * (the loopback fakes) and https:// alike. Asks for compressed answers, as fetch does, and decodes
 * gzip, deflate and br.
 */
export function keepAliveTransport(options: KeepAliveOptions): Transport {
  return (input, init) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const { signal, timeoutMs } = init;
      if (signal?.aborted) return reject(signal.reason);
      let req: http.ClientRequest | undefined;
      const course = new AttemptCourse(reject, timeoutMs, timeoutMs, signal, () => req?.destroy());
      const fail = (err: Error): void => course.fail(err);

      const send = (url: URL, method: string, body: string | undefined, redirectsLeft: number): void => {
        const headers = requestHeaders(init.headers, body);
        let agent: http.Agent;
        try {
          agent = agentFor(url.protocol, options.maxSockets);
        } catch (err) {
          return fail(err as Error);
        }
        const module = url.protocol === 'https:' ? https : http;
        req = module.request(url, { method, headers, agent }, (res) => {
          const status = res.statusCode ?? 0;
          // Node calls a connection lost mid-answer only "aborted": say what happened, its error as the cause.
          res.on('error', (err) => fail(new Error(CONNECTION_CLOSED, { cause: err })));
          res.on('close', () => {
            if (!res.complete) fail(new Error(CONNECTION_CLOSED));
          });
          let next: ReturnType<typeof redirectTarget>;
          try {
            next = redirectTarget(status, res.headers.location, url, { method, body }, redirectsLeft);
          } catch (err) {
            res.resume();
            return fail(err as Error);
          }
          if (next !== null) {
            // Followed within the same attempt (and its time).
            res.resume();
            return send(next.url, next.method, next.body, redirectsLeft - 1);
          }
          course.answered();
          resolve(answerOf(res, status));
        });
        req.on('error', fail);
        req.end(body);
      };

      const answerOf = (res: http.IncomingMessage, status: number): HttpAnswer => {
        let read: Promise<string> | undefined;
        return {
          status,
          ok: status >= 200 && status < 300,
          headers: { get: (name) => headerValue(res.headers, name) },
          text: () => (read ??= course.read(res).then((body) => decodeBody(body, res.headers['content-encoding']))),
          discard: async () => {
            if (read === undefined) course.discard(() => res.resume()); // drained, so the socket goes back to the pool
          },
        };
      };

      let url: URL;
      try {
        url = typeof input === 'string' ? new URL(input) : input;
      } catch (err) {
        return fail(err as Error);
      }
      send(url, init.method, init.body, MAX_REDIRECTS);
    });
}

export const CONNECTION_CLOSED = 'the connection closed before the answer was complete';

/** Statuses fetch follows (its `redirect: 'follow'`), and how many in a row (fetch: 20). */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
export const MAX_REDIRECTS = 20;

/** The headers a request sends, as fetch sends them: compressed answers asked for, a body's length, no content type without a body. */
export function requestHeaders(headers: Record<string, string>, body: string | undefined): Record<string, string> {
  const sent: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...headers };
  if (body !== undefined) sent['content-length'] = String(Buffer.byteLength(body));
  else delete sent['content-type'];
  return sent;
}

/**
 * Where an answer redirects the request, followed as fetch follows it (a 303, and a 301 or 302 to
 * a POST, become a GET without its body); null when it is no redirect. Throws when it leads nowhere
 * valid, or `redirectsLeft` is spent.
 */
export function redirectTarget(
  status: number,
  location: string | null | undefined,
  from: URL,
  request: { method: string; body?: string | undefined },
  redirectsLeft: number,
): { url: URL; method: string; body: string | undefined } | null {
  if (!REDIRECTS.has(status) || location === null || location === undefined) return null;
  if (redirectsLeft === 0) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
  let url: URL;
  try {
    url = new URL(location, from);
  } catch {
    throw new Error('a redirect to an invalid location');
  }
  const asGet = status === 303 || ((status === 301 || status === 302) && request.method === 'POST');
  return { url, method: asGet ? 'GET' : request.method, body: asGet ? undefined : request.body };
}

/** A body as text, decoded from its Content-Encoding (gzip, deflate, br). */
export async function decodeBody(bytes: Buffer, contentEncoding: string | undefined): Promise<string> {
  const encoding = contentEncoding?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return bytes.toString('utf8');
  const decoder = decoders[encoding];
  if (decoder === undefined) throw new Error(`unsupported content-encoding ${encoding}`);
  return (await decoder(bytes)).toString('utf8');
}
