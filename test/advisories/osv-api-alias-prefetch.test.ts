/**
 * An API-mode audit starts looking up the aliases of unrated advisories as soon as the records of
 * the pins they concern arrive (prefetchAliasRatings), not after the slowest package of the wave:
 * each alias is asked once however many packages share it, and the ratings are exactly those of
 * looking them up afterwards, including "unrated" when a lookup fails.
 */
import { describe, expect, it } from 'vitest';
import { OsvApi } from '../../src/advisories/osv-api.js';
import type { AdvisorySource, OsvRecord } from '../../src/advisories/types.js';
import type { Finding } from '../../src/audit/findings.js';
import { auditFileSource } from '../../src/audit/run.js';
import type { FetchLike } from '../../src/http.js';
import { memorySource } from '../../src/python/files.js';
import { osvTestKit, vulnsAsked } from './osv-kit.js';

const MODIFIED = '2026-11-01T00:00:00Z';

/** A PyPA-style advisory: no rating of its own, affecting `name` before 2.0, naming its aliases. */
const unrated = (id: string, name: string, aliases: string[]): OsvRecord => ({
  schema_version: '1.6.0',
  id,
  modified: MODIFIED,
  published: MODIFIED,
  aliases,
  summary: `A flaw in ${name}`,
  affected: [{ package: { ecosystem: 'PyPI', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] }],
});

/** A CVE-style record that names no PyPI package but rates the flaw. */
const rating = (id: string, vector: string): OsvRecord => ({ schema_version: '1.6.0', id, modified: MODIFIED, published: MODIFIED, summary: id, severity: [{ type: 'CVSS_V3', score: vector }] });

const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const MEDIUM = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N';

// alpha and beta share one flaw (CVE-2099-0001); gamma has its own (CVE-2099-0002, rated) and one
// whose CVE this OSV does not hold (CVE-2099-0404).
const RECORDS: OsvRecord[] = [
  unrated('PYSEC-2099-1', 'alpha', ['CVE-2099-0001']),
  unrated('PYSEC-2099-2', 'beta', ['CVE-2099-0001']),
  unrated('PYSEC-2099-3', 'gamma', ['CVE-2099-0002']),
  unrated('PYSEC-2099-4', 'gamma', ['CVE-2099-0404']),
  rating('CVE-2099-0001', CRITICAL),
  rating('CVE-2099-0002', MEDIUM),
];
const tree = memorySource({ 'requirements.txt': 'alpha==1.0\nbeta==1.0\ngamma==1.0\n' });
const now = new Date('2026-12-05T12:00:00Z');

const { fakeOsv, database } = osvTestKit(() => RECORDS);

const audit = (advisories: AdvisorySource) => auditFileSource(tree, { target: 'app', advisories, registry: null, now });
const ratings = (findings: Finding[]) => findings.filter((f) => f.kind === 'vulnerability').map((f) => [f.id, f.severity, f.severityFrom ?? null]).sort();

/** The same client, but the audit's hint to start rating lookups early never reaches it. */
function withoutPrefetch(api: OsvApi): AdvisorySource {
  return {
    kind: 'api',
    affecting: (queries, options) => api.affecting(queries, { ...options, prefetchAliasRatings: false }),
    forPackage: (name) => api.forPackage(name),
    byIds: (ids) => api.byIds(ids),
  };
}

/** Holds gamma's /v1/query answer until `release` is called; logs when each request starts and ends. */
function slowGamma(events: string[]): { fetch: FetchLike; release: () => void } {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const fetchImpl: FetchLike = async (input, init) => {
    const path = new URL(String(input)).pathname;
    const gamma = path === '/v1/query' && String(init?.body).includes('"gamma"');
    const label = gamma ? 'query gamma' : path;
    events.push(`start ${label}`);
    if (gamma) await held;
    const res = await fetch(input, init);
    events.push(`end ${label}`);
    return res;
  };
  return { fetch: fetchImpl, release: () => release() };
}

describe('alias rating lookups of an API-mode audit', () => {
  it('start for the packages whose records arrived while a slower package is still being read', async () => {
    const fake = await fakeOsv();
    const events: string[] = [];
    const gamma = slowGamma(events);
    const api = new OsvApi({ baseUrl: fake.url, db: database(), fetch: gamma.fetch });
    const running = audit(api);
    await expect.poll(() => events.filter((e) => e === 'end /v1/vulns/CVE-2099-0001')).toHaveLength(1);
    expect(events).not.toContain('end query gamma');
    gamma.release();
    const result = await running;
    expect(result.partial).toBe(false);
    expect(events.indexOf('start /v1/vulns/CVE-2099-0002')).toBeGreaterThan(events.indexOf('end query gamma'));
  });

  it('ask for an alias shared by several packages once, and for none whose record is in hand', async () => {
    const fake = await fakeOsv();
    await audit(new OsvApi({ baseUrl: fake.url, db: database() }));
    expect(vulnsAsked(fake).sort()).toEqual(['CVE-2099-0001', 'CVE-2099-0002', 'CVE-2099-0404']);
  });

  it('send nothing for an alias whose record came with another package\'s list while the lookup waited for a slot', async () => {
    // GHSA-X rates alpha's flaw but names only gamma's 5.x releases: OSV does not list it for the
    // pins, it comes with gamma's whole list. One request at a time: alpha's list, gamma's, delta's,
    // then the lookup alpha's answer queued, which finds GHSA-X in hand by then.
    const ghsa: OsvRecord = { ...unrated('GHSA-xxxx-xxxx-xxxx', 'gamma', ['PYSEC-2099-1']), severity: [{ type: 'CVSS_V3', score: CRITICAL }] };
    ghsa.affected = [{ package: { ecosystem: 'PyPI', name: 'gamma' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '5.0' }, { fixed: '5.1' }] }] }];
    const fake = await fakeOsv({
      records: [unrated('PYSEC-2099-1', 'alpha', ['GHSA-xxxx-xxxx-xxxx']), unrated('PYSEC-2099-3', 'gamma', []), unrated('PYSEC-2099-5', 'delta', []), ghsa],
    });
    const api = new OsvApi({ baseUrl: fake.url, db: database(), concurrency: 1 });
    const result = await auditFileSource(memorySource({ 'requirements.txt': 'alpha==1.0\ngamma==1.0\ndelta==1.0\n' }), { target: 'app', advisories: api, registry: null, now });
    expect(api.stats).toEqual({ querybatch: 1, query: 3, vulns: 0 });
    expect(ratings(result.findings)).toEqual([
      ['PYSEC-2099-1', 'critical', 'GHSA-xxxx-xxxx-xxxx'],
      ['PYSEC-2099-3', 'unknown', null],
      ['PYSEC-2099-5', 'unknown', null],
    ]);
  });

  it('give the same ratings as looking the aliases up after the whole wave', async () => {
    const early = await audit(new OsvApi({ baseUrl: (await fakeOsv()).url, db: database() }));
    const late = await audit(withoutPrefetch(new OsvApi({ baseUrl: (await fakeOsv()).url, db: database() })));
    expect(ratings(early.findings)).toEqual(ratings(late.findings));
    expect(ratings(early.findings)).toEqual([
      ['PYSEC-2099-1', 'critical', 'CVE-2099-0001'],
      ['PYSEC-2099-2', 'critical', 'CVE-2099-0001'],
      ['PYSEC-2099-3', 'medium', 'CVE-2099-0002'],
      ['PYSEC-2099-4', 'unknown', null],
    ]);
  });

  it('are not sent once the hydration has failed: the audit will ask for no rating', async () => {
    const fake = await fakeOsv();
    const started: string[] = [];
    // One request at a time: alpha's and beta's lists arrive, their lookups queue behind gamma's list, which fails.
    const failGamma: FetchLike = (input, init) => {
      const path = new URL(String(input)).pathname;
      started.push(path);
      if (path === '/v1/query' && String(init?.body).includes('"gamma"')) return Promise.resolve(new Response('{}', { status: 500 }));
      return fetch(input, init);
    };
    const api = new OsvApi({ baseUrl: fake.url, db: database(), fetch: failGamma, retries: 0, concurrency: 1 });
    const result = await audit(api);
    expect(result.warnings.join('\n')).toMatch(/advisories unavailable .*vulnerabilities were NOT checked/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started.filter((p) => p.startsWith('/v1/vulns/'))).toEqual([]);
    expect(started).toEqual(['/v1/querybatch', '/v1/query', '/v1/query', '/v1/query']);
  });

  it('leave the advisories unrated, and say so, when a lookup fails', async () => {
    const fake = await fakeOsv();
    const failingVulns: FetchLike = (input, init) =>
      new URL(String(input)).pathname.startsWith('/v1/vulns/') ? Promise.resolve(new Response('{}', { status: 503 })) : fetch(input, init);
    const result = await audit(new OsvApi({ baseUrl: fake.url, db: database(), fetch: failingVulns, retries: 0 }));
    expect(result.partial).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/advisory ratings unavailable \(OSV answered 503 .*unrated advisories were not looked up/);
    expect(ratings(result.findings).map(([id, severity]) => [id, severity])).toEqual([
      ['PYSEC-2099-1', 'unknown'],
      ['PYSEC-2099-2', 'unknown'],
      ['PYSEC-2099-3', 'unknown'],
      ['PYSEC-2099-4', 'unknown'],
    ]);
  });
});
