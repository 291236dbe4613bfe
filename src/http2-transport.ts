/**
 * HTTP/2 for https:// origins that speak it (api.osv.dev does, and recommends it): requests to an
 * origin are streams of a few TLS connections, where the keep-alive transport opens a connection,
 * and pays a TLS handshake, per request in flight. Measured against a loopback TLS server answering
 * after 50 ms, 866 small requests, 128 in flight: HTTP/1.1 ~345 ms of client CPU (128 handshakes),
 * HTTP/2 ~160 ms.
 *
 * An origin whose TLS does not offer h2 (ALPN) is sent over `fallback` (HTTP/1.1) from then on. A
 * connection carries at most as many streams at once as its server allows
 * (SETTINGS_MAX_CONCURRENT_STREAMS; a server refuses streams past it): when all are full another
 * opens, up to MAX_CONNECTIONS_PER_ORIGIN, and past that requests wait here for a stream to end. A
 * connection that fails, or that its server closes (GOAWAY, an idle timeout), takes no new streams;
 * an attempt it cut short fails as the keep-alive transport's do, for http.ts to retry. Idle
 * connections do not keep the process alive.
 */
import http2 from 'node:http2';
import { AttemptCourse, CONNECTION_CLOSED, decodeBody, headerValue, MAX_REDIRECTS, redirectTarget, requestHeaders, TimeoutError, type HttpAnswer, type SendInit, type Transport } from './http-transport.js';

/** Streams at once when a server states no limit (RFC 9113 asks servers for no less than 100). */
const UNSTATED_STREAM_LIMIT = 100;
/** Request headers HTTP/2 forbids (RFC 9113 §8.2.2) or carries as pseudo-headers. */
const NOT_SENT: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/**
 * Ends a stream early (RST_STREAM CANCEL), drained as well: a stream whose answer has all arrived
 * closes, and gives back its place, only once what it holds is read (seen: 88 discarded 404s of one
 * audit never closed, and their connection kept the process alive).
 */
function cancel(stream: http2.ClientHttp2Stream): void {
  stream.resume();
  stream.close(http2.constants.NGHTTP2_CANCEL);
}

/**
 * Connections per origin at most. A server allows so many streams per connection (Google's front
 * ends, api.osv.dev's, state 100), fewer than an audit keeps in flight: a second connection opens
 * when every one is full, as gRPC clients do, rather than holding requests back.
 */
export const MAX_CONNECTIONS_PER_ORIGIN = 4;

/** One connection to an origin and its streams in use. */
class Connection {
  active = 0;
  private gone = false;

  constructor(readonly session: http2.ClientHttp2Session) {
    session.unref();
  }

  get usable(): boolean {
    return !this.gone && !this.session.closed && !this.session.destroyed;
  }

  /** Whether it may open another stream now: its server's limit (SETTINGS_MAX_CONCURRENT_STREAMS). */
  get hasRoom(): boolean {
    const stated = this.session.remoteSettings.maxConcurrentStreams;
    return this.active < (stated === undefined ? UNSTATED_STREAM_LIMIT : stated);
  }

  take(): void {
    if (this.active++ === 0) this.session.ref();
  }

  /** Gives a stream's place back. */
  give(): void {
    if (--this.active === 0 && this.usable) this.session.unref();
  }

  /** It takes no new streams (failed, or closed by its server): new requests go elsewhere. */
  retire(): void {
    this.gone = true;
  }
}

/** The HTTP/2 connections to one origin, and the requests waiting for a stream on one of them. */
class Origin {
  private readonly connections: Connection[] = [];
  private opening: Promise<Connection | null> | null = null;
  private readonly waiting: (() => void)[] = [];
  /** Set when the origin's TLS offered no h2: its requests go over HTTP/1.1. */
  http1 = false;

  constructor(private readonly origin: string) {}

  /**
   * A connection with a stream taken for the caller (`release` it when the stream ends), opening
   * one when every connection is full and there may be more; null when the origin has no HTTP/2.
   * Waiting (for a connection to open, or for a stream to end) counts against the attempt's time
   * and ends with its cancellation, as the keep-alive transport's wait for a socket does.
   */
  async stream(deadline: number, init: SendInit): Promise<Connection | null> {
    for (;;) {
      if (this.http1) return null;
      if (init.signal?.aborted) throw init.signal.reason;
      if (Date.now() >= deadline) throw new TimeoutError(init.timeoutMs);
      const free = this.connections.find((c) => c.usable && c.hasRoom);
      if (free !== undefined) {
        free.take();
        return free;
      }
      if (this.opening === null && this.connections.length < MAX_CONNECTIONS_PER_ORIGIN) this.opening = this.open();
      await this.wait(this.opening, deadline, init);
    }
  }

  release(connection: Connection): void {
    connection.give();
    this.waiting.shift()?.();
  }

  /**
   * Until `opening` opens (or, with none, a stream ends): rejects when it cannot open, when the
   * deadline passes or when the attempt is cancelled.
   */
  private wait(opening: Promise<unknown> | null, deadline: number, init: SendInit): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        init.signal?.removeEventListener('abort', onAbort);
        const at = this.waiting.indexOf(wake);
        if (at !== -1) this.waiting.splice(at, 1);
      };
      const wake = (): void => {
        done();
        resolve();
      };
      const onAbort = (): void => {
        done();
        reject(init.signal?.reason);
      };
      const timer = setTimeout(() => {
        done();
        reject(new TimeoutError(init.timeoutMs));
      }, Math.max(0, deadline - Date.now()));
      init.signal?.addEventListener('abort', onAbort, { once: true });
      // A connection that could not open fails everyone who waited for it (http.ts retries them, with backoff).
      if (opening !== null)
        opening.then(wake, (err: unknown) => {
          done();
          reject(err);
        });
      else this.waiting.push(wake);
    });
  }

  private async open(): Promise<Connection | null> {
    try {
      const connection = await connect(this.origin, (gone) => this.drop(gone));
      if (connection === null) this.http1 = true;
      else this.connections.push(connection);
      return connection;
    } finally {
      this.opening = null;
      // Whoever waited for a place may now find one (or open the next connection, or go HTTP/1.1).
      for (const wake of this.waiting.splice(0)) wake();
    }
  }

  /** A connection that takes no more streams leaves the pool; whoever waits tries again. */
  private drop(connection: Connection): void {
    connection.retire();
    const at = this.connections.indexOf(connection);
    if (at !== -1) this.connections.splice(at, 1);
    for (const wake of this.waiting.splice(0)) wake();
  }
}

/** Origins by `scheme://host:port`, shared by every HTTP/2 transport of the process (as keep-alive agents are). */
const origins = new Map<string, Origin>();

/**
 * How long a connection may take to open, on its own clock: requests waiting for it each give up at
 * their own deadline, and a connection one of them gave up on still serves the others.
 */
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Opens a connection, resolved once its server's settings have arrived; null when the origin's TLS
 * offers no h2. `dropped` is called when an opened connection takes no more streams.
 */
function connect(origin: string, dropped: (connection: Connection) => void): Promise<Connection | null> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin);
    let connection: Connection | undefined;
    const timer = setTimeout(() => {
      session.destroy();
      reject(new TimeoutError(CONNECT_TIMEOUT_MS));
    }, CONNECT_TIMEOUT_MS);
    // TLS done without h2 (alpnProtocol false or another protocol), however the server then ends it.
    const noH2 = (): boolean => session.alpnProtocol !== undefined && session.alpnProtocol !== 'h2';
    const end = (): void => {
      clearTimeout(timer);
      if (connection !== undefined) dropped(connection);
    };
    session.once('remoteSettings', () => {
      clearTimeout(timer);
      connection = new Connection(session);
      resolve(connection);
    });
    session.on('error', (err: NodeJS.ErrnoException) => {
      end();
      // No h2 in ALPN: refused with an alert, or not negotiated at all.
      if (connection === undefined && (err.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' || noH2())) resolve(null);
      else reject(err);
    });
    // Closed by either side (GOAWAY, an idle timeout, an error): new requests go to another.
    session.on('goaway', end);
    session.on('close', () => {
      end();
      if (connection === undefined && noH2()) resolve(null);
      else reject(new Error('the connection closed before it was ready'));
    });
  });
}

/**
 * A transport that sends https:// requests over HTTP/2 where the origin speaks it, and everything
 * else (http://, origins without h2) through `fallback`.
 */
export function http2Transport(fallback: Transport): Transport {
  const send = async (url: URL, init: SendInit, redirectsLeft: number): Promise<HttpAnswer> => {
    if (url.protocol !== 'https:') return fallback(url, init);
    let origin = origins.get(url.origin);
    if (origin === undefined) origins.set(url.origin, (origin = new Origin(url.origin)));
    const deadline = Date.now() + init.timeoutMs;
    const connection = await origin.stream(deadline, init);
    if (connection === null) return fallback(url, { ...init, timeoutMs: Math.max(0, deadline - Date.now()) });
    return streamOn(origin, connection, url, init, deadline, redirectsLeft, (next, nextInit) => send(next, nextInit, redirectsLeft - 1));
  };
  return (input, init) => send(typeof input === 'string' ? new URL(input) : input, init, MAX_REDIRECTS);
}

/**
 * One request as one stream of `connection` (its place already taken from `origin`), under the
 * attempt's time and cancellation; a redirect is followed through `follow`, within the same time.
 */
function streamOn(
  origin: Origin,
  connection: Connection,
  url: URL,
  init: SendInit,
  deadline: number,
  redirectsLeft: number,
  follow: (next: URL, init: SendInit) => Promise<HttpAnswer>,
): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const { signal } = init;
    let stream: http2.ClientHttp2Stream | undefined;
    const course = new AttemptCourse(reject, init.timeoutMs, Math.max(0, deadline - Date.now()), signal, () => {
      // Not `closed`: a stream whose whole answer arrived is closed but holds its place until read.
      if (stream !== undefined && !stream.destroyed) cancel(stream);
    });
    const fail = (err: Error): void => course.fail(err);

    const headers: http2.OutgoingHttpHeaders = { ':method': init.method, ':path': `${url.pathname}${url.search}`, ':authority': url.host };
    for (const [name, value] of Object.entries(requestHeaders(init.headers, init.body))) {
      const lower = name.toLowerCase();
      if (!NOT_SENT.has(lower)) headers[lower] = value;
    }
    try {
      // Cancelled while it waited for a stream: an abort listener added now would never hear it.
      if (signal?.aborted) throw signal.reason;
      if (!connection.usable) throw new Error('the connection closed before the request was sent');
      stream = connection.session.request(headers, { endStream: init.body === undefined });
    } catch (err) {
      origin.release(connection);
      return fail(err as Error);
    }
    const opened = stream;
    opened.on('close', () => {
      origin.release(connection);
      // Reset by the server (past its stream limit, by a GOAWAY) or cut with its connection; after a
      // whole answer, the attempt has finished and this changes nothing.
      fail(new Error(CONNECTION_CLOSED));
    });
    opened.on('error', (err) => fail(new Error(CONNECTION_CLOSED, { cause: err })));
    opened.on('response', (answer) => {
      const status = Number(answer[':status'] ?? 0);
      const header = (name: string): string | null => headerValue(answer, name);
      let next: ReturnType<typeof redirectTarget>;
      try {
        next = redirectTarget(status, header('location'), url, init, redirectsLeft);
      } catch (err) {
        return fail(err as Error);
      }
      if (next !== null) {
        // Followed within the same attempt (and its time): the next hop may be another origin,
        // over HTTP/2 or not.
        course.finish();
        cancel(opened);
        follow(next.url, { ...init, method: next.method, body: next.body, timeoutMs: Math.max(0, deadline - Date.now()) }).then(resolve, reject);
        return;
      }
      course.answered();
      let read: Promise<string> | undefined;
      resolve({
        status,
        ok: status >= 200 && status < 300,
        headers: { get: header },
        text: () => (read ??= course.read(opened).then((body) => decodeBody(body, header('content-encoding') ?? undefined))),
        discard: async () => {
          // One stream ends; the connection and its other streams go on.
          if (read === undefined) course.discard(() => cancel(opened));
        },
      });
    });
    if (init.body !== undefined) opened.end(init.body);
  });
}
