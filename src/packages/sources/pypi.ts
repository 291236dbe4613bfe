/**
 * What a health card reads from a Python package index, reduced to compact forms that are cached:
 * - the JSON API (`/pypi/<name>/json`, or `/pypi/<name>/<version>/json` for one release): the
 *   release's metadata (requires_dist, requires_python, project URLs, yanked), PyPI's `ownership`
 *   (roles and organisation) and the release's files;
 * - the Simple API in its JSON form (PEP 691, `Accept: application/vnd.pypi.simple.v1+json`): every
 *   version (PEP 700), every file with its upload time, yanked state and whether it has a PEP 740
 *   provenance, and the PEP 792 project status;
 * - the Integrity API (`/integrity/<project>/<version>/<filename>/provenance`, PEP 740): the
 *   attestation bundles of one file and the Trusted Publisher that produced them.
 *
 * Only the fields read are checked (zod); anything else PyPI sends is ignored, and an answer of the
 * wrong shape is a ServiceError naming PyPI, never trusted.
 */
import { z } from 'zod';
import { checkShape, describeRequest, parseJson, requestText, ServiceError, type FetchLike } from '../../http.js';
import { normalizeName } from '../../python/names.js';
import { normalizeVersion } from '../../python/pep440.js';
import type { SourceCache } from './cache.js';

export type ProjectStatus = 'active' | 'archived' | 'quarantined' | 'deprecated';

export interface PypiOwnership {
  organization: string | null;
  roles: { role: string; user: string }[];
}

/** One release as the JSON API describes it. */
export interface PypiRelease {
  name: string;
  version: string;
  summary: string | null;
  requiresPython: string | null;
  requiresDist: string[];
  projectUrls: Record<string, string>;
  yanked: boolean;
  yankedReason: string | null;
  /** Null when the index does not publish it (older PyPI, most mirrors). */
  ownership: PypiOwnership | null;
  files: string[];
}

export interface SimpleFile {
  filename: string;
  /** The release it belongs to, read from the file name; null when the name does not say. */
  version: string | null;
  uploadTime: string | null;
  yanked: boolean;
  yankedReason: string | null;
  hasProvenance: boolean;
}

export interface SimpleProject {
  name: string;
  /** Null when the index does not say (no `project-status` and an API older than 1.4). */
  status: ProjectStatus | null;
  statusReason: string | null;
  /** False when the index's API predates PEP 792, so "no status" does not mean "active". */
  statusPublished: boolean;
  versions: string[];
  files: SimpleFile[];
}

export interface Publisher {
  kind: string;
  /** `owner/repo` for GitHub and GitLab publishers. */
  repository: string | null;
  workflow: string | null;
  environment: string | null;
}

export interface Provenance {
  filename: string;
  publishers: Publisher[];
  attestations: number;
}

export interface PypiSourceOptions {
  /** PYPI_URL, or a mirror serving the same APIs. */
  baseUrl: string;
  cache: SourceCache;
  fetch?: FetchLike;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
}

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const INTEGRITY_JSON = 'application/vnd.pypi.integrity.v1+json';
const STATUSES: readonly ProjectStatus[] = ['active', 'archived', 'quarantined', 'deprecated'];

const JsonDocSchema = z.object({
  info: z.object({
    name: z.string().min(1),
    version: z.string().min(1),
    summary: z.string().nullish(),
    requires_python: z.string().nullish(),
    requires_dist: z.array(z.string()).nullish(),
    project_urls: z.record(z.string(), z.string().nullable()).nullish(),
    yanked: z.boolean().nullish(),
    yanked_reason: z.string().nullish(),
  }),
  ownership: z
    .object({
      organization: z.string().nullish(),
      roles: z.array(z.object({ role: z.string(), user: z.string() })).nullish(),
    })
    .nullish(),
  urls: z.array(z.object({ filename: z.string() })).nullish(),
});

const SimpleDocSchema = z.object({
  meta: z.object({ 'api-version': z.string() }),
  name: z.string(),
  versions: z.array(z.string()).nullish(),
  files: z.array(
    z.object({
      filename: z.string(),
      'upload-time': z.string().nullish(),
      yanked: z.union([z.boolean(), z.string()]).nullish(),
      provenance: z.string().nullish(),
    }),
  ),
  'project-status': z.object({ status: z.string(), reason: z.string().nullish() }).nullish(),
});

const ProvenanceSchema = z.object({
  version: z.number(),
  attestation_bundles: z.array(
    z.object({
      publisher: z.looseObject({
        kind: z.string(),
        repository: z.string().nullish(),
        workflow: z.string().nullish(),
        workflow_filepath: z.string().nullish(),
        environment: z.string().nullish(),
      }),
      attestations: z.array(z.unknown()),
    }),
  ),
});

export class PypiSource {
  readonly baseUrl: string;
  /** HTTP requests sent (retries included), for the request budget and the benchmark. */
  requests = 0;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: PypiSourceOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const underlying = options.fetch ?? (globalThis.fetch as FetchLike);
    this.fetchImpl = (input, init) => {
      this.requests++;
      return underlying(input, init);
    };
  }

  /** One release (or, without a version, the latest); null when the index has no such project or release. */
  release(name: string, version: string | null = null) {
    const project = normalizeName(name);
    const path = version === null ? `/pypi/${encodeURIComponent(project)}/json` : `/pypi/${encodeURIComponent(project)}/${encodeURIComponent(version)}/json`;
    const key = version === null ? project : `${project}@${version}`;
    return this.options.cache.through('pypi-json', this.baseUrl, key, `PyPI's metadata for ${key}`, () =>
      this.get(path, 'application/json', (raw, what) => compactRelease(checkShape(JsonDocSchema, raw, 'PyPI', what))),
    );
  }

  /** The latest release's metadata if the cache has it, fresh or not; never asks the index. */
  peekRelease(name: string): PypiRelease | null {
    return this.options.cache.peek<PypiRelease>('pypi-json', this.baseUrl, normalizeName(name))?.value ?? null;
  }

  /** The project's Simple API page (JSON form); null when the index does not have it. */
  simple(name: string) {
    const project = normalizeName(name);
    return this.options.cache.through('pypi-simple', this.baseUrl, project, `PyPI's file list for ${project}`, () =>
      this.get(`/simple/${encodeURIComponent(project)}/`, SIMPLE_JSON, (raw, what) => compactSimple(checkShape(SimpleDocSchema, raw, 'PyPI', what))),
    );
  }

  /** PEP 740 provenance of one file; null when it has none. */
  provenance(name: string, version: string, filename: string) {
    const project = normalizeName(name);
    const path = `/integrity/${encodeURIComponent(project)}/${encodeURIComponent(version)}/${encodeURIComponent(filename)}/provenance`;
    return this.options.cache.through('pypi-integrity', this.baseUrl, `${project}@${version}/${filename}`, `the provenance of ${filename}`, () =>
      this.get(path, INTEGRITY_JSON, (raw, what) => compactProvenance(filename, checkShape(ProvenanceSchema, raw, 'PyPI', what))),
    );
  }

  private async get<T>(path: string, accept: string, decode: (raw: unknown, what: string) => T): Promise<T | null> {
    const url = `${this.baseUrl}${path}`;
    const what = describeRequest('GET', url);
    // The body is read inside the retry loop: one cut off half-way is asked for again.
    const res = await requestText(url, {
      service: 'PyPI',
      headers: { accept },
      timeoutMs: this.options.timeoutMs ?? 30_000,
      retries: this.options.retries ?? 3,
      backoffMs: this.options.backoffMs ?? 500,
      fetch: this.fetchImpl,
    });
    if (res.status === 404) return null;
    if (res.status !== 200 || res.text === null) throw new ServiceError('PyPI', `PyPI answered ${res.status} to ${what}`, { status: res.status });
    return decode(parseJson(res.text, res.status, 'PyPI', what), what);
  }
}

// ---------------------------------------------------------------------------------------------
// Compact forms (pure; exported for tests)

export function compactRelease(doc: z.infer<typeof JsonDocSchema>): PypiRelease {
  const projectUrls: Record<string, string> = {};
  for (const [label, url] of Object.entries(doc.info.project_urls ?? {})) if (url) projectUrls[label] = url;
  return {
    name: doc.info.name,
    version: doc.info.version,
    summary: doc.info.summary?.trim() || null,
    requiresPython: doc.info.requires_python?.trim() || null,
    requiresDist: doc.info.requires_dist ?? [],
    projectUrls,
    yanked: doc.info.yanked ?? false,
    yankedReason: doc.info.yanked_reason?.trim() || null,
    ownership: doc.ownership ? { organization: doc.ownership.organization ?? null, roles: doc.ownership.roles ?? [] } : null,
    files: (doc.urls ?? []).map((f) => f.filename),
  };
}

/** PEP 792 arrived with Simple API 1.4; an older API cannot say a project is archived. */
function publishesStatus(apiVersion: string): boolean {
  const [major = 0, minor = 0] = apiVersion.split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 4);
}

export function compactSimple(doc: z.infer<typeof SimpleDocSchema>): SimpleProject {
  const versions = doc.versions ?? [];
  const byVersion = versionLookup(versions);
  const declared = doc['project-status'];
  const statusPublished = declared != null || publishesStatus(doc.meta['api-version']);
  return {
    name: doc.name,
    // PEP 792: a project without an explicit status is active.
    status: declared ? (STATUSES.find((s) => s === declared.status) ?? null) : statusPublished ? 'active' : null,
    statusReason: declared?.reason?.trim() || null,
    statusPublished,
    versions,
    files: doc.files.map((f) => ({
      filename: f.filename,
      version: versionOfFile(f.filename, byVersion),
      uploadTime: f['upload-time'] ?? null,
      yanked: f.yanked !== undefined && f.yanked !== null && f.yanked !== false,
      yankedReason: typeof f.yanked === 'string' && f.yanked.trim() ? f.yanked.trim() : null,
      hasProvenance: typeof f.provenance === 'string' && f.provenance.length > 0,
    })),
  };
}

export function compactProvenance(filename: string, doc: z.infer<typeof ProvenanceSchema>): Provenance {
  return {
    filename,
    publishers: doc.attestation_bundles.map((b) => ({
      kind: b.publisher.kind,
      repository: b.publisher.repository ?? null,
      workflow: b.publisher.workflow ?? b.publisher.workflow_filepath ?? null,
      environment: b.publisher.environment ?? null,
    })),
    attestations: doc.attestation_bundles.reduce((n, b) => n + b.attestations.length, 0),
  };
}

/** Versions as listed, and by their PEP 440 normal form (file names may spell `1.0.0rc1` as `1.0.0-rc1`). */
function versionLookup(versions: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of versions) {
    map.set(v.toLowerCase(), v);
    const normal = normalizeVersion(v);
    if (normal !== null && !map.has(normal)) map.set(normal, v);
  }
  return map;
}

export const MAX_FILENAME_LENGTH = 255;

const SDIST_SUFFIXES = ['.tar.gz', '.tar.bz2', '.tar.xz', '.tar.z', '.tgz', '.tbz', '.zip', '.tar'];

/**
 * The version a distribution file belongs to. Wheels and eggs put it in their second dash-separated
 * field; sdists end in `-<version>` (their project part may itself contain dashes, so each split
 * point is tried from the left until one names a listed version). Names longer than any file
 * system allows are not read, which bounds the work per file.
 */
export function versionOfFile(filename: string, versions: Map<string, string>): string | null {
  // No file system stores a longer name; the index is not trusted to keep to that.
  if (filename.length > MAX_FILENAME_LENGTH) return null;
  const lower = filename.toLowerCase();
  const lookup = (text: string | undefined): string | null => {
    if (!text) return null;
    return versions.get(text.toLowerCase()) ?? versions.get(normalizeVersion(text) ?? '\u0000') ?? null;
  };
  if (lower.endsWith('.whl') || lower.endsWith('.egg')) return lookup(filename.split('-')[1]);
  const suffix = SDIST_SUFFIXES.find((s) => lower.endsWith(s));
  const stem = suffix ? filename.slice(0, filename.length - suffix.length) : filename.replace(/\.[a-z0-9]+$/i, '');
  for (let i = stem.indexOf('-'); i !== -1; i = stem.indexOf('-', i + 1)) {
    const found = lookup(stem.slice(i + 1));
    if (found !== null) return found;
  }
  return null;
}
