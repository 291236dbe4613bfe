/**
 * API mode: advisories straight from api.osv.dev.
 *
 * `affecting` asks `/v1/querybatch` which ids concern each package version (chunks of at most
 * 1,000 queries, sent in parallel, each query's `next_page_token` followed), then fetches each
 * distinct id once from `/v1/vulns/{id}`. Full records are cached in SQLite by (id, modified):
 * querybatch tells us each id's current `modified`, so an unchanged record costs no request.
 * Every answer is checked (zod for the envelopes, parseOsvRecord for records) and every record is
 * re-matched locally, so a confused or hostile answer cannot invent or hide a finding silently.
 */
import { z } from 'zod';
import { mapLimit, requestJson, ServiceError, type FetchLike, type RequestOptions } from '../http.js';
import { normalizeName } from '../python/names.js';
import type { Db } from '../store/db.js';
import { affectedEntries, affects } from './match.js';
import { compareOsvTimestamps, parseOsvRecord } from './osv-schema.js';
import { queryKey, type AdvisorySource, type OsvRecord, type PackageQuery } from './types.js';

/** OSV refuses larger batches (MaxQueriesPerQueryBatchRequest). */
export const MAX_QUERIES_PER_BATCH = 1000;
/** A service that never stops handing out page tokens is broken, not busy. */
const MAX_PAGES = 1000;

export interface OsvApiOptions {
  /** e.g. https://api.osv.dev (OSV_API_URL) */
  baseUrl: string;
  /** The cache lives in the osv_cache table (migrations/003_osv_cache.sql). */
  db: Db;
  /** Requests in flight at once (batches and record fetches alike). */
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  /** First retry delay; tests shorten it. */
  backoffMs?: number;
  fetch?: FetchLike;
  /** Clock for the cache's fetched_at column. */
  now?: () => Date;
}

export interface OsvApiStats {
  querybatch: number;
  vulns: number;
  query: number;
}

interface VulnRef {
  id: string;
  modified: string;
}

interface BatchQuery {
  package: { name: string; ecosystem: 'PyPI' };
  version: string;
}

const vulnRefSchema = z.looseObject({ id: z.string().min(1), modified: z.string().min(1) });
// OSV answers `{}` for a query with no vulnerabilities: both fields are optional.
const batchResultSchema = z.looseObject({ vulns: z.array(vulnRefSchema).optional(), next_page_token: z.string().optional() });
const batchResponseSchema = z.looseObject({ results: z.array(batchResultSchema) });
const queryResponseSchema = z.looseObject({ vulns: z.array(z.unknown()).optional(), next_page_token: z.string().optional() });

export class OsvApi implements AdvisorySource {
  readonly kind = 'api' as const;
  readonly stats: OsvApiStats = { querybatch: 0, vulns: 0, query: 0 };
  private readonly baseUrl: string;
  private readonly concurrency: number;
  private readonly http: Omit<RequestOptions, 'json' | 'method'>;
  private readonly now: () => Date;
  private readonly cacheGet;
  private readonly cachePut;

  constructor(options: OsvApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.http = {
      service: 'OSV',
      timeoutMs: options.timeoutMs ?? 60_000,
      retries: options.retries ?? 3,
      backoffMs: options.backoffMs ?? 500,
      fetch: options.fetch,
    };
    this.now = options.now ?? (() => new Date());
    this.cacheGet = options.db.prepare<[string], { modified: string; record: string }>('SELECT modified, record FROM osv_cache WHERE id = ?');
    this.cachePut = options.db.prepare<[string, string, string, string]>(
      `INSERT INTO osv_cache (id, modified, record, fetched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, record = excluded.record, fetched_at = excluded.fetched_at`,
    );
  }

  async affecting(queries: PackageQuery[]): Promise<Map<string, OsvRecord[]>> {
    const unique = [...new Map(queries.map((q) => [queryKey(q), q])).values()];
    const refsPerQuery = await this.listVulns(unique.map((q) => ({ package: { name: normalizeName(q.name), ecosystem: 'PyPI' }, version: q.version })));
    const records = await this.hydrate(refsPerQuery.flat());

    const result = new Map<string, OsvRecord[]>();
    unique.forEach((q, i) => {
      const ids = new Set((refsPerQuery[i] ?? []).map((r) => r.id));
      const name = normalizeName(q.name);
      // Defence in depth: OSV already matched, but we only report what our own matcher confirms.
      const hits = [...ids].map((id) => records.get(id)).filter((r): r is OsvRecord => r !== undefined && !r.withdrawn && affects(r, name, q.version));
      result.set(queryKey(q), hits);
    });
    return result;
  }

  async forPackage(name: string): Promise<OsvRecord[]> {
    const normalized = normalizeName(name);
    const url = `${this.baseUrl}/v1/query`;
    const byId = new Map<string, OsvRecord>();
    let token: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) throw new ServiceError('OSV', `OSV kept paging /v1/query for ${normalized} past ${MAX_PAGES} pages`);
      this.stats.query++;
      const body = { package: { name: normalized, ecosystem: 'PyPI' }, ...(token ? { page_token: token } : {}) };
      const answer = await requestJson(url, queryResponseSchema, { ...this.http, method: 'POST', json: body });
      // /v1/query returns whole records, so they are validated and cached rather than fetched again.
      for (const raw of answer.vulns ?? []) {
        const record = this.validate(raw, 'POST /v1/query');
        this.store(record);
        if (!record.withdrawn && affectedEntries(record, normalized).length > 0) byId.set(record.id, record);
      }
      token = answer.next_page_token || undefined;
      if (!token) break;
    }
    return [...byId.values()];
  }

  /** For each query (input order), every {id, modified} OSV lists, across all pages. */
  private async listVulns(queries: BatchQuery[]): Promise<VulnRef[][]> {
    const chunks: BatchQuery[][] = [];
    for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_BATCH) chunks.push(queries.slice(i, i + MAX_QUERIES_PER_BATCH));
    const perChunk = await mapLimit(chunks, this.concurrency, (chunk) => this.queryBatch(chunk));
    return perChunk.flat();
  }

  private async queryBatch(chunk: BatchQuery[]): Promise<VulnRef[][]> {
    const url = `${this.baseUrl}/v1/querybatch`;
    const found: VulnRef[][] = chunk.map(() => []);
    let pending: { index: number; token?: string }[] = chunk.map((_, index) => ({ index }));
    for (let page = 0; pending.length > 0; page++) {
      if (page >= MAX_PAGES) throw new ServiceError('OSV', `OSV kept paging /v1/querybatch past ${MAX_PAGES} pages`);
      this.stats.querybatch++;
      // Only the queries that still have pages are sent again, each with its own token.
      const queries = pending.map((p) => ({ ...chunk[p.index]!, ...(p.token ? { page_token: p.token } : {}) }));
      const answer = await requestJson(url, batchResponseSchema, { ...this.http, method: 'POST', json: { queries } });
      if (answer.results.length !== queries.length) {
        throw new ServiceError('OSV', `OSV answered ${answer.results.length} results to a querybatch of ${queries.length} queries`);
      }
      const next: typeof pending = [];
      answer.results.forEach((r, j) => {
        const { index } = pending[j]!;
        found[index]!.push(...(r.vulns ?? []).map((v) => ({ id: v.id, modified: v.modified })));
        if (r.next_page_token) next.push({ index, token: r.next_page_token });
      });
      pending = next;
    }
    return found;
  }

  /** Full records for these ids: from the cache when its `modified` is current, else from OSV. */
  private async hydrate(refs: VulnRef[]): Promise<Map<string, OsvRecord>> {
    const wanted = new Map<string, string>();
    for (const { id, modified } of refs) {
      const seen = wanted.get(id);
      if (seen === undefined || compareOsvTimestamps(modified, seen) > 0) wanted.set(id, modified);
    }
    const records = new Map<string, OsvRecord>();
    const missing: string[] = [];
    for (const [id, modified] of wanted) {
      const cached = this.cached(id, modified);
      if (cached) records.set(id, cached);
      else missing.push(id);
    }
    const fetched = await mapLimit(missing, this.concurrency, (id) => this.fetchRecord(id));
    for (const record of fetched) records.set(record.id, record);
    return records;
  }

  private cached(id: string, modified: string): OsvRecord | undefined {
    const row = this.cacheGet.get(id);
    if (!row || compareOsvTimestamps(row.modified, modified) < 0) return undefined;
    try {
      return JSON.parse(row.record) as OsvRecord;
    } catch {
      return undefined; // a damaged row is simply fetched again
    }
  }

  private async fetchRecord(id: string): Promise<OsvRecord> {
    this.stats.vulns++;
    const what = `GET /v1/vulns/${id}`;
    let raw: unknown;
    try {
      raw = await requestJson(`${this.baseUrl}/v1/vulns/${encodeURIComponent(id)}`, z.unknown(), { ...this.http, method: 'GET' });
    } catch (err) {
      if (err instanceof ServiceError && err.status === 404) {
        throw new ServiceError('OSV', `OSV listed ${id} but has no record for it (404 from ${what})`, { cause: err, status: 404 });
      }
      throw err;
    }
    const record = this.validate(raw, what);
    if (record.id !== id) throw new ServiceError('OSV', `OSV answered ${what} with a different record (${record.id})`);
    this.store(record);
    return record;
  }

  private validate(raw: unknown, what: string): OsvRecord {
    const parsed = parseOsvRecord(raw);
    if (!parsed.ok) throw new ServiceError('OSV', `OSV sent an invalid record in its answer to ${what}: ${parsed.reason}`);
    return parsed.record;
  }

  private store(record: OsvRecord): void {
    this.cachePut.run(record.id, record.modified, JSON.stringify(record), this.now().toISOString());
  }
}
