/**
 * What a first API-mode audit asks OSV, request by request, and what it keeps: one querybatch for
 * every pin, one /v1/query per vulnerable package (its records and the whole list the fix search
 * needs, in one parallel wave), and one GET /v1/vulns/{id} per alias of an advisory no record rates,
 * unless that alias's record is already in hand. Everything learnt is kept in SQLite, written once
 * per wave, so the next client on the same database asks one querybatch and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { groupByAlias, type AdvisoryGroup } from '../../src/advisories/aliases.js';
import { unratedAliasIds } from '../../src/advisories/alias-severity.js';
import { OsvApi } from '../../src/advisories/osv-api.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { auditFileSource } from '../../src/audit/run.js';
import type { FetchLike } from '../../src/http.js';
import { memorySource } from '../../src/python/files.js';
import type { Db } from '../../src/store/db.js';
import type { FakeOsv } from '../fakes/osv.js';
import { osvTestKit, vulnsAsked } from './osv-kit.js';
import { ghsaRecord } from '../fixtures/ghsa/load.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

/**
 * Django's GHSA record of PYSEC-2019-13 (unrated), as if it named the 1.11 series only: OSV does not
 * list it for Django 2.1.5, but it comes with Django's whole list, so it is in hand when the audit
 * looks for a rating among PYSEC-2019-13's aliases.
 */
const DJANGO_GHSA: OsvRecord = {
  ...ghsaRecord('GHSA-6r97-cj55-9hrq'),
  affected: ghsaRecord('GHSA-6r97-cj55-9hrq').affected!.filter((a) => a.ranges?.[0]?.events[0]?.introduced === '1.11.0'),
};
const PYYAML_GHSA = ghsaRecord('GHSA-8q59-q68h-6hv4');

// Django 2.1.5 and PyYAML 5.1 are hit by unrated PyPA advisories whose GHSA records (held by this
// OSV) rate them; jinja2 2.10 by others; requests 2.32.3 by nothing.
const tree = memorySource({ 'requirements.txt': 'Django==2.1.5\npyyaml==5.1\njinja2==2.10\nrequests==2.32.3\n' });
const now = new Date('2026-12-05T12:00:00Z');

const { fakeOsv, database } = osvTestKit(() => [...fixtureRecords().values(), DJANGO_GHSA, PYYAML_GHSA]);

const audit = (advisories: OsvApi) => auditFileSource(tree, { target: 'app', advisories, registry: null, now });
const sortedVulnsAsked = (fake: FakeOsv) => vulnsAsked(fake).sort();

describe('a first API-mode audit', () => {
  it('asks one querybatch, one /v1/query per vulnerable package and one GET per alias not in hand, nothing else', async () => {
    const fake = await fakeOsv();
    const api = new OsvApi({ baseUrl: fake.url, db: database() });
    const result = await audit(api);
    expect(result.partial).toBe(false);

    const vulnerable = [...new Set(result.findings.flatMap((f) => (f.kind === 'vulnerability' && f.package !== null ? [f.package] : [])))].sort();
    expect(vulnerable).toEqual(['django', 'jinja2', 'pyyaml']);
    expect(fake.counts.querybatch).toBe(1);
    expect(fake.requests.filter((r) => r.endpoint === 'query')).toHaveLength(vulnerable.length);

    // The aliases worth a look are those of the advisories no record of theirs rates (PyYAML's GHSA
    // record is a hit itself: its group is rated, nothing to look up). Django's GHSA record came
    // with Django's whole list: in hand, it is not asked for again.
    // One release of each package here: its hits are grouped on their own, as the audit groups them.
    const held = new Map<string, OsvRecord>();
    const hitIds = new Set(result.findings.flatMap((f) => [f.id, ...(f.aliases ?? [])]));
    const hitsPerRelease: AdvisoryGroup[][] = [];
    for (const name of vulnerable) {
      const records = await api.forPackage(name);
      for (const record of records) held.set(record.id, record);
      hitsPerRelease.push(groupByAlias(records.filter((r) => hitIds.has(r.id) && r.id !== DJANGO_GHSA.id)));
    }
    const wanted = unratedAliasIds(hitsPerRelease);
    expect(wanted).toContain(DJANGO_GHSA.id);
    expect(wanted).not.toContain(PYYAML_GHSA.id);
    expect(sortedVulnsAsked(fake)).toEqual(wanted.filter((id) => !held.has(id)));
    expect(sortedVulnsAsked(fake)).toContain('CVE-2019-14234'); // this OSV has no CVE records: a 404, remembered
    expect(sortedVulnsAsked(fake)).not.toContain(DJANGO_GHSA.id);
    expect(fake.requests).toHaveLength(1 + vulnerable.length + sortedVulnsAsked(fake).length);

    // The GHSA record in hand rates what PyPA left unrated.
    expect(result.findings.find((f) => f.id === 'PYSEC-2019-13')).toMatchObject({ severity: 'critical', severityFrom: DJANGO_GHSA.id });
  });

  it('writes what each wave learnt in one transaction, and the next client asks one querybatch only', async () => {
    const fake = await fakeOsv();
    const db = database();
    let transactions = 0;
    const transaction = db.transaction.bind(db);
    db.transaction = ((fn: Parameters<Db['transaction']>[0]) => {
      transactions++;
      return transaction(fn);
    }) as Db['transaction'];
    await audit(new OsvApi({ baseUrl: fake.url, db }));
    // Three packages' lists and the unknown aliases: two waves (hydration, ratings), two writes at
    // most. The rating lookups overlap the hydration now, so those done before it ends may ride in
    // its write, and then the ratings have nothing left to write.
    expect(fake.requests.filter((r) => r.endpoint === 'query')).toHaveLength(3);
    expect(sortedVulnsAsked(fake).length).toBeGreaterThan(0);
    expect(transactions).toBeGreaterThanOrEqual(1);
    expect(transactions).toBeLessThanOrEqual(2);

    fake.resetCounts();
    const again = await audit(new OsvApi({ baseUrl: fake.url, db }));
    expect(fake.requests.map((r) => r.endpoint)).toEqual(['querybatch']);
    expect(again.partial).toBe(false);
  });

  it('keeps what a wave fetched before a failure cut it short', async () => {
    const fake = await fakeOsv();
    const db = database();
    // The third /v1/query fails for good: the audit says so, and the two answered lists are kept.
    let queries = 0;
    const failThird: FetchLike = (input, init) => {
      if (String(input).endsWith('/v1/query') && ++queries === 3) return Promise.reject(new TypeError('fetch failed'));
      return fetch(input, init);
    };
    const broken = await audit(new OsvApi({ baseUrl: fake.url, db, fetch: failThird, retries: 0, concurrency: 1 }));
    expect(broken.partial).toBe(true);
    expect(broken.warnings.join('\n')).toMatch(/advisories unavailable .*vulnerabilities were NOT checked/);

    fake.resetCounts();
    const api = new OsvApi({ baseUrl: fake.url, db });
    const result = await audit(api);
    expect(result.partial).toBe(false);
    expect(fake.requests.filter((r) => r.endpoint === 'query')).toHaveLength(1);
  });
});
