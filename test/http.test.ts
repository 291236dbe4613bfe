import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backoffDelay, mapLimit, parseRetryAfter, request, requestJson, requestJsonIfFound, ServiceError, USER_AGENT } from '../src/http.js';

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

/** A loopback server whose answer depends on how many requests it has seen so far. */
async function serve(handler: Handler): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res, requests.length);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const Answer = z.object({ ok: z.boolean() });
const fast = { service: 'OSV' as const, backoffMs: 5, timeoutMs: 2_000 };

describe('request', () => {
  it('sends a descriptive User-Agent naming depwatch and its version', async () => {
    const { url, requests } = await serve((_req, res) => json(res, 200, { ok: true }));
    await requestJson(url, Answer, fast);
    expect(requests[0]?.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^depwatch\/\d+\.\d+\.\d+/);
  });

  it('retries 5xx answers with backoff and returns the first success', async () => {
    const { url, requests } = await serve((_req, res, n) => (n <= 2 ? json(res, 503, { error: 'busy' }) : json(res, 200, { ok: true })));
    await expect(requestJson(url, Answer, { ...fast, retries: 3 })).resolves.toEqual({ ok: true });
    expect(requests).toHaveLength(3);
  });

  it('waits as long as Retry-After says on a 429, then succeeds', async () => {
    const { url, requests } = await serve((_req, res, n) => (n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, { ok: true })));
    const started = performance.now();
    await expect(requestJson(url, Answer, { ...fast, retries: 2 })).resolves.toEqual({ ok: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(requests).toHaveLength(2);
  });

  it('gives up after the last retry with a ServiceError that names the service and status', async () => {
    const { url, requests } = await serve((_req, res) => json(res, 500, {}));
    const err = await requestJson(`${url}/v1/querybatch`, Answer, { ...fast, retries: 2, json: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).service).toBe('OSV');
    expect((err as ServiceError).status).toBe(500);
    expect((err as ServiceError).message).toMatch(/^OSV answered 500 to POST 127\.0\.0\.1:\d+\/v1\/querybatch/);
    expect(requests).toHaveLength(3);
  });

  it('does not retry a 404, and reports its status so callers can tell "not found" from an outage', async () => {
    const { url, requests } = await serve((_req, res) => json(res, 404, { code: 5, message: 'Bug not found.' }));
    const err = await requestJson(`${url}/v1/vulns/NOPE`, Answer, { ...fast, retries: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).status).toBe(404);
    expect(requests).toHaveLength(1);
  });

  it('turns a slow service into a ServiceError naming it and the time it was given', async () => {
    const { url } = await serve((_req, res) => setTimeout(() => json(res, 200, { ok: true }), 1_000));
    const err = await requestJson(`${url}/v1/querybatch`, Answer, { ...fast, timeoutMs: 100, retries: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).message).toMatch(/^OSV did not answer GET 127\.0\.0\.1:\d+\/v1\/querybatch within 100 ms$/);
  });

  it('retries network errors and then reports the service as unreachable, without URL credentials', async () => {
    const { url } = await serve(() => undefined);
    const port = new URL(url).port;
    await new Promise((r) => (servers[0]!.closeAllConnections(), servers[0]!.close(r)));
    servers.length = 0;
    let attempts = 0;
    const countingFetch = (input: string | URL, init?: RequestInit) => {
      attempts++;
      return fetch(input, init);
    };
    const err = await request(`http://127.0.0.1:${port}/x?key=secret`, { ...fast, service: 'PyPI', retries: 2, fetch: countingFetch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).message).toMatch(/^PyPI is unreachable \(GET 127\.0\.0\.1:\d+\/x\)/);
    expect((err as ServiceError).message).not.toContain('secret');
    expect(attempts).toBe(3);
  });

  it('never repeats credentials written into the URL', async () => {
    const err = await request('http://user:hunter2@127.0.0.1:9/path?token=abc', { ...fast, retries: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).not.toMatch(/hunter2|token=abc|user:/);
    expect((err as Error).message).not.toContain('    at ');
  });
});

describe('requestJson', () => {
  it('rejects a body that is not JSON with an error naming the service', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"results": [');
    });
    await expect(requestJson(`${url}/v1/querybatch`, Answer, { ...fast, method: 'POST', json: {} })).rejects.toThrow(
      /^OSV returned malformed JSON to POST 127\.0\.0\.1:\d+\/v1\/querybatch$/,
    );
  });

  it('rejects JSON of the wrong shape, naming where it went wrong', async () => {
    const { url } = await serve((_req, res) => json(res, 200, { ok: 'yes' }));
    await expect(requestJson(url, Answer, { ...fast, service: 'GitHub' })).rejects.toThrow(/^GitHub returned an unexpected answer to GET .* at ok: /);
  });

  it('sends JSON bodies with a content type', async () => {
    let received = '';
    const { url, requests } = await serve((req, res) => {
      req.on('data', (c: Buffer) => (received += c.toString()));
      req.on('end', () => json(res, 200, { ok: true }));
    });
    await requestJson(url, Answer, { ...fast, json: { queries: [1, 2] } });
    expect(requests[0]?.method).toBe('POST');
    expect(requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received)).toEqual({ queries: [1, 2] });
  });
});

describe('requestJsonIfFound', () => {
  it('answers null for a 404, the value (even a JSON null) when found, and still fails on other statuses', async () => {
    const { url, requests } = await serve((req, res) => {
      if (req.url === '/v1/vulns/NOPE') return json(res, 404, { code: 5, message: 'Bug not found.' });
      if (req.url === '/v1/vulns/NULL') return json(res, 200, null);
      if (req.url === '/v1/vulns/DOWN') return json(res, 503, {});
      return json(res, 200, { ok: true });
    });
    await expect(requestJsonIfFound(`${url}/v1/vulns/NOPE`, z.unknown(), { ...fast, retries: 2 })).resolves.toBeNull();
    await expect(requestJsonIfFound(`${url}/v1/vulns/NULL`, z.unknown(), fast)).resolves.toEqual({ value: null });
    await expect(requestJsonIfFound(`${url}/v1/vulns/X`, Answer, fast)).resolves.toEqual({ value: { ok: true } });
    await expect(requestJsonIfFound(`${url}/v1/vulns/DOWN`, Answer, { ...fast, retries: 1 })).rejects.toThrow(/^OSV answered 503 to GET /);
    expect(requests.map((r) => r.url)).toEqual(['/v1/vulns/NOPE', '/v1/vulns/NULL', '/v1/vulns/X', '/v1/vulns/DOWN', '/v1/vulns/DOWN']);
  });
});

describe('parseRetryAfter and backoffDelay', () => {
  it('reads delta-seconds and HTTP dates, and ignores nonsense', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('doubles each step, stays within the upper half of it, and respects the cap', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(400);
    expect(backoffDelay(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(20, 100, 10_000, () => 1)).toBe(10_000);
  });
});

describe('mapLimit', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([50, 10, 30, 0, 20, 40, 5], 3, async (ms, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return `${i}:${ms}`;
    });
    expect(out).toEqual(['0:50', '1:10', '2:30', '3:0', '4:20', '5:40', '6:5']);
    expect(peak).toBe(3);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    const run = mapLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await new Promise((r) => setTimeout(r, 5));
      if (n === 2) throw new Error('two failed');
      return n;
    });
    await expect(run).rejects.toThrow('two failed');
    expect(started.length).toBeLessThan(6);
  });

  it('handles an empty list', async () => {
    await expect(mapLimit([], 4, async () => 1)).resolves.toEqual([]);
  });
});
