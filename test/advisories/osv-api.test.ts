import { beforeAll, describe, expect, it, vi } from 'vitest';
import { affects } from '../../src/advisories/match.js';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { batchAnswerSchema, DEFAULT_OSV_CONCURRENCY, isBatchAnswer, MAX_OSV_HTTP1_CONNECTIONS, MAX_QUERIES_PER_BATCH, OsvApi, PACKAGE_LIST_TTL_MS, type OsvApiOptions } from '../../src/advisories/osv-api.js';
import { queryKey, type OsvRecord, type PackageQuery } from '../../src/advisories/types.js';
import { ServiceError } from '../../src/http.js';
import { normalizeName } from '../../src/python/names.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { osvTestKit } from './osv-kit.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { testCertificate } from '../helpers/tls.js';

let records: OsvRecord[];
beforeAll(() => {
  records = [...fixtureRecords().values()];
});

const { fakeOsv, database: memoryDb } = osvTestKit(() => records);

function client(fake: FakeOsv, options: Partial<OsvApiOptions> = {}): OsvApi {
  return new OsvApi({ baseUrl: fake.url, db: memoryDb(), backoffMs: 5, timeoutMs: 5_000, ...options });
}

/** What the fixture itself says affects a query: the oracle the client's answers are checked against. */
function expectedIds(q: PackageQuery): string[] {
  return records.filter((r) => affects(r, normalizeName(q.name), q.version)).map((r) => r.id).sort();
}

const idsOf = (result: Map<string, OsvRecord[]>, q: PackageQuery): string[] => (result.get(queryKey(q)) ?? []).map((r) => r.id).sort();

describe('OsvApi.affecting', () => {
  it('finds the advisories of known vulnerable releases, as whole records', async () => {
    const fake = await fakeOsv();
    const api = client(fake);
    const django = { name: 'django', version: '2.1.5' };
    const requests = { name: 'requests', version: '2.19.0' };
    const safe = { name: 'requests', version: '2.32.3' };
    const result = await api.affecting([django, requests, safe]);

    expect(idsOf(result, django)).toContain('PYSEC-2019-13');
    expect(idsOf(result, django)).toEqual(expectedIds(django));
    expect(idsOf(result, requests)).toEqual(['PYSEC-2018-28', 'PYSEC-2023-74']);
    expect(result.get(queryKey(safe))).toEqual([]);
    const record = result.get(queryKey(django))!.find((r) => r.id === 'PYSEC-2019-13')!;
    expect(record.aliases).toContain('CVE-2019-14234');
    expect(record.affected?.[0]?.ranges?.length).toBeGreaterThan(0);
    // django (9 ids) and requests (2 ids) are each hydrated by one /v1/query for the whole package.
    expect(expectedIds(django)).toHaveLength(9);
    expect(api.stats).toEqual({ querybatch: 1, vulns: 0, query: 2 });
  });

  it('talks to OSV over its own kept-alive sockets, not through the global fetch', async () => {
    const fake = await fakeOsv();
    vi.stubGlobal('fetch', () => Promise.reject(new Error('global fetch used')));
    try {
      const api = client(fake, { retries: 0 });
      const django = { name: 'django', version: '2.1.5' };
      expect(idsOf(await api.affecting([django]), django)).toEqual(expectedIds(django));
      expect(fake.counts.querybatch + fake.counts.query).toBe(2);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('splits 2,500 queries into batches of at most 1,000 and keeps every answer with its query', async () => {
    const fake = await fakeOsv();
    const api = client(fake);
    const queries: PackageQuery[] = Array.from({ length: 2_500 }, (_, i) =>
      i % 500 === 0 ? { name: 'jinja2', version: `2.${10 + i / 500}` } : { name: `unknown-package-${i}`, version: '1.0' },
    );
    const result = await api.affecting(queries);

    expect(fake.counts.querybatch).toBe(3);
    expect(fake.requests.filter((r) => r.endpoint === 'querybatch').map((r) => r.queries)).toEqual(expect.arrayContaining([1_000, 1_000, 500]));
    expect(result.size).toBe(2_500);
    for (const q of queries.filter((q) => q.name === 'jinja2')) expect(idsOf(result, q)).toEqual(expectedIds(q));
    expect(idsOf(result, { name: 'jinja2', version: '2.10' })).toEqual(['PYSEC-2019-217', 'PYSEC-2021-66']);
    expect(MAX_QUERIES_PER_BATCH).toBe(1_000);
  });

  it('is refused by the fake, as by OSV, when a batch holds more than 1,000 queries', async () => {
    const fake = await fakeOsv();
    const queries = Array.from({ length: 1_001 }, () => ({ package: { name: 'django', ecosystem: 'PyPI' }, version: '1.0' }));
    const res = await fetch(`${fake.url}/v1/querybatch`, { method: 'POST', body: JSON.stringify({ queries }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 3, message: 'Too many queries.' });
  });

  it("follows each query's next_page_token, re-sending only the queries that have more pages", async () => {
    const fake = await fakeOsv({ pageSize: 4 });
    const api = client(fake);
    const pillow = { name: 'pillow', version: '6.0.0' }; // 37 advisories → 10 pages of 4
    const django = { name: 'Django', version: '2.1.5' }; // 9 → 3 pages
    const jinja = { name: 'jinja2', version: '2.10' }; // 2 → 1 page
    const result = await api.affecting([pillow, django, jinja]);

    expect(idsOf(result, pillow)).toEqual(expectedIds(pillow));
    expect(idsOf(result, pillow)).toHaveLength(37);
    expect(idsOf(result, django)).toEqual(expectedIds(django));
    expect(idsOf(result, jinja)).toEqual(['PYSEC-2019-217', 'PYSEC-2021-66']);
    const batches = fake.requests.filter((r) => r.endpoint === 'querybatch');
    // Round 1 asks all three; rounds 2–3 only pillow and django; rounds 4–10 only pillow.
    expect(batches.map((r) => r.queries)).toEqual([3, 2, 2, 1, 1, 1, 1, 1, 1, 1]);
    expect(batches.map((r) => r.pageTokens)).toEqual([0, 2, 2, 1, 1, 1, 1, 1, 1, 1]);
    expect(api.stats.querybatch).toBe(10);
  });

  it('reuses cached records while OSV reports the same modified, and refetches only what changed', async () => {
    const fake = await fakeOsv();
    const db = memoryDb();
    const queries = [
      { name: 'django', version: '2.1.5' },
      { name: 'jinja2', version: '2.10' },
    ];
    const first = new OsvApi({ baseUrl: fake.url, db });
    const before = await first.affecting(queries);
    expect(first.stats).toEqual({ querybatch: 1, vulns: 0, query: 2 });

    const second = new OsvApi({ baseUrl: fake.url, db });
    const after = await second.affecting(queries);
    expect(second.stats).toEqual({ querybatch: 1, vulns: 0, query: 0 });
    expect(after).toEqual(before);

    // OSV re-computes aliases: same advisory, newer `modified`, so it is fetched again (and only it).
    const changed = { ...fixtureRecords().get('PYSEC-2019-217')!, modified: '2030-01-01T00:00:00Z', aliases: ['CVE-2019-10906', 'GHSA-462w-v97r-4m45'] };
    fake.addRecord(changed);
    const third = new OsvApi({ baseUrl: fake.url, db });
    const latest = await third.affecting(queries);
    // jinja2's list is asked for again (one request), and only its changed record is validated and stored.
    expect(third.stats).toEqual({ querybatch: 1, vulns: 0, query: 1 });
    expect(latest.get('jinja2@2.10')!.find((r) => r.id === 'PYSEC-2019-217')?.modified).toBe('2030-01-01T00:00:00Z');
  });

  it('keeps only records that really affect the version, whatever the service says', async () => {
    const fake = await fakeOsv();
    // A confused OSV that also lists a withdrawn advisory and one about another package.
    const lying = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      const res = await fetch(input, init);
      if (!String(input).endsWith('/v1/querybatch')) return res;
      const body = (await res.json()) as { results: { vulns?: { id: string; modified: string }[] }[] };
      const extra = ['PYSEC-2022-15', 'PYSEC-2018-28'].map((id) => ({ id, modified: fixtureRecords().get(id)!.modified }));
      for (const r of body.results) r.vulns = [...(r.vulns ?? []), ...extra];
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const api = client(fake, { fetch: lying });
    const loguru = { name: 'loguru', version: '0.4.0' };
    const result = await api.affecting([loguru, { name: 'jinja2', version: '2.10' }]);
    expect(fixtureRecords().get('PYSEC-2022-15')!.withdrawn).toBeDefined();
    expect(idsOf(result, loguru)).toEqual(['PYSEC-2022-14']); // the real one, not the withdrawn PYSEC-2022-15
    expect(idsOf(result, { name: 'jinja2', version: '2.10' })).toEqual(['PYSEC-2019-217', 'PYSEC-2021-66']);
  });

  it('answers an empty list of queries without asking OSV anything', async () => {
    const fake = await fakeOsv();
    const api = client(fake);
    expect((await api.affecting([])).size).toBe(0);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('OsvApi when OSV misbehaves', () => {
  const query = [{ name: 'jinja2', version: '2.10' }];

  it('retries 500s and then succeeds', async () => {
    const fake = await fakeOsv();
    fake.failNext(2, 500);
    const result = await client(fake, { retries: 3 }).affecting(query);
    expect(idsOf(result, query[0]!)).toEqual(['PYSEC-2019-217', 'PYSEC-2021-66']);
    expect(fake.requests.slice(0, 3).map((r) => [r.endpoint, r.status])).toEqual([
      ['querybatch', 500],
      ['querybatch', 500],
      ['querybatch', 200],
    ]);
  });

  it('waits out a 429 for as long as Retry-After says, then succeeds', async () => {
    const fake = await fakeOsv();
    fake.respondWith429(1);
    const started = performance.now();
    const result = await client(fake, { retries: 2 }).affecting(query);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(idsOf(result, query[0]!)).toHaveLength(2);
    expect(fake.requests[0]?.status).toBe(429);
  });

  it('reports a slow OSV as a ServiceError naming OSV', async () => {
    const fake = await fakeOsv({ latencyMs: 1_000 });
    const err = await client(fake, { timeoutMs: 100, retries: 1 })
      .affecting(query)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).service).toBe('OSV');
    expect((err as ServiceError).message).toMatch(/^OSV did not answer POST 127\.0\.0\.1:\d+\/v1\/querybatch within 100 ms$/);
  });

  it('reports a dead OSV as unreachable', async () => {
    // Started apart from the kit: it is closed here, before the client asks.
    const fake = await startFakeOsv({ records });
    const url = fake.url;
    await fake.close();
    const err = await new OsvApi({ baseUrl: url, db: memoryDb(), retries: 1, backoffMs: 5 }).affecting(query).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toMatch(/^OSV is unreachable \(POST 127\.0\.0\.1:\d+\/v1\/querybatch\)/);
  });

  it('rejects malformed JSON rather than trusting it', async () => {
    const fake = await fakeOsv();
    fake.malformedNext();
    await expect(client(fake).affecting(query)).rejects.toThrow(/^OSV returned malformed JSON to POST .*\/v1\/querybatch$/);
  });

  it('rejects an answer whose shape is wrong, and one with the wrong number of results', async () => {
    const fake = await fakeOsv();
    const reshaped = (body: unknown) => async (input: string | URL, init?: RequestInit) => {
      await (await fetch(input, init)).arrayBuffer();
      return new Response(JSON.stringify(body), { status: 200 });
    };
    await expect(client(fake, { fetch: reshaped({ results: [{ vulns: [{ id: 7 }] }] }) }).affecting(query)).rejects.toThrow(
      /^OSV returned an unexpected answer to POST .*\/v1\/querybatch at results\.0\.vulns\.0\.id/,
    );
    await expect(client(fake, { fetch: reshaped({ results: [{}, {}] }) }).affecting(query)).rejects.toThrow(
      'OSV answered 2 results to a querybatch of 1 queries',
    );
  });

  it('checks querybatch answers by hand exactly as their schema would', () => {
    const ref = { id: 'PYSEC-1', modified: '2024-01-01T00:00:00Z' };
    const answers: unknown[] = [
      { results: [] },
      { results: [{}, { vulns: [ref] }, { vulns: [], next_page_token: 'p2' }], extra: 1 },
      { results: [{ vulns: [{ ...ref, more: true }] }] },
      null,
      [],
      'results',
      {},
      { results: {} },
      { results: [null] },
      { results: [[]] },
      { results: [{ vulns: {} }] },
      { results: [{ vulns: [ref], next_page_token: 7 }] },
      { results: [{ vulns: [{ id: '', modified: ref.modified }] }] },
      { results: [{ vulns: [{ id: 'PYSEC-1' }] }] },
      { results: [{ vulns: [{ id: 7, modified: ref.modified }] }] },
      { results: [{ vulns: [[ref]] }] },
      { results: [{ vulns: null }] },
    ];
    for (const answer of answers) expect([answer, isBatchAnswer(answer)]).toEqual([answer, batchAnswerSchema.safeParse(answer).success]);
  });

  it('rejects an invalid record from /v1/vulns instead of caching it', async () => {
    const fake = await fakeOsv();
    const broken = { ...fixtureRecords().get('PYSEC-2021-66')!, modified: 'last tuesday' };
    fake.addRecord(broken);
    const db = memoryDb();
    await expect(new OsvApi({ baseUrl: fake.url, db }).affecting(query)).rejects.toThrow(
      /^OSV sent an invalid record in its answer to GET \/v1\/vulns\/PYSEC-2021-66: modified: not an RFC 3339 timestamp/,
    );
    expect(db.prepare("SELECT COUNT(*) AS n FROM osv_cache WHERE id = 'PYSEC-2021-66'").get()).toEqual({ n: 0 });
  });
});

describe('OsvApi.forPackage', () => {
  it('lists every non-withdrawn record naming the package, across pages', async () => {
    const fake = await fakeOsv({ pageSize: 10 });
    const api = client(fake);
    const found = await api.forPackage('Django');
    const expected = records.filter((r) => !r.withdrawn && r.affected?.some((a) => normalizeName(a.package?.name ?? '') === 'django')).map((r) => r.id);
    expect(found.map((r) => r.id).sort()).toEqual(expected.sort());
    expect(found).toHaveLength(116);
    expect(api.stats.query).toBe(12);
    expect(await client(fake).forPackage('no-such-package')).toEqual([]);
  });
});

describe('OsvApi hydration by package', () => {
  it('answers forPackage from the list it just fetched, and asks again once that list is old', async () => {
    const fake = await fakeOsv();
    let now = new Date('2024-10-10T00:00:00Z');
    const api = client(fake, { now: () => now });
    const django = { name: 'django', version: '2.1.5' };
    const hits = await api.affecting([django]);
    expect(api.stats).toEqual({ querybatch: 1, vulns: 0, query: 1 });

    const all = await api.forPackage('Django');
    expect(api.stats.query).toBe(1); // no new request
    expect(all).toHaveLength(116);
    // The same objects as the hits: one validated copy per (id, modified).
    const hit = hits.get(queryKey(django))![0]!;
    expect(all.find((r) => r.id === hit.id)).toBe(hit);

    now = new Date(now.getTime() + PACKAGE_LIST_TTL_MS + 1);
    expect(await api.forPackage('django')).toHaveLength(116);
    expect(api.stats.query).toBe(2);
  });

  it('fetches an id by itself when the package list lacks it or holds an older copy', async () => {
    const fake = await fakeOsv();
    // An OSV whose /v1/query answers are a little behind its querybatch answers.
    const behind = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      const res = await fetch(input, init);
      if (!String(input).endsWith('/v1/query')) return res;
      const body = (await res.json()) as { vulns?: OsvRecord[] };
      const vulns = (body.vulns ?? [])
        .filter((r) => r.id !== 'PYSEC-2019-13')
        .map((r) => (r.id === 'PYSEC-2019-12' ? { ...r, modified: '2001-01-01T00:00:00Z' } : r));
      return new Response(JSON.stringify({ vulns }), { status: 200 });
    };
    const api = client(fake, { fetch: behind });
    const django = { name: 'django', version: '2.1.5' };
    const result = await api.affecting([django]);
    expect(idsOf(result, django)).toEqual(expectedIds(django));
    expect(api.stats).toEqual({ querybatch: 1, vulns: 2, query: 1 });
    expect(fake.requests.filter((r) => r.endpoint === 'vulns').map((r) => r.path).sort()).toEqual(['/v1/vulns/PYSEC-2019-12', '/v1/vulns/PYSEC-2019-13']);
    expect(result.get(queryKey(django))!.find((r) => r.id === 'PYSEC-2019-12')?.modified).toBe(fixtureRecords().get('PYSEC-2019-12')!.modified);
  });

  it('keeps every request of a large audit under the concurrency cap', async () => {
    const fake = await fakeOsv({ latencyMs: 20 });
    const api = client(fake, { concurrency: 4 });
    const names = ['django', 'pillow', 'jinja2', 'requests', 'urllib3', 'tensorflow', 'numpy', 'flask'];
    await Promise.all([api.affecting(names.map((name) => ({ name, version: '0.1' }))), ...names.map((n) => api.forPackage(n))]);
    expect(fake.peakInFlight).toBe(4);
  });

  it('stops sending requests after the first failure', async () => {
    const fake = await fakeOsv();
    // OSV answers the querybatch, then fails every hydration request.
    const hydrations: string[] = [];
    const failing = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      if (String(input).endsWith('/v1/querybatch')) return fetch(input, init);
      hydrations.push(String(input));
      await new Promise((r) => setTimeout(r, 20));
      return new Response(JSON.stringify({ code: 13, message: 'Internal error.' }), { status: 503 });
    };
    const api = client(fake, { concurrency: 2, retries: 0, fetch: failing });
    const names = ['django', 'pillow', 'jinja2', 'requests', 'urllib3', 'tensorflow', 'numpy', 'flask', 'aiohttp', 'lxml'];
    await expect(api.affecting(names.map((name) => ({ name, version: '0.1' })))).rejects.toThrow(/^OSV answered 503 to POST/);
    // The two requests already running when the first failed, and nothing after them.
    expect(hydrations.length).toBeLessThanOrEqual(2);
  });
});

describe('API mode and mirror mode', () => {
  it('give the same records for the same queries', async () => {
    const mirror = new AdvisoryMirror(memoryDb());
    const imported = await mirror.importRecords(records);
    expect(imported.added).toBe(records.length);

    // One release per package, taken from each advisory's own data: affected, unaffected and odd versions.
    const queries: PackageQuery[] = [];
    for (const r of records.slice(0, 400)) {
      const entry = r.affected?.[0];
      if (!entry?.package) continue;
      const name = normalizeName(entry.package.name);
      const listed = entry.versions?.[0];
      if (listed) queries.push({ name, version: listed });
      const fixed = entry.ranges?.flatMap((g) => g.events).find((e) => e.fixed)?.fixed;
      if (fixed) queries.push({ name, version: fixed });
    }
    queries.push({ name: 'loguru', version: '0.4.0' }, { name: 'cherrypy', version: '2.0.0-final' }, { name: 'nothing-here', version: '1' });

    const fake = await fakeOsv();
    const fromApi = await client(fake, { concurrency: 32 }).affecting(queries);
    const fromMirror = await mirror.affecting(queries);
    expect(fromApi.size).toBe(fromMirror.size);
    let hits = 0;
    for (const q of queries) {
      expect(idsOf(fromApi, q), queryKey(q)).toEqual(idsOf(fromMirror, q));
      hits += idsOf(fromApi, q).length;
    }
    expect(hits).toBeGreaterThan(300);

    for (const name of ['django', 'pillow', 'loguru', 'jinja2']) {
      const api = (await client(fake).forPackage(name)).map((r) => r.id).sort();
      expect(api).toEqual((await mirror.forPackage(name)).map((r) => r.id).sort());
    }
  });
});

describe('performance against a 50 ms OSV', () => {
  it('audits 300 packages with one querybatch and parallel hydration', async () => {
    const fake = await fakeOsv({ latencyMs: 50 });
    // 300 distinct packages; every 10th pinned to a vulnerable release (listed in one of its advisories).
    const names = [...new Set(records.flatMap((r) => (r.affected ?? []).map((a) => normalizeName(a.package?.name ?? ''))))].slice(0, 300);
    const queries = names.map((name, i) => {
      if (i % 10 !== 0) return { name, version: '999.0' };
      const listed = records.find((r) => !r.withdrawn && r.affected?.some((a) => normalizeName(a.package?.name ?? '') === name && a.versions?.length));
      const version = listed?.affected?.find((a) => normalizeName(a.package?.name ?? '') === name)?.versions?.[0] ?? '0.0.1';
      return { name, version };
    });
    const db = memoryDb();
    const api = new OsvApi({ baseUrl: fake.url, db });
    const started = performance.now();
    const result = await api.affecting(queries);
    const cold = performance.now() - started;

    const warmApi = new OsvApi({ baseUrl: fake.url, db });
    const warmStart = performance.now();
    await warmApi.affecting(queries);
    const warm = performance.now() - warmStart;

    const found = [...result.values()].reduce((n, list) => n + list.length, 0);
    console.log(`300 packages, 50 ms OSV: cold ${cold.toFixed(0)} ms (${JSON.stringify(api.stats)}, ${found} findings), warm ${warm.toFixed(0)} ms (${JSON.stringify(warmApi.stats)})`);
    expect(api.stats.querybatch).toBe(1);
    // One hydration request per vulnerable package: /v1/query when it has several ids, /v1/vulns for a lone one.
    const vulnerable = queries.filter((q) => (result.get(queryKey(q)) ?? []).length > 0);
    expect(vulnerable.length).toBeGreaterThan(20);
    expect(api.stats.vulns + api.stats.query).toBe(vulnerable.length);
    expect(warmApi.stats).toEqual({ querybatch: 1, vulns: 0, query: 0 });
    // Hydration really runs in parallel, up to the concurrency limit (32) and no further.
    expect(fake.peakInFlight).toBeGreaterThan(8);
    expect(fake.peakInFlight).toBeLessThanOrEqual(DEFAULT_OSV_CONCURRENCY);
    // Wall time depends on the machine; the bound only catches a sequential regression (178 × 50 ms ≈ 9 s).
    expect(cold).toBeLessThan(5_000);
    expect(warm).toBeLessThan(cold);
  });
});

describe('a repeat audit against OSV', () => {
  const pins = [
    { name: 'django', version: '2.1.5' },
    { name: 'jinja2', version: '2.10' },
    { name: 'requests', version: '2.32.3' }, // not vulnerable: its list is never needed
  ];

  /** What an audit asks: the pins, then the whole list of every vulnerable package (the fix search). */
  async function auditLike(api: OsvApi, listPackages: string[] = []): Promise<Map<string, OsvRecord[]>> {
    const hits = await api.affecting(pins, { listPackages });
    const vulnerable = pins.filter((q) => (hits.get(queryKey(q)) ?? []).length > 0).map((q) => q.name);
    const lists = new Map<string, OsvRecord[]>();
    for (const name of [...vulnerable, ...listPackages]) lists.set(name, await api.forPackage(name));
    return lists;
  }

  it('costs one querybatch when nothing changed, the whole lists included', async () => {
    const fake = await fakeOsv();
    const db = memoryDb();
    const first = new OsvApi({ baseUrl: fake.url, db });
    const before = await auditLike(first);
    expect(first.stats).toEqual({ querybatch: 1, vulns: 0, query: 2 });

    fake.resetCounts();
    // A new client on the same database: what the next CLI run or a restarted bot costs.
    const second = new OsvApi({ baseUrl: fake.url, db });
    const after = await auditLike(second);
    expect(fake.requests.map((r) => r.endpoint)).toEqual(['querybatch']);
    expect(second.stats).toEqual({ querybatch: 1, vulns: 0, query: 0 });
    // The same batch also asked for django's and jinja2's whole lists (no version).
    expect(fake.requests[0]!.queries).toBe(pins.length + 2);
    const ids = (lists: Map<string, OsvRecord[]>) => new Map([...lists].map(([name, records]) => [name, records.map((r) => r.id).sort()]));
    expect(ids(after)).toEqual(ids(before));
    expect(after.get('django')).toHaveLength(116);
  });

  it('fetches again only the package whose list changed, and sees its new advisory', async () => {
    const fake = await fakeOsv();
    const db = memoryDb();
    await auditLike(new OsvApi({ baseUrl: fake.url, db }));

    // A new advisory for django that does not affect the pinned release (the fix search must see it all the same).
    const template = fixtureRecords().get('PYSEC-2019-13')!;
    fake.addRecord({
      ...template,
      id: 'PYSEC-2099-1',
      aliases: [],
      modified: '2099-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'PyPI', name: 'django' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.2.28' }, { fixed: '2.2.29' }] }] }],
    });
    fake.resetCounts();
    const api = new OsvApi({ baseUrl: fake.url, db });
    const lists = await auditLike(api);
    expect(api.stats).toEqual({ querybatch: 1, vulns: 0, query: 1 });
    expect(fake.requests.filter((r) => r.endpoint === 'query')).toHaveLength(1);
    expect(lists.get('django')!.map((r) => r.id)).toContain('PYSEC-2099-1');
    expect(lists.get('jinja2')!.map((r) => r.id).sort()).toEqual((await client(fake).forPackage('jinja2')).map((r) => r.id).sort());
  });

  it('learns the lists the caller will want (unpinned requirements) in the same round trip', async () => {
    const fake = await fakeOsv();
    const db = memoryDb();
    await auditLike(new OsvApi({ baseUrl: fake.url, db }), ['pillow']);

    fake.resetCounts();
    const api = new OsvApi({ baseUrl: fake.url, db });
    const lists = await auditLike(api, ['pillow']);
    expect(fake.requests.map((r) => r.endpoint)).toEqual(['querybatch']);
    expect(lists.get('pillow')!.map((r) => r.id).sort()).toEqual((await client(fake).forPackage('pillow')).map((r) => r.id).sort());
  });

  /** A few more packages than `cap`, each pinned to a release one of its advisories lists. */
  const pinsBeyond = (cap: number) => {
    const pinsByName = new Map<string, string>();
    for (const r of records) {
      for (const a of r.affected ?? []) {
        const name = normalizeName(a.package?.name ?? '');
        const version = a.versions?.[0];
        if (!r.withdrawn && version && !pinsByName.has(name) && pinsByName.size < cap + 6) pinsByName.set(name, version);
      }
    }
    return [...pinsByName].map(([name, version]) => ({ name, version }));
  };

  it('over HTTP/2, hydrates the first audit of as many vulnerable packages as the cap (256) in one parallel wave', async () => {
    const fake = await fakeOsv({ latencyMs: 600, tls: testCertificate() });
    const api = client(fake);
    await api.affecting(pinsBeyond(DEFAULT_OSV_CONCURRENCY));
    expect(api.stats.query + api.stats.vulns).toBeGreaterThan(DEFAULT_OSV_CONCURRENCY);
    // Up to the cap, every package's list is in flight at once: one round trip, not one per 32.
    expect(DEFAULT_OSV_CONCURRENCY).toBe(256);
    expect(fake.peakInFlight).toBe(DEFAULT_OSV_CONCURRENCY);
    expect(new Set(fake.requests.map((r) => r.httpVersion))).toEqual(new Set(['2.0']));
  });

  it('over HTTP/1.1, keeps at most 128 connections, and so requests, in flight', async () => {
    const fake = await fakeOsv({ latencyMs: 300 });
    const api = client(fake);
    await api.affecting(pinsBeyond(MAX_OSV_HTTP1_CONNECTIONS));
    expect(api.stats.query + api.stats.vulns).toBeGreaterThan(MAX_OSV_HTTP1_CONNECTIONS);
    expect(MAX_OSV_HTTP1_CONNECTIONS).toBe(128);
    expect(fake.peakInFlight).toBe(MAX_OSV_HTTP1_CONNECTIONS);
  });
});
