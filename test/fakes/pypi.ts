/**
 * A loopback PyPI for tests: `/pypi/<name>/json` and `/pypi/<name>/<version>/json` (JSON API, with
 * `ownership`), `/simple/<name>/` (Simple API, JSON when asked for
 * `application/vnd.pypi.simple.v1+json`, with PEP 740 `provenance` URLs and PEP 792
 * `project-status`) and `/integrity/<name>/<version>/<file>/provenance` (PEP 740 Integrity API),
 * with ETag / Last-Modified revalidation,
 * optional latency, scripted failures (status codes, malformed JSON) and a log of every request.
 *
 * Documents follow the shapes PyPI documents (docs.pypi.org/api/json, PEP 691/700/792), so the
 * client under test parses the same fields it will meet in production.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeProjectStatus = 'active' | 'archived' | 'quarantined' | 'deprecated';

export interface FakeRelease {
  version: string;
  /** ISO 8601 upload time of the first file; `null` publishes the release without files. */
  uploadTime?: string | null;
  yanked?: boolean;
  yankedReason?: string | null;
  requiresPython?: string | null;
  /** `info.requires_dist` of this release (defaults to the project's). */
  requiresDist?: string[] | null;
  /** Every file of the release carries a PEP 740 provenance naming this Trusted Publisher. */
  publisher?: FakePublisher | null;
}

export interface FakePublisher {
  kind: string;
  repository?: string;
  workflow?: string;
  environment?: string | null;
}

export interface FakeProjectSpec {
  name: string;
  releases: FakeRelease[];
  /** `info.version`; defaults to the last release in the list. */
  latest?: string;
  summary?: string | null;
  requiresPython?: string | null;
  projectUrls?: Record<string, string> | null;
  status?: FakeProjectStatus;
  statusReason?: string | null;
  /** `info.requires_dist` of every release unless the release says otherwise. */
  requiresDist?: string[] | null;
  /** PyPI's `ownership`; null leaves the key out, as older indexes and mirrors do. */
  ownership?: { organization: string | null; roles: { role: 'Owner' | 'Maintainer'; user: string }[] } | null;
  /** Simple API `meta.api-version` (PEP 792's project-status needs 1.4). */
  apiVersion?: string;
}

export interface FakeRequest {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | undefined>;
}

export interface FakeFailure {
  /** Only requests whose path contains this (default: any request). */
  match?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** HTTP status to answer with (default 500); ignored when `malformed` is set. */
  status?: number;
  /** Answer 200 with a body that is not JSON. */
  malformed?: boolean;
  /** Answer 200 with valid JSON of the wrong shape. */
  body?: unknown;
}

export interface FakePypiOptions {
  projects?: FakeProjectSpec[];
  latencyMs?: number;
  /** Send ETag and honour If-None-Match (default true). */
  etags?: boolean;
}

export interface FakePypi {
  url: string;
  addProject(spec: FakeProjectSpec): void;
  /** Serves documents as given, e.g. a fixture saved from pypi.org. */
  addRawProject(name: string, json: unknown, simple?: unknown): void;
  removeProject(name: string): void;
  fail(failure: FakeFailure): void;
  /** PyPI answers again: every scripted failure left is dropped. */
  clearFailures(): void;
  /** A PyPI that hangs: requests (those arriving now and later) wait until the returned release is called. */
  hold(): () => void;
  /** Requests waiting on a hold. */
  readonly held: number;
  latencyMs: number;
  readonly requests: FakeRequest[];
  /** Requests whose path contains `fragment` (all when omitted). */
  count(fragment?: string): number;
  close(): Promise<void>;
}

const normalize = (name: string): string => name.replace(/[-_.]+/g, '-').toLowerCase();

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';

interface Served {
  json: unknown;
  simple: unknown;
  /** `/pypi/<name>/<version>/json` documents, by version. */
  versions?: Record<string, unknown>;
  /** Integrity API answers, by `<version>/<filename>`. */
  provenance?: Record<string, unknown>;
}

function fakeDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `2023-05-22T15:12:44.288812Z` → PyPI's legacy `upload_time` (`2023-05-22T15:12:44`). */
function legacyUploadTime(iso: string): string {
  return iso.replace(/\.\d+Z$|Z$/, '');
}

function fileObjects(name: string, release: FakeRelease, baseUrl: string): Record<string, unknown>[] {
  if (release.uploadTime === null) return [];
  const uploaded = Date.parse(release.uploadTime ?? '2024-01-01T00:00:00Z');
  const wheelName = `${name.replace(/[-.]+/g, '_')}-${release.version}-py3-none-any.whl`;
  const sdistName = `${name}-${release.version}.tar.gz`;
  // The wheel lands a minute after the sdist, so "earliest upload" is a real choice for the client.
  return [
    { filename: sdistName, packagetype: 'sdist', python_version: 'source', at: uploaded },
    { filename: wheelName, packagetype: 'bdist_wheel', python_version: 'py3', at: uploaded + 60_000 },
  ].map((f) => {
    const sha256 = fakeDigest(f.filename);
    const iso = new Date(f.at).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    return {
      comment_text: null,
      digests: { blake2b_256: fakeDigest(`b2${f.filename}`), md5: sha256.slice(0, 32), sha256 },
      downloads: -1,
      filename: f.filename,
      has_sig: false,
      md5_digest: sha256.slice(0, 32),
      packagetype: f.packagetype,
      python_version: f.python_version,
      requires_python: release.requiresPython ?? null,
      size: 1000 + f.filename.length,
      upload_time: legacyUploadTime(iso),
      upload_time_iso_8601: iso,
      url: `${baseUrl}/packages/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${f.filename}`,
      yanked: release.yanked ?? false,
      yanked_reason: release.yanked ? (release.yankedReason ?? null) : null,
    };
  });
}

/** Builds the JSON API and Simple API documents PyPI would serve for a project. */
export function buildProjectDocuments(spec: FakeProjectSpec, baseUrl = 'https://pypi.org'): Served {
  const latest = spec.latest ?? spec.releases.at(-1)?.version ?? '0';
  const releases: Record<string, Record<string, unknown>[]> = {};
  for (const r of spec.releases) releases[r.version] = fileObjects(spec.name, r, baseUrl);
  const latestRelease = spec.releases.find((r) => r.version === latest);
  const json = {
    info: {
      author: null,
      author_email: 'dev@example.org',
      bugtrack_url: null,
      classifiers: ['Programming Language :: Python :: 3'],
      description: `# ${spec.name}\n`,
      description_content_type: 'text/markdown',
      docs_url: null,
      download_url: null,
      downloads: { last_day: -1, last_month: -1, last_week: -1 },
      dynamic: null,
      home_page: null,
      keywords: null,
      license: null,
      license_expression: 'MIT',
      license_files: ['LICENSE'],
      maintainer: null,
      maintainer_email: null,
      name: spec.name,
      package_url: `${baseUrl}/project/${spec.name}/`,
      platform: null,
      project_url: `${baseUrl}/project/${spec.name}/`,
      project_urls: spec.projectUrls === undefined ? { Source: `https://github.com/example/${spec.name}` } : spec.projectUrls,
      provides_extra: [],
      release_url: `${baseUrl}/project/${spec.name}/${latest}/`,
      requires_dist: latestRelease?.requiresDist !== undefined ? latestRelease.requiresDist : (spec.requiresDist ?? null),
      requires_python: spec.requiresPython ?? latestRelease?.requiresPython ?? null,
      summary: spec.summary === undefined ? `The ${spec.name} project` : spec.summary,
      version: latest,
      yanked: latestRelease?.yanked ?? false,
      yanked_reason: latestRelease?.yanked ? (latestRelease.yankedReason ?? null) : null,
    },
    last_serial: 1000 + spec.releases.length,
    ...(spec.ownership === null ? {} : { ownership: spec.ownership ?? { organization: null, roles: [{ role: 'Owner', user: 'maintainer' }] } }),
    releases,
    urls: releases[latest] ?? [],
    vulnerabilities: [],
  };
  // The per-release document: the same, for that release, without `releases` (as PyPI serves it).
  const versions: Record<string, unknown> = {};
  for (const r of spec.releases) {
    const { releases: _all, ...rest } = json;
    versions[r.version] = {
      ...rest,
      info: {
        ...json.info,
        version: r.version,
        release_url: `${baseUrl}/project/${spec.name}/${r.version}/`,
        requires_dist: r.requiresDist !== undefined ? r.requiresDist : (spec.requiresDist ?? null),
        requires_python: r.requiresPython ?? spec.requiresPython ?? null,
        yanked: r.yanked ?? false,
        yanked_reason: r.yanked ? (r.yankedReason ?? null) : null,
      },
      urls: releases[r.version] ?? [],
    };
  }
  const provenance: Record<string, unknown> = {};
  const simpleFiles = spec.releases.flatMap((r) =>
    (releases[r.version] ?? []).map((f) => {
      const filename = f.filename as string;
      if (r.publisher) provenance[`${r.version}/${filename}`] = provenanceDocument(r.publisher, filename);
      return {
        filename,
        url: f.url,
        hashes: { sha256: (f.digests as { sha256: string }).sha256 },
        'requires-python': f.requires_python,
        yanked: r.yanked ? (r.yankedReason ? r.yankedReason : true) : false,
        size: f.size,
        'upload-time': f.upload_time_iso_8601,
        // PEP 740: the file's provenance URL, or null when it has none.
        provenance: r.publisher ? `${baseUrl}/integrity/${normalize(spec.name)}/${r.version}/${filename}/provenance` : null,
      };
    }),
  );
  const simple: Record<string, unknown> = {
    meta: { 'api-version': spec.apiVersion ?? '1.4', '_last-serial': json.last_serial },
    name: normalize(spec.name),
    versions: spec.releases.map((r) => r.version),
    files: simpleFiles,
    'alternate-locations': [],
  };
  if (spec.status) simple['project-status'] = spec.statusReason ? { status: spec.status, reason: spec.statusReason } : { status: spec.status };
  return { json, simple, versions, provenance };
}

/** A PEP 740 provenance object as PyPI's Integrity API serves it (the attestation itself is opaque here). */
function provenanceDocument(publisher: FakePublisher, filename: string): unknown {
  return {
    version: 1,
    attestation_bundles: [
      {
        publisher: { kind: publisher.kind, repository: publisher.repository, workflow: publisher.workflow ?? 'release.yml', environment: publisher.environment ?? null, claims: null },
        attestations: [
          {
            version: 1,
            verification_material: { certificate: 'MIIfake', transparency_entries: [{ logIndex: '1' }] },
            envelope: { statement: Buffer.from(JSON.stringify({ subject: [{ name: filename }] })).toString('base64'), signature: 'ZmFrZQ==' },
          },
        ],
      },
    ],
  };
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
}

// A fixed date keeps Last-Modified stable across restarts of the fake.
const LAST_MODIFIED = 'Mon, 01 Jan 2024 00:00:00 GMT';

export async function startFakePypi(options: FakePypiOptions = {}): Promise<FakePypi> {
  const projects = new Map<string, Served>();
  const failures: (FakeFailure & { remaining: number })[] = [];
  const requests: FakeRequest[] = [];
  const useEtags = options.etags ?? true;
  let baseUrl = '';
  let gate: Promise<void> | null = null;
  let waiting = 0;

  const takeFailure = (path: string): FakeFailure | undefined => {
    const index = failures.findIndex((f) => f.remaining > 0 && (f.match === undefined || path.includes(f.match)));
    if (index === -1) return undefined;
    const failure = failures[index]!;
    failure.remaining -= 1;
    if (failure.remaining === 0) failures.splice(index, 1);
    return failure;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const record = (status: number): void => {
      requests.push({
        method: req.method ?? 'GET',
        path,
        status,
        headers: {
          accept: req.headers.accept,
          'if-none-match': req.headers['if-none-match'],
          'if-modified-since': req.headers['if-modified-since'],
          'user-agent': req.headers['user-agent'],
        },
      });
    };
    if (fake.latencyMs > 0) await new Promise((r) => setTimeout(r, fake.latencyMs));
    while (gate) {
      waiting += 1;
      await gate;
      waiting -= 1;
    }

    const failure = takeFailure(path);
    if (failure) {
      if (failure.malformed || failure.body !== undefined) {
        record(200);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(failure.malformed ? '{"info": {"name": "truncated' : JSON.stringify(failure.body));
      } else {
        const status = failure.status ?? 500;
        record(status);
        res.writeHead(status, status === 429 ? { 'content-type': 'text/plain', 'retry-after': '0' } : { 'content-type': 'text/plain' });
        res.end(`fake failure ${status}`);
      }
      return;
    }

    const jsonApi = /^\/pypi\/([^/]+)\/json\/?$/.exec(path);
    const versionApi = /^\/pypi\/([^/]+)\/([^/]+)\/json\/?$/.exec(path);
    const simpleApi = /^\/simple\/([^/]+)\/?$/.exec(path);
    const integrityApi = /^\/integrity\/([^/]+)\/([^/]+)\/([^/]+)\/provenance\/?$/.exec(path);
    const name = jsonApi?.[1] ?? versionApi?.[1] ?? simpleApi?.[1] ?? integrityApi?.[1];
    const served = name === undefined ? undefined : projects.get(normalize(decodeURIComponent(name)));
    const versionDoc = versionApi ? served?.versions?.[decodeURIComponent(versionApi[2]!)] : undefined;
    const provenanceDoc = integrityApi ? served?.provenance?.[`${decodeURIComponent(integrityApi[2]!)}/${decodeURIComponent(integrityApi[3]!)}`] : undefined;
    if (!served || req.method !== 'GET' || (versionApi && versionDoc === undefined) || (integrityApi && provenanceDoc === undefined)) {
      record(404);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found' }));
      return;
    }

    let body: string;
    let contentType: string;
    if (jsonApi) {
      body = JSON.stringify(served.json);
      contentType = 'application/json';
    } else if (versionApi) {
      body = JSON.stringify(versionDoc);
      contentType = 'application/json';
    } else if (integrityApi) {
      body = JSON.stringify(provenanceDoc);
      contentType = 'application/vnd.pypi.integrity.v1+json';
    } else if ((req.headers.accept ?? '').includes(SIMPLE_JSON)) {
      body = JSON.stringify(served.simple);
      contentType = SIMPLE_JSON;
    } else {
      // Without the JSON media type PyPI answers with the HTML page.
      body = `<!DOCTYPE html><html><body><h1>Links for ${name}</h1></body></html>`;
      contentType = 'text/html';
    }
    const etag = etagOf(body);
    const headers: Record<string, string> = { 'content-type': contentType, 'last-modified': LAST_MODIFIED };
    if (useEtags) headers.etag = etag;
    const ifNoneMatch = req.headers['if-none-match'];
    const ifModifiedSince = req.headers['if-modified-since'];
    const notModified = useEtags && ifNoneMatch !== undefined ? ifNoneMatch === etag : ifModifiedSince === LAST_MODIFIED;
    if (notModified) {
      record(304);
      res.writeHead(304, headers);
      res.end();
      return;
    }
    record(200);
    res.writeHead(200, headers);
    res.end(body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakePypi = {
    url: baseUrl,
    latencyMs: options.latencyMs ?? 0,
    requests,
    addProject(spec) {
      projects.set(normalize(spec.name), buildProjectDocuments(spec, baseUrl));
    },
    addRawProject(name, json, simple = { meta: { 'api-version': '1.4' }, name: normalize(name), files: [], versions: [] }) {
      projects.set(normalize(name), { json, simple });
    },
    removeProject(name) {
      projects.delete(normalize(name));
    },
    hold() {
      let release = (): void => {};
      const current = new Promise<void>((resolve) => {
        release = resolve;
      });
      gate = current;
      return () => {
        if (gate === current) gate = null;
        release();
      };
    },
    get held() {
      return waiting;
    },
    fail(failure) {
      failures.push({ ...failure, remaining: failure.times ?? 1 });
    },
    clearFailures() {
      failures.length = 0;
    },
    count(fragment) {
      return fragment === undefined ? requests.length : requests.filter((r) => r.path.includes(fragment)).length;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
  for (const spec of options.projects ?? []) fake.addProject(spec);
  return fake;
}
