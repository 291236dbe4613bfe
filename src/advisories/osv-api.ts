/**
 * API mode: advisories straight from api.osv.dev.
 *
 * `affecting` asks `/v1/querybatch` which ids concern each package version (chunks of at most
 * 1,000 queries, sent in parallel, each query's `next_page_token` followed), then hydrates the ids
 * it does not hold yet, in one parallel wave: a package with several such ids in one `/v1/query` for
 * the package (its whole list, which an audit's fix search asks for next anyway), a lone id from
 * `/v1/vulns/{id}`. Full records are cached in SQLite by (id, modified), and in memory for the
 * life of the client: querybatch tells us each id's current `modified`, so an unchanged record
 * costs no request and no re-validation. The records an audit matched keep their description and
 * severity beside them (osv_cache.derived, as the mirror does), so the next client does not read
 * their text again. Every request goes through one concurrency cap.
 *
 * The whole lists are what a repeat audit would otherwise fetch again (`forPackage`, for the fix
 * search). So a package whose list was ever read (osv_package_lists) is asked about twice in the
 * same querybatch: at its version, and without a version, which OSV answers with the {id,
 * modified} of every advisory naming it. With those records cached, the list is current without
 * another request, and a repeat audit of unchanged pins costs exactly one request.
 * Every answer is checked (zod for the envelopes, parseOsvRecord for records) and every record is
 * re-matched locally, so a confused or hostile answer cannot invent or hide a finding silently.
 */
import { z } from 'zod';
import { createLimiter, requestJson, requestJsonIfFound, ServiceError, type FetchLike, type RequestOptions } from '../http.js';
import { keepAliveTransport } from '../http-transport.js';
import { http2Transport } from '../http2-transport.js';
import { normalizeName } from '../python/names.js';
import type { Db } from '../store/db.js';
import { groupHits } from './aliases.js';
import { unratedAliasIds } from './alias-severity.js';
import { affectedEntries, matchCandidates } from './match.js';
import { compareOsvTimestamps, parseOsvRecord } from './osv-schema.js';
import { QueryReadiness } from './query-readiness.js';
import { DEFAULT_RECORD_CACHE_SIZE, RecordCache } from './record-cache.js';
import { parseStoredRecord, primeRecordParts, storedRecordJson } from './stored-record.js';
import { queryKey, type AdvisorySource, type AffectingOptions, type OsvRecord, type PackageQuery } from './types.js';

/** OSV refuses larger batches (MaxQueriesPerQueryBatchRequest). */
export const MAX_QUERIES_PER_BATCH = 1000;
/** A service that never stops handing out page tokens is broken, not busy. */
const MAX_PAGES = 1000;
/**
 * Requests in flight at once by default. A first audit of a few hundred vulnerable packages sends
 * one /v1/query per package and one /v1/vulns per unrated alias not in hand (866 requests for the
 * bench's 300 pins): at 128 that is ~7 round trips end to end, at 256 ~4. OSV documents no rate
 * limit ("Currently there are no limits on the API"), and osv-scanner sends up to 1,000 /v1/vulns
 * lookups at once (google/osv-scanner#1290), over HTTP/2. Here too, over HTTP/2 (api.osv.dev
 * speaks it; http2-transport.ts) a request in flight is a stream of one of a few connections, so
 * 256 cost no more connections than 1. Measured against a loopback OSV over TLS answering after
 * 50 ms, the bench's first audit: 128 in flight 655 to 686 ms, 256 in flight 508 to 559 ms.
 */
export const DEFAULT_OSV_CONCURRENCY = 256;
/**
 * Where OSV is reached over HTTP/1.1 (http://, or a server without HTTP/2), each request in
 * flight is a connection of its own, kept alive and reused (http-transport.ts), each a TLS
 * handshake over https: at most this many open, the rest of the requests waiting for one.
 * SecObserve saw resets opening 100 connections at once without reuse and settled on 32
 * (SecObserve#4427): resets are retried with backoff here, and the client's `concurrency` option
 * lowers both caps where a network minds.
 */
export const MAX_OSV_HTTP1_CONNECTIONS = 128;
/**
 * A package with at least this many ids to hydrate is fetched whole with one `/v1/query`. With 1,
 * every package is: one request per package instead of one per id, and the full list an audit asks
 * for next (forPackage, for the fix search) comes with it. Raise it to trade requests for bytes.
 */
export const PACKAGE_HYDRATION_THRESHOLD = 1;
/** How long an id OSV answered 404 for (an alias looked up for its rating) is not asked for again. */
export const UNKNOWN_ID_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a package's full list (from `/v1/query`) answers `forPackage` without asking again. */
export const PACKAGE_LIST_TTL_MS = 10 * 60 * 1000;
const PACKAGE_LIST_CACHE_SIZE = 2_000;

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
  /** Clock for the cache's fetched_at column and the package lists' freshness. */
  now?: () => Date;
  /** Validated records kept in memory by (id, modified); 0 turns that cache off. */
  recordCacheSize?: number;
}

export interface OsvApiStats {
  querybatch: number;
  vulns: number;
  query: number;
}

/** A row of osv_cache as read back: `derived` is the record's description and severity (stored-record.ts), or NULL. */
interface CachedRow {
  id: string;
  modified: string;
  record: string;
  derived: string | null;
}

interface VulnRef {
  id: string;
  modified: string;
}

interface BatchQuery {
  package: { name: string; ecosystem: 'PyPI' };
  /** Without a version OSV lists every advisory naming the package. */
  version?: string;
}

/** What a 404 from `/v1/vulns/{id}` becomes when the caller treats it as an answer (byIds). */
const UNKNOWN_ID = Symbol('unknown id');

/** A record by id that arrived (with a package's list) while its lookup waited for a free slot. */
class HeldCopy {
  constructor(readonly record: OsvRecord) {}
}

const vulnRefSchema = z.looseObject({ id: z.string().min(1), modified: z.string().min(1) });
// OSV answers `{}` for a query with no vulnerabilities: both fields are optional.
const batchResultSchema = z.looseObject({ vulns: z.array(vulnRefSchema).optional(), next_page_token: z.string().optional() });
type BatchAnswer = z.infer<typeof batchAnswerSchema>;
export const batchAnswerSchema = z.looseObject({ results: z.array(batchResultSchema) });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * batchAnswerSchema as one loop. Every audit, a repeat included, waits on this answer: zod's walk
 * over its hundreds of small objects cost ~10 ms of a repeat audit's 150 ms budget (profiled).
 */
export function isBatchAnswer(value: unknown): value is BatchAnswer {
  if (!isObject(value) || !Array.isArray(value['results'])) return false;
  for (const result of value['results'] as unknown[]) {
    if (!isObject(result)) return false;
    const { vulns, next_page_token: token } = result;
    if (token !== undefined && typeof token !== 'string') return false;
    if (vulns === undefined) continue;
    if (!Array.isArray(vulns)) return false;
    for (const ref of vulns as unknown[]) if (!isObject(ref) || !isId(ref['id']) || !isId(ref['modified'])) return false;
  }
  return true;
}

/**
 * The answer checked by isBatchAnswer, and by the schema only when the loop refuses it: to name the
 * first problem, as every answer's check does (requestJson's checkShape), or to accept what the
 * schema accepts should the two ever disagree.
 */
const batchResponseSchema = z.unknown().transform((value, ctx): BatchAnswer => {
  if (isBatchAnswer(value)) return value;
  const parsed = batchAnswerSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});
const queryResponseSchema = z.looseObject({ vulns: z.array(z.unknown()).optional(), next_page_token: z.string().optional() });

export class OsvApi implements AdvisorySource {
  readonly kind = 'api' as const;
  readonly stats: OsvApiStats = { querybatch: 0, vulns: 0, query: 0 };
  private readonly baseUrl: string;
  private readonly http: Omit<RequestOptions, 'json' | 'method'>;
  private readonly now: () => Date;
  private readonly limit: <T>(task: () => Promise<T>, signal?: AbortSignal) => Promise<T>;
  private readonly memory: RecordCache;
  private readonly packageLists = new Map<string, { at: number; records: OsvRecord[] }>();
  private readonly unknownIdsSince;
  private readonly unknownIdPut;
  private readonly db: Db;
  private readonly cacheMany;
  private readonly cachePut;
  private readonly derivedPut;
  /** Records whose derived parts are in SQLite (read with them, or written): not written again. */
  private readonly derivedKept = new WeakSet<OsvRecord>();
  private readonly listedNames;
  private readonly markListed;
  /**
   * Cache writes waiting for the end of the wave that produced them (see writeBatched): one SQLite
   * transaction for a first audit's hundreds of answers instead of one write per answer.
   */
  private readonly pendingWrites = {
    records: new Map<string, OsvRecord>(),
    listed: new Set<string>(),
    unknown: new Set<string>(),
    /** The parts kept of matched records (keepDerivedParts), written after the records themselves. */
    derived: [] as { id: string; modified: string; json: string }[],
  };
  /**
   * Alias lookups started as the records they rate arrived (prefetchAliasRatings), by id, while
   * they are in flight: byIds waits for these instead of asking again.
   */
  private readonly aliasLookups = new Map<string, Promise<OsvRecord | null>>();
  /** Alias lookups decided but not started yet, with the AbortController of their audit. */
  private readonly queuedLookups = new Map<string, AbortController>();
  private lookupsScheduled = false;

  constructor(options: OsvApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Over http:// every request in flight is a connection (HTTP/1.1): no more at once than it keeps.
    const concurrency = Math.max(1, options.concurrency ?? (this.baseUrl.startsWith('https:') ? DEFAULT_OSV_CONCURRENCY : MAX_OSV_HTTP1_CONNECTIONS));
    this.limit = createLimiter(concurrency);
    this.http = {
      service: 'OSV',
      timeoutMs: options.timeoutMs ?? 60_000,
      retries: options.retries ?? 3,
      backoffMs: options.backoffMs ?? 500,
      // An injected fetch (tests) is used as given; otherwise HTTP/2 where OSV speaks it (one
      // connection, a stream per request: http2-transport.ts), else kept-alive sockets, one per
      // request in flight, which cost a third of fetch's CPU per request (see http-transport.ts).
      ...(options.fetch ? { fetch: options.fetch } : { transport: http2Transport(keepAliveTransport({ maxSockets: Math.min(concurrency, MAX_OSV_HTTP1_CONNECTIONS) })) }),
    };
    this.now = options.now ?? (() => new Date());
    this.memory = new RecordCache(options.recordCacheSize ?? DEFAULT_RECORD_CACHE_SIZE);
    this.db = options.db;
    // Ids travel as one JSON array parameter: one statement for any number of them.
    this.cacheMany = options.db.prepare<[string], CachedRow>('SELECT id, modified, record, derived FROM osv_cache WHERE id IN (SELECT value FROM json_each(?))');
    this.unknownIdsSince = options.db.prepare<[string, string], { id: string }>(
      'SELECT id FROM osv_unknown_ids WHERE checked_at > ? AND id IN (SELECT value FROM json_each(?))',
    );
    this.unknownIdPut = options.db.prepare<[string, string]>(
      'INSERT INTO osv_unknown_ids (id, checked_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at',
    );
    // A record replaced loses the parts derived from its former text (derived: NULL until kept again).
    this.cachePut = options.db.prepare<[string, string, string, string]>(
      `INSERT INTO osv_cache (id, modified, record, fetched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, record = excluded.record, fetched_at = excluded.fetched_at, derived = NULL`,
    );
    // Only onto the copy they were derived from: never a newer record stored meanwhile.
    this.derivedPut = options.db.prepare<[string, string, string]>('UPDATE osv_cache SET derived = ? WHERE id = ? AND modified = ?');
    this.listedNames = options.db.prepare<[string], { name: string }>('SELECT name FROM osv_package_lists WHERE name IN (SELECT value FROM json_each(?))');
    this.markListed = options.db.prepare<[string, string]>(
      'INSERT INTO osv_package_lists (name, listed_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET listed_at = excluded.listed_at',
    );
  }

  async affecting(queries: PackageQuery[], options: AffectingOptions = {}): Promise<Map<string, OsvRecord[]>> {
    // Defence in depth: OSV already matched, but we only report what our own matcher confirms.
    // Matched within the wave, so the parts kept of the hits ride in its one write (writeBatched).
    return this.writeBatched(async () => {
      const hits = matchCandidates(queries, await this.gather(queries, options));
      this.keepDerivedParts(hits);
      return hits;
    });
  }

  /**
   * Keeps in SQLite the description and severity of the records matched (osv_cache.derived, in the
   * mirror's format), as the mirror does at import: the audit describes and rates exactly these, so
   * the next client (a restarted bot, the next CLI run) primes them instead of reading their text and
   * scoring their vectors again. Worked out here rather than when the records are stored: the audit
   * needs these answers anyway (describeRecord and severityOf remember them for it), while deriving
   * every record a first audit stores would cost it more than it saves the next.
   */
  private keepDerivedParts(hits: Map<string, OsvRecord[]>): void {
    for (const records of hits.values()) {
      for (const record of records) {
        if (this.derivedKept.has(record)) continue;
        this.derivedKept.add(record);
        this.pendingWrites.derived.push({ id: record.id, modified: record.modified, json: storedRecordJson(record) });
      }
    }
  }

  /** A cached row decoded, with its derived parts primed when it has some; null when the row is damaged. */
  private decodeCached(row: CachedRow): OsvRecord | null {
    let record: OsvRecord;
    try {
      // Validated before it was stored: no second validation.
      record = JSON.parse(row.record) as OsvRecord;
    } catch {
      return null; // a damaged row is simply fetched again
    }
    const parts = parseStoredRecord(row.derived);
    if (parts !== null) {
      primeRecordParts(record, parts);
      this.derivedKept.add(record);
    }
    this.memory.set(row.id, row.modified, record);
    return record;
  }

  /**
   * The non-withdrawn records OSV lists for each query, hydrated (OSV's match, not yet confirmed by
   * ours). `listPackages`' whole lists ride in the same querybatch (see listsToRefresh).
   */
  candidates(queries: PackageQuery[], options: AffectingOptions = {}): Promise<Map<string, OsvRecord[]>> {
    return this.writeBatched(() => this.gather(queries, options));
  }

  /** `candidates`, leaving what it learnt for the caller's wave to write (writeBatched). */
  private async gather(queries: PackageQuery[], options: AffectingOptions): Promise<Map<string, OsvRecord[]>> {
    const unique = [...new Map(queries.map((q) => [queryKey(q), q])).values()];
    const names = unique.map((q) => normalizeName(q.name));
    const lists = this.listsToRefresh(names, options.listPackages ?? []);
    const batch: BatchQuery[] = [
      ...unique.map((q, i) => ({ package: { name: names[i]!, ecosystem: 'PyPI' as const }, version: q.version })),
      ...lists.map((name) => ({ package: { name, ecosystem: 'PyPI' as const } })),
    ];
    if (batch.length === 0) return new Map();
    const refsPerQuery = await this.listVulns(batch);
    const prefetch = options.prefetchAliasRatings ? this.aliasPrefetcher(unique, refsPerQuery) : undefined;
    let records: Map<string, OsvRecord>;
    try {
      records = await this.hydrate(refsPerQuery, [...names, ...lists], prefetch);
    } catch (err) {
      // No ratings will be asked for: the lookups not yet sent never are.
      prefetch?.stop.abort(err);
      throw err;
    }
    lists.forEach((name, j) => {
      // Every record OSV lists for the package is now held at its current `modified`: that is the
      // package's whole list, as /v1/query would have sent it.
      const listed = (refsPerQuery[unique.length + j] ?? []).map((ref) => records.get(ref.id));
      this.rememberPackage(name, listed.filter((r): r is OsvRecord => r !== undefined && !r.withdrawn && affectedEntries(r, name).length > 0));
    });

    const result = new Map<string, OsvRecord[]>();
    unique.forEach((q, i) => {
      const ids = new Set((refsPerQuery[i] ?? []).map((r) => r.id));
      result.set(queryKey(q), [...ids].map((id) => records.get(id)).filter((r): r is OsvRecord => r !== undefined && !r.withdrawn));
    });
    return result;
  }

  async forPackage(name: string): Promise<OsvRecord[]> {
    const normalized = normalizeName(name);
    const remembered = this.packageLists.get(normalized);
    if (remembered !== undefined && this.now().getTime() - remembered.at < PACKAGE_LIST_TTL_MS) return [...remembered.records];
    const { records, invalid } = await this.writeBatched(() => this.queryPackage(normalized));
    // /v1/query returns whole records, so one that does not validate is an error here, as from /v1/vulns.
    const [first] = invalid;
    if (first !== undefined) throw new ServiceError('OSV', `OSV sent an invalid record in its answer to POST /v1/query: ${first.reason}`);
    return [...records];
  }

  /**
   * Records by id for rating (see AdvisorySource.byIds): a copy held in memory or SQLite answers
   * whatever its age (a rating rarely changes, and this never decides a match); others come from
   * `/v1/vulns/{id}`. An id OSV does not know (404) is absent, and remembered as such in SQLite
   * (osv_unknown_ids) for UNKNOWN_ID_TTL_MS so that every audit does not ask again.
   */
  async byIds(ids: string[]): Promise<Map<string, OsvRecord>> {
    this.startQueuedLookups(); // so the ids queued a moment ago are met in flight, not asked twice
    const found = new Map<string, OsvRecord>();
    const unique = [...new Set(ids)];
    const known404 = this.knownUnknownIds(unique);
    const wanted = unique.filter((id) => !known404.has(id));
    const uncached: string[] = [];
    const inFlight: [string, Promise<OsvRecord | null>][] = [];
    for (const id of wanted) {
      const entry = this.memory.peek(id);
      const lookup = entry === undefined ? this.aliasLookups.get(id) : undefined;
      if (entry !== undefined) found.set(id, entry.record);
      else if (lookup !== undefined) inFlight.push([id, lookup]);
      else uncached.push(id);
    }
    for (let i = 0; i < uncached.length; i += 500) {
      for (const row of this.cacheMany.all(JSON.stringify(uncached.slice(i, i + 500)))) {
        const record = this.decodeCached(row);
        if (record !== null) found.set(row.id, record);
      }
    }
    const stop = new AbortController(); // a failed lookup, started here or before, stops the rest
    const [fetched, prefetched] = await this.writeBatched(() =>
      Promise.all([
        this.all(
          uncached.filter((id) => !found.has(id)),
          (id, stop) => this.fetchIfKnown(id, stop),
          stop,
        ),
        Promise.all(
          inFlight.map(([, lookup]) =>
            lookup.catch((err: unknown) => {
              stop.abort(err);
              throw err;
            }),
          ),
        ),
      ]),
    );
    for (const record of [...fetched, ...prefetched]) if (record !== null) found.set(record.id, record);
    return found;
  }

  /** Of these ids, those OSV answered 404 for lately (in SQLite, or learnt in this wave and not yet written). */
  private knownUnknownIds(ids: readonly string[]): Set<string> {
    const since = new Date(this.now().getTime() - UNKNOWN_ID_TTL_MS).toISOString();
    const known404 = new Set<string>(ids.filter((id) => this.pendingWrites.unknown.has(id)));
    for (let i = 0; i < ids.length; i += 500) {
      for (const row of this.unknownIdsSince.all(since, JSON.stringify(ids.slice(i, i + 500)))) known404.add(row.id);
    }
    return known404;
  }

  /**
   * What starts the alias rating lookups of queries as their records arrive (prefetchAliasRatings):
   * for the queries just completed, the same hits as `affecting` gives them (our matcher), the
   * aliases of their unrated advisories (unratedAliasIds, as the audit will ask) and, of those,
   * the ids not in hand, not listed for this audit (they come with the wave), not known to be
   * unknown and not already being looked up. Every lookup shares the client's concurrency cap; a
   * failure stops this audit's other lookups and is left for byIds to meet (fail closed there).
   */
  private aliasPrefetcher(
    queries: PackageQuery[],
    refsPerQuery: VulnRef[][],
  ): { onQueriesReady: (ready: number[], records: ReadonlyMap<string, OsvRecord>) => void; stop: AbortController } {
    const listed = new Set(refsPerQuery.flatMap((refs) => refs.map((ref) => ref.id)));
    const stop = new AbortController();
    const onQueriesReady = (ready: number[], records: ReadonlyMap<string, OsvRecord>): void => {
      if (stop.signal.aborted) return;
      const candidates = new Map<string, OsvRecord[]>();
      const readyQueries: PackageQuery[] = [];
      for (const i of ready) {
        const query = queries[i];
        if (query === undefined) continue; // a whole-list query: nothing of its own to rate
        readyQueries.push(query);
        const own = (refsPerQuery[i] ?? []).map((ref) => records.get(ref.id)).filter((r): r is OsvRecord => r !== undefined && !r.withdrawn);
        candidates.set(queryKey(query), own);
      }
      for (const id of unratedAliasIds(groupHits(matchCandidates(readyQueries, candidates)).values())) {
        if (!listed.has(id) && this.memory.peek(id) === undefined && !this.aliasLookups.has(id)) this.queuedLookups.set(id, stop);
      }
      // The answers that arrive in the same turn of the event loop share one look at osv_unknown_ids.
      if (this.queuedLookups.size > 0 && !this.lookupsScheduled) {
        this.lookupsScheduled = true;
        setImmediate(() => this.startQueuedLookups());
      }
    };
    return { onQueriesReady, stop };
  }

  /** Starts the queued alias lookups (see aliasPrefetcher), but not those of ids OSV lately said it does not know. */
  private startQueuedLookups(): void {
    this.lookupsScheduled = false;
    const queued = [...this.queuedLookups].filter(([id, stop]) => !stop.signal.aborted && this.memory.peek(id) === undefined && !this.aliasLookups.has(id));
    this.queuedLookups.clear();
    if (queued.length === 0) return;
    const known404 = this.knownUnknownIds(queued.map(([id]) => id));
    for (const [id, stop] of queued) {
      if (known404.has(id)) continue;
      const lookup = this.fetchIfKnown(id, stop, true).finally(() => this.aliasLookups.delete(id));
      lookup.catch(() => undefined); // met by byIds, or by nobody when the audit went no further
      this.aliasLookups.set(id, lookup);
    }
  }

  /**
   * `/v1/vulns/{id}`, or null (remembered) when OSV has no such record. `unlessHeld`: a copy that
   * arrived in the meantime (with a package's list) answers instead, once a slot is free.
   */
  private async fetchIfKnown(id: string, stop?: AbortController, unlessHeld = false): Promise<OsvRecord | null> {
    // A 404 is an answer here, not a failure: caught inside the request so it stops nothing else.
    const record = await this.fetchRecord(id, stop, { unlessHeld });
    if (record === null) this.pendingWrites.unknown.add(id);
    return record;
  }

  /**
   * The packages whose whole list this querybatch also asks for: those the caller will want
   * (`listPackages`) and those among the queried whose list an earlier audit read (so it is likely
   * wanted again, and its records are likely cached). Asking costs bytes in the same request, never
   * a request of its own.
   */
  private listsToRefresh(names: string[], wanted: readonly string[]): string[] {
    const lists = new Set(wanted.filter((n) => n.trim() !== '').map((n) => normalizeName(n)));
    const candidates = [...new Set(names)].filter((n) => !lists.has(n));
    for (let i = 0; i < candidates.length; i += 500) {
      for (const row of this.listedNames.all(JSON.stringify(candidates.slice(i, i + 500)))) lists.add(row.name);
    }
    return [...lists];
  }

  /** For each query (input order), every {id, modified} OSV lists, across all pages. */
  private async listVulns(queries: BatchQuery[]): Promise<VulnRef[][]> {
    const chunks: BatchQuery[][] = [];
    for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_BATCH) chunks.push(queries.slice(i, i + MAX_QUERIES_PER_BATCH));
    const perChunk = await this.all(chunks, (chunk, stop) => this.queryBatch(chunk, stop));
    return perChunk.flat();
  }

  private async queryBatch(chunk: BatchQuery[], stop?: AbortController): Promise<VulnRef[][]> {
    const url = `${this.baseUrl}/v1/querybatch`;
    const found: VulnRef[][] = chunk.map(() => []);
    let pending: { index: number; token?: string }[] = chunk.map((_, index) => ({ index }));
    for (let page = 0; pending.length > 0; page++) {
      if (page >= MAX_PAGES) throw new ServiceError('OSV', `OSV kept paging /v1/querybatch past ${MAX_PAGES} pages`);
      this.stats.querybatch++;
      // Only the queries that still have pages are sent again, each with its own token.
      const queries = pending.map((p) => ({ ...chunk[p.index]!, ...(p.token ? { page_token: p.token } : {}) }));
      const answer = await this.send(() => requestJson(url, batchResponseSchema, { ...this.http, method: 'POST', json: { queries } }), stop);
      if (answer.results.length !== queries.length) {
        throw new ServiceError('OSV', `OSV answered ${answer.results.length} results to a querybatch of ${queries.length} queries`);
      }
      const next: typeof pending = [];
      answer.results.forEach((r, j) => {
        const { index } = pending[j]!;
        for (const v of r.vulns ?? []) found[index]!.push({ id: v.id, modified: v.modified });
        if (r.next_page_token) next.push({ index, token: r.next_page_token });
      });
      pending = next;
    }
    return found;
  }

  /**
   * Full records for the ids listed per query: from memory or the SQLite cache when their
   * `modified` is current, else from OSV (whole packages where that saves requests).
   */
  private async hydrate(
    refsPerQuery: VulnRef[][],
    names: string[],
    prefetch?: { onQueriesReady: (ready: number[], records: ReadonlyMap<string, OsvRecord>) => void; stop: AbortController },
  ): Promise<Map<string, OsvRecord>> {
    const onQueriesReady = prefetch?.onQueriesReady;
    const wanted = new Map<string, string>();
    for (const refs of refsPerQuery) {
      for (const { id, modified } of refs) {
        const seen = wanted.get(id);
        if (seen === undefined || compareOsvTimestamps(modified, seen) > 0) wanted.set(id, modified);
      }
    }
    const records = this.cachedRecords(wanted);
    const readiness = onQueriesReady ? new QueryReadiness(refsPerQuery.map((refs) => refs.map((ref) => ref.id))) : undefined;
    const arrived = (ids: Iterable<string>): void => {
      const ready = readiness?.arrived(ids) ?? [];
      if (ready.length > 0) onQueriesReady?.(ready, records);
    };

    // What is left, by the package whose query listed it.
    const missingByPackage = new Map<string, Set<string>>();
    const placed = new Set<string>();
    refsPerQuery.forEach((refs, i) => {
      for (const { id } of refs) {
        if (records.has(id) || placed.has(id)) continue;
        placed.add(id);
        const name = names[i]!;
        const ids = missingByPackage.get(name) ?? new Set<string>();
        missingByPackage.set(name, ids);
        ids.add(id);
      }
    });
    const whole = [...missingByPackage].filter(([, ids]) => ids.size >= PACKAGE_HYDRATION_THRESHOLD).map(([name]) => name);
    const lone = [...missingByPackage].filter(([, ids]) => ids.size < PACKAGE_HYDRATION_THRESHOLD).flatMap(([, ids]) => [...ids]);
    // Every record in hand (a repeat audit): no wave for the rating lookups to overlap, byIds does them.
    if (missingByPackage.size === 0) return records;
    arrived(records.keys());

    const stop = new AbortController(); // one failure stops both kinds of request
    // ...and the rating lookups not yet sent, at once (before the next request takes the free slot).
    if (prefetch) stop.signal.addEventListener('abort', () => prefetch.stop.abort(stop.signal.reason), { once: true });
    // Each answer is taken in as it comes, so a query whose records are all in hand is ready at once.
    // A record asked for by id is taken as OSV sends it; a list's copy only when it is current.
    const takeIn = (fresh: OsvRecord[], byId = false): void => {
      const ids: string[] = [];
      for (const record of fresh) {
        if (byId) {
          records.set(record.id, record);
          ids.push(record.id);
          continue;
        }
        const modified = wanted.get(record.id);
        if (modified === undefined || compareOsvTimestamps(record.modified, modified) < 0) continue;
        const held = records.get(record.id);
        if (held !== undefined && compareOsvTimestamps(held.modified, record.modified) >= 0) continue;
        records.set(record.id, record);
        ids.push(record.id);
      }
      arrived(ids);
    };
    await Promise.all([
      this.all(whole, async (name, stop) => takeIn((await this.queryPackage(name, stop)).records), stop),
      this.all(lone, async (id, stop) => takeIn([await this.fetchRecord(id, stop)], true), stop),
    ]);
    // A package list that lacked an id, or held an older or invalid copy of it: ask for the id itself.
    const stragglers = [...wanted.keys()].filter((id) => !records.has(id));
    await this.all(stragglers, async (id, stop) => takeIn([await this.fetchRecord(id, stop)], true), stop);
    return records;
  }

  /** Records for these ids held in memory or in SQLite with at least the wanted `modified`. */
  private cachedRecords(wanted: Map<string, string>): Map<string, OsvRecord> {
    const records = new Map<string, OsvRecord>();
    const unknown: string[] = [];
    for (const [id, modified] of wanted) {
      const entry = this.memory.peek(id);
      if (entry !== undefined && compareOsvTimestamps(entry.modified, modified) >= 0) records.set(id, entry.record);
      else unknown.push(id);
    }
    for (let i = 0; i < unknown.length; i += 500) {
      for (const row of this.cacheMany.all(JSON.stringify(unknown.slice(i, i + 500)))) {
        const modified = wanted.get(row.id);
        if (modified === undefined || compareOsvTimestamps(row.modified, modified) < 0) continue;
        const record = this.decodeCached(row);
        if (record !== null) records.set(row.id, record);
      }
    }
    return records;
  }

  /**
   * Every record OSV lists for a package (`/v1/query`, all pages), validated and cached; the
   * non-withdrawn ones that name the package are remembered for `forPackage`. Invalid records are
   * left out and reported, not thrown: hydration can still fetch the ids it needs one by one.
   */
  private async queryPackage(name: string, stop?: AbortController): Promise<{ records: OsvRecord[]; invalid: { id: string | null; reason: string }[] }> {
    const url = `${this.baseUrl}/v1/query`;
    const byId = new Map<string, OsvRecord>();
    const invalid: { id: string | null; reason: string }[] = [];
    let token: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) throw new ServiceError('OSV', `OSV kept paging /v1/query for ${name} past ${MAX_PAGES} pages`);
      this.stats.query++;
      const body = { package: { name, ecosystem: 'PyPI' }, ...(token ? { page_token: token } : {}) };
      const answer = await this.send(() => requestJson(url, queryResponseSchema, { ...this.http, method: 'POST', json: body }), stop);
      const fresh: OsvRecord[] = [];
      for (const raw of answer.vulns ?? []) {
        const known = this.knownCopy(raw);
        if (known !== undefined) {
          if (!known.withdrawn && affectedEntries(known, name).length > 0) byId.set(known.id, known);
          continue;
        }
        const parsed = parseOsvRecord(raw);
        if (!parsed.ok) {
          invalid.push({ id: idOf(raw), reason: parsed.reason });
          continue;
        }
        fresh.push(parsed.record);
        if (!parsed.record.withdrawn && affectedEntries(parsed.record, name).length > 0) byId.set(parsed.record.id, parsed.record);
      }
      this.store(fresh);
      token = answer.next_page_token || undefined;
      if (!token) break;
    }
    const records = [...byId.values()];
    if (invalid.length === 0) {
      this.rememberPackage(name, records);
      this.pendingWrites.listed.add(name);
    }
    return { records, invalid };
  }

  /** The record we already validated for this raw answer's (id, modified), if any: no need to check it again. */
  private knownCopy(raw: unknown): OsvRecord | undefined {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const { id, modified } = raw as { id?: unknown; modified?: unknown };
    if (typeof id !== 'string' || typeof modified !== 'string') return undefined;
    const entry = this.memory.peek(id);
    return entry !== undefined && entry.modified === modified ? entry.record : undefined;
  }

  private rememberPackage(name: string, records: OsvRecord[]): void {
    this.packageLists.delete(name);
    if (this.packageLists.size >= PACKAGE_LIST_CACHE_SIZE) {
      const oldest = this.packageLists.keys().next();
      if (oldest.done !== true) this.packageLists.delete(oldest.value);
    }
    this.packageLists.set(name, { at: this.now().getTime(), records });
  }

  private fetchRecord(id: string, stop?: AbortController): Promise<OsvRecord>;
  private fetchRecord(id: string, stop: AbortController | undefined, lookup: { unlessHeld: boolean }): Promise<OsvRecord | null>;
  private async fetchRecord(id: string, stop?: AbortController, lookup?: { unlessHeld: boolean }): Promise<OsvRecord | null> {
    // A lookup (by an alias id) takes a 404 as an answer: OSV has no such record.
    const unknownIsAnswer = lookup !== undefined;
    const unlessHeld = lookup?.unlessHeld === true;
    const what = `GET /v1/vulns/${id}`;
    let raw: unknown;
    try {
      const url = `${this.baseUrl}/v1/vulns/${encodeURIComponent(id)}`;
      raw = await this.send(async () => {
        const held = unlessHeld ? this.memory.peek(id) : undefined;
        if (held !== undefined) return new HeldCopy(held.record);
        this.stats.vulns++;
        if (!unknownIsAnswer) return requestJson(url, z.unknown(), { ...this.http, method: 'GET' });
        const found = await requestJsonIfFound(url, z.unknown(), { ...this.http, method: 'GET' });
        return found === null ? UNKNOWN_ID : found.value;
      }, stop);
    } catch (err) {
      if (err instanceof ServiceError && err.status === 404) {
        throw new ServiceError('OSV', `OSV listed ${id} but has no record for it (404 from ${what})`, { cause: err, status: 404 });
      }
      throw err;
    }
    if (raw === UNKNOWN_ID) return null;
    if (raw instanceof HeldCopy) return raw.record;
    const parsed = parseOsvRecord(raw);
    if (!parsed.ok) throw new ServiceError('OSV', `OSV sent an invalid record in its answer to ${what}: ${parsed.reason}`);
    const record = parsed.record;
    if (record.id !== id) throw new ServiceError('OSV', `OSV answered ${what} with a different record (${record.id})`);
    this.store([record]);
    return record;
  }

  /** Caches validated records: in memory now, in SQLite with the rest of the wave (writeBatched). */
  private store(records: OsvRecord[]): void {
    for (const record of records) {
      this.memory.set(record.id, record.modified, record);
      this.pendingWrites.records.set(record.id, record);
    }
  }

  /**
   * Runs a wave of requests, then writes what it learnt (records, whole package lists read, ids
   * OSV does not know) to SQLite in one transaction, also when the wave failed: what was fetched
   * before the failure is kept. Meanwhile the memory cache already answers for the records.
   */
  private async writeBatched<T>(wave: () => Promise<T>): Promise<T> {
    try {
      return await wave();
    } finally {
      this.flushWrites();
    }
  }

  private flushWrites(): void {
    const { records, listed, unknown, derived } = this.pendingWrites;
    if (records.size === 0 && listed.size === 0 && unknown.size === 0 && derived.length === 0) return;
    const at = this.now().toISOString();
    this.db.transaction(() => {
      for (const record of records.values()) this.cachePut.run(record.id, record.modified, JSON.stringify(record), at);
      for (const name of listed) this.markListed.run(name, at);
      for (const id of unknown) this.unknownIdPut.run(id, at);
      for (const parts of derived) this.derivedPut.run(parts.json, parts.id, parts.modified);
    })();
    records.clear();
    listed.clear();
    unknown.clear();
    derived.length = 0;
  }

  /**
   * One request under the client's concurrency cap. A failure trips `stop` before the slot is
   * released, so the requests of the same batch still waiting for a slot never start.
   */
  private send<T>(request: () => Promise<T>, stop?: AbortController): Promise<T> {
    return this.limit(async () => {
      try {
        return await request();
      } catch (err) {
        stop?.abort(err);
        throw err;
      }
    }, stop?.signal);
  }

  /**
   * `fn` over every item, results in input order. After the first failure no further request of
   * the batch starts, and the promise rejects with that failure.
   */
  private async all<T, R>(items: readonly T[], fn: (item: T, stop: AbortController) => Promise<R>, stop = new AbortController()): Promise<R[]> {
    return Promise.all(
      items.map(async (item) => {
        try {
          return await fn(item, stop);
        } catch (err) {
          stop.abort(err);
          throw err;
        }
      }),
    );
  }
}

function idOf(raw: unknown): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : null;
}
