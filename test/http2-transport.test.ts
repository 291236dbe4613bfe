/**
 * OSV over HTTP/2, as api.osv.dev serves it: against a loopback OSV over TLS (its certificate
 * trusted through NODE_EXTRA_CA_CERTS, as test/global-scratch.ts sets it), requests travel as
 * streams of one connection, wait rather than be refused past the server's stream limit, survive
 * the server dropping the connection, stop at their time limit, and go over HTTP/1.1 to a server
 * that offers no HTTP/2. An audit's answers are the same whichever way they travel.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OsvApi } from '../src/advisories/osv-api.js';
import { auditFileSource } from '../src/audit/run.js';
import { requestText } from '../src/http.js';
import { keepAliveTransport, TimeoutError } from '../src/http-transport.js';
import { http2Transport, MAX_CONNECTIONS_PER_ORIGIN } from '../src/http2-transport.js';
import { memorySource } from '../src/python/files.js';
import { osvTestKit } from './advisories/osv-kit.js';
import type { FakeOsv, FakeOsvOptions } from './fakes/osv.js';
import { fixtureRecords } from './fixtures/osv/load.js';
import { redirectingHandler } from './helpers/redirects.js';
import { testCertificate } from './helpers/tls.js';

const records = [...fixtureRecords().values()];
const someIds = records.slice(0, 40).map((r) => r.id);
const transport = http2Transport(keepAliveTransport({ maxSockets: 8 }));

const { fakeOsv, database } = osvTestKit(() => records);

/** Plain HTTP/2 servers of a test (besides the fake OSV), closed after it with their connections. */
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** An HTTPS server speaking HTTP/2 with `handler`; its URL. */
async function serveOverHttp2(handler: (req: Http2ServerRequest, res: Http2ServerResponse) => void): Promise<string> {
  const server = createSecureServer(testCertificate(), handler);
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  closers.push(async () => {
    for (const session of sessions) session.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A fake OSV over TLS, HTTP/2 unless `http1Only`. */
function tlsOsv(options: Partial<FakeOsvOptions> & { http1Only?: boolean; maxConcurrentStreams?: number } = {}): Promise<FakeOsv> {
  const { http1Only, maxConcurrentStreams, ...rest } = options;
  return fakeOsv({ ...rest, tls: { ...testCertificate(), http1Only, maxConcurrentStreams } });
}

const get = (fake: FakeOsv, id: string, timeoutMs = 10_000) => transport(`${fake.url}/v1/vulns/${id}`, { method: 'GET', headers: { accept: 'application/json' }, timeoutMs });

describe('OSV over HTTP/2', () => {
  it('sends every request as a stream of one TLS connection and reads each answer', async () => {
    const fake = await tlsOsv({ latencyMs: 20 });
    const answers = await Promise.all(someIds.map(async (id) => JSON.parse(await (await get(fake, id)).text()) as { id: string }));
    expect(answers.map((a) => a.id)).toEqual(someIds);
    expect(new Set(fake.requests.map((r) => r.httpVersion))).toEqual(new Set(['2.0']));
    const missing = await get(fake, 'GHSA-none-none-none');
    expect(missing.status).toBe(404);
    await missing.discard();
  });

  it('past a connection’s stream limit another opens, and past the last requests wait instead of being refused', async () => {
    const fake = await tlsOsv({ latencyMs: 300, maxConcurrentStreams: 5 });
    // Each body read as it comes, as http.ts reads them: a stream holds its place until its answer is read.
    const answers = await Promise.all(someIds.map(async (id) => JSON.parse(await (await get(fake, id)).text()) as { id: string }));
    expect(answers.map((a) => a.id)).toEqual(someIds);
    expect(someIds.length).toBeGreaterThan(5 * MAX_CONNECTIONS_PER_ORIGIN);
    expect(fake.peakInFlight).toBe(5 * MAX_CONNECTIONS_PER_ORIGIN);
  });

  it('an answer dropped unread gives its stream back (hundreds of alias 404s an audit discards)', async () => {
    const fake = await tlsOsv({ maxConcurrentStreams: 1 });
    for (let round = 0; round < 4; round++) {
      // Each dropped as it comes, as http.ts drops a 404: more at once than the connections carry.
      const statuses = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const answer = await get(fake, `GHSA-none-${round}-${i}`, 3_000);
          await new Promise((resolve) => setTimeout(resolve, 30)); // its body has arrived meanwhile
          await answer.discard();
          return answer.status;
        }),
      );
      expect(statuses).toEqual([404, 404, 404, 404, 404, 404]);
    }
    expect(fake.counts.vulns).toBe(24);
  });

  it('a connection the server drops is replaced: the request it cut short is retried and answered', async () => {
    const fake = await tlsOsv({ latencyMs: 300 });
    const pending = requestText(`${fake.url}/v1/vulns/${someIds[0]}`, { service: 'OSV', transport, backoffMs: 10, retries: 2 });
    while (fake.counts.vulns === 0) await new Promise((resolve) => setTimeout(resolve, 10)); // the server has it
    fake.dropConnections();
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.text!) as { id: string }).id).toBe(someIds[0]);
    expect(fake.counts.vulns).toBe(2);
  });

  it('stops an answer that does not come within the attempt’s time', async () => {
    const fake = await tlsOsv({ latencyMs: 2_000 });
    const started = Date.now();
    await expect(get(fake, someIds[0]!, 200)).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('a request waiting for a stream gives up at its own time, and one cancelled while waiting is not sent', async () => {
    const fake = await tlsOsv({ latencyMs: 1_000, maxConcurrentStreams: 1 });
    // Every connection busy with one slow answer…
    const busy = Array.from({ length: MAX_CONNECTIONS_PER_ORIGIN }, (_, i) => get(fake, someIds[i]!).then((a) => a.text()));
    while (fake.inFlight < MAX_CONNECTIONS_PER_ORIGIN) await new Promise((resolve) => setTimeout(resolve, 10));
    // …so the next waits, and its time runs out while it waits.
    const started = Date.now();
    await expect(get(fake, someIds[10]!, 200)).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(800);
    const cancelled = new AbortController();
    const waiting = transport(`${fake.url}/v1/vulns/${someIds[11]}`, { method: 'GET', headers: {}, timeoutMs: 10_000, signal: cancelled.signal });
    cancelled.abort(new Error('the audit was cancelled'));
    await expect(waiting).rejects.toThrow('the audit was cancelled');
    await Promise.all(busy);
    expect(fake.counts.vulns).toBe(MAX_CONNECTIONS_PER_ORIGIN);
  });

  it('follows redirects as fetch does: 307 keeps the method and body, 303 turns into a GET, and 21 in a row is an error', async () => {
    const seen: string[] = [];
    const url = await serveOverHttp2(redirectingHandler(seen));
    const post = (path: string, body: string) => transport(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, timeoutMs: 5_000 });
    expect(await (await post('/old', '{"n":1}')).text()).toBe('{"ok":true}');
    expect(await (await post('/see-other', '{"n":2}')).text()).toBe('{"ok":true}');
    expect(seen).toEqual(['POST /old {"n":1}', 'POST /new {"n":1}', 'POST /see-other {"n":2}', 'GET /new ']);
    await expect(post('/loop', '')).rejects.toThrow('more than 20 redirects');
  });

  it('talks HTTP/1.1 to a server that offers no HTTP/2, from then on', async () => {
    const fake = await tlsOsv({ http1Only: true });
    for (const id of someIds.slice(0, 3)) {
      const answer = await get(fake, id);
      expect(answer.status).toBe(200);
      await answer.discard();
    }
    expect(fake.requests.map((r) => r.httpVersion)).toEqual(['1.1', '1.1', '1.1']);
  });

  it('an idle connection does not keep the process alive', async () => {
    const script = `
      import { http2Transport } from ${JSON.stringify(join(import.meta.dirname, '..', 'src', 'http2-transport.ts'))};
      import { keepAliveTransport } from ${JSON.stringify(join(import.meta.dirname, '..', 'src', 'http-transport.ts'))};
      const send = http2Transport(keepAliveTransport({ maxSockets: 1 }));
      const answer = await send(process.argv[1], { method: 'GET', headers: {}, timeoutMs: 5000 });
      console.log(answer.status, JSON.parse(await answer.text()).id);`;
    const fake = await tlsOsv();
    // Not spawnSync: the fake answers from this process, whose event loop must keep running.
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, `${fake.url}/v1/vulns/${someIds[0]}`]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const answered = await new Promise<{ status: number | null; at: number }>((resolve) => {
      let at = 0;
      child.stdout.once('data', () => (at = Date.now()));
      child.on('close', (status) => resolve({ status, at }));
    });
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe(`200 ${someIds[0]}`);
    expect(answered.status).toBe(0);
    // It ends right after its answer, not when the server would have closed the idle connection.
    expect(Date.now() - answered.at).toBeLessThan(2_000);
  });

  it('an audit through OsvApi finds the same over HTTP/2 as over plain HTTP/1.1', async () => {
    const pins = records
      .slice(0, 60)
      .flatMap((r) => (r.affected ?? []).slice(0, 1).map((a) => `${a.package?.name}==${a.versions?.[0] ?? '0.0.1'}`))
      .filter((line) => !line.includes('undefined'));
    const source = memorySource({ 'requirements.txt': `${pins.join('\n')}\n` });
    const plain = await fakeOsv({ latencyMs: 5 });
    const secure = await tlsOsv({ latencyMs: 5 });
    const audit = async (baseUrl: string) => {
      const result = await auditFileSource(source, { target: 'x', advisories: new OsvApi({ baseUrl, db: database() }), registry: null, now: new Date('2026-12-06T00:00:00Z') });
      expect(result.warnings).toEqual([]);
      return result.findings.map((f) => `${f.package} ${f.version} ${f.id} ${f.severity}`);
    };
    const overHttp1 = await audit(plain.url);
    const overHttp2 = await audit(secure.url);
    expect(overHttp1.length).toBeGreaterThan(10);
    expect(overHttp2).toEqual(overHttp1);
    expect(new Set(secure.requests.map((r) => r.httpVersion))).toEqual(new Set(['2.0']));
  });
});
