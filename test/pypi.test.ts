import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { smallestFix } from '../src/audit/fix.js';
import { readRegistry } from '../src/audit/registry-read.js';
import { ServiceError, type FetchLike } from '../src/http.js';
import { classifyBump, daysBetween, GIVE_UP_AFTER, latestStable, PyPIClient, releasesBetween, type ProjectInfo, type PyPIClientOptions } from '../src/python/pypi.js';
import { migrate, openDb, readMigrations, type Db } from '../src/store/db.js';
import { startCuttingProxy } from './helpers/cutting-proxy.js';
import { startFakePypi, type FakePypi, type FakeProjectSpec } from './fakes/pypi.js';

const requestsJson = JSON.parse(readFileSync(new URL('./fixtures/pypi/requests.json', import.meta.url), 'utf8')) as unknown;

const HOUR = 3_600_000;

const sample: FakeProjectSpec = {
  name: 'Sample_Project',
  summary: 'A sample',
  requiresPython: '>=3.9',
  releases: [
    { version: '1.0.0', uploadTime: '2022-01-10T10:00:00Z' },
    { version: '1.1.0', uploadTime: '2022-06-01T10:00:00Z' },
    { version: '1.2.0', uploadTime: '2023-02-01T10:00:00Z', yanked: true, yankedReason: 'broken wheel' },
    { version: '1.2.1', uploadTime: '2023-02-02T10:00:00Z' },
    { version: '2.0.0', uploadTime: '2024-03-01T10:00:00Z', requiresPython: '>=3.9' },
    { version: '2.1.0rc1', uploadTime: '2024-05-01T10:00:00Z', requiresPython: '>=3.9' },
  ],
  latest: '2.0.0',
};

describe('PyPIClient', () => {
  let fake: FakePypi;
  let db: Db;
  let clock: number;

  const client = (options: Partial<PyPIClientOptions> = {}): PyPIClient =>
    new PyPIClient({ baseUrl: fake.url, db, backoffMs: 1, now: () => clock, ...options });

  beforeEach(async () => {
    fake = await startFakePypi({ projects: [sample] });
    db = openDb(':memory:');
    clock = Date.parse('2025-01-01T12:00:00Z');
  });

  afterEach(async () => {
    db.close();
    await fake.close();
  });

  it('fails once, with nothing left in flight, when its store was closed under it (an audit still asking at shutdown)', async () => {
    const c = client();
    const store = openDb(':memory:');
    const closed = new PyPIClient({ baseUrl: fake.url, db: store, backoffMs: 1, now: () => clock });
    store.close();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const answer = await closed.projectsSettled(['sample-project', 'other-project']);
      expect(answer.found.size).toBe(0);
      expect(answer.failed.map((f) => f.name).sort()).toEqual(['other-project', 'sample-project']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(await c.project('sample-project')).not.toBeNull();
  });

  it('reads a real PyPI answer (requests): releases in PEP 440 order, upload times, yanked reasons', async () => {
    fake.addRawProject('requests', requestsJson);
    const info = await client().project('Requests');
    expect(info).not.toBeNull();
    const p = info as ProjectInfo;
    expect(p.name).toBe('requests');
    expect(p.latestVersion).toBe('2.32.4');
    expect(p.summary).toBe('Python HTTP for Humans.');
    expect(p.requiresPython).toBe('>=3.8');
    expect(p.projectUrls.Source).toBe('https://github.com/psf/requests');
    expect(p.status).toBeNull();
    // 0.0.1 and 0.12.01 have no files: nothing to install, so not releases the audit can offer.
    expect(p.releases.map((r) => r.version)).toEqual(['0.10.0', '2.31.0', '2.32.0', '2.32.1', '2.32.2', '2.32.3', '2.32.4']);

    const byVersion = new Map(p.releases.map((r) => [r.version, r]));
    // The wheel went up before the sdist: the earliest file wins.
    expect(byVersion.get('2.32.0')).toMatchObject({
      uploadTime: '2024-05-20T16:08:19.530Z',
      yanked: true,
      yankedReason: 'Yanked due to conflicts with CVE-2024-35195 mitigation',
      requiresPython: '>=3.8',
    });
    // PyPI serves this reason with a trailing space.
    expect(byVersion.get('2.32.1')?.yankedReason).toBe('Yanked due to conflicts with CVE-2024-35195 mitigation');
    expect(byVersion.get('2.31.0')).toMatchObject({ yanked: false, yankedReason: null, requiresPython: '>=3.7', uploadTime: '2023-05-22T15:12:42.313Z' });

    expect(latestStable(p)).toBe('2.32.4');
    // 2.32.0 and 2.32.1 are yanked: a 2.31.0 pin is three usable releases behind.
    expect(releasesBetween(p, '2.31.0', '2.32.4')).toBe(3);
    expect(classifyBump('2.31.0', '2.32.4')).toBe('minor');
  });

  it('never offers a release without files (nothing to install) as the latest or as a fix, nor calls it yanked', async () => {
    fake.addProject({
      name: 'hollow',
      releases: [
        { version: '1.0.0', uploadTime: '2022-01-01T00:00:00Z' },
        { version: '1.0.1', uploadTime: null },
        { version: '1.1.0', uploadTime: '2023-01-01T00:00:00Z' },
        { version: '2.0.0', uploadTime: null },
      ],
      latest: '1.1.0',
    });
    const info = (await client().project('hollow'))!;
    expect(info.releases.map((r) => [r.version, r.yanked])).toEqual([
      ['1.0.0', false],
      ['1.1.0', false],
    ]);
    expect(latestStable(info)).toBe('1.1.0');
    const fixedIn101 = { id: 'X-1', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'hollow' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }] };
    expect(smallestFix('hollow', '1.0.0', [fixedIn101], info.releases)).toEqual({ ok: true, version: '1.1.0' });
  });

  it('drops cached projects stored with a release without files, so they are read again (migration 030)', () => {
    const old = new Database(':memory:');
    const migrations = readMigrations();
    migrate(old, migrations.filter((m) => m.version <= 28));
    const insert = old.prepare("INSERT INTO pypi_cache (base_url, kind, name, found, body, etag, last_modified, checked_at) VALUES ('https://pypi.org', 'project', ?, 1, ?, NULL, NULL, 0)");
    const release = (version: string, uploadTime: string | null) => ({ version, uploadTime, yanked: false, yankedReason: null, requiresPython: null });
    insert.run('hollow', JSON.stringify({ name: 'hollow', releases: [release('1.0.0', '2022-01-01T00:00:00.000Z'), release('2.0.0', null)] }));
    insert.run('whole', JSON.stringify({ name: 'whole', releases: [release('1.0.0', '2022-01-01T00:00:00.000Z')] }));
    migrate(old, migrations);
    expect(old.prepare('SELECT name FROM pypi_cache').all()).toEqual([{ name: 'whole' }]);
    old.close();
  });

  it('stores a compact form, far smaller than what PyPI sends', async () => {
    const releases = Array.from({ length: 400 }, (_, i) => ({ version: `1.${Math.floor(i / 10)}.${i % 10}`, uploadTime: new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString() }));
    fake.addProject({ name: 'big', releases });
    const c = client();
    const info = await c.project('big');
    expect(info?.releases).toHaveLength(400);
    const served = await (await fetch(`${fake.url}/pypi/big/json`)).text();
    const stored = db.prepare("SELECT length(body) AS n FROM pypi_cache WHERE name = 'big'").get() as { n: number };
    expect(stored.n).toBeLessThan(served.length / 5);
  });

  it('answers null for a project the index does not have, and remembers it within the window', async () => {
    const c = client();
    expect(await c.project('no-such-project')).toBeNull();
    expect(await c.project('No_Such.Project')).toBeNull();
    expect(fake.count('/pypi/no-such-project/json')).toBe(1);
    expect(c.stats).toMatchObject({ requests: 1, notFound: 1, cacheHits: 1 });

    // After the window a cached 404 is asked again, unconditionally, and picks up a new upload.
    fake.addProject({ name: 'no-such-project', releases: [{ version: '0.1' }] });
    clock += 2 * HOUR;
    expect((await c.project('no-such-project'))?.latestVersion).toBe('0.1');
    expect(fake.requests.at(-1)?.headers['if-none-match']).toBeUndefined();
  });

  it('does not send a request for a name that cannot be on PyPI', async () => {
    const c = client();
    expect(await c.project('../../etc/passwd')).toBeNull();
    expect(await c.project('')).toBeNull();
    expect(fake.count()).toBe(0);
  });

  it('serves from the cache within the freshness window, then revalidates with the ETag (304)', async () => {
    const c = client();
    const first = await c.project('sample-project');
    expect(first?.latestVersion).toBe('2.0.0');
    expect(fake.count()).toBe(1);

    clock += 30 * 60_000;
    expect(await c.project('sample-project')).toEqual(first);
    expect(fake.count()).toBe(1);

    clock += HOUR;
    expect(await c.project('sample-project')).toEqual(first);
    expect(fake.count()).toBe(2);
    const revalidation = fake.requests.at(-1)!;
    expect(revalidation.status).toBe(304);
    expect(revalidation.headers['if-none-match']).toMatch(/^".+"$/);
    expect(c.stats).toMatchObject({ requests: 2, notModified: 1, cacheHits: 1 });

    // The 304 restarted the window.
    clock += 30 * 60_000;
    await c.project('sample-project');
    expect(fake.count()).toBe(2);
  });

  it('takes the new answer when the project changed since the cached one', async () => {
    const c = client();
    await c.project('sample-project');
    fake.addProject({ ...sample, releases: [...sample.releases, { version: '2.1.0', uploadTime: '2024-07-01T00:00:00Z' }], latest: '2.1.0' });
    clock += 2 * HOUR;
    const info = await c.project('sample-project');
    expect(info?.latestVersion).toBe('2.1.0');
    expect(fake.requests.at(-1)?.status).toBe(200);
  });

  it('revalidates with If-Modified-Since when the index sends no ETag', async () => {
    await fake.close();
    fake = await startFakePypi({ projects: [sample], etags: false });
    const c = client();
    await c.project('sample-project');
    clock += 2 * HOUR;
    expect((await c.project('sample-project'))?.latestVersion).toBe('2.0.0');
    expect(fake.requests.at(-1)).toMatchObject({ status: 304, headers: { 'if-modified-since': 'Mon, 01 Jan 2024 00:00:00 GMT' } });
  });

  it('rejects malformed JSON with a ServiceError naming PyPI, and caches nothing', async () => {
    fake.fail({ match: '/pypi/sample-project/', malformed: true });
    const c = client();
    const err = await c.project('sample-project').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).service).toBe('PyPI');
    expect((err as ServiceError).message).toMatch(/^PyPI returned malformed JSON to GET 127\.0\.0\.1:\d+\/pypi\/sample-project\/json$/);
    expect(db.prepare('SELECT count(*) AS n FROM pypi_cache').get()).toEqual({ n: 0 });
    // The next ask goes to PyPI again and succeeds.
    expect((await c.project('sample-project'))?.latestVersion).toBe('2.0.0');
  });

  it('rejects JSON of the wrong shape, naming the field', async () => {
    fake.fail({ body: { info: { name: 'sample-project' }, releases: {} } });
    const err = await client().project('sample-project').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toContain('PyPI returned an unexpected answer');
    expect((err as Error).message).toContain('info.version');
  });

  it('retries 5xx answers and succeeds when PyPI recovers', async () => {
    fake.fail({ status: 503, times: 2 });
    const c = client();
    expect((await c.project('sample-project'))?.latestVersion).toBe('2.0.0');
    expect(fake.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(c.stats.requests).toBe(3);
  });

  it('asks again when the connection is lost half-way through an answer, and takes the whole one then', async () => {
    const proxy = await startCuttingProxy(fake.url);
    try {
      const c = new PyPIClient({ baseUrl: proxy.url, db, backoffMs: 1, now: () => clock });
      expect((await c.project('sample-project'))?.latestVersion).toBe('2.0.0');
      expect(proxy.attempts()).toBe(2);
      expect(c.stats.errors).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('gives up with a ServiceError after its retries', async () => {
    fake.fail({ status: 500, times: 10 });
    const c = client({ retries: 2 });
    const err = await c.project('sample-project').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).status).toBe(500);
    expect(fake.count()).toBe(3);
  });

  it('asks every project even when one fails, and the audit names those not read in the same words whichever failed first', async () => {
    // django answers 503 at once and pytest after a while, then the other way round; sample-project answers.
    const failing = (slow: string): FetchLike => async (input, init) => {
      const url = String(input);
      if (url.includes('/sample-project/')) return fetch(input, init);
      await new Promise((resolve) => setTimeout(resolve, url.includes(`/${slow}/`) ? 30 : 0));
      return new Response('down', { status: 503 });
    };
    const messages: string[] = [];
    for (const slow of ['pytest', 'django']) {
      const c = client({ retries: 0, fetch: failing(slow) });
      const { found, failed } = await c.projectsSettled(['pytest', 'django', 'sample-project']);
      expect(found.get('sample-project')?.latestVersion).toBe('2.0.0');
      expect(failed.map((f) => f.name).sort()).toEqual(['django', 'pytest']);
      await readRegistry(c, ['pytest', 'django', 'sample-project'], (m) => void messages.push(m));
    }
    expect(messages).toHaveLength(2);
    expect(messages[0]).toBe(messages[1]);
    expect(messages[0]).toMatch(/^package registry unavailable for 2 packages \(django and pytest: PyPI answered 503 to GET .*\/django\/json\): whether they are outdated, yanked or not on the index was not checked$/);
  });

  it('takes PyPI for down after GIVE_UP_AFTER projects fail in a row, and does not ask the rest (each failed, saying so)', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `pkg-${String(i).padStart(2, '0')}`);
    for (const name of names) fake.addProject({ name, releases: [{ version: '1.0' }] });
    fake.fail({ status: 503, times: 10_000 });
    const c = client({ retries: 0, concurrency: 4 });
    const { found, failed } = await c.projectsSettled(names);
    expect(found.size).toBe(0);
    expect(failed.map((f) => f.name).sort()).toEqual(names);
    // The ones in flight when the run of failures reached the limit still finish; none starts after.
    expect(fake.count()).toBeGreaterThanOrEqual(GIVE_UP_AFTER);
    expect(fake.count()).toBeLessThan(GIVE_UP_AFTER + 4);
    expect(failed.find((f) => f.name === 'pkg-59')?.error).toMatchObject({ message: `PyPI: not asked: the ${GIVE_UP_AFTER} projects asked before failed in a row` });
  });

  it('keeps asking while answers come between the failures (projects that fail, not PyPI down)', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `pkg-${String(i).padStart(2, '0')}`);
    for (const name of names) fake.addProject({ name, releases: [{ version: '1.0' }] });
    // Every other project fails: never GIVE_UP_AFTER in a row.
    for (let i = 0; i < 40; i += 2) fake.fail({ match: `/pypi/pkg-${String(i).padStart(2, '0')}/`, status: 503, times: 10 });
    const { found, failed } = await client({ retries: 0, concurrency: 1 }).projectsSettled(names);
    expect(found.size).toBe(20);
    expect(failed).toHaveLength(20);
    expect(fake.count()).toBe(40);
  });

  it('times out a slow index', async () => {
    fake.latencyMs = 300;
    const err = await client({ timeoutMs: 50, retries: 0 }).project('sample-project').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toContain('did not answer');
  });

  it('serves a recent cached answer when PyPI fails, but not an old one', async () => {
    const c = client({ retries: 0 });
    await c.project('sample-project');
    clock += 2 * HOUR;
    fake.fail({ status: 500 });
    expect((await c.project('sample-project'))?.latestVersion).toBe('2.0.0');
    expect(c.stats).toMatchObject({ staleServed: 1, errors: 1 });

    clock += 48 * HOUR;
    fake.fail({ status: 500 });
    await expect(c.project('sample-project')).rejects.toBeInstanceOf(ServiceError);
  });

  it('reads the PEP 792 status from the Simple API only when asked', async () => {
    fake.addProject({ name: 'old-lib', releases: [{ version: '1.0' }], status: 'archived', statusReason: 'superseded by new-lib' });
    const c = client();
    expect((await c.project('old-lib'))?.status).toBeNull();
    expect(fake.count('/simple/')).toBe(0);

    expect(await c.projectStatus('Old_Lib')).toEqual({ status: 'archived', reason: 'superseded by new-lib' });
    const simple = fake.requests.find((r) => r.path === '/simple/old-lib/');
    expect(simple?.headers.accept).toBe('application/vnd.pypi.simple.v1+json');

    // Once known, the status rides along with the project at no extra cost.
    const before = fake.count();
    expect(await c.project('old-lib')).toMatchObject({ status: 'archived', statusReason: 'superseded by new-lib' });
    expect(fake.count()).toBe(before);
  });

  it('treats a project without a declared status as active (PEP 792), and fetches both when asked', async () => {
    const c = client();
    const info = await c.project('sample-project', { status: true });
    expect(info).toMatchObject({ latestVersion: '2.0.0', status: 'active', statusReason: null });
    expect(fake.count('/simple/sample-project/')).toBe(1);
    expect(await c.projectStatus('unknown-project')).toBeNull();
  });

  it('keeps the release history when the status cannot be read', async () => {
    fake.fail({ match: '/simple/', malformed: true, times: 5 });
    const c = client({ retries: 0 });
    const info = await c.project('sample-project', { status: true });
    expect(info).toMatchObject({ latestVersion: '2.0.0', status: null });
    expect(c.stats.errors).toBe(1);
    await expect(c.projectStatus('sample-project')).rejects.toThrow(/^PyPI returned malformed JSON/);
  });

  it('fetches many projects with bounded concurrency and one request per project', async () => {
    for (let i = 0; i < 30; i++) fake.addProject({ name: `pkg-${i}`, releases: [{ version: `${i}.0` }] });
    fake.latencyMs = 15;
    let inFlight = 0;
    let peak = 0;
    const counting: FetchLike = async (input, init) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const c = client({ concurrency: 4, fetch: counting });
    const names = [...Array.from({ length: 30 }, (_, i) => `pkg-${i}`), 'PKG_0', 'pkg.1', 'missing-one'];
    const { found: result, failed } = await c.projectsSettled(names);
    expect(failed).toEqual([]);
    expect(result.size).toBe(31);
    expect(result.get('pkg-7')?.latestVersion).toBe('7.0');
    expect(result.get('missing-one')).toBeNull();
    expect(peak).toBe(4);
    expect(c.stats.requests).toBe(31);
    expect(fake.count()).toBe(31);
  });

  it('shares one request between concurrent asks for the same project', async () => {
    fake.latencyMs = 20;
    const c = client();
    const [a, b] = await Promise.all([c.project('sample-project'), c.project('Sample.Project')]);
    expect(a).toEqual(b);
    expect(fake.count()).toBe(1);
  });

  it('keeps separate caches per index URL', async () => {
    await client().project('sample-project');
    const other = await startFakePypi({ projects: [{ name: 'sample-project', releases: [{ version: '9.9' }] }] });
    try {
      const info = await new PyPIClient({ baseUrl: `${other.url}/`, db, now: () => clock }).project('sample-project');
      expect(info?.latestVersion).toBe('9.9');
    } finally {
      await other.close();
    }
  });
});

describe('release helpers', () => {
  const info = (versions: [string, boolean?][]): Pick<ProjectInfo, 'releases'> => ({
    releases: versions.map(([version, yanked = false]) => ({ version, uploadTime: null, yanked, yankedReason: null, requiresPython: null })),
  });

  it('latestStable skips yanked releases, prereleases and versions that are not PEP 440', () => {
    const p = info([['1.0'], ['1.1'], ['2.0', true], ['2.1b1'], ['0.1-charmander']]);
    expect(latestStable(p)).toBe('1.1');
    expect(latestStable(p, { includePre: true })).toBe('2.1b1');
    expect(latestStable(info([['1.0', true]]))).toBeNull();
    expect(latestStable(info([]))).toBeNull();
  });

  it('releasesBetween counts usable releases after the pin up to the target', () => {
    const p = info([['1.0'], ['1.0.1'], ['1.1rc1'], ['1.1'], ['1.2', true], ['1.3'], ['2.0a1']]);
    expect(releasesBetween(p, '1.0', '1.3')).toBe(3);
    expect(releasesBetween(p, '1.0', '2.0a1')).toBe(5);
    expect(releasesBetween(p, '1.3', '1.3')).toBe(0);
    expect(releasesBetween(p, '1.3', '1.0')).toBe(0);
    expect(releasesBetween(p, 'not-a-version', '1.3')).toBe(0);
  });

  it('classifyBump names the first release segment that changes', () => {
    expect(classifyBump('1.2.3', '2.0.0')).toBe('major');
    expect(classifyBump('1.2.3', '1.3.0')).toBe('minor');
    expect(classifyBump('1.2.3', '1.2.4')).toBe('patch');
    expect(classifyBump('1.2', '1.2.1')).toBe('patch');
    expect(classifyBump('1.2.3', '1.2.3.1')).toBe('other');
    expect(classifyBump('1.2.3', '1.2.3.post1')).toBe('other');
    expect(classifyBump('1.2.3rc1', '1.2.3')).toBe('other');
    expect(classifyBump('2019.1', '1!0.1')).toBe('major');
    expect(classifyBump('2.0', '1.0')).toBe('other');
    expect(classifyBump('1.0', '1.0')).toBe('other');
    expect(classifyBump('1.0-final-x', '2.0')).toBe('other');
  });

  it('daysBetween counts whole days, signed', () => {
    expect(daysBetween('2024-01-01T00:00:00Z', '2024-03-01T00:00:00Z')).toBe(60);
    expect(daysBetween(new Date('2024-03-01T12:00:00Z'), new Date('2024-03-02T11:59:59Z'))).toBe(0);
    expect(daysBetween('2024-03-02T00:00:00Z', '2024-03-01T00:00:00Z')).toBe(-1);
    expect(daysBetween('yesterday', '2024-03-01')).toBeNaN();
  });
});
