/**
 * A loopback OSV: the query API (`/v1/query`, `/v1/querybatch`, `/v1/vulns/{id}`) and the PyPI
 * bulk downloads (`/PyPI/all.zip`, `/PyPI/modified_id.csv`, `/PyPI/<id>.json`), answering the way
 * api.osv.dev and the osv-vulnerabilities bucket do, built from a list of real OSV records.
 *
 * Like the real service: POST queries leave withdrawn records out, querybatch answers only
 * `{id, modified}`, empty results are `{}`, paging goes through `next_page_token`, more than
 * 1,000 queries in a batch is a 400, and an unknown id is a 404. Tests script faults (status
 * codes, 429 with Retry-After, a malformed body), latency and new advisories, and read the
 * request counters and log afterwards.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { affects } from '../../src/advisories/match.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { normalizeName } from '../../src/python/names.js';
import { isValidVersion } from '../../src/python/pep440.js';
import { createZip } from './zip.js';

export interface FakeOsvOptions {
  records: readonly OsvRecord[];
  /** Most vulns per query per answer before `next_page_token` (OSV: 1,000). */
  pageSize?: number;
  /** Most queries per querybatch (OSV: 1,000). */
  maxBatch?: number;
  /** Delay before every answer. */
  latencyMs?: number;
  /**
   * Served over TLS with this certificate (test/helpers/tls.ts), as api.osv.dev is: HTTP/2 where
   * the client offers it, else HTTP/1.1; `http1Only` offers no h2 (a server without HTTP/2).
   */
  tls?: { key: Buffer; cert: Buffer; http1Only?: boolean; maxConcurrentStreams?: number };
  /**
   * A query at a version that is not PEP 440 answers nothing, as OSV may (it cannot place such a
   * version in its ranges); by default the fake matches it as Depwatch does (exact listed spellings).
   */
  nothingForVersionsOutsidePep440?: boolean;
}

export type FakeOsvEndpoint = 'query' | 'querybatch' | 'vulns' | 'allZip' | 'modifiedCsv' | 'recordJson' | 'other';

export interface FakeOsvRequest {
  /** `2.0` for HTTP/2, `1.1` for HTTP/1.1. */
  httpVersion: string;
  method: string;
  path: string;
  endpoint: FakeOsvEndpoint;
  status: number;
  /** Number of queries in a querybatch, of which how many carried a page_token. */
  queries?: number;
  pageTokens?: number;
}

export interface FakeOsv {
  url: string;
  latencyMs: number;
  pageSize: number;
  readonly counts: Record<FakeOsvEndpoint, number>;
  readonly requests: FakeOsvRequest[];
  /** Requests being answered right now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly peakInFlight: number;
  /** The next `n` requests (any endpoint) answer `status` with an OSV-style error body. */
  failNext(n: number, status?: number): void;
  /** Drops the faults still scripted (an outage that ends now, however many requests it took). */
  clearFaults(): void;
  /** The next `times` requests answer 429 with `Retry-After: retryAfterSeconds`. */
  respondWith429(retryAfterSeconds: number, times?: number): void;
  /** The next `n` requests answer 200 with a body that is not JSON. */
  malformedNext(n?: number): void;
  /** A new (or re-modified) advisory appears everywhere: API answers and bulk files. */
  addRecord(record: OsvRecord): void;
  resetCounts(): void;
  /** Cuts every HTTP/2 connection now (no GOAWAY first), requests in flight included. */
  dropConnections(): void;
  close(): Promise<void>;
}

type Fault = { kind: 'status'; status: number } | { kind: '429'; retryAfter: number } | { kind: 'malformed' };

const ENDPOINTS: FakeOsvEndpoint[] = ['query', 'querybatch', 'vulns', 'allZip', 'modifiedCsv', 'recordJson', 'other'];

const encodeToken = (offset: number): string => Buffer.from(`offset:${offset}`).toString('base64url');
function decodeToken(token: unknown): number | undefined {
  if (token === undefined) return 0;
  if (typeof token !== 'string') return undefined;
  const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return m ? Number(m[1]) : undefined;
}


class BadRequest extends Error {}

export async function startFakeOsv(options: FakeOsvOptions): Promise<FakeOsv> {
  const records = new Map<string, OsvRecord>(options.records.map((r) => [r.id, r]));
  const faults: Fault[] = [];
  let zipCache: Buffer | undefined;
  const maxBatch = options.maxBatch ?? 1000;

  const fake: FakeOsv = {
    url: '',
    latencyMs: options.latencyMs ?? 0,
    pageSize: options.pageSize ?? 1000,
    counts: Object.fromEntries(ENDPOINTS.map((e) => [e, 0])) as Record<FakeOsvEndpoint, number>,
    requests: [],
    inFlight: 0,
    peakInFlight: 0,
    failNext(n, status = 500) {
      for (let i = 0; i < n; i++) faults.push({ kind: 'status', status });
    },
    clearFaults() {
      faults.length = 0;
    },
    respondWith429(retryAfter, times = 1) {
      for (let i = 0; i < times; i++) faults.push({ kind: '429', retryAfter });
    },
    malformedNext(n = 1) {
      for (let i = 0; i < n; i++) faults.push({ kind: 'malformed' });
    },
    addRecord(record) {
      records.set(record.id, record);
      zipCache = undefined;
      byPackage = undefined;
    },
    resetCounts() {
      for (const e of ENDPOINTS) fake.counts[e] = 0;
      fake.requests.length = 0;
      state.peakInFlight = state.inFlight;
    },
    dropConnections: () => undefined,
    close: () => Promise.resolve(),
  };

  /** Records by the PEP 503 names they affect, rebuilt when a record is added. */
  let byPackage: Map<string, OsvRecord[]> | undefined;
  function recordsNaming(name: string): OsvRecord[] {
    if (byPackage === undefined) {
      byPackage = new Map();
      for (const r of records.values()) {
        for (const a of r.affected ?? []) {
          if (a.package?.ecosystem !== 'PyPI') continue;
          const n = normalizeName(a.package.name);
          const list = byPackage.get(n) ?? [];
          if (!list.includes(r)) list.push(r);
          byPackage.set(n, list);
        }
      }
      for (const list of byPackage.values()) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }
    return byPackage.get(name) ?? [];
  }

  /** Non-withdrawn records for a query, in a stable order so page tokens are meaningful. */
  function matching(name: string, version: string | undefined): OsvRecord[] {
    const n = normalizeName(name);
    if (version !== undefined && options.nothingForVersionsOutsidePep440 && !isValidVersion(version)) return [];
    return recordsNaming(n).filter((r) => !r.withdrawn && (version === undefined || affects(r, n, version)));
  }

  /** One query of /v1/query or /v1/querybatch → the page it asks for. */
  function page(query: unknown): { vulns: OsvRecord[]; next?: string } {
    if (typeof query !== 'object' || query === null) throw new BadRequest('Invalid query.');
    const q = query as { package?: { name?: unknown; ecosystem?: unknown }; version?: unknown; page_token?: unknown };
    if (typeof q.package?.name !== 'string' || !q.package.name) throw new BadRequest('Invalid query: package name is required.');
    if (q.package.ecosystem !== 'PyPI') return { vulns: [] };
    if (q.version !== undefined && typeof q.version !== 'string') throw new BadRequest('Invalid version.');
    const offset = decodeToken(q.page_token);
    if (offset === undefined) throw new BadRequest('Invalid page token.');
    const all = matching(q.package.name, q.version);
    const vulns = all.slice(offset, offset + fake.pageSize);
    return offset + fake.pageSize < all.length ? { vulns, next: encodeToken(offset + fake.pageSize) } : { vulns };
  }

  function modifiedCsv(): string {
    const byNewest = [...records.values()].sort((a, b) => Date.parse(b.modified) - Date.parse(a.modified) || (a.id < b.id ? -1 : 1));
    return byNewest.map((r) => `${r.modified},${r.id}\n`).join('');
  }

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      throw new BadRequest('Invalid JSON body.');
    }
  }

  function send(res: ServerResponse, log: FakeOsvRequest, status: number, body: string | Buffer, type = 'application/json', headers: Record<string, string> = {}): void {
    log.status = status;
    res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  }
  const sendJson = (res: ServerResponse, log: FakeOsvRequest, status: number, value: unknown) => send(res, log, status, JSON.stringify(value));
  // OSV answers errors in gRPC-gateway form: {code, message}.
  const sendError = (res: ServerResponse, log: FakeOsvRequest, status: number, message: string) =>
    sendJson(res, log, status, { code: status === 404 ? 5 : status === 400 ? 3 : 13, message });

  function endpointOf(method: string, path: string): FakeOsvEndpoint {
    if (method === 'POST' && path === '/v1/query') return 'query';
    if (method === 'POST' && path === '/v1/querybatch') return 'querybatch';
    if (method === 'GET' && path.startsWith('/v1/vulns/')) return 'vulns';
    if (method === 'GET' && path === '/PyPI/all.zip') return 'allZip';
    if (method === 'GET' && path === '/PyPI/modified_id.csv') return 'modifiedCsv';
    if (method === 'GET' && /^\/PyPI\/[^/]+\.json$/.test(path)) return 'recordJson';
    return 'other';
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const endpoint = endpointOf(method, path);
    const log: FakeOsvRequest = { httpVersion: req.httpVersion, method, path, endpoint, status: 0 };
    fake.counts[endpoint]++;
    fake.requests.push(log);
    if (fake.latencyMs > 0) await new Promise((r) => setTimeout(r, fake.latencyMs));
    if (res.destroyed) return; // the client gave up (timeout) while we were "busy"

    const fault = faults.shift();
    if (fault?.kind === 'status') return sendError(res, log, fault.status, 'Scripted failure.');
    if (fault?.kind === '429') {
      const body = JSON.stringify({ code: 8, message: 'Too many requests.' });
      return send(res, log, 429, body, 'application/json', { 'retry-after': String(fault.retryAfter) });
    }
    if (fault?.kind === 'malformed') return send(res, log, 200, '{"results": [ {"vulns": [', 'application/json');

    try {
      switch (endpoint) {
        case 'querybatch': {
          const body = (await readBody(req)) as { queries?: unknown };
          if (!Array.isArray(body?.queries)) throw new BadRequest('Invalid query.');
          log.queries = body.queries.length;
          log.pageTokens = body.queries.filter((q: { page_token?: unknown }) => q?.page_token !== undefined).length;
          if (body.queries.length > maxBatch) throw new BadRequest('Too many queries.');
          const results = body.queries.map((q: unknown) => {
            const { vulns, next } = page(q);
            const out: { vulns?: { id: string; modified: string }[]; next_page_token?: string } = {};
            if (vulns.length) out.vulns = vulns.map((v) => ({ id: v.id, modified: v.modified }));
            if (next) out.next_page_token = next;
            return out;
          });
          return sendJson(res, log, 200, { results });
        }
        case 'query': {
          const { vulns, next } = page(await readBody(req));
          const out: { vulns?: OsvRecord[]; next_page_token?: string } = {};
          if (vulns.length) out.vulns = vulns;
          if (next) out.next_page_token = next;
          return sendJson(res, log, 200, out);
        }
        case 'vulns': {
          const record = records.get(decodeURIComponent(path.slice('/v1/vulns/'.length)));
          return record ? sendJson(res, log, 200, record) : sendError(res, log, 404, 'Bug not found.');
        }
        case 'allZip': {
          zipCache ??= createZip([...records.values()].map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })));
          return send(res, log, 200, zipCache, 'application/zip');
        }
        case 'modifiedCsv':
          return send(res, log, 200, modifiedCsv(), 'text/csv');
        case 'recordJson': {
          const record = records.get(decodeURIComponent(path.slice('/PyPI/'.length, -'.json'.length)));
          return record ? sendJson(res, log, 200, record) : send(res, log, 404, 'NoSuchKey', 'application/xml');
        }
        default:
          return sendError(res, log, 404, 'Not Found');
      }
    } catch (err) {
      if (err instanceof BadRequest) return sendError(res, log, 400, err.message);
      return sendError(res, log, 500, 'Internal error.');
    }
  }

  const state = fake as { inFlight: number; peakInFlight: number };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    state.inFlight++;
    state.peakInFlight = Math.max(state.peakInFlight, state.inFlight);
    res.once('close', () => state.inFlight--);
    handle(req, res).catch(() => res.destroy());
  };
  // HTTP/2's compatibility request and response stand in for HTTP/1.1's in everything handle() uses.
  const server: Server | Http2SecureServer =
    options.tls === undefined
      ? createServer(onRequest)
      : options.tls.http1Only
        ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
        : createSecureServer(
            { key: options.tls.key, cert: options.tls.cert, allowHTTP1: true, ...(options.tls.maxConcurrentStreams ? { settings: { maxConcurrentStreams: options.tls.maxConcurrentStreams } } : {}) },
            onRequest as unknown as (req: Http2ServerRequest, res: Http2ServerResponse) => void);
  const sessions = new Set<Http2Session>();
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  fake.dropConnections = () => {
    for (const session of sessions) session.destroy();
  };
  const { port } = server.address() as AddressInfo;
  fake.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      fake.dropConnections();
      server.close(() => resolve());
    });
  return fake;
}
