/**
 * PyPI client: release history (versions, upload times, yanked state, requires-python) from the
 * JSON API, and the PEP 792 project status from the Simple API, both cached in SQLite.
 *
 * Caching: an answer younger than the freshness window is served without a request; an older one is
 * revalidated with If-None-Match / If-Modified-Since, so an unchanged project costs one 304. Only a
 * compact form is stored (PyPI documents for large projects run to megabytes). When PyPI fails and a
 * cached answer is not too old, that answer is served rather than failing a whole audit.
 *
 * `baseUrl` may be a mirror (devpi, Artifactory, Nexus) that serves the same two APIs.
 */
import { z } from 'zod';
import { checkShape, describeRequest, mapLimit, parseJson, requestText, ServiceError, type FetchLike } from '../http.js';
import type { NamedFailure } from '../failure-list.js';
import type { Db } from '../store/db.js';
import { isValidName, normalizeName } from './names.js';
import { compareVersions, isValidVersion } from './pep440.js';
import type { ProjectInfo, ProjectStatus, ReleaseInfo, StatusInfo } from './releases.js';

export { classifyBump, daysBetween, latestStable, releasesBetween, type ProjectInfo, type ProjectStatus, type ReleaseInfo, type StatusInfo } from './releases.js';

export interface PyPIStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Revalidations PyPI answered with 304. */
  notModified: number;
  /** Answers served from the cache without any request. */
  cacheHits: number;
  notFound: number;
  /** Cached answers served because PyPI failed. */
  staleServed: number;
  errors: number;
}

export interface PyPIClientOptions {
  /** PYPI_URL, e.g. https://pypi.org or a mirror's base. */
  baseUrl: string;
  db: Db;
  /** Most requests in flight for `projectsSettled()`. */
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  /** First retry delay (doubles with jitter); tests make it small. */
  backoffMs?: number;
  /** How long a cached answer is used without asking PyPI (default 1 h). */
  freshnessMs?: number;
  /** How old a cached answer may be and still stand in when PyPI fails (default 24 h; 0 disables). */
  staleIfErrorMs?: number;
  fetch?: FetchLike;
  now?: () => Date | number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const STATUSES: readonly ProjectStatus[] = ['active', 'archived', 'quarantined', 'deprecated'];
/** Projects failing in a row, no answer between them, after which projectsSettled takes PyPI for down. */
export const GIVE_UP_AFTER = 16;

// ---------------------------------------------------------------------------------------------
// Response shapes: only what Depwatch reads is checked; everything else PyPI sends is ignored.

const FileSchema = z.object({
  upload_time_iso_8601: z.string().nullish(),
  upload_time: z.string().nullish(),
  yanked: z.boolean().nullish(),
  yanked_reason: z.string().nullish(),
  requires_python: z.string().nullish(),
});
type PypiFile = z.infer<typeof FileSchema>;

const JsonApiSchema = z.object({
  info: z.object({
    name: z.string().min(1),
    version: z.string().min(1),
    summary: z.string().nullish(),
    requires_python: z.string().nullish(),
    project_urls: z.record(z.string(), z.string().nullable()).nullish(),
  }),
  // `releases` is deprecated in the JSON API; without it only the latest release (`urls`) is known.
  releases: z.record(z.string(), z.array(FileSchema)).optional(),
  urls: z.array(FileSchema).optional(),
});
type JsonApiDocument = z.infer<typeof JsonApiSchema>;

const SimpleApiSchema = z.object({
  meta: z.object({ 'api-version': z.string() }),
  name: z.string(),
  'project-status': z.object({ status: z.string(), reason: z.string().nullish() }).optional(),
});

// ---------------------------------------------------------------------------------------------
// Compact forms (what the cache stores)

function uploadTimeOf(file: PypiFile): string | null {
  if (file.upload_time_iso_8601) return file.upload_time_iso_8601;
  // The legacy field has no zone; PyPI's times are UTC.
  if (file.upload_time) return /[zZ]|[+-]\d\d:?\d\d$/.test(file.upload_time) ? file.upload_time : `${file.upload_time}Z`;
  return null;
}

function releaseFrom(version: string, files: PypiFile[]): ReleaseInfo {
  let earliest: string | null = null;
  let earliestMs = Infinity;
  for (const file of files) {
    const at = uploadTimeOf(file);
    const ms = at === null ? NaN : Date.parse(at);
    if (at !== null && !Number.isNaN(ms) && ms < earliestMs) {
      earliest = new Date(ms).toISOString();
      earliestMs = ms;
    }
  }
  const yanked = files.every((f) => f.yanked === true);
  return {
    version,
    uploadTime: earliest,
    yanked,
    yankedReason: yanked ? (files.map((f) => f.yanked_reason?.trim()).find((r) => r) ?? null) : null,
    requiresPython: files.map((f) => f.requires_python?.trim()).find((r) => r) ?? null,
  };
}

function compareReleases(a: ReleaseInfo, b: ReleaseInfo): number {
  const av = isValidVersion(a.version);
  const bv = isValidVersion(b.version);
  if (av && bv) return compareVersions(a.version, b.version);
  return av === bv ? 0 : av ? 1 : -1;
}

/**
 * The JSON API document reduced to what audits read. Pure; exported for tests and fixtures.
 * A version whose file list is empty has nothing pip could install (files deleted, or never
 * uploaded): it is left out, as the Simple API's history leaves it out (src/packages/health/
 * releases.ts), so it is never the latest release, an upgrade or a fix, and never called yanked.
 */
export function compactProject(doc: JsonApiDocument): ProjectInfo {
  const releaseFiles = doc.releases ?? { [doc.info.version]: doc.urls ?? [] };
  const releases = Object.entries(releaseFiles)
    .filter(([, files]) => files.length > 0)
    .map(([version, files]) => releaseFrom(version, files))
    .sort(compareReleases);
  const projectUrls: Record<string, string> = {};
  for (const [label, url] of Object.entries(doc.info.project_urls ?? {})) if (url) projectUrls[label] = url;
  return {
    name: doc.info.name,
    latestVersion: doc.info.version,
    releases,
    requiresPython: doc.info.requires_python?.trim() || null,
    projectUrls,
    summary: doc.info.summary?.trim() || null,
    status: null,
    statusReason: null,
  };
}

function compactStatus(doc: z.infer<typeof SimpleApiSchema>): StatusInfo {
  const declared = doc['project-status'];
  // PEP 792: a project without an explicit status is active.
  if (!declared) return { status: 'active', reason: null };
  const status = STATUSES.find((s) => s === declared.status) ?? null;
  return { status, reason: declared.reason?.trim() || null };
}

// ---------------------------------------------------------------------------------------------
// The client

type Kind = 'project' | 'status';

interface CacheRow {
  found: number;
  body: string | null;
  etag: string | null;
  last_modified: string | null;
  checked_at: number;
}

export class PyPIClient {
  readonly stats: PyPIStats = { requests: 0, notModified: 0, cacheHits: 0, notFound: 0, staleServed: 0, errors: 0 };
  private readonly baseUrl: string;
  private readonly db: Db;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly freshnessMs: number;
  private readonly staleIfErrorMs: number;
  private readonly fetchImpl: FetchLike;
  private readonly clock: () => Date | number;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly selectRow;
  private readonly upsertRow;
  private readonly touchRow;

  constructor(options: PyPIClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.db = options.db;
    this.concurrency = options.concurrency ?? 16;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 500;
    this.freshnessMs = options.freshnessMs ?? HOUR_MS;
    this.staleIfErrorMs = options.staleIfErrorMs ?? DAY_MS;
    const underlying = options.fetch ?? (globalThis.fetch as FetchLike);
    // Counted here rather than per call so retries inside http.ts show up in the figures.
    this.fetchImpl = (input, init) => {
      this.stats.requests++;
      return underlying(input, init);
    };
    this.clock = options.now ?? Date.now;
    this.selectRow = this.db.prepare<[string, Kind, string], CacheRow>(
      'SELECT found, body, etag, last_modified, checked_at FROM pypi_cache WHERE base_url = ? AND kind = ? AND name = ?',
    );
    this.upsertRow = this.db.prepare<[string, Kind, string, number, string | null, string | null, string | null, number]>(
      `INSERT INTO pypi_cache (base_url, kind, name, found, body, etag, last_modified, checked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (base_url, kind, name) DO UPDATE SET
         found = excluded.found, body = excluded.body, etag = excluded.etag,
         last_modified = excluded.last_modified, checked_at = excluded.checked_at`,
    );
    this.touchRow = this.db.prepare<[number, string | null, string | null, string, Kind, string]>(
      `UPDATE pypi_cache SET checked_at = ?, etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified)
       WHERE base_url = ? AND kind = ? AND name = ?`,
    );
  }

  /**
   * A project's release history, or null when the index does not have it (or the name cannot be a
   * PyPI name). With `{ status: true }` the Simple API is asked for the PEP 792 status as well;
   * otherwise a status already in the cache is included and none is fetched. A failure to read the
   * status leaves it null (counted in `stats.errors`); use `projectStatus` to see the error.
   */
  async project(name: string, options: { status?: boolean } = {}): Promise<ProjectInfo | null> {
    const key = this.keyOf(name);
    if (key === null) return null;
    // The cached status is read before any request starts: a store that throws (closed while an audit
    // was still asking, at shutdown) throws here, not after a request is in flight that nobody awaits
    // any more (its failure was an unhandled rejection).
    const known = options.status ? null : this.peekStatus(key);
    const [info, status] = await Promise.all([
      this.cached(key, 'project', `${this.baseUrl}/pypi/${key}/json`, 'application/json', (raw, what) =>
        compactProject(checkShape(JsonApiSchema, raw, 'PyPI', what)),
      ),
      // A mirror without the Simple API's JSON form must not cost the release history: status stays unknown.
      options.status ? this.projectStatus(key).catch(() => null) : known,
    ]);
    if (info === null) return null;
    return { ...info, status: status?.status ?? null, statusReason: status?.reason ?? null };
  }

  /** PEP 792 status from the Simple API (`active` when the index declares none); null if unknown project. */
  async projectStatus(name: string): Promise<StatusInfo | null> {
    const key = this.keyOf(name);
    if (key === null) return null;
    return this.cached(key, 'status', `${this.baseUrl}/simple/${key}/`, SIMPLE_JSON, (raw, what) =>
      compactStatus(checkShape(SimpleApiSchema, raw, 'PyPI', what)),
    );
  }

  /**
   * Several projects with bounded concurrency, each asked once (keyed by normalised name), and one
   * PyPI could not answer for hides none of the others (`depwatch check a b c`: a yanked `a` is still
   * said while `b` failed; an audit keeps the outdated and yanked releases of every project read):
   * `found` holds each project read (null: not on the index), `failed` each that was not, and with
   * `{ status: true }`, `statusFailed` each whose PEP 792 status could not be read (its info kept,
   * with status null): a quarantine not read is not "active". Callers name the failures with
   * failureList, whose words do not depend on which failed first.
   */
  async projectsSettled(
    names: readonly string[],
    options: { status?: boolean } = {},
  ): Promise<{ found: Map<string, ProjectInfo | null>; failed: NamedFailure[]; statusFailed: NamedFailure[] }> {
    const unique = [...new Set(names.map((n) => normalizeName(n)))];
    const statusFailed: NamedFailure[] = [];
    const one = async (name: string): Promise<ProjectInfo | null> => {
      const [info, status] = await Promise.all([
        this.project(name),
        options.status ? this.projectStatus(name).then((value) => ({ value }), (error: unknown) => ({ error })) : Promise.resolve(null),
      ]);
      if (info === null || status === null) return info;
      if ('error' in status) {
        statusFailed.push({ name, error: status.error });
        return { ...info, status: null, statusReason: null };
      }
      return { ...info, status: status.value?.status ?? null, statusReason: status.value?.reason ?? null };
    };
    // Every project is asked even after one failed: `one` is never let fail here, which would stop
    // mapLimit from starting the rest. But PyPI down is not one project failing: once as many fail
    // in a row as GIVE_UP_AFTER, with no answer between them, the rest are not asked (each would
    // wait out its retries and time-outs: minutes for an audit of hundreds), and fail saying so.
    const found = new Map<string, ProjectInfo | null>();
    const failed: NamedFailure[] = [];
    let failedInARow = 0;
    await mapLimit(unique, this.concurrency, async (name) => {
      if (failedInARow >= GIVE_UP_AFTER) {
        failed.push({ name, error: new ServiceError('PyPI', `not asked: the ${GIVE_UP_AFTER} projects asked before failed in a row`) });
        return;
      }
      try {
        found.set(name, await one(name));
        failedInARow = 0;
      } catch (error) {
        failedInARow++;
        failed.push({ name, error });
      }
    });
    return { found, failed, statusFailed };
  }

  private keyOf(name: string): string | null {
    const trimmed = name.trim();
    return isValidName(trimmed) ? normalizeName(trimmed) : null;
  }

  private nowMs(): number {
    const now = this.clock();
    return typeof now === 'number' ? now : now.getTime();
  }

  private peekStatus(key: string): StatusInfo | null {
    const row = this.selectRow.get(this.baseUrl, 'status', key);
    return row?.found && row.body ? (JSON.parse(row.body) as StatusInfo) : null;
  }

  /** Concurrent asks for the same answer share one request. */
  private cached<T>(key: string, kind: Kind, url: string, accept: string, decode: (raw: unknown, what: string) => T): Promise<T | null> {
    const flightKey = `${kind}:${key}`;
    const pending = this.inFlight.get(flightKey);
    if (pending) return pending as Promise<T | null>;
    const work = this.load(key, kind, url, accept, decode).finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, work);
    return work;
  }

  private async load<T>(key: string, kind: Kind, url: string, accept: string, decode: (raw: unknown, what: string) => T): Promise<T | null> {
    const row = this.selectRow.get(this.baseUrl, kind, key);
    const now = this.nowMs();
    const fromRow = (r: CacheRow): T | null => (r.found && r.body !== null ? (JSON.parse(r.body) as T) : null);
    if (row && now - row.checked_at < this.freshnessMs) {
      this.stats.cacheHits++;
      return fromRow(row);
    }

    const headers: Record<string, string> = { accept };
    // A cached 404 has no validators: asking again unconditionally is the only way to learn it appeared.
    if (row?.found && row.etag) headers['if-none-match'] = row.etag;
    if (row?.found && row.last_modified) headers['if-modified-since'] = row.last_modified;
    const what = describeRequest('GET', url);

    try {
      // The body is read inside the retry loop: one cut off half-way is asked for again.
      const res = await requestText(url, {
        service: 'PyPI',
        headers,
        timeoutMs: this.timeoutMs,
        retries: this.retries,
        backoffMs: this.backoffMs,
        fetch: this.fetchImpl,
      });
      const etag = res.headers.get('etag');
      const lastModified = res.headers.get('last-modified');
      if (res.status === 304 && row?.found) {
        this.stats.notModified++;
        this.touchRow.run(now, etag, lastModified, this.baseUrl, kind, key);
        return fromRow(row);
      }
      if (res.status === 404) {
        this.stats.notFound++;
        this.upsertRow.run(this.baseUrl, kind, key, 0, null, null, null, now);
        return null;
      }
      if (res.status !== 200 || res.text === null) throw new ServiceError('PyPI', `PyPI answered ${res.status} to ${what}`, { status: res.status });
      const value = decode(parseJson(res.text, res.status, 'PyPI', what), what);
      this.upsertRow.run(this.baseUrl, kind, key, 1, JSON.stringify(value), etag, lastModified, now);
      return value;
    } catch (err) {
      this.stats.errors++;
      if (row && this.staleIfErrorMs > 0 && now - row.checked_at < this.staleIfErrorMs) {
        this.stats.staleServed++;
        return fromRow(row);
      }
      if (err instanceof ServiceError) throw err;
      throw new ServiceError('PyPI', `PyPI request failed (${what}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
