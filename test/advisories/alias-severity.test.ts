/**
 * Unrated advisories take their rating from their aliases' records: PYSEC-2019-13 (Django SQL
 * injection) and PYSEC-2021-142 (PyYAML code execution) carry no severity in the PyPA data, while
 * their GHSA records say CRITICAL (CVSS 9.8). Real records from both databases.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { groupByAlias } from '../../src/advisories/aliases.js';
import { groupSeverity, lookUpAliasRatings, unratedAliasIds } from '../../src/advisories/alias-severity.js';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { OsvApi } from '../../src/advisories/osv-api.js';
import type { AdvisorySource, OsvRecord } from '../../src/advisories/types.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { openDb } from '../../src/store/db.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { ghsaRecord } from '../fixtures/ghsa/load.js';
import { fixtureRecord, fixtureRecords } from '../fixtures/osv/load.js';

const DJANGO_SQLI = fixtureRecord('PYSEC-2019-13');
const PYYAML_RCE = fixtureRecord('PYSEC-2021-142');
const DJANGO_GHSA = ghsaRecord('GHSA-6r97-cj55-9hrq');
const PYYAML_GHSA = ghsaRecord('GHSA-8q59-q68h-6hv4');

/** The hits of each release, grouped as an audit groups them (groupHits). */
const releases = (...hits: OsvRecord[][]) => hits.map((records) => groupByAlias(records));

let osv: FakeOsv | undefined;
afterEach(async () => {
  await osv?.close();
  osv = undefined;
});

describe('rating an advisory from its aliases', () => {
  it('uses the worst rating among the alias records and names the record it came from', () => {
    expect(groupSeverity([DJANGO_SQLI], 'django', undefined)).toEqual({ level: 'unknown', score: null, vector: null, source: null });
    const aliases = new Map<string, OsvRecord>([[DJANGO_GHSA.id, DJANGO_GHSA]]);
    expect(groupSeverity([DJANGO_SQLI], 'django', aliases)).toEqual({
      level: 'critical',
      score: 9.8,
      vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      source: 'GHSA-6r97-cj55-9hrq',
    });
  });

  it('takes the first alias record named with the worst rating, never the group\'s own records or a withdrawn one', () => {
    const record = (id: string, more: Partial<OsvRecord>): OsvRecord => ({ id, modified: '2024-01-01T00:00:00Z', ...more });
    const rated = (id: string, severity: string, more: Partial<OsvRecord> = {}) => record(id, { database_specific: { severity }, ...more });
    const aliases = new Map<string, OsvRecord>([
      ['GHSA-high-1', rated('GHSA-high-1', 'HIGH')],
      ['GHSA-high-2', rated('GHSA-high-2', 'HIGH')],
      ['GHSA-gone', rated('GHSA-gone', 'CRITICAL', { withdrawn: '2024-02-01T00:00:00Z' })],
      // The group's own id, rated in the alias table: the group's record is what counts for it.
      ['PYSEC-own', rated('PYSEC-own', 'CRITICAL')],
      ['PYSEC-other', rated('PYSEC-other', 'CRITICAL')],
    ]);
    const one = record('PYSEC-own', { aliases: ['PYSEC-own', 'GHSA-gone', 'GHSA-high-2', 'GHSA-high-1', 'GHSA-high-2', 'CVE-unknown'] });
    expect(groupSeverity([one], 'pkg', aliases)).toEqual({ level: 'high', score: null, vector: null, source: 'GHSA-high-2' });
    // Two records: neither one's id counts as an alias of the group, whichever of them names it.
    const other = record('PYSEC-other', { aliases: ['PYSEC-own', 'GHSA-high-1'] });
    expect(groupSeverity([one, other], 'pkg', aliases)).toEqual({ level: 'high', score: null, vector: null, source: 'GHSA-high-2' });
    expect(groupSeverity([record('PYSEC-own', { aliases: ['PYSEC-other'] }), record('PYSEC-other', { aliases: ['PYSEC-own'] })], 'pkg', aliases)).toEqual({ level: 'unknown', score: null, vector: null, source: null });
  });

  it('asks only for the aliases of groups no record of theirs rates', () => {
    const rated = [...fixtureRecords().values()].find((r) => r.severity?.length && r.aliases?.length);
    expect(rated).toBeDefined();
    expect(unratedAliasIds(releases([DJANGO_SQLI], [PYYAML_RCE], [rated!]))).toEqual(['CVE-2019-14234', 'CVE-2020-14343', 'GHSA-6r97-cj55-9hrq', 'GHSA-8q59-q68h-6hv4']);
    // A group whose GHSA record is already among the release's hits is rated by it: nothing to look up.
    expect(unratedAliasIds(releases([DJANGO_SQLI, DJANGO_GHSA]))).toEqual([]);
  });

  it("rates each release's groups on their own: another release's rated record of the same flaw does not count", () => {
    // Two installed releases of Django, the GHSA record hitting only the second: the first one's
    // finding is made from PYSEC-2019-13 alone, so its aliases are still worth looking up.
    expect(unratedAliasIds(releases([DJANGO_SQLI], [DJANGO_SQLI, DJANGO_GHSA]))).toEqual(['CVE-2019-14234', 'GHSA-6r97-cj55-9hrq']);
  });

  it('rates every installed release of a flaw, even when its GHSA record hits only one of them (a whole audit)', async () => {
    // Django 2.1.5 and 2.2.3 are both hit by PYSEC-2019-13 (unrated); this copy of its GHSA record
    // keeps only the 2.1 range, so it is a hit of 2.1.5 alone. 2.2.3's finding is rated from it too.
    const ghsaFor21Only: OsvRecord = { ...DJANGO_GHSA, affected: DJANGO_GHSA.affected!.filter((a) => a.ranges?.some((r) => r.events.some((e) => e.introduced === '2.1.0'))) };
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords([DJANGO_SQLI, ghsaFor21Only]);
    const tree = memorySource({ 'requirements.txt': 'django==2.1.5\n', 'services/b/requirements.txt': 'django==2.2.3\n' });
    const result = await auditFileSource(tree, { target: 'app', advisories: mirror, registry: null, now: new Date('2026-12-01T00:00:00Z') });
    const sqli = result.findings.filter((f) => f.id === 'PYSEC-2019-13').map((f) => [f.version, f.severity, f.severityFrom]);
    expect(sqli.sort()).toEqual([
      ['2.1.5', 'critical', DJANGO_GHSA.id],
      ['2.2.3', 'critical', DJANGO_GHSA.id],
    ]);
  });

  it('finds alias records in the mirror, ids it does not hold simply absent', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords([DJANGO_SQLI, PYYAML_RCE, DJANGO_GHSA, PYYAML_GHSA]);
    const { records, failure } = await lookUpAliasRatings(mirror, releases([DJANGO_SQLI], [PYYAML_RCE]));
    expect(failure).toBeNull();
    expect([...records.keys()].sort()).toEqual(['GHSA-6r97-cj55-9hrq', 'GHSA-8q59-q68h-6hv4']);
    expect(groupSeverity([PYYAML_RCE], 'pyyaml', records)).toMatchObject({ level: 'critical', source: 'GHSA-8q59-q68h-6hv4' });
  });

  it('asks OSV for each alias once: a 404 is an answer (remembered), a failure is reported', async () => {
    osv = await startFakeOsv({ records: [DJANGO_SQLI, DJANGO_GHSA] });
    const db = openDb(':memory:');
    const api = new OsvApi({ baseUrl: osv.url, db, retries: 0, backoffMs: 1 });
    const first = await lookUpAliasRatings(api, releases([DJANGO_SQLI]));
    expect(first.failure).toBeNull();
    expect([...first.records.keys()]).toEqual(['GHSA-6r97-cj55-9hrq']);
    expect(osv.counts.vulns).toBe(2); // the GHSA record, and CVE-2019-14234 (404)
    await lookUpAliasRatings(api, releases([DJANGO_SQLI]));
    // The record is cached and the unknown id remembered, also by the next client of the same database.
    const next = await lookUpAliasRatings(new OsvApi({ baseUrl: osv.url, db, retries: 0, backoffMs: 1 }), releases([DJANGO_SQLI]));
    expect([...next.records.keys()]).toEqual(['GHSA-6r97-cj55-9hrq']);
    expect(osv.counts.vulns).toBe(2);

    const fresh = new OsvApi({ baseUrl: osv.url, db: openDb(':memory:'), retries: 0, backoffMs: 1 });
    osv.failNext(5, 503);
    const down = await lookUpAliasRatings(fresh, releases([DJANGO_SQLI]));
    expect(down.records.size).toBe(0);
    expect(down.failure).toMatch(/OSV answered 503/);
  });

  it('a source that cannot look records up leaves the rating alone', async () => {
    const bare: AdvisorySource = { kind: 'api', affecting: async () => new Map(), forPackage: async () => [] };
    expect(await lookUpAliasRatings(bare, releases([DJANGO_SQLI]))).toEqual({ records: new Map(), failure: null });
  });
});
