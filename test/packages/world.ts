/**
 * Loopback PyPI, GitHub and OSV with a healthy package ("goodlib") and its requirements, plus the
 * card sources pointed at them. Each `sources()` call is a fresh process's view (new caches in
 * memory, same SQLite file), so "repeat within an hour" is tested the way the CLI repeats.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { OsvApi } from '../../src/advisories/osv-api.js';
import { chooseAdvisorySource } from '../../src/advisories/select.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { createGitHubClient } from '../../src/github/client.js';
import type { CardSources } from '../../src/packages/card.js';
import { AdvisoriesSource } from '../../src/packages/sources/advisories.js';
import { SourceCache } from '../../src/packages/sources/cache.js';
import { GitHubSource } from '../../src/packages/sources/github.js';
import { PypiSource } from '../../src/packages/sources/pypi.js';
import { openDb, type Db } from '../../src/store/db.js';
import { startFakeGitHub, type FakeGitHub, type FakeRepoInit } from '../fakes/github.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi, type FakeProjectSpec } from '../fakes/pypi.js';

export const NOW = new Date('2026-01-15T12:00:00Z');
export const TOKEN = 'ghp_packagecardtoken0000000000000000000';

export const GOODLIB: FakeProjectSpec = {
  name: 'goodlib',
  releases: [
    { version: '1.0.0', uploadTime: '2023-03-01T10:00:00Z', publisher: { kind: 'GitHub', repository: 'good-org/goodlib', environment: 'pypi' } },
    { version: '1.1.0', uploadTime: '2025-06-01T10:00:00Z', publisher: { kind: 'GitHub', repository: 'good-org/goodlib', environment: 'pypi' } },
    { version: '1.2.0', uploadTime: '2025-12-01T10:00:00Z', requiresPython: '>=3.9', publisher: { kind: 'GitHub', repository: 'good-org/goodlib', environment: 'pypi' } },
  ],
  requiresDist: ['idna>=3', 'certifi', 'urllib3<3,>=1.21', "pytest>=8; extra == 'test'"],
  projectUrls: { Source: 'https://github.com/good-org/goodlib', Documentation: 'https://goodlib.readthedocs.io/' },
  ownership: { organization: 'good-org', roles: [{ role: 'Owner', user: 'alice' }, { role: 'Maintainer', user: 'bob' }] },
};

const leaf = (name: string, requiresDist: string[] = []): FakeProjectSpec => ({
  name,
  releases: [{ version: '3.0', uploadTime: '2025-10-01T00:00:00Z' }],
  requiresDist,
});

export const REQUIREMENTS: FakeProjectSpec[] = [leaf('idna'), leaf('certifi'), leaf('urllib3', ['brotli>=1; extra == "brotli"', 'h2>=4', 'zstandard'])];

export const GOODLIB_REPO: FakeRepoInit = {
  owner: 'good-org',
  name: 'goodlib',
  files: { 'pyproject.toml': '[project]\nname = "goodlib"\n', '.github/workflows/ci.yml': 'on: push\n', 'SECURITY.md': 'Report to security@example.org\n' },
  health: {
    commits: [
      { date: '2025-12-20T00:00:00Z', login: 'alice' },
      { date: '2025-11-02T00:00:00Z', login: 'bob' },
      { date: '2025-09-09T00:00:00Z', email: 'carol@example.org' },
      { date: '2024-01-01T00:00:00Z', login: 'dave' },
    ],
    issues: [
      { createdAt: '2026-01-10T00:00:00Z', authorAssociation: 'NONE' },
      { createdAt: '2025-12-01T00:00:00Z', authorAssociation: 'NONE', comments: [{ createdAt: '2025-12-01T05:00:00Z', authorAssociation: 'MEMBER' }] },
      { createdAt: '2025-11-01T00:00:00Z', authorAssociation: 'CONTRIBUTOR', comments: [{ createdAt: '2025-11-01T01:00:00Z', authorAssociation: 'NONE' }, { createdAt: '2025-11-02T00:00:00Z', authorAssociation: 'OWNER' }] },
      { createdAt: '2025-10-01T00:00:00Z', authorAssociation: 'NONE', comments: [{ createdAt: '2025-10-01T03:00:00Z', authorAssociation: 'COLLABORATOR' }] },
      { createdAt: '2025-09-01T00:00:00Z', authorAssociation: 'OWNER' },
    ],
  },
};

export interface PackageWorld {
  pypi: FakePypi;
  github: FakeGitHub;
  osv: FakeOsv;
  db: Db;
  /** Every request the three fakes answered. */
  requests(): number;
  resetCounts(): void;
  sources(options?: { now?: Date; offline?: boolean; token?: boolean; advisories?: 'mirror' | 'api' }): Promise<CardSources>;
  close(): Promise<void>;
}

export async function startPackageWorld(
  options: { projects?: FakeProjectSpec[]; repos?: FakeRepoInit[]; records?: OsvRecord[]; latencyMs?: number } = {},
): Promise<PackageWorld> {
  const pypi = await startFakePypi({ projects: options.projects ?? [GOODLIB, ...REQUIREMENTS], latencyMs: options.latencyMs });
  const github = await startFakeGitHub({ repos: options.repos ?? [GOODLIB_REPO], tokens: [TOKEN], latencyMs: options.latencyMs });
  const osv = await startFakeOsv({ records: options.records ?? [], latencyMs: options.latencyMs });
  const dir = mkdtempSync(join(tmpdir(), 'depwatch-cards-'));
  const db = openDb(join(dir, 'cards.db'));
  const mirror = new AdvisoryMirror(db);
  if (options.records?.length) await mirror.importRecords(options.records);

  return {
    pypi,
    github,
    osv,
    db,
    requests: () => pypi.requests.length + github.totalRequests() + osv.requests.length,
    resetCounts: () => {
      pypi.requests.length = 0;
      github.resetCounts();
      osv.resetCounts();
    },
    async sources({ now = NOW, offline = false, token = true, advisories = 'mirror' } = {}) {
      const cache = new SourceCache(db, { now: () => now.getTime(), offline });
      if (advisories === 'mirror' && options.records?.length) mirror.markSynced(now, 'test');
      const api = new OsvApi({ baseUrl: osv.url, db, retries: 1, backoffMs: 1, now: () => now });
      const chosen = advisories === 'mirror' && mirror.status().records > 0 ? mirror : chooseAdvisorySource({ offline: false, mirror: new AdvisoryMirror(openDb(':memory:')), api, now });
      const octokit = await createGitHubClient({ apiUrl: github.url, ...(token ? { token: TOKEN } : {}) }, { retries: 1, retryUnitMs: 1 });
      return {
        pypi: new PypiSource({ baseUrl: pypi.url, cache, retries: 1, backoffMs: 1 }),
        advisories: new AdvisoriesSource({ source: chosen, cache, apiUrl: osv.url }),
        github: offline ? null : new GitHubSource({ octokit, authenticated: token, apiUrl: github.url, cache, now: () => now }),
        now: () => now,
      };
    },
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
      await Promise.all([pypi.close(), github.close(), osv.close()]);
    },
  };
}

/** An OSV record naming a PyPI package, affecting versions below `fixed` (or all). */
export function osvRecord(id: string, name: string, options: { fixed?: string; severity?: 'LOW' | 'MODERATE' | 'HIGH' | 'CRITICAL'; summary?: string } = {}): OsvRecord {
  return {
    id,
    modified: '2025-01-01T00:00:00Z',
    published: '2025-01-01T00:00:00Z',
    summary: options.summary ?? `${id} in ${name}`,
    affected: [
      {
        package: { ecosystem: 'PyPI', name },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, ...(options.fixed ? [{ fixed: options.fixed }] : [])] }],
      },
    ],
    ...(options.severity ? { database_specific: { severity: options.severity } } : {}),
  };
}
