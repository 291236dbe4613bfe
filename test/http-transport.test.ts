import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { redirectingHandler } from './helpers/redirects.js';
import { z } from 'zod';
import { observeRequests, requestJson, ServiceError, USER_AGENT, type RequestObservation } from '../src/http.js';
import { keepAliveTransport, TimeoutError } from '../src/http-transport.js';

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

const servers: Server[] = [];
const stopObserving: (() => void)[] = [];
afterEach(async () => {
  stopObserving.splice(0).forEach((stop) => stop());
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

/** A loopback server whose answer depends on how many requests it has seen; it counts connections too. */
async function serve(handler: Handler): Promise<{ url: string; requests: IncomingMessage[]; connections: Socket[] }> {
  const requests: IncomingMessage[] = [];
  const connections: Socket[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res, requests.length);
  });
  server.on('connection', (socket: Socket) => connections.push(socket));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, connections };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

function observed(): RequestObservation[] {
  const seen: RequestObservation[] = [];
  stopObserving.push(observeRequests((o) => seen.push(o)));
  return seen;
}

const Answer = z.object({ ok: z.boolean() });
const options = () => ({ service: 'OSV' as const, backoffMs: 5, timeoutMs: 2_000, transport: keepAliveTransport({ maxSockets: 4 }) });

describe('the keep-alive transport under requestJson', () => {
  it('sends the User-Agent and a JSON body, and reuses one socket for requests in sequence', async () => {
    const bodies: string[] = [];
    const { url, requests, connections } = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => (bodies.push(body), json(res, 200, { ok: true })));
    });
    const opts = options();
    for (let i = 0; i < 3; i++) await expect(requestJson(`${url}/v1/query`, Answer, { ...opts, method: 'POST', json: { n: i } })).resolves.toEqual({ ok: true });
    expect(requests.map((r) => [r.method, r.headers['user-agent'], r.headers['content-type']])).toEqual(
      Array.from({ length: 3 }, () => ['POST', USER_AGENT, 'application/json']),
    );
    expect(bodies.map((b) => JSON.parse(b) as unknown)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(connections).toHaveLength(1);
  });

  it('retries 5xx answers with backoff, and the observers hear about every attempt', async () => {
    const seen = observed();
    const { url, requests } = await serve((_req, res, n) => (n <= 2 ? json(res, 503, { error: 'busy' }) : json(res, 200, { ok: true })));
    await expect(requestJson(url, Answer, { ...options(), retries: 3 })).resolves.toEqual({ ok: true });
    expect(requests).toHaveLength(3);
    expect(seen.map((o) => [o.service, o.outcome])).toEqual([
      ['OSV', '5xx'],
      ['OSV', '5xx'],
      ['OSV', '2xx'],
    ]);
  });

  it('retries a connection the server resets, reporting it as a network failure', async () => {
    const seen = observed();
    const { url, requests } = await serve((req, res, n) => (n === 1 ? req.socket.destroy() : json(res, 200, { ok: true })));
    await expect(requestJson(url, Answer, { ...options(), retries: 2 })).resolves.toEqual({ ok: true });
    expect(requests).toHaveLength(2);
    expect(seen.map((o) => o.outcome)).toEqual(['network', '2xx']);
  });

  it('reports a service that keeps resetting as unreachable, without the URL credentials or query', async () => {
    const { url } = await serve((req) => req.socket.destroy());
    const withSecrets = url.replace('http://', 'http://user:hunter2@') + '/v1/vulns/X?token=abc';
    const err = await requestJson(withSecrets, Answer, { ...options(), retries: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).message).toMatch(/^OSV is unreachable \(GET 127\.0\.0\.1:\d+\/v1\/vulns\/X\): /);
    expect((err as ServiceError).message).not.toMatch(/hunter2|token=abc|user:|\n\s+at /);
  });

  it('waits as long as Retry-After says on a 429, then succeeds', async () => {
    const seen = observed();
    const { url, requests } = await serve((_req, res, n) => (n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, { ok: true })));
    const started = performance.now();
    await expect(requestJson(url, Answer, { ...options(), retries: 2 })).resolves.toEqual({ ok: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(requests).toHaveLength(2);
    expect(seen.map((o) => o.outcome)).toEqual(['429', '2xx']);
  });

  it('cuts off a service that does not answer in time, naming the time it was given', async () => {
    const seen = observed();
    const { url, requests } = await serve((_req, res) => setTimeout(() => json(res, 200, { ok: true }), 1_000));
    const err = await requestJson(`${url}/v1/querybatch`, Answer, { ...options(), timeoutMs: 100, retries: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).message).toMatch(/^OSV did not answer GET 127\.0\.0\.1:\d+\/v1\/querybatch within 100 ms$/);
    expect(requests).toHaveLength(2);
    expect(seen.map((o) => o.outcome)).toEqual(['timeout', 'timeout']);
  });

  it('tries again when the connection is lost half-way through the body, and takes the whole answer then', async () => {
    const { url, requests } = await serve((req, res, attempt) => {
      if (attempt === 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"ok": ', () => req.socket.destroy());
      } else json(res, 200, { ok: true });
    });
    await expect(requestJson(`${url}/v1/vulns/X`, Answer, options())).resolves.toEqual({ ok: true });
    expect(requests).toHaveLength(2);
  });

  it('says so when every attempt lost the body half-way', async () => {
    const { url, requests } = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok": ', () => req.socket.destroy());
    });
    await expect(requestJson(`${url}/v1/vulns/X`, Answer, { ...options(), retries: 1 })).rejects.toThrow(
      /^OSV broke off its answer to GET 127\.0\.0\.1:\d+\/v1\/vulns\/X: the connection closed before the answer was complete/,
    );
    expect(requests).toHaveLength(2);
  });

  it('cuts off an answer that stalls after its headers', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok": ');
    });
    await expect(requestJson(`${url}/v1/vulns/X`, Answer, { ...options(), timeoutMs: 150, retries: 0 })).rejects.toThrow(
      /^OSV did not finish its answer to GET 127\.0\.0\.1:\d+\/v1\/vulns\/X in time$/,
    );
  });

  it('stops when the caller cancels, without retrying', async () => {
    const { url, requests } = await serve(() => undefined);
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);
    await expect(requestJson(url, Answer, { ...options(), retries: 3, signal: cancel.signal })).rejects.toThrow(/^OSV request cancelled: GET /);
    expect(requests).toHaveLength(1);
  });

  it('asks for compressed answers and decodes a gzip body', async () => {
    const { url, requests } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ ok: true })));
    });
    await expect(requestJson(url, Answer, options())).resolves.toEqual({ ok: true });
    expect(requests[0]?.headers['accept-encoding']).toContain('gzip');
  });

  it('follows redirects as fetch does: 307 keeps the method and body, 303 turns into a GET', async () => {
    const seen: string[] = [];
    const { url } = await serve(redirectingHandler(seen));
    const opts = options();
    await expect(requestJson(`${url}/old`, Answer, { ...opts, json: { n: 1 } })).resolves.toEqual({ ok: true });
    await expect(requestJson(`${url}/see-other`, Answer, { ...opts, json: { n: 2 } })).resolves.toEqual({ ok: true });
    expect(seen).toEqual(['POST /old {"n":1}', 'POST /new {"n":1}', 'POST /see-other {"n":2}', 'GET /new ']);
  });

  it('hands a 404 back as a status, without retrying, so callers can tell "not found" from an outage', async () => {
    const { url, requests } = await serve((_req, res) => json(res, 404, { code: 5, message: 'Bug not found.' }));
    const err = await requestJson(`${url}/v1/vulns/NOPE`, Answer, { ...options(), retries: 3 }).catch((e: unknown) => e);
    expect((err as ServiceError).status).toBe(404);
    expect(requests).toHaveLength(1);
  });
});

describe("the keep-alive transport's answer, its body read after the attempt ended", () => {
  const transport = keepAliveTransport({ maxSockets: 4 });
  const get = (url: string, timeoutMs: number) => transport(url, { method: 'GET', headers: {}, timeoutMs });
  /** Headers and the start of a JSON body, then nothing more. */
  const startAnswer = (res: ServerResponse, then: () => void = () => undefined) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"ok": ', then);
  };

  it('names a connection closed mid-answer, not a timeout', async () => {
    let closed!: Promise<void>;
    const { url } = await serve((req, res) => {
      closed = new Promise((resolve) => req.socket.once('close', () => resolve()));
      startAnswer(res, () => req.socket.destroy());
    });
    const answer = await get(url, 5_000);
    await closed;
    await delay(100); // the client hears of the closed connection, and the attempt ends, before the body is read
    const err = await answer.text().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toBe('the connection closed before the answer was complete');
  });

  it('still names the timeout when the time ran out mid-answer', async () => {
    const { url } = await serve((_req, res) => startAnswer(res));
    const answer = await get(url, 100);
    await delay(300);
    const err = await answer.text().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toBe('no complete answer within 100 ms');
  });

  it('refuses a body asked for after the answer was discarded', async () => {
    const { url } = await serve((_req, res) => startAnswer(res));
    const answer = await get(url, 5_000);
    await answer.discard();
    const err = await answer.text().catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toBe('the answer was discarded before its body was read');
  });

  it('rejects, never hangs, when the whole body had arrived before the time ran out unread', async () => {
    const { url } = await serve((_req, res) => json(res, 200, { ok: true }));
    const answer = await get(url, 100);
    await delay(300); // complete on the socket, never read: the timer ends the attempt and drops it
    const err = await answer.text().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
  });

  it('rejects, never hangs, when a complete body was discarded and drained before it was asked for', async () => {
    const { url } = await serve((_req, res) => json(res, 200, { ok: true, padding: 'x'.repeat(2_000_000) }));
    const answer = await get(url, 5_000);
    await answer.discard();
    await delay(200); // drained by now
    const err = await answer.text().catch((e: unknown) => e);
    expect((err as Error).message).toBe('the answer was discarded before its body was read');
  });

  it('says a body the caller cancelled was cancelled, not late, and does not try again', async () => {
    const { url, requests } = await serve((_req, res) => startAnswer(res));
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 100);
    const err = await requestJson(url, Answer, { ...options(), retries: 3, signal: cancel.signal }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^OSV request cancelled: GET 127\.0\.0\.1:\d+\/$/);
    expect(requests).toHaveLength(1);
  });
});
